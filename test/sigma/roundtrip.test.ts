import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { evaluate } from "../../src/eval/evaluate.js";
import { importSigma } from "../../src/import/sigma/index.js";
import { loadRuleFiles, loadRuleText } from "../../src/rules/load.js";
import { sigmaTarget } from "../../src/targets/sigma/index.js";
import { generateCases } from "../helpers/arbitraries.js";
import { conformanceCases } from "../helpers/conformance.js";
import { SIGMA_SCHEMA, roundTrip, validateSigma, wrap } from "./harness.js";
import { TYPED_SCHEMA, typedCases } from "./typed.js";

/**
 * The proof of the Sigma target: source -> Sigma YAML -> `rulec import sigma` -> evaluator gives
 * the source's verdict on every event, and every emitted rule validates against Sigma's schema.
 * What the target rejects (RC401) is counted, never compared.
 */

const OPTIONS = { author: "rulec tests", date: "2025-01-15", status: "test" };

describe("round trip of the shipped rules through Sigma", () => {
  const { rules, diagnostics } = loadRuleFiles([new URL("../../rules", import.meta.url).pathname]);
  it("loads the library", () => {
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(rules.length).toBeGreaterThan(0);
  });
  const stats = { rules: 0, expressed: 0, tests: 0 };
  for (const rule of rules) {
    it(`${rule.name}: same verdict on every Test, or RC401`, () => {
      stats.rules++;
      const out = sigmaTarget.compile(rule, OPTIONS);
      if (out.files.length === 0) {
        expect(out.diagnostics.some((d) => d.code === "RC401" && d.severity === "error")).toBe(true);
        return;
      }
      stats.expressed++;
      const file = out.files[0]!;
      expect(file.path).toBe(`sigma/${rule.name}.yml`);
      const doc = YAML.parse(file.content);
      const v = validateSigma(doc);
      expect(v.errors).toBe("");
      const imported = importSigma(file.content, file.path);
      expect(imported.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const loaded = loadRuleText(imported.rules[0]!.text, `rules/${rule.name}.yml`);
      expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const back = loaded.rule!;
      expect(back.severity).toBe(rule.severity);
      expect(back.logTypes).toEqual(rule.logTypes);
      for (const t of rule.tests) {
        stats.tests++;
        expect({ test: t.name, verdict: evaluate(back.condition, t.log) }).toEqual({ test: t.name, verdict: evaluate(rule.condition, t.log) });
        expect(evaluate(back.condition, t.log)).toBe(t.expectedResult);
      }
    });
  }
  it("reports its counts", () => {
    console.log(`sigma round trip, shipped rules: ${stats.expressed}/${stats.rules} expressed, ${stats.tests} Tests agree`);
    expect(stats.expressed).toBeGreaterThan(0);
  });
});

describe("round trip of the conformance cases", () => {
  it("agrees on every case Sigma can express", () => {
    let expressed = 0;
    let rejected = 0;
    const disagreements: string[] = [];
    for (const c of conformanceCases()) {
      const r = roundTrip(c.condition, undefined);
      if (r.kind === "rejected") {
        rejected++;
        continue;
      }
      expressed++;
      expect(validateSigma(r.doc).errors).toBe("");
      const got = evaluate(r.back, c.event);
      if (got !== c.expected) disagreements.push(`${c.section} / ${c.name}: ${c.text} -> ${r.backText}: ${got}, expected ${c.expected}`);
    }
    console.log(`sigma round trip, conformance: ${expressed} expressed, ${rejected} rejected (RC401), ${disagreements.length} disagreements`);
    expect(disagreements).toEqual([]);
    expect(expressed).toBeGreaterThan(0);
  });
});

function property(name: string, batch: () => { condition: import("../../src/ast/nodes.js").Condition; text: string; events: readonly unknown[] }[], schema: typeof TYPED_SCHEMA | undefined, minPairs: number) {
  it(name, () => {
    let expressed = 0;
    let rejected = 0;
    let pairs = 0;
    let validated = 0;
    const disagreements: string[] = [];
    for (const c of batch()) {
      const r = roundTrip(c.condition, schema);
      if (r.kind === "rejected") {
        rejected++;
        continue;
      }
      expressed++;
      if (expressed % 10 === 1) {
        validated++;
        expect(validateSigma(r.doc).errors).toBe("");
      }
      for (const e of c.events) {
        pairs++;
        if (evaluate(c.condition, e) !== evaluate(r.back, e)) disagreements.push(`${c.text}\n  -> ${r.backText}\n  on ${JSON.stringify(e)}`);
      }
    }
    console.log(`sigma round trip, ${name}: ${expressed} conditions expressed, ${rejected} rejected, ${pairs} condition x event pairs, ${disagreements.length} disagreements, ${validated} schema-validated`);
    expect(disagreements.slice(0, 5)).toEqual([]);
    expect(pairs).toBeGreaterThanOrEqual(minPairs);
  });
}

describe("round trip of generated conditions", () => {
  property("shared arbitraries (no schema)", () => generateCases(20260101, 12000, 6), undefined, 10000);
  property("typed schema", () => typedCases(20260102, 3000, 6), TYPED_SCHEMA, 8000);
});

describe("schema validation", () => {
  it("wraps a detection into a valid rule", () => {
    expect(validateSigma(wrap({ selection: { a: 1 }, condition: "selection" })).ok).toBe(true);
    expect(validateSigma({ title: "x" }).ok).toBe(false);
  });
  it("reads the vendored schema (draft 2020-12)", () => {
    expect(readFileSync(SIGMA_SCHEMA, "utf8")).toContain("2020-12");
  });
});
