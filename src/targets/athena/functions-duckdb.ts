import { withoutLiterals, type TrinoFunction } from "./functions.js";

/**
 * The DuckDB functions and forms the statements for Athena's DuckDB engine use, each with a probe
 * (the same shape as TRINO_FUNCTIONS: `rulec athena check` runs them all in one query on a DuckDB
 * workgroup). Every expected answer is checked on the local DuckDB by the tests; on Athena the
 * probes find a function the engine lacks (its built-in extensions are fixed) or a behaviour that
 * changed with its version.
 */
export const DUCKDB_FUNCTIONS: readonly TrinoFunction[] = [
  {
    name: "json_valid, json",
    reported: ["json_valid", "json"],
    probe: `json_valid('{"a": 1}') AND NOT json_valid('abc') AND CAST(json(' { "a" : 1 } ') AS VARCHAR) = '{"a":1}'`,
    expected: "true",
    why: "JSON text read only when it is JSON (a column holding other text fails no query)",
    usedBy: /\bjson_valid\s*\(/i,
  },
  {
    name: "json_type",
    reported: ["json_type"],
    probe: `json_type(json('[1]')) || ',' || json_type(json('{"a": 1}')) || ',' || json_type(json('1.5')) || ',' || json_type(json('"x"')) || ',' || json_type(json('true'))`,
    expected: "ARRAY,OBJECT,DOUBLE,VARCHAR,BOOLEAN",
    why: "JSON values split by type (a string never equals a number)",
    usedBy: /\bjson_type\s*\(/i,
  },
  {
    name: "json_extract (JSON Pointer)",
    reported: ["json_extract"],
    probe: `CAST(json_extract(json('{"x-y": {"a~b": 2}}'), '/x-y/a~0b') AS VARCHAR)`,
    expected: "2",
    why: "keys of any spelling read with JSON Pointer paths",
    usedBy: /\bjson_extract\s*\(/i,
  },
  {
    name: "json_extract_string",
    reported: ["json_extract_string"],
    probe: `json_extract_string(json('"a\\"b"'), '$')`,
    expected: 'a"b',
    why: "JSON strings as SQL strings; the time of a file's record",
    usedBy: /\bjson_extract_string\s*\(/i,
  },
  {
    name: "CAST(JSON AS JSON[]), flatten",
    reported: ["flatten"],
    probe: `CAST(len(flatten([CAST(json('[1, [2], null]') AS JSON[]), [json('3')]])) AS VARCHAR)`,
    expected: "4",
    why: "arrays looked through (existential paths)",
    usedBy: /\bAS\s+JSON\[\]/i,
  },
  {
    name: "lambdas (list_transform, list_filter)",
    reported: ["list_transform", "list_filter"],
    probe: `CAST(list_filter(list_transform([1, 2, 3], lambda x: x * 2), lambda y: y > 2) AS VARCHAR)`,
    expected: "[4, 6]",
    why: "arrays are existential; the lambda keyword of DuckDB 1.3 and later",
    usedBy: /\blambda\b/i,
  },
  {
    name: "list_contains, list_has_any",
    reported: ["list_contains", "list_has_any"],
    probe: `list_contains(['a'], 'a') AND list_has_any(['a', 'b'], ['b', 'c']) AND NOT list_contains([1.0], 2.0)`,
    expected: "true",
    why: "eq and in against literals",
    usedBy: /\blist_(contains|has_any)\s*\(/i,
  },
  {
    name: "list_bool_or",
    reported: ["list_bool_or"],
    probe: `COALESCE(list_bool_or([]::BOOLEAN[]), TRUE) AND list_bool_or([false, true])`,
    expected: "true",
    why: "empty (no branch, or an empty one)",
    usedBy: /\blist_bool_or\s*\(/i,
  },
  {
    name: "string_split, list_reduce, list_max",
    reported: ["string_split", "list_reduce", "list_max"],
    probe: `CAST(list_reduce(list_transform(string_split('1.2', '.'), lambda p: TRY_CAST(p AS UBIGINT)), lambda a, b: a * 256 + b) AS VARCHAR) || ',' || CAST(list_max([1, 3, 2]) AS VARCHAR)`,
    expected: "258,3",
    why: "cidr: addresses parsed into numbers",
    usedBy: /\b(string_split|list_reduce)\s*\(/i,
  },
  {
    name: "UHUGEINT",
    reported: [],
    probe: `CAST(CAST('340282366920938463463374607431768211455' AS UHUGEINT) AS VARCHAR)`,
    expected: "340282366920938463463374607431768211455",
    why: "cidr on IPv6 (128-bit addresses)",
    usedBy: /\bUHUGEINT\b/i,
  },
  {
    name: "regexp_matches",
    reported: ["regexp_matches"],
    probe: `regexp_matches('xä1', '\\p{L}\\d') AND NOT regexp_matches('ab', '^b')`,
    expected: "true",
    why: "matches, numeric strings (RE2: an unanchored search)",
    usedBy: /\bregexp_matches\s*\(/i,
  },
  {
    name: "regexp_full_match",
    reported: ["regexp_full_match"],
    probe: `regexp_full_match('10.0.0.1', '[0-9.]+') AND NOT regexp_full_match('10.0.0.1x', '[0-9.]+')`,
    expected: "true",
    why: "cidr: the strict address forms",
    usedBy: /\bregexp_full_match\s*\(/i,
  },
  {
    name: "regexp_replace",
    reported: ["regexp_replace"],
    probe: `regexp_replace('ΑΣ Β', '(\\p{L})Σ(\\P{L}|$)', '\\1ς\\2', 'g')`,
    expected: "Ας Β",
    why: "the final-sigma rule of the i-forms",
    usedBy: /\bregexp_replace\s*\(/i,
  },
  {
    name: "lower, replace",
    reported: ["lower", "replace"],
    probe: `lower(replace('\u0130\u00c0B', '\u0130', 'i\u0307'))`,
    expected: "i\u0307\u00e0b",
    why: "the i-forms (İ)",
    usedBy: /\blower\s*\(/i,
  },
  {
    name: "contains, left, length, reverse, substr",
    reported: ["contains", "left", "length", "reverse", "substr"],
    probe: `contains('a:b', ':') AND left('abc', 0) = '' AND length('abc') = 3 AND reverse('ab') = 'ba' AND substr('abc', 2) = 'bc'`,
    expected: "true",
    why: "cidr on IPv6 (the dotted tail), the i-forms' final-sigma pattern",
    usedBy: /(reverse|substr|left)\s*\(/i,
  },
  {
    name: "starts_with, ends_with, strpos",
    reported: ["starts_with", "ends_with", "strpos"],
    probe: `starts_with('abc', 'ab') AND ends_with('abc', 'bc') AND strpos('abc', 'c') = 3`,
    expected: "true",
    why: "startswith, endswith, contains with a field operand",
    usedBy: /\b(starts_with|ends_with|strpos)\s*\(/i,
  },
  {
    name: "LIKE ... ESCAPE",
    reported: ["like_escape"],
    probe: `'a%b' LIKE 'a\\%b' ESCAPE '\\' AND NOT 'axb' LIKE 'a\\%b' ESCAPE '\\'`,
    expected: "true",
    why: "contains, startswith, endswith, like",
    usedBy: /\bESCAPE\b/,
  },
  {
    name: "TRY_CAST(... AS DOUBLE)",
    reported: [],
    probe: `TRY_CAST('1.5' AS DOUBLE) = 1.5 AND TRY_CAST('x' AS DOUBLE) IS NULL`,
    expected: "true",
    why: "numeric strings compared as numbers",
    usedBy: /\bTRY_CAST\s*\([^()]*\bAS\s+DOUBLE\s*\)/i,
  },
  {
    name: "TIMESTAMPTZ, timezone, strftime",
    reported: ["timezone", "strftime"],
    probe: `strftime(timezone('UTC', TRY_CAST('2024-01-02T03:04:05Z' AS TIMESTAMPTZ) - INTERVAL '1' DAY), '%Y/%m/%d') || ',' || CAST(TRY_CAST('x' AS TIMESTAMPTZ) IS NULL AS VARCHAR)`,
    expected: "2024/01/01,true",
    why: "time windows (icu), partition and folder days in UTC",
    usedBy: /\bTIMESTAMPTZ\b|\bstrftime\s*\(/i,
  },
  {
    name: "date_diff, range, list_distinct, list_sort, array_to_string",
    reported: ["date_diff", "range", "list_distinct", "list_sort", "array_to_string"],
    probe: `array_to_string(list_sort(list_distinct(['b', 'a', 'b'])), '') || CAST(len(range(date_diff('day', DATE '2024-01-01', DATE '2024-01-03') + 1)) AS VARCHAR) || '2024/01/03'[6]`,
    expected: "ab30",
    why: "the folders of a window ending now (read_json over the log files)",
    usedBy: /\bdate_diff\s*\(/i,
  },
  {
    name: "concat",
    reported: ["concat"],
    probe: `concat('2024', '/', '01')`,
    expected: "2024/01",
    why: "partition predicates of time windows",
    usedBy: /\bconcat\s*\(/i,
  },
  {
    name: "structs",
    reported: [],
    probe: `CAST({a: 1, b: [2]}.b[1] AS VARCHAR)`,
    expected: "2",
    why: "cidr on IPv6 (the parts of an address)",
    usedBy: /\{head:/,
  },
];

/** The DuckDB probes a statement's text needs (string literals blanked; the struct probe looks at the text). */
export function duckdbFunctionsUsed(sql: string): TrinoFunction[] {
  const text = withoutLiterals(sql);
  return DUCKDB_FUNCTIONS.filter((f) => f.usedBy.test(f.name === "structs" ? sql : text));
}
