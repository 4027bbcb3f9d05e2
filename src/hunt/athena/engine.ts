import type { AthenaEngine } from "../../targets/athena/profile.js";
import { classifyError, type AthenaApi, type WorkgroupEngine } from "./api.js";

/**
 * Which SQL a workgroup runs, from its engine version (GetWorkGroup): `DuckDB` for Athena's DuckDB
 * engine, anything else (`Athena engine version 3`, `AUTO`, which never chooses DuckDB) for
 * Trino. The effective version decides; a workgroup that reports none is taken by the one selected.
 */
export function engineOf(version: WorkgroupEngine): AthenaEngine {
  const v = version.effective ?? version.selected ?? "";
  return /^duckdb\b/i.test(v.trim()) ? "duckdb" : "trino";
}

/** The engine version as Athena names it, for messages. */
export function engineName(version: WorkgroupEngine): string {
  return version.effective ?? version.selected ?? "not reported (taken as Athena engine version 3)";
}

/**
 * Asks Athena which SQL the workgroup runs (throttling retried a few times). A failure is fatal for
 * the hunt, with the reason (an identity without athena:GetWorkGroup can name the engine with
 * --athena-engine instead).
 */
export async function workgroupSql(
  api: AthenaApi,
  context: { readonly workgroup: string; readonly region?: string; readonly endpoint?: string },
  waitMs = 250,
): Promise<{ readonly engine: AthenaEngine; readonly name: string } | { readonly fatal: string }> {
  if (!api.workgroupEngine) return { engine: "trino", name: "Athena engine version 3" };
  for (let attempt = 1; ; attempt++) {
    try {
      const v = await api.workgroupEngine(context.workgroup);
      return { engine: engineOf(v), name: engineName(v) };
    } catch (e) {
      const c = classifyError(e, context);
      if (c.kind === "retry" && attempt < 4) {
        await new Promise((r) => setTimeout(r, waitMs * 2 ** (attempt - 1)));
        continue;
      }
      if (c.kind === "fatal") {
        const denied = /AccessDenied|not authorized/i.test(c.message);
        return { fatal: denied ? `${c.message} (rulec reads the workgroup's engine with athena:GetWorkGroup: allow it, or name the engine with --athena-engine)` : c.message };
      }
      return { fatal: `cannot read the engine of workgroup '${context.workgroup}' (GetWorkGroup): ${c.message}` };
    }
  }
}
