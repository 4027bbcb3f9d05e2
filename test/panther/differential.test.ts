import { existsSync, readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { Condition } from "../../src/ast/nodes.js";
import { printCondition } from "../../src/ast/print.js";
import { evaluate } from "../../src/eval/evaluate.js";
import { loadRuleText } from "../../src/rules/load.js";
import { strWidth } from "../../src/targets/panther/black.js";
import { pantherTarget } from "../../src/targets/panther/index.js";
import { arbCase } from "../helpers/arbitraries.js";
import { conformanceCases } from "../helpers/conformance.js";
import { checkSource, PythonRunner, type RuleResult } from "./harness.js";
import { ruleFor } from "./rules.js";

/**
 * The proof: generated Python, run in one python3 process against the PantherEvent stand-in,
 * gives the reference evaluator's verdict on every rule Test, every conformance case and
 * 10,000 generated conditions with their events. Conditions from the property suite use any field
 * name, so they compile without a schema (every field may hold anything).
 */

const py = new PythonRunner();
afterAll(() => py.close());

const counts = { ruleTests: 0, conformance: 0, generatedConditions: 0, generatedPairs: 0 };
afterAll(() => {
  console.log(`panther differential: ${JSON.stringify(counts)}`);
});

function source(condition: Condition, schema: boolean): string {
  const out = pantherTarget.compile(ruleFor(condition), schema ? {} : { schema: false });
  return out.files.find((f) => f.path.endsWith(".py"))!.content;
}

function describeMismatch(text: string, src: string, event: unknown, got: RuleResult | undefined, want: boolean): string {
  return [`condition: ${text}`, `event: ${JSON.stringify(event)}`, `python: ${JSON.stringify(got)}`, `evaluator: ${want}`, "--- python ---", src].join("\n");
}

describe("panther: rules/ Tests", () => {
  const dir = new URL("../../rules/", import.meta.url);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".yml")).sort() : [];
  it("has the rule library", () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const f of files) {
    it(f, async () => {
      const loaded = loadRuleText(readFileSync(new URL(f, dir), "utf8"), `rules/${f}`);
      expect(loaded.rule, JSON.stringify(loaded.diagnostics)).toBeDefined();
      const rule = loaded.rule!;
      expect(rule.tests.length).toBeGreaterThan(0);
      const py1 = pantherTarget.compile(rule).files.find((x) => x.path.endsWith(".py"))!.content;
      const events = rule.tests.map((t) => t.log);
      // With the schema's simple forms and without a schema: both must agree with the evaluator.
      for (const src of [py1, source(rule.condition, false)]) {
        const r = await checkSource(py, src, events);
        expect(r.error, src).toBeUndefined();
        rule.tests.forEach((t, i) => {
          const want = evaluate(rule.condition, t.log);
          expect(want, `evaluator vs ExpectedResult for '${t.name}'`).toBe(t.expectedResult);
          expect(r.results![i], describeMismatch(rule.conditionText, src, t.log, r.results![i], want)).toBe(want);
          counts.ruleTests++;
        });
      }
    });
  }
});

describe("panther: conformance cases", () => {
  it("agrees with the evaluator on every case", async () => {
    const cases = conformanceCases();
    expect(cases.length).toBeGreaterThan(100);
    const failures: string[] = [];
    for (const c of cases) {
      const src = source(c.condition, false);
      const r = await checkSource(py, src, [c.event]);
      const want = evaluate(c.condition, c.event);
      if (want !== c.expected) failures.push(`evaluator disagrees with cases.yml on ${c.name}`);
      const got = r.results?.[0];
      if (got !== want) failures.push(`[${c.section}] ${c.name}\n${describeMismatch(c.text, src, c.event, got ?? r.error as never, want)}`);
      counts.conformance++;
    }
    expect(failures.join("\n\n")).toBe("");
  });
});

describe("panther: property-generated conditions x events", () => {
  it("agrees with the evaluator on 10,000 generated conditions (seeded)", async () => {
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(arbCase, async ({ condition, events }) => {
        const src = source(condition.condition, false);
        const long = src.split("\n").find((l) => strWidth(l) > 100 || (l.trim() !== "" && l.search(/\S/) % 4 !== 0));
        if (long !== undefined) throw new Error(`badly formatted line: ${JSON.stringify(long)}\n${src}`);
        const r = await checkSource(py, src, events);
        if (r.error) throw new Error(`python error: ${r.error}\n${src}`);
        events.forEach((e, i) => {
          const want = evaluate(condition.condition, e);
          if (r.results![i] !== want) throw new Error(describeMismatch(printCondition(condition.condition), src, e, r.results![i], want));
        });
        counts.generatedConditions++;
        counts.generatedPairs += events.length;
      }),
      { seed: Number(process.env.PANTHER_SEED ?? 20261127), numRuns: Number(process.env.PANTHER_RUNS ?? 10_000) },
    );
    console.log(`panther property suite: ${counts.generatedConditions} conditions, ${counts.generatedPairs} events, ${Date.now() - started} ms`);
  }, 600_000);
});
