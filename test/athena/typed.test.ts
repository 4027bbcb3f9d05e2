import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluate } from "../../src/eval/evaluate.js";
import { TRINO } from "../../src/targets/athena/dialect.js";
import { buildQuery } from "../../src/targets/athena/query.js";
import { arbCondition } from "../helpers/arbitraries.js";
import { arbTypedEvent, typedProfile as profile } from "../helpers/typed-layout.js";
import { DuckRunner } from "./duck.js";
import { trinoErrors } from "./trino.js";

/**
 * Typed layouts, generated: a test profile whose columns are strings, booleans, numbers, structs,
 * arrays of rows, arrays of strings and JSON text at several depths, over the arbitraries' field
 * names; events that conform to it; the shared generated conditions. The DuckDB verdict on the
 * table shaped like Athena's must equal the evaluator on the raw event.
 *
 * Conforming means what the table can hold (test/helpers/typed-layout.ts).
 */

let duck: DuckRunner;
beforeAll(async () => {
  duck = await DuckRunner.open();
});
afterAll(() => duck.close());

describe("typed layout: generated conditions x conforming events", () => {
  it("4,000 pairs on structs, arrays of rows and JSON columns, zero disagreements", async () => {
    const conditions = fc.sample(arbCondition, { seed: 31337, numRuns: 1000 });
    const events = fc.sample(fc.array(arbTypedEvent, { minLength: 4, maxLength: 4 }), { seed: 1234, numRuns: 1000 });
    const cases = conditions.map((c, i) => ({ text: c.text, condition: c.condition, events: events[i]! }));
    const results = await duck.run(cases, profile);
    const problems: string[] = [];
    let compared = 0;
    cases.forEach((c, i) =>
      c.events.forEach((e, j) => {
        compared++;
        const want = evaluate(c.condition, e);
        if (results[i]![j] !== want) problems.push(`${c.text} on ${JSON.stringify(e)}: evaluator ${want}, duckdb ${results[i]![j]}`);
      }),
    );
    expect(problems.slice(0, 5)).toEqual([]);
    expect(compared).toBe(4000);
    console.log(`athena: ${compared} generated condition x event pairs compared on a typed layout, 0 disagreements`);
  });

  it("the Trino text over the typed layout passes the Trino grammar", () => {
    for (const c of fc.sample(arbCondition, { seed: 5, numRuns: 60 })) {
      const q = buildQuery({ name: "t", condition: c.condition }, {}, TRINO, { profile });
      expect(q.errors).toEqual([]);
      expect(trinoErrors(q.sql!), `${c.text}\n${q.sql}`).toEqual([]);
    }
  });
});
