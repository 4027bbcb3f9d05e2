import { describe, expect, it } from "vitest";
import { checkCondition } from "../../src/check/check.js";
import { evaluate } from "../../src/eval/evaluate.js";
import { parseCondition } from "../../src/syntax/ast.js";
import { conformanceCases, conformanceErrors } from "../helpers/conformance.js";

const cases = conformanceCases();

describe("conformance: the reference evaluator on LANGUAGE.md sections 3 and 3.1", () => {
  it("has cases for every bullet", () => {
    const sections = new Set(cases.map((c) => c.section));
    expect(cases.length).toBeGreaterThanOrEqual(700);
    expect(sections.size).toBeGreaterThanOrEqual(30);
  });

  for (const section of [...new Set(cases.map((c) => c.section))]) {
    it(section, () => {
      const failures = cases
        .filter((c) => c.section === section)
        .filter((c) => evaluate(c.condition, c.event) !== c.expected)
        .map((c) => `${c.name}: ${c.text} on ${JSON.stringify(c.event)} should be ${c.expected}`);
      expect(failures).toEqual([]);
    });
  }
});

describe("conformance: conditions that must not compile", () => {
  for (const e of conformanceErrors()) {
    it(`${e.code}: ${e.name}`, () => {
      const parsed = parseCondition(e.condition);
      const diagnostics = parsed.ast ? checkCondition(parsed.ast, { text: e.condition }).diagnostics : parsed.diagnostics;
      expect(diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toContain(e.code);
    });
  }
});
