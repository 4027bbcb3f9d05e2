import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluate } from "../../src/eval/evaluate.js";
import { loadRuleText } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";
import { athenaTarget } from "../../src/targets/athena/index.js";
import { defaultProfile, profileFor, type Profile } from "../../src/targets/athena/profile.js";
import { DuckRunner } from "./duck.js";
import { trinoErrors } from "./trino.js";

/**
 * Golden files (test/fixtures/athena_<case>/expected*.sql), each validated by the Trino grammar, and
 * every fixture's and every shipped rule's Tests executed through DuckDB on three table layouts of
 * its log type (its default table: AWS's cloudtrail_logs for CloudTrail; Panther's data lake; the
 * generic JSON column): the verdict must equal the reference evaluator's and the test's ExpectedResult.
 */

const FIXTURES = new URL("../fixtures/", import.meta.url);
const fixtures = readdirSync(FIXTURES).filter((d) => d.startsWith("athena_") && existsSync(new URL(`${d}/rule.yml`, FIXTURES))).sort();
const RULES = new URL("../../rules/", import.meta.url);
const libraryFiles = existsSync(RULES) ? readdirSync(RULES).filter((f) => f.endsWith(".yml")).sort() : [];

function load(file: URL, name: string): Rule {
  const r = loadRuleText(readFileSync(file, "utf8"), `rules/${name}.yml`);
  expect(r.rule, JSON.stringify(r.diagnostics)).toBeDefined();
  return r.rule!;
}

function compile(rule: Rule, options: Record<string, string> = {}): string {
  const out = athenaTarget.compile(rule, options);
  expect(out.diagnostics).toEqual([]);
  expect(out.files.map((f) => f.path)).toEqual([`athena/${rule.name}.sql`]);
  const sql = out.files[0]!.content;
  expect(trinoErrors(sql)).toEqual([]);
  return sql;
}

let duck: DuckRunner;
beforeAll(async () => {
  duck = await DuckRunner.open();
});
afterAll(() => duck.close());

/** Runs every rule's Tests on DuckDB in one batch per layout; returns the disagreements. */
async function runTests(rules: readonly Rule[]): Promise<{ compared: number; problems: string[] }> {
  let compared = 0;
  const problems: string[] = [];
  for (const name of ["default", "panther", "generic"]) {
    // Each rule on its own log type's layout of that kind (its default, its Panther data lake table, the generic JSON column).
    const byLayout = new Map<Profile, Rule[]>();
    for (const r of rules) {
      const profile = name === "default" ? defaultProfile(r.logTypes[0]) : profileFor(r.logTypes[0], name)!;
      byLayout.set(profile, [...(byLayout.get(profile) ?? []), r]);
    }
    for (const [profile, group] of byLayout) {
      const results = await duck.run(
        group.map((r) => ({ condition: r.condition, events: r.tests.map((t) => t.log) })),
        profile,
      );
      group.forEach((r, i) =>
        r.tests.forEach((t, j) => {
          compared++;
          const want = evaluate(r.condition, t.log);
          const got = results[i]![j];
          if (got !== want || want !== t.expectedResult) problems.push(`${name} ${r.name} '${t.name}': evaluator ${want}, duckdb ${got}, expected ${t.expectedResult}`);
        }),
      );
    }
  }
  return { compared, problems };
}

describe("athena golden files", () => {
  it("has fixtures", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(8);
  });

  for (const c of fixtures) {
    it(c, async () => {
      const rule = load(new URL(`${c}/rule.yml`, FIXTURES), c);
      const sql = compile(rule);
      await expect(sql).toMatchFileSnapshot(fileURLToPath(new URL(`${c}/expected.sql`, FIXTURES)));
      expect(athenaTarget.compile(rule)).toEqual(athenaTarget.compile(rule));
      const { compared, problems } = await runTests([rule]);
      expect(problems).toEqual([]);
      expect(compared).toBe(3 * rule.tests.length);
    });
  }

  it("athena_profiles: the same rule over other layouts and time windows", async () => {
    const rule = load(new URL("athena_profiles/rule.yml", FIXTURES), "athena_profiles");
    const variants: [string, Record<string, string>][] = [
      ["expected.panther.sql", { profile: "panther", from: "2024-11-01", to: "2024-11-08T12:00:00Z" }],
      ["expected.pp.sql", { profile: "cloudtrail_logs_pp", since: "7d" }],
      ["expected.window.sql", { database: "security", table: "org_trail", since: "90m", to: "2024-12-31" }],
      ["expected.generic.sql", { profile: "generic", table: "raw_events" }],
    ];
    for (const [file, options] of variants) {
      await expect(compile(rule, options)).toMatchFileSnapshot(fileURLToPath(new URL(`athena_profiles/${file}`, FIXTURES)));
    }
  });
});

describe("athena options", () => {
  const rule = load(new URL("athena_seed_ses/rule.yml", FIXTURES), "athena_seed_ses");
  it.each([
    [{ profile: "nope" }, /unknown table profile 'nope'/],
    [{ since: "yesterday" }, /invalid --since/],
    [{ from: "2024-13-45" }, /invalid --from/],
    [{ to: "2024-01-01'; DROP TABLE x; --" }, /invalid --to/],
  ])("rejects %j", (options, message) => {
    const out = athenaTarget.compile(rule, options);
    expect(out.files).toEqual([]);
    expect(out.diagnostics.map((d) => d.code)).toEqual(["RC401"]);
    expect(out.diagnostics[0]!.message).toMatch(message);
  });

  it("rejects options that are not strings", () => {
    const out = athenaTarget.compile(rule, { table: 5 });
    expect(out.diagnostics.map((d) => d.code)).toEqual(["RC502"]);
  });

  it("quotes database and table names from options", () => {
    const sql = compile(rule, { database: 'my"db', table: "Logs Table" });
    expect(sql).toContain(`FROM "my""db"."Logs Table"`);
  });

  it("reports a field the table has no column for", () => {
    const r = loadRuleText(
      readFileSync(new URL("athena_seed_ses/rule.yml", FIXTURES), "utf8").replace('eventName eq "GetAccountSendingEnabled"', 'userIdentity.credentialId eq "x"'),
      "rules/x.yml",
    ).rule!;
    const out = athenaTarget.compile(r);
    expect(out.files).toEqual([]);
    expect(out.diagnostics[0]!.message).toMatch(/userIdentity.credentialId' has no column in the table profile 'cloudtrail_logs'/);
    // The Panther layout has no such column either; the generic layout reads any path.
    expect(athenaTarget.compile(r, { profile: "generic" }).files).toHaveLength(1);
  });
});

describe.runIf(libraryFiles.length > 0)("shipped rules", () => {
  const rules = libraryFiles.map((f) => load(new URL(f, RULES), f.replace(/\.yml$/, "")));

  it("every rule compiles to one query the Trino grammar accepts", () => {
    for (const r of rules) compile(r);
  });

  it("every Test of every rule gives the evaluator's verdict on DuckDB (3 layouts)", async () => {
    const { compared, problems } = await runTests(rules);
    expect(problems).toEqual([]);
    expect(compared).toBe(3 * rules.reduce((n, r) => n + r.tests.length, 0));
    console.log(`athena: ${rules.length} rules, ${compared} rule tests compared on DuckDB, 0 disagreements`);
  });
});
