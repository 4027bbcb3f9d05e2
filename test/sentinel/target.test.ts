import { existsSync, readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import YAML from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import type { Condition } from "../../src/ast/nodes.js";
import { evaluate } from "../../src/eval/evaluate.js";
import type { SentinelData } from "../../src/logtypes/registry.js";
import { loadRuleText } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";
import { sentinelData, sentinelTarget } from "../../src/targets/sentinel/index.js";
import { checkTargetOptions } from "../../src/targets/option-checks.js";
import { IPV6_HEX, IPV6_QUAD, kqlPipeline, kqlString, NotSayableInKql } from "../../src/targets/sentinel/kql.js";
import { parseIPv6 } from "../../src/check/cidr.js";
import { checkCondition } from "../../src/check/check.js";
import { parseCondition } from "../../src/syntax/ast.js";
import { validator } from "../../src/targets/sentinel/schema/validate.js";
import { arbCondition, generateCases, STRINGS } from "../helpers/arbitraries.js";
import { conformanceCases } from "../helpers/conformance.js";
import { LogTypeGenerator, samplesOf } from "../helpers/logtype-arbitraries.js";
import { re2ToJs, runQuery, verdicts } from "./kql-eval.js";
import { analyse } from "./kusto.js";
import { eventToRow, NonConforming } from "./rows.js";

/**
 * The Sentinel target, proven: golden files per fixture; every query of every shipped rule and
 * of every generated condition parsed and analysed by Microsoft's Kusto language service against
 * the table's documented columns with no error; every rule file validated against the
 * Azure-Sentinel rule schema; and every verdict of the KQL evaluator (over the language service's
 * syntax tree, kql-eval.ts) on the events mapped into rows compared with the reference evaluator:
 * the rules' Tests, the conformance cases and generated condition x event suites.
 */

const FIXTURES = new URL("../fixtures/", import.meta.url);
const RULES = new URL("../../rules/", import.meta.url);
const CLOUDTRAIL = sentinelData("AWS.CloudTrail")!;

function load(url: URL, file: string): Rule {
  const loaded = loadRuleText(readFileSync(url, "utf8"), file);
  if (!loaded.rule) throw new Error(`${file}: ${JSON.stringify(loaded.diagnostics)}`);
  return loaded.rule;
}

/** The query of a condition (as the target writes its where), or the RC401 reason. */
function queryOf(condition: Condition, data: SentinelData): { query?: string; reason?: string } {
  try {
    return { query: [data.table, ...kqlPipeline(condition, data), "| project TimeGenerated"].join("\n") };
  } catch (e) {
    if (e instanceof NotSayableInKql) return { reason: e.message };
    throw e;
  }
}

interface Tally {
  compared: number;
  notSayable: number;
  queries: number;
  problems: string[];
}

/** Compares the KQL verdicts on rows with the evaluator on events, for one condition. */
function compare(label: string, condition: Condition, events: readonly unknown[], data: SentinelData, tally: Tally): void {
  const { query, reason } = queryOf(condition, data);
  if (query === undefined) {
    expect(reason).toBeTruthy();
    tally.notSayable++;
    return;
  }
  const analysed = analyse(query, data);
  tally.queries++;
  if (analysed.errors.length > 0) {
    tally.problems.push(`${label}: the language service reports ${analysed.errors.join("; ")}\n${query}`);
    return;
  }
  const rows = events.map((e) => eventToRow(e, data));
  const got = verdicts(analysed.syntax, data.table, rows);
  events.forEach((e, i) => {
    tally.compared++;
    const want = evaluate(condition, e);
    if (got[i] !== want) tally.problems.push(`${label} on ${JSON.stringify(e)}: evaluator ${want}, KQL ${got[i]}\n${query}`);
  });
}

/** A condition's tree (the text must parse and check). */
function parseAndCheck(text: string): Condition {
  const parsed = parseCondition(text);
  if (!parsed.ast) throw new Error(`${text}: ${JSON.stringify(parsed.diagnostics)}`);
  const checked = checkCondition(parsed.ast, { text });
  if (checked.diagnostics.some((d) => d.severity === "error")) throw new Error(`${text}: ${JSON.stringify(checked.diagnostics)}`);
  return checked.condition;
}

const tally = (): Tally => ({ compared: 0, notSayable: 0, queries: 0, problems: [] });

/** Whether an event fits the table's column types (see rows.ts). */
function conforms(event: unknown, data: SentinelData): boolean {
  try {
    eventToRow(event, data);
    return true;
  } catch (err) {
    if (!(err instanceof NonConforming)) throw err;
    return false;
  }
}

const fixtureTests = { compared: 0, outside: 0 };

describe("golden files (test/fixtures/<case>/expected.sentinel.yaml)", () => {
  afterAll(() => console.log(`sentinel: fixtures: ${fixtureTests.compared} Tests of the written fixtures compared through the KQL evaluator, 0 disagreements; ${fixtureTests.outside} outside the column types left out`));
  const cases = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((d) => existsSync(new URL(`${d}/rule.yml`, FIXTURES))).sort() : [];
  it("has fixtures", () => expect(cases.length).toBeGreaterThanOrEqual(10));
  for (const name of cases) {
    it(name, async () => {
      const file = `test/fixtures/${name}/rule.yml`;
      const loaded = loadRuleText(readFileSync(new URL(`${name}/rule.yml`, FIXTURES), "utf8"), file);
      if (!loaded.rule) return; // an invalid-rule fixture: nothing for a target to compile
      const out = sentinelTarget.compile(loaded.rule);
      if (out.files.length > 0) {
        const doc = YAML.parse(out.files[0]!.content) as { query: string };
        expect(validator()(doc)).toBe(true);
        expect(analyse(doc.query, CLOUDTRAIL).errors).toEqual([]);
        await expect(out.files[0]!.content).toMatchFileSnapshot(new URL(`${name}/expected.sentinel.yaml`, FIXTURES).pathname);
        // The fixture's Tests (nested arrays, hostile values, ...) through the KQL evaluator.
        const tests = loaded.rule.tests.filter((x) => conforms(x.log, CLOUDTRAIL));
        const got = verdicts(analyse(doc.query, CLOUDTRAIL).syntax, CLOUDTRAIL.table, tests.map((x) => eventToRow(x.log, CLOUDTRAIL)));
        tests.forEach((x, i) => expect(got[i], `${name} / ${x.name}`).toBe(evaluate(loaded.rule!.condition, x.log)));
        fixtureTests.compared += tests.length;
        fixtureTests.outside += loaded.rule.tests.length - tests.length;
      } else {
        const text = out.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}`).join("\n") + "\n";
        await expect(text).toMatchFileSnapshot(new URL(`${name}/expected.sentinel.txt`, FIXTURES).pathname);
      }
    });
  }
});

describe("shipped rules", () => {
  const files = readdirSync(RULES).filter((f) => f.endsWith(".yml")).sort();
  const rules = files.map((f) => load(new URL(f, RULES), `rules/${f}`));
  const cloudtrail = rules.filter((r) => r.logTypes.length === 1 && r.logTypes[0] === "AWS.CloudTrail");

  it("the schema's nonEmpty fields: no sample event and no rule Test holds \"\" there (the fact the target reads \"\" as missing by)", () => {
    const marked = Object.entries(CLOUDTRAIL.fields).filter(([, f]) => f.nonEmpty).map(([p]) => p);
    expect(marked.sort()).toEqual(["errorCode", "recipientAccountId", "userIdentity.accountId"]);
    const events = [...samplesOf("AWS.CloudTrail"), ...cloudtrail.flatMap((r) => r.tests.map((x) => x.log))];
    for (const e of events) expect(() => eventToRow(e, CLOUDTRAIL)).not.toThrow();
    expect(events.length).toBeGreaterThan(100);
  });

  it("every rule of a log type without a Sentinel table is RC401 with the reason, and no file", () => {
    const others = rules.filter((r) => !r.logTypes.every((t) => sentinelData(t) !== undefined));
    expect(others.length).toBeGreaterThan(0);
    for (const r of others) {
      const out = sentinelTarget.compile(r);
      expect(out.files).toEqual([]);
      expect(out.diagnostics.map((d) => d.code)).toEqual(["RC401"]);
      expect(out.diagnostics[0]!.message).toMatch(/no Sentinel table profile for/);
    }
  });

  it("every CloudTrail rule is a valid analytics rule whose query the language service accepts, or RC401 with a reason", () => {
    let written = 0;
    const refused: string[] = [];
    for (const r of cloudtrail) {
      const out = sentinelTarget.compile(r);
      if (out.files.length === 0) {
        const errors = out.diagnostics.filter((d) => d.severity === "error");
        expect(errors.map((d) => d.code)).toEqual(["RC401"]);
        refused.push(`${r.name}: ${errors[0]!.message}`);
        continue;
      }
      written++;
      expect(out.files.map((f) => f.path)).toEqual([`sentinel/${r.name}.yaml`]);
      const doc = YAML.parse(out.files[0]!.content) as Record<string, unknown>;
      expect(validator()(doc), r.name).toBe(true);
      expect(analyse(doc.query as string, CLOUDTRAIL).errors, `${r.name}\n${doc.query}`).toEqual([]);
      // The output columns the rule file names exist in the query's result.
      for (const m of (doc.entityMappings as { fieldMappings: { columnName: string }[] }[]) ?? []) {
        for (const f of m.fieldMappings) expect(doc.query as string).toContain(f.columnName);
      }
      for (const c of Object.values((doc.customDetails as Record<string, string>) ?? {})) expect(doc.query as string).toContain(c);
    }
    expect(written + refused.length).toBe(cloudtrail.length);
    expect(written).toBeGreaterThan(0);
    console.log(`sentinel: ${cloudtrail.length} CloudTrail rules: ${written} written, ${refused.length} RC401\n  ${refused.join("\n  ")}`);
  });

  it("every Test of every written rule: the KQL evaluator on the connector's rows agrees with the reference evaluator", () => {
    const t = tally();
    let rulesRun = 0;
    for (const r of cloudtrail) {
      const out = sentinelTarget.compile(r);
      if (out.files.length === 0) continue;
      rulesRun++;
      const query = (YAML.parse(out.files[0]!.content) as { query: string }).query;
      const analysed = analyse(query, CLOUDTRAIL);
      const rows = r.tests.map((x) => eventToRow(x.log, CLOUDTRAIL));
      const got = verdicts(analysed.syntax, CLOUDTRAIL.table, rows);
      r.tests.forEach((x, i) => {
        t.compared++;
        const want = evaluate(r.condition, x.log);
        expect(want, `${r.name} / ${x.name}`).toBe(x.expectedResult);
        if (got[i] !== want) t.problems.push(`${r.name} / ${x.name}: evaluator ${want}, KQL ${got[i]}`);
      });
    }
    expect(t.problems).toEqual([]);
    expect(t.compared).toBeGreaterThan(0);
    console.log(`sentinel: ${rulesRun} rules, ${t.compared} rule tests compared through the KQL evaluator, 0 disagreements`);
  });
});

describe("generated conditions x events", () => {
  it("CloudTrail: conditions over the schema x conforming events (the per-log-type generator)", () => {
    const gen = new LogTypeGenerator("AWS.CloudTrail", samplesOf("AWS.CloudTrail"));
    const t = tally();
    let nonConforming = 0;
    for (const seed of [2101, 2102, 2103]) {
      for (const c of gen.cases(seed, 1000, 4)) {
        const events = c.events.filter((e) => {
          try {
            eventToRow(e, CLOUDTRAIL);
            return true;
          } catch (err) {
            if (!(err instanceof NonConforming)) throw err;
            nonConforming++;
            return false;
          }
        });
        compare(c.text, c.condition, events, CLOUDTRAIL, t);
      }
    }
    expect(t.problems.slice(0, 5)).toEqual([]);
    expect(t.compared).toBeGreaterThan(1000);
    console.log(
      `sentinel: CloudTrail generator: ${t.queries} queries accepted by the language service, ${t.compared} condition x event pairs compared, 0 disagreements; ${t.notSayable} conditions RC401; ${nonConforming} events outside the column types left out`,
    );
  }, 300_000);

  /**
   * The shared generated conditions (every operator, not/and/or, path[cond], field-to-field) over a
   * table whose columns are the arbitraries' field names: `a`, `b`, `x-y` text columns, `c` a bool
   * column; events hold the hostile string pool (Unicode, İ and Σ, regex and glob metacharacters,
   * numbers as text, IPs, empty strings), booleans, null and missing values.
   */
  const GENERIC: SentinelData = {
    table: "Events",
    reference: "test",
    connector: { connectorId: "Test", dataTypes: ["Events"] },
    columns: { A: "string", B: "string", C: "bool", X_y: "string", TimeGenerated: "datetime" },
    fields: { a: { column: "A", holds: "string" }, b: { column: "B", holds: "string" }, c: { column: "C", holds: "bool" }, "x-y": { column: "X_y", holds: "string" } },
  };
  const str = fc.oneof({ weight: 6, arbitrary: fc.constantFrom<unknown>(...STRINGS) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.string({ maxLength: 4, unit: "binary" }) });
  const arbRowEvent = fc.record(
    { a: str, b: str, c: fc.oneof(fc.boolean(), fc.constant(null)), "x-y": str },
    { requiredKeys: [] },
  );

  it("the shared generated conditions x events of the column types, and the conformance cases that fit a table", () => {
    const t = tally();
    const conditions = fc.sample(arbCondition, { seed: 2121, numRuns: 3000 });
    const events = fc.sample(fc.array(arbRowEvent, { minLength: 4, maxLength: 4 }), { seed: 2122, numRuns: 3000 });
    conditions.forEach((c, i) => compare(c.text, c.condition, events[i]!, GENERIC, t));
    expect(t.problems.slice(0, 5)).toEqual([]);
    expect(t.compared).toBeGreaterThan(2000);
    console.log(`sentinel: shared generator: ${t.queries} queries accepted by the language service, ${t.compared} condition x event pairs compared, 0 disagreements; ${t.notSayable} conditions RC401`);

    // Conformance cases whose event fits the table (the fields as columns of their types).
    const c = tally();
    let skipped = 0;
    for (const k of conformanceCases()) {
      let fits = true;
      try {
        const row = eventToRow(k.event, GENERIC);
        const known = new Set(Object.keys(GENERIC.fields));
        fits = k.event !== null && typeof k.event === "object" && !Array.isArray(k.event) && Object.keys(k.event as object).every((key) => known.has(key)) && row !== undefined;
      } catch (err) {
        if (!(err instanceof NonConforming)) throw err;
        fits = false;
      }
      if (!fits) {
        skipped++;
        continue;
      }
      compare(`${k.section} / ${k.name}: ${k.text}`, k.condition, [k.event], GENERIC, c);
    }
    expect(c.problems).toEqual([]);
    console.log(`sentinel: conformance: ${c.compared} cases compared (${c.notSayable} RC401), ${skipped} whose event does not fit a table of text and bool columns`);
  });

  /**
   * Every field a column of JSON text (as RequestParameters, Resources): the shared generated
   * conditions (every operator, path[cond], nested paths) x events of arbitrary JSON values (nested
   * arrays and objects, numbers, booleans, null, the hostile strings), and the conformance cases
   * over a table whose columns are their events' top-level fields as JSON text.
   */
  const JSON_TABLE: SentinelData = {
    ...GENERIC,
    fields: { a: { column: "A", holds: "json" }, b: { column: "B", holds: "json" }, c: { column: "C", holds: "json" }, "x-y": { column: "X_y", holds: "json" } },
    columns: { A: "string", B: "string", C: "string", X_y: "string", TimeGenerated: "datetime" },
  };

  it("JSON-text columns: the shared generated conditions x events of arbitrary JSON values", () => {
    const t = tally();
    for (const c of generateCases(20261127, 1000, 4)) compare(c.text, c.condition, c.events, JSON_TABLE, t);
    expect(t.problems.slice(0, 5)).toEqual([]);
    expect(t.compared).toBeGreaterThan(2500);
    console.log(`sentinel: JSON-text columns: ${t.queries} queries accepted by the language service, ${t.compared} condition x event pairs compared, 0 disagreements; ${t.notSayable} conditions RC401`);
  }, 300_000);

  it("JSON-text columns: the conformance cases, each over a table of its event's fields", () => {
    const t = tally();
    let outside = 0;
    for (const k of conformanceCases()) {
      const names = new Set<string>();
      const collect = (c: Condition): void => {
        if (c.kind === "and" || c.kind === "or") c.items.forEach(collect);
        else if (c.kind === "not") collect(c.operand);
        else {
          names.add(c.path.segments[0]!.name);
          if (c.kind === "compare" && c.operand.kind === "path") names.add(c.operand.segments[0]!.name);
        }
      };
      collect(k.condition);
      // LANGUAGE.md 3: an event spelling a key differently from the rule is outside the contract;
      // a top-level field whose name holds a dot is not one a table's field map can name.
      const keys: string[] = [];
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v !== null && typeof v === "object") for (const [key, x] of Object.entries(v)) (keys.push(key), walk(x));
      };
      walk(k.event);
      const segs = new Set<string>();
      const segsOf = (c: Condition): void => {
        if (c.kind === "and" || c.kind === "or") c.items.forEach(segsOf);
        else if (c.kind === "not") segsOf(c.operand);
        else {
          c.path.segments.forEach((x) => segs.add(x.name));
          if (c.kind === "compare" && c.operand.kind === "path") c.operand.segments.forEach((x) => segs.add(x.name));
          if (c.kind === "any") segsOf(c.condition);
        }
      };
      segsOf(k.condition);
      const caseDiffers = keys.some((key) => [...segs].some((x) => x !== key && x.toLowerCase() === key.toLowerCase()));
      if (caseDiffers || [...names].some((n) => n.includes(".")) || k.event === null || typeof k.event !== "object" || Array.isArray(k.event)) {
        outside++;
        continue;
      }
      const data: SentinelData = {
        ...GENERIC,
        columns: { ...Object.fromEntries([...names].map((_, i) => [`J${i}`, "string"])), TimeGenerated: "datetime" },
        fields: Object.fromEntries([...names].map((n, i) => [n, { column: `J${i}`, holds: "json" as const }])),
      };
      compare(`${k.section} / ${k.name}: ${k.text}`, k.condition, [k.event], data, t);
    }
    expect(t.problems).toEqual([]);
    console.log(`sentinel: conformance over JSON-text columns: ${t.compared} cases compared (${t.notSayable} RC401), ${outside} outside the contract or a table`);
  });

  /**
   * A path into JSON text compared with a text column the schema marks nonEmpty (as
   * requestParameters.userName with recipientAccountId): `a`, `c`, `x-y` JSON text, `b` a nonEmpty
   * text column. The shared generated conditions (their field-to-field comparisons among them) x
   * events whose `b` is a non-empty string or missing (the mark's fact; other events are refused
   * by rows.ts and left out), and a generator of such comparisons alone (every operator with a
   * field operand, either side JSON, paths into nested arrays and objects) over events whose JSON
   * leaves are drawn from the same pool as `b`, so that pairs are often equal.
   */
  const MIXED: SentinelData = {
    ...GENERIC,
    fields: { a: { column: "A", holds: "json" }, b: { column: "B", holds: "string", nonEmpty: true }, c: { column: "C", holds: "json" }, "x-y": { column: "X_y", holds: "json" } },
    columns: { A: "string", B: "string", C: "string", X_y: "string", TimeGenerated: "datetime" },
  };

  it("JSON text compared with a nonEmpty text column: the shared generated conditions and a generator of such comparisons", () => {
    const t = tally();
    let refused = 0;
    for (const c of generateCases(20261207, 1000, 6)) {
      const events = c.events.filter((e) => conforms(e, MIXED) || (refused++, false));
      compare(c.text, c.condition, events, MIXED, t);
    }
    expect(t.problems.slice(0, 5)).toEqual([]);
    console.log(`sentinel: JSON text and a nonEmpty column, shared generator: ${t.queries} queries accepted by the language service, ${t.compared} condition x event pairs compared, 0 disagreements; ${t.notSayable} conditions RC401; ${refused} events refused (b not a non-empty string)`);

    const POOL = ["x", "X", "abc", "ab", "bc", "a", "123456789012", "ΟΔΟΣ", "İ", "x\n", " "];
    const leaf = fc.oneof({ weight: 6, arbitrary: fc.constantFrom<unknown>(...POOL, "") }, { weight: 1, arbitrary: fc.constantFrom<unknown>(5, true, null, 123456789012) });
    const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: "small", maxDepth: 3 },
        { weight: 4, arbitrary: leaf },
        { weight: 2, arbitrary: fc.array(tie("v"), { maxLength: 3 }) },
        { weight: 3, arbitrary: fc.dictionary(fc.constantFrom("c", "k"), tie("v"), { maxKeys: 2 }) },
      ),
    })).v;
    // Half the events take b from one of their own string leaves, so that pairs are often equal.
    const leaves = (v: unknown): string[] =>
      typeof v === "string" ? [v] : Array.isArray(v) ? v.flatMap(leaves) : v !== null && typeof v === "object" ? Object.values(v).flatMap(leaves) : [];
    const event = fc.tuple(fc.record({ a: value, b: fc.constantFrom(...POOL), c: value }, { requiredKeys: [] }), fc.nat(), fc.boolean()).map(([e, k, take]) => {
      const own = [...leaves(e.a), ...leaves(e.c)].filter((x) => x !== "");
      return take && own.length > 0 ? { ...e, b: own[k % own.length]! } : e;
    });
    const jsonPathText = fc.constantFrom("a", "a.k", "a.c", "c", "c.k", "a.k.c");
    const op = fc.constantFrom("eq", "ne", "contains", "startswith", "endswith", "ieq", "ine", "icontains", "gt");
    const cond = fc.tuple(jsonPathText, op, fc.boolean(), fc.integer({ min: 0, max: 3 }).map((x) => x === 0)).map(([p, o, leafFirst, negate]) => `${negate ? "not " : ""}${leafFirst ? `${p} ${o} b` : `b ${o} ${p}`}`);
    const f = tally();
    const texts = fc.sample(cond, { seed: 2141, numRuns: 800 });
    const evs = fc.sample(fc.array(event, { minLength: 8, maxLength: 8 }), { seed: 2142, numRuns: 800 });
    let matched = 0;
    let paired = 0;
    texts.forEach((text, i) => {
      const condition = parseAndCheck(text);
      compare(text, condition, evs[i]!, MIXED, f);
      const verdicts = evs[i]!.map((e) => evaluate(condition, e));
      matched += verdicts.filter(Boolean).length;
      // Pairs found: a positive comparison (eq, contains, startswith, endswith) that holds.
      if (/^(a|c)[.\w]* (eq|contains|startswith|endswith) b$|^b (eq|contains|startswith|endswith) /.test(text)) paired += verdicts.filter(Boolean).length;
    });
    expect(paired).toBeGreaterThan(150);
    expect(f.problems.slice(0, 5)).toEqual([]);
    expect(f.queries).toBeGreaterThan(400);
    console.log(`sentinel: JSON text and a nonEmpty column, comparisons of the two: ${f.queries} queries accepted by the language service, ${f.compared} condition x event pairs compared (${matched} true, ${paired} of them a positive comparison that found its pair), 0 disagreements; ${f.notSayable} conditions RC401 (i forms, gt)`);
  }, 300_000);

  it("hostile literals stay literals: quotes, backslashes, control characters, Unicode", () => {
    for (const s of ['"; drop', "a\\b", "line\nbreak\r\t", "\u0000\u001f\u2028", "😀é", "'"]) {
      const lit = kqlString(s);
      const a = analyse(`print r = ${lit}`, GENERIC);
      expect(a.errors).toEqual([]);
      expect(runQuery(a.syntax, {})[0]!.r).toBe(s);
    }
    expect(() => kqlString("\ud800")).toThrow(NotSayableInKql);
  });
});

describe("sentinel target", () => {
  const seedText = readFileSync(new URL("athena_seed_ses/rule.yml", FIXTURES), "utf8");
  const withCondition = (cond: string, extra = "") =>
    load2(seedText.replace('Condition: eventName eq "GetAccountSendingEnabled"', () => `Condition: ${JSON.stringify(cond)}${extra}`));
  function load2(text: string): Rule {
    const loaded = loadRuleText(text, "rules/x.yml");
    if (!loaded.rule) throw new Error(JSON.stringify(loaded.diagnostics));
    return loaded.rule;
  }
  const reason = (cond: string) => {
    const out = sentinelTarget.compile(withCondition(cond));
    return out.files.length > 0 ? "expressed" : out.diagnostics.map((d) => d.message).join("; ");
  };

  it("is byte-identical between builds", () => {
    const r = withCondition('eventName eq "A"');
    expect(sentinelTarget.compile(r).files[0]!.content).toBe(sentinelTarget.compile(r).files[0]!.content);
  });

  it.each([
    ["userIdentity.invokedBy exists", /userIdentity.invokedBy exists: AWSCloudTrail.UserIdentityInvokedBy holds a missing userIdentity.invokedBy and an empty one alike/],
    ['eventName eq ""', /different verdicts/],
    ['eventName contains ""', /different verdicts/],
    ['eventName ne ""', /different verdicts/],
    ['eventName like "*"', /different verdicts/],
    ["eventName matches '^$'", /different verdicts/],
    ["responseElements.accessKey.userName ine userIdentity.userName", /final-sigma/],
    ["requestParameters.userName ne userIdentity.userName", /UserIdentityUserName holds a missing userIdentity.userName and an empty one alike .*nonEmpty/],
    ['userIdentity.userName eq requestParameters.userName', /holds a missing userIdentity.userName and an empty one alike/],
    ["requestParameters.userName eq responseElements.userName", /both inside JSON text/],
    ["requestParameters.count gt recipientAccountId", /numeric comparison/],
    ["resources[ARN contains accountId]", /inside an element of path/],
    ["userIdentity exists", /spreads over several columns/],
    ['userIdentity.credentialId eq "x"', /has no column for userIdentity.credentialId/],
    ['userIdentity.sessionContext.attributes.mfaAuthenticated eq "true"', /converted to bool/],
    ["eventName eq eventSource", /two fields/],
    ["userIdentity.accountId contains recipientAccountId", /two fields/],
    ['userAgent ieq "ΟΔΟΣ"', /sigma/],
    ['userAgent imatches "é"', /non-ASCII/],
  ])("RC401: %s", (cond, why) => {
    expect(reason(cond)).toMatch(why);
  });

  it.each([
    ["errorCode empty", /isempty\(ErrorCode\)/],
    ["errorCode exists", /where isnotempty\(ErrorCode\)\n/],
    ["not errorCode exists", /where not\(isnotempty\(ErrorCode\)\)\n/],
    ['errorCode ne ""', /where iff\(isempty\(ErrorCode\), true, not\(ErrorCode == ""\)\)\n/],
    ["userIdentity.accountId ne recipientAccountId", /where not\(isnotempty\(UserIdentityAccountId\) and UserIdentityAccountId == RecipientAccountId\)\n/],
    ["readOnly exists", /isnotnull\(ReadOnly\)/],
    ["readOnly eq false", /iff\(isnull\(ReadOnly\), false, not\(ReadOnly\)\)/],
    ['readOnly eq "true"', /where false/],
    ['eventName ne 5', /where true/],
    ['requestParameters.bucketName eq "x"', /mv-apply _j1 = pack_array\(parse_json\(RequestParameters\)\) on \(\n/],
    ['resources[type eq "x"]', /\| where isnotnull\(_j1\)\n {6}\| mv-apply _j2 = pack_array\(_j1\)/],
    ['eventName eq "A" and not requestParameters.x exists', /\| where EventName == "A"\n {2}\| mv-apply [\s\S]*\| where not\(_m1\)\n/],
    ['requestParameters.x eq 5', /todouble\(_j1\) == 5.0/],
    ["requestParameters.policy contains recipientAccountId", /mv-apply _j1 = pack_array\(parse_json\(RequestParameters\)\), _c1 = pack_array\(RecipientAccountId\) on \([\s\S]*countif\(gettype\(_j1\) == "string" and isnotempty\(tostring\(_c1\)\) and tostring\(_j1\) contains_cs tostring\(_c1\)\) > 0/],
    ["userIdentity.accountId ne requestParameters.accountId", /tostring\(_c1\) == tostring\(_j1\)\) > 0\n {2}\)\n {2}\| where not\(_m1\)\n/],
  ])("expressed: %s", (cond, form) => {
    const out = sentinelTarget.compile(withCondition(cond));
    expect(out.files, cond).toHaveLength(1);
    expect(out.files[0]!.content).toMatch(form);
  });

  it("JSON text: arrays nested up to four deep are looked through before a key and at the end; a fifth level is the documented bound", () => {
    const r = withCondition('requestParameters.a.b eq 1');
    const query = (YAML.parse(sentinelTarget.compile(r).files[0]!.content) as { query: string }).query;
    const a = analyse(query, CLOUDTRAIL);
    expect(a.errors).toEqual([]);
    const nest = (v: unknown, n: number): unknown => (n === 0 ? v : nest([v], n - 1));
    const within = [0, 1, 2, 3, 4].flatMap((n) => [{ requestParameters: { a: nest({ b: 1 }, n) } }, { requestParameters: { a: { b: nest(1, n) } } }, { requestParameters: nest({ a: { b: 1 } }, n) }]);
    const empty = [{ requestParameters: { a: [] } }, { requestParameters: { a: [[], { b: [] }] } }, { requestParameters: { a: { b: "1" } } }, { requestParameters: { a: [null, { b: null }] } }, {}];
    const rows = [...within, ...empty].map((e) => eventToRow(e, CLOUDTRAIL));
    expect(verdicts(a.syntax, CLOUDTRAIL.table, rows)).toEqual([...within.map(() => true), ...empty.map(() => false)]);
    expect([...within, ...empty].map((e) => evaluate(r.condition, e))).toEqual([...within.map(() => true), ...empty.map(() => false)]);
    // Five levels: the language looks through every level, the query through four.
    const deep = { requestParameters: { a: nest({ b: 1 }, 5) } };
    expect(evaluate(r.condition, deep)).toBe(true);
    expect(verdicts(a.syntax, CLOUDTRAIL.table, [eventToRow(deep, CLOUDTRAIL)])).toEqual([false]);
  });

  it("cidr takes only the dotted quads the language reads as addresses (no part over 255, no leading zero)", () => {
    const r = withCondition('not sourceIPAddress cidr "10.0.0.0/8"');
    const query = (YAML.parse(sentinelTarget.compile(r).files[0]!.content) as { query: string }).query;
    const a = analyse(query, CLOUDTRAIL);
    expect(a.errors).toEqual([]);
    const events = ["10.1.2.3", "11.0.0.1", "300.1.1.1", "256.0.0.1", "10.0.0.256", "010.0.0.1", "10.0.0", "", "AWS Internal", "2001:db8::1"].map((ip) => ({ sourceIPAddress: ip }));
    const got = verdicts(a.syntax, CLOUDTRAIL.table, events.map((e) => eventToRow(e, CLOUDTRAIL)));
    expect(got).toEqual(events.map((e) => evaluate(r.condition, e)));
    expect(got).toEqual([false, true, true, true, true, true, true, true, true, true]);
  });

  it("cidr with IPv6 networks: the column's strict IPv6 test is the language's address syntax, then ipv6_is_in_range", () => {
    // The guard accepts exactly the strings src/check/cidr.ts reads as IPv6: listed forms and
    // arbitrary strings over the characters of addresses.
    const hex = re2ToJs(IPV6_HEX);
    const quad = re2ToJs(IPV6_QUAD);
    const guard = { test: (s: string) => hex.test(s) || quad.test(s) };
    const listed = [
      "::", "::1", "1::", "2001:db8::1", "2001:DB8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
      "1:2:3:4:5:6:1.2.3.4", "::ffff:10.0.0.1", "::1.2.3.4", "1::1.2.3.4", "1:2:3:4:5::1.2.3.4", "1:2:3:4:5:6::1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
      "::ffff:010.0.0.1", "::ffff:256.0.0.1", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3", ":::", ":1::", "1::2:", "12345::", "fe80::1%eth0", "[::1]",
      " ::1", "::1\n", "::1/128", "10.0.0.1", "", "g::1", "::1.2.3", "1:2:3:4:5:6:7:8::", "0:0:0:0:0:0:0:0",
    ];
    const arbAddressish = fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF:.", "::", "1.2.3.4", "ffff", "%", " "), maxLength: 14 });
    let accepted = 0;
    for (const s of [...listed, ...fc.sample(arbAddressish, { seed: 2131, numRuns: 20000 })]) {
      const v6 = s.includes(":") && parseIPv6(s) !== undefined;
      expect(guard.test(s), JSON.stringify(s)).toBe(v6);
      expect(hex.test(s) && quad.test(s)).toBe(false);
      if (v6) accepted++;
    }
    console.log(`sentinel: the IPv6 test agrees with the language's address syntax on ${listed.length + 20000} strings (${accepted} addresses)`);
    expect(accepted).toBeGreaterThan(200);
    // The rule's verdicts: IPv6 and IPv4 networks in one list, values of every form.
    const r = withCondition('not sourceIPAddress cidr ["2001:db8:1000::/48", "10.0.0.0/8", "::1", "::ffff:0:0/96"]');
    const query = (YAML.parse(sentinelTarget.compile(r).files[0]!.content) as { query: string }).query;
    expect(query).toMatch(/ipv6_is_in_range\(SourceIpAddress, "2001:db8:1000::\/48"\)/);
    const a = analyse(query, CLOUDTRAIL);
    expect(a.errors).toEqual([]);
    const values = [...listed, "2001:db8:1000::1", "2001:DB8:1000:ffff::", "2001:db8:1000::1.2.3.4", "2001:0db8:1000:0:0:0:0:1", "2001:db8:1001::1", "2001:db8:1000::1%eth0", "0:0:0:0:0:0:0:1", "0::1", "10.1.2.3", "::ffff:10.1.2.3", "AWS Internal"];
    const arbInside = fc.tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 5, maxLength: 5 }), fc.boolean()).map(([g, upper]) => {
      const t = `2001:db8:1000:${g.map((x) => x.toString(16)).join(":")}`;
      return upper ? t.toUpperCase() : t;
    });
    const events = [...values, ...fc.sample(arbInside, { seed: 2132, numRuns: 200 }), ...fc.sample(arbAddressish, { seed: 2133, numRuns: 2000 })].map((ip) => ({ sourceIPAddress: ip }));
    const got = verdicts(a.syntax, CLOUDTRAIL.table, events.map((e) => eventToRow(e, CLOUDTRAIL)));
    expect(got).toEqual(events.map((e) => evaluate(r.condition, e)));
    expect(got.filter((v) => !v).length).toBeGreaterThan(200);
    // The dotted-quad forms go through the rewrite to hex groups (the evaluator's ipv6_is_in_range refuses them).
    const at = (ip: string) => got[events.findIndex((e) => e.sourceIPAddress === ip)];
    expect(["2001:db8:1000::1.2.3.4", "::ffff:10.0.0.1", "::ffff:10.1.2.3", "::1.2.3.4", "1:2:3:4:5:6:1.2.3.4"].map(at)).toEqual([false, false, false, true, true]);
    console.log(`sentinel: cidr with IPv6 and IPv4 networks: ${events.length} addresses compared (${got.filter((v) => !v).length} inside a network), 0 disagreements`);
  });

  it("a name or description longer than an analytics rule takes is RC401", () => {
    const long = load2(seedText.replace(/^DisplayName: .*$/m, `DisplayName: ${"x".repeat(300)}`));
    expect(sentinelTarget.compile(long).diagnostics.map((d) => d.message)).toEqual(["Sentinel: the DisplayName is 300 characters, and an analytics rule's name holds at most 256"]);
  });

  it("a query past the 10,000 characters of an analytics rule is RC401, not a schema failure", () => {
    const names = Array.from({ length: 600 }, (_, i) => `"Event${i}WithALongName"`).join(", ");
    const out = sentinelTarget.compile(withCondition(`eventName in [${names}]`));
    expect(out.files).toEqual([]);
    expect(out.diagnostics.map((d) => [d.code, d.severity])).toEqual([["RC401", "error"]]);
    expect(out.diagnostics[0]!.message).toMatch(/the query is [\d,]+ characters, and an analytics rule's query holds at most 10,000/);
  });

  it("checks its options", () => {
    expect(checkTargetOptions("sentinel", { queryFrequency: "1h", queryPeriod: "2h" })).toEqual([]);
    expect(checkTargetOptions("sentinel", { queryFrequency: "1x" }).map((p) => p.key)).toEqual(["queryFrequency"]);
    expect(checkTargetOptions("sentinel", { queryFrequency: "1m" })[0]!.message).toMatch(/from 5m to 14d/);
    expect(checkTargetOptions("sentinel", { queryFrequency: "2h", queryPeriod: "1h" })[0]!.message).toMatch(/not be shorter/);
    const out = sentinelTarget.compile(withCondition('eventName eq "A"'), { queryFrequency: "5m", queryPeriod: "1d" });
    expect(out.files[0]!.content).toMatch(/queryFrequency: 5m\nqueryPeriod: 1d\n/);
    expect(sentinelTarget.compile(withCondition('eventName eq "A"'), { queryFrequency: 5 }).diagnostics[0]!.code).toBe("RC502");
  });

  it("maps metadata: severity, tactics, threshold, title, entities", () => {
    const r = load2(
      seedText
        .replace("Severity: Info", "Severity: Critical")
        .replace("Condition:", 'Reports: {MITRE ATT&CK: ["TA0005:T1562.008", "TA0112:T1685"]}\nThreshold: 5\nDedupPeriodMinutes: 30\nAlertTitle: "{eventName} by {userIdentity.arn} in {awsRegion}"\nCondition:'),
    );
    const out = sentinelTarget.compile(r);
    const doc = YAML.parse(out.files[0]!.content) as Record<string, unknown>;
    expect(doc.severity).toBe("High");
    expect(doc.tactics).toEqual(["DefenseEvasion"]);
    expect(doc.relevantTechniques).toEqual(["T1562.008", "T1685"]);
    expect(out.diagnostics.map((d) => d.message)).toEqual(["Sentinel: no Sentinel tactic for TA0112 (defense-impairment) (left out of tactics)"]);
    expect([doc.triggerOperator, doc.triggerThreshold, doc.queryFrequency, doc.queryPeriod]).toEqual(["gt", 4, "30m", "30m"]);
    expect(doc.alertDetailsOverride).toEqual({ alertDisplayNameFormat: "{{EventName}} by {{UserIdentityArn}} in {{AWSRegion}}" });
    expect(doc.query as string).toMatch(/\| project TimeGenerated, UserIdentityArn, SourceIpAddress, EventName, AWSRegion\n$/);
    // A fourth column in the title is one more than Sentinel takes: the override is left out, with a warning.
    const four = load2(seedText.replace("Condition:", 'AlertTitle: "{eventName} {eventSource} {awsRegion} {userAgent}"\nCondition:'));
    const o4 = sentinelTarget.compile(four);
    expect(YAML.parse(o4.files[0]!.content).alertDetailsOverride).toBeUndefined();
    expect(o4.diagnostics[0]!.message).toMatch(/at most 3 columns/);
  });
});
