import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import jsYaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { OPERATORS } from "../../src/ast/nodes.js";
import { parseChevrotain, parseCondition } from "../../src/syntax/ast.js";
import { parseFast, wordKind } from "../../src/syntax/fast.js";
import * as T from "../../src/syntax/tokens.js";
import { arbConditionText } from "../helpers/arbitraries.js";

/**
 * The fast path of the condition parser (src/syntax/fast.ts) against the Chevrotain parser: what
 * the fast path accepts, the Chevrotain parser accepts without a diagnostic, with the same AST
 * (key order and -0 included); what it gives up on goes to the Chevrotain parser unchanged.
 */

const root = new URL("../../", import.meta.url).pathname;

/** Every Condition of a rule file under the folders (the shipped rules and the test fixtures). */
function conditions(...dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name)) {
        let doc: unknown;
        try {
          doc = jsYaml.load(readFileSync(p, "utf8"), { schema: jsYaml.CORE_SCHEMA });
        } catch {
          continue;
        }
        const c = (doc as { Condition?: unknown } | null)?.Condition;
        if (typeof c === "string") out.push(c);
      }
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out;
}

/** The fast path agrees with the Chevrotain parser on `text` (when it takes it at all). */
function agrees(text: string): boolean {
  const fast = parseFast(text);
  const slow = parseChevrotain(text);
  if (fast !== undefined) {
    expect(slow.diagnostics, text).toEqual([]);
    expect(fast, text).toStrictEqual(slow.ast);
    expect(JSON.stringify(fast), text).toBe(JSON.stringify(slow.ast));
  }
  expect(parseCondition(text), text).toStrictEqual(fast !== undefined ? { ast: fast, diagnostics: [] } : slow);
  return fast !== undefined;
}

describe("the fast condition parser", () => {
  it("takes every condition of the shipped rules, with the Chevrotain parser's AST", () => {
    const shipped = conditions("rules");
    expect(shipped.length).toBeGreaterThan(100);
    for (const text of shipped) expect(agrees(text), text).toBe(true);
  });

  it("agrees on every condition of the test fixtures (valid or not)", () => {
    const all = conditions("test");
    expect(all.length).toBeGreaterThan(30);
    let fast = 0;
    for (const text of all) if (agrees(text)) fast++;
    // Most fixtures are valid conditions; the invalid ones go to Chevrotain.
    expect(fast).toBeGreaterThan(all.length / 2);
  });

  it("reads every keyword and operator as the Chevrotain lexer does, and words around them as identifiers", () => {
    const keywords = ["not", "and", "or", "exists", "empty", "true", "false", ...OPERATORS];
    const words = [...keywords, ...keywords.flatMap((w) => [w + "x", w + "_", w + "1", w.slice(0, -1), "x" + w, w.toUpperCase()]), "i", "e", "inx", "ieqx"];
    for (const w of words) {
      const lexed = T.conditionLexer.tokenize(w);
      expect(lexed.errors, w).toEqual([]);
      expect(lexed.tokens.length, w).toBe(1);
      const type = lexed.tokens[0]!.tokenType;
      const name = (type.CATEGORIES ?? []).includes(T.Operator) ? "Operator" : type.name;
      expect(wordKind(w), w).toBe(name);
      // The scanner looks up words of 2 to 11 letters only.
      if (keywords.includes(w)) expect(w.length >= 2 && w.length <= 11, w).toBe(true);
    }
  });

  it("agrees on the canonical conditions", () => {
    const lines = readFileSync(join(root, "test/frontend/canonical.txt"), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("#"));
    for (const text of lines) expect(agrees(text), text).toBe(true);
  });

  it("agrees on generated conditions", () => {
    fc.assert(
      fc.property(arbConditionText, (text) => {
        expect(agrees(text)).toBe(true);
      }),
      { seed: 23, numRuns: 3000 },
    );
  });

  it("agrees on edge cases of the lexer and the grammar", () => {
    const cases = [
      "a eq true", "a eq false", "a eq true.x", "a eq truex", "a eq `true`", "a eq null", "a eq exists", "a eq and and b exists",
      "exists exists", "empty empty", "and eq 1", "or exists", "not exists", "not not a exists", "a.not exists", "a.or.and eq 1",
      "a in [1,2,]", "a in [1,,]", "a in [1, x]", "a in []", "a in [true.x]", "a in [1 2]", "a eq -0", "a eq -0.0", "a eq 1e5",
      "a eq 1e", "a eq 01", "a eq 1.", "a eq .5", "a.5 exists", "a eq -", "a eq -.5", "a eq 12abc", "ieq eq 1", "a ine 1",
      "a inx 1", "a in_ [1]", "a iin [1]", "notes exists", "nota exists", "`` exists", "`a``b` exists", "a.`` exists",
      "`a\nb` exists", "a eq 'x''y'", "a eq 'x''", "a eq ''''", "a eq '", 'a eq "x\\"y"', 'a eq "\\u0041"', 'a eq "\\u004"',
      'a eq "\\x"', 'a eq "\\', 'a eq "x', "a eq \"a\tb\"", "a[b eq 1]", "a[b eq 1", "a[b[c exists]]", "(a exists", "a exists)",
      "((a exists))", "(a exists or b exists) or c exists", "(a exists and b exists) and (c exists)", "a exists # c", "# only",
      "", "   ", "\ufeffa exists", "a\u00a0exists", "a\u2028exists", "a é 1", "é exists", "a eq 1\r\nand b eq 2", "a\vexists",
      "a eq 1 and", "a eq 1 or or b eq 2", "not", "not (a exists)", "not(a exists)", "a eq b.c", "a eq `b`.c", "a eq b.`c`",
      "a eq (1)", "a eq [1]", "a eq [", "a exists and not b exists or c empty", "a eq\"x\"", "a eq'x'", "a_b9.c_ eq 1",
      "_ exists", "a eq true and b eq false", "a cidr '10.0.0.0/8'", "a matches 'x'''", ...OPERATORS.map((op) => `${op} ${op} ${op}`),
      "(".repeat(64) + "a exists" + ")".repeat(64), "(".repeat(65) + "a exists" + ")".repeat(65), "not ".repeat(70) + "a exists",
    ];
    for (const text of cases) agrees(text);
  });

  it("agrees on arbitrary text over the language's alphabet", () => {
    const alphabet = fc.constantFrom(
      ..."ab eqnotandor()[]`'\",.#\\\n\r\t0123456789-eE+_é\u00a0".split(""),
      " eq ", " and ", " or ", " not ", " in ", " exists", " empty", "true", "false", '"x"', "'y'", "`z`", " [", "] ", "ieq", "-1.5e3",
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 30 }).map((xs) => xs.join("")), (text) => {
        agrees(text);
      }),
      { seed: 29, numRuns: 20000 },
    );
  });
});
