import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it, type TestContext } from "vitest";
import { pgJsonPath, pgRegex, translateExpr, translateQuery, Untranslatable } from "./postgres-sql.js";
import { usePostgres } from "./setup.js";
import { TRINO_FUNCTIONS } from "../../src/targets/athena/functions.js";
import { parseExpr, parseQuery, SqlSyntaxError } from "./trino-parse.js";

/**
 * Every rule of the translation layer (postgres-sql.ts) and every emulated function (prelude.ts),
 * checked on PostgreSQL against the examples of Trino's documentation (functions/json.md,
 * array.md, lambda.md, regexp.md, ipaddress.md): the Trino expression is parsed, translated and
 * run, and must give the documented result. Where the documentation states a rule without an
 * example (any_match's NULL, TRY_CAST), the examples follow the stated rule word for word.
 */

const pg = usePostgres();

/** Runs a Trino expression (translated) on PostgreSQL, optionally over PostgreSQL rows `from`; one value per row. */
async function values(ctx: TestContext, trino: string, from = ""): Promise<unknown[]> {
  const runner = pg.need(ctx);
  const sql = `SELECT ${translateExpr(parseExpr(trino)).sql} AS v ${from}`;
  return (await runner.client.query<{ v: unknown }>(sql)).rows.map((r) => r.v);
}

async function value(ctx: TestContext, trino: string): Promise<unknown> {
  return (await values(ctx, trino))[0];
}

async function fails(ctx: TestContext, trino: string): Promise<string> {
  try {
    await values(ctx, trino);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${trino} did not fail`);
}

/** json.md's `customers` table. */
const CUSTOMERS = `FROM (VALUES (101, '{"comment" : "nice", "children" : [10, 13, 16]}'), (102, '{"comment" : "problematic", "children" : [8, 11]}'), (103, '{"comment" : "knows best", "children" : [2]}')) AS t(id, description) ORDER BY id`;

const json = (v: unknown) => (v === null ? null : JSON.parse(v as string));

describe("the Trino SQL parser", () => {
  it("parses the target's query shape and refuses what it does not know", () => {
    const q = parseQuery(`-- comment\nSELECT\n  useridentity.arn AS "userIdentity.arn"\nFROM "default".cloudtrail_logs\nWHERE eventname = 'it''s' AND NOT COALESCE(x LIKE '%a' ESCAPE '\\', FALSE)`);
    expect(q.from).toEqual(["default", "cloudtrail_logs"]);
    expect(q.select[0]).toEqual({ expr: { k: "deref", base: { k: "ident", name: "useridentity" }, field: "arn" }, alias: "userIdentity.arn" });
    expect(() => parseQuery("SELECT a FROM t WHERE a = ")).toThrow(/expected an expression, found end of text/);
    expect(() => parseQuery("SELECT a FROM t WHERE a = 1 LIMIT 5")).toThrow(/expected the end of the query, found LIMIT/);
    expect(() => translateQuery("SELECT a FROM t WHERE element_at(a, 1) = 1")).toThrow(Untranslatable);
    expect(() => translateQuery("SELECT a FROM t WHERE a > current_timestamp - INTERVAL '1' DAY")).toThrow(/INTERVAL/);
  });
});

describe("R1: SQL/JSON paths unchanged; quoted strings re-spelled; json_exists and json_query (json.md)", () => {
  it("paths without quotes or backslashes pass unchanged; Trino's quoting becomes PostgreSQL's", () => {
    for (const p of ["lax $.children[*]?(@ > 10)", 'lax $[*][*][*]."x-amz-acl"[*][*][*] ? (@ == "a" || @ == 5)', "strict $.children[2]?(@ > 10)"]) {
      expect(pgJsonPath(p)).toBe(p);
    }
    expect(pgJsonPath('lax $."a""b"')).toBe('lax $."a\\"b"');
    expect(pgJsonPath('lax $."a\\b" ? (@ == """")')).toBe('lax $."a\\\\b" ? (@ == "\\"")');
  });

  it("json_exists: the documentation's examples", async (ctx) => {
    expect(await values(ctx, "json_exists(description, 'lax $.children[*]?(@ > 10)')", CUSTOMERS)).toEqual([true, true, false]);
    expect(await values(ctx, "json_exists(description, 'strict $.children[2]?(@ > 10)' UNKNOWN ON ERROR)", CUSTOMERS)).toEqual([true, null, null]);
  });

  it("json_exists: FALSE ON ERROR by default, also for input that is not JSON; NULL for NULL", async (ctx) => {
    expect(await value(ctx, "json_exists('not json', 'lax $.a')")).toBe(false);
    expect(await value(ctx, "json_exists('', 'lax $')")).toBe(false);
    expect(await value(ctx, "json_exists('{\"a\": ', 'lax $.a')")).toBe(false);
    expect(await value(ctx, "json_exists('not json', 'lax $.a' TRUE ON ERROR)")).toBe(true);
    expect(await value(ctx, "json_exists(NULL, 'lax $.a')")).toBe(null);
    expect(await fails(ctx, "json_exists('{}', 'lax $.a[')")).toMatch(/syntax error/);
  });

  it("json_query: the documentation's examples", async (ctx) => {
    expect((await values(ctx, "json_query(description, 'lax $.children')", CUSTOMERS)).map(json)).toEqual([[10, 13, 16], [8, 11], [2]]);
    expect(await values(ctx, "json_query(description, 'lax $.children')", CUSTOMERS)).toEqual(["[10,13,16]", "[8,11]", "[2]"]);
    expect(await values(ctx, "json_query(description, 'lax $.children[*]' WITHOUT ARRAY WRAPPER NULL ON ERROR)", CUSTOMERS)).toEqual([null, null, "2"]);
    expect(await values(ctx, "json_query(description, 'lax $.children[last]' WITH ARRAY WRAPPER)", CUSTOMERS)).toEqual(["[16]", "[11]", "[2]"]);
    expect(await values(ctx, "json_query(description, 'strict $.children[*]?(@ > 12)' WITH ARRAY WRAPPER EMPTY ARRAY ON EMPTY)", CUSTOMERS)).toEqual([
      "[13,16]",
      "[]",
      "[]",
    ]);
    expect(await values(ctx, "json_query(description, 'strict $.comment' KEEP QUOTES)", CUSTOMERS)).toEqual(['"nice"', '"problematic"', '"knows best"']);
    expect(await values(ctx, "json_query(description, 'strict $.comment' OMIT QUOTES)", CUSTOMERS)).toEqual(["nice", "problematic", "knows best"]);
  });

  it("json_query: NULL ON EMPTY and NULL ON ERROR by default (input that is not JSON too)", async (ctx) => {
    expect(await value(ctx, "json_query('{\"a\": 1}', 'lax $.b' WITH ARRAY WRAPPER)")).toBe(null);
    expect(await value(ctx, "json_query('not json', 'lax $.a' WITH ARRAY WRAPPER)")).toBe(null);
    expect(await value(ctx, "json_query('', 'lax $' WITH ARRAY WRAPPER)")).toBe(null);
  });

  it("the JSON path language: the documentation's examples of accessors, filters, lax mode and comparisons", async (ctx) => {
    const three = `'[{"customer" : 100, "region" : "AFRICA"}, {"region" : "ASIA"}, {"customer" : 300, "region" : "AFRICA", "comment" : null}]'`;
    const q = (path: string, input = three) => value(ctx, `json_query(${input}, '${path}' WITH ARRAY WRAPPER)`).then(json);
    expect(await q("lax $[*].customer")).toEqual([100, 300]);
    expect(await value(ctx, `json_exists(${three}, 'strict $[*].customer')`)).toBe(false);
    expect(await q('lax $[*]?(@.region != "ASIA")')).toEqual([
      { customer: 100, region: "AFRICA" },
      { customer: 300, region: "AFRICA", comment: null },
    ]);
    expect(await q("lax $[*]?(!exists(@.customer))")).toEqual([{ region: "ASIA" }]);
    const arrays = `'[[0, 1, 2], ["a", "b", "c", "d"], [null, null]]'`;
    expect(await q("lax $[*][*]", arrays)).toEqual([0, 1, 2, "a", "b", "c", "d", null, null]);
    expect(await q("lax $[*][last]", arrays)).toEqual([2, "d", null]);
    expect(await q("lax $[*][2 to 3]", arrays)).toEqual([2, "c", "d"]);
    const mixed = `'[[1, "a", null], {"key1" : 1.0, "key2" : true}, -2e3]'`;
    expect(await q("lax $[*][*]", mixed)).toEqual([1, "a", null, { key1: 1.0, key2: true }, -2e3]);
    expect(await q("lax $[*].size()", mixed)).toEqual([3, 1, 1]);
    expect(await q("lax $[*].type()", mixed)).toEqual(["array", "object", "number"]);
    expect(await q("lax $[*][*].type()", mixed)).toEqual(["number", "string", "null", "object", "number"]);
    expect(await q("lax $[*].double()", "'[-1, 23e4, \"5.6\"]'")).toEqual([-1, 230000, 5.6]);
    // Comparison rules: null == null is true; null against anything else, and text against a number, is not true.
    expect(await q("lax $[*] ? (@ == null)", "'[null, 1, \"a\", [], {}]'")).toEqual([null]);
    expect(await q("lax $[*] ? (@ != null)", "'[null, 1, \"a\"]'")).toEqual([1, "a"]);
    expect(await q('lax $[*] ? (@ == "1")', "'[1, \"1\"]'")).toEqual(["1"]);
    expect(await q('lax $[*] ? (@ starts with "ab")', "'[\"abc\", \"b\", 1]'")).toEqual(["abc"]);
  });
});

describe("R2: lambdas (lambda.md, array.md)", () => {
  it("transform: the documentation's examples", async (ctx) => {
    expect(await values(ctx, "transform(numbers, n -> n * n)", "FROM (VALUES (1, ARRAY[1, 2]), (2, ARRAY[3, 4]), (3, ARRAY[5, 6, 7])) AS t(k, numbers) ORDER BY k")).toEqual([
      [1, 4],
      [9, 16],
      [25, 36, 49],
    ]);
    expect(await values(ctx, "transform(xvalues, x -> a * x + b)", "FROM (VALUES (ARRAY[1, 2], 10, 5), (ARRAY[3, 4], 4, 2)) AS t(xvalues, a, b) ORDER BY a DESC")).toEqual([
      [15, 25],
      [14, 18],
    ]);
    expect(await value(ctx, "transform(CAST(NULL AS ARRAY(JSON)), x -> x)")).toBe(null);
  });

  it("any_match: the documentation's example, and its stated NULL rule", async (ctx) => {
    expect(
      await values(ctx, "any_match(numbers, n -> COALESCE(n, 0) > 100)", "FROM (VALUES (1, ARRAY[1, NULL, 3]), (2, ARRAY[10, 20, 30]), (3, ARRAY[100, 200, 300])) AS t(k, numbers) ORDER BY k"),
    ).toEqual([false, false, true]);
    // "NULL if the predicate function returns NULL for one or more elements and false for all other elements".
    expect(await value(ctx, "any_match(ARRAY[1, NULL, 3], n -> n > 100)")).toBe(null);
    expect(await value(ctx, "any_match(ARRAY[1, NULL, 300], n -> n > 100)")).toBe(true);
    // "false if none of the elements matches (a special case is when the array is empty)".
    expect(await value(ctx, "any_match(filter(ARRAY[1], n -> n > 5), n -> n > 0)")).toBe(false);
    expect(await value(ctx, "any_match(CAST(NULL AS ARRAY(JSON)), n -> TRUE)")).toBe(null);
    // A lambda inside a lambda sees the outer variable.
    expect(await value(ctx, "any_match(ARRAY[1, 2], x -> any_match(ARRAY[3, 4], y -> x + y = 6))")).toBe(true);
  });

  it("filter: the documentation's examples", async (ctx) => {
    expect(await value(ctx, "filter(ARRAY[5, -6, NULL, 7], x -> x > 0)")).toEqual([5, 7]);
    expect(await value(ctx, "filter(ARRAY[5, NULL, 7, NULL], x -> x IS NOT NULL)")).toEqual([5, 7]);
    expect(await value(ctx, "cardinality(filter(ARRAY[1], x -> false))")).toBe(0);
  });
});

describe("R3: casts (json.md, conversion.md)", () => {
  it("CAST(JSON AS ARRAY(JSON)): the documentation's examples; a JSON null element is JSON 'null'", async (ctx) => {
    expect(await value(ctx, "transform(CAST(JSON '[[1, 23], 456]' AS ARRAY(JSON)), x -> json_format(x))")).toEqual(["[1,23]", "456"]);
    expect(await value(ctx, "transform(CAST(JSON '[null]' AS ARRAY(JSON)), x -> json_format(x))")).toEqual(["null"]);
    expect(await value(ctx, "any_match(CAST(JSON '[null]' AS ARRAY(JSON)), x -> x IS NULL)")).toBe(false);
  });

  it("CAST(JSON AS ARRAY(VARCHAR | DOUBLE | BOOLEAN)): each element as the documented scalar casts", async (ctx) => {
    // CAST(JSON 'null' AS VARCHAR) -> NULL; '"abc"' -> abc; '42' -> '42'; 'true' -> 'true'; arrays and objects fail.
    expect(await value(ctx, `CAST(JSON '[null, "abc", 42, true]' AS ARRAY(VARCHAR))`)).toEqual([null, "abc", "42", "true"]);
    expect(await fails(ctx, "CAST(JSON '[[1, 2, 3]]' AS ARRAY(VARCHAR))")).toMatch(/Cannot cast/);
    expect(await value(ctx, "CAST(JSON '[1.234, null]' AS ARRAY(DOUBLE))")).toEqual([1.234, null]);
    expect(await value(ctx, "CAST(JSON '[true, null]' AS ARRAY(BOOLEAN))")).toEqual([true, null]);
    expect(await fails(ctx, "CAST(JSON '{\"a\": 1}' AS ARRAY(JSON))")).toMatch(/Cannot cast/);
  });

  it("json_parse and json_format: the documentation's examples", async (ctx) => {
    expect(await value(ctx, "json_format(json_parse('[1, 2, 3]'))")).toBe("[1,2,3]");
    expect(await value(ctx, `json_format(json_parse('"abc"'))`)).toBe('"abc"');
    expect(await fails(ctx, "json_parse('not_json')")).toMatch(/invalid input syntax for type json/);
    for (const [input, out] of [['{"a": 1, "b": 2}', '{"a":1,"b":2}'], ["[1, 2, 3]", "[1,2,3]"], ['"abc"', '"abc"'], ["42", "42"], ["true", "true"], ["null", "null"]]) {
      expect(await value(ctx, `json_format(JSON '${input}')`)).toBe(out);
    }
  });

  it("json_extract: the legacy path forms the SELECT list uses", async (ctx) => {
    expect(json(await value(ctx, `json_format(json_extract('{"store": {"book": [1], "book name": 2}}', '$.store.book'))`))).toEqual([1]);
    expect(await value(ctx, `json_format(json_extract('{"store": {"book name": 2}}', '$.store["book name"]'))`)).toBe("2");
    expect(await value(ctx, "json_extract('not json', '$.a')")).toBe(null);
  });

  it("nullif: NULL where the two values are equal, else the first (the text logs' '-' for no value)", async (ctx) => {
    expect(await value(ctx, "nullif('-', '-')")).toBe(null);
    expect(await value(ctx, "nullif('10.0.0.1', '-')")).toBe("10.0.0.1");
    expect(await value(ctx, "nullif(CAST(NULL AS VARCHAR), '-')")).toBe(null);
    expect(await value(ctx, "nullif('', '-')")).toBe("");
  });

  it("CASE: the documentation's searched form; no ELSE gives NULL; the quoted-field strip the text logs' SQL uses", async (ctx) => {
    // Trino's conditional expressions: CASE WHEN condition THEN result [...] [ELSE result] END.
    for (const [x, out] of [[1, "aaa"], [2, "bbb"], [3, "ccc"]] as const) {
      expect(await value(ctx, `CASE WHEN ${x} = 1 THEN 'aaa' WHEN ${x} = 2 THEN 'bbb' ELSE 'ccc' END`)).toBe(out);
    }
    expect(await value(ctx, "CASE WHEN 1 = 2 THEN 'a' END")).toBe(null);
    const strip = (s: string) => `CASE WHEN length(${s}) >= 2 AND ${s} LIKE '"%"' THEN substr(${s}, 2, length(${s}) - 2) ELSE ${s} END`;
    expect(await value(ctx, strip(`'"curl/8.4.0"'`))).toBe("curl/8.4.0");
    expect(await value(ctx, strip(`'"'`))).toBe('"');
    expect(await value(ctx, strip(`'""'`))).toBe("");
    expect(await value(ctx, strip(`'-'`))).toBe("-");
  });

  it("TRY_CAST(x AS DOUBLE): NULL where the cast fails", async (ctx) => {
    expect(await value(ctx, "TRY_CAST('1.5' AS DOUBLE)")).toBe(1.5);
    expect(await value(ctx, "TRY_CAST('-3' AS DOUBLE)")).toBe(-3);
    expect(await value(ctx, "TRY_CAST('1e3' AS DOUBLE)")).toBe(1000);
    expect(await value(ctx, "TRY_CAST('abc' AS DOUBLE)")).toBe(null);
    expect(await value(ctx, "TRY_CAST('' AS DOUBLE)")).toBe(null);
  });

  it("TRY_CAST(x AS IPADDRESS) and contains(network, address): the documentation's examples", async (ctx) => {
    expect(await value(ctx, "contains('10.0.0.0/8', IPADDRESS '10.255.255.255')")).toBe(true);
    expect(await value(ctx, "contains('10.0.0.0/8', IPADDRESS '11.255.255.255')")).toBe(false);
    expect(await value(ctx, "contains('2001:0db8:0:0:0:ff00:0042:8329/128', IPADDRESS '2001:0db8:0:0:0:ff00:0042:8329')")).toBe(true);
    expect(await value(ctx, "contains('2001:0db8:0:0:0:ff00:0042:8329/128', IPADDRESS '2001:0db8:0:0:0:ff00:0042:8328')")).toBe(false);
    expect(await value(ctx, "contains('10.0.0.0/8', TRY_CAST('10.1.2.3' AS IPADDRESS))")).toBe(true);
    for (const bad of ["AWS Internal", "", "010.1.2.3", "10.1.2", "10.1.2.3/8", "fe80::1%eth0", "256.1.1.1", "::1/128"]) {
      expect(await value(ctx, `TRY_CAST('${bad}' AS IPADDRESS)`), bad).toBe(null);
    }
    expect(await value(ctx, "contains('0.0.0.0/0', TRY_CAST('2001:db8::1' AS IPADDRESS))")).toBe(false);
    expect(await value(ctx, "contains('10.0.0.0/8', TRY_CAST('x' AS IPADDRESS))")).toBe(null);
  });
});

describe("R4: Java regular expressions (regexp.md)", () => {
  it("regexp_like and regexp_replace: the documentation's examples", async (ctx) => {
    expect(await value(ctx, "regexp_like('1a 2b 14m', '\\d+b')")).toBe(true);
    expect(await value(ctx, "regexp_replace('1a 2b 14m', '(\\d+)([ab]) ', '3c$2 ')")).toBe("3ca 3cb 14m");
    expect(await value(ctx, "regexp_like('Abdadfadf', '^A')")).toBe(true);
    expect(await value(ctx, "regexp_like('AdafdfH', 'H$')")).toBe(true);
  });

  it("the constructs the target writes: \\A \\z, classes, escapes, lookahead, \\p{L}", async (ctx) => {
    expect(pgRegex("\\A-?[0-9]+(?:\\.[0-9]+)?\\z")).toBe("\\A-?[0-9]+(?:\\.[0-9]+)?\\Z");
    const cases: [string, string, boolean][] = [
      ["x\n", "\\Ax\\z", false],
      ["x\n", "x$", true],
      ["x", "\\Ax\\z", true],
      ["a\nb", "a[^\\n]b", false],
      ["a\nb", "a(?:(?![0-9])[\\s\\S])b", true],
      ["tab\there", "[ \\t\\n\\r\\f\\x0B]", true],
      ["é", "\\x{00E9}", true],
      ["a]b", "[\\]]", true],
      ["a-b", "[\\-]", true],
      ["1.5", "\\A-?[0-9]+(?:\\.[0-9]+)?\\z", true],
      ["1e3", "\\A-?[0-9]+(?:\\.[0-9]+)?\\z", false],
      ["٣", "\\d", false],
      ["a\rb", "a.b", false],
    ];
    for (const [s, p, want] of cases) expect(await value(ctx, `regexp_like('${s.replace(/'/g, "''")}', '${p}')`), `${JSON.stringify(s)} ~ ${p}`).toBe(want);
    // The final-sigma step of the target's lower case.
    expect(await value(ctx, "regexp_replace('ΟΔΟΣ ΑΣ Β Σ', '(\\p{L})Σ(?!\\p{L})', '$1ς')")).toBe("ΟΔΟς Ας Β Σ");
  });
});

describe("R5-R7: rows, IS NULL, typed literals", () => {
  it("a dereference reads a composite field; IS NULL is false for a row whose fields are all NULL (Trino's rows)", async (ctx) => {
    const runner = pg.need(ctx);
    await runner.client.query("CREATE TYPE rc_doc_issuer AS (type text, arn text)");
    const from = "FROM (VALUES (1, ROW('Role', 'arn:x')::rc_doc_issuer), (2, ROW(NULL, NULL)::rc_doc_issuer), (3, NULL::rc_doc_issuer)) AS t(k, issuer) ORDER BY k";
    expect(await values(ctx, "issuer.arn", from)).toEqual(["arn:x", null, null]);
    expect(await values(ctx, "issuer IS NULL", from)).toEqual([false, false, true]);
    expect(await values(ctx, "issuer IS NOT NULL", from)).toEqual([true, true, false]);
  });

  it("DOUBLE literals", async (ctx) => {
    expect(await value(ctx, "DOUBLE '-1.5' < 0")).toBe(true);
    expect(translateExpr(parseExpr("x <= DOUBLE '-1.5'")).sql).toBe(`("x" <= CAST('-1.5' AS double precision))`);
  });
});

describe("the probes of `rulec athena check` on PostgreSQL", () => {
  it("each probe the layer can translate gives the answer the check expects from Athena", async (ctx) => {
    const runner = pg.need(ctx);
    let translated = 0;
    for (const f of TRINO_FUNCTIONS) {
      let sql: string;
      try {
        sql = translateExpr(parseExpr(`CAST(${f.probe} AS VARCHAR)`)).sql;
      } catch (e) {
        if (e instanceof Untranslatable || e instanceof SqlSyntaxError) continue;
        throw e;
      }
      translated++;
      const got = (await runner.client.query<{ v: string }>(`SELECT ${sql} AS v`)).rows[0]!.v;
      expect(got, f.name).toBe(f.expected);
    }
    expect(translated).toBeGreaterThanOrEqual(15);
  });
});

describe("the private cluster", () => {
  it("runs as an unprivileged user, with its data in a temporary directory, on a Unix socket only", async (ctx) => {
    const runner = pg.need(ctx);
    const row = (await runner.client.query<{ pid: number; dir: string; listen: string; version: string }>(
      "SELECT pg_backend_pid() AS pid, current_setting('data_directory') AS dir, current_setting('listen_addresses') AS listen, current_setting('server_version_num') AS version",
    )).rows[0]!;
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${row.pid}/status`, "utf8"))![1]);
    expect(uid).not.toBe(0);
    expect(row.dir.startsWith(tmpdir())).toBe(true);
    expect(row.listen).toBe("");
    expect(Number(row.version)).toBeGreaterThanOrEqual(150000);
  });
});
