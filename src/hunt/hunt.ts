import type { DuckDBConnection } from "@duckdb/node-api";
import { Readable } from "node:stream";
import { constants as zlibConstants, createGunzip, gunzipSync } from "node:zlib";
import type { DuckDBType } from "@duckdb/node-api";
import type { Rule } from "../rules/types.js";
import { DUCKDB } from "../targets/athena/dialect.js";
import { sqlIdent } from "../targets/athena/escape.js";
import { buildQuery, type QueryOptions } from "../targets/athena/query.js";
import { profileFor, profileNames } from "../targets/athena/profile.js";
import { fileShaper, shapeLog, streamRecords, tableSpecs, unsortedProblem, type HuntProblem, type HuntTable, type LogInput, type LogStream, type ShapedLog } from "./logs.js";
import { defaultWorkers, shapePool, workerScript, type ShapePool } from "./pool.js";
import { looksLikeJson, textReaderFor, type TextLines } from "../events/text.js";
import { logTypeData, type TextFieldData } from "../logtypes/registry.js";
import { MAX_ITEM_BYTES, RecordStream, type StreamItem } from "./stream.js";
import { createTableSql, openDuckDB, SOURCE_COLUMNS, stageLines, stageRows, type Projection, type Row } from "./table.js";

export { decodeLog, parseLog, type HuntProblem, type HuntTable, type LogInput, type LogStream } from "./logs.js";

/**
 * `rulec hunt`: load log files into in-process DuckDB tables shaped like the Athena tables (one per
 * log type the rules read; each record goes to its log type's table), run every rule's DuckDB query
 * on its log type's table (the Athena target's printer with the DuckDB dialect), return matches.
 * The caller reads the files; this module gets their bytes.
 */

export interface HuntOptions extends Pick<QueryOptions, "since" | "from" | "to"> {
  /**
   * Table profile name: each log type's own profile of that name (or `generic`); a name only other
   * log types have leaves a log type on its default. Default: each log type's default profile.
   */
  readonly profile?: string;
  /**
   * Every record of the logs is of this log type (no recognising by shape). Without it, a hunt whose
   * rules read one log type takes every record as that log type, and a hunt over several log types
   * sorts each record by its log type's shapes (src/logtypes), skipping records of none.
   */
  readonly logType?: string;
  /**
   * Worker threads that decode, parse and shape the files while the main thread loads DuckDB;
   * default: by the size of the logs and the cores (0 for small logs). Only from the compiled
   * package (dist/); from the TypeScript sources the files are always shaped on the main thread.
   */
  readonly workers?: number;
  /**
   * The table columns to load. Default: those the rules' queries read (buildQuery's `columns`),
   * "all" for every column of the profile. For tests: a query reading a column not loaded fails
   * (a rule error), it never reads NULL.
   */
  readonly columns?: readonly string[] | "all";
  /** Called as records are parsed and loaded (for a progress bar). */
  readonly onProgress?: (p: { readonly phase: "load" | "rules"; readonly done: number; readonly total: number }) => void;
}

export interface HuntMatch {
  readonly rule: string;
  readonly ruleId: string;
  readonly severity: string;
  readonly file: string;
  /** 0-based index of the record in its file (envelopes opened, records normalised). */
  readonly record: number;
  readonly fields: Readonly<Record<string, unknown>>;
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

const BATCH = 50_000;

/** The local table of the i-th log type of a hunt. */
function tableName(i: number): string {
  return i === 0 ? "logs" : `logs_${i}`;
}

/**
 * The tables of a hunt: one per log type its rules read (in the order rules first name them), or
 * the one `logType` names; each with its profile. An error (usage) for an unknown profile.
 */
export function huntTables(rules: readonly Rule[], options: Pick<HuntOptions, "profile" | "logType">): { tables?: HuntTable[]; forced?: number; error?: string } {
  const logTypes: (string | undefined)[] = [];
  for (const r of rules) for (const t of r.logTypes.length > 0 ? r.logTypes : [undefined]) if (!logTypes.includes(t)) logTypes.push(t);
  if (options.logType !== undefined && !logTypes.includes(options.logType)) logTypes.push(options.logType);
  if (logTypes.length === 0) logTypes.push(undefined);
  const tables: HuntTable[] = [];
  for (const logType of logTypes) {
    const profile = profileFor(logType, options.profile);
    if (!profile) return { error: `unknown table profile '${options.profile}' (known: ${profileNames().join(", ")})` };
    tables.push({ logType, profile });
  }
  const forced = options.logType !== undefined ? logTypes.indexOf(options.logType) : tables.length === 1 ? 0 : undefined;
  return { tables, ...(forced === undefined ? {} : { forced }) };
}

export async function hunt(rules: readonly Rule[], inputs: readonly (LogInput | LogStream)[], options: HuntOptions = {}): Promise<HuntResult> {
  const planned = huntTables(rules, options);
  if (!planned.tables) throw new Error(planned.error);
  const forced = planned.forced;
  const ruleErrors: { index: number; rule: string; message: string }[] = [];
  const queryOptions: QueryOptions = { since: options.since, from: options.from, to: options.to };
  const queries: { readonly index: number; readonly rule: Rule; readonly sql: string }[] = [];
  // The columns each table's queries read (as the printer resolves their paths): the only ones loaded.
  const read = planned.tables.map(() => new Set<string>());
  const readsAll = planned.tables.map(() => false);
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    // One query per table the rule's log types are in; their matches are merged.
    const sqls: string[] = [];
    const errors: string[] = [];
    const logTypes = rule.logTypes.length > 0 ? rule.logTypes : [undefined];
    for (const logType of logTypes) {
      // With --log-type, only that log type's table has records.
      if (options.logType !== undefined && logType !== options.logType) continue;
      const k = planned.tables.findIndex((t) => t.logType === logType);
      const table = planned.tables[k]!;
      const q = buildQuery(
        { name: rule.name, logType, condition: rule.condition, outputFields: rule.outputFields },
        queryOptions,
        DUCKDB,
        { from: sqlIdent(tableName(k)), select: [SOURCE_COLUMNS.file, SOURCE_COLUMNS.record], profile: table.profile },
      );
      if (!q.sql) {
        errors.push(q.errors.join("; "));
        continue;
      }
      sqls.push(q.sql.trimEnd());
      if (q.columns === "*" || q.columns === undefined) readsAll[k] = true;
      else for (const c of q.columns) read[k]!.add(c);
    }
    if (errors.length > 0) ruleErrors.push({ index: i, rule: rule.name, message: errors.join("; ") });
    if (sqls.length === 0) continue;
    // Several log types: their queries' rows in one result (output fields named alike), in file and record order.
    queries.push({ index: i, rule, sql: sqls.length === 1 ? sqls[0]! : sqls.map((x) => `(${x})`).join("\nUNION ALL BY NAME\n") });
  }
  const tables: HuntTable[] = planned.tables.map((t, k) => {
    const projection: Projection = options.columns === "all" ? undefined : (options.columns ?? (readsAll[k] ? undefined : [...read[k]!]));
    return projection === undefined ? t : { ...t, projection };
  });

  const { connection, connect, close } = await openDuckDB();
  const script = workerScript();
  const workers = script ? (options.workers ?? defaultWorkers(inputs)) : 0;
  const pool: ShapePool | undefined = workers > 0 && script ? shapePool(workers, tableSpecs(tables), script, forced) : undefined;
  // The INSERT of the last staged batch runs in DuckDB's threads while the next batch is shaped.
  let inserting: Promise<void> = Promise.resolve();
  // The next rule's query runs (on a second connection) while this one's matches are read.
  let querying: Promise<unknown> = Promise.resolve();
  try {
    const t0 = performance.now();
    for (let k = 0; k < tables.length; k++) await connection.run(createTableSql(tables[k]!.profile, tableName(k), tables[k]!.projection));
    // The workers take the cores while loading: a second DuckDB thread for the INSERTs only adds
    // contention (its json_transform costs a third more CPU with two threads than with one).
    if (pool) await connection.run("SET threads = 1");
    const problems: HuntProblem[] = [];
    let events = 0;
    const load = async (k: number, rows: readonly Row[]): Promise<void> => {
      await inserting;
      const t = tables[k]!;
      inserting = (await stageRows(connection, t.profile, tableName(k), rows, t.projection)).inserted;
      events += rows.length;
    };
    const loadLines: LineLoader = async (k, file, fields, separator, lines) => {
      await inserting;
      const t = tables[k]!;
      inserting = (await stageLines(connection, t.profile, tableName(k), file, lines, fields, separator, t.projection)).inserted;
      events += lines.length;
    };
    const total = inputs.length;
    // With workers, a few files are shaped ahead of the one being loaded (each holds its rows in memory).
    const ahead = pool ? workers + 1 : 0;
    const shaping: Promise<ShapedLog | undefined>[] = [];
    // A small file's bytes are read once; a delimited text log among them is loaded as a stream of lines.
    const resolved: (LogInput | LogStream | undefined)[] = [];
    const resolve = (k: number): LogInput | LogStream => (resolved[k] ??= textAsStream(inputs[k]!, tables));
    const prefetch = (k: number): Promise<ShapedLog | undefined> => {
      const x = resolve(k);
      return isStream(x) ? Promise.resolve(undefined) : pool!.shape(x);
    };
    for (let i = 0; i < Math.min(ahead, inputs.length); i++) shaping.push(prefetch(i));
    for (let i = 0; i < inputs.length; i++) {
      const input = resolve(i);
      resolved[i] = undefined;
      if (pool && i + ahead < inputs.length) shaping.push(prefetch(i + ahead));
      if (isStream(input)) {
        // A large file: read record by record on this thread, loaded as it comes.
        await loadStream(input, tables, forced, load, loadLines, problems);
        options.onProgress?.({ phase: "load", done: i + 1, total });
        continue;
      }
      // A file its worker failed on is shaped here: it ends as it would without workers.
      const shaped = (pool ? await shaping[i]! : undefined) ?? shapeLog(input, tables, forced);
      if (pool) shaping[i] = Promise.resolve(undefined);
      problems.push(...shaped.problems);
      let count = 0;
      for (const rows of shaped.rows) count += rows.length;
      let done = 0;
      for (let k = 0; k < shaped.rows.length; k++) {
        const rows = shaped.rows[k]!;
        for (let j = 0; j < rows.length; j += BATCH) {
          await load(k, j === 0 && rows.length <= BATCH ? rows : rows.slice(j, j + BATCH));
          done += Math.min(BATCH, rows.length - j);
          options.onProgress?.({ phase: "load", done: i + Math.min(1, done / count), total });
        }
      }
      options.onProgress?.({ phase: "load", done: i + 1, total });
    }
    await inserting;
    if (pool) {
      await pool.close();
      await connection.run("RESET threads");
    }
    // No checkpoint (openDuckDB turns the automatic ones off): compressing the loaded table cost
    // more than it saved the queries (1M events: about 2.3 s against 0.6 s).
    const t1 = performance.now();

    const matches: HuntMatch[] = [];
    const connections = queries.length > 1 ? [connection, await connect()] : [connection];
    const start = (k: number): Promise<QueryRow[]> => {
      const p = runQuery(connections[k % connections.length]!, queries[k]!.sql);
      // Awaited in turn below; until then a failure must not count as unhandled.
      querying = p.catch(() => undefined);
      return p;
    };
    let next = queries.length > 0 ? start(0) : undefined;
    for (let k = 0; k < queries.length; k++) {
      const { index, rule } = queries[k]!;
      options.onProgress?.({ phase: "rules", done: index, total: rules.length });
      const current = next!;
      next = k + 1 < queries.length ? start(k + 1) : undefined;
      let rows: QueryRow[];
      try {
        rows = await current;
      } catch (e) {
        // A query DuckDB rejects (say, one reading a column that was not loaded: a binder error)
        // fails its rule, loudly; the other rules still run.
        ruleErrors.push({ index, rule: rule.name, message: `the query failed: ${(e as Error)?.message ?? String(e)}` });
        continue;
      }
      for (const m of rows) {
        matches.push({ rule: rule.name, ruleId: rule.ruleId, severity: rule.severity, file: m.file, record: m.record, fields: m.fields });
      }
    }
    options.onProgress?.({ phase: "rules", done: rules.length, total: rules.length });
    const t2 = performance.now();
    const errors = ruleErrors.sort((a, b) => a.index - b.index).map(({ rule, message }) => ({ rule, message }));
    return { matches, problems, ruleErrors: errors, events, rules: rules.length, loadMs: t1 - t0, queryMs: t2 - t1 };
  } finally {
    await pool?.close();
    // A failed load may leave an INSERT running, a failed query the next one: let them end before closing.
    await inserting.catch(() => undefined);
    await querying;
    close();
  }
}

/**
 * A whole file as a stream of its decoded chunks when it is a delimited text log of a delimited
 * table of the hunt (so that its lines go to DuckDB as they are, in bounded memory); else the file
 * with its bytes read once.
 */
function textAsStream(input: LogInput | LogStream, tables: readonly HuntTable[]): LogInput | LogStream {
  if (isStream(input)) return input;
  const bytes = input.bytes;
  const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  let head: Uint8Array = bytes.subarray(0, 65536);
  if (gzip) {
    try {
      head = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      return { name: input.name, bytes };
    }
  }
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString("utf8");
  const nl = text.indexOf("\n");
  const first = nl < 0 ? text : text.slice(0, nl);
  if (directLines({ text: first, line: 1, isLine: true }, tables, input.name) === null) return { name: input.name, bytes };
  return {
    name: input.name,
    size: bytes.length,
    open: () => (gzip ? Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]).pipe(createGunzip()) : Readable.from([bytes])),
  };
}

function isStream(input: LogInput | LogStream): input is LogStream {
  return "open" in input;
}

/** One large file, chunk by chunk: records parsed as they complete, loaded BATCH at a time. */
async function loadStream(
  input: LogStream,
  tables: readonly HuntTable[],
  forced: number | undefined,
  load: (k: number, rows: readonly Row[]) => Promise<void>,
  loadLines: LineLoader,
  problems: HuntProblem[],
): Promise<void> {
  const stream = new RecordStream();
  const shaper = fileShaper(input.name, tables, forced);
  const counts: { malformed: number; notObjects: number; text?: TextLines | null } = { malformed: 0, notObjects: 0 };
  let pending: unknown[] = [];
  let records = 0;
  // A delimited text log whose table is delimited (VPC Flow Logs): its lines go to DuckDB as they are.
  let direct: DirectLines | null | undefined;
  const take = () => {
    const items = stream.take();
    if (items.length === 0) return;
    if (direct === undefined) direct = directLines(items[0]!, tables, input.name);
    if (direct) {
      direct.push(items, problems);
      return;
    }
    for (const r of streamRecords(input.name, items, problems, counts)) pending.push(r);
  };
  const flush = async () => {
    if (direct) {
      records += await direct.flush(loadLines);
      return;
    }
    if (pending.length === 0) return;
    const rows = shaper.shape(pending);
    records += pending.length;
    pending = [];
    for (let k = 0; k < rows.length; k++) if (rows[k]!.length > 0) await load(k, rows[k]!);
  };
  try {
    for await (const chunk of input.open()) {
      stream.push(chunk);
      take();
      if (pending.length >= BATCH || (direct && direct.pending >= BATCH)) await flush();
    }
    stream.end();
    take();
    await flush();
  } catch (e) {
    problems.push({ file: input.name, message: `cannot read the whole file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; ${records} records loaded`, fatal: true });
    return;
  }
  if (direct) counts.malformed = direct.malformed;
  if (counts.malformed > 20) problems.push({ file: input.name, message: `${counts.malformed - 20} more malformed lines`, fatal: false });
  for (const line of stream.oversized) problems.push({ file: input.name, line, message: `a record longer than ${MAX_ITEM_BYTES / 1024 / 1024} MiB was skipped`, fatal: false });
  if (counts.notObjects > 0) problems.push({ file: input.name, message: `${counts.notObjects} records are not JSON objects and were skipped`, fatal: false });
  const skipped = unsortedProblem(input.name, tables, shaper.unsorted());
  if (skipped) problems.push(skipped);
  if (records === 0 && counts.malformed > 0) problems.push({ file: input.name, message: "malformed log file: no record could be read", fatal: true });
}

/** Loads lines of a delimited text log into table k (stageLines); resolves once they are staged. */
type LineLoader = (k: number, file: string, fields: readonly TextFieldData[], separator: string, lines: readonly { readonly text: string; readonly index: number }[]) => Promise<void>;

/**
 * The lines of a delimited text log (VPC Flow Logs) bound for a delimited table: each line is one
 * record, read into the table by DuckDB as the table's SerDe reads it (table.ts, delimitedInsertSql)
 * in the field order of the file's header line (a later header line switches it). A line without
 * the header's number of fields is malformed (rulec's reader, events/text.ts, rejects it too).
 */
interface DirectLines {
  readonly pending: number;
  readonly malformed: number;
  push(items: readonly StreamItem[], problems: HuntProblem[]): void;
  /** Loads the lines taken so far; the number of records loaded. */
  flush(loadLines: LineLoader): Promise<number>;
}

/** The direct reading of a file whose first item is a delimited text log line of a table of the hunt, or null. */
function directLines(first: StreamItem, tables: readonly HuntTable[], file: string): DirectLines | null {
  if (!first.isLine || looksLikeJson(first.text)) return null;
  const found = textReaderFor(first.text);
  if (!found) return null;
  const layout = logTypeData(found.reader.logType)?.sources.text;
  const k = tables.findIndex((t) => t.logType === found.reader.logType);
  if (layout?.kind !== "delimited" || k < 0 || tables[k]!.profile.ddl?.fieldsTerminatedBy === undefined) return null;
  const sep = layout.separator ?? " ";
  const names = new Set(layout.fields.map((f) => f.name));
  let fields: readonly TextFieldData[] = layout.fields.slice(0, layout.defaultCount ?? layout.fields.length);
  let segments: { fields: readonly TextFieldData[]; lines: { text: string; index: number }[] }[] = [{ fields, lines: [] }];
  let index = 0;
  let pending = 0;
  let malformed = 0;
  return {
    get pending() {
      return pending;
    },
    get malformed() {
      return malformed;
    },
    push(items, problems) {
      for (const item of items) {
        const line = item.text.endsWith("\r") ? item.text.slice(0, -1) : item.text;
        const cut = line.indexOf(sep);
        if (names.has(cut < 0 ? line : line.slice(0, cut))) {
          const header = textReaderFor(line);
          if (header?.header && header.reader.logType === found.reader.logType) {
            fields = line.split(sep).map((n) => layout.fields.find((f) => f.name === n)!);
            segments.push({ fields, lines: [] });
            continue;
          }
        }
        let count = 1;
        for (let p = line.indexOf(sep); p >= 0; p = line.indexOf(sep, p + 1)) count++;
        if (count !== fields.length) {
          if (malformed++ < 20) problems.push({ file, line: item.line, message: `the line does not fit the ${found.reader.logType} text layout`, fatal: false });
          continue;
        }
        segments[segments.length - 1]!.lines.push({ text: line, index: index++ });
        pending++;
      }
    },
    async flush(loadLines) {
      let n = 0;
      for (const s of segments) {
        if (s.lines.length === 0) continue;
        await loadLines(k, file, s.fields, sep, s.lines);
        n += s.lines.length;
      }
      segments = [{ fields, lines: [] }];
      pending = 0;
      return n;
    },
  };
}

interface QueryRow {
  readonly file: string;
  readonly record: number;
  readonly fields: Record<string, unknown>;
}

/**
 * Types whose values come out of DuckDB's JSON (json_array) as the node API's JSON conversion
 * gives them: text, JSON text (parsed either way), booleans, and structs and lists of those.
 * Numbers are not among them (their text could differ), nor anything else: those queries are read
 * the slow way.
 */
function jsonExact(t: DuckDBType): boolean {
  switch (t.typeId) {
    case DUCKDB_TYPE.VARCHAR:
    case DUCKDB_TYPE.BOOLEAN:
      return true;
    case DUCKDB_TYPE.STRUCT:
      return (t as { readonly entryTypes: readonly DuckDBType[] }).entryTypes.every(jsonExact);
    case DUCKDB_TYPE.LIST:
      return jsonExact((t as { readonly valueType: DuckDBType }).valueType);
    default:
      return false;
  }
}

/** DuckDBTypeId values (a const enum of the node API, not importable under isolatedModules). */
const DUCKDB_TYPE = { BOOLEAN: 1, VARCHAR: 17, LIST: 24, STRUCT: 25 } as const;

/**
 * Runs one rule's query (its first two columns: file and record) ordered by file and record. The
 * rows come back as one JSON text (DuckDB's json_array per row, joined by string_agg): one value to
 * convert instead of one per cell, which dominated the hunt's query time at 600k matches.
 */
async function runQuery(connection: DuckDBConnection, sql: string): Promise<QueryRow[]> {
  const body = sql.trimEnd();
  const order = `ORDER BY ${SOURCE_COLUMNS.file}, ${SOURCE_COLUMNS.record}`;
  const prepared = await connection.prepare(body);
  const count = prepared.columnCount;
  const names: string[] = [];
  let fast = true;
  for (let c = 0; c < count; c++) {
    names.push(prepared.columnName(c));
    if (c >= 2 && !jsonExact(prepared.columnType(c))) fast = false;
  }
  prepared.destroySync();
  const out: QueryRow[] = [];
  if (fast) {
    const cells = names.map((_, c) => `#${c + 1}`).join(", ");
    // #n: the query's columns by position (an output field may be called like a source column).
    const reader = await connection.runAndReadAll(`SELECT string_agg(json_array(${cells})::VARCHAR, ',' ORDER BY #1, #2) FROM (${body}) rc_q`);
    const text = reader.getRowsJson()[0]?.[0];
    if (typeof text !== "string") return out;
    for (const row of JSON.parse(`[${text}]`) as unknown[][]) {
      const fields: Record<string, unknown> = {};
      for (let c = 2; c < names.length; c++) fields[names[c]!] = row[c];
      out.push({ file: String(row[0]), record: Number(row[1]), fields });
    }
    return out;
  }
  const reader = await connection.runAndReadAll(`${body}\n${order}`);
  const jsonColumns = new Set<number>();
  for (let c = 0; c < reader.columnCount; c++) if (reader.columnType(c).alias === "JSON") jsonColumns.add(c);
  for (const row of reader.getRowsJson()) {
    const fields: Record<string, unknown> = {};
    for (let c = 2; c < names.length; c++) {
      const v = row[c];
      fields[names[c]!] = jsonColumns.has(c) && typeof v === "string" ? JSON.parse(v) : v;
    }
    out.push({ file: String(row[0]), record: Number(row[1]), fields });
  }
  return out;
}
