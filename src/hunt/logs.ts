import { gunzipSync } from "node:zlib";
import { parseEvents, unwrap } from "../events/parse.js";
import { looksLikeJson, TextLines, textReaderFor } from "../events/text.js";
import { profileFor, type Profile } from "../targets/athena/profile.js";
import { recordSorter } from "./records.js";
import type { StreamItem } from "./stream.js";
import { recordShaper, type Projection, type Row } from "./table.js";

/**
 * Log files -> records -> rows of the local tables: decode (gzip, UTF-8), parse (JSON, a JSON array,
 * NDJSON; the vendors' envelopes opened), sort the records by log type (records.ts), shape each
 * record like Athena's SerDe (table.ts). Pure and synchronous: it runs on the main thread or in a
 * worker (worker.ts) with the same result.
 */

export interface LogInput {
  readonly name: string;
  /** The file's bytes (a getter may read them only when asked). */
  readonly bytes: Uint8Array;
  /** Its size on disk, when known without reading it. */
  readonly size?: number;
}

/**
 * A log file too large to hold at once: read as a stream of chunks (already gunzipped) and loaded
 * record by record (stream.ts), on the main thread.
 */
export interface LogStream {
  readonly name: string;
  /** Its size on disk (for the choice of workers and for progress). */
  readonly size: number;
  open(): AsyncIterable<Uint8Array>;
}

export interface HuntProblem {
  readonly file: string;
  readonly line?: number;
  readonly message: string;
  /** An error: the file was not read at all; else some records were skipped. */
  readonly fatal: boolean;
}

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

/**
 * Parse one file into records: a JSON array, one object, or NDJSON, with the log types' envelopes
 * opened (a CloudTrail file's {"Records": [...]}, an Azure blob's {"records": [...]}, ...).
 */
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

/**
 * One table of a hunt: the log type whose records it holds (undefined: any, the rules name none),
 * the profile it is shaped by, and the columns loaded (undefined: all).
 */
export interface HuntTable {
  readonly logType: string | undefined;
  readonly profile: Profile;
  readonly projection?: Projection;
}

/** What a worker needs to rebuild the tables: names only (profiles are found again by name). */
export interface TableSpec {
  readonly logType: string | undefined;
  readonly profile: string;
  readonly projection?: readonly string[];
}

export function tableSpecs(tables: readonly HuntTable[]): TableSpec[] {
  return tables.map((t) => ({ logType: t.logType, profile: t.profile.name, ...(t.projection === undefined ? {} : { projection: t.projection }) }));
}

export function tablesOf(specs: readonly TableSpec[]): HuntTable[] {
  return specs.map((s) => {
    const profile = profileFor(s.logType, s.profile);
    if (!profile) throw new Error(`unknown table profile '${s.profile}'`);
    return { logType: s.logType, profile, ...(s.projection === undefined ? {} : { projection: s.projection }) };
  });
}

/** One file's rows per table (record i of the file is row i, in whichever table holds it) and its problems. */
export interface ShapedLog {
  readonly rows: Row[][];
  readonly problems: HuntProblem[];
}

/**
 * The records of one file, in batches (a streamed file's) or at once: each batch's rows per table,
 * sorted by log type (src/hunt/records.ts; with `forced`, all into that table) and shaped into each
 * table's profile, numbered across the whole file.
 */
export function fileShaper(name: string, tables: readonly HuntTable[], forced?: number): { shape(records: readonly unknown[]): Row[][]; readonly unsorted: () => number } {
  const shapers = tables.map((t) => recordShaper(t.profile, t.projection));
  const sort = recordSorter(
    tables.map((t) => t.logType ?? ""),
    forced ?? (tables.length === 1 ? 0 : undefined),
  );
  let index = 0;
  let unsorted = 0;
  return {
    shape(records) {
      const rows: Row[][] = tables.map(() => []);
      const emit = (t: number, r: unknown): void => {
        if (t < 0) unsorted++;
        else rows[t]!.push(shapers[t]!(r, name, index));
        index++;
      };
      for (let j = 0; j < records.length; j++) sort(records[j], emit);
      return rows;
    },
    unsorted: () => unsorted,
  };
}

/** The problem for records of none of the hunt's log types. */
export function unsortedProblem(file: string, tables: readonly HuntTable[], unsorted: number): HuntProblem | undefined {
  if (unsorted === 0) return undefined;
  const names = tables.map((t) => t.logType).join(", ");
  return { file, message: `${unsorted} records are of none of the rules' log types (${names}) and were skipped`, fatal: false };
}

/** A file's rows: its records sorted into the tables by log type and shaped (fileShaper). */
export function shapeLog(input: LogInput, tables: readonly HuntTable[], forced?: number): ShapedLog {
  const { records, problems } = parseLog(input);
  const shaper = fileShaper(input.name, tables, forced);
  const rows = shaper.shape(records);
  const skipped = unsortedProblem(input.name, tables, shaper.unsorted());
  if (skipped) problems.push(skipped);
  return { rows, problems };
}

/**
 * Items of a streamed file (stream.ts) -> its records, as parseLog reads a small file: each value
 * stands for its records (an array's elements, a CloudTrail file's Records, the vendors' envelopes
 * opened), records that are not JSON objects are counted, lines that are not JSON are reported.
 */
export function streamRecords(
  name: string,
  items: readonly StreamItem[],
  problems: HuntProblem[],
  counts: { malformed: number; notObjects: number; text?: TextLines | null },
): unknown[] {
  const records: unknown[] = [];
  for (const item of items) {
    // The first line tells a text log (VPC Flow Logs, ALB, S3 access logs: events/text.ts) from JSON.
    if (counts.text === undefined) counts.text = item.isLine && !looksLikeJson(item.text) && textReaderFor(item.text) ? new TextLines() : null;
    if (counts.text) {
      const r = counts.text.line(item.text);
      if (r.record) records.push(r.record);
      else if (r.error && counts.malformed++ < 20) problems.push({ file: name, line: item.line, message: r.error, fatal: false });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(item.text);
    } catch (e) {
      if (counts.malformed++ < 20) problems.push({ file: name, line: item.line, message: `not JSON: ${(e as Error).message}`, fatal: false });
      continue;
    }
    const opened = unwrap(value, item.line);
    for (const e of opened.errors) problems.push({ file: name, line: e.line, message: e.message, fatal: false });
    for (const r of opened.events) {
      if (typeof r === "object" && r !== null && !Array.isArray(r)) records.push(r);
      else counts.notObjects++;
    }
  }
  return records;
}
