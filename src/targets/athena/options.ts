import type { OptionProblem, TargetOptions } from "../types.js";
import { locationProblem } from "./files.js";
import { allProfiles, profileNames } from "./profile.js";

/** A time window's length (`24h`, `7d`) and a date or date-time, as the options spell them. */
export const SINCE = /^([1-9][0-9]{0,5})([mhdw])$/;
export const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** The Athena target's options, checked before any rule is compiled (the configuration's positions). */
export function checkAthenaOptions(options: TargetOptions, name: (key: string) => string = (key) => `athena.${key}`): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const text = (key: string): string | undefined => {
    const v = options[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v.trim() === "") {
      problems.push({ key, message: `${name(key)} must be a non-empty string` });
      return undefined;
    }
    return v;
  };
  const profile = text("profile");
  if (profile !== undefined && !profileNames().includes(profile)) {
    problems.push({ key: "profile", message: `${name("profile")} '${profile}' is not a table profile (known: ${profileNames().join(", ")})` });
  }
  for (const key of ["database", "table"]) {
    const v = text(key);
    if (v !== undefined && /[\u0000-\u001f]/.test(v)) problems.push({ key, message: `${name(key)} must not hold control characters` });
  }
  const engine = text("engine");
  if (engine !== undefined && engine !== "trino" && engine !== "duckdb") problems.push({ key: "engine", message: `${name("engine")} '${engine}' is not an Athena engine: trino (engine version 3) or duckdb` });
  const location = text("location");
  if (location !== undefined) {
    const problem = locationProblem(location);
    if (problem) problems.push({ key: "location", message: `${name("location")} ${problem}` });
    else if ((engine ?? allProfiles().find((p) => p.name === profile)?.engine) !== "duckdb") problems.push({ key: "location", message: `${name("location")} is read by the DuckDB engine only: set ${name("engine")} to duckdb` });
  }
  const since = text("since");
  if (since !== undefined && !SINCE.test(since)) problems.push({ key: "since", message: `${name("since")} '${since}' is not a window: a number and m, h, d or w (90m, 24h, 7d, 2w)` });
  const bounds: Partial<Record<"from" | "to", number>> = {};
  for (const key of ["from", "to"] as const) {
    const v = text(key);
    if (v === undefined) continue;
    const t = isoTime(v);
    if (t === undefined) problems.push({ key, message: `${name(key)} '${v}' is not an ISO-8601 date or date-time (2026-01-31 or 2026-01-31T12:00:00Z)` });
    else bounds[key] = t;
  }
  if (bounds.from !== undefined && bounds.to !== undefined && bounds.from >= bounds.to) {
    problems.push({ key: "to", message: `${name("to")} (${String(options.to)}) must be after ${name("from")} (${String(options.from)})` });
  }
  return problems;
}

/** A date or date-time of the DATE form that names a real moment (no 2026-02-30); epoch ms. */
export function isoTime(v: string): number | undefined {
  const m = DATE.exec(v);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return undefined;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return undefined;
  const t = Date.parse(m[4] === undefined ? `${v}T00:00:00Z` : /(?:Z|[+-]\d{2}:\d{2})$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(t) ? undefined : t;
}
