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

  it("refuses what it does not implement", () => {
    const a = analyse('print r = "a" has "a"', NO_TABLE);
    expect(() => runQuery(a.syntax, {})).toThrow(/operator has/);
  });
});
