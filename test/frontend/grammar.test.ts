import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { grammarDiagramsHtml, grammarEbnf } from "../../src/syntax/grammar.js";
import { ConditionParser } from "../../src/syntax/parser.js";

describe("grammar/ is generated from the parser", () => {
  it("condition.ebnf is up to date (npm run grammar)", () => {
    expect(readFileSync(new URL("../../grammar/condition.ebnf", import.meta.url), "utf8")).toBe(grammarEbnf());
  });
  it("diagrams.html is up to date (npm run grammar)", () => {
    expect(readFileSync(new URL("../../grammar/diagrams.html", import.meta.url), "utf8")).toBe(grammarDiagramsHtml());
  });
});

describe("the parser's grammar", () => {
  it("passes Chevrotain's own validations (ambiguities, left recursion), which the program skips at start-up", () => {
    expect(() => new ConditionParser(true)).not.toThrow();
  });
});
