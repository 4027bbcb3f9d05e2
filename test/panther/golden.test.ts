import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import jsYaml from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { evaluate } from "../../src/eval/evaluate.js";
import { loadRuleText } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";
import { pantherTarget } from "../../src/targets/panther/index.js";
import { PythonRunner } from "./harness.js";

/**
 * Golden files (test/fixtures/panther_<case>/expected.py and expected.panther.yml), executed: each
 * fixture's Tests run through the generated rule() on the PantherEvent stand-in; title, dedup and
 * alert_context are called; every emitted .yml is checked against Panther's own schema.
 */

const FIXTURES = new URL("../fixtures/", import.meta.url);
const cases = readdirSync(FIXTURES).filter((d) => d.startsWith("panther_") && existsSync(new URL(`${d}/rule.yml`, FIXTURES))).sort();
const RULES = new URL("../../rules/", import.meta.url);
const libraryFiles = existsSync(RULES) ? readdirSync(RULES).filter((f) => f.endsWith(".yml")).sort() : [];

const py = new PythonRunner();
afterAll(() => py.close());

function load(file: URL, name: string): Rule {
  const r = loadRuleText(readFileSync(file, "utf8"), `rules/${name}.yml`);
  expect(r.rule, JSON.stringify(r.diagnostics)).toBeDefined();
  return r.rule!;
}

function compile(rule: Rule): { py: string; yml: string } {
  const out = pantherTarget.compile(rule);
  expect(out.diagnostics).toEqual([]);
  expect(out.files.map((f) => f.path)).toEqual([`panther/${rule.name}.py`, `panther/${rule.name}.yml`]);
  return { py: out.files[0]!.content, yml: out.files[1]!.content };
}

function checkFormat(source: string): void {
  for (const [i, line] of source.split("\n").entries()) {
    expect(line.length, `line ${i + 1} is longer than 100 columns: ${line}`).toBeLessThanOrEqual(100);
    expect(line, `line ${i + 1} has a tab or trailing space`).not.toMatch(/\t|\s$/);
    expect((line.match(/^ */)![0].length) % 4, `line ${i + 1} is not indented by 4s`).toBe(0);
  }
}

describe("panther golden files", () => {
  it("has fixtures", () => {
    expect(cases.length).toBeGreaterThanOrEqual(6);
  });
  for (const c of cases) {
    it(c, async () => {
      const rule = load(new URL(`${c}/rule.yml`, FIXTURES), c);
      const out = compile(rule);
      await expect(out.py).toMatchFileSnapshot(fileURLToPath(new URL(`${c}/expected.py`, FIXTURES)));
      await expect(out.yml).toMatchFileSnapshot(fileURLToPath(new URL(`${c}/expected.panther.yml`, FIXTURES)));
      expect(pantherTarget.compile(rule)).toEqual(pantherTarget.compile(rule));
      checkFormat(out.py);

      const id = await py.load(out.py);
      const events = rule.tests.map((t) => t.log);
      const results = await py.run(id, events);
      rule.tests.forEach((t, i) => {
        expect(results[i], `Test '${t.name}'`).toBe(t.expectedResult);
        expect(evaluate(rule.condition, t.log), `evaluator on Test '${t.name}'`).toBe(t.expectedResult);
      });
      for (const fn of ["title", "dedup", "alert_context"] as const) {
        const asked = fn === "title" ? rule.alertTitle : fn === "dedup" ? rule.dedupFields : rule.outputFields;
        expect(out.py.includes(`\ndef ${fn}(event):`), `${fn} only when the source asks`).toBe(asked !== undefined);
        if (asked === undefined) continue;
        const values = await py.call(id, fn, events);
        for (const v of values) expect(v, `${fn} raised`).not.toHaveProperty("error");
      }
      await py.unload(id);

      // The .yml holds the metadata and Tests, and none of the source-only keys.
      const doc = jsYaml.load(out.yml) as Record<string, unknown>;
      for (const k of ["Condition", "OutputFields", "AlertTitle", "DedupFields"]) expect(doc).not.toHaveProperty(k);
      expect(doc.RuleID).toBe(rule.ruleId);
      expect(doc.DisplayName).toBe(rule.displayName);
      expect(doc.Filename).toBe(`${c}.py`);
      expect(doc.Description).toBe(rule.description);
      expect((doc.Tests as { Log: unknown }[] | undefined)?.map((t) => t.Log)).toEqual(rule.tests.length ? rule.tests.map((t) => t.log) : undefined);
    });
  }
});

describe("panther: title, dedup and alert_context values", () => {
  it("fills the title and dedup from the event, with a readable placeholder when a field is missing", async () => {
    const rule = load(new URL("panther_title_dedup_context/rule.yml", FIXTURES), "panther_title_dedup_context");
    const id = await py.load(compile(rule).py);
    const events = rule.tests.map((t) => t.log);
    expect(await py.call(id, "title", events)).toEqual([
      "AWS Config StopConfigurationRecorder by arn:aws:iam::123456789012:user/alice in eu-west-1 (arn:aws:config:eu-west-1:123456789012:recorder/default)",
      "AWS Config StopConfigurationRecorder by <unknown userIdentity.arn> in <unknown awsRegion> (<unknown resources.ARN>)",
      "AWS Config DeleteDeliveryChannel by <unknown userIdentity.arn> in <unknown awsRegion> (<unknown resources.ARN>)",
    ]);
    expect(await py.call(id, "dedup", events)).toEqual([
      "arn:aws:iam::123456789012:user/alice:eu-west-1",
      "<unknown userIdentity.arn>:<unknown awsRegion>",
      "<unknown userIdentity.arn>:<unknown awsRegion>",
    ]);
    const context = (await py.call(id, "alert_context", events)) as Record<string, unknown>[];
    expect(context[0]).toEqual({
      eventName: "StopConfigurationRecorder",
      "userIdentity.arn": "arn:aws:iam::123456789012:user/alice",
      "userIdentity.sessionContext": { attributes: { mfaAuthenticated: "true" } },
      "requestParameters.configurationRecorderName": "default",
      "resources.ARN": ["arn:aws:config:eu-west-1:123456789012:recorder/default"],
    });
    expect(context[1]).toEqual({
      eventName: "StopConfigurationRecorder",
      "userIdentity.arn": null,
      "userIdentity.sessionContext": null,
      "requestParameters.configurationRecorderName": null,
      "resources.ARN": null,
    });
  });

  it("keeps quotes, backslashes, newlines, braces and non-ASCII literal (executed)", async () => {
    const rule = load(new URL("panther_injection/rule.yml", FIXTURES), "panther_injection");
    const out = compile(rule);
    const id = await py.load(out.py);
    const events = rule.tests.map((t) => t.log);
    expect(await py.run(id, events)).toEqual(rule.tests.map((t) => t.expectedResult));
    expect(await py.call(id, "title", [{ eventName: "a{b}\"c'\\" }])).toEqual([`Title {} "q" 's' """ \\ a{b}"c'\\ ünï`]);
    expect(await py.call(id, "dedup", [{ eventName: 'x"""\n' }])).toEqual(['x"""\n']);
    expect(await py.call(id, "alert_context", [{ requestParameters: { "we\"ird'key\\": "v" } }])).toEqual([
      { "requestParameters.`we\"ird'key\\`": "v", eventName: null },
    ]);
    // The module docstring names the RuleID with its quotes and backslash escaped.
    const doc = await py.exec(`import ast\nresult = ast.get_docstring(ast.parse(${JSON.stringify(out.py)}))`);
    expect(doc.result).toBe(`${rule.ruleId}\n\nGenerated by rulec from panther_injection.yml:\nedit the source rule, not this file.`);
    // The YAML reads back to exactly the source's strings.
    const y = jsYaml.load(out.yml) as Record<string, unknown>;
    expect([y.RuleID, y.DisplayName, y.Description, y.Tags]).toEqual([rule.ruleId, rule.displayName, rule.description, rule.tags]);
  });
});

/**
 * The keys panther_analysis_tool's own rule check takes (RULE_SCHEMA in its schemas.py, commit
 * df41e11, `ignore_extra_keys=False`): a key outside them fails `panther_analysis_tool test`.
 */
const PAT_RULE_KEYS = [
  "AnalysisType", "Enabled", "Filename", "RuleID", "LogTypes", "Severity", "Description", "DedupPeriodMinutes", "InlineFilters",
  "DisplayName", "OnlyUseBaseRiskScore", "OutputIds", "CreatedBy", "Reference", "Runbook", "Status", "SummaryAttributes",
  "Threshold", "Tags", "Reports", "Tests", "DynamicSeverities", "AlertTitle", "AlertContext", "GroupBy", "CreateAlert", "BaseVersion",
];
const PAT_TEST_KEYS = ["Name", "LogType", "ExpectedResult", "Log", "Mocks"];

describe("panther .yml against Panther's analysis_config_schema.json", () => {
  // Compiled here from the vendored schema, independently of the validator generated from it that
  // the target runs.
  const schemaFile = new URL("../../src/targets/panther/schema/analysis_config_schema.json", import.meta.url);
  it("every emitted .yml (library rules and fixtures) is valid", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, "utf8")));
    const rules = [
      ...libraryFiles.map((f) => load(new URL(f, RULES), f.replace(/\.yml$/, ""))),
      ...cases.map((c) => load(new URL(`${c}/rule.yml`, FIXTURES), c)),
    ];
    expect(rules.length).toBeGreaterThan(cases.length);
    for (const rule of rules) {
      const doc = jsYaml.load(compile(rule).yml);
      expect(validate(doc), `${rule.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      const keys = Object.keys(doc as object);
      expect(keys.slice(0, 6)).toEqual(["AnalysisType", "Filename", "RuleID", "DisplayName", "Enabled", "LogTypes"]);
      expect(keys.filter((k) => !PAT_RULE_KEYS.includes(k)), rule.name).toEqual([]);
      for (const t of (doc as { Tests?: object[] }).Tests ?? []) expect(Object.keys(t).filter((k) => !PAT_TEST_KEYS.includes(k)), rule.name).toEqual([]);
    }
  });
});

describe("panther: library rules compile to formatted, importable Python", () => {
  for (const f of libraryFiles) {
    it(f, async () => {
      const rule = load(new URL(f, RULES), f.replace(/\.yml$/, ""));
      const out = compile(rule);
      checkFormat(out.py);
      const id = await py.load(out.py);
      await py.unload(id);
    });
  }
});
