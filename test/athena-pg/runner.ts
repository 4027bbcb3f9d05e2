import type pg from "pg";
import { shapeRecord } from "../../src/hunt/table.js";
import { columnName, type ColumnType, type Profile } from "../../src/targets/athena/profile.js";
import { PRELUDE } from "./prelude.js";
import { translateQuery } from "./postgres-sql.js";

/**
 * Runs Athena queries, translated (postgres-sql.ts), on PostgreSQL over a table with the profile's
 * exact shape: the same column names, structs as composite types (a struct read from `{}` is a
 * non-null row whose fields are all NULL), arrays of rows as arrays of composites, JSON parts as
 * text. Rows are the events shaped as Athena's SerDe fills the table (src/hunt/table.ts
 * shapeRecord, the same rows the DuckDB runs load), read by jsonb_populate_record.
 *
 * The profile's table is a view of the rows of one case at a time (`SET rc.file`), so each query
 * runs as written against its table name; the runner adds the row number to the SELECT list to
 * know which events matched. Its WHERE clause and output expressions are the query's own.
 */

export interface PgCase {
  readonly sql: string;
  readonly events: readonly unknown[];
}

export interface PgVerdicts {
  /** Per case: per event, matched or not; or the error of the query. */
  readonly results: readonly (readonly boolean[] | { readonly error: string })[];
  readonly respelledPaths: number;
}

function ident(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** Strings PostgreSQL text can hold: no NUL, no lone surrogate (keys and values, anywhere). */
export function pgRepresentable(v: unknown): boolean {
  if (typeof v === "string") return !v.includes("\u0000") && (v as unknown as { isWellFormed(): boolean }).isWellFormed();
  if (Array.isArray(v)) return v.every(pgRepresentable);
  if (typeof v === "object" && v !== null) return Object.entries(v).every(([k, x]) => pgRepresentable(k) && pgRepresentable(x));
  return true;
}

export class PgRunner {
  private types = 0;
  private ready = new Set<string>();

  constructor(readonly client: pg.Client) {}

  async prelude(): Promise<void> {
    await this.client.query(PRELUDE);
  }

  private async typeOf(t: ColumnType, schema: string): Promise<string> {
    switch (t.type) {
      case "string":
      case "json":
        return "text";
      case "number":
        return "double precision";
      case "boolean":
        return "boolean";
      case "array":
        return `${await this.typeOf(t.items, schema)}[]`;
      case "struct": {
        const fields: string[] = [];
        for (const [k, f] of Object.entries(t.fields)) fields.push(`${ident(columnName(k, f))} ${await this.typeOf(f, schema)}`);
        const name = `${ident(schema)}.rc_struct_${++this.types}`;
        await this.client.query(`CREATE TYPE ${name} AS (${fields.join(", ")})`);
        return name;
      }
    }
  }

  /** Creates the profile's table (a view over rc_rows_<table>) once. */
  private async table(profile: Profile): Promise<string> {
    const schema = profile.database;
    const data = `${ident(schema)}.${ident(`rc_rows_${profile.table}`)}`;
    if (this.ready.has(data)) return data;
    await this.client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
    const columns: string[] = [];
    const seen = new Set<string>();
    const entries: [string, ColumnType][] = profile.root ? [[profile.root.column, { type: "json" }]] : Object.entries(profile.columns ?? {});
    for (const [k, t] of entries) {
      const col = profile.root ? k : columnName(k, t);
      if (seen.has(col)) continue;
      seen.add(col);
      columns.push(`${ident(col)} ${await this.typeOf(t, schema)}`);
    }
    await this.client.query(`CREATE TABLE ${data} (rc_file text NOT NULL, rc_record bigint NOT NULL, ${columns.join(", ")}, PRIMARY KEY (rc_file, rc_record))`);
    await this.client.query(
      `CREATE VIEW ${ident(schema)}.${ident(profile.table)} AS SELECT * FROM ${data} WHERE rc_file = current_setting('rc.file')`,
    );
    this.ready.add(data);
    return data;
  }

  /** Loads the cases' events (file = case index) and runs each case's query on its events. */
  async run(cases: readonly PgCase[], profile: Profile, batch = 40): Promise<PgVerdicts> {
    const rows: string[] = [];
    cases.forEach((c, i) => c.events.forEach((e, j) => rows.push(shapeRecord(profile, e, String(i), j))));
    return this.runRows(cases, rows, profile, batch);
  }

  /**
   * As run, with each case's `events` given as table rows already (column name -> cell value, a
   * JSON column's cell being its raw text): for values the SerDe can produce that no event
   * shaping does (a JSON column holding text that is not JSON).
   */
  async runCells(cases: readonly PgCase[], profile: Profile): Promise<PgVerdicts> {
    const rows: string[] = [];
    cases.forEach((c, i) => c.events.forEach((cells, j) => rows.push(JSON.stringify({ ...(cells as object), rc_file: String(i), rc_record: j }))));
    return this.runRows(cases, rows, profile, 40);
  }

  private async runRows(cases: readonly PgCase[], rows: readonly string[], profile: Profile, batch: number): Promise<PgVerdicts> {
    const data = await this.table(profile);
    await this.client.query(`TRUNCATE ${data}`);
    for (let start = 0; start < rows.length; start += 2000) {
      await this.client.query(
        `INSERT INTO ${data} SELECT r.* FROM jsonb_array_elements($1::jsonb) AS e(row), jsonb_populate_record(NULL::${data}, e.row) AS r`,
        [`[${rows.slice(start, start + 2000).join(",")}]`],
      );
    }
    let respelledPaths = 0;
    const texts = cases.map((c) => {
      const t = translateQuery(c.sql, ["rc_record"]);
      respelledPaths += t.respelledPaths;
      return t.sql;
    });
    const results: (boolean[] | { error: string })[] = [];
    const verdicts = (i: number, rs: readonly { rc_record: string }[]): boolean[] => {
      const matched = new Set(rs.map((r) => Number(r.rc_record)));
      return cases[i]!.events.map((_, j) => matched.has(j));
    };
    for (let start = 0; start < cases.length; start += batch) {
      const end = Math.min(cases.length, start + batch);
      const text = texts
        .slice(start, end)
        .map((sql, k) => `SET rc.file = '${start + k}';\n${sql};`)
        .join("\n");
      try {
        const out = (await this.client.query(text)) as unknown as pg.QueryResult<{ rc_record: string }>[];
        for (let k = 0; k < end - start; k++) results.push(verdicts(start + k, out[2 * k + 1]!.rows));
      } catch {
        // One query failed: run the batch's queries one by one to say which.
        for (let i = start; i < end; i++) {
          try {
            await this.client.query(`SET rc.file = '${i}'`);
            results.push(verdicts(i, (await this.client.query<{ rc_record: string }>(texts[i]!)).rows));
          } catch (e) {
            results.push({ error: (e as Error).message });
          }
        }
      }
    }
    return { results, respelledPaths };
  }
}
