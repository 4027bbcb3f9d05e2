import type { Condition, Path } from "../../ast/nodes.js";
import { and, block, leaf, type BoolExpr } from "./bool.js";
import type { Dialect } from "./dialect.js";
import { jsonPointer, sqlAlias, sqlIdent, sqlQualified, sqlString } from "./escape.js";
import { FILES_EVENT, filesPattern, filesProfile, filesSource, filesTimeKey, locationProblem, type DaySpan } from "./files.js";
import { defaultOutputFields, profileFor, profileNames, rootColumn, type Profile } from "./profile.js";
import { SqlPrinter, Unsupported } from "./sql.js";
import { DATE, SINCE } from "./options.js";

export { DATE, SINCE };

/** Options of the Athena target (and of the DuckDB queries of `rulec hunt`). */
export interface QueryOptions {
  /**
   * A profile name (a log type's profiles, src/logtypes/<name>/logtype.json, or `generic`); a
   * name only other log types have leaves this log type on its default. Default: the default.
   */
  readonly profile?: string;
  readonly database?: string;
  readonly table?: string;
  /** A relative window ending now: `90m`, `24h`, `7d`, `2w`. */
  readonly since?: string;
  /** Absolute window bounds: `2024-01-31` or `2024-01-31T12:00:00Z` (from inclusive, to exclusive). */
  readonly from?: string;
  readonly to?: string;
  /**
   * Athena's DuckDB engine only: read the log type's own files under this S3 folder (files.ts)
   * instead of the table.
   */
  readonly location?: string;
}

export interface QueryInput {
  readonly name: string;
  readonly logType?: string;
  readonly condition: Condition;
  readonly outputFields?: readonly Path[];
  /** Comment lines above the query (rule id, title...). */
  readonly header?: readonly string[];
}

export interface QueryResult {
  readonly sql?: string;
  readonly errors: readonly string[];
  /**
   * With sql: the table columns it reads (named as the profile names them; SQL identifiers match
   * them case-insensitively), or "*" when it selects every column. The caller's own `select`
   * columns are not among them. `rulec hunt` loads only these into its local table.
   */
  readonly columns?: readonly string[] | "*";
  /** With sql over the log files (a location): the path pattern of the files it reads (SQL text). */
  readonly files?: string;
}

/**
 * The SQL printer, noting the table column each path it resolves from the table starts at: the
 * paths the printed SQL reads are exactly those it resolves (paths inside `path[cond]` start at
 * an element, not at a column).
 */
class ColumnNotingPrinter extends SqlPrinter {
  readonly columns = new Set<string>();

  override resolve(path: Parameters<SqlPrinter["resolve"]>[0], scope: Parameters<SqlPrinter["resolve"]>[1]): ReturnType<SqlPrinter["resolve"]> {
    const ref = super.resolve(path, scope);
    if (scope.k === "table") {
      const first = "segments" in path ? path.segments[0]?.name : path[0];
      const column = first === undefined ? undefined : rootColumn(this.profile, first);
      if (column !== undefined) this.columns.add(column);
    }
    return ref;
  }
}


export function resolveProfile(logType: string | undefined, options: QueryOptions): { profile?: Profile; error?: string } {
  const p = profileFor(logType, options.profile);
  if (!p) return { error: `unknown table profile '${options.profile}' (known: ${profileNames().join(", ")})` };
  return { profile: p };
}

/** The fields a query selects: the rule's OutputFields, else its log type's default output fields. */
export function outputLabels(logType: string | undefined, outputFields: readonly Path[] | undefined): readonly string[] {
  if (outputFields !== undefined && outputFields.length > 0) return outputFields.map((p) => p.segments.map((s) => s.name).join("."));
  return defaultOutputFields(logType);
}

/** The whole query: SELECT the output fields FROM the table WHERE the condition and the time window. */
export function buildQuery(
  input: QueryInput,
  options: QueryOptions,
  dialect: Dialect,
  extra: { select?: readonly string[]; from?: string; partitions?: boolean; profile?: Profile } = {},
): QueryResult {
  const errors: string[] = [];
  const resolved = extra.profile ? { profile: extra.profile, error: undefined } : resolveProfile(input.logType, options);
  const table = resolved.profile;
  if (!table) return { errors: [resolved.error!] };
  // The log type's own files instead of the table: the whole event as one JSON value.
  const files = options.location !== undefined ? table.files : undefined;
  if (options.location !== undefined) {
    if (dialect.name !== "athena-duckdb") return { errors: ["a location (the log files in S3) is read only by Athena's DuckDB engine"] };
    if (!files) return { errors: [`the table profile '${table.name}' has no file layout: its log files cannot be read directly (leave out the location to read the table)`] };
    const problem = locationProblem(options.location);
    if (problem) return { errors: [`the location '${options.location}' ${problem}`] };
  }
  const profile = files ? filesProfile(table) : table;
  const printer = new ColumnNotingPrinter(dialect, profile);
  const select: string[] = [...(extra.select ?? [])];
  // The rule's OutputFields; else its log type's default output fields (src/logtypes), those the layout has.
  const own = input.outputFields !== undefined && input.outputFields.length > 0;
  const fields: readonly (Path | string)[] = own ? input.outputFields! : defaultOutputFields(input.logType);
  for (const f of fields) {
    const names = typeof f === "string" ? f.split(".") : f.segments.map((s) => s.name);
    const label = typeof f === "string" ? f : names.join(".");
    try {
      select.push(`${printer.selectExpr(names)} AS ${sqlAlias(label)}`);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      if (own) errors.push(`output field ${label}: ${e.message}`);
    }
  }
  if (select.length === 0) select.push("*");
  let where: BoolExpr;
  try {
    where = printer.whereExpr(input.condition);
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    return { errors: [...errors, e.message] };
  }
  // The time of a file's record is a key of its JSON; a table's is a column.
  const time = files && table.time ? { sql: `json_extract_string(${sqlIdent(FILES_EVENT)}, ${sqlString(jsonPointer([filesTimeKey(files)]))})`, type: "iso8601" as const, column: FILES_EVENT } : undefined;
  const window = timeWindow(table, options, dialect, files ? false : (extra.partitions ?? dialect.name !== "duckdb"), time);
  if (window.error) return { errors: [...errors, window.error] };
  if (errors.length > 0) return { errors };
  const from =
    extra.from ??
    (files && options.location !== undefined
      ? filesSource(files, options.location, window.span)
      : sqlQualified([options.database ?? profile.database, options.table ?? profile.table]));
  const body = and([...window.filters, where]);
  const whereText = body.k === "const" && body.value ? "" : `\nWHERE ${block(body, "  ")}`;
  const header = (input.header ?? []).map((l) => `-- ${sqlComment(l)}\n`).join("");
  const columns = select[0] === "*" ? "*" : [...new Set([...printer.columns, ...window.columns])];
  const pattern = files && options.location !== undefined && extra.from === undefined ? { files: filesPattern(files, options.location, window.span) } : {};
  return { sql: `${header}SELECT\n  ${select.join(",\n  ")}\nFROM ${from}${whereText}\n`, errors: [], columns, ...pattern };
}

/** Comment text: one line, no control characters (a rule's title cannot end the comment early). */
export function sqlComment(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ");
}

/**
 * A day (UTC) in a partition's date format (strftime's %Y %m %d, and %H as `hour`: the first or
 * last hour of the day, so that the bound keeps the whole day).
 */
export function strftimeDay(day: Date, format: string, hour: "00" | "23"): string {
  const iso = day.toISOString();
  return format.replace(/%([YmdH%])/g, (_, c: string) =>
    c === "Y" ? iso.slice(0, 4) : c === "m" ? iso.slice(5, 7) : c === "d" ? iso.slice(8, 10) : c === "H" ? hour : "%",
  );
}

/**
 * The time window's filters, the columns they read (the time column, the partition columns), and
 * the days it covers (for the path pattern of a read of the log files). `time`: the event time as
 * an expression other than the profile's column (a key of a file's JSON record).
 */
function timeWindow(
  profile: Profile,
  options: QueryOptions,
  d: Dialect,
  partitions: boolean,
  time?: { readonly sql: string; readonly type: "iso8601"; readonly column: string },
): { filters: BoolExpr[]; columns: string[]; span: DaySpan; error?: string } {
  const filters: BoolExpr[] = [];
  const columns: string[] = [];
  const all: DaySpan = { kind: "all" };
  if (options.since === undefined && options.from === undefined && options.to === undefined) return { filters, columns, span: all };
  if (!profile.time) return { filters, columns, span: all, error: `the table profile '${profile.name}' has no time column for a time window` };
  let t: string;
  if (time) {
    columns.push(time.column);
    t = d.isoTimestamp(time.sql);
  } else {
    // The time column may be a field of a struct column (`data.date`): the column read is its first part.
    const timeParts = profile.time.column.split(".");
    columns.push(timeParts[0]!);
    const col = sqlQualified(timeParts);
    t =
      profile.time.type === "iso8601"
        ? d.isoTimestamp(col)
        : profile.time.type === "epochMillis"
          ? d.epochTimestamp(col, 1000)
          : profile.time.type === "epochSeconds"
            ? d.epochTimestamp(col, 1)
            : profile.time.type === "clf"
              ? d.clfTimestamp(col)
              : col;
  }
  const format = profile.partitions.kind === "date-string" ? profile.partitions.format : "%Y/%m/%d";
  let lowerTs: string | undefined;
  let lowerDay: string | undefined;
  let upperDay: string | undefined;
  /** The first and last day of the files to read: a `yyyy/mm/dd` literal, or (from --since) a SQL timestamp. */
  let firstDay: { readonly day: string } | { readonly ts: string } | undefined;
  let lastDay: string | undefined;
  if (options.since !== undefined) {
    const m = SINCE.exec(options.since);
    if (!m) return { filters, columns, span: all, error: `invalid --since '${options.since}': use a number and m, h, d or w (e.g. 24h, 7d)` };
    const n = Number(m[1]);
    const [count, unit] = m[2] === "m" ? [n, "MINUTE" as const] : m[2] === "h" ? [n, "HOUR" as const] : m[2] === "d" ? [n, "DAY" as const] : [n * 7, "DAY" as const];
    lowerTs = `${d.now()} - ${d.interval(count, unit)}`;
    filters.push(leaf(`${t} >= ${lowerTs}`, true));
    lowerDay = d.formatDate(`${lowerTs} - ${d.interval(1, "DAY")}`, format);
    firstDay = { ts: `${lowerTs} - ${d.interval(1, "DAY")}` };
  }
  for (const [key, op] of [["from", ">="], ["to", "<"]] as const) {
    const v = options[key];
    if (v === undefined) continue;
    const m = DATE.exec(v);
    if (!m || Number.isNaN(Date.parse(m[4] === undefined ? `${v}T00:00:00Z` : v))) {
      return { filters, columns, span: all, error: `invalid --${key} '${v}': use an ISO-8601 date or date-time (2024-01-31 or 2024-01-31T12:00:00Z)` };
    }
    const iso = m[4] === undefined ? `${v}T00:00:00Z` : /(?:Z|[+-]\d{2}:\d{2})$/.test(v) ? v : `${v}Z`;
    filters.push(leaf(`${t} ${op} ${d.isoTimestamp(sqlString(iso))}`, true));
    // Partitions hold the delivery day (UTC): a day of slack on either side keeps late files.
    const date = new Date(Date.parse(iso) + (key === "from" ? -86400000 : 86400000));
    // The files of a log type lie in yyyy/mm/dd folders, whatever its table's partitions say.
    const day = date.toISOString().slice(0, 10).replace(/-/g, "/");
    if (key === "from") {
      lowerDay = lowerDay === undefined ? sqlString(strftimeDay(date, format, "00")) : lowerDay;
      firstDay ??= { day };
    } else {
      upperDay = sqlString(strftimeDay(date, format, "23"));
      lastDay = day;
    }
  }
  if (partitions && profile.partitions.kind !== "none") {
    const p = profile.partitions;
    if (lowerDay !== undefined || upperDay !== undefined) columns.push(...(p.kind === "ymd" ? [p.year, p.month, p.day] : [p.column]));
    const dayExpr = p.kind === "ymd" ? `concat(${sqlQualified([p.year])}, '/', ${sqlQualified([p.month])}, '/', ${sqlQualified([p.day])})` : sqlQualified([p.column]);
    if (lowerDay !== undefined) filters.unshift(leaf(`${dayExpr} >= ${lowerDay}`, true));
    if (upperDay !== undefined) filters.splice(lowerDay !== undefined ? 1 : 0, 0, leaf(`${dayExpr} <= ${upperDay}`, true));
  }
  const span: DaySpan =
    firstDay === undefined
      ? all
      : "day" in firstDay && lastDay !== undefined
        ? { kind: "fixed", from: firstDay.day, to: lastDay }
        : { kind: "running", from: "day" in firstDay ? `DATE ${sqlString(firstDay.day.replace(/\//g, "-"))}` : `CAST(timezone('UTC', ${firstDay.ts}) AS DATE)` };
  return { filters, columns, span };
}
