import type { OptionProblem, TargetOptions } from "../types.js";

/** The Sigma target's options (`author`, `status`, `date`), checked before any rule is compiled. */

export const STATUSES = ["stable", "test", "experimental", "deprecated", "unsupported"];

export function checkSigmaOptions(options: TargetOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  for (const key of ["author", "status", "date"]) {
    const v = options[key];
    if (v !== undefined && (typeof v !== "string" || v.trim() === "")) problems.push({ key, message: `sigma.${key} must be a non-empty string` });
  }
  if (typeof options.status === "string" && !STATUSES.includes(options.status)) {
    problems.push({ key: "status", message: `sigma.status '${options.status}' is not one of ${STATUSES.join(", ")}` });
  }
  if (typeof options.date === "string" && !validDate(options.date)) problems.push({ key: "date", message: `sigma.date '${options.date}' is not a date, YYYY-MM-DD` });
  return problems;
}

export function validDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}
