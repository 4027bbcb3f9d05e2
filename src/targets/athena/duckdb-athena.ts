import { networkRange, type Network } from "../../check/cidr.js";
import { FLAVORS } from "../../check/regex.js";
import type { Dialect, JsonOps, LowerTier } from "./dialect.js";
import { jsonPointer, sqlNumber, sqlString } from "./escape.js";

/**
 * The DuckDB dialect for Athena's DuckDB engine: every statement stands alone. Athena runs one
 * statement per query and loads only its built-in extensions (core_functions, icu, json, parquet),
 * so nothing here may rely on a macro or on another extension: what the local dialect's macros do
 * (DUCKDB_PRELUDE: JSON walks, IP parsing, lower case) is spelled out inline with built-in
 * functions, each lambda with a name of its own. The walks read JSON exactly as the macros do
 * (arrays nested up to four deep looked through, a key that does not resolve or is null a NULL
 * branch); the differences are where the input can be what a SerDe reads and the local loader
 * never writes:
 *
 * - JSON text that is not JSON (a JSON column holding a bare string, which the SerDe gives as its
 *   content) fails no query: it is read as no value, as the Trino SQL does (`json_valid` guards
 *   every parse); `empty` on such a column is true only for '';
 * - times are read with TRY_CAST, so a malformed time excludes its row instead of failing the query;
 * - dates are formatted in UTC whatever the session's time zone.
 *
 * A fresh dialect is made per query (`athenaDuckdbDialect()`): it numbers its lambda variables.
 */

/** Operand types of json_type() that are numbers. */
const NUMBER_TYPES = "('BIGINT', 'UBIGINT', 'HUGEINT', 'DOUBLE')";

export function athenaDuckdbDialect(): Dialect {
  let n = 0;
  const v = (): string => `rc_${(++n).toString(36)}`;

  /** `value` bound to a name inside `body` (a one-element list, transformed, taken back). */
  const bind = (value: string, body: (name: string) => string): string => {
    const x = v();
    return `list_transform([${value}], lambda ${x}: ${body(x)})[1]`;
  };

  /**
   * A list of JSON values with every array among them replaced by its elements, four times: arrays
   * nested up to four deep flattened, a non-array kept as it is (the macros' rc_unwrap, per list).
   */
  const unwrap = (list: string): string => {
    let out = list;
    for (let i = 0; i < 4; i++) {
      const e = v();
      out = `flatten(list_transform(${out}, lambda ${e}: CASE WHEN json_type(${e}) = 'ARRAY' THEN CAST(${e} AS JSON[]) ELSE [${e}] END))`;
    }
    return out;
  };

  /** The JSON value of a text or JSON expression, NULL when it is not JSON or is JSON null. */
  const parsed = (t: string): string => `CASE WHEN json_valid(${t}) THEN nullif(json(${t}), 'null'::JSON) END`;

  /**
   * The branches of a key path (a list of JSON values, NULL where a key does not resolve). On a base
   * known to hold an object (`object`) the first key needs no unwrapping.
   */
  const branches = (base: string, keys: readonly string[], object = false): string => {
    let bs = `[${parsed(base)}]`;
    keys.forEach((key, i) => {
      const t = v();
      bs = `list_transform(${i === 0 && object ? bs : unwrap(bs)}, lambda ${t}: CASE WHEN json_type(${t}) = 'OBJECT' THEN nullif(json_extract(${t}, ${sqlString(jsonPointer([key]))}), 'null'::JSON) END)`;
    });
    return bs;
  };

  const leaves = (base: string, keys: readonly string[], object = false): string => {
    const x = v();
    return `list_filter(${unwrap(branches(base, keys, object))}, lambda ${x}: ${x} IS NOT NULL)`;
  };

  /** The leaves of one JSON type, as SQL values (json_type of a NULL branch is NULL: filtered out too). */
  const typed = (base: string, keys: readonly string[], object: boolean | undefined, test: (x: string) => string, value: (x: string) => string): string => {
    const [x, y] = [v(), v()];
    return `list_transform(list_filter(${unwrap(branches(base, keys, object))}, lambda ${x}: ${test(x)}), lambda ${y}: ${value(y)})`;
  };

  const isString = (x: string) => `json_type(${x}) = 'VARCHAR'`;
  const isNumber = (x: string) => `json_type(${x}) IN ${NUMBER_TYPES}`;
  const isBoolean = (x: string) => `json_type(${x}) = 'BOOLEAN'`;

  const json: JsonOps = {
    exists: (base, keys, object) => {
      if (keys.length === 0) return `${base} IS NOT NULL`;
      const x = v();
      return `len(list_filter(${branches(base, keys, object)}, lambda ${x}: ${x} IS NOT NULL)) > 0`;
    },
    empty: (base, keys, object) => {
      if (keys.length === 0) {
        // The whole value: NULL, '' (the SerDe's reading of ""), or JSON null, "", [] or {}; text
        // that is not JSON is a non-empty string.
        return [`COALESCE(CASE WHEN json_valid(${base}) THEN CAST(json(${base}) AS VARCHAR) IN ('null', '""', '[]', '{}') ELSE CAST(${base} AS VARCHAR) = '' END, TRUE)`];
      }
      // No branch, or some branch that does not resolve or is null, "", [] or {}.
      const x = v();
      return [`COALESCE(list_bool_or(list_transform(${branches(base, keys, object)}, lambda ${x}: ${x} IS NULL OR CAST(${x} AS VARCHAR) IN ('""', '[]', '{}'))), TRUE)`];
    },
    leaves,
    strings: (base, keys, object) => typed(base, keys, object, isString, (y) => `json_extract_string(${y}, '$')`),
    numbers: (base, keys, object) => typed(base, keys, object, isNumber, (y) => `CAST(${y} AS DOUBLE)`),
    booleans: (base, keys, object) => typed(base, keys, object, isBoolean, (y) => `CAST(${y} AS BOOLEAN)`),
    // `eq`/`in` literals: some leaf of the literal's JSON type is one of them.
    equalsAny: (base, keys, values, object) => {
      const strs = values.filter((x): x is string => typeof x === "string");
      const nums = values.filter((x): x is number => typeof x === "number" && Number.isFinite(x));
      const bools = values.filter((x): x is boolean => typeof x === "boolean");
      if (strs.length + nums.length + bools.length !== values.length) return "";
      const parts: string[] = [];
      const has = (list: string, items: readonly string[]) => (items.length === 1 ? `list_contains(${list}, ${items[0]})` : `list_has_any(${list}, [${items.join(", ")}])`);
      if (strs.length > 0) parts.push(has(json.strings(base, keys, object), strs.map(sqlString)));
      if (nums.length > 0) parts.push(has(json.numbers(base, keys, object), nums.map((x) => `CAST(${sqlNumber(x)} AS DOUBLE)`)));
      if (bools.length > 0) parts.push(has(json.booleans(base, keys, object), bools.map((b) => (b ? "TRUE" : "FALSE"))));
      return parts.length === 1 ? parts[0]! : `(${parts.join(" OR ")})`;
    },
    elementBase: (x) => x,
    select: (base, keys) => `json_extract(CASE WHEN json_valid(${base}) THEN ${base} END, ${sqlString(jsonPointer(keys))})`,
  };

  /** An IPv4 address as a number (the evaluator's strict dotted quad), else NULL. */
  const ipv4 = (s: string): string => {
    const [p, q, acc, r] = [v(), v(), v(), v()];
    const quad = "(?:0|[1-9][0-9]{0,2})";
    return (
      `CASE WHEN regexp_full_match(${s}, ${sqlString([quad, quad, quad, quad].join("\\."))}) ` +
      `AND list_max(list_transform(string_split(${s}, '.'), lambda ${p}: TRY_CAST(${p} AS INTEGER))) <= 255 ` +
      `THEN list_reduce(list_transform(string_split(${s}, '.'), lambda ${q}: TRY_CAST(${q} AS UBIGINT)), lambda ${acc}, ${r}: ${acc} * 256 + ${r}) END`
    );
  };

  /** The dotted tail of an IPv6 address: the text after its last colon. */
  const tail = (s: string): string => `substr(${s}, length(${s}) - strpos(reverse(${s}), ':') + 2)`;

  /** An IPv6 address as a number (RFC 4291 text forms, `::`, a dotted tail, no zone), else NULL. */
  const ipv6 = (s: string): string => {
    const groups = (h: string) => `CASE WHEN ${h} = '' THEN []::VARCHAR[] ELSE string_split(${h}, ':') END`;
    // The text with a dotted tail replaced by two zero groups.
    const text = `CASE WHEN contains(${s}, '.') THEN substr(${s}, 1, length(${s}) - strpos(reverse(${s}), ':') + 1) || '0:0' ELSE ${s} END`;
    const parts = (t: string) =>
      `CASE WHEN len(string_split(${t}, '::')) = 2 ` +
      `THEN {head: ${groups(`string_split(${t}, '::')[1]`)}, rest: ${groups(`string_split(${t}, '::')[2]`)}, compressed: true, ok: true} ` +
      `ELSE {head: string_split(${t}, ':'), rest: []::VARCHAR[], compressed: false, ok: len(string_split(${t}, '::')) = 1} END`;
    const tailV4 = bind(tail(s), (q) => ipv4(q));
    return `CASE WHEN ${ipv4(s)} IS NULL THEN ${bind(text, (t) =>
      bind(parts(t), (p) => {
        const [g, z, h, acc, k] = [v(), v(), v(), v(), v()];
        const check =
          `length(${s}) BETWEEN 1 AND 45 AND contains(${s}, ':') AND ${p}.ok ` +
          `AND len(list_filter(${p}.head || ${p}.rest, lambda ${g}: NOT regexp_full_match(${g}, '[0-9A-Fa-f]{1,4}'))) = 0 ` +
          `AND (CASE WHEN ${p}.compressed THEN len(${p}.head) + len(${p}.rest) <= 7 ELSE len(${p}.head) = 8 END) ` +
          `AND (NOT contains(${s}, '.') OR ${tailV4} IS NOT NULL)`;
        const value =
          `list_reduce(list_transform(${p}.head || list_transform(range(8 - len(${p}.head) - len(${p}.rest)), lambda ${z}: '0') || ${p}.rest, ` +
          `lambda ${h}: CAST(TRY_CAST(('0x' || ${h}) AS UBIGINT) AS UHUGEINT)), lambda ${acc}, ${k}: ${acc} * 65536 + ${k})`;
        return `CASE WHEN ${check} THEN ${value} + CASE WHEN contains(${s}, '.') THEN CAST(${tailV4} AS UHUGEINT) ELSE 0 END END`;
      }),
    )} END`;
  };

  return {
    name: "athena-duckdb",
    regex: FLAVORS.re2,
    anyMatch: (list, x, body) => `len(list_filter(${list}, lambda ${x}: ${body})) > 0`,
    transform: (list, x, body) => `list_transform(${list}, lambda ${x}: ${body})`,
    cardinality: (list) => `len(${list})`,
    regexLike: (s, p) => `regexp_matches(${s}, ${p})`,
    lower: (s, tier: LowerTier = "full") => {
      const dotted = `replace(${s}, ${sqlString("\u0130")}, ${sqlString("i\u0307")})`;
      if (tier === "plain") return `lower(${s})`;
      if (tier === "dotted-i") return `lower(${dotted})`;
      // The final-sigma pattern is built per row (`|| left(s, 0)`): a constant one is compiled once
      // per vector inside a lambda (see DUCKDB_PRELUDE's rc_lower); only strings holding Σ reach it.
      return (
        `CASE WHEN strpos(${s}, ${sqlString("\u03a3")}) = 0 THEN lower(${dotted}) ` +
        `ELSE lower(regexp_replace(${dotted}, ${sqlString("(\\p{L})\u03a3(\\P{L}|$)")} || left(${s}, 0), ${sqlString("\\1\u03c2\\2")}, 'g')) END`
      );
    },
    tryDouble: (s) => `TRY_CAST(${s} AS DOUBLE)`,
    startsWith: (s, p) => `starts_with(${s}, ${p})`,
    endsWith: (s, p) => `ends_with(${s}, ${p})`,
    contains: (s, p) => `strpos(${s}, ${p}) > 0`,
    inNetwork: (s: string, net: Network) => {
      const { first, last } = networkRange(net);
      if (net.version === 4) return `COALESCE(${ipv4(s)} BETWEEN ${first} AND ${last}, FALSE)`;
      return `COALESCE(${ipv6(s)} BETWEEN CAST('${first}' AS UHUGEINT) AND CAST('${last}' AS UHUGEINT), FALSE)`;
    },
    isoTimestamp: (s) => `TRY_CAST(${s} AS TIMESTAMPTZ)`,
    now: () => "current_timestamp",
    interval: (k, unit) => `INTERVAL '${k}' ${unit}`,
    epochTimestamp: (s, per) => (per === 1 ? `to_timestamp(${s})` : `to_timestamp(${s} / 1000.0)`),
    clfTimestamp: (s) => `try_strptime(${s}, '%d/%b/%Y:%H:%M:%S %z')`,
    formatDate: (ts, format) => `strftime(timezone('UTC', ${ts}), ${sqlString(format)})`,
    json,
  };
}
