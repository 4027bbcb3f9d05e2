import { existsSync, readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Condition } from "../../src/ast/nodes.js";
import { evaluate } from "../../src/eval/evaluate.js";
import { loadRuleText } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";
import { TRINO } from "../../src/targets/athena/dialect.js";
import { athenaTarget } from "../../src/targets/athena/index.js";
import { GENERIC, profileFor, profilesOf, type Profile } from "../../src/targets/athena/profile.js";
import { buildQuery } from "../../src/targets/athena/query.js";
import { arbCondition, generateCases } from "../helpers/arbitraries.js";
import { conformanceCases } from "../helpers/conformance.js";
import { arbTypedEvent, typedProfile } from "../helpers/typed-layout.js";
import { pgRepresentable, type PgRunner } from "./runner.js";
import { usePostgres } from "./setup.js";

/**
 * The second proof of the Athena SQL: the exact Trino text the target writes, translated by the
 * small layer of postgres-sql.ts (its SQL/JSON paths unchanged), run on PostgreSQL's SQL/JSON path
 * engine over tables with the profiles' shape, must give the reference evaluator's verdict on
 * every event: the Tests of every rule in rules/ and of the golden fixtures (three layouts), every
 * conformance case the target compiles, and the generated condition x event suites.
 *
 * Events PostgreSQL text cannot hold (a NUL character, a lone surrogate) are left out and counted;
 * so are conditions whose literals hold them.
 */

const pg = usePostgres();

interface Item {
  readonly label: string;
  readonly condition: Condition;
  readonly sql: string;
  readonly events: readonly unknown[];
  /** Per event: the verdict the Tests expect, when they say. */
  readonly expected?: readonly boolean[];
}

interface Outcome {
  compared: number;
  problems: string[];
  respelledPaths: number;
  leftOut: number;
}

function conditionRepresentable(sql: string): boolean {
  return !sql.includes("chr(0)") && (sql as unknown as { isWellFormed(): boolean }).isWellFormed();
}

async function compare(runner: PgRunner, items: readonly Item[], profile: Profile): Promise<Outcome> {
  let leftOut = 0;
  const kept: Item[] = [];
  for (const item of items) {
    if (!conditionRepresentable(item.sql)) {
      leftOut += item.events.length;
      continue;
    }
    const events = item.events.filter(pgRepresentable);
    leftOut += item.events.length - events.length;
    const expected = item.expected?.filter((_, j) => pgRepresentable(item.events[j]));
    if (events.length > 0) kept.push({ ...item, events, ...(expected ? { expected } : {}) });
  }
  const { results, respelledPaths } = await runner.run(kept.map((k) => ({ sql: k.sql, events: k.events })), profile);
  const problems: string[] = [];
  let compared = 0;
  kept.forEach((item, i) => {
    const r = results[i]!;
    if ("error" in r) {
      problems.push(`${item.label}: PostgreSQL error ${r.error}\n${item.sql}`);
      return;
    }
    item.events.forEach((e, j) => {
      compared++;
      const want = evaluate(item.condition, e);
      if (r[j] !== want) problems.push(`${item.label} on ${JSON.stringify(e)}: evaluator ${want}, postgres ${r[j]}\n${item.sql}`);
      else if (item.expected && item.expected[j] !== want) problems.push(`${item.label} on ${JSON.stringify(e)}: the test expects ${item.expected[j]}`);
    });
  });
  return { compared, problems, respelledPaths, leftOut };
}

function trino(condition: Condition, profile: Profile): string | undefined {
  return buildQuery({ name: "q", condition }, {}, TRINO, { profile }).sql;
}

const report: string[] = [];

function record(suite: string, o: Outcome, started: number, extra = ""): void {
  const line = `athena on postgres: ${suite}: ${o.compared} compared, ${o.problems.length} disagreements${o.leftOut ? `, ${o.leftOut} events left out (NUL or lone surrogate)` : ""}${extra}, ${((performance.now() - started) / 1000).toFixed(1)} s`;
  report.push(line);
  console.log(line);
}

const RULES = new URL("../../rules/", import.meta.url);
const FIXTURES = new URL("../fixtures/", import.meta.url);

function ruleFiles(): { file: URL; name: string }[] {
  const lib = existsSync(RULES) ? readdirSync(RULES).filter((f) => f.endsWith(".yml")).map((f) => ({ file: new URL(f, RULES), name: f.replace(/\.yml$/, "") })) : [];
  const fixtures = readdirSync(FIXTURES)
    .filter((d) => d.startsWith("athena_") && existsSync(new URL(`${d}/rule.yml`, FIXTURES)))
    .map((d) => ({ file: new URL(`${d}/rule.yml`, FIXTURES), name: d }));
  return [...lib, ...fixtures];
}

describe("the Athena SQL on PostgreSQL", { timeout: 300_000 }, () => {
  it("rule Tests (rules/ and the golden fixtures) on every table profile of each rule's log type", async (ctx) => {
    const runner = pg.need(ctx);
    const started = performance.now();
    const rules: Rule[] = ruleFiles().map(({ file, name }) => {
      const r = loadRuleText(readFileSync(file, "utf8"), `rules/${name}.yml`);
      expect(r.rule, JSON.stringify(r.diagnostics)).toBeDefined();
      return r.rule!;
    });
    // Each rule on each table profile of its log type (CloudTrail's cloudtrail_logs, panther and
    // generic; Okta's, Auth0's, ... own tables and the generic layout), grouped by profile.
    const byProfile = new Map<Profile, Item[]>();
    let expectedCount = 0;
    for (const r of rules) {
      for (const profile of profilesOf(r.logTypes[0])) {
        const out = athenaTarget.compile(r, { profile: profile.name });
        expect(out.diagnostics, `${r.name} on ${profile.name}`).toEqual([]);
        const items = byProfile.get(profile) ?? [];
        items.push({ label: `${profile.name} ${r.name}`, condition: r.condition, sql: out.files[0]!.content, events: r.tests.map((t) => t.log), expected: r.tests.map((t) => t.expectedResult) });
        byProfile.set(profile, items);
        expectedCount += r.tests.length;
      }
    }
    const total: Outcome = { compared: 0, problems: [], respelledPaths: 0, leftOut: 0 };
    for (const [profile, items] of byProfile) {
      const o = await compare(runner, items, profile);
      total.compared += o.compared;
      total.problems.push(...o.problems);
      total.leftOut += o.leftOut;
    }
    record(`${rules.length} rules' Tests on ${byProfile.size} table profiles`, total, started);
    expect(total.problems.slice(0, 5)).toEqual([]);
    expect(total.compared + total.leftOut).toBe(expectedCount);
    expect(new Set(rules.flatMap((r) => r.logTypes)).size).toBeGreaterThan(5);
  });

  it("every conformance case the Athena target compiles (generic layout)", async (ctx) => {
    const runner = pg.need(ctx);
    const started = performance.now();
    const generic = GENERIC;
    const all = conformanceCases().filter((c) => !c.section.includes("outside the cross-target contract"));
    const items: Item[] = [];
    let refused = 0;
    for (const c of all) {
      const sql = trino(c.condition, generic);
      if (sql === undefined) refused++;
      else items.push({ label: `${c.section} / ${c.name}: ${c.text}`, condition: c.condition, sql, events: [c.event], expected: [c.expected] });
    }
    const o = await compare(runner, items, generic);
    record("conformance cases", o, started, `, ${refused} not compiled (RC401), ${o.respelledPaths} path literals re-spelled`);
    expect(o.problems).toEqual([]);
    expect(o.compared).toBeGreaterThan(700);
    expect(refused).toBeLessThan(5);
  });

  it("12,000 generated condition x event pairs (generic layout)", async (ctx) => {
    const runner = pg.need(ctx);
    const started = performance.now();
    const generic = GENERIC;
    const generated = [...generateCases(20261127, 1500, 4), ...generateCases(4242, 1500, 4)];
    const items: Item[] = [];
    let refused = 0;
    for (const g of generated) {
      const sql = trino(g.condition, generic);
      if (sql === undefined) refused += g.events.length;
      else items.push({ label: g.text, condition: g.condition, sql, events: g.events });
    }
    const o = await compare(runner, items, generic);
    record("generated conditions x events", o, started, refused ? `, ${refused} not compiled (RC401)` : "");
    expect(o.problems.slice(0, 5)).toEqual([]);
    expect(o.compared + o.leftOut + refused).toBe(12_000);
    expect(o.compared).toBeGreaterThan(11_000);
  });

  it("4,000 generated pairs on a typed layout (structs, arrays of rows, JSON columns)", async (ctx) => {
    const runner = pg.need(ctx);
    const started = performance.now();
    const conditions = fc.sample(arbCondition, { seed: 31337, numRuns: 1000 });
    const events = fc.sample(fc.array(arbTypedEvent, { minLength: 4, maxLength: 4 }), { seed: 1234, numRuns: 1000 });
    const items: Item[] = conditions.map((c, i) => {
      const sql = trino(c.condition, typedProfile);
      if (sql === undefined) throw new Error(`${c.text} does not compile on the typed layout`);
      return { label: c.text, condition: c.condition, sql, events: events[i]! };
    });
    const o = await compare(runner, items, typedProfile);
    record("generated pairs, typed layout", o, started);
    expect(o.problems.slice(0, 5)).toEqual([]);
    expect(o.compared + o.leftOut).toBe(4000);
  });
});

describe("one bad value fails no query (the SerDe's reading of a JSON column that holds no JSON)", { timeout: 120_000 }, () => {
  // Athena's string column holds a JSON value's text; a JSON string is read as its content, so
  // `"requestParameters": ""` gives '' and `"abc"` gives abc, which are not JSON. Each such row must
  // give its own answer (as the evaluator's on the string) without failing the query for the others.
  const conditions = [
    "requestParameters empty",
    "not requestParameters empty",
    "requestParameters exists",
    "requestParameters.x exists",
    "requestParameters.x empty",
    "requestParameters.x eq 1",
    "requestParameters.x ne 1",
    "requestParameters.x in [1, \"a\"]",
    "requestParameters.x gt 0",
    "requestParameters.x contains \"b\"",
    "requestParameters.x imatches '^A'",
    "requestParameters.x cidr \"10.0.0.0/8\"",
    "requestParameters.x.y empty",
    "requestParameters[x eq 1]",
    "requestParameters[not x exists]",
    "requestParameters.x eq responseElements.x",
  ];
  const texts = ["", "abc", '{"x": ', "[1, 2", "null x", '{"x": 1}', '{"x": "ab"}', "[]", "{}"];

  it("every query runs; each row gives the evaluator's answer on the string the SerDe read", async (ctx) => {
    const runner = pg.need(ctx);
    const started = performance.now();
    const profile = profileFor("AWS.CloudTrail", "cloudtrail_logs")!;
    const items = conditions.map((text) => {
      const r = loadRuleText(`RuleID: T.${text.length}\nDisplayName: t\nLogTypes: [AWS.CloudTrail]\nSeverity: Info\nCondition: '${text.replace(/'/g, "''")}'\n`, "rules/t.yml");
      expect(r.rule, JSON.stringify(r.diagnostics)).toBeDefined();
      const out = athenaTarget.compile(r.rule!);
      expect(out.diagnostics).toEqual([]);
      return { text, condition: r.rule!.condition, sql: out.files[0]!.content };
    });
    const { results } = await runner.runCells(
      items.map((i) => ({ sql: i.sql, events: texts.map((t) => ({ requestparameters: t, responseelements: '{"x": "ab"}' })) })),
      profile,
    );
    const problems: string[] = [];
    let compared = 0;
    items.forEach((item, i) => {
      const r = results[i]!;
      if ("error" in r) {
        problems.push(`${item.text}: the query failed: ${r.error}`);
        return;
      }
      texts.forEach((t, j) => {
        let value: unknown = t;
        let isJson = true;
        try {
          value = JSON.parse(t);
        } catch {
          // not JSON: the event held the string itself
          isJson = false;
        }
        const event = { requestParameters: value, responseElements: { x: "ab" } };
        compared++;
        // Decision (docs/targets/athena.md): text that is not JSON holds no element for path[cond]
        // to bind (the SQL cannot tell the string it came from).
        const want = !isJson && item.text.startsWith("requestParameters[") ? false : evaluate(item.condition, event);
        if (r[j] !== want) problems.push(`${item.text} on requestparameters ${JSON.stringify(t)}: evaluator ${want}, postgres ${r[j]}`);
      });
    });
    record("bad JSON text in a JSON column", { compared, problems, respelledPaths: 0, leftOut: 0 }, started);
    expect(problems).toEqual([]);
  });
});
