import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rulec } from "../helpers/cli.js";

describe("rulec check / test / eval through the real CLI", () => {
  it("check passes on the shipped library", () => {
    const r = rulec(["check", "rules"]);
    expect(r.stderr).toMatch(/\d+ files, \d+ rules ok, 0 errors/);
    expect(r.status).toBe(0);
  });

  it("test runs every rule's tests and prints the summary line", () => {
    const r = rulec(["test", "rules"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^PASS rules\/aws_cloudtrail_ses_check_ses_sending_enabled\.yml AWS\.CloudTrail\.SES\.CheckSESSendingEnabled: CheckSendingEnabled Event$/m);
    const summary = /^(\d+) passed, 0 failed$/m.exec(r.stdout);
    expect(Number(summary?.[1])).toBeGreaterThanOrEqual(52);
    expect(r.stdout).not.toMatch(/^FAIL/m);
  });

  it("test --format json has one record per test", () => {
    const r = rulec(["test", "rules", "--format", "json"]);
    const data = JSON.parse(r.stdout) as { tests: { file: string; ruleId: string; test: string; expected: boolean; actual: boolean }[] };
    expect(data.tests.length).toBeGreaterThan(50);
    expect(Object.keys(data.tests[0]!).sort()).toEqual(["actual", "expected", "file", "passed", "ruleId", "test"]);
  });

  it("a failing test exits 1 with a FAIL line", () => {
    const dir = mkdtempSync(join(tmpdir(), "rulec-"));
    writeFileSync(
      join(dir, "r.yml"),
      'RuleID: T.Fail\nDisplayName: t\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nCondition: eventName eq "A"\nTests:\n  - Name: wrong\n    ExpectedResult: true\n    Log: {eventName: B}\n',
    );
    const r = rulec(["test", dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL .*r\.yml T\.Fail: wrong \(expected true, got false\)$/m);
    expect(r.stdout).toMatch(/^0 passed, 1 failed$/m);
  });

  it("a broken rule prints exact positions and exits 1, never a stack trace", () => {
    const r = rulec(["check", "test/invalid/unknown_operator.yml"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("test/invalid/unknown_operator.yml:5:22: error RC105: unknown operator 'equals' (did you mean 'eq'?)");
    expect(r.stderr).toContain("                       ^^^^^^");
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  it("check --format json prints diagnostics as data", () => {
    const r = rulec(["check", "test/invalid/unknown_operator.yml", "--format", "json"]);
    const ds = JSON.parse(r.stdout) as { code: string; file: string; span: { start: { line: number; col: number } } }[];
    expect(ds[0]).toMatchObject({ code: "RC105", file: "test/invalid/unknown_operator.yml", span: { start: { line: 5, col: 22, offset: expect.any(Number) } } });
  });

  it("every broken file in a directory is reported at once", () => {
    const r = rulec(["check", "test/invalid"]);
    expect(r.status).toBe(1);
    for (const f of ["bad_yaml", "binary", "empty", "not_a_mapping", "duplicate_key", "many_errors"]) expect(r.stderr).toContain(`test/invalid/${f}.yml`);
  });

  it("a missing path is an error, not a crash", () => {
    const r = rulec(["check", "no/such/dir"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("no such file or directory: no/such/dir");
  });

  it("eval prints true/false per event from stdin: JSON, arrays, CloudTrail files, NDJSON", () => {
    expect(rulec(["eval", 'eventName eq "A"'], { input: '{"eventName": "A"}' }).stdout).toBe("true\n");
    expect(rulec(["eval", "a gt 1"], { input: "[{\"a\": 2}, {\"a\": \"0\"}]" }).stdout).toBe("true\nfalse\n");
    expect(rulec(["eval", "a exists"], { input: '{"Records": [{"a": 1}, {"b": 1}]}' }).stdout).toBe("true\nfalse\n");
    expect(rulec(["eval", "a exists"], { input: '{"a": 1}\n{"b": 2}\n' }).stdout).toBe("true\nfalse\n");
  });

  it("eval reports a bad condition with its position", () => {
    const r = rulec(["eval", "a eq"], { input: "{}" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("<condition>:1:3: error RC104");
  });

  it("eval checks fields with --log-type", () => {
    const r = rulec(["eval", 'eventNam eq "A"', "--log-type", "AWS.CloudTrail"], { input: "{}" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("did you mean 'eventName'");
  });

  it("usage errors exit 2", () => {
    expect(rulec(["frobnicate"]).status).toBe(2);
    expect(rulec(["check", "--format", "xml"]).status).toBe(2);
    expect(rulec(["--version"]).status).toBe(0);
  });
});
