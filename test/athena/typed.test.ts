import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluate } from "../../src/eval/evaluate.js";
import { TRINO } from "../../src/targets/athena/dialect.js";
import type { ColumnType, Profile } from "../../src/targets/athena/profile.js";
import { buildQuery } from "../../src/targets/athena/query.js";
import { arbCondition, arbValue, NUMBERS, STRINGS } from "../helpers/arbitraries.js";
import { DuckRunner } from "./duck.js";
import { trinoErrors } from "./trino.js";

/**
 * Typed layouts, generated: a test profile whose columns are strings, booleans, numbers, structs,
 * arrays of rows, arrays of strings and JSON text at several depths, over the arbitraries' field
 * names; events that conform to it; the shared generated conditions. The DuckDB verdict on the
 * table shaped like Athena's must equal the evaluator on the raw event.
 *
 * Conforming means what the table can hold: a string column holds strings, and an object stored
 * in a struct column has at least one non-null field (a struct column cannot tell `{}` from an
 * object of unknown keys; see docs/targets/athena.md).
 */

const s = (): ColumnType => ({ type: "string" });
const inner: ColumnType = { type: "struct", fields: { a: s(), b: { type: "boolean" }, c: { type: "json" }, "x-y": s() } };
const profile: Profile = {
  name: "typed_test",
  description: "test layout",
  logTypes: ["*"],
  database: "default",
  table: "typed",
  partitions: { kind: "none" },
  columns: {
    a: s(),
    b: { type: "struct", fields: { a: s(), b: { type: "boolean" }, c: { type: "number" }, "x-y": { type: "json" } } },
    c: {
      type: "array",
      items: { type: "struct", fields: { a: s(), b: inner, c: { type: "json" }, "x-y": { type: "array", items: s() } } },
    },
    "x-y": { type: "json", column: "x_y" },
  },
};

const str = fc.constantFrom(...STRINGS);
const num = fc.constantFrom(...NUMBERS.map(Number));

function arbFor(t: ColumnType): fc.Arbitrary<unknown> {
  const orNull = (a: fc.Arbitrary<unknown>) => fc.oneof({ weight: 5, arbitrary: a }, { weight: 1, arbitrary: fc.constant(null) });
  switch (t.type) {
    case "string":
      return orNull(str);
    case "number":
      return orNull(num);
    case "boolean":
      return orNull(fc.boolean());
    case "json":
      return arbValue;
    case "struct": {
      const fields = Object.fromEntries(Object.entries(t.fields).map(([k, f]) => [k, arbFor(f)]));
      const obj = fc.record(fields, { requiredKeys: [] }).filter((o) => Object.values(o).some((v) => v !== null && v !== undefined));
      return orNull(obj);
    }
    case "array":
      return orNull(fc.array(arbFor(t.items), { maxLength: 3 }));
  }
}

const arbTypedEvent = arbFor({ type: "struct", fields: profile.columns! }).filter((e) => e !== null);

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
