import { gunzipSync } from "node:zlib";
import { parseEvents } from "../events/parse.js";
import type { Rule } from "../rules/types.js";
import { DUCKDB } from "../targets/athena/dialect.js";
import { sqlIdent } from "../targets/athena/escape.js";
import { defaultProfile, PROFILES, type Profile } from "../targets/athena/profile.js";
import { buildQuery, type QueryOptions } from "../targets/athena/query.js";
import { createTableSql, openDuckDB, shapeRecord, SOURCE_COLUMNS, stageRows, type Row } from "./table.js";

/**
 * `rulec hunt`: load log files into an in-process DuckDB table shaped like the Athena table, run
 * every rule's DuckDB query (the Athena target's printer with the DuckDB dialect), return matches.
 * The caller reads the files; this module gets their bytes.
 */

export interface LogInput {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface HuntOptions extends Pick<QueryOptions, "since" | "from" | "to"> {
  /** Table profile; default: the CloudTrail default (cloudtrail_logs). */
  readonly profile?: string;
  /** Called as records are parsed and loaded (for a progress bar). */
  readonly onProgress?: (p: { readonly phase: "load" | "rules"; readonly done: number; readonly total: number }) => void;
}

export interface HuntMatch {
  readonly rule: string;
  readonly ruleId: string;
  readonly severity: string;
  readonly file: string;
  /** 0-based index of the record in its file. */
  readonly record: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface HuntProblem {
  readonly file: string;
  readonly line?: number;
  readonly message: string;
  /** An error: the file was not read at all; else some records were skipped. */
  readonly fatal: boolean;
}

export interface HuntResult {
  readonly matches: readonly HuntMatch[];
  readonly problems: readonly HuntProblem[];
  readonly ruleErrors: readonly { readonly rule: string; readonly message: string }[];
  readonly events: number;
  readonly rules: number;
  readonly loadMs: number;
  readonly queryMs: number;
}

const TABLE = "logs";
const BATCH = 50_000;

/** Bytes of a log file as text: gunzipped when gzip, decoded as UTF-8 (strictly). */
export function decodeLog(bytes: Uint8Array): { text?: string; error?: string } {
  let data = bytes;
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
    try {
      data = gunzipSync(data);
    } catch (e) {
      return { error: `not a readable gzip file: ${(e as Error).message}` };
    }
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(data) };
  } catch {
    return { error: "not UTF-8 text" };
  }
}

/** Parse one file into records: a CloudTrail file ({"Records": [...]}), a JSON array, one object, or NDJSON. */
export function parseLog(input: LogInput): { records: unknown[]; problems: HuntProblem[] } {
  const decoded = decodeLog(input.bytes);
  if (decoded.text === undefined) return { records: [], problems: [{ file: input.name, message: decoded.error!, fatal: true }] };
  const parsed = parseEvents(decoded.text);
  const problems: HuntProblem[] = [];
  if (parsed.events.length === 0 && parsed.errors.length > 0) {
    const first = parsed.errors[0]!;
    return { records: [], problems: [{ file: input.name, line: first.line, message: `malformed log file: ${first.message}`, fatal: true }] };
  }
  for (const e of parsed.errors.slice(0, 20)) problems.push({ file: input.name, line: e.line, message: e.message, fatal: false });
  if (parsed.errors.length > 20) problems.push({ file: input.name, message: `${parsed.errors.length - 20} more malformed lines`, fatal: false });
  const records: unknown[] = [];
  let notObjects = 0;
  for (const r of parsed.events) {
    if (typeof r === "object" && r !== null && !Array.isArray(r)) records.push(r);
    else notObjects++;
  }
  if (notObjects > 0) problems.push({ file: input.name, message: `${notObjects} records are not JSON objects and were skipped`, fatal: false });
  return { records, problems };
}

export function huntProfile(name: string | undefined): { profile?: Profile; error?: string } {
  if (name === undefined) return { profile: defaultProfile("AWS.CloudTrail") };
  const p = PROFILES.get(name);
  return p ? { profile: p } : { error: `unknown table profile '${name}' (known: ${[...PROFILES.keys()].join(", ")})` };
}

export async function hunt(rules: readonly Rule[], inputs: readonly LogInput[], options: HuntOptions = {}): Promise<HuntResult> {
  const { profile, error } = huntProfile(options.profile);
  if (!profile) throw new Error(error);
  const { connection, close } = await openDuckDB();
  // The INSERT of the last staged batch runs in DuckDB's threads while the next batch is shaped.
  let inserting: Promise<void> = Promise.resolve();
  try {
    const t0 = performance.now();
    await connection.run(createTableSql(profile, TABLE));
    const problems: HuntProblem[] = [];
    let events = 0;
    let rows: Row[] = [];
    const load = async (): Promise<void> => {
      await inserting;
      inserting = (await stageRows(connection, profile, TABLE, rows)).inserted;
      events += rows.length;
      rows = [];
    };
    const total = inputs.length;
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      const { records, problems: p } = parseLog(input);
      problems.push(...p);
      for (let j = 0; j < records.length; j++) {
        rows.push(shapeRecord(profile, records[j], input.name, j));
        if (rows.length >= BATCH) {
          await load();
          options.onProgress?.({ phase: "load", done: i + j / Math.max(1, records.length), total });
        }
      }
      options.onProgress?.({ phase: "load", done: i + 1, total });
    }
    await load();
    await inserting;
    // One checkpoint compresses the loaded table for the queries (openDuckDB turns the automatic ones off).
    await connection.run("CHECKPOINT");
    const t1 = performance.now();

    const matches: HuntMatch[] = [];
    const ruleErrors: { rule: string; message: string }[] = [];
    const queryOptions: QueryOptions = { since: options.since, from: options.from, to: options.to };
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      options.onProgress?.({ phase: "rules", done: i, total: rules.length });
      const logType = rule.logTypes[0];
      if (!profile.logTypes.includes("*") && (logType === undefined || !profile.logTypes.includes(logType))) {
        ruleErrors.push({ rule: rule.name, message: `log type ${logType ?? "?"} is not in the table profile '${profile.name}'` });
        continue;
      }
      const q = buildQuery(
        { name: rule.name, logType, condition: rule.condition, outputFields: rule.outputFields },
        { ...queryOptions, profile: profile.name },
        DUCKDB,
        { from: sqlIdent(TABLE), select: [SOURCE_COLUMNS.file, SOURCE_COLUMNS.record] },
      );
      if (!q.sql) {
        ruleErrors.push({ rule: rule.name, message: q.errors.join("; ") });
        continue;
      }
      const reader = await connection.runAndReadAll(`${q.sql.trimEnd()}\nORDER BY ${SOURCE_COLUMNS.file}, ${SOURCE_COLUMNS.record}`);
      const jsonColumns = new Set<number>();
      for (let c = 0; c < reader.columnCount; c++) if (reader.columnType(c).alias === "JSON") jsonColumns.add(c);
      const names = reader.columnNames();
      for (const row of reader.getRowsJson()) {
        const fields: Record<string, unknown> = {};
        for (let c = 2; c < names.length; c++) {
          const v = row[c];
          fields[names[c]!] = jsonColumns.has(c) && typeof v === "string" ? JSON.parse(v) : v;
        }
        matches.push({ rule: rule.name, ruleId: rule.ruleId, severity: rule.severity, file: String(row[0]), record: Number(row[1]), fields });
      }
    }
    options.onProgress?.({ phase: "rules", done: rules.length, total: rules.length });
    const t2 = performance.now();
    return { matches, problems, ruleErrors, events, rules: rules.length, loadMs: t1 - t0, queryMs: t2 - t1 };
  } finally {
    // A failed load may leave an INSERT running: let it end before closing the connection.
    await inserting.catch(() => undefined);
    close();
  }
}
