/**
 * The Trino functions and forms that the Athena target's SQL uses, each with a probe: a small
 * expression that exercises it (and the behaviour the SQL relies on) and the text Athena must
 * return for it. `rulec athena check` runs every probe in one query on the user's workgroup and
 * names each function the engine lacks or answers differently, with the rules that use it.
 */

export interface TrinoFunction {
  /** How the function is known in Trino's documentation and its error messages. */
  readonly name: string;
  /** Names an engine may report for it in "Function '...' not registered". */
  readonly reported: readonly string[];
  /** A Trino expression exercising it. */
  readonly probe: string;
  /** What Athena returns for the probe (GetQueryResults text). */
  readonly expected: string;
  /** What the SQL relies on, for the report. */
  readonly why: string;
  /** Whether a query (its text with string literals blanked) uses it. */
  readonly usedBy: RegExp;
}

export const TRINO_FUNCTIONS: readonly TrinoFunction[] = [
  {
    name: "json_exists",
    reported: ["json_exists"],
    probe: `json_exists('{"a": [[{"b": null}], [{"b": 1}]]}', 'lax $[*][*][*].a[*][*][*].b[*][*][*] ? (@ == 1)')`,
    expected: "true",
    why: "SQL/JSON paths in lax mode with filters (Trino 383 and later)",
    usedBy: /\bjson_exists\s*\(/i,
  },
  {
    name: "json_exists type()",
    reported: [],
    probe: `json_exists('{"a": [], "b": null}', 'lax $.a.type() ? (@ != "null")') AND NOT json_exists('{"b": null}', 'lax $.b.type() ? (@ != "null")')`,
    expected: "true",
    why: "the type() item method does not unwrap arrays (exists, empty)",
    usedBy: /\.type\(\)/,
  },
  {
    name: "json_query",
    reported: ["json_query"],
    probe: `json_query('{"a": [1, null, [2]]}', 'lax $.a[*][*][*] ? (@.type() != "null")' WITH ARRAY WRAPPER)`,
    expected: "[1,2]",
    why: "json_query ... WITH ARRAY WRAPPER (lists of values)",
    usedBy: /\bjson_query\s*\(/i,
  },
  {
    name: "json_parse",
    reported: ["json_parse"],
    probe: `json_format(json_parse('[1, "a"]'))`,
    expected: '[1,"a"]',
    why: "json_parse of json_query's output",
    usedBy: /\bjson_parse\s*\(/i,
  },
  {
    name: "json_format",
    reported: ["json_format"],
    probe: `json_format(CAST(json_parse('[{"b": 1}]') AS ARRAY(JSON))[1])`,
    expected: '{"b":1}',
    why: "an element bound by path[cond] read as JSON text",
    usedBy: /\bjson_format\s*\(/i,
  },
  {
    name: "CAST(json AS ARRAY(...))",
    reported: [],
    probe: `cardinality(CAST(json_parse('["a", 1.5, true]') AS ARRAY(VARCHAR))) + cardinality(CAST(json_parse('[1.5]') AS ARRAY(DOUBLE))) + cardinality(CAST(json_parse('[true]') AS ARRAY(BOOLEAN)))`,
    expected: "5",
    why: "JSON arrays read as arrays of VARCHAR, DOUBLE, BOOLEAN, JSON",
    usedBy: /\bAS\s+ARRAY\s*\(/i,
  },
  {
    name: "json_extract",
    reported: ["json_extract"],
    probe: `json_format(json_extract('{"a": {"x-y": 1}}', '$.a["x-y"]'))`,
    expected: "1",
    why: "output fields inside JSON columns",
    usedBy: /\bjson_extract\s*\(/i,
  },
  {
    name: "any_match",
    reported: ["any_match"],
    probe: `any_match(ARRAY[1, 2], x -> x > 1)`,
    expected: "true",
    why: "arrays are existential (lambdas)",
    usedBy: /\bany_match\s*\(/i,
  },
  {
    name: "transform",
    reported: ["transform"],
    probe: `transform(ARRAY[1], x -> x + 1)[1]`,
    expected: "2",
    why: "lower-cased lists, output fields through arrays of rows",
    usedBy: /\btransform\s*\(/i,
  },
  {
    name: "cardinality",
    reported: ["cardinality"],
    probe: `cardinality(ARRAY[1, 2, 3])`,
    expected: "3",
    why: "empty arrays (empty)",
    usedBy: /\bcardinality\s*\(/i,
  },
  {
    name: "regexp_like",
    reported: ["regexp_like"],
    probe: `regexp_like('a1', '\\A[a-z][0-9]\\z') AND NOT regexp_like('a1' || chr(10), '\\A[a-z][0-9]\\z')`,
    expected: "true",
    why: "matches, numeric strings (Java regular expressions: \\A, \\z)",
    usedBy: /\bregexp_like\s*\(/i,
  },
  {
    name: "regexp_replace",
    reported: ["regexp_replace"],
    probe: `regexp_replace('ΑΣ Β', '(\\p{L})Σ(?!\\p{L})', '$1ς')`,
    expected: "Ας Β",
    why: "the final-sigma rule of the i-forms (\\p{L}, lookahead, $1)",
    usedBy: /\bregexp_replace\s*\(/i,
  },
  { name: "lower", reported: ["lower"], probe: `lower('ÀB')`, expected: "àb", why: "the i-forms", usedBy: /\blower\s*\(/i },
  { name: "replace", reported: ["replace"], probe: `replace('aİ', 'İ', 'x')`, expected: "ax", why: "the i-forms (İ)", usedBy: /\breplace\s*\(/i },
  { name: "starts_with", reported: ["starts_with"], probe: `starts_with('abc', 'ab')`, expected: "true", why: "startswith with a field operand", usedBy: /\bstarts_with\s*\(/i },
  { name: "strpos", reported: ["strpos"], probe: `strpos('abc', 'c')`, expected: "3", why: "contains with a field operand", usedBy: /\bstrpos\s*\(/i },
  { name: "substr", reported: ["substr"], probe: `substr('abc', length('abc') - 1)`, expected: "bc", why: "endswith with a field operand", usedBy: /\bsubstr\s*\(/i },
  { name: "chr", reported: ["chr"], probe: `length('a' || chr(10))`, expected: "2", why: "control characters in literals", usedBy: /\bchr\s*\(/i },
  {
    name: "TRY_CAST(... AS DOUBLE)",
    reported: [],
    probe: `TRY_CAST('1.5' AS DOUBLE) = 1.5 AND TRY_CAST('x' AS DOUBLE) IS NULL`,
    expected: "true",
    why: "numeric strings compared as numbers",
    usedBy: /\bTRY_CAST\s*\([^()]*\bAS\s+DOUBLE\s*\)/i,
  },
  {
    name: "IPADDRESS",
    reported: ["contains"],
    probe: `contains('10.0.0.0/8', TRY_CAST('10.1.2.3' AS IPADDRESS)) AND TRY_CAST('AWS Internal' AS IPADDRESS) IS NULL`,
    expected: "true",
    why: "cidr (the IPADDRESS type and contains(network, address))",
    usedBy: /\bAS\s+IPADDRESS\b/i,
  },
  {
    name: "from_iso8601_timestamp",
    reported: ["from_iso8601_timestamp"],
    probe: `from_iso8601_timestamp('2024-01-02T03:04:05Z') < current_timestamp`,
    expected: "true",
    why: "time windows (--since, --from, --to)",
    usedBy: /\bfrom_iso8601_timestamp\s*\(/i,
  },
  {
    name: "date_format",
    reported: ["date_format"],
    probe: `date_format(from_iso8601_timestamp('2024-01-02T03:04:05Z') - INTERVAL '1' DAY, '%Y/%m/%d')`,
    expected: "2024/01/01",
    why: "partition predicates of time windows",
    usedBy: /\bdate_format\s*\(/i,
  },
  { name: "concat", reported: ["concat"], probe: `concat('2024', '/', '01')`, expected: "2024/01", why: "partition predicates of time windows", usedBy: /\bconcat\s*\(/i },
  { name: "nullif", reported: ["nullif"], probe: `nullif('-', '-') IS NULL AND nullif('a', '-') = 'a'`, expected: "true", why: "the no-value text of text logs' tables (VPC Flow Logs' -)", usedBy: /\bnullif\s*\(/i },
  { name: "length", reported: ["length"], probe: `length('"a"')`, expected: "3", why: "quoted fields of text logs' tables (S3 access logs)", usedBy: /\blength\s*\(/i },
  {
    name: "parse_datetime",
    reported: ["parse_datetime", "try"],
    probe: `try(parse_datetime('13/Nov/2024:09:12:45 +0000', 'dd/MMM/yyyy:HH:mm:ss Z')) < current_timestamp`,
    expected: "true",
    why: "time windows on Common Log Format times (S3 access logs)",
    usedBy: /\bparse_datetime\s*\(/i,
  },
];

/**
 * A query's text with the contents of its string literals blanked and its `--` comments left out (a
 * rule value never looks like a function, and an apostrophe in a rule's title opens no string).
 */
export function withoutLiterals(sql: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (!inString && c === "-" && sql[i + 1] === "-") {
      while (i + 1 < sql.length && sql[i + 1] !== "\n") i++;
      continue;
    }
    if (c === "'") {
      if (inString && sql[i + 1] === "'") {
        i++;
        continue;
      }
      inString = !inString;
      out += c;
      continue;
    }
    out += inString ? "" : c;
  }
  return out;
}

/** The functions of TRINO_FUNCTIONS a query uses. */
export function functionsUsed(sql: string): TrinoFunction[] {
  const text = withoutLiterals(sql);
  return TRINO_FUNCTIONS.filter((f) => {
    // The json_exists type() check looks inside path literals on purpose.
    if (f.name === "json_exists type()") return f.usedBy.test(sql);
    return f.usedBy.test(text);
  });
}

/** The probe query: one column per function, each on its own line (line n + 2 is function n). */
export function probeQuery(functions: readonly TrinoFunction[]): string {
  return `SELECT\n${functions.map((f, i) => `  CAST(${f.probe} AS VARCHAR) AS p${i}`).join(",\n")}\n`;
}

/**
 * The function a failed probe query names: by its name in the engine's message ("Function
 * 'json_exists' not registered"), else by the line of the error ("line 5:3: ...").
 */
export function failedFunction(reason: string, functions: readonly TrinoFunction[]): TrinoFunction | undefined {
  // Trino: "Function 'json_exists' not registered"; DuckDB: "Scalar Function with name json_valid does not exist!".
  const named = (/function with name "?([A-Za-z_][A-Za-z0-9_]*)/i.exec(reason) ?? /function '?"?([A-Za-z_][A-Za-z0-9_]*)/i.exec(reason))?.[1]?.toLowerCase();
  if (named) {
    const f = functions.find((x) => x.reported.includes(named));
    if (f) return f;
  }
  // Trino: "line 5:3: ..."; DuckDB: "LINE 5: ...".
  const line = /\bline (\d+):\d+/i.exec(reason) ?? /\bLINE (\d+):/.exec(reason);
  if (line) return functions[Number(line[1]) - 2];
  return undefined;
}
