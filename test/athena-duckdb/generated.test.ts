import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { athenaDuckdbDialect } from "../../src/targets/athena/duckdb-athena.js";
import { GENERIC, type Profile } from "../../src/targets/athena/profile.js";
import { buildQuery } from "../../src/targets/athena/query.js";
import { arbCondition, generateCases } from "../helpers/arbitraries.js";
import { arbTypedEvent, typedProfile } from "../helpers/typed-layout.js";
import { CaseTable, openEngine, type Engine } from "./engine.js";
import { expectNoMacros, markable, markEvents, runOnTable, StatementCheck, type Item, type Outcome } from "./proof.js";

/**
 * The generated suites, each condition's DuckDB statement for Athena's DuckDB engine run as the
 * Athena target writes it on the local engine (no macro, Athena's built-in extensions only): 12,000
 * condition x event pairs on the generic table (the event as one JSON text column) and 4,000 on a
 * typed layout (strings, booleans, numbers, structs, arrays of rows, JSON text at several depths),
 * the same seeds as the other SQL proofs. Zero disagreements with the evaluator.
 */

let engine: Engine;
let check: StatementCheck;
/** Statements whose function names are also read from DuckDB's own parse tree. */
const sqlSample: string[] = [];
beforeAll(async () => {
  engine = await openEngine();
  check = new StatementCheck(engine);
  await expectNoMacros(engine);
});
afterAll(async () => {
  if (!engine) return;
  await expectNoMacros(engine);
  engine.close();
});

function statement(item: Item, profile: Profile): string {
  const q = buildQuery({ name: "g", logType: "AWS.CloudTrail", condition: item.condition }, {}, athenaDuckdbDialect(), { profile });
  expect(q.errors, item.label).toEqual([]);
  return q.sql!;
}

function record(suite: string, o: Outcome, started: number): void {
  console.log(`athena duckdb engine, tables: ${suite}: ${o.compared} compared, ${o.problems.length} disagreements, ${o.statements} statements run, ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

describe("generated conditions x events", { timeout: 600_000 }, () => {
  it("12,000 pairs on the generic table, zero disagreements", async () => {
    const started = performance.now();
    const generic = GENERIC;
    const generated = [...generateCases(20261127, 1500, 4), ...generateCases(4242, 1500, 4)];
    const items: Item[] = generated.map((g) => {
      const mark = markable(g.text, g.events);
      return { label: g.text, condition: g.condition, events: mark ? markEvents(g.events) : g.events, marked: mark };
    });
    const sql = items.map((item) => statement(item, generic));
    sqlSample.push(...sql.filter((_, i) => i % 50 === 0));
    const table = await CaseTable.create(engine.connection, generic, items);
    const o = await runOnTable(engine, table, items, (i) => sql[i]!, check);
    record("generated conditions x events", o, started);
    expect(o.problems.slice(0, 5)).toEqual([]);
    expect(o.compared).toBe(12_000);
  });

  it("4,000 pairs on a typed layout (structs, arrays of rows, JSON columns), zero disagreements", async () => {
    const started = performance.now();
    const conditions = fc.sample(arbCondition, { seed: 31337, numRuns: 1000 });
    const events = fc.sample(fc.array(arbTypedEvent, { minLength: 4, maxLength: 4 }), { seed: 1234, numRuns: 1000 });
    // The layout has no default output field: its statements select every column, and the table's
    // view adds each row's number as `rc_event`.
    const items: Item[] = conditions.map((c, i) => ({ label: c.text, condition: c.condition, events: events[i]!, marked: true }));
    const sql = items.map((item) => statement(item, typedProfile));
    for (const s of sql.slice(0, 5)) expect(s).toMatch(/^SELECT\n {2}\*\n/);
    const table = await CaseTable.create(engine.connection, typedProfile, items, ["rc_record AS rc_event"]);
    const o = await runOnTable(engine, table, items, (i) => sql[i]!, check, "rc_event");
    record("generated pairs, typed layout", o, started);
    expect(o.problems.slice(0, 5)).toEqual([]);
    expect(o.compared).toBe(4000);
  });

  it("every statement run is one SELECT calling only the engine's built-in functions", async () => {
    expect(check.count).toBe(4000);
    for (const s of sqlSample) await check.crossCheck(s);
    expect(await check.foreign()).toEqual([]);
  });
});
