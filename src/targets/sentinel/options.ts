import type { OptionProblem, TargetOptions } from "../types.js";

/** The Sentinel target's options (`queryFrequency`, `queryPeriod`), checked before any rule is compiled. */

const DURATION = /^([1-9][0-9]*)([mhd])$/;

function minutes(d: string): number | undefined {
  const m = DURATION.exec(d);
  if (!m) return undefined;
  return Number(m[1]) * { m: 1, h: 60, d: 1440 }[m[2] as "m" | "h" | "d"];
}

export function checkSentinelOptions(options: TargetOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  for (const key of ["queryFrequency", "queryPeriod"]) {
    const v = options[key];
    if (v === undefined) continue;
    const n = typeof v === "string" ? minutes(v) : undefined;
    if (n === undefined) problems.push({ key, message: `sentinel.${key} must be a duration such as 5m, 1h or 1d` });
    else if (n < 5 || n > 14 * 1440) problems.push({ key, message: `sentinel.${key} must be from 5m to 14d` });
  }
  const f = typeof options.queryFrequency === "string" ? minutes(options.queryFrequency) : 60;
  const p = typeof options.queryPeriod === "string" ? minutes(options.queryPeriod) : 60;
  if (problems.length === 0 && f !== undefined && p !== undefined && p < f) problems.push({ key: "queryPeriod", message: "sentinel.queryPeriod may not be shorter than sentinel.queryFrequency" });
  return problems;
}
