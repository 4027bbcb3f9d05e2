import { describe, expect, it } from "vitest";
import { runQuery, type Row } from "./kql-eval.js";
import { analyse } from "./kusto.js";

/**
 * The KQL evaluator on the examples of Microsoft's KQL documentation (each function's and
 * operator's page on learn.microsoft.com/kusto/query), as `print` statements the language
 * service parses and analyses without errors, and on the documented null and case rules.
 */

const NO_TABLE = { table: "T", columns: { S: "string" } } as const;

function print(expr: string): unknown {
  const query = `print r = ${expr}`;
  const a = analyse(query, NO_TABLE);
  expect(a.errors, query).toEqual([]);
  return (runQuery(a.syntax, {})[0] as Row).r;
}

describe("KQL evaluator: the documentation's examples", () => {
  it.each([
    // tolower(): "Converts the input string to lower case."
    ['tolower("Hello")', "hello"],
    // replace_string(): every occurrence of the lookup.
    ['replace_string("A magic trick can turn a cat into a dog", "cat", "hamster")', "A magic trick can turn a hamster into a dog"],
    ['replace_string("Number is 1 and 1", "1", "2")', "Number is 2 and 2"],
    // ipv4_is_in_range(): equal addresses; a 24-bit prefix; another network; a malformed address (null).
    ['ipv4_is_in_range("127.0.0.1", "127.0.0.1")', true],
    ['ipv4_is_in_range("192.168.1.1", "192.168.1.255/24")', true],
    ['ipv4_is_in_range("192.168.1.6", "192.168.1.1/24")', true],
    ['ipv4_is_in_range("192.168.1.1", "192.168.2.1/24")', false],
    ['ipv4_is_in_range("not an ip", "10.0.0.0/8")', null],
    // ipv6_is_in_range(): the documentation's rows (a /112 network; the address itself as the
    // range; another network), a range with bits past its prefix (ipv6_is_in_any_range's
    // `.../f6cd/112`), compressed forms, IPv4 text (read as IPv4-mapped), and malformed text (null).
    ['ipv6_is_in_range("a5e:f127:8a9d:146d:e102:b5d3:c755:abcd", "a5e:f127:8a9d:146d:e102:b5d3:c755:0000/112")', true],
    ['ipv6_is_in_range("a5e:f127:8a9d:146d:e102:b5d3:c755:abcd", "a5e:f127:8a9d:146d:e102:b5d3:c755:abcd")', true],
    ['ipv6_is_in_range("a5e:f127:8a9d:146d:e102:b5d3:c755:abcd", "0:0:0:0:0:ffff:c0a8:ac/60")', false],
    ['ipv6_is_in_range("a5e:f127:8a9d:146d:e102:b5d3:c755:abcf", "a5e:f127:8a9d:146d:e102:b5d3:c755:f6cd/112")', true],
    ['ipv6_is_in_range("a5e:f127:8a9d:146d:e102:b5d3:c756:abd1", "a5e:f127:8a9d:146d:e102:b5d3:c755:f6cd/112")', false],
    ['ipv6_is_in_range("fe80::85d:e82c:9446:7994", "fe80::85d:e82c:9446:7900/120")', true],
    ['ipv6_is_in_range("fe80::85d:e82c:9446:8994", "fe80::85d:e82c:9446:7900/120")', false],
    ['ipv6_is_in_range("2001:DB8::1", "2001:db8::/32")', true],
    ['ipv6_is_in_range("192.168.1.1", "::ffff:c0a8:100/120")', true],
    // A dotted-quad tail, which no page shows: refused here (the target rewrites it to hex first).
    ['ipv6_is_in_range("::ffff:192.168.1.1", "::/0")', null],
    ['ipv6_is_in_range("::1", "::/0")', true],
    ['ipv6_is_in_range("not an ip", "2001:db8::/32")', null],
    ['ipv6_is_in_range("1::2::3", "::/0")', null],
    ['ipv6_is_in_range("2001:db8::1", "2001:db8::/129")', null],
    // parse_ipv4(), tohex(), substring(), strcat(), extract(): their pages' examples.
    ['parse_ipv4("127.0.0.1")', 2130706433],
    ['parse_ipv4("192.168.1.1")', 3232235777],
    ['parse_ipv4("not an ip")', null],
    ["tohex(256)", "100"],
    ["tohex(-256)", "ffffffffffffff00"],
    ["tohex(256, 8)", "00000100"],
    ['substring("123456", 1)', "23456"],
    ['substring("123456", 2, 2)', "34"],
    ['substring("ABCD", 0, 2)', "AB"],
    ['strcat("hello", " ", "world")', "hello world"],
    ['extract("x=([0-9.]+)", 1, "hello x=45.6|wo")', "45.6"],
    ['extract("^.{2,2}(.{4,4})", 1, "abcdefg")', "cdef"],
    ['extract("User: ([^,]+)", 1, "User: David, Age: 35")', "David"],
    ['extract("Email: ([^,]+),", 1, "User: David, Age: 35")', ""],
    // isempty(): true for "" and null; isnotempty() its negation.
    ['isempty("")', true],
    ['isempty("x")', false],
    ['isnotempty("")', false],
    ['isnotempty("x")', true],
    // iff(): the second argument when the predicate is true, else the third.
    ['iff(1 > 0, "yes", "no")', "yes"],
    ['iff(1 < 0, "yes", "no")', "no"],
    // todouble(): the number; null when the text spells none.
    ['todouble("1.5")', 1.5],
    ['todouble("-3")', -3],
    ['todouble("abc")', null],
    // String operators: the _cs forms are case-sensitive.
    ['"abcdef" contains_cs "cde"', true],
    ['"abcdef" contains_cs "CDE"', false],
    ['"abcdef" startswith_cs "abc"', true],
    ['"abcdef" startswith_cs "ABC"', false],
    ['"abcdef" endswith_cs "def"', true],
    ['"abcdef" endswith_cs "DEF"', false],
    ['"abc" == "abc"', true],
    ['"abc" == "ABC"', false],
    ['"abc" != "ABC"', true],
    ['"b" in ("a", "b")', true],
    ['"B" in ("a", "b")', false],
    // matches regex: a match anywhere in the string (RE2).
    ['"abcdef" matches regex "c.e"', true],
    ['"abcdef" matches regex "^c"', false],
    ['"a\\nb" matches regex "a.b"', false],
    ['"ab\\n" matches regex "b\\\\z"', false],
    // Logical operators and not().
    ["true and false", false],
    ["true or false", true],
    ["not(true)", false],
    ["not(false)", true],
    // parse_json, element access, tostring.
    ['tostring(parse_json("{\\"a\\": {\\"b\\": 1}}")["a"]["b"])', "1"],
    ['tostring(parse_json("{\\"a\\": 1}")["missing"])', ""],
  ])("%s", (expr, want) => {
    expect(print(expr)).toEqual(want);
  });

  it("null semantics: comparisons with null are null; iff and not follow the documentation", () => {
    const a = analyse("T | where iff(isnull(B), false, B) | project B", { table: "T", columns: { B: "bool" } });
    expect(a.errors).toEqual([]);
    expect(runQuery(a.syntax, { T: [{ B: true }, { B: false }, { B: null }] })).toEqual([{ B: true }]);
    const n = analyse("T | where not(B) | project B", { table: "T", columns: { B: "bool" } });
    // not(null) is null: the row is dropped, as is a false row.
    expect(runQuery(n.syntax, { T: [{ B: true }, { B: false }, { B: null }] })).toEqual([{ B: false }]);
  });

  it("tolower maps each character alone (simple case mapping)", () => {
    expect(print('tolower("İ")')).toBe("i");
    expect(print('tolower("ΟΔΟΣ")')).toBe("οδοσ");
    expect(print('tolower(replace_string("İ", "İ", "i̇"))')).toBe("i\u0307");
  });

  it.each([
    // gettype(): the documentation's table (the rows of JSON values).
    ["gettype(\"a\")", "string"],
    ["gettype(1==1)", "bool"],
    ["gettype(parse_json('1'))", "int"],
    ["gettype(parse_json(' \"abc\" '))", "string"],
    ["gettype(parse_json(' {\"abc\":1} '))", "dictionary"],
    ["gettype(parse_json(' [1, 2, 3] '))", "array"],
    ["gettype(parse_json(''))", "null"],
    ["gettype(parse_json('1.5'))", "real"],
    ["gettype(parse_json('true'))", "bool"],
    ["gettype(parse_json('null'))", "null"],
    ["gettype(parse_json('{\"a\": 1}')[\"b\"])", "null"],
    // parse_json(): text that is not JSON is kept as a dynamic string.
    ["gettype(parse_json('not json'))", "string"],
    ["tostring(parse_json('not json'))", "not json"],
    // array_length(): the number of elements; null for a value that is not an array.
    ["array_length(parse_json('[1, 2, 3, \"four\"]'))", 4],
    ["array_length(parse_json('21'))", null],
    ["array_length(parse_json('[]'))", 0],
    // bag_keys(): the keys of a property bag.
    ["array_length(bag_keys(parse_json('{\"a\": \"b\", \"c\": 123}')))", 2],
    ["array_length(bag_keys(parse_json('{}')))", 0],
    // pack_array(): an array of the values.
    ["array_length(pack_array(1, 2, 4))", 3],
    ["gettype(pack_array(parse_json('[]')))", "array"],
    // isnull() on dynamic values: null for a JSON null or a missing key.
    ["isnull(parse_json('null'))", true],
    ["isnull(parse_json('{\"a\": null}')[\"a\"])", true],
    ["isnull(parse_json('{\"a\": 0}')[\"a\"])", false],
    ["isnotnull(parse_json('\"\"'))", true],
    ["isnull(parse_json('{}')[\"constructor\"])", true],
    // Conversions of dynamic values.
    ["todouble(parse_json('{\"a\": 12}')[\"a\"])", 12],
    ["tobool(parse_json('true'))", true],
    ["tostring(parse_json('[1,2]'))", "[1,2]"],
    ["tostring(parse_json('\"x\"'))", "x"],
  ])("dynamic: %s", (expr, want) => {
    expect(print(expr)).toEqual(want);
  });

  const JSON_ROWS = { table: "T", columns: { S: "string" } } as const;
  const rowsOf = (query: string, texts: string[]) => {
    const a = analyse(query, JSON_ROWS);
    expect(a.errors, query).toEqual([]);
    return runQuery(a.syntax, { T: texts.map((S) => ({ S })) });
  };

  it("mv-expand: one row per element, one row for null, none for an empty array (the documentation's rules)", () => {
    const q = "T | mv-expand b = parse_json(S) | project S, v = tostring(b)";
    expect(rowsOf(q, ["[10, 20]", '["a", "b"]'])).toEqual([
      { S: "[10, 20]", v: "10" },
      { S: "[10, 20]", v: "20" },
      { S: '["a", "b"]', v: "a" },
      { S: '["a", "b"]', v: "b" },
    ]);
    expect(rowsOf(q, ["null", "[]", "[[1], 2]"])).toEqual([
      { S: "null", v: "" },
      { S: "[[1], 2]", v: "[1]" },
      { S: "[[1], 2]", v: "2" },
    ]);
  });

  it("summarize without by: one row even from no rows, count() and countif() 0 (the aggregates' default values)", () => {
    expect(rowsOf("T | where S == \"none\" | summarize n = count(), m = countif(S == \"x\")", ["a", "x"])).toEqual([{ n: 0, m: 0 }]);
    expect(rowsOf("T | summarize n = count(), m = countif(S == \"x\") > 0", ["a", "x", "x"])).toEqual([{ n: 3, m: true }]);
  });

  it("mv-apply: the subquery per row over its elements, joined with the row's columns; summarize keeps a row with an empty array", () => {
    const q = "T | mv-apply e = parse_json(S) on (summarize n = count(), big = countif(todouble(e) > 10.0) > 0) | project S, n, big";
    expect(rowsOf(q, ["[1, 20]", "[1, 2]", "[]"])).toEqual([
      { S: "[1, 20]", n: 2, big: true },
      { S: "[1, 2]", n: 2, big: false },
      { S: "[]", n: 0, big: false },
    ]);
    // A subquery that gives no rows drops the row.
    expect(rowsOf("T | mv-apply e = parse_json(S) on (where todouble(e) > 10.0) | project S", ["[1, 20]", "[1, 2]"])).toEqual([{ S: "[1, 20]" }]);
  });

  it("mv-apply of two arrays: side by side, null past the shorter; the subquery is given only the expanded columns", () => {
    // The documentation's processing steps: each row expanded into a subtable of the expanded
    // arrays ("null values are added where ... the arrays have different lengths"), the subquery
    // applied to it, the columns not expanded added to its result.
    const q = "T | mv-apply a = parse_json(S), b = pack_array(S) on (summarize n = count(), nulls = countif(isnull(a)), same = countif(tostring(b) == S)) | project S, n, nulls, same";
    expect(rowsOf(q.replace("tostring(b) == S", "isnotnull(b)"), ["[1]", "[1, 2, 3]", "[]"])).toEqual([
      { S: "[1]", n: 1, nulls: 0, same: 1 },
      { S: "[1, 2, 3]", n: 3, nulls: 0, same: 1 },
      { S: "[]", n: 1, nulls: 1, same: 1 },
    ]);
    // Reading a column that was not expanded inside the subquery is outside what the evaluator
    // takes (the target binds every column it compares as an expanded one).
    const a = analyse(q, JSON_ROWS);
    expect(a.errors).toEqual([]);
    expect(() => runQuery(a.syntax, { T: [{ S: "[1]" }] })).toThrow(/column S/);
  });

  it("refuses what it does not implement", () => {
    for (const q of ['print r = parse_json("1") == 1', 'T | mv-expand b = parse_json(S) | project S']) {
      const a = analyse(q, JSON_ROWS);
      expect(a.errors).toEqual([]);
      expect(() => runQuery(a.syntax, { T: [{ S: '{"a": 1}' }] })).toThrow(/dynamic|mv-expand/);
    }
    const a = analyse('print r = "a" has "a"', NO_TABLE);
    expect(() => runQuery(a.syntax, {})).toThrow(/operator has/);
  });
});
