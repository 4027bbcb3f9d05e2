import type { FieldType } from "../schema/schema.js";
import { profilesOf } from "../targets/athena/profile.js";
import { LOG_TYPES, logTypeData, PANTHER_FIELDS, PANTHER_LOG_TYPES, type LogTypeData } from "./registry.js";

/**
 * The registry as readers see it: one row per field (dotted paths, arrays marked []), and the
 * summaries `rulec logtypes` prints and docs/logtypes/ holds. Pure.
 */

export interface FieldRow {
  /** Dotted path; `[]` after a segment that is an array. */
  readonly path: string;
  readonly type: string;
  readonly description: string;
  readonly depth: number;
}

function typeName(t: FieldType): string {
  if (t.type === "array") return `array of ${t.items.type === "object" ? "objects" : typeName(t.items)}`;
  return t.type;
}

export function fieldRows(fields: Readonly<Record<string, FieldType>>, prefix = "", depth = 0): FieldRow[] {
  const out: FieldRow[] = [];
  for (const [k, t] of Object.entries(fields)) {
    const path = prefix === "" ? k : `${prefix}.${k}`;
    out.push({ path, type: typeName(t), description: t.description ?? "", depth });
    let e = t;
    while (e.type === "array") e = e.items;
    if (e.type === "object") out.push(...fieldRows(e.fields, path, depth + 1));
  }
  return out;
}

export interface LogTypeSummary {
  readonly logType: string;
  readonly title: string;
  readonly fields: number;
  readonly sigma?: string;
  readonly profiles: readonly string[];
}

function sigmaText(d: LogTypeData): string | undefined {
  const l = d.sigma?.logsource;
  return l && [l.product && `product: ${l.product}`, l.service && `service: ${l.service}`, l.category && `category: ${l.category}`].filter(Boolean).join(", ");
}

export function summaries(): LogTypeSummary[] {
  return LOG_TYPES.map((d) => ({
    logType: d.logType,
    title: d.title,
    fields: fieldRows(d.fields).length,
    ...(sigmaText(d) ? { sigma: sigmaText(d)! } : {}),
    profiles: profilesOf(d.logType).map((p) => p.name),
  }));
}

/** Panther's names that have no typed schema here (accepted free-form). */
export function freeFormNames(): string[] {
  return PANTHER_LOG_TYPES.names.filter((n) => !logTypeData(n));
}

/** The text `rulec logtypes` prints. */
export function listText(): string {
  const rows = summaries();
  const w = Math.max(...rows.map((r) => r.logType.length));
  const lines = [
    "Typed log types (field names and types checked):",
    ...rows.map((r) => `  ${r.logType.padEnd(w)}  ${String(r.fields).padStart(3)} fields  Sigma ${r.sigma ?? "-"}  Athena ${r.profiles.join(", ")}`),
    "",
    `Other log types of Panther's list, accepted free-form (every path is JSON, no field checks, warning RC316; list from ${PANTHER_LOG_TYPES.source} at ${PANTHER_LOG_TYPES.commit.slice(0, 8)}):`,
  ];
  let line = " ";
  for (const n of freeFormNames()) {
    if (line.length + n.length + 1 > 100) {
      lines.push(line);
      line = " ";
    }
    line += ` ${n}`;
  }
  if (line.trim() !== "") lines.push(line);
  lines.push("", "rulec logtypes <log type> lists a log type's fields, its Sigma logsource and field mapping, its Athena tables.");
  return lines.join("\n") + "\n";
}

/** The text `rulec logtypes <log type>` prints. */
export function detailText(d: LogTypeData): string {
  const rows = fieldRows(d.fields);
  const w = Math.min(56, Math.max(...rows.map((r) => r.path.length)));
  const lines = [`${d.logType}: ${d.title}`, d.description, ...d.references.map((r) => `  ${r}`), "", "Fields:"];
  for (const r of rows) lines.push(`  ${r.path.padEnd(w)}  ${r.type.padEnd(16)}  ${r.description}`);
  lines.push("", `Panther's standard fields (on Panther's events, not in the vendor's records): ${Object.keys(PANTHER_FIELDS).join(", ")}`);
  const s = d.sigma;
  lines.push("", `Sigma logsource: ${sigmaText(d) ?? "none (rules of this log type are RC401 for Sigma)"}`);
  for (const [name, raw] of Object.entries(s?.fields ?? {})) lines.push(`  ${name} <-> ${raw}`);
  for (const [name, raw] of Object.entries(s?.importAliases ?? {})) lines.push(`  ${name} -> ${raw} (import only)`);
  for (const [name, v] of Object.entries(s?.importValues ?? {})) lines.push(`  ${name} -> ${v.field}, values ${Object.entries(v.values).map(([a, b]) => `${a} -> ${b}`).join(", ")} (import only)`);
  lines.push("", "Athena tables (rulec athena ddl prints each):");
  for (const p of profilesOf(d.logType)) lines.push(`  ${p.name.padEnd(22)} ${p.database}.${p.table}: ${p.description}`);
  const sen = d.sentinel;
  lines.push("", `Sentinel table: ${sen ? `${sen.table} (connector ${sen.connector.connectorId}; ${Object.keys(sen.fields).length} fields in columns)` : "none (rules of this log type are RC401 for Sentinel)"}`);
  if (d.sources.exports.length > 0) lines.push("", "rulec hunt reads:", ...d.sources.exports.map((e) => `  - ${e}`));
  for (const n of d.notes ?? []) lines.push("", n);
  return lines.join("\n") + "\n";
}
