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

export async function openDuckDB(): Promise<{ connection: DuckDBConnection; connect: () => Promise<DuckDBConnection>; close: () => void }> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run(DUCKDB_PRELUDE);
  // No automatic checkpoints: in memory, each one rewrites (compresses) the whole table, and one is
  // due every 16 MiB of inserts, so a load of n rows cost O(n^2) (25 of 47 s at 1M CloudTrail rows).
  await connection.run("SET checkpoint_threshold = '1TB'");
  const others: DuckDBConnection[] = [];
  return {
    connection,
    /** Another connection to the same database (the table and macros are shared); closed by close(). */
    connect: async () => {
      const c = await instance.connect();
      others.push(c);
      return c;
    },
    close: () => {
      for (const c of others) c.closeSync();
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

/**
 * The table columns to load (named as the profile names them, matched case-insensitively, as SQL
 * identifiers are): the columns the hunt's queries read (buildQuery's `columns`). Undefined: every
 * column. A query reading a column left out fails (DuckDB: a binder error), it never reads NULL.
 */
export type Projection = readonly string[] | undefined;

/** The profile's columns that are loaded. */
function loadedColumns(profile: Profile, projection: Projection): readonly [string, ColumnType][] {
  const all = rootColumns(profile);
  if (projection === undefined) return all;
  const keep = new Set(projection.map((c) => c.toLowerCase()));
  return all.filter(([k, t]) => keep.has((profile.root ? k : columnName(k, t)).toLowerCase()));
}

export function createTableSql(profile: Profile, table: string, projection?: Projection): string {
  const cols = loadedColumns(profile, projection).map(([k, t]) => `${sqlIdent(profile.root ? k : columnName(k, t))} ${duckType(t)}`);
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
 * A raw value shaped into a column type, written directly as the JSON text json_transform reads
 * back into the column: its pieces are pushed onto `out`; false (nothing pushed) for NULL (the cell
 * is left out; in an array it is written null). `top`: a top-level cell (a non-finite number kept
 * as its text, cast to DOUBLE; inside a struct or an array it is null). The text is what
 * JSON.stringify wrote of the shaped value as an object (tests compare the two), without building
 * that object first. Pieces joined once per row make one flat string: concatenating them instead
 * leaves a rope of small strings per row, three times the memory until DuckDB reads it.
 */
type Writer = (v: unknown, out: string[]) => boolean;

/** A field of a struct (or of the row): its key in the raw object, its column, its writer. */
interface FieldWriter {
  readonly key: string;
  readonly col: string;
  readonly lowerKey: string;
  /** `"col":`, the column name as a JSON key, and `,"col":`. */
  readonly prefix: string;
  readonly commaPrefix: string;
  readonly write: Writer;
}

/** An array index as JavaScript orders an object's keys (they come first, ascending). */
function arrayIndex(key: string): number | undefined {
  if (!/^(?:0|[1-9][0-9]*)$/.test(key)) return undefined;
  const n = Number(key);
  return n < 2 ** 32 - 1 ? n : undefined;
}

/** Keys in the order JSON.stringify writes an object's: array indices ascending first, then insertion order. */
function objectOrder<T>(entries: readonly T[], key: (e: T) => string): T[] {
  const indices = entries.filter((e) => arrayIndex(key(e)) !== undefined).sort((a, b) => arrayIndex(key(a))! - arrayIndex(key(b))!);
  return [...indices, ...entries.filter((e) => arrayIndex(key(e)) === undefined)];
}

/**
 * Writes an object's fields (`"col":text`, separated by commas; a comma before the first unless
 * `first`), each read exactly, else case-insensitively (the evaluator's lookup, and the SerDe's).
 * NULL cells are left out. True when it wrote a field.
 */
function writeFields(obj: Record<string, unknown>, fields: readonly FieldWriter[], out: string[], first: boolean): boolean {
  const start = first;
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
    const mark = out.length;
    out.push(first ? f.prefix : f.commaPrefix);
    if (f.write(v, out)) first = false;
    else out.length = mark;
  }
  return first !== start;
}

/** One entry per column; of fields sharing a column the last one fills it (its place is the first's). */
function fieldWriters(fields: readonly (readonly [string, ColumnType])[], top: boolean): FieldWriter[] {
  const byColumn = new Map<string, readonly [string, ColumnType]>();
  for (const [k, f] of fields) byColumn.set(columnName(k, f), [k, f]);
  return objectOrder([...byColumn], ([col]) => col).map(([col, [key, t]]) => ({
    key,
    col,
    lowerKey: key.toLowerCase(),
    prefix: JSON.stringify(col) + ":",
    commaPrefix: "," + JSON.stringify(col) + ":",
    write: writer(t, top),
  }));
}

function writer(t: ColumnType, top: boolean): Writer {
  switch (t.type) {
    case "string":
      if (t.null !== undefined || t.quoted) {
        // The SerDe of a text log keeps the vendor's no-value text (`-`) in a string column.
        const none = t.null === undefined ? undefined : JSON.stringify(t.null);
        // A quoted field: the SerDe keeps the quotes the vendor writes around it.
        const q = t.quoted ? (s: string) => `"${s}"` : (s: string) => s;
        return (v, out) => {
          if (v === undefined || v === null) {
            if (none === undefined) return false;
            out.push(none);
            return true;
          }
          out.push(JSON.stringify(q(typeof v === "string" ? wellFormed(v) : JSON.stringify(v))));
          return true;
        };
      }
      return (v, out) => {
        if (v === undefined || v === null) return false;
        out.push(typeof v === "string" ? JSON.stringify(wellFormed(v)) : JSON.stringify(JSON.stringify(v)));
        return true;
      };
    case "json":
      return (v, out) => {
        if (v === undefined || v === null) return false;
        out.push(JSON.stringify(JSON.stringify(v)));
        return true;
      };
    case "boolean":
      return (v, out) => {
        if (typeof v !== "boolean") return false;
        out.push(v ? "true" : "false");
        return true;
      };
    case "number":
      return (v, out) => {
        if (typeof v !== "number") return false;
        out.push(Number.isFinite(v) ? JSON.stringify(v) : top ? JSON.stringify(String(v)) : "null");
        return true;
      };
    case "struct": {
      const fields = fieldWriters(Object.entries(t.fields), false);
      return (v, out) => {
        if (!isObject(v)) return false;
        out.push("{");
        writeFields(v, fields, out, true);
        out.push("}");
        return true;
      };
    }
    case "array": {
      const item = writer(t.items, false);
      return (v, out) => {
        if (!Array.isArray(v)) return false;
        out.push("[");
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out.push(",");
          if (!item(v[i], out)) out.push("null");
        }
        out.push("]");
        return true;
      };
    }
  }
}

/** How a profile's rows are shaped and read back: the columns, and the json_transform structure of a row. */
interface RowCodec {
  /** The columns (by JSON.stringify's key order), when the profile has columns. */
  readonly columns: readonly FieldWriter[];
  /** The root column (the generic layout), and it as a JSON key: `"col":`. */
  readonly root?: string;
  readonly rootPrefix?: string;
  /** Table column names, source columns first. */
  readonly names: readonly string[];
  readonly structure: string;
  /** The column names order a row before the source columns (JSON.stringify's key order). */
  readonly sourceFirst: boolean;
}

const codecCache = new WeakMap<Profile, Map<string, RowCodec>>();

function rowCodec(profile: Profile, projection: Projection): RowCodec {
  let byProjection = codecCache.get(profile);
  if (!byProjection) codecCache.set(profile, (byProjection = new Map()));
  const key = projection === undefined ? "*" : JSON.stringify(projection);
  let codec = byProjection.get(key);
  if (codec) return codec;
  const loaded = loadedColumns(profile, projection);
  const root = profile.root && loaded.length > 0 ? profile.root.column : undefined;
  const structureOf: Record<string, unknown> = { [SOURCE_COLUMNS.file]: "VARCHAR", [SOURCE_COLUMNS.record]: "BIGINT" };
  const names: string[] = [SOURCE_COLUMNS.file, SOURCE_COLUMNS.record];
  let columns: FieldWriter[] = [];
  if (root !== undefined) {
    names.push(root);
    structureOf[root] = "VARCHAR";
  } else if (!profile.root) {
    for (const [k, t] of loaded) {
      const col = columnName(k, t);
      names.push(col);
      structureOf[col] = structure(t);
    }
    columns = fieldWriters(loaded, true);
  }
  const rootPrefix = root !== undefined ? JSON.stringify(root) + ":" : undefined;
  // The source columns' names are no array indices: only a column named like one goes before them.
  const sourceFirst = !(root !== undefined ? arrayIndex(root) !== undefined : columns.some((c) => arrayIndex(c.col) !== undefined));
  codec = { columns, root, rootPrefix, names, structure: JSON.stringify(structureOf), sourceFirst };
  byProjection.set(key, codec);
  return codec;
}

/**
 * One raw record as its row: the JSON text of an object holding file, record number and the shaped
 * columns by column name (strings as strings, JSON columns as their JSON text, structs and arrays
 * of rows as shaped JSON; a NULL cell is left out). loadRows reads it back with json_transform.
 */
export type Row = string;

let lastFile: string | undefined;
let lastFileText = "";
/** The pieces of the row being written (reused: one row at a time). */
const pieces: string[] = [];

export function shapeRecord(profile: Profile, record: unknown, file: string, index: number, projection?: Projection): Row {
  return shapeWith(rowCodec(profile, projection), record, file, index);
}

/** shapeRecord for many records: the profile's and projection's codec looked up once. */
export function recordShaper(profile: Profile, projection?: Projection): (record: unknown, file: string, index: number) => Row {
  const codec = rowCodec(profile, projection);
  return (record, file, index) => shapeWith(codec, record, file, index);
}

function shapeWith(codec: RowCodec, record: unknown, file: string, index: number): Row {
  if (file !== lastFile) {
    lastFileText = `{"${SOURCE_COLUMNS.file}":${JSON.stringify(wellFormed(file))},"${SOURCE_COLUMNS.record}":`;
    lastFile = file;
  }
  if (!codec.sourceFirst) return slowRow(codec, record, lastFileText.slice(1) + JSON.stringify(index));
  pieces.length = 0;
  pieces.push(lastFileText, JSON.stringify(index));
  if (codec.root !== undefined) {
    if (record !== undefined) pieces.push(",", codec.rootPrefix!, JSON.stringify(JSON.stringify(record)));
  } else if (isObject(record)) writeFields(record, codec.columns, pieces, false);
  pieces.push("}");
  return pieces.join("");
}

/** A row whose column names JSON.stringify would write before the source columns (a column named like an array index). */
function slowRow(codec: RowCodec, record: unknown, source: string): string {
  const indexed: string[] = [];
  const named: string[] = [];
  const push = (col: string, text: string): void => void (arrayIndex(col) !== undefined ? indexed : named).push(text);
  if (codec.root !== undefined) {
    if (record !== undefined) push(codec.root, codec.rootPrefix + JSON.stringify(JSON.stringify(record)));
  } else if (isObject(record)) {
    for (const c of codec.columns) {
      const out: string[] = [];
      if (writeFields(record, [c], out, true)) push(c.col, out.join(""));
    }
  }
  return "{" + [...indexed, source, ...named].join(",") + "}";
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
  projection?: Projection,
): Promise<{ readonly inserted: Promise<void> }> {
  if (rows.length === 0) return { inserted: Promise.resolve() };
  const codec = rowCodec(profile, projection);
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
export async function loadRows(connection: DuckDBConnection, profile: Profile, table: string, rows: readonly Row[], projection?: Projection): Promise<void> {
  await (await stageRows(connection, profile, table, rows, projection)).inserted;
}

/**
 * The INSERT that loads a delimited text table (ROW FORMAT DELIMITED: VPC Flow Logs) from staged
 * lines (`line`, `rc_file`, `rc_record` columns of `staging`), as Hive's LazySimpleSerDe reads a
 * line into the table: each column from the field of the line its header names (`fields`, in the
 * file's order; a column whose field the file does not hold is NULL), a string column with the text
 * as it is (`-` too), an int or bigint column with an integer in its range, else NULL. The lines
 * must hold exactly the header's number of fields (the caller checks).
 */
export function delimitedInsertSql(
  profile: Profile,
  table: string,
  staging: string,
  fields: readonly { readonly path: string }[],
  separator: string,
  projection?: Projection,
): string {
  const names: string[] = [SOURCE_COLUMNS.file, SOURCE_COLUMNS.record];
  const exprs: string[] = [SOURCE_COLUMNS.file, SOURCE_COLUMNS.record];
  for (const [k, t] of loadedColumns(profile, projection)) {
    const i = fields.findIndex((f) => f.path === k);
    names.push(sqlIdent(columnName(k, t)));
    if (i < 0) {
      exprs.push("NULL");
      continue;
    }
    const cell = `rc_p[${i + 1}]`;
    if (t.type === "string") exprs.push(cell);
    else if (t.type === "number") {
      const int = t.hive === "int" ? "INTEGER" : t.hive === "bigint" ? "BIGINT" : undefined;
      exprs.push(int ? `CASE WHEN regexp_full_match(${cell}, '[+-]?[0-9]+') THEN TRY_CAST(${cell} AS ${int}) END` : `TRY_CAST(${cell} AS DOUBLE)`);
    } else throw new Error(`the table profile '${profile.name}' has a ${t.type} column: a delimited table holds strings and numbers`);
  }
  return (
    `INSERT INTO ${sqlIdent(table)} (${names.join(", ")}) SELECT ${exprs.join(", ")} ` +
    `FROM (SELECT ${SOURCE_COLUMNS.file}, ${SOURCE_COLUMNS.record}, string_split(line, ${sqlString(separator)}) AS rc_p FROM ${sqlIdent(staging)})`
  );
}

/**
 * Stages text lines (one record each, numbered from `first`) and starts the INSERT that reads them
 * into a delimited table (delimitedInsertSql); as stageRows, `inserted` settles when it is done.
 */
export async function stageLines(
  connection: DuckDBConnection,
  profile: Profile,
  table: string,
  file: string,
  lines: readonly { readonly text: string; readonly index: number }[],
  fields: readonly { readonly path: string }[],
  separator: string,
  projection?: Projection,
): Promise<{ readonly inserted: Promise<void> }> {
  if (lines.length === 0) return { inserted: Promise.resolve() };
  const stagingName = `${table}_lines_${stagingCount++}`;
  const staging = sqlIdent(stagingName);
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${staging} (${SOURCE_COLUMNS.file} VARCHAR, ${SOURCE_COLUMNS.record} BIGINT, line VARCHAR)`);
  const appender = await connection.createAppender(stagingName);
  const name = wellFormed(file);
  for (const l of lines) {
    appender.appendVarchar(name);
    appender.appendBigInt(BigInt(l.index));
    appender.appendVarchar(wellFormed(l.text));
    appender.endRow();
  }
  appender.closeSync();
  const sql = delimitedInsertSql(profile, table, stagingName, fields, separator, projection);
  const insert = async (): Promise<void> => {
    try {
      await connection.run(sql);
    } finally {
      await connection.run(`DROP TABLE ${staging}`);
    }
  };
  const inserted = insert();
  inserted.catch(() => undefined);
  return { inserted };
}
