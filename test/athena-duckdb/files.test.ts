import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluate } from "../../src/eval/evaluate.js";
import { loadRuleText } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";
import { athenaDuckdbDialect } from "../../src/targets/athena/duckdb-athena.js";
import { daysBetween, dayPattern, filesPattern } from "../../src/targets/athena/files.js";
import { athenaTarget } from "../../src/targets/athena/index.js";
import { profileFor } from "../../src/targets/athena/profile.js";
import { buildQuery } from "../../src/targets/athena/query.js";
import { generateCases } from "../helpers/arbitraries.js";
import { conformanceCases } from "../helpers/conformance.js";
import { openEngine, trailLocation, writeTrail, type Engine } from "./engine.js";
import { expectNoMacros, libraryRules, markable, markEvents, readsFiles, runOnFiles, shippedRuleCount, StatementCheck, wellFormed, type Item, type Outcome } from "./proof.js";

/**
 * The DuckDB statements over the log files themselves: `read_json` of gzipped CloudTrail files laid
 * out as CloudTrail lays them out in S3 (`AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/`,
 * `{"Records": [...]}`), each file's records unnested, each statement exactly as the Athena target
 * writes it for that location, run on a DuckDB with no macro and Athena's built-in extensions only.
 * Every rule Test, every conformance case and 12,000 generated pairs give the evaluator's verdict;
 * a time window reads only the folders of its days and keeps only its events.
 *
 * A lone surrogate cannot be written in a UTF-8 file: events holding one are written, and judged,
 * with U+FFFD in its place (counted).
 */

let engine: Engine;
let check: StatementCheck;
const root = mkdtempSync(join(tmpdir(), "rulec-athena-files-"));
beforeAll(async () => {
  engine = await openEngine();
  check = new StatementCheck(engine);
  await expectNoMacros(engine);
});
// Removing the trail folders of some 13,000 cases takes a while on a loaded machine.
afterAll(async () => {
  if (engine) {
    await expectNoMacros(engine);
    engine.close();
  }
  rmSync(root, { recursive: true, force: true });
}, 300_000);

const cloudtrail = profileFor("AWS.CloudTrail", "cloudtrail_logs")!;

function fileStatement(rule: Rule, location: string, options: Record<string, string> = {}): string {
  const out = athenaTarget.compile(rule, { ...options, engine: "duckdb", location });
  expect(out.diagnostics, rule.name).toEqual([]);
  expect(out.files.map((f) => f.path)).toEqual([`athena/${rule.name}.sql`, `athena/${rule.name}.duckdb.sql`]);
  return out.files[1]!.content;
}

/** The statement of a bare condition (a conformance case, a generated one) over the files of `location`. */
function conditionStatement(item: Item, location: string): string {
  const q = buildQuery({ name: "c", logType: "AWS.CloudTrail", condition: item.condition }, { location }, athenaDuckdbDialect(), { profile: cloudtrail });
  expect(q.errors, item.label).toEqual([]);
  return q.sql!;
}

/** Events as a UTF-8 file holds them; counts those that changed. */
function writable(events: readonly unknown[], changed: { n: number }): unknown[] {
  return events.map((e) => {
    const w = wellFormed(e);
    if (JSON.stringify(w) !== JSON.stringify(e)) changed.n++;
    return w;
  });
}

function record(suite: string, o: Outcome, started: number, extra = ""): void {
  console.log(`athena duckdb engine, files: ${suite}: ${o.compared} compared, ${o.problems.length} disagreements, ${o.statements} statements run${extra}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

describe("rule Tests over CloudTrail files in S3's layout", { timeout: 300_000 }, () => {
  it("every rule's DuckDB statement with a location gives the evaluator's verdict", async () => {
    const started = performance.now();
    const all = libraryRules();
    expect(all.length).toBeGreaterThanOrEqual(shippedRuleCount());
    // The rules whose log type has a file layout (CloudTrail's AWSLogs); the others read tables.
    const rules = all.filter(readsFiles);
    expect(rules.length).toBeGreaterThan(30);
    const changed = { n: 0 };
    const items: Item[] = rules.map((r) => ({ label: r.name, condition: r.condition, events: writable(r.tests.map((t) => t.log), changed), marked: false, expected: r.tests.map((t) => t.expectedResult) }));
    const o = await runOnFiles(engine, root, "rule", items, (i, location) => fileStatement(rules[i]!, location), check);
    record(`${rules.length} rules' Tests`, o, started, changed.n ? `, ${changed.n} events re-spelled` : "");
    expect(o.problems.slice(0, 5)).toEqual([]);
    expect(o.compared).toBe(rules.reduce((n, r) => n + r.tests.length, 0));
  });
});

describe("conformance cases and generated pairs over CloudTrail files", { timeout: 600_000 }, () => {
  it("every conformance case in the cross-target contract gives the evaluator's verdict", async () => {
    const started = performance.now();
    const cases = conformanceCases().filter((c) => !c.section.includes("outside the cross-target contract"));
    const changed = { n: 0 };
    const items: Item[] = cases.map((c) => {
      const mark = markable(c.text, [c.event]);
      const events = writable([c.event], changed);
      return { label: `${c.section} / ${c.name}: ${c.text}`, condition: c.condition, events: mark ? markEvents(events as Record<string, unknown>[]) : events, marked: mark, expected: changed.n ? undefined : [c.expected] };
    });
    const o = await runOnFiles(engine, root, "conformance", items, (i, location) => conditionStatement(items[i]!, location), check);
    record("conformance cases", o, started, changed.n ? `, ${changed.n} events re-spelled` : "");
    expect(o.problems).toEqual([]);
    expect(o.compared).toBe(cases.length);
  });

  it("12,000 generated condition x event pairs, zero disagreements", async () => {
    const started = performance.now();
    const generated = [...generateCases(20261127, 1500, 4), ...generateCases(4242, 1500, 4)];
    const changed = { n: 0 };
    const items: Item[] = generated.map((g) => {
      const events = writable(g.events, changed) as Record<string, unknown>[];
      const mark = markable(g.text, events);
      return { label: g.text, condition: g.condition, events: mark ? markEvents(events) : events, marked: mark };
    });
    const o = await runOnFiles(engine, root, "generated", items, (i, location) => conditionStatement(items[i]!, location), check);
    record("generated conditions x events", o, started, changed.n ? `, ${changed.n} events re-spelled (lone surrogates)` : "");
    expect(o.problems.slice(0, 5)).toEqual([]);
    expect(o.compared).toBe(12_000);
  });
});

describe("time windows: the folders of the window's days, and its events only", { timeout: 120_000 }, () => {
  const rule = loadRuleText(
    "RuleID: T.Window\nDisplayName: t\nLogTypes: [AWS.CloudTrail]\nSeverity: Info\nCondition: eventName eq \"ConsoleLogin\"\nOutputFields: [eventName, eventTime]\n",
    "rules/window.yml",
  ).rule!;
  const hour = 3_600_000;
  const day = (t: number) => new Date(t).toISOString().slice(0, 10).replace(/-/g, "/");
  const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");

  /** A trail: each event in the folder of the day it is delivered on (its own day, or the next one); malformed files where the window must not look. */
  function trail(name: string, times: readonly number[], poison: readonly string[]): { location: string; events: { eventName: string; eventTime: string }[] } {
    const location = trailLocation(root, name);
    const events = times.flatMap((t) => [
      { eventName: "ConsoleLogin", eventTime: iso(t) },
      { eventName: "GetObject", eventTime: iso(t) },
    ]);
    // Events near midnight land in the next day's folder, as late deliveries do: delivered an hour
    // later, or now if that hour is not over (a file is never delivered in the future, so a test
    // run between 23:00 and midnight UTC has no folder for tomorrow).
    const now = Date.now();
    writeTrail(
      location,
      events.map((e) => {
        const t = Date.parse(e.eventTime);
        return { day: day(new Date(t).getUTCHours() >= 23 ? Math.min(t + hour, now) : t), records: [e] };
      }),
    );
    for (const d of poison) {
      mkdirSync(join(location, d), { recursive: true });
      writeFileSync(join(location, d, "111122223333_CloudTrail_us-east-1_poison.json.gz"), gzipSync('{"Records": [ this is not JSON'));
    }
    return { location, events };
  }

  async function verdicts(sql: string, label: string): Promise<Set<string>> {
    const r = await check.run(sql, label);
    const at = r.names.indexOf("eventTime");
    return new Set(r.rows.map((row) => String(JSON.parse(String(row[at])))));
  }

  it("a fixed window (--from, --to): one pattern over its days, a day of slack each side", async () => {
    const times = ["2024-10-30T12:00:00Z", "2024-10-31T23:30:00Z", "2024-11-01T00:00:00Z", "2024-11-05T10:00:00Z", "2024-11-07T23:59:59Z", "2024-11-08T00:00:00Z", "2024-11-09T01:00:00Z"].map(Date.parse);
    // Days the pattern 2024/1[01]/[03][1-9] does not cover.
    const { location, events } = trail("fixed", times, ["2024/11/15", "2024/12/02", "2025/11/01", "2023/11/01"]);
    const sql = fileStatement(rule, location, { from: "2024-11-01", to: "2024-11-08" });
    expect(sql).toContain(`read_json('${location}2024/1[01]/[03][1-9]/*.json.gz'`);
    const got = await verdicts(sql, "fixed window");
    const want = events.filter((e) => evaluate(rule.condition, e) && Date.parse(e.eventTime) >= Date.parse("2024-11-01T00:00:00Z") && Date.parse(e.eventTime) < Date.parse("2024-11-08T00:00:00Z")).map((e) => e.eventTime);
    expect([...got].sort()).toEqual(want.sort());
    expect(want).toHaveLength(3);
  });

  it("a window ending now (--since, --from alone): the pattern is computed when the query runs", async () => {
    const now = Date.now();
    const times = [now - 30 * 60_000, now - 23 * hour, now - 25 * hour, now - 3 * 24 * hour, now - 9 * 24 * hour];
    const { location, events } = trail("running", times, ["2020/01/15", "2019/12/31"]);
    for (const [options, inWindow] of [
      [{ since: "24h" }, (t: number) => t >= now - 24 * hour],
      [{ since: "7d" }, (t: number) => t >= now - 7 * 24 * hour],
      [{ from: iso(now - 4 * 24 * hour).slice(0, 10) }, (t: number) => t >= Date.parse(iso(now - 4 * 24 * hour).slice(0, 10) + "T00:00:00Z")],
    ] as const) {
      const sql = fileStatement(rule, location, options);
      expect(sql).toContain("current_timestamp");
      const got = await verdicts(sql, JSON.stringify(options));
      const want = events.filter((e) => evaluate(rule.condition, e) && inWindow(Date.parse(e.eventTime))).map((e) => e.eventTime);
      expect([...got].sort(), JSON.stringify(options)).toEqual(want.sort());
      expect(want.length).toBeGreaterThan(0);
    }
  });

  it("the pattern the query computes is the one rulec computes for the same days", async () => {
    const today = day(Date.now());
    for (const first of ["2024/02/27", "2023/12/30", day(Date.now() - 40 * 24 * hour), today]) {
      const expr = filesPattern({ layout: "cloudtrail" }, "/x/", { kind: "running", from: `DATE '${first.replace(/\//g, "-")}'` });
      const got = String((await engine.connection.runAndReadAll(`SELECT ${expr}`)).getRows()[0]![0]);
      const chars = (p: string) => p.replace(/\[([0-9])-([0-9])\]/g, (_, a: string, b: string) => `[${Array.from({ length: Number(b) - Number(a) + 1 }, (_x, k) => String(Number(a) + k)).join("")}]`);
      expect(chars(got)).toBe(chars(`/x/${dayPattern(daysBetween(first, today))}/*.json.gz`));
    }
  });

  it("a window whose days hold no file fails with DuckDB's 'No files found' (a hunt reports it as no matches)", async () => {
    const { location } = trail("empty", [Date.parse("2024-11-05T10:00:00Z")], []);
    const sql = fileStatement(rule, location, { from: "2025-03-01", to: "2025-03-02" });
    await expect(engine.connection.runAndReadAll(sql)).rejects.toThrow(/No files found that match the pattern/);
  });
});

describe("patterns of days", () => {
  it.each([
    [["2024/11/01"], "2024/11/01"],
    [daysBetween("2024/10/31", "2024/11/09"), "2024/1[01]/[03][1-9]"],
    [daysBetween("2024/11/01", "2024/11/09"), "2024/11/0[1-9]"],
    [daysBetween("2024/12/30", "2025/01/02"), "202[45]/[01][12]/[03][0-2]"],
    [daysBetween("2024/01/01", "2024/12/31"), "2024/[01][0-9]/[0-3][0-9]"],
  ])("%j -> %s", (days, pattern) => {
    expect(dayPattern(days)).toBe(pattern);
    // Never narrower than the days.
    const re = new RegExp(`^${pattern.replace(/\//g, "\\/")}$`);
    for (const d of days) expect(d).toMatch(re);
  });
});

describe("statements", () => {
  it("every statement run is one SELECT calling only the engine's built-in functions", async () => {
    expect(check.count).toBeGreaterThan(4000);
    expect(await check.foreign()).toEqual([]);
    expect(check.functions.has("read_json")).toBe(true);
    console.log(`athena duckdb engine, files: ${check.count} statements checked: one SELECT each, ${check.functions.size} distinct built-in functions, no macro`);
  });
});
