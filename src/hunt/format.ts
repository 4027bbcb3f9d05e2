import type { HuntMatch } from "./hunt.js";

/** Matches as text: a table for people, or json / ndjson / csv for tools. */

export type HuntFormat = "table" | "json" | "ndjson" | "csv";

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

function record(m: HuntMatch): Record<string, unknown> {
  return { rule: m.rule, ruleId: m.ruleId, severity: m.severity, file: m.file, record: m.record, fields: m.fields };
}

export function formatMatches(matches: readonly HuntMatch[], format: HuntFormat, width = 120): string {
  switch (format) {
    case "json":
      return JSON.stringify(matches.map(record), null, 2) + "\n";
    case "ndjson":
      return matches.map((m) => JSON.stringify(record(m)) + "\n").join("");
    case "csv":
      return csv(matches);
    case "table":
      return table(matches, width);
  }
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per match; the fields of all rules as columns (empty where a rule has no such field). */
function csv(matches: readonly HuntMatch[]): string {
  const fieldNames: string[] = [];
  for (const m of matches) for (const k of Object.keys(m.fields)) if (!fieldNames.includes(k)) fieldNames.push(k);
  const header = ["rule", "ruleId", "severity", "file", "record", ...fieldNames];
  const lines = [header.map(csvCell).join(",")];
  for (const m of matches) {
    lines.push([m.rule, m.ruleId, m.severity, m.file, String(m.record), ...fieldNames.map((f) => cell(m.fields[f]))].map(csvCell).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

function clip(s: string, n: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f]/g, " ");
  return flat.length <= n ? flat : flat.slice(0, Math.max(0, n - 1)) + "…";
}

/** Grouped by rule: a heading per rule, then an aligned table of its matches. */
function table(matches: readonly HuntMatch[], width: number): string {
  if (matches.length === 0) return "no matches\n";
  const out: string[] = [];
  const byRule = new Map<string, HuntMatch[]>();
  for (const m of matches) {
    const list = byRule.get(m.rule) ?? [];
    list.push(m);
    byRule.set(m.rule, list);
  }
  for (const [rule, list] of byRule) {
    const first = list[0]!;
    out.push(`${rule} (${first.ruleId}, ${first.severity}): ${list.length} match${list.length === 1 ? "" : "es"}`);
    const cols = ["where", ...Object.keys(first.fields)];
    const rows = list.map((m) => [`${m.file}#${m.record + 1}`, ...Object.keys(first.fields).map((k) => cell(m.fields[k]))]);
    const budget = Math.max(8, Math.floor((width - 2 * cols.length) / cols.length));
    const widths = cols.map((c, i) => Math.min(budget, Math.max(c.length, ...rows.map((r) => r[i]!.length))));
    const line = (cells: string[]) => "  " + cells.map((c, i) => clip(c, widths[i]!).padEnd(widths[i]!)).join("  ").trimEnd();
    out.push(line(cols));
    out.push(line(widths.map((w) => "-".repeat(w))));
    for (const r of rows) out.push(line(r));
    out.push("");
  }
  return out.join("\n");
}
