import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { progressBar, registerHunt } from "../../src/cli/hunt.js";
import { bufferOutput } from "../../src/cli/output.js";
import { evaluate } from "../../src/eval/evaluate.js";
import { formatMatches } from "../../src/hunt/format.js";
import { hunt, parseLog } from "../../src/hunt/hunt.js";
import { loadRuleFiles, loadRuleText } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";

/** `rulec hunt`: log files in (CloudTrail S3 files, gzip, NDJSON), matches out, bad files reported. */

const dir = mkdtempSync(join(tmpdir(), "rulec-hunt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const enc = (s: string) => new TextEncoder().encode(s);

function rule(name: string, condition: string, extra = ""): Rule {
  const text = `RuleID: Test.${name}\nDisplayName: ${name}\nLogTypes: [AWS.CloudTrail]\nSeverity: High\nCondition: '${condition.replace(/'/g, "''")}'\n${extra}`;
  const r = loadRuleText(text, `rules/${name}.yml`);
  expect(r.rule, JSON.stringify(r.diagnostics)).toBeDefined();
  return r.rule!;
}

const events = [
  { eventVersion: "1.08", eventSource: "signin.amazonaws.com", eventTime: "2024-11-07T09:00:00Z", eventName: "ConsoleLogin", userIdentity: { type: "Root", arn: "arn:aws:iam::1:root" }, sourceIPAddress: "203.0.113.9", responseElements: { ConsoleLogin: "Success" } },
  { eventVersion: "1.08", eventSource: "signin.amazonaws.com", eventTime: "2024-11-07T10:00:00Z", eventName: "ConsoleLogin", userIdentity: { type: "IAMUser", arn: "arn:aws:iam::1:user/a" }, sourceIPAddress: "10.1.2.3", responseElements: { ConsoleLogin: "Failure" } },
  { eventVersion: "1.08", eventSource: "s3.amazonaws.com", eventTime: "2024-11-08T10:00:00Z", eventName: "PutBucketAcl", requestParameters: { bucketName: "b", "x-amz-acl": ["public-read"] }, readOnly: false },
];

describe("parseLog", () => {
  it("reads a CloudTrail file, gzip or not, and NDJSON", () => {
    const ct = JSON.stringify({ Records: events });
    expect(parseLog({ name: "a.json", bytes: enc(ct) }).records).toEqual(events);
    expect(parseLog({ name: "a.json.gz", bytes: gzipSync(ct) }).records).toEqual(events);
    expect(parseLog({ name: "a.ndjson", bytes: enc(events.map((e) => JSON.stringify(e)).join("\n") + "\n") }).records).toEqual(events);
  });

  it("reports malformed, non-UTF-8 and broken gzip files clearly", () => {
    expect(parseLog({ name: "bad.json", bytes: enc('{"Records": [') }).problems).toEqual([
      { file: "bad.json", line: 1, message: expect.stringMatching(/^malformed log file: not JSON/), fatal: true },
    ]);
    expect(parseLog({ name: "bin", bytes: new Uint8Array([0xff, 0xfe, 0x00]) }).problems[0]).toMatchObject({ message: "not UTF-8 text", fatal: true });
    expect(parseLog({ name: "x.gz", bytes: new Uint8Array([0x1f, 0x8b, 1, 2, 3]) }).problems[0]).toMatchObject({ message: expect.stringMatching(/^not a readable gzip file/), fatal: true });
    const partial = parseLog({ name: "p.ndjson", bytes: enc(`${JSON.stringify(events[0])}\n{oops\n42\n`) });
    expect(partial.records).toEqual([events[0]]);
    expect(partial.problems).toEqual([
      { file: "p.ndjson", line: 2, message: expect.stringMatching(/^not JSON/), fatal: false },
      { file: "p.ndjson", message: "1 records are not JSON objects and were skipped", fatal: false },
    ]);
  });
});

describe("hunt", () => {
  const root = rule("Root", 'userIdentity.type eq "Root" and responseElements.ConsoleLogin eq "Success"', "OutputFields: [userIdentity.arn, sourceIPAddress]\n");
  const acl = rule("Acl", 'requestParameters.`x-amz-acl` in ["public-read"] and readOnly eq false');
  const outside = rule("Outside", 'eventName eq "ConsoleLogin" and not sourceIPAddress cidr "10.0.0.0/8"');

  it("finds what the evaluator finds, with output fields", async () => {
    const result = await hunt([root, acl, outside], [{ name: "f.json", bytes: enc(JSON.stringify({ Records: events })) }]);
    expect(result.events).toBe(3);
    expect(result.problems).toEqual([]);
    expect(result.matches.map((m) => [m.rule, m.record])).toEqual([
      ["Root", 0],
      ["Acl", 2],
      ["Outside", 0],
    ]);
    expect(result.matches[0]!.fields).toEqual({ "userIdentity.arn": "arn:aws:iam::1:root", sourceIPAddress: "203.0.113.9" });
    for (const r of [root, acl, outside]) {
      const want = events.flatMap((e, i) => (evaluate(r.condition, e) ? [i] : []));
      expect(result.matches.filter((m) => m.rule === r.name).map((m) => m.record)).toEqual(want);
    }
  });

  it("every shipped rule's Tests, written as one CloudTrail file, match as the evaluator says", async () => {
    const lib = loadRuleFiles(["rules"]);
    const logs = lib.rules.flatMap((r) => r.tests.map((t) => t.log));
    const result = await hunt(lib.rules, [{ name: "all.json.gz", bytes: gzipSync(JSON.stringify({ Records: logs })) }]);
    expect(result.ruleErrors).toEqual([]);
    const got = new Set(result.matches.map((m) => `${m.rule}#${m.record}`));
    const want = new Set(lib.rules.flatMap((r) => logs.flatMap((e, i) => (evaluate(r.condition, e) ? [`${r.name}#${i}`] : []))));
    expect([...got].sort()).toEqual([...want].sort());
    expect(want.size).toBeGreaterThan(50);
  });

  it("keeps the other files running when one is unreadable", async () => {
    const result = await hunt([root], [
      { name: "bad.json", bytes: enc("{not json") },
      { name: "good.ndjson", bytes: enc(events.map((e) => JSON.stringify(e)).join("\n")) },
    ]);
    expect(result.problems.map((p) => [p.file, p.fatal])).toEqual([["bad.json", true]]);
    expect(result.matches.map((m) => [m.file, m.record])).toEqual([["good.ndjson", 0]]);
  });

  it("applies a time window", async () => {
    const result = await hunt([acl, outside], [{ name: "f.json", bytes: enc(JSON.stringify({ Records: events })) }], { from: "2024-11-08" });
    expect(result.matches.map((m) => m.rule)).toEqual(["Acl"]);
  });
});

describe("formats", () => {
  const matches = [
    { rule: "r", ruleId: "R.1", severity: "High", file: "f.json", record: 0, fields: { a: "x,y", b: { c: 1 }, n: null } },
    { rule: "r", ruleId: "R.1", severity: "High", file: "f.json", record: 4, fields: { a: 'q"uote\nline', b: [1], n: 2 } },
  ];
  it("json, ndjson, csv, table", () => {
    expect(JSON.parse(formatMatches(matches, "json"))).toEqual(matches);
    expect(formatMatches(matches, "ndjson").trimEnd().split("\n").map((l) => JSON.parse(l))).toEqual(matches);
    expect(formatMatches(matches, "csv")).toBe(
      'rule,ruleId,severity,file,record,a,b,n\r\nr,R.1,High,f.json,0,"x,y","{""c"":1}",\r\nr,R.1,High,f.json,4,"q""uote\nline",[1],2\r\n',
    );
    expect(formatMatches(matches, "table")).toBe(
      ["r (R.1, High): 2 matches", "  where     a            b        n", "  --------  -----------  -------  -", "  f.json#1  x,y          {\"c\":1}", "  f.json#5  q\"uote line  [1]      2", ""].join("\n"),
    );
    expect(formatMatches([], "table")).toBe("no matches\n");
  });
});

describe("rulec hunt (commander wiring)", () => {
  async function run(args: string[]) {
    const io = bufferOutput();
    let status = 0;
    const program = new Command("rulec").exitOverride();
    registerHunt(program, { io, setStatus: (s) => (status = Math.max(status, s)), color: () => ({ enabled: false }), loadRules: loadRuleFiles });
    await program.parseAsync(["node", "rulec", ...args]);
    return { ...io, status };
  }

  it("prints matches, reports a missing file and still runs the others", async () => {
    const good = join(dir, "good.json.gz");
    writeFileSync(good, gzipSync(JSON.stringify({ Records: events })));
    const out = await run(["hunt", "rules/aws_console_root_login.yml", "--logs", join(dir, "missing.json"), good, "--format", "ndjson"]);
    expect(out.stderr).toContain("missing.json: error RC312: cannot read file: ENOENT");
    const lines = out.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { rule: string; record: number });
    expect(lines.map((l) => [l.rule, l.record])).toEqual([["aws_console_root_login", 0]]);
    expect(out.status).toBe(1);
  });

  it("table output with a summary on stderr, exit 0", async () => {
    const good = join(dir, "events.ndjson");
    writeFileSync(good, events.map((e) => JSON.stringify(e)).join("\n"));
    const out = await run(["hunt", "rules", "--logs", good]);
    expect(out.stdout).toContain("aws_console_root_login (");
    expect(out.stderr).toMatch(/\d+ matches, 3 events, \d+ rules/);
    expect(out.status).toBe(0);
    expect(readFileSync(good, "utf8")).toContain("ConsoleLogin");
  });
});

describe("progress bar", () => {
  it("redraws one line on stderr and erases it", () => {
    const buf = bufferOutput();
    const bar = progressBar({ out: buf.out, err: buf.err, colorAllowed: false, interactive: true });
    const io = buf;
    bar.update({ phase: "load", done: 1, total: 4 });
    bar.update({ phase: "load", done: 1, total: 4 });
    bar.update({ phase: "rules", done: 4, total: 4 });
    bar.done();
    const frames = io.stderr.split("\r").filter((f) => f.trim() !== "");
    expect(frames).toEqual([
      "loading logs  [########......................] 25%",
      "running rules [##############################] 100%",
    ]);
    expect(io.stderr.endsWith("\r")).toBe(true);
    expect(io.stdout).toBe("");
  });

  it("is not drawn when stderr is not a terminal", async () => {
    const file = join(dir, "quiet.ndjson");
    writeFileSync(file, JSON.stringify(events[0]));
    const io = bufferOutput();
    const program = new Command("rulec").exitOverride();
    registerHunt(program, { io, setStatus: () => {}, color: () => ({ enabled: false }), loadRules: loadRuleFiles });
    await program.parseAsync(["node", "rulec", "hunt", "rules/aws_console_root_login.yml", "--logs", file, "--format", "json"]);
    expect(io.stderr).not.toContain("\r");
    expect(JSON.parse(io.stdout)).toHaveLength(1);
  });
});
