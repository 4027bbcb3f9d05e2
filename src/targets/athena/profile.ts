import cloudtrailLogs from "./profiles/cloudtrail_logs.json" with { type: "json" };
import cloudtrailLogsPp from "./profiles/cloudtrail_logs_pp.json" with { type: "json" };
import generic from "./profiles/generic.json" with { type: "json" };
import panther from "./profiles/panther.json" with { type: "json" };

/**
 * Table profiles: how a log type is laid out in an Athena table. A profile is data (one JSON file in
 * profiles/), never code: the SQL printer reads the column map and the time/partition columns from it.
 */

export type ColumnType =
  | { readonly type: "string"; readonly column?: string; readonly holds?: "boolean" | "number" }
  | { readonly type: "boolean"; readonly column?: string }
  | { readonly type: "number"; readonly column?: string }
  /** Free-form JSON kept as JSON text in a string column (requestParameters). */
  | { readonly type: "json"; readonly column?: string }
  | { readonly type: "struct"; readonly column?: string; readonly fields: Readonly<Record<string, ColumnType>> }
  | { readonly type: "array"; readonly column?: string; readonly items: ColumnType };

export type Partitions =
  | { readonly kind: "none" }
  /** Hive partitions year/month/day (strings, `2024`, `01`, `05`), as CloudTrail's S3 prefix. */
  | { readonly kind: "ymd"; readonly year: string; readonly month: string; readonly day: string }
  /** One projected string partition holding the date as `yyyy/MM/dd`. */
  | { readonly kind: "date-string"; readonly column: string; readonly format: "yyyy/MM/dd" };

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
  readonly logTypes: readonly string[];
  readonly database: string;
  readonly table: string;
  /** The event time: an ISO-8601 string column, or a TIMESTAMP column. */
  readonly time?: { readonly column: string; readonly type: "iso8601" | "timestamp" };
  readonly partitions: Partitions;
  /** Top-level fields of the event, by their spelling in the raw JSON. */
  readonly columns?: Readonly<Record<string, ColumnType>>;
  /** The whole event as one JSON text column (the generic layout). */
  readonly root?: { readonly column: string; readonly type: "json" };
  /** `duckdb`: the Athena target also writes the DuckDB statement of each rule (default: trino only). */
  readonly engine?: AthenaEngine;
  /** The log type's raw files in S3 (for the DuckDB statement over `read_json`). */
  readonly files?: FileLayout;
}

interface ProfileFile extends Partial<Omit<Profile, "columns">> {
  readonly name: string;
  readonly extends?: string;
  readonly columns?: Readonly<Record<string, unknown>>;
}

const FILES: readonly ProfileFile[] = [cloudtrailLogs, cloudtrailLogsPp, panther, generic] as unknown as ProfileFile[];

function resolveFile(f: ProfileFile, seen: Set<string> = new Set()): Profile {
  if (seen.has(f.name)) throw new Error(`profile ${f.name} extends itself`);
  seen.add(f.name);
  const base = f.extends === undefined ? undefined : FILES.find((p) => p.name === f.extends);
  if (f.extends !== undefined && !base) throw new Error(`profile ${f.name} extends unknown profile ${f.extends}`);
  const parent = base ? resolveFile(base, seen) : undefined;
  const columns = { ...(parent?.columns ?? {}), ...((f.columns ?? {}) as Record<string, ColumnType>) };
  const merged = { ...parent, ...f, columns: Object.keys(columns).length > 0 ? columns : undefined };
  delete (merged as { extends?: string }).extends;
  return merged as Profile;
}

export const PROFILES: ReadonlyMap<string, Profile> = new Map(FILES.map((f) => [f.name, resolveFile(f)]));

/** The default profile of a log type; the generic layout for a log type without one. */
export function defaultProfile(logType: string | undefined): Profile {
  for (const p of PROFILES.values()) if (logType !== undefined && p.logTypes.includes(logType)) return p;
  return PROFILES.get("generic")!;
}

export function profileNames(): string[] {
  return [...PROFILES.keys()];
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
