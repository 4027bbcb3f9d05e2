import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { createTableSql, loadRows, shapeRecord, type Row } from "../../src/hunt/table.js";
import { sqlIdent, sqlString } from "../../src/targets/athena/escape.js";
import type { Profile } from "../../src/targets/athena/profile.js";

/**
 * A local stand-in for Athena's DuckDB engine: a fresh DuckDB with no macro defined and no
 * extension beyond those the engine has built in, in UTC as Athena's sessions are. The statements
 * the Athena target writes run on it as written, one per query:
 *
 * - over a table with the profile's exact shape (the profile's database as a schema, its table as
 *   a view), filled the way the Hive JSON SerDe reads the raw records (src/hunt/table.ts, the
 *   rows every SQL proof loads); the view shows one case's events at a time (`SET VARIABLE`);
 * - over CloudTrail files laid out as in S3 (`AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/`,
 *   gzipped `{"Records": [...]}`), written under a temporary directory, one trail folder per case.
 */

/** The extensions Athena's DuckDB engine has built in (its documentation: Built-in extensions). */
export const ATHENA_EXTENSIONS = ["core_functions", "icu", "json", "parquet"] as const;
/**
 * Statically linked into the DuckDB library the tests use and loaded by it, but no part of Athena's
 * list: the shell's autocompletion, whose only SQL is the `sql_auto_complete` table function
 * (the statements are checked not to call it).
 */
export const LOCAL_ONLY_EXTENSIONS = ["autocomplete"] as const;

export interface Engine {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  readonly version: string;
  readonly loaded: readonly string[];
  close(): void;
}

export async function openEngine(): Promise<Engine> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false", autoload_known_extensions: "false" });
  const connection = await instance.connect();
  // Athena's sessions run in UTC (icu's TimeZone setting).
  await connection.run("SET TimeZone = 'UTC'");
  const version = String((await connection.runAndReadAll("SELECT version()")).getRows()[0]![0]);
  const loaded = (await connection.runAndReadAll("SELECT extension_name FROM duckdb_extensions() WHERE loaded ORDER BY 1")).getRows().map((r) => String(r[0]));
  return {
    instance,
    connection,
    version,
    loaded,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Macros defined by anyone (none may be: the statements must stand alone). */
export async function userMacros(connection: DuckDBConnection): Promise<string[]> {
  const rows = (await connection.runAndReadAll("SELECT function_name FROM duckdb_functions() WHERE function_type IN ('macro', 'table_macro') AND NOT internal")).getRows();
  return rows.map((r) => String(r[0]));
}

/**
 * How DuckDB parses a text (json_serialize_sql, the json extension's own parser entry): the
 * statements' types and the names of the functions they call, or the parser's error.
 */
export async function parse(connection: DuckDBConnection, sql: string): Promise<{ types: string[]; functions: Set<string>; error?: string }> {
  const rows = (await connection.runAndReadAll(`SELECT json_serialize_sql(${sqlString(sql)})::VARCHAR`)).getRows();
  const parsed = JSON.parse(String(rows[0]![0])) as { error: boolean; error_message?: string; statements?: { node: { type: string } }[] };
  const functions = new Set<string>();
  if (parsed.error) return { types: [], functions, error: parsed.error_message ?? "parser error" };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== "object" || node === null) return;
    const o = node as Record<string, unknown>;
    if (typeof o.function_name === "string") functions.add(o.function_name.toLowerCase());
    for (const v of Object.values(o)) if (typeof v === "object" && v !== null) walk(v);
  };
  walk(parsed.statements);
  return { types: (parsed.statements ?? []).map((st) => st.node.type), functions };
}

/** One case: its events, and the statement to run over them. */
export interface EngineCase {
  readonly events: readonly unknown[];
}

/**
 * The profile's table, filled with many cases' events, as a view that shows one case at a time:
 * `show(i)` before running case i's statement.
 */
export class CaseTable {
  private constructor(
    private readonly connection: DuckDBConnection,
    readonly profile: Profile,
  ) {}

  /** `extra`: more columns of the view, computed from the row (the partition columns of a time window). */
  static async create(connection: DuckDBConnection, profile: Profile, cases: readonly EngineCase[], extra: readonly string[] = []): Promise<CaseTable> {
    const data = `rc_rows_${profile.name}`;
    await connection.run(createTableSql(profile, data));
    const rows: Row[] = [];
    cases.forEach((c, i) => c.events.forEach((e, j) => rows.push(shapeRecord(profile, e, String(i), j))));
    await loadRows(connection, profile, data, rows);
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${sqlIdent(profile.database)}`);
    await connection.run(
      `CREATE OR REPLACE VIEW ${sqlIdent(profile.database)}.${sqlIdent(profile.table)} AS SELECT * EXCLUDE (rc_file, rc_record)${extra.map((e) => `, ${e}`).join("")} FROM ${sqlIdent(data)} WHERE rc_file = getvariable('rc_case') AND (getvariable('rc_event') IS NULL OR rc_record = getvariable('rc_event'))`,
    );
    return new CaseTable(connection, profile);
  }

  /** Shows case i (every event, or only event j). */
  async show(i: number, j?: number): Promise<void> {
    await this.connection.run(`SET VARIABLE rc_case = '${i}'; SET VARIABLE rc_event = ${j === undefined ? "NULL" : j}`);
  }
}

/** CloudTrail's folders under a trail: the location of a case's files is `<root>/<case>/AWSLogs/.../us-east-1/`. */
export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";

/** The region folder of a trail under `root`. */
export function trailLocation(root: string, trail: string): string {
  return join(root, trail, "AWSLogs", ACCOUNT, "CloudTrail", REGION) + "/";
}

/**
 * Writes events as CloudTrail does: gzipped `{"Records": [...]}` files in the folder of the day
 * each is delivered on (`<yyyy>/<mm>/<dd>/`), named as CloudTrail names them.
 */
export function writeTrail(location: string, files: readonly { readonly day: string; readonly records: readonly unknown[] }[]): void {
  files.forEach((f, k) => {
    const dir = join(location, f.day);
    mkdirSync(dir, { recursive: true });
    const stamp = `${f.day.replace(/\//g, "")}T0000Z`;
    writeFileSync(join(dir, `${ACCOUNT}_CloudTrail_${REGION}_${stamp}_${k.toString(36).padStart(16, "0")}.json.gz`), gzipSync(JSON.stringify({ Records: f.records })));
  });
}
