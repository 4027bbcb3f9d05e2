import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { printCondition } from "../../src/ast/print.js";
import { MAX_DEPTH, parseCondition } from "../../src/syntax/ast.js";
import { arbConditionText } from "../helpers/arbitraries.js";

const canonical = readFileSync(new URL("./canonical.txt", import.meta.url), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "" && !l.startsWith("#"));

function reprint(text: string): string {
  const r = parseCondition(text);
  if (!r.ast) throw new Error(`${text}: ${JSON.stringify(r.diagnostics)}`);
  return printCondition(r.ast);
}

describe("canonical printer", () => {
  for (const line of canonical) {
    it(`round-trips ${line}`, () => expect(reprint(line)).toBe(line));
  }

  it("formats to canonical form: spacing, redundant parentheses, comments, line breaks", () => {
    expect(reprint("  a   eq 1  # trailing comment\n and\n(b eq 2)")).toBe("a eq 1 and b eq 2");
    expect(reprint("((a eq 1))")).toBe("a eq 1");
    expect(reprint("(a eq 1 or b eq 2) or (c eq 3)")).toBe("a eq 1 or b eq 2 or c eq 3");
    expect(reprint("a in [1,2,]")).toBe("a in [1, 2]");
    expect(reprint('a eq "\\u0041"')).toBe('a eq "A"');
  });

  it("is idempotent on generated conditions", () => {
    fc.assert(
      fc.property(arbConditionText, (text) => {
        const once = reprint(text);
        expect(reprint(once)).toBe(once);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});

describe("parser robustness", () => {
  it("never throws on arbitrary input and returns an AST or diagnostics", () => {
    const alphabet = fc.constantFrom(..."ab eqnotandor()[]`'\",.#\\\n0123456789-*?é".split(""), " eq ", " and ", " not ", " in ", "exists", "\"x\"");
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(alphabet, { maxLength: 40 }).map((xs) => xs.join(""))), (text) => {
        const r = parseCondition(text);
        expect(r.ast !== undefined || r.diagnostics.length > 0).toBe(true);
        if (r.ast === undefined) for (const d of r.diagnostics) expect(d.start).toBeLessThanOrEqual(text.length);
      }),
      { seed: 11, numRuns: 5000 },
    );
  });

  it("rejects conditions nested 10,000 deep with a diagnostic, quickly", () => {
    for (const text of ["(".repeat(10_000) + "a exists" + ")".repeat(10_000), "not ".repeat(10_000) + "a exists", "a[".repeat(10_000) + "b exists" + "]".repeat(10_000)]) {
      const t = performance.now();
      const r = parseCondition(text);
      expect(performance.now() - t).toBeLessThan(1000);
      expect(r.ast).toBeUndefined();
      expect(r.diagnostics[0]?.code).toBe("RC108");
    }
    expect(parseCondition("(".repeat(MAX_DEPTH - 1) + "a exists" + ")".repeat(MAX_DEPTH - 1)).ast).toBeDefined();
  });

  it("parses a 1 MB condition", () => {
    const text = Array.from({ length: 80_000 }, (_, i) => `a.b eq "${i}"`).join(" or ");
    expect(text.length).toBeGreaterThan(1_000_000);
    const r = parseCondition(text);
    expect(r.ast?.kind).toBe("or");
  });

  it("reports positions of syntax errors", () => {
    const cases: [string, string, number, number][] = [
      ["a equals 1", "RC105", 2, 8],
      ["a eq", "RC104", 2, 4],
      ["a eq 1 b eq 2", "RC104", 7, 8],
      ['a eq "x', "RC102", 5, 7],
      ["a @ 1", "RC101", 2, 3],
      ["a gt 01", "RC107", 5, 7],
      ['a eq "\\x41"', "RC103", 6, 8],
      ["`` exists", "RC106", 0, 2],
    ];
    for (const [text, code, start, end] of cases) {
      const d = parseCondition(text).diagnostics[0];
      expect({ text, code: d?.code, start: d?.start, end: d?.end }).toEqual({ text, code, start, end });
    }
    expect(parseCondition("a equals 1").diagnostics[0]?.message).toBe("unknown operator 'equals' (did you mean 'eq'?)");
  });
});
