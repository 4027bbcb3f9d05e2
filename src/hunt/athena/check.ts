import { failedFunction, probeQuery, type TrinoFunction } from "../../targets/athena/functions.js";
import { classifyError, type AthenaApi } from "./api.js";
import { isHeaderRow } from "./results.js";

/**
 * `rulec athena check`: one query exercising every Trino function the library's SQL uses, run on
 * the user's workgroup. A function the engine does not know fails the query with its name (or the
 * line of its probe): it is set aside as unsupported and the query runs again without it, until it
 * succeeds; then each probe's answer is compared with what the SQL relies on.
 */

export interface CheckOptions {
  readonly workgroup: string;
  readonly database?: string;
  readonly outputLocation?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly poll?: { readonly firstMs: number; readonly factor: number; readonly maxMs: number };
}

export type FunctionVerdict =
  | { readonly fn: TrinoFunction; readonly status: "supported" }
  | { readonly fn: TrinoFunction; readonly status: "unsupported"; readonly reason: string }
  | { readonly fn: TrinoFunction; readonly status: "differs"; readonly got: string | undefined }
  /** The query failed for a reason that names no probe: nothing is known of the rest. */
  | { readonly fn: TrinoFunction; readonly status: "unknown"; readonly reason: string };

export interface CheckResult {
  readonly verdicts: readonly FunctionVerdict[];
  /** Query ids, in order. */
  readonly queries: readonly string[];
  /** The check could not run (credentials, workgroup, network). */
  readonly fatal?: string;
}

const DEFAULT_POLL = { firstMs: 250, factor: 1.6, maxMs: 5000 };

export async function runAthenaCheck(api: AthenaApi, functions: readonly TrinoFunction[], options: CheckOptions): Promise<CheckResult> {
  const poll = options.poll ?? DEFAULT_POLL;
  const verdicts: FunctionVerdict[] = [];
  const queries: string[] = [];
  let left = [...functions];
  const context = { workgroup: options.workgroup, ...(options.region ? { region: options.region } : {}), ...(options.endpoint ? { endpoint: options.endpoint } : {}) };
  while (left.length > 0) {
    let id: string;
    let state: string;
    let reason = "";
    try {
      id = await api.start({
        sql: probeQuery(left),
        workgroup: options.workgroup,
        ...(options.database !== undefined ? { database: options.database } : {}),
        ...(options.outputLocation !== undefined ? { outputLocation: options.outputLocation } : {}),
      });
      queries.push(id);
      let wait = poll.firstMs;
      for (;;) {
        const s = await api.status(id);
        state = s.state;
        reason = s.reason ?? "";
        if (state !== "QUEUED" && state !== "RUNNING") break;
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(poll.maxMs, wait * poll.factor);
      }
    } catch (e) {
      const c = classifyError(e, context);
      return { verdicts, queries, fatal: c.message };
    }
    if (state === "SUCCEEDED") {
      let page;
      try {
        page = await api.results(id, undefined, 10);
      } catch (e) {
        return { verdicts, queries, fatal: classifyError(e, context).message };
      }
      const rows = page.rows.filter((r, i) => !(i === 0 && isHeaderRow(r, page.columns)));
      const row = rows[0] ?? [];
      left.forEach((fn, i) => {
        const got = row[i];
        verdicts.push(got === fn.expected ? { fn, status: "supported" } : { fn, status: "differs", got });
      });
      break;
    }
    const culprit = failedFunction(reason, left);
    if (!culprit) {
      for (const fn of left) verdicts.push({ fn, status: "unknown", reason: reason || state });
      break;
    }
    verdicts.push({ fn: culprit, status: "unsupported", reason });
    left = left.filter((f) => f !== culprit);
  }
  const order = new Map(functions.map((f, i) => [f, i]));
  verdicts.sort((a, b) => order.get(a.fn)! - order.get(b.fn)!);
  return { verdicts, queries };
}
