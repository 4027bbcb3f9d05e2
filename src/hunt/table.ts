import type { DuckDBConnection } from "@duckdb/node-api";
import { sqlIdent, sqlString } from "../targets/athena/escape.js";
import { DUCKDB_PRELUDE } from "../targets/athena/dialect.js";
import { columnName, type ColumnType, type Profile } from "../targets/athena/profile.js";

/**
 * An in-process DuckDB table shaped like a profile's Athena table: the same column names and
 * nesting (structs, arrays of rows, JSON text columns), filled the way the Hive JSON SerDe fills
 * Athena's table from the raw records (keys matched case-insensitively, free-form parts kept as
 * JSON text, JSON null as NULL, scalars in string columns as their text).
 */

/** Extra columns of the local table: where each record came from. */
export const SOURCE_COLUMNS = { file: "rc_file", record: "rc_record" } as const;

export async function openDuckDB(): Promise<{ connection: DuckDBConnection; close: () => void }> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run(DUCKDB_PRELUDE);
  // No automatic checkpoints: in memory, each one rewrites (compresses) the whole table, and one is
  // due every 16 MiB of inserts, so a load of n rows cost O(n^2) (25 of 47 s at 1M CloudTrail rows).
  await connection.run("SET checkpoint_threshold = '1TB'");
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

function duckType(t: ColumnType): string {
  switch (t.type) {
    case "string":
    case "json":
      return "VARCHAR";
    case "boolean":
      return "BOOLEAN";
    case "number":
      return "DOUBLE";
    case "struct":
      return `STRUCT(${Object.entries(t.fields)
        .map(([k, f]) => `${sqlIdent(columnName(k, f))} ${duckType(f)}`)
        .join(", ")})`;
    case "array":
      return `${duckType(t.items)}[]`;
  }
}

/** The json_transform structure for a column type. */
function structure(t: ColumnType): unknown {
  switch (t.type) {
    case "string":
    case "json":
      return "VARCHAR";
    case "boolean":
      return "BOOLEAN";
    case "number":
      return "DOUBLE";
    case "struct":
      return Object.fromEntries(Object.entries(t.fields).map(([k, f]) => [columnName(k, f), structure(f)]));
    case "array":
      return [structure(t.items)];
  }
}

function rootColumns(profile: Profile): readonly [string, ColumnType][] {
  let out = rootColumnsCache.get(profile);
  if (!out) rootColumnsCache.set(profile, (out = computeRootColumns(profile)));
  return out;
}

const rootColumnsCache = new WeakMap<Profile, readonly [string, ColumnType][]>();

function computeRootColumns(profile: Profile): [string, ColumnType][] {
  if (profile.root) return [[profile.root.column, { type: "json", column: profile.root.column }]];
  const seen = new Set<string>();
  const out: [string, ColumnType][] = [];
  for (const [k, t] of Object.entries(profile.columns ?? {})) {
    const col = columnName(k, t);
    if (seen.has(col)) continue;
    seen.add(col);
    out.push([k, t]);
  }
  return out;
}

export function createTableSql(profile: Profile, table: string): string {
  const cols = rootColumns(profile).map(([k, t]) => `${sqlIdent(profile.root ? k : columnName(k, t))} ${duckType(t)}`);
  return `CREATE OR REPLACE TABLE ${sqlIdent(table)} (${SOURCE_COLUMNS.file} VARCHAR, ${SOURCE_COLUMNS.record} BIGINT, ${cols.join(", ")})`;
}

const hasOwn = Object.prototype.hasOwnProperty;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Lower-cased keys, cached: records repeat the same few keys. */
const lowerCache = new Map<string, string>();

function lower(key: string): string {
  let l = lowerCache.get(key);
  if (l === undefined) {
    l = key.toLowerCase();
    if (lowerCache.size < 10_000) lowerCache.set(key, l);
  }
  return l;
}

/** An object's keys by their lower case: the first key, in the object's order, of each. */
function lowered(obj: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const k in obj) {
    if (!hasOwn.call(obj, k)) continue;
    const l = lower(k);
    if (!out.has(l)) out.set(l, k);
  }
  return out;
}

/** A field of a struct (or of the row): its key in the raw object, its column, its shaper. */
interface FieldReader {
  readonly key: string;
  readonly lowerKey: string;
  readonly col: string;
  readonly shape: Shaper;
}

/** Shapes an object's fields into `out`, each read exactly, else case-insensitively (the evaluator's lookup, and the SerDe's). */
function shapeFields(obj: Record<string, unknown>, fields: readonly FieldReader[], out: Record<string, unknown>): void {
  let byLower: Map<string, string> | undefined;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    let v: unknown;
    if (hasOwn.call(obj, f.key)) v = obj[f.key];
    else {
      byLower ??= lowered(obj);
      const k = byLower.get(f.lowerKey);
      v = k === undefined ? undefined : obj[k];
    }
    out[f.col] = f.shape(v);
  }
}

interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * A string cell. Lone surrogates become U+FFFD, as DuckDB's appender turns them (DuckDB's JSON reader
 * rejects the escaped lone surrogate JSON.stringify would write).
 */
function wellFormed(s: string): string {
  const w = s as unknown as WellFormed;
  return w.isWellFormed() ? s : w.toWellFormed();
}

/**
 * A raw value shaped into a column type, as the value whose JSON json_transform reads back into the
 * column; undefined for NULL (JSON.stringify leaves it out, or writes null in an array). `top`: a
 * top-level cell (a non-finite number kept as its text, cast to DOUBLE; inside a struct it was null).
 */
type Shaper = (v: unknown) => unknown;

function shaper(t: ColumnType, top: boolean): Shaper {
  switch (t.type) {
    case "string":
      return (v) => (v === undefined || v === null ? undefined : typeof v === "string" ? wellFormed(v) : JSON.stringify(v));
    case "json":
      return (v) => (v === undefined || v === null ? undefined : JSON.stringify(v));
    case "boolean":
      return (v) => (typeof v === "boolean" ? v : undefined);
    case "number":
      return (v) => (typeof v !== "number" ? undefined : Number.isFinite(v) || !top ? v : String(v));
    case "struct": {
      // One entry per column; of fields sharing a column the last one fills it (its place is the first's).
      const byColumn = new Map<string, [string, string, Shaper]>();
      for (const [k, f] of Object.entries(t.fields)) byColumn.set(columnName(k, f), [k, k.toLowerCase(), shaper(f, false)]);
      const fields = [...byColumn].map(([col, [key, lowerKey, shape]]) => ({ col, key, lowerKey, shape }));
      return (v) => {
        if (!isObject(v)) return undefined;
        const out: Record<string, unknown> = {};
        shapeFields(v, fields, out);
        return out;
      };
    }
    case "array": {
      const item = shaper(t.items, false);
      return (v) => (Array.isArray(v) ? v.map(item) : undefined);
    }
  }
}

/** How a profile's rows are shaped and read back: the columns, and the json_transform structure of a row. */
interface RowCodec {
  readonly columns: readonly { readonly col: string; readonly key: string; readonly lowerKey: string; readonly shape: Shaper }[];
  /** The root column (the generic layout). */
  readonly root?: string;
  /** Table column names, source columns first. */
  readonly names: readonly string[];
  readonly structure: string;
}

const codecCache = new WeakMap<Profile, RowCodec>();

function rowCodec(profile: Profile): RowCodec {
  let codec = codecCache.get(profile);
  if (codec) return codec;
  const structureOf: Record<string, unknown> = { [SOURCE_COLUMNS.file]: "VARCHAR", [SOURCE_COLUMNS.record]: "BIGINT" };
  const names: string[] = [SOURCE_COLUMNS.file, SOURCE_COLUMNS.record];
  const columns: { col: string; key: string; lowerKey: string; shape: Shaper }[] = [];
  if (profile.root) {
    names.push(profile.root.column);
    structureOf[profile.root.column] = "VARCHAR";
  } else {
    for (const [k, t] of rootColumns(profile)) {
      const col = columnName(k, t);
      names.push(col);
      structureOf[col] = structure(t);
      columns.push({ col, key: k, lowerKey: k.toLowerCase(), shape: shaper(t, true) });
    }
  }
  codec = { columns, root: profile.root?.column, names, structure: JSON.stringify(structureOf) };
  codecCache.set(profile, codec);
  return codec;
}

/**
 * One raw record as its row: the JSON text of an object holding file, record number and the shaped
 * columns by column name (strings as strings, JSON columns as their JSON text, structs and arrays
 * of rows as shaped JSON; a NULL cell is left out). loadRows reads it back with json_transform.
 */
export type Row = string;

export function shapeRecord(profile: Profile, record: unknown, file: string, index: number): Row {
  const codec = rowCodec(profile);
  const row: Record<string, unknown> = { [SOURCE_COLUMNS.file]: wellFormed(file), [SOURCE_COLUMNS.record]: index };
  if (codec.root !== undefined) {
    row[codec.root] = record === undefined ? undefined : JSON.stringify(record);
  } else if (isObject(record)) {
    shapeFields(record, codec.columns, row);
  }
  return JSON.stringify(row);
}

let stagingCount = 0;

/**
 * Appends shaped rows to a fresh staging table (one VARCHAR per row) and starts the INSERT ... SELECT
 * that types them into the table (one json_transform per row). Resolves once the rows are staged;
 * `inserted` settles when the INSERT is done: the connection must run nothing else until then.
 */
export async function stageRows(
  connection: DuckDBConnection,
  profile: Profile,
  table: string,
  rows: readonly Row[],
): Promise<{ readonly inserted: Promise<void> }> {
  if (rows.length === 0) return { inserted: Promise.resolve() };
  const codec = rowCodec(profile);
  const stagingName = `${table}_staging_${stagingCount++}`;
  const staging = sqlIdent(stagingName);
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${staging} (j VARCHAR)`);
  const appender = await connection.createAppender(stagingName);
  for (const r of rows) {
    appender.appendVarchar(r);
    appender.endRow();
  }
  appender.closeSync();
  const names = codec.names.map(sqlIdent);
  const insert = async (): Promise<void> => {
    try {
      await connection.run(
        `INSERT INTO ${sqlIdent(table)} (${names.join(", ")}) SELECT ${names.map((n) => `rc_x.${n}`).join(", ")} ` +
          `FROM (SELECT json_transform(j, ${sqlString(codec.structure)}) AS rc_x FROM ${staging})`,
      );
    } finally {
      await connection.run(`DROP TABLE ${staging}`);
    }
  };
  const inserted = insert();
  // The caller awaits it later; until then a failure must not count as unhandled.
  inserted.catch(() => undefined);
  return { inserted };
}

/** Loads shaped rows into the table (stageRows, then its INSERT). */
export async function loadRows(connection: DuckDBConnection, profile: Profile, table: string, rows: readonly Row[]): Promise<void> {
  await (await stageRows(connection, profile, table, rows)).inserted;
}
