import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { hunt, type HuntOptions, type HuntResult } from "../../src/hunt/hunt.js";
import { loadRuleFiles, loadRuleText } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";
import { DUCKDB, TRINO } from "../../src/targets/athena/dialect.js";
import { profilesOf } from "../../src/targets/athena/profile.js";
import { buildQuery } from "../../src/targets/athena/query.js";

/**
 * `rulec hunt` loads only the table columns its rules' queries read (buildQuery's `columns`, noted
 * by the SQL printer as it resolves each path). A projected table gives exactly the matches and
 * output fields of the full table; a query reading a column that was not loaded fails its rule.
 */

const enc = (s: string) => new TextEncoder().encode(s);
const lib = loadRuleFiles(["rules"]);
const logs = lib.rules.flatMap((r) => r.tests.map((t) => t.log));
const third = Math.ceil(logs.length / 3);
const inputs = [
  { name: "a.json.gz", bytes: gzipSync(JSON.stringify({ Records: logs.slice(0, third) })) },
  { name: "b.ndjson", bytes: enc(logs.slice(third).map((e) => JSON.stringify(e)).join("\n")) },
];

function rule(name: string, condition: string, extra = ""): Rule {
  const text = `RuleID: Test.${name}\nDisplayName: ${name}\nLogTypes: [AWS.CloudTrail]\nSeverity: High\nCondition: '${condition.replace(/'/g, "''")}'\n${extra}`;
  const r = loadRuleText(text, `rules/${name}.yml`);
  expect(r.rule, JSON.stringify(r.diagnostics)).toBeDefined();
  return r.rule!;
}

/** The columns a rule's DuckDB query reads. */
function columns(r: Rule, profile = "cloudtrail_logs", options: { from?: string } = {}): readonly string[] | "*" | undefined {
  return buildQuery({ name: r.name, logType: r.logTypes[0], condition: r.condition, outputFields: r.outputFields }, { profile, ...options }, DUCKDB, {
    select: ["rc_file", "rc_record"],
  }).columns;
}

describe("the columns a query reads", () => {
  it("are the root columns of its condition's and output fields' paths (not of paths inside path[cond])", () => {
    const r = rule("R", 'EVENTNAME eq "x" and resources[type eq "AWS::S3::Bucket" and ARN startswith "a"]', "OutputFields: [userIdentity.arn, requestParameters.bucketName]\n");
    expect(columns(r)).toEqual(["useridentity", "requestparameters", "eventname", "resources"]);
  });

  it("include CloudTrail's default output fields when a rule has none", () => {
    expect(columns(rule("D", 'errorCode eq "x"'))).toEqual(["eventtime", "eventsource", "eventname", "awsregion", "sourceipaddress", "useridentity", "recipientaccountid", "errorcode"]);
  });

  it("include the time column, and the partition columns where the query filters on them", () => {
    const r = rule("T", 'eventName eq "x"', "OutputFields: [eventName]\n");
    expect(columns(r)).toEqual(["eventname"]);
    expect(columns(r, "cloudtrail_logs", { from: "2024-01-01" })).toEqual(["eventname", "eventtime"]);
    expect(columns(r, "panther", { from: "2024-01-01" })).toEqual(["eventname", "p_event_time"]);
    const athena = (profile: string) =>
      buildQuery({ name: "T", condition: r.condition, outputFields: r.outputFields }, { profile, from: "2024-01-01" }, TRINO).columns;
    expect(athena("cloudtrail_logs")).toEqual(["eventname", "eventtime", "year", "month", "day"]);
    expect(athena("cloudtrail_logs_pp")).toEqual(["eventname", "eventtime", "timestamp"]);
  });

  it("are the root JSON column in the generic layout, and every column for SELECT *", () => {
    const g = rule("G", 'userIdentity.type eq "Root"');
    expect(columns(g, "generic")).toEqual(["event"]);
    const all = buildQuery({ name: "G", logType: "Custom.Thing", condition: g.condition }, { profile: "generic" }, TRINO);
    expect(all.sql).toContain("SELECT\n  *");
    expect(all.columns).toBe("*");
  });
});

describe("a hunt on the projected table", () => {
  const profiles = profilesOf("AWS.CloudTrail").map((p) => p.name);
  it("covers every profile", () => {
    expect(profiles.sort()).toEqual(["cloudtrail_logs", "cloudtrail_logs_pp", "generic", "panther"]);
  });

  for (const profile of profiles) {
    for (const window of [{}, { from: "2000-01-01" }, { to: "2020-01-01" }] as HuntOptions[]) {
      it(`gives the full table's matches, output fields and rule errors: ${profile} ${JSON.stringify(window)} (shipped rules and tests)`, async () => {
        const options: HuntOptions = { profile, ...window };
        const projected = await hunt(lib.rules, inputs, options);
        const full = await hunt(lib.rules, inputs, { ...options, columns: "all" });
        expect(projected.matches).toEqual(full.matches);
        // The panther profile's time column is no column of the local table: a time window fails
        // every rule alike (DuckDB's error message suggests other columns in the smaller table).
        const unhinted = (errors: HuntResult["ruleErrors"]) => errors.map((e) => ({ ...e, message: e.message.replace(/\nCandidate bindings: .*/, "") }));
        expect(unhinted(projected.ruleErrors)).toEqual(unhinted(full.ruleErrors));
        expect(projected.problems).toEqual(full.problems);
        expect(projected.events).toBe(logs.length);
        if (profile === "generic" && window.from === undefined && window.to === undefined) expect(projected.ruleErrors).toEqual([]);
        if (!("to" in window) && profile !== "generic" && !(profile === "panther" && "from" in window)) expect(projected.matches.length).toBeGreaterThan(50);
      });
    }
  }

  const events = [
    { eventTime: "2024-11-07T09:00:00Z", eventName: "ConsoleLogin", sourceIPAddress: "203.0.113.9", userAgent: "ua-1" },
    { eventTime: "2024-11-08T10:00:00Z", eventName: "ConsoleLogin", sourceIPAddress: "10.1.2.3", userAgent: "ua-2" },
  ];
  const file = [{ name: "f.json", bytes: enc(JSON.stringify({ Records: events })) }];

  it("loads a column read only by OutputFields", async () => {
    const r = rule("Out", 'eventName eq "ConsoleLogin"', "OutputFields: [userAgent]\n");
    expect(columns(r)).toEqual(["useragent", "eventname"]);
    const got = await hunt([r], file);
    expect(got.ruleErrors).toEqual([]);
    expect(got.matches.map((m) => m.fields)).toEqual([{ userAgent: "ua-1" }, { userAgent: "ua-2" }]);
    expect(got.matches).toEqual((await hunt([r], file, { columns: "all" })).matches);
  });

  it("loads a column read only by the time window", async () => {
    const r = rule("Win", 'eventName eq "ConsoleLogin"', "OutputFields: [sourceIPAddress]\n");
    expect(columns(r)).toEqual(["sourceipaddress", "eventname"]);
    for (const profile of ["cloudtrail_logs", "cloudtrail_logs_pp"]) {
      const got = await hunt([r], file, { profile, from: "2024-11-08" });
      expect(got.ruleErrors).toEqual([]);
      expect(got.matches.map((m) => [m.record, m.fields])).toEqual([[1, { sourceIPAddress: "10.1.2.3" }]]);
      expect(got.matches).toEqual((await hunt([r], file, { profile, from: "2024-11-08", columns: "all" })).matches);
    }
  });

  it("fails a rule whose query reads a column that was not loaded (loudly, never NULL); the others run", async () => {
    const win = rule("Win", 'eventName eq "ConsoleLogin"', "OutputFields: [sourceIPAddress]\n");
    const out = rule("Out", 'eventName eq "ConsoleLogin"', "OutputFields: [userAgent]\n");
    const ok = rule("Ok", 'eventName eq "ConsoleLogin"', "OutputFields: [eventName]\n");
    const got = await hunt([win, out, ok], file, { from: "2024-11-08", columns: ["eventname", "sourceipaddress", "useragent"] });
    expect(got.ruleErrors.map((e) => e.rule)).toEqual(["Win", "Out", "Ok"]);
    for (const e of got.ruleErrors) expect(e.message).toMatch(/^the query failed: Binder Error: .*eventtime/);
    const noAgent = await hunt([out, ok], file, { columns: ["eventname"] });
    expect(noAgent.ruleErrors).toEqual([{ rule: "Out", message: expect.stringMatching(/^the query failed: Binder Error: .*useragent/) }]);
    expect(noAgent.matches.map((m) => [m.rule, m.record, m.fields])).toEqual([
      ["Ok", 0, { eventName: "ConsoleLogin" }],
      ["Ok", 1, { eventName: "ConsoleLogin" }],
    ]);
    const generic = await hunt([rule("G", 'eventName eq "ConsoleLogin"')], file, { profile: "generic", columns: [] });
    expect(generic.ruleErrors).toEqual([{ rule: "G", message: expect.stringMatching(/^the query failed: Binder Error: .*event/) }]);
    expect(generic.events).toBe(2);
  });
});
