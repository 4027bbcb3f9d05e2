import { sqlString } from "./escape.js";
import type { FileLayout, Profile } from "./profile.js";

/**
 * The log type's own files in S3 as the source of a DuckDB statement (Athena's DuckDB engine reads
 * S3 directly with `read_json`): the FROM clause, the whole event as one JSON value, and the
 * days a time window covers turned into one path pattern, so that the engine lists and reads only
 * those days' folders.
 *
 * CloudTrail writes gzipped `{"Records": [...]}` files under
 * `AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/`. The location is the folder that holds
 * the `<yyyy>/` folders (a trail's region folder; `*` may stand for the account or the region).
 *
 * One pattern, not one per day: DuckDB fails a read when any of its patterns matches no file, and
 * a window may hold days without logs. Each character of the day (`yyyy/mm/dd`) becomes the set of
 * the characters the window's days have there (`2024/1[01]/[03][0-9]` for 2024/10/31 to
 * 2024/11/09): never narrower than the window, at most a few days wider; the exact time filter is
 * in the WHERE clause. A window with no file at all fails with DuckDB's "No files found that match
 * the pattern" (a hunt reports it as no matches). The JSON reader does not skip files on a filter
 * of their name, so the pattern is the only pruning.
 */

interface Layout {
  /** The array of records in each file. */
  readonly records: string;
  /** The key of the event time (ISO-8601) in a record. */
  readonly time: string;
  /** The file names under a day's folder. */
  readonly files: string;
}

const LAYOUTS: Readonly<Record<FileLayout["layout"], Layout>> = {
  cloudtrail: { records: "Records", time: "eventTime", files: "*.json.gz" },
};

/** The JSON column of each record in the FROM subquery, and the file it came from. */
export const FILES_EVENT = "event";
export const FILES_NAME = "filename";

/** The largest file (uncompressed JSON object) read: DuckDB's default is 16 MB, CloudTrail files can be larger. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

/** The profile the printer reads a file's records with: the whole event as one JSON value. */
export function filesProfile(profile: Profile): Profile {
  return {
    name: `${profile.name} (files)`,
    description: `the log files of ${profile.name}, read directly`,
    logTypes: profile.logTypes,
    database: profile.database,
    table: profile.table,
    partitions: { kind: "none" },
    root: { column: FILES_EVENT, type: "json" },
  };
}

/** A location's problem, or undefined: an S3 URI (`s3://bucket/prefix/`) or an absolute local path. */
export function locationProblem(location: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(location)) return "must not hold control characters";
  if (!/^s3:\/\/[^/]+\/?/.test(location) && !location.startsWith("/")) return "must be an S3 URI (s3://bucket/AWSLogs/<account>/CloudTrail/<region>/) or an absolute path";
  return undefined;
}

/** The location as a folder: with a trailing slash. */
export function folder(location: string): string {
  return location.endsWith("/") ? location : location + "/";
}

/** The days of a time window, for the path pattern. */
export type DaySpan =
  /** No lower bound: every day. */
  | { readonly kind: "all" }
  /** Known when the statement is written: `yyyy/mm/dd` days, both inclusive. */
  | { readonly kind: "fixed"; readonly from: string; readonly to: string }
  /** From a day known only when the query runs (a SQL DATE expression) to today (UTC). */
  | { readonly kind: "running"; readonly from: string };

/** The days from one `yyyy/mm/dd` to another, both inclusive (the first alone when the second is earlier). */
export function daysBetween(from: string, to: string): string[] {
  const parse = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
  const out: string[] = [];
  const end = parse(to);
  for (let t = parse(from); t <= end; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10).replace(/-/g, "/"));
  return out.length > 0 ? out : [from];
}

/** A set of characters as a glob class: `[01]`, `[0-3]`, `[0-9]`. */
function charClass(chars: readonly string[]): string {
  if (chars.length === 1) return chars[0]!;
  const sorted = [...new Set(chars)].sort();
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]!.charCodeAt(0) === sorted[j]!.charCodeAt(0) + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(""));
    i = j + 1;
  }
  return `[${parts.join("")}]`;
}

/** The pattern of a set of `yyyy/mm/dd` days: per character, the characters the days have there. */
export function dayPattern(days: readonly string[]): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    const chars = [...new Set(days.map((d) => d[i]!))];
    out += chars.length === 1 ? chars[0]! : charClass(chars);
  }
  return out;
}

/** The same pattern computed by the query when it runs, over the days from a DATE expression to today (UTC). */
function runningDayPattern(from: string): string {
  // rc_days is bound once; each of the 10 characters becomes a literal or a class of the
  // characters the days have there (sorted, no ranges: `[0123]`).
  const days = `list_transform(range(date_diff('day', rc_from, CAST(timezone('UTC', current_timestamp) AS DATE)) + 1), lambda rc_k: strftime(rc_from + CAST(rc_k AS INTEGER), '%Y/%m/%d'))`;
  const chars = `list_sort(list_distinct(list_transform(rc_days, lambda rc_d: rc_d[rc_i])))`;
  const pattern = `array_to_string(list_transform(range(1, 11), lambda rc_i: CASE WHEN len(${chars}) = 1 THEN rc_days[1][rc_i] ELSE '[' || array_to_string(${chars}, '') || ']' END), '')`;
  return `list_transform([list_transform([${from}], lambda rc_from: ${days})[1]], lambda rc_days: ${pattern})[1]`;
}

/** The path pattern of a window's files (a SQL string expression). */
export function filesPattern(layout: FileLayout, location: string, span: DaySpan): string {
  const l = LAYOUTS[layout.layout];
  const base = folder(location);
  switch (span.kind) {
    case "all":
      return sqlString(`${base}*/*/*/${l.files}`);
    case "fixed":
      return sqlString(`${base}${dayPattern(daysBetween(span.from, span.to))}/${l.files}`);
    case "running":
      return `${sqlString(base)} || ${runningDayPattern(span.from)} || ${sqlString(`/${l.files}`)}`;
  }
}

/**
 * The FROM source: each record of each file as one row (`event`, JSON), with the file it came
 * from (`filename`).
 */
export function filesSource(layout: FileLayout, location: string, span: DaySpan, indent = ""): string {
  const l = LAYOUTS[layout.layout];
  return (
    `(\n${indent}  SELECT unnest(${l.records}) AS ${FILES_EVENT}, ${FILES_NAME}\n` +
    `${indent}  FROM read_json(${filesPattern(layout, location, span)}, columns = {${sqlString(l.records)}: 'JSON[]'}, format = 'unstructured', compression = 'gzip', filename = true, maximum_object_size = ${MAX_FILE_BYTES})\n` +
    `${indent}) AS ${layout.layout}`
  );
}

/** The key of the event time in a record of the layout. */
export function filesTimeKey(layout: FileLayout): string {
  return LAYOUTS[layout.layout].time;
}
