import { LOG_TYPES, logTypeData, PANTHER_FIELDS, type DdlData, type LogTypeData, type ProfileData } from "../../logtypes/registry.js";
import type { FieldType } from "../../schema/schema.js";
import generic from "./profiles/generic.json" with { type: "json" };

/**
 * Table profiles: how a log type is laid out in an Athena table. A profile is data: each log type's
 * folder in src/logtypes lists its profiles (the first is its default), and profiles/generic.json
 * is the schema-less layout every log type has. The SQL printer reads the column map and the
 * time/partition columns from it; `rulec athena ddl` prints the CREATE TABLE from it.
 */

export type ColumnType =
  /**
   * `null`: the text the table's SerDe keeps where the vendor wrote no value (VPC Flow Logs' `-`):
   * the SQL reads that text as NULL, as the record parsed from the line has no value there.
   */
  | {
      readonly type: "string";
      readonly column?: string;
      readonly holds?: "boolean" | "number";
      readonly null?: string;
      /** The SerDe keeps the double quotes the vendor writes around the field: the SQL reads the text between them. */
      readonly quoted?: boolean;
    }
  | { readonly type: "boolean"; readonly column?: string }
  /** `hive`: the integer type the vendor's DDL declares (`int`, `bigint`) instead of `double`. */
  | { readonly type: "number"; readonly column?: string; readonly hive?: "int" | "bigint" }
  /** Free-form JSON kept as JSON text in a string column (requestParameters). */
  | { readonly type: "json"; readonly column?: string }
  | { readonly type: "struct"; readonly column?: string; readonly fields: Readonly<Record<string, ColumnType>> }
  | { readonly type: "array"; readonly column?: string; readonly items: ColumnType };

export type Partitions =
  | { readonly kind: "none" }
  /** Hive partitions year/month/day (strings, `2024`, `01`, `05`), as CloudTrail's S3 prefix. */
  | { readonly kind: "ymd"; readonly year: string; readonly month: string; readonly day: string }
  /**
   * One projected string partition holding the date, written with `format` (`%Y/%m/%d`,
   * `%Y/%m/%d/%H`, `y=%Y/m=%m/d=%d`: strftime's %Y %m %d %H, the rest literal).
   */
  | { readonly kind: "date-string"; readonly column: string; readonly format: string };

/** `clf`: the Common Log Format time of web and S3 server access logs (`13/Nov/2024:09:12:45 +0000`). */
export type TimeType = "iso8601" | "timestamp" | "epochMillis" | "epochSeconds" | "clf";

/**
 * How the log type's own files lie in S3, for a DuckDB statement that reads them directly
 * (`read_json`) instead of the table. `cloudtrail`: gzipped `{"Records": [...]}` files under
 * `AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/` (files.ts).
 */
export interface FileLayout {
  readonly layout: "cloudtrail";
}

/** The SQL engine of an Athena workgroup: engine v3 (Trino), or Athena's DuckDB engine. */
export type AthenaEngine = "trino" | "duckdb";

export interface Profile {
  readonly name: string;
  readonly description: string;
  /** The log types whose events the table holds (`*`: any, the generic layout). */
  readonly logTypes: readonly string[];
  readonly database: string;
  readonly table: string;
  /**
   * The event time: an ISO-8601 string column, a TIMESTAMP column, or epoch milliseconds/seconds
   * in a number column; `column` may be a dotted path into a struct.
   */
  readonly time?: { readonly column: string; readonly type: TimeType };
  readonly partitions: Partitions;
  /** Top-level fields of the event, by their spelling in the raw JSON. */
  readonly columns?: Readonly<Record<string, ColumnType>>;
  /** The whole event as one JSON text column (the generic layout). */
  readonly root?: { readonly column: string; readonly type: "json" };
  /** `duckdb`: the Athena target also writes the DuckDB statement of each rule (default: trino only). */
  readonly engine?: AthenaEngine;
  /** The log type's raw files in S3 (for the DuckDB statement over `read_json`). */
  readonly files?: FileLayout;
  /** What the CREATE TABLE needs besides the columns. */
  readonly ddl?: DdlData;
}

/** The schema-less layout: the whole event as one JSON text column; every log type has it. */
export const GENERIC: Profile = { ...(generic as unknown as Omit<Profile, "logTypes">), logTypes: ["*"] };

// ---------------------------------------------------------------------------------------------
// Columns derived from a schema

/** A JSON key as a Hive column name: lower case, characters outside [a-z0-9_] as `_`. */
export function hiveName(key: string): string {
  const n = key.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  return /^[0-9]/.test(n) ? `_${n}` : n;
}

function deriveType(t: FieldType, path: string, rules: { omit: ReadonlySet<string>; json: ReadonlySet<string> }): ColumnType | undefined {
  if (rules.json.has(path)) return { type: "json" };
  switch (t.type) {
    case "string":
    case "timestamp":
    case "ip":
      return { type: "string" };
    case "number":
      return { type: "number" };
    case "boolean":
      return { type: "boolean" };
    case "json":
      return { type: "json" };
    case "array": {
      const items = deriveType(t.items, path, rules);
      return items ? { type: "array", items } : undefined;
    }
    case "object": {
      const fields = deriveFields(t.fields, path, rules);
      return Object.keys(fields).length > 0 ? { type: "struct", fields } : { type: "json" };
    }
  }
}

function deriveFields(
  fields: Readonly<Record<string, FieldType>>,
  prefix: string,
  rules: { omit: ReadonlySet<string>; json: ReadonlySet<string> },
): Record<string, ColumnType> {
  const out: Record<string, ColumnType> = {};
  for (const [k, f] of Object.entries(fields)) {
    const path = prefix === "" ? k : `${prefix}.${k}`;
    if (rules.omit.has(path)) continue;
    const c = deriveType(f, path, rules);
    if (!c) continue;
    const column = hiveName(k);
    out[k] = column === k.toLowerCase() ? c : { ...c, column };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Resolution: extends, derive, defaults

function resolveData(d: LogTypeData, p: ProfileData, seen: Set<string> = new Set()): Profile {
  if (seen.has(p.name)) throw new Error(`profile ${d.logType}/${p.name} extends itself`);
  seen.add(p.name);
  let parent: Profile | undefined;
  if (p.extends !== undefined) {
    const base = d.athena.profiles.find((x) => x.name === p.extends);
    if (!base) throw new Error(`profile ${d.logType}/${p.name} extends unknown profile ${p.extends}`);
    parent = resolveData(d, base, seen);
  }
  let columns: Record<string, ColumnType> = { ...(parent?.columns ?? {}) };
  if (p.derive) {
    const rules = { omit: new Set(p.derive.omit ?? []), json: new Set(p.derive.json ?? []) };
    columns = { ...columns, ...deriveFields(d.fields, "", rules) };
    if (p.derive.pantherFields) {
      // Panther's p_ columns; its timestamps are TIMESTAMP columns, not the text the event carries.
      const { p_event_time: _t, p_parse_time: _p, ...rest } = PANTHER_FIELDS;
      columns = { ...columns, ...deriveFields(rest, "", rules) };
    }
  }
  columns = { ...columns, ...((p.columns ?? {}) as Record<string, ColumnType>) };
  const database = p.database ?? parent?.database;
  const table = p.table ?? parent?.table;
  const partitions = (p.partitions ?? parent?.partitions ?? { kind: "none" }) as Partitions;
  if (database === undefined || table === undefined) throw new Error(`profile ${d.logType}/${p.name} names no database or table`);
  const time = p.time ?? parent?.time;
  const ddl = p.ddl ?? parent?.ddl;
  const engine = p.engine ?? parent?.engine;
  const files = p.files ?? parent?.files;
  return {
    name: p.name,
    description: p.description,
    logTypes: [d.logType],
    database,
    table,
    ...(time ? { time } : {}),
    partitions,
    ...(Object.keys(columns).length > 0 ? { columns } : {}),
    ...(ddl ? { ddl } : {}),
    ...(engine ? { engine } : {}),
    ...(files ? { files } : {}),
  };
}

const BY_LOG_TYPE: Map<string, Profile[]> = new Map(LOG_TYPES.map((d) => [d.logType, d.athena.profiles.map((p) => resolveData(d, p))]));

/**
 * Adds a profile to a log type's (after its data's), for tests and tools that need a layout the
 * data does not hold; returns the function that takes it away again.
 */
export function registerProfile(logType: string, profile: Profile): () => void {
  const list = BY_LOG_TYPE.get(logType) ?? [];
  BY_LOG_TYPE.set(logType, [...list, profile]);
  return () => void BY_LOG_TYPE.set(logType, list);
}

/** A log type's profiles (its default first), then the generic layout. */
export function profilesOf(logType: string | undefined): readonly Profile[] {
  return [...((logType !== undefined ? BY_LOG_TYPE.get(logType) : undefined) ?? []), GENERIC];
}

/** Every profile of every log type, and the generic layout. */
export function allProfiles(): readonly Profile[] {
  return [...[...BY_LOG_TYPE.values()].flat(), GENERIC];
}

/** The default profile of a log type; the generic layout for a log type without one. */
export function defaultProfile(logType: string | undefined): Profile {
  return profilesOf(logType)[0]!;
}

/** Every profile name (profiles of different log types may share one: `panther`). */
export function profileNames(): string[] {
  return [...new Set(allProfiles().map((p) => p.name))];
}

/**
 * The profile a name selects for a log type: the log type's own profile of that name, or the
 * generic layout; a name that only other log types have (a CloudTrail layout, for an Okta rule)
 * selects this log type's default, so that one setting serves a library of several log types.
 * Undefined for a name no log type has.
 */
export function profileFor(logType: string | undefined, name: string | undefined): Profile | undefined {
  // No log type (a bare condition): the first profile of that name.
  if (logType === undefined && name !== undefined) return allProfiles().find((p) => p.name === name);
  const own = profilesOf(logType);
  if (name === undefined) return own[0];
  const p = own.find((x) => x.name === name);
  if (p) return p;
  return profileNames().includes(name) ? own[0] : undefined;
}

/** The default output fields of a log type (a rule without OutputFields selects these). */
export function defaultOutputFields(logType: string | undefined): readonly string[] {
  return (logType !== undefined ? logTypeData(logType)?.outputFields : undefined) ?? [];
}

/** The column name of a field: its own `column`, else the key lower-cased (as the Hive JSON SerDe maps keys). */
export function columnName(key: string, t: ColumnType): string {
  return t.column ?? key.toLowerCase();
}

/** A key of a field map: exactly, else case-insensitively (as the evaluator and Athena's columns do). */
export function findField<T>(fields: Readonly<Record<string, T>>, key: string): [string, T] | undefined {
  if (Object.prototype.hasOwnProperty.call(fields, key)) return [key, fields[key]!];
  const lower = key.toLowerCase();
  for (const k of Object.keys(fields)) if (k.toLowerCase() === lower) return [k, fields[k]!];
  return undefined;
}

/**
 * The table column a path read from the table starts at: the root JSON column of the generic
 * layout, else the column of its first segment's field, found as the SQL printer finds it
 * (findField, then columnName); undefined when the profile has no such field.
 */
export function rootColumn(profile: Profile, name: string): string | undefined {
  if (profile.root) return profile.root.column;
  const found = findField(profile.columns ?? {}, name);
  return found && columnName(found[0], found[1]);
}
