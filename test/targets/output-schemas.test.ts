import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VALIDATORS, validatorSource } from "../../scripts/schemas.js";
import { loadRuleText } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";
import { validator as pantherValidator } from "../../src/targets/panther/schema/validate.js";
import { validator as sigmaValidator } from "../../src/targets/sigma/schema/validate.js";
import { validateOutput } from "../../src/targets/validation.js";

const validatePanther = pantherValidator();
const validateSigma = sigmaValidator();

/** The validators the targets run on what they write, generated from the vendored schemas. */

describe("the targets' output validators", () => {
  for (const v of VALIDATORS) {
    it(`${v.module} is generated from ${v.schema} and up to date (npx tsx scripts/schemas.ts)`, () => {
      expect(readFileSync(new URL(`../../${v.module}`, import.meta.url), "utf8")).toBe(validatorSource(v.schema));
    });
  }

  it("accept what the schemas accept and refuse what they refuse", () => {
    expect(validateSigma({ title: "t", logsource: { product: "aws" }, detection: { s: { a: 1 }, condition: "s" }, level: "low" })).toBe(true);
    expect(validateSigma({ title: "t", logsource: { product: "aws" }, detection: { s: { a: 1 } }, level: "loud" })).toBe(false);
    expect(validatePanther({ AnalysisType: "rule", RuleID: "R", Reports: { CIS: [3.5, "1.2"] }, Tests: [{ Name: "n", ExpectedResult: true, Log: {} }] })).toBe(true);
    expect(validatePanther({ AnalysisType: "rule", Reports: { CIS: [true] } })).toBe(false);
    expect(validatePanther({ AnalysisType: "rule", Tests: [{ Name: "n", ExpectedResult: "yes", Log: {} }] })).toBe(false);
  });

  it("turn a document that fails its schema into an RC402 error naming the place", () => {
    const rule = loadRuleText('RuleID: R\nDisplayName: D\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nCondition: eventName eq "x"\n', "rules/r.yml").rule as Rule;
    expect(validateOutput("Sigma", "the Sigma rule schema", validateSigma, { title: "t", logsource: {}, detection: { condition: "s" }, level: "loud" }, rule)).toEqual([
      {
        code: "RC402",
        severity: "error",
        file: "rules/r.yml",
        message: "Sigma: the output does not validate against the Sigma rule schema (/level must be equal to constant); this is a bug in rulec, please report it",
      },
    ]);
    expect(validateOutput("Sigma", "the Sigma rule schema", validateSigma, { title: "t", logsource: {}, detection: { condition: "s" }, level: "low" }, rule)).toEqual([]);
  });
});
