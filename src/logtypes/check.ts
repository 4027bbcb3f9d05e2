import { checkCondition } from "../check/check.js";
import { evaluate } from "../eval/evaluate.js";
import { conform, describeDeviation } from "../schema/conform.js";
import { resolvePath, rootType, schemaFor, type FieldType } from "../schema/schema.js";
import { parseCondition } from "../syntax/ast.js";
import { columnName, findField, profilesOf, type ColumnType } from "../targets/athena/profile.js";
import { LOG_TYPES, type LogTypeData } from "./registry.js";

/**
 * What the registry's JSON schema (logtype.schema.json) cannot say about a log type's data: paths
 * that must resolve in its schema, profile columns that must be fields of the schema with a type
 * that can hold them, one Sigma name per field, shape conditions that check, samples that conform
 * and are recognised as this log type and no other. Pure: data in, problems out (one line each).
 */

export interface Sample {
  readonly name: string;
  readonly event: unknown;
}

function resolves(d: LogTypeData, path: string): boolean {
  const schema = schemaFor(d.logType);
  return schema !== undefined && resolvePath(rootType(schema), path.split(".")).ok;
}

/** Can a column of this type hold the field's values as the table's SerDe reads them? */
function columnFits(c: ColumnType, f: FieldType): boolean {
  switch (c.type) {
    case "json":
      return true;
    case "string":
      return c.holds === "boolean" ? f.type === "boolean" : c.holds === "number" ? f.type === "number" : ["string", "timestamp", "ip"].includes(f.type);
    case "number":
      return f.type === "number";
    case "boolean":
      return f.type === "boolean";
    case "array":
      return f.type === "array" && columnFits(c.items, f.items);
    case "struct":
      return f.type === "object";
  }
}

function checkColumns(columns: Readonly<Record<string, ColumnType>>, fields: Readonly<Record<string, FieldType>>, where: string, out: string[]): void {
  const seen = new Map<string, string>();
  for (const [key, c] of Object.entries(columns)) {
    const col = columnName(key, c);
    const prior = seen.get(col);
    if (prior !== undefined && prior.toLowerCase() !== key.toLowerCase()) out.push(`${where}: fields '${prior}' and '${key}' share the column '${col}'`);
    seen.set(col, key);
    const found = findField(fields, key);
    if (!found) {
      out.push(`${where}: column for '${key}', which the schema does not name`);
      continue;
    }
    const [, f] = found;
    if (!columnFits(c, f)) {
      out.push(`${where}: '${key}' is a ${c.type} column, but the schema types it ${f.type}`);
      continue;
    }
    let cc: ColumnType = c;
    let ff: FieldType = f;
    while (cc.type === "array" && ff.type === "array") {
      cc = cc.items;
      ff = ff.items;
    }
    if (cc.type === "struct" && ff.type === "object") checkColumns(cc.fields, ff.fields, `${where}.${key}`, out);
  }
}

export function checkLogType(d: LogTypeData, folder: string, samples: readonly Sample[] | undefined): string[] {
  const out: string[] = [];
  const at = (m: string) => out.push(`${d.logType}: ${m}`);
  if (folder !== d.logType.toLowerCase()) at(`the folder is '${folder}', it must be the log type in lower case ('${d.logType.toLowerCase()}')`);
  const schema = schemaFor(d.logType);
  if (!schema || schema.freeForm) {
    at("not in the registry (src/logtypes/index.ts is stale: npm run logtypes)");
    return out;
  }
  if (d.time !== undefined && !resolves(d, d.time)) at(`time: '${d.time}' is not a field of the schema`);
  for (const f of d.outputFields ?? []) if (!resolves(d, f)) at(`outputFields: '${f}' is not a field of the schema`);

  // Sigma: every raw path resolves; one Sigma name per raw path; no Sigma name is also a raw path.
  const sigma = d.sigma;
  if (sigma) {
    const byRaw = new Map<string, string>();
    for (const [name, raw] of Object.entries(sigma.fields ?? {})) {
      const prefix = name.endsWith(".*");
      if (prefix !== raw.endsWith(".*")) at(`sigma.fields: '${name}' -> '${raw}': a prefix maps to a prefix`);
      const rawPath = prefix ? raw.slice(0, -2) : raw;
      if (rawPath !== "" && !resolves(d, rawPath)) at(`sigma.fields: '${name}' -> '${raw}', which is not a field of the schema`);
      const prior = byRaw.get(raw);
      if (prior !== undefined) at(`sigma.fields: '${raw}' has two Sigma names ('${prior}', '${name}')`);
      byRaw.set(raw, name);
      if (!prefix && name !== raw && resolves(d, name)) at(`sigma.fields: the Sigma name '${name}' is also a field of the schema (an import could not tell them apart)`);
    }
    for (const [name, v] of Object.entries(sigma.importValues ?? {})) if (!resolves(d, v.field)) at(`sigma.importValues: '${name}' -> '${v.field}', which is not a field of the schema`);
    for (const [name, raw] of Object.entries(sigma.importAliases ?? {})) {
      const rawPath = raw.endsWith(".*") ? raw.slice(0, -2) : raw;
      if (rawPath !== "" && !resolves(d, rawPath)) at(`sigma.importAliases: '${name}' -> '${raw}', which is not a field of the schema`);
    }
  }

  // Athena profiles: unique names, columns that are fields of the schema, a time column that resolves.
  const names = new Set<string>();
  for (const p of d.athena.profiles) {
    if (names.has(p.name)) at(`athena: two profiles named '${p.name}'`);
    names.add(p.name);
    if (p.name === "generic") at("athena: 'generic' is the schema-less layout every log type has");
    for (const path of [...(p.derive?.omit ?? []), ...(p.derive?.json ?? [])]) if (!resolves(d, path)) at(`athena ${p.name}: '${path}' is not a field of the schema`);
  }
  for (const p of profilesOf(d.logType)) {
    if (p.root) continue;
    checkColumns(p.columns ?? {}, schema.fields, `athena ${p.name}`, out);
    if (p.time) {
      const [first, ...rest] = p.time.column.split(".");
      const col = Object.entries(p.columns ?? {}).find(([k, c]) => columnName(k, c) === first);
      let ok = col !== undefined || p.time.type === "timestamp";
      let c: ColumnType | undefined = col?.[1];
      for (const part of rest) {
        c = c?.type === "struct" ? Object.entries(c.fields).find(([k, x]) => columnName(k, x) === part)?.[1] : undefined;
        if (!c) ok = false;
      }
      if (!ok) at(`athena ${p.name}: the time column '${p.time.column}' is not a column of the table`);
    }
  }

  // Sentinel: each field resolves in the schema and goes to one documented column of a type that
  // holds it as the field says (`string` text columns for text, `bool` for JSON booleans, text for
  // JSON); entities name mapped fields.
  const sentinel = d.sentinel;
  if (sentinel) {
    const byColumn = new Map<string, string>();
    for (const [path, f] of Object.entries(sentinel.fields)) {
      const type = sentinel.columns[f.column];
      if (type === undefined) at(`sentinel.fields: '${path}' -> '${f.column}', which is not a documented column of ${sentinel.table}`);
      const prior = byColumn.get(f.column);
      if (prior !== undefined) at(`sentinel.fields: '${prior}' and '${path}' share the column '${f.column}'`);
      byColumn.set(f.column, path);
      const r = resolvePath(rootType(schema), path.split("."));
      if (!r.ok) {
        at(`sentinel.fields: '${path}' is not a field of the schema`);
        continue;
      }
      const ft = r.type.type;
      const fits =
        f.holds === "string" ? type === "string" && ["string", "timestamp", "ip"].includes(ft) : f.holds === "bool" ? type === "bool" && ft === "boolean" : f.holds === "json" ? type === "string" : true;
      if (type !== undefined && !fits) at(`sentinel.fields: '${path}' (${ft}) is held as ${f.holds} in the ${type} column '${f.column}'`);
    }
    for (const [entity, ids] of Object.entries(sentinel.entities ?? {})) {
      for (const [id, path] of Object.entries(ids)) if (!sentinel.fields[path]) at(`sentinel.entities: ${entity}.${id} -> '${path}', which has no column`);
    }
  }

  // A RegexSerDe table reads the lines with the text layout's own pattern.
  for (const p of d.athena.profiles) {
    const regex = p.ddl?.serdeProperties?.["input.regex"];
    if (regex !== undefined && regex !== d.sources.text?.pattern) at(`athena ${p.name}: input.regex is not sources.text.pattern`);
  }

  // Shapes: conditions that check (on the vendor's records as exported, before any transform:
  // against the schema only for a shape that transforms nothing).
  d.sources.shapes.forEach((s, i) => {
    const parsed = parseCondition(s.when);
    if (!parsed.ast) return at(`sources.shapes[${i}]: '${s.when}' does not parse`);
    const checked = checkCondition(parsed.ast, { text: s.when, ...((s.transform ?? []).length === 0 ? { schema: rootType(schema) } : {}) });
    const errors = checked.diagnostics.filter((x) => x.severity === "error");
    if (errors.length > 0) at(`sources.shapes[${i}]: '${s.when}': ${errors.map((e) => e.message).join("; ")}`);
  });

  // Samples: conform to the schema, and are recognised as this log type only.
  if (samples !== undefined) {
    if (samples.length === 0) at("samples.json has no sample");
    for (const s of samples) {
      for (const dev of conform(schema, s.event)) at(`sample '${s.name}': ${describeDeviation(dev)}`);
      const types = recognisedAs(s.event);
      if (types.length !== 1 || types[0] !== d.logType) at(`sample '${s.name}' is recognised as ${types.length === 0 ? "no log type" : types.join(", ")} by the sources' shapes`);
    }
  }
  return out;
}

/** The log types whose shapes recognise an event (exactly one, for a well-made registry). */
export function recognisedAs(event: unknown): string[] {
  const out: string[] = [];
  for (const d of LOG_TYPES) {
    for (const s of d.sources.shapes) {
      const parsed = parseCondition(s.when);
      if (!parsed.ast) continue;
      const checked = checkCondition(parsed.ast, { text: s.when });
      if (evaluate(checked.condition, event)) {
        out.push(d.logType);
        break;
      }
    }
  }
  return out;
}

/** Checks across log types: unique names and unique Sigma logsources. */
export function checkRegistry(all: readonly LogTypeData[]): string[] {
  const out: string[] = [];
  const names = new Set<string>();
  const sources = new Map<string, string>();
  for (const d of all) {
    if (names.has(d.logType)) out.push(`${d.logType}: two folders define it`);
    names.add(d.logType);
    for (const l of d.sigma ? [d.sigma.logsource, ...(d.sigma.imports ?? [])] : []) {
      const key = JSON.stringify([l.product, l.service ?? null, l.category ?? null]);
      const prior = sources.get(key);
      if (prior !== undefined && prior !== d.logType) out.push(`${d.logType}: the Sigma logsource ${key} is also ${prior}'s`);
      sources.set(key, d.logType);
    }
  }
  return out;
}
