import type { DuckDBConnection } from "@duckdb/node-api";
import type { Condition } from "../../src/ast/nodes.js";
import { createTableSql, loadRows, openDuckDB, shapeRecord, type Row } from "../../src/hunt/table.js";
import { sqlIdent, sqlString } from "../../src/targets/athena/escape.js";
import { columnName } from "../../src/targets/athena/profile.js";
import { definite, inline } from "../../src/targets/athena/bool.js";
import { DUCKDB, duckdbDialect, sharedSource, type DuckCache } from "../../src/targets/athena/dialect.js";
import { GENERIC, type Profile } from "../../src/targets/athena/profile.js";
import { SqlPrinter } from "../../src/targets/athena/sql.js";

/**
 * Batched differential runs on DuckDB: many cases' events in one table, many conditions per query
 * (one CASE branch per case). Returns each case's verdict per event.
 */
export interface DuckCase {
  readonly condition: Condition;
  readonly events: readonly unknown[];
}

export class DuckRunner {
  private constructor(
    readonly connection: DuckDBConnection,
    readonly close: () => void,
  ) {}

  static async open(): Promise<DuckRunner> {
    const { connection, close } = await openDuckDB();
    return new DuckRunner(connection, close);
  }

  /** The WHERE expression of a condition in DuckDB SQL (never NULL). */
  static predicate(condition: Condition, profile: Profile = GENERIC, cache?: DuckCache): string {
    return inline(definite(new SqlPrinter(cache ? duckdbDialect(cache) : DUCKDB, profile).whereExpr(condition)));
  }

  async run(cases: readonly DuckCase[], profile: Profile = GENERIC, chunk = 250): Promise<boolean[][]> {
    await this.connection.run(createTableSql(profile, "t"));
    const rows: Row[] = [];
    cases.forEach((c, i) => c.events.forEach((e, j) => rows.push(shapeRecord(profile, e, String(i), j))));
    await loadRows(this.connection, profile, "t", rows);
    return this.query(cases, profile, chunk);
  }

  /** Creates the profile's table `t`, empty, and stages each case's lines in t_lines (case, line number, text). */
  private async stageLines(cases: readonly { readonly lines: readonly string[] }[], profile: Profile): Promise<void> {
    await this.connection.run(createTableSql(profile, "t"));
    await this.connection.run("CREATE OR REPLACE TEMP TABLE t_lines (f VARCHAR, r BIGINT, line VARCHAR)");
    const appender = await this.connection.createAppender("t_lines");
    cases.forEach((c, i) =>
      c.lines.forEach((line, j) => {
        appender.appendVarchar(String(i));
        appender.appendBigInt(BigInt(j));
        appender.appendVarchar(line);
        appender.endRow();
      }),
    );
    appender.closeSync();
  }

  /**
   * As run, on a delimited text table (ROW FORMAT DELIMITED: VPC Flow Logs) loaded from each case's
   * lines the way Hive's LazySimpleSerDe reads them: field i of the line (split on the separator)
   * into column i; a string column keeps the text as it is (`-` too); an int or bigint column reads
   * an integer in its range, and NULL for anything else; a double column a number, else NULL.
   */
  async runLines(cases: readonly { readonly condition: Condition; readonly lines: readonly string[] }[], profile: Profile, separator: string, chunk = 250): Promise<boolean[][]> {
    await this.stageLines(cases, profile);
    const names: string[] = [];
    const exprs: string[] = [];
    Object.entries(profile.columns ?? {}).forEach(([k, t], i) => {
      const cell = `p[${i + 1}]`;
      names.push(sqlIdent(columnName(k, t)));
      if (t.type === "string") exprs.push(cell);
      else if (t.type === "number") {
        const int = t.hive === "int" ? "INTEGER" : t.hive === "bigint" ? "BIGINT" : undefined;
        exprs.push(int ? `CASE WHEN regexp_full_match(${cell}, '[+-]?[0-9]+') THEN TRY_CAST(${cell} AS ${int}) END` : `TRY_CAST(${cell} AS DOUBLE)`);
      } else throw new Error(`a ${t.type} column in a delimited table`);
    });
    await this.connection.run(
      `INSERT INTO t (rc_file, rc_record, ${names.join(", ")}) SELECT f, r, ${exprs.join(", ")} FROM (SELECT f, r, string_split(line, ${sqlString(separator)}) AS p FROM t_lines)`,
    );
    await this.connection.run("DROP TABLE t_lines");
    return this.query(
      cases.map((c) => ({ condition: c.condition, events: c.lines })),
      profile,
      chunk,
    );
  }

  /**
   * As runLines, on a RegexSerDe table (ALB access logs) loaded from each case's lines the way Hive's
   * RegexSerDe reads them: a line the pattern matches whole gives one column per group (a string
   * column the group's text, `-` too; an int, bigint or double column the number it spells, else
   * NULL); a line it does not match is a row of NULLs.
   */
  async runRegexLines(cases: readonly { readonly condition: Condition; readonly lines: readonly string[] }[], profile: Profile, pattern: string, chunk = 250): Promise<boolean[][]> {
    await this.stageLines(cases, profile);
    const columns = Object.entries(profile.columns ?? {});
    const full = sqlString(`^(?:${pattern})$`);
    const groups = columns.map((_, i) => sqlString(`g${i + 1}`));
    const names: string[] = [];
    const exprs: string[] = [];
    columns.forEach(([k, t], i) => {
      const cell = `m.g${i + 1}`;
      names.push(sqlIdent(columnName(k, t)));
      if (t.type === "string") exprs.push(cell);
      else if (t.type === "number") {
        const int = t.hive === "int" ? "INTEGER" : t.hive === "bigint" ? "BIGINT" : undefined;
        exprs.push(int ? `CASE WHEN regexp_full_match(${cell}, '[+-]?[0-9]+') THEN TRY_CAST(${cell} AS ${int}) END` : `TRY_CAST(${cell} AS DOUBLE)`);
      } else throw new Error(`a ${t.type} column in a RegexSerDe table`);
    });
    await this.connection.run(
      `INSERT INTO t (rc_file, rc_record, ${names.join(", ")}) SELECT f, r, ${exprs.join(", ")} ` +
        `FROM (SELECT f, r, CASE WHEN regexp_full_match(line, ${full}) THEN regexp_extract(line, ${full}, [${groups.join(", ")}]) END AS m FROM t_lines)`,
    );
    await this.connection.run("DROP TABLE t_lines");
    return this.query(
      cases.map((c) => ({ condition: c.condition, events: c.lines })),
      profile,
      chunk,
    );
  }

  private async query(cases: readonly DuckCase[], profile: Profile, chunk: number): Promise<boolean[][]> {
    const out: boolean[][] = cases.map((c) => c.events.map(() => false));
    for (let start = 0; start < cases.length; start += chunk) {
      const branches: string[] = [];
      // Walks through the JSON column are shared by every condition of the chunk.
      const cache: DuckCache | undefined = profile.root ? { roots: new Set([profile.root.column]), columns: new Map() } : undefined;
      for (let i = start; i < Math.min(cases.length, start + chunk); i++) {
        branches.push(`WHEN '${i}' THEN ${DuckRunner.predicate(cases[i]!.condition, profile, cache)}`);
      }
      const rowsOfChunk = `(SELECT * FROM t WHERE rc_file IN (${branches.map((_, k) => `'${start + k}'`).join(", ")}))`;
      const source = cache ? sharedSource(rowsOfChunk, cache) : rowsOfChunk;
      const sql = `SELECT rc_file, rc_record, CASE rc_file ${branches.join("\n")} END AS r FROM ${source}`;
      const result = (await this.connection.runAndReadAll(sql)).getRows();
      for (const [file, record, r] of result) {
        if (r !== true && r !== false) throw new Error(`NULL verdict for case ${file} event ${record}`);
        out[Number(file)]![Number(record)] = r;
      }
    }
    return out;
  }
}
