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

function rootColumns(profile: Profile): [string, ColumnType][] {
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

/** A reader of one object's keys: exactly, else case-insensitively (the evaluator's lookup, and the SerDe's). */
function keyReader(obj: Record<string, unknown>): (key: string) => unknown {
  let lowered: Map<string, string> | undefined;
  return (key) => {
    if (hasOwn.call(obj, key)) return obj[key];
    if (!lowered) {
      lowered = new Map();
      for (const k in obj) {
        if (!hasOwn.call(obj, k)) continue;
        const l = k.toLowerCase();
        if (!lowered.has(l)) lowered.set(l, k);
      }
    }
    const k = lowered.get(key.toLowerCase());
    return k === undefined ? undefined : obj[k];
  };
}

function shape(v: unknown, t: ColumnType): unknown {
  if (v === undefined || v === null) return null;
  switch (t.type) {
    case "string":
      return typeof v === "string" ? v : JSON.stringify(v);
    case "json":
      return JSON.stringify(v);
    case "boolean":
      return typeof v === "boolean" ? v : null;
    case "number":
      return typeof v === "number" ? v : null;
    case "struct": {
      if (!isObject(v)) return null;
      const out: Record<string, unknown> = {};
      const read = keyReader(v);
      for (const [k, f] of Object.entries(t.fields)) out[columnName(k, f)] = shape(read(k), f);
      return out;
    }
    case "array":
      return Array.isArray(v) ? v.map((e) => shape(e, t.items)) : null;
  }
}

/**
 * One raw record as the cells of its row: file, record number, then one text per column (scalars
 * as text, JSON columns as JSON text, structs and arrays of rows as the JSON of their shaped value),
 * null for NULL.
 */
export type Row = (string | null)[];

function cellText(v: unknown, t: ColumnType): string | null {
  const shaped = shape(v, t);
  if (shaped === null) return null;
  if (typeof shaped === "string") return shaped;
  return t.type === "struct" || t.type === "array" ? JSON.stringify(shaped) : String(shaped);
}

export function shapeRecord(profile: Profile, record: unknown, file: string, index: number): Row {
  const row: Row = [file, String(index)];
  if (profile.root) {
    row.push(record === undefined ? null : JSON.stringify(record));
    return row;
  }
  const read = isObject(record) ? keyReader(record) : () => undefined;
  for (const [k, t] of rootColumns(profile)) row.push(cellText(read(k), t));
  return row;
}

function castCell(name: string, t: ColumnType): string {
  switch (t.type) {
    case "string":
    case "json":
      return name;
    case "boolean":
      return `CAST(${name} AS BOOLEAN)`;
    case "number":
      return `CAST(${name} AS DOUBLE)`;
    case "struct":
    case "array":
      return `json_transform(${name}, ${sqlString(JSON.stringify(structure(t)))})`;
  }
}

/**
 * Loads shaped rows into the table: an appender into an all-VARCHAR staging table, then one
 * INSERT ... SELECT that types the columns (json_transform for structs and arrays of rows).
 */
export async function loadRows(connection: DuckDBConnection, profile: Profile, table: string, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const staging = `${table}_staging`;
  const cols = rootColumns(profile).map(([k, t]): [string, ColumnType] => (profile.root ? [k, t] : [columnName(k, t), t]));
  const names = [SOURCE_COLUMNS.file, SOURCE_COLUMNS.record, ...cols.map(([n]) => n)].map(sqlIdent);
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${sqlIdent(staging)} (${names.map((n) => `${n} VARCHAR`).join(", ")})`);
  const appender = await connection.createAppender(staging);
  for (const r of rows) {
    for (const cell of r) {
      if (cell === null) appender.appendNull();
      else appender.appendVarchar(cell);
    }
    appender.endRow();
  }
  appender.closeSync();
  const typed = [names[0]!, `CAST(${names[1]!} AS BIGINT)`, ...cols.map(([n, t]) => castCell(sqlIdent(n), t))];
  await connection.run(`INSERT INTO ${sqlIdent(table)} (${names.join(", ")}) SELECT ${typed.join(", ")} FROM ${sqlIdent(staging)}`);
  await connection.run(`DROP TABLE ${sqlIdent(staging)}`);
}
