import { networkRange, type Network } from "../../check/cidr.js";
import { emitRegex, FLAVORS, parseRegex, type RegexFlavor } from "../../check/regex.js";
import { jsonPathString, jsonPointer, legacyJsonMember, legacyKeySpellable, sqlJsonMember, sqlString } from "./escape.js";

/**
 * The differences between the SQL engines, as one table each: Athena engine v3 (Trino) for the
 * shipped queries, DuckDB for local runs (`rulec hunt`) and for the tests that execute every query,
 * and Athena's DuckDB engine (duckdb-athena.ts: the DuckDB table without macros). The printer
 * (sql.ts) never spells an engine-specific function itself.
 *
 * JSON text columns: `base` is an SQL expression holding JSON text (a column) or, inside a lambda
 * over JSON elements, an element. `keys` is the path inside it (may be empty).
 */
export interface Dialect {
  /** `athena-duckdb`: Athena's DuckDB engine, one statement without macros (duckdb-athena.ts). */
  readonly name: "trino" | "duckdb" | "athena-duckdb";
  readonly regex: RegexFlavor;
  /** Keys this engine cannot spell in a JSON path; undefined when every key is fine. */
  readonly unspellableKey?: (key: string) => boolean;
  /** TRUE when some element satisfies body; NULL when the list is NULL. */
  anyMatch(list: string, v: string, body: string): string;
  transform(list: string, v: string, body: string): string;
  cardinality(list: string): string;
  regexLike(s: string, pattern: string): string;
  /**
   * Unicode default lower case as JavaScript's toLowerCase (İ -> i + U+0307, final sigma). `tier`:
   * how much of it the comparison can see (see lowerTier); an engine may spell less when it cannot.
   */
  lower(s: string, tier?: LowerTier): string;
  tryDouble(s: string): string;
  startsWith(s: string, prefix: string): string;
  endsWith(s: string, suffix: string): string;
  contains(s: string, part: string): string;
  /** s (a string) is an IP address inside the network; false (not NULL, not an error) for non-addresses. */
  inNetwork(s: string, net: Network): string;
  /**
   * s is inside any of the networks, with the address read once (a dialect whose engine would
   * parse it again for each network); the printer ORs inNetwork without it.
   */
  inNetworks?(s: string, nets: readonly Network[]): string;
  isoTimestamp(s: string): string;
  /** A number of seconds (per = 1) or milliseconds (per = 1000) since the epoch as a timestamp. */
  epochTimestamp(s: string, per: 1 | 1000): string;
  /** A Common Log Format time (`13/Nov/2024:09:12:45 +0000`) as a timestamp; NULL for other text. */
  clfTimestamp(s: string): string;
  now(): string;
  interval(n: number, unit: "MINUTE" | "HOUR" | "DAY"): string;
  /** A timestamp as text, in strftime's %Y %m %d %H (the same letters in both engines). */
  formatDate(ts: string, format: string): string;
  readonly json: JsonOps;
}

/**
 * How much of JavaScript's lower case a comparison with literals needs, beyond an engine's simple
 * per-character lower case (which maps İ to i and every Σ to σ):
 * - `plain`: the lowered literals hold no i, U+0307, σ or ς and the test has no one-character
 *   wildcard or regular expression: a match of such a literal never touches a character where the
 *   two lower cases differ, and both map every other character alike;
 * - `dotted-i`: the literals hold i or U+0307 but no σ or ς: İ must become i + U+0307;
 * - `full`: also the final sigma.
 */
export type LowerTier = "plain" | "dotted-i" | "full";

export function lowerTier(literals: readonly string[], op: string, patterns: readonly string[] = []): LowerTier {
  if (op === "matches" || op === "field" || patterns.some((p) => /(^|[^\\])(\\\\)*\?/.test(p))) return "full";
  if (literals.some((l) => /[σς]/.test(l))) return "full";
  if (literals.some((l) => /[i\u0307]/.test(l))) return "dotted-i";
  return "plain";
}

export interface JsonOps {
  /** Some branch of the path is present and not null. */
  exists(base: string, keys: readonly string[], object?: boolean): string;
  /** No branch, or a branch that does not resolve, or one that is null, "", [] or {}: any of these parts. */
  empty(base: string, keys: readonly string[], object?: boolean): readonly string[];
  /** The non-null leaves (final arrays flattened) as a list of JSON values. */
  leaves(base: string, keys: readonly string[], object?: boolean): string;
  strings(base: string, keys: readonly string[], object?: boolean): string;
  numbers(base: string, keys: readonly string[], object?: boolean): string;
  booleans(base: string, keys: readonly string[], object?: boolean): string;
  /** A faster spelling of `eq`/`in` against literals, when the engine has one. */
  equalsAny?(base: string, keys: readonly string[], values: readonly (string | number | boolean)[], object?: boolean): string;
  /** A JSON element (lambda variable) as a base for further paths. */
  elementBase(v: string): string;
  /** The value at the path, for the SELECT list. */
  select(base: string, keys: readonly string[]): string;
}

/*
 * `object`: the base is known to hold a JSON object (the whole event of the generic layout, an
 * element bound by `path[cond]`), so no array needs unwrapping before its first key.
 */

function numericPattern(flavor: RegexFlavor): string {
  const parsed = parseRegex("^-?[0-9]+(?:\\.[0-9]+)?$");
  if (!parsed.ast) throw new Error("numeric pattern");
  return emitRegex(parsed.ast, flavor);
}

export const NUMERIC_JAVA = numericPattern(FLAVORS.java);
export const NUMERIC_RE2 = numericPattern(FLAVORS.re2);

// ---------------------------------------------------------------------------------------------
// Athena engine v3 (Trino)
//
// JSON text columns are read with SQL/JSON paths in lax mode (json_exists, json_query), which never
// fail a query: a value that is not JSON is an error that their ON ERROR default turns into FALSE
// or NULL for that row alone. json_parse is only ever applied to json_query's own output.
//
// The language looks through arrays at every step of a path. In lax mode a member accessor and a
// filter unwrap one array level themselves; UNWRAP (`[*]`, which leaves a non-array as it is) adds
// three more, so arrays nested up to four deep are looked through, as the DuckDB macros do.

/** Three more array levels before a member accessor or a filter (four in all). */
export const UNWRAP = "[*][*][*]";

/** The path to the branches of a key path: every array on the way unwrapped, the last value kept whole. */
function branchPath(keys: readonly string[], object = false): string {
  return keys.map((k, i) => (i === 0 && object ? "" : UNWRAP) + sqlJsonMember(k)).join("");
}

function lax(path: string): string {
  return sqlString(`lax $${path}`);
}

/** The JSON array (text) of the leaves of a key path that satisfy the filter: final arrays flattened. */
function trinoLeaves(base: string, keys: readonly string[], object: boolean, filter: string): string {
  return `json_query(${base}, ${lax(`${branchPath(keys, object)}${UNWRAP} ? (${filter})`)} WITH ARRAY WRAPPER)`;
}

function trinoList(base: string, keys: readonly string[], object: boolean, filter: string, type: string): string {
  return `CAST(json_parse(${trinoLeaves(base, keys, object, filter)}) AS ARRAY(${type}))`;
}

/** A JSON path literal of a rule value (undefined when a path cannot hold it: control characters, non-finite numbers). */
function jsonPathLiteral(v: string | number | boolean): string | undefined {
  if (typeof v === "string") return /[\u0000-\u001f\u007f]/.test(v) ? undefined : jsonPathString(v);
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : undefined;
  return String(v);
}

/** The value a path reaches is null, "", [] or {} (on a parent object `@`, so that no array is unwrapped). */
function emptyMember(m: string): string {
  return [
    `!exists(@${m})`,
    `@${m}.type() == "null"`,
    `(@${m}.type() == "string" && @${m} == "")`,
    `@${m}.size() == 0`,
    `(@${m}.type() == "object" && !exists(@${m}.*))`,
  ].join(" || ");
}

export const TRINO: Dialect = {
  name: "trino",
  regex: FLAVORS.java,
  // A SQL/JSON path must be one string literal; the printer spells control characters with chr().
  unspellableKey: (key) => /[\u0000-\u001f\u007f]/.test(key),
  anyMatch: (list, v, body) => `any_match(${list}, ${v} -> ${body})`,
  transform: (list, v, body) => `transform(${list}, ${v} -> ${body})`,
  cardinality: (list) => `cardinality(${list})`,
  regexLike: (s, p) => `regexp_like(${s}, ${p})`,
  lower: (s, tier = "full") =>
    tier === "plain"
      ? `lower(${s})`
      : tier === "dotted-i"
        ? `lower(replace(${s}, ${sqlString("\u0130")}, ${sqlString("i\u0307")}))`
        : `lower(regexp_replace(replace(${s}, ${sqlString("\u0130")}, ${sqlString("i\u0307")}), ${sqlString("(\\p{L})\u03a3(?!\\p{L})")}, ${sqlString("$1\u03c2")}))`,
  tryDouble: (s) => `TRY_CAST(${s} AS DOUBLE)`,
  startsWith: (s, p) => `starts_with(${s}, ${p})`,
  endsWith: (s, p) => `(length(${s}) >= length(${p}) AND substr(${s}, length(${s}) - length(${p}) + 1) = ${p})`,
  contains: (s, p) => `strpos(${s}, ${p}) > 0`,
  inNetwork: (s, net) => `COALESCE(contains(${sqlString(net.text)}, TRY_CAST(${s} AS IPADDRESS)), FALSE)`,
  isoTimestamp: (s) => `from_iso8601_timestamp(${s})`,
  epochTimestamp: (s, per) => (per === 1 ? `from_unixtime(${s})` : `from_unixtime(${s} / 1000e0)`),
  clfTimestamp: (s) => `try(parse_datetime(${s}, 'dd/MMM/yyyy:HH:mm:ss Z'))`,
  now: () => "current_timestamp",
  interval: (n, unit) => `INTERVAL '${n}' ${unit}`,
  formatDate: (ts, format) => `date_format(${ts}, ${sqlString(format)})`,
  json: {
    // Some branch is present and not null: type() does not unwrap arrays, so `[]` exists.
    exists: (base, keys, object = false) =>
      keys.length === 0 ? `${base} IS NOT NULL` : `json_exists(${base}, ${lax(`${branchPath(keys, object)}.type() ? (@ != "null")`)})`,
    empty: (base, keys, object = false) => {
      if (keys.length === 0) {
        // The whole column: NULL, '' (the SerDe's reading of ""), or the JSON text of "", [] or {}.
        return [
          `${base} IS NULL`,
          `${base} = ''`,
          `json_exists(${base}, 'strict $ ? (@ == "" || @.size() == 0 || (@.type() == "object" && !exists(@.*)))')`,
        ];
      }
      // No branch at all, or a branch where a key is missing (or its parent is not an object), or
      // a last value that is null, "", [] or {}.
      // On an object, a single key has no branch exactly when it is missing, which the filter below says.
      const parts = object && keys.length === 1 ? [`${base} IS NULL`] : [`${base} IS NULL`, `NOT json_exists(${base}, ${lax(branchPath(keys, object))})`];
      for (let i = 0; i < keys.length; i++) {
        const m = sqlJsonMember(keys[i]!);
        const test = i === keys.length - 1 ? emptyMember(m) : `!exists(@${m})`;
        const parent = i === 0 && object ? "" : `${branchPath(keys.slice(0, i), object)}${UNWRAP}`;
        parts.push(`json_exists(${base}, ${lax(`${parent} ? (${test})`)})`);
      }
      return parts;
    },
    leaves: (base, keys, object = false) => trinoList(base, keys, object, '@.type() != "null"', "JSON"),
    strings: (base, keys, object = false) => trinoList(base, keys, object, '@.type() == "string"', "VARCHAR"),
    numbers: (base, keys, object = false) => trinoList(base, keys, object, '@.type() == "number"', "DOUBLE"),
    booleans: (base, keys, object = false) => trinoList(base, keys, object, '@.type() == "boolean"', "BOOLEAN"),
    equalsAny: (base, keys, values, object = false) => {
      // Typed SQL/JSON comparison: a string never equals a number (the comparison is unknown).
      const literals = values.map(jsonPathLiteral);
      if (literals.some((l) => l === undefined)) return "";
      const filter = literals.map((l) => `@ == ${l}`).join(" || ");
      return `json_exists(${base}, ${lax(`${branchPath(keys, object)}${UNWRAP} ? (${filter})`)})`;
    },
    elementBase: (v) => `json_format(${v})`,
    select: (base, keys) =>
      keys.every(legacyKeySpellable)
        ? `json_extract(${base}, ${sqlString("$" + keys.map(legacyJsonMember).join(""))})`
        : `json_query(${base}, ${lax(keys.map(sqlJsonMember).join(""))})`,
  },
};

// ---------------------------------------------------------------------------------------------
// DuckDB

/**
 * Shared sub-expressions for batched runs: when given, every JSON walk from `root` (the table's
 * JSON column) is computed once per row as a named column and referred to by name.
 */
export interface DuckCache {
  /** The JSON text columns whose walks are shared. */
  readonly roots: ReadonlySet<string>;
  readonly columns: Map<string, { readonly alias: string; readonly expr: string }>;
}

/**
 * A FROM source that adds the shared columns of a cache to `from`: one nested SELECT per
 * dependency level (DuckDB would inline an alias used in the same SELECT list).
 */
export function sharedSource(from: string, cache: DuckCache): string {
  const depth = new Map<string, number>();
  const layers: string[][] = [];
  for (const c of cache.columns.values()) {
    const deps = [...c.expr.matchAll(/\brc_c\d+\b/g)].map((m) => depth.get(m[0]) ?? 0);
    const d = deps.length === 0 ? 0 : Math.max(...deps) + 1;
    depth.set(c.alias, d);
    (layers[d] ??= []).push(`${c.expr} AS ${c.alias}`);
  }
  let src = from;
  for (const l of layers) src = `(SELECT *, ${l.join(", ")} FROM ${src})`;
  return src;
}

function duckJson(cache?: DuckCache): JsonOps {
  const memo = (base: string, key: string, make: () => string): string => {
    if (!cache || !cache.roots.has(base)) return make();
    const found = cache.columns.get(key);
    if (found) return found.alias;
    const expr = make();
    const alias = `rc_c${cache.columns.size + 1}`;
    cache.columns.set(key, { alias, expr });
    return alias;
  };
  const branches = (base: string, keys: readonly string[]): string =>
    memo(base, `b${JSON.stringify(keys)}`, () =>
      keys.length === 0 ? `rc_root(${base})` : `rc_step(${branches(base, keys.slice(0, -1))}, ${sqlString(jsonPointer([keys[keys.length - 1]!]))})`,
    );
  const leaves = (base: string, keys: readonly string[]): string => memo(base, `l${JSON.stringify(keys)}`, () => `rc_leaves(${branches(base, keys)})`);
  return {
    exists: (base, keys) => (keys.length === 0 ? `${base} IS NOT NULL` : `rc_exists(${branches(base, keys)})`),
    empty: (base, keys) => [`rc_empty(${branches(base, keys)})`],
    leaves,
    strings: (base, keys) => memo(base, `s${JSON.stringify(keys)}`, () => `rc_strings(${leaves(base, keys)})`),
    numbers: (base, keys) => memo(base, `n${JSON.stringify(keys)}`, () => `rc_numbers(${leaves(base, keys)})`),
    booleans: (base, keys) => memo(base, `t${JSON.stringify(keys)}`, () => `rc_booleans(${leaves(base, keys)})`),
    elementBase: (v) => v,
    select: (base, keys) => `json_extract(${base}, ${sqlString(jsonPointer(keys))})`,
  };
}

export function duckdbDialect(cache?: DuckCache): Dialect {
  return {
    name: "duckdb",
    regex: FLAVORS.re2,
    anyMatch: (list, v, body) => `len(list_filter(${list}, lambda ${v}: ${body})) > 0`,
    transform: (list, v, body) => `list_transform(${list}, lambda ${v}: ${body})`,
    cardinality: (list) => `len(${list})`,
    regexLike: (s, p) => `regexp_matches(${s}, ${p})`,
    lower: (s) => `rc_lower(${s})`,
    tryDouble: (s) => `TRY_CAST(${s} AS DOUBLE)`,
    startsWith: (s, p) => `starts_with(${s}, ${p})`,
    endsWith: (s, p) => `ends_with(${s}, ${p})`,
    contains: (s, p) => `strpos(${s}, ${p}) > 0`,
    inNetwork: (s, net) => {
      const { first, last } = networkRange(net);
      if (net.version === 4) return `COALESCE(rc_ipv4(${s}) BETWEEN ${first} AND ${last}, FALSE)`;
      return `COALESCE(rc_ipv6(${s}) BETWEEN CAST('${first}' AS UHUGEINT) AND CAST('${last}' AS UHUGEINT), FALSE)`;
    },
    // DuckDB inlines a macro at each use: the address is parsed once, into a one-element list whose
    // lambda tests every range (1M rows x 6 networks: 0.4 s against 6 s for six parses).
    inNetworks: (s, nets) => {
      const parts: string[] = [];
      for (const version of [4, 6] as const) {
        const ranges = nets.filter((n) => n.version === version).map(networkRange);
        if (ranges.length === 0) continue;
        const v = `rc_ip${version}`;
        const tests = ranges.map(({ first, last }) => (version === 4 ? `${v} BETWEEN ${first} AND ${last}` : `${v} BETWEEN CAST('${first}' AS UHUGEINT) AND CAST('${last}' AS UHUGEINT)`));
        parts.push(`COALESCE(list_transform([rc_ipv${version}(${s})], lambda ${v}: ${tests.join(" OR ")})[1], FALSE)`);
      }
      return parts.length === 1 ? parts[0]! : `(${parts.join(" OR ")})`;
    },
    isoTimestamp: (s) => `CAST(${s} AS TIMESTAMPTZ)`,
    epochTimestamp: (s, per) => (per === 1 ? `to_timestamp(${s})` : `to_timestamp(${s} / 1000.0)`),
    clfTimestamp: (s) => `try_strptime(${s}, '%d/%b/%Y:%H:%M:%S %z')`,
    now: () => "current_timestamp",
    interval: (n, unit) => `INTERVAL '${n}' ${unit}`,
    formatDate: (ts, format) => `strftime(${ts}, ${sqlString(format)})`,
    json: duckJson(cache),
  };
}

export const DUCKDB: Dialect = duckdbDialect();

/**
 * DuckDB macros behind the DuckDB dialect: JSON walking with the evaluator's existential reading
 * (arrays on the way are walked, nested up to four deep; a key that does not resolve or is null is a
 * NULL branch), IP parsing without extensions (the evaluator's strict forms), and lower case.
 * Run once per connection before the queries.
 *
 * rc_lower: the final-sigma pattern is built per row (`|| left(s, 0)`) on purpose. A constant
 * pattern is compiled when the expression is set up, and inside a lambda (lower-casing each element
 * of a list) that happens once per vector of rows: RE2 compiles \p{L} in about 0.7 ms, which made
 * a rule that lower-cases list elements cost 0.4-0.8 s over 1M rows whatever it matched. Built per
 * row, it is compiled only for the rare strings holding a capital sigma.
 */
export const DUCKDB_PRELUDE = `
CREATE OR REPLACE MACRO rc_unwrap(j) AS
  CASE WHEN json_type(j) = 'ARRAY' THEN flatten(list_transform(CAST(j AS JSON[]), lambda rc_a:
    CASE WHEN json_type(rc_a) = 'ARRAY' THEN flatten(list_transform(CAST(rc_a AS JSON[]), lambda rc_b:
      CASE WHEN json_type(rc_b) = 'ARRAY' THEN flatten(list_transform(CAST(rc_b AS JSON[]), lambda rc_c:
        CASE WHEN json_type(rc_c) = 'ARRAY' THEN CAST(rc_c AS JSON[]) ELSE [rc_c] END))
      ELSE [rc_b] END))
    ELSE [rc_a] END))
  ELSE [j] END;
CREATE OR REPLACE MACRO rc_member(j, p) AS
  CASE WHEN json_type(j) = 'OBJECT' THEN nullif(json_extract(j, p), 'null'::JSON) END;
CREATE OR REPLACE MACRO rc_root(t) AS [nullif(json(t), 'null'::JSON)];
CREATE OR REPLACE MACRO rc_step(bs, p) AS
  flatten(list_transform(bs, lambda rc_s: list_transform(rc_unwrap(rc_s), lambda rc_t: rc_member(rc_t, p))));
CREATE OR REPLACE MACRO rc_leaves(bs) AS
  list_filter(flatten(list_transform(bs, lambda rc_s: rc_unwrap(rc_s))), lambda rc_x: rc_x IS NOT NULL);
CREATE OR REPLACE MACRO rc_exists(bs) AS len(list_filter(bs, lambda rc_x: rc_x IS NOT NULL)) > 0;
CREATE OR REPLACE MACRO rc_empty(bs) AS
  len(bs) = 0 OR len(list_filter(bs, lambda rc_x: rc_x IS NULL OR CAST(rc_x AS VARCHAR) IN ('""', '[]', '{}'))) > 0;
CREATE OR REPLACE MACRO rc_strings(ls) AS
  list_transform(list_filter(ls, lambda rc_x: json_type(rc_x) = 'VARCHAR'), lambda rc_x: json_extract_string(rc_x, '$'));
CREATE OR REPLACE MACRO rc_numbers(ls) AS
  list_transform(list_filter(ls, lambda rc_x: json_type(rc_x) IN ('BIGINT', 'UBIGINT', 'HUGEINT', 'DOUBLE')), lambda rc_x: CAST(rc_x AS DOUBLE));
CREATE OR REPLACE MACRO rc_booleans(ls) AS
  list_transform(list_filter(ls, lambda rc_x: json_type(rc_x) = 'BOOLEAN'), lambda rc_x: CAST(rc_x AS BOOLEAN));
CREATE OR REPLACE MACRO rc_lower(s) AS
  CASE WHEN strpos(s, '\u0130') = 0 AND strpos(s, '\u03a3') = 0 THEN lower(s)
  WHEN strpos(s, '\u03a3') = 0 THEN lower(replace(s, '\u0130', 'i\u0307'))
  ELSE lower(regexp_replace(replace(s, '\u0130', 'i\u0307'), '(\\p{L})\u03a3(\\P{L}|$)' || left(s, 0), '\\1\u03c2\\2', 'g')) END;
CREATE OR REPLACE MACRO rc_ipv4(s) AS
  CASE WHEN regexp_full_match(s, '(?:0|[1-9][0-9]{0,2})\\.(?:0|[1-9][0-9]{0,2})\\.(?:0|[1-9][0-9]{0,2})\\.(?:0|[1-9][0-9]{0,2})')
    AND list_max(list_transform(string_split(s, '.'), lambda rc_p: TRY_CAST(rc_p AS INTEGER))) <= 255
  THEN list_reduce(list_transform(string_split(s, '.'), lambda rc_p: TRY_CAST(rc_p AS UBIGINT)), lambda rc_acc, rc_p: rc_acc * 256 + rc_p)
  END;
CREATE OR REPLACE MACRO rc_ipv6_text(s) AS
  CASE WHEN contains(s, '.') THEN substr(s, 1, length(s) - strpos(reverse(s), ':') + 1) || '0:0' ELSE s END;
CREATE OR REPLACE MACRO rc_ipv6_groups(h) AS CASE WHEN h = '' THEN []::VARCHAR[] ELSE string_split(h, ':') END;
CREATE OR REPLACE MACRO rc_ipv6_parts(t) AS
  CASE WHEN len(string_split(t, '::')) = 2
    THEN {head: rc_ipv6_groups(string_split(t, '::')[1]), rest: rc_ipv6_groups(string_split(t, '::')[2]), compressed: true, ok: true}
    ELSE {head: string_split(t, ':'), rest: []::VARCHAR[], compressed: false, ok: len(string_split(t, '::')) = 1} END;
CREATE OR REPLACE MACRO rc_ipv6_value(p) AS
  list_reduce(
    list_transform(p.head || list_transform(range(8 - len(p.head) - len(p.rest)), lambda rc_z: '0') || p.rest,
      lambda rc_g: CAST(TRY_CAST(('0x' || rc_g) AS UBIGINT) AS UHUGEINT)),
    lambda rc_acc, rc_g: rc_acc * 65536 + rc_g);
CREATE OR REPLACE MACRO rc_ipv6_check(s, t, p) AS
  length(s) BETWEEN 1 AND 45 AND contains(s, ':') AND p.ok
  AND len(list_filter(p.head || p.rest, lambda rc_g: NOT regexp_full_match(rc_g, '[0-9A-Fa-f]{1,4}'))) = 0
  AND (CASE WHEN p.compressed THEN len(p.head) + len(p.rest) <= 7 ELSE len(p.head) = 8 END)
  AND (NOT contains(s, '.') OR rc_ipv4(substr(s, length(s) - strpos(reverse(s), ':') + 2)) IS NOT NULL);
CREATE OR REPLACE MACRO rc_ipv6(s) AS
  CASE WHEN rc_ipv4(s) IS NULL AND rc_ipv6_check(s, rc_ipv6_text(s), rc_ipv6_parts(rc_ipv6_text(s)))
  THEN rc_ipv6_value(rc_ipv6_parts(rc_ipv6_text(s)))
    + CASE WHEN contains(s, '.') THEN CAST(rc_ipv4(substr(s, length(s) - strpos(reverse(s), ':') + 2)) AS UHUGEINT) ELSE 0 END
  END;
`;
