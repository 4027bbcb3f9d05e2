import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluate } from "../../src/eval/evaluate.js";
import { createTableSql } from "../../src/hunt/table.js";
import { loadRuleText } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";
import { athenaDuckdbDialect } from "../../src/targets/athena/duckdb-athena.js";
import { sqlIdent, sqlString } from "../../src/targets/athena/escape.js";
import { athenaTarget } from "../../src/targets/athena/index.js";
import { GENERIC, profileFor, profilesOf, type Profile } from "../../src/targets/athena/profile.js";
import { buildQuery } from "../../src/targets/athena/query.js";
import { conformanceCases } from "../helpers/conformance.js";
import { ATHENA_EXTENSIONS, CaseTable, LOCAL_ONLY_EXTENSIONS, openEngine, type Engine } from "./engine.js";
import { expectNoMacros, libraryRules, markable, markEvents, runOnTable, shippedRuleCount, StatementCheck, type Item, type Outcome } from "./proof.js";

/**
 * The DuckDB statements for Athena's DuckDB engine over the Glue tables: each rule's
 * `athena/<name>.duckdb.sql`, exactly as `rulec build --target athena --athena-engine duckdb` writes
 * it, runs on a DuckDB with no macro and no extension beyond Athena's built-in ones, over tables
 * with the profiles' shape filled the way the Hive JSON SerDe reads the raw records; its verdict on
 * every event must be the reference evaluator's. Also: every conformance case, rows whose JSON
 * column holds text that is not JSON, and time windows with their partition filters.
 */

let engine: Engine;
let check: StatementCheck;
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

function duckdbStatement(rule: Rule, options: Record<string, string>): string {
  const out = athenaTarget.compile(rule, { ...options, engine: "duckdb" });
  expect(out.diagnostics, rule.name).toEqual([]);
  expect(out.files.map((f) => f.path)).toEqual([`athena/${rule.name}.sql`, `athena/${rule.name}.duckdb.sql`]);
  return out.files[1]!.content;
}

function record(suite: string, o: Outcome, started: number, extra = ""): void {
  console.log(`athena duckdb engine, tables: ${suite}: ${o.compared} compared, ${o.problems.length} disagreements, ${o.statements} statements run${extra}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

describe("the local engine stands in for Athena's DuckDB engine", () => {
  it("runs the pinned DuckDB with Athena's built-in extensions and no macro", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { dependencies: Record<string, string> };
    const pinned = pkg.dependencies["@duckdb/node-api"]!;
    expect(pinned).toMatch(/^\d+\.\d+\.\d+-r\.\d+$/);
    expect(engine.version).toBe(`v${pinned.replace(/-r\.\d+$/, "")}`);
    for (const e of ATHENA_EXTENSIONS) expect(engine.loaded).toContain(e);
    expect(engine.loaded.filter((e) => !(ATHENA_EXTENSIONS as readonly string[]).includes(e) && !(LOCAL_ONLY_EXTENSIONS as readonly string[]).includes(e))).toEqual([]);
    const settings = (await engine.connection.runAndReadAll("SELECT current_setting('autoload_known_extensions'), current_setting('autoinstall_known_extensions'), current_setting('TimeZone')")).getRows()[0]!;
    expect(settings.map(String)).toEqual(["false", "false", "UTC"]);
    console.log(`athena duckdb engine: local DuckDB ${engine.version}, extensions loaded: ${engine.loaded.join(", ")}`);
  });
});

describe("rule Tests on the Glue tables", { timeout: 300_000 }, () => {
  it("every rule's DuckDB statement gives the evaluator's verdict on every table profile of its log type", async () => {
    const started = performance.now();
    const rules = libraryRules();
    expect(rules.length).toBeGreaterThanOrEqual(shippedRuleCount());
    // Grouped by table: CloudTrail's cloudtrail_logs, cloudtrail_logs_pp, panther and generic;
    // each other log type's own tables and the generic layout.
    const byProfile = new Map<Profile, Rule[]>();
    for (const r of rules) for (const p of profilesOf(r.logTypes[0])) byProfile.set(p, [...(byProfile.get(p) ?? []), r]);
    const total: Outcome = { compared: 0, problems: [], statements: 0 };
    let expected = 0;
    for (const [profile, group] of byProfile) {
      const items: Item[] = group.map((r) => ({ label: `${profile.name} ${r.name}`, condition: r.condition, events: r.tests.map((t) => t.log), marked: false, expected: r.tests.map((t) => t.expectedResult) }));
      const table = await CaseTable.create(engine.connection, profile, items);
      const sql = group.map((r) => duckdbStatement(r, { profile: profile.name }));
      // The function names read from each statement's text include all that DuckDB's parse tree holds.
      for (const s of sql) await check.crossCheck(s);
      const o = await runOnTable(engine, table, items, (i) => sql[i]!, check);
      total.compared += o.compared;
      total.statements += o.statements;
      total.problems.push(...o.problems);
      expected += group.reduce((n, r) => n + r.tests.length, 0);
    }
    record(`${rules.length} rules' Tests on ${byProfile.size} table profiles`, total, started);
    expect(total.problems.slice(0, 5)).toEqual([]);
    expect(total.compared).toBe(expected);
    expect(byProfile.size).toBeGreaterThan(10);
  });
});

describe("conformance cases on the generic table", { timeout: 300_000 }, () => {
  it("every case in the cross-target contract gives the evaluator's verdict", async () => {
    const started = performance.now();
    const generic = GENERIC;
    const cases = conformanceCases().filter((c) => !c.section.includes("outside the cross-target contract"));
    const items: Item[] = cases.map((c) => {
      const mark = markable(c.text, [c.event]);
      return { label: `${c.section} / ${c.name}: ${c.text}`, condition: c.condition, events: mark ? markEvents([c.event as Record<string, unknown>]) : [c.event], marked: mark, expected: [c.expected] };
    });
    const sql = items.map((item) => {
      const q = buildQuery({ name: "c", logType: "AWS.CloudTrail", condition: item.condition }, {}, athenaDuckdbDialect(), { profile: generic });
      expect(q.errors, item.label).toEqual([]);
      return q.sql!;
    });
    const table = await CaseTable.create(engine.connection, generic, items);
    const o = await runOnTable(engine, table, items, (i) => sql[i]!, check);
    record("conformance cases", o, started);
    expect(o.problems).toEqual([]);
    expect(o.compared).toBe(cases.length);
    expect(o.compared).toBeGreaterThan(700);
  });
});

describe("one bad value fails no query (a JSON column holding text that is not JSON)", () => {
  // The SerDe gives a JSON string in a string column as its content: `"requestParameters": ""` is
  // '', `"abc"` is abc. Each such row gives its own answer; the query never fails.
  const conditions = [
    "requestParameters empty",
    "not requestParameters empty",
    "requestParameters exists",
    "requestParameters.x exists",
    "requestParameters.x empty",
    "requestParameters.x eq 1",
    "requestParameters.x ne 1",
    'requestParameters.x in [1, "a"]',
    "requestParameters.x gt 0",
    'requestParameters.x contains "b"',
    "requestParameters.x imatches '^A'",
    'requestParameters.x cidr "10.0.0.0/8"',
    "requestParameters.x.y empty",
    "requestParameters[x eq 1]",
    "requestParameters[not x exists]",
    "requestParameters.x eq responseElements.x",
  ];
  const texts = ["", "abc", '{"x": ', "[1, 2", "null x", '{"x": 1}', '{"x": "ab"}', "[]", "{}", " { } "];

  it("every statement runs; each row gives the evaluator's answer on the string the SerDe read", async () => {
    const profile = profileFor("AWS.CloudTrail", "cloudtrail_logs")!;
    const data = "rc_rows_badjson";
    await engine.connection.run(createTableSql(profile, data));
    for (const [j, t] of texts.entries()) {
      await engine.connection.run(`INSERT INTO ${data} (rc_file, rc_record, requestparameters, responseelements) VALUES ('0', ${j}, ${sqlString(t)}, '{"x": "ab"}')`);
    }
    await engine.connection.run(`CREATE SCHEMA IF NOT EXISTS "default"`);
    await engine.connection.run(`CREATE OR REPLACE VIEW "default".${sqlIdent("badjson")} AS SELECT * EXCLUDE (rc_file) FROM ${data}`);
    const problems: string[] = [];
    let compared = 0;
    for (const text of conditions) {
      const r = loadRuleText(`RuleID: T.${text.length}\nDisplayName: t\nLogTypes: [AWS.CloudTrail]\nSeverity: Info\nCondition: '${text.replace(/'/g, "''")}'\nOutputFields: [eventName]\n`, "rules/t.yml");
      expect(r.rule, JSON.stringify(r.diagnostics)).toBeDefined();
      const sql = duckdbStatement(r.rule!, { table: "badjson" });
      // Each row alone: the view shows one record.
      for (const [j, t] of texts.entries()) {
        await engine.connection.run(`CREATE OR REPLACE VIEW "default".badjson AS SELECT * EXCLUDE (rc_file, rc_record) FROM ${data} WHERE rc_record = ${j}`);
        let got: boolean;
        try {
          got = (await check.run(sql, text)).rows.length > 0;
        } catch (e) {
          problems.push(`${text} on ${JSON.stringify(t)}: the statement failed: ${(e as Error).message.split("\n")[0]}`);
          continue;
        }
        let value: unknown = t;
        let isJson = true;
        try {
          value = JSON.parse(t);
        } catch {
          // not JSON: the event held the string itself
          isJson = false;
        }
        compared++;
        // As the Trino SQL decides (docs/targets/athena.md): text that is not JSON holds no element for path[cond].
        const want = !isJson && text.startsWith("requestParameters[") ? false : evaluate(r.rule!.condition, { requestParameters: value, responseElements: { x: "ab" } });
        if (got !== want) problems.push(`${text} on requestparameters ${JSON.stringify(t)}: evaluator ${want}, duckdb ${got}`);
      }
    }
    console.log(`athena duckdb engine, tables: bad JSON text in a JSON column: ${compared} compared, ${problems.length} disagreements`);
    expect(problems).toEqual([]);
    expect(compared).toBe(conditions.length * texts.length);
  });
});

describe("time windows on the tables: the exact time filter and the partition filters", { timeout: 120_000 }, () => {
  const rule = loadRuleText(
    "RuleID: T.Window\nDisplayName: t\nLogTypes: [AWS.CloudTrail]\nSeverity: Info\nCondition: eventName eq \"ConsoleLogin\"\nOutputFields: [eventName, eventTime]\n",
    "rules/window.yml",
  ).rule!;
  const hour = 3_600_000;
  const now = Date.now();
  const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
  const times = [now - 30 * 60_000, now - 23 * hour, now - 25 * hour, now - 6 * 24 * hour, now - 8 * 24 * hour, Date.parse("2024-11-01T00:00:00Z"), Date.parse("2024-11-07T23:59:59Z"), Date.parse("2024-11-08T00:00:00Z"), Date.parse("2024-10-31T23:59:59Z")];
  const events = [
    ...times.map((t) => ({ eventName: "ConsoleLogin", eventTime: iso(t) })),
    ...times.map((t) => ({ eventName: "GetObject", eventTime: iso(t) })),
    { eventName: "ConsoleLogin", eventTime: "not a time" },
    { eventName: "ConsoleLogin" },
  ];
  const windows: [Record<string, string>, (t: number) => boolean][] = [
    [{ since: "24h" }, (t) => t >= now - 24 * hour],
    [{ since: "7d" }, (t) => t >= now - 7 * 24 * hour],
    [{ from: "2024-11-01", to: "2024-11-08" }, (t) => t >= Date.parse("2024-11-01T00:00:00Z") && t < Date.parse("2024-11-08T00:00:00Z")],
    [{ from: "2024-11-01T00:00:00Z" }, (t) => t >= Date.parse("2024-11-01T00:00:00Z")],
    [{ to: "2024-11-08" }, (t) => t < Date.parse("2024-11-08T00:00:00Z")],
  ];
  // The partition columns hold the day of each event's time (a file's delivery day, at the latest a day later).
  const partitions: Record<string, string[]> = {
    cloudtrail_logs: ["strftime(TRY_CAST(eventtime AS TIMESTAMPTZ), '%Y') AS year", "strftime(TRY_CAST(eventtime AS TIMESTAMPTZ), '%m') AS month", "strftime(TRY_CAST(eventtime AS TIMESTAMPTZ), '%d') AS day"],
    cloudtrail_logs_pp: [`strftime(TRY_CAST(eventtime AS TIMESTAMPTZ), '%Y/%m/%d') AS "timestamp"`],
    panther: ["TRY_CAST(eventtime AS TIMESTAMPTZ) AS p_event_time"],
  };

  it("events inside the window and matching the condition, no other", async () => {
    let compared = 0;
    const problems: string[] = [];
    for (const [layout, extra] of Object.entries(partitions)) {
      const profile = profileFor("AWS.CloudTrail", layout)!;
      const table = await CaseTable.create(engine.connection, profile, [{ events }], extra);
      for (const [options, inWindow] of windows) {
        const sql = duckdbStatement(rule, { ...options, ...(layout === "cloudtrail_logs" ? {} : { profile: layout }) });
        if (layout !== "panther") expect(sql, "partition filter").toMatch(layout === "cloudtrail_logs" ? /concat\(year, '\/', month, '\/', day\)/ : /"timestamp" [<>]=/);
        for (const [j, e] of events.entries()) {
          await table.show(0, j);
          const got = (await check.run(sql, `${layout} ${JSON.stringify(options)}`)).rows.length > 0;
          const t = Date.parse((e as { eventTime?: string }).eventTime ?? "");
          const want = evaluate(rule.condition, e) && !Number.isNaN(t) && inWindow(t);
          compared++;
          if (got !== want) problems.push(`${layout} ${JSON.stringify(options)} on ${JSON.stringify(e)}: want ${want}, duckdb ${got}`);
        }
      }
    }
    console.log(`athena duckdb engine, tables: time windows: ${compared} compared, ${problems.length} disagreements`);
    expect(problems).toEqual([]);
  });
});

describe("statements", () => {
  it("every statement run is one SELECT calling only the engine's built-in functions", async () => {
    expect(check.count).toBeGreaterThan(2000);
    expect(await check.foreign()).toEqual([]);
    console.log(`athena duckdb engine, tables: ${check.count} statements checked: one SELECT each, ${check.functions.size} distinct built-in functions, no macro`);
  });
});
