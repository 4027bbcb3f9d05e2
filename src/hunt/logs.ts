import { gunzipSync } from "node:zlib";
import { parseEvents, unwrap } from "../events/parse.js";
import { defaultProfile, PROFILES, type Profile } from "../targets/athena/profile.js";
import type { StreamItem } from "./stream.js";
import { recordShaper, type Projection, type Row } from "./table.js";

/**
 * Log files -> records -> rows of the local table: decode (gzip, UTF-8), parse (CloudTrail file,
 * JSON array, NDJSON), shape each record like Athena's SerDe (table.ts). Pure and synchronous: it
 * runs on the main thread or in a worker (worker.ts) with the same result.
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

/** One file's rows (record i of the file is row i) and its problems. */
export interface ShapedLog {
  readonly rows: Row[];
  readonly problems: HuntProblem[];
}

/**
 * Items of a streamed file (stream.ts) -> its records, as parseLog reads a small file: a line of
 * NDJSON stands for its records (an array's elements, a CloudTrail file's Records), records that
 * are not JSON objects are counted, lines that are not JSON are reported.
 */
export function streamRecords(name: string, items: readonly StreamItem[], problems: HuntProblem[], counts: { malformed: number; notObjects: number }): unknown[] {
  const records: unknown[] = [];
  for (const item of items) {
    let value: unknown;
    try {
      value = JSON.parse(item.text);
    } catch (e) {
      if (counts.malformed++ < 20) problems.push({ file: name, line: item.line, message: `not JSON: ${(e as Error).message}`, fatal: false });
      continue;
    }
    for (const r of item.isLine ? unwrap(value) : [value]) {
      if (typeof r === "object" && r !== null && !Array.isArray(r)) records.push(r);
      else counts.notObjects++;
    }
  }
  return records;
}

/** Records -> rows, numbered from `first` (the records before them in their file). */
export function shapeRecords(name: string, records: readonly unknown[], first: number, profile: Profile, projection?: Projection): Row[] {
  const shape = recordShaper(profile, projection);
  const rows: Row[] = new Array<Row>(records.length);
  for (let j = 0; j < records.length; j++) rows[j] = shape(records[j], name, first + j);
  return rows;
}

/** A file's rows: its records shaped into the profile's table, its loaded columns only (undefined: all). */
export function shapeLog(input: LogInput, profile: Profile, projection?: Projection): ShapedLog {
  const { records, problems } = parseLog(input);
  const shape = recordShaper(profile, projection);
  const rows: Row[] = new Array<Row>(records.length);
  for (let j = 0; j < records.length; j++) rows[j] = shape(records[j], input.name, j);
  return { rows, problems };
}
