import { readFileSync, readdirSync, existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { parseCondition } from "../../src/syntax/ast.js";
import { checkCondition } from "../../src/check/check.js";
import { loadRuleText } from "../../src/rules/load.js";
import { rootType, schemaFor } from "../../src/schema/schema.js";
import { sigmaTarget } from "../../src/targets/sigma/index.js";
import { NotSayable, toDetection } from "../../src/targets/sigma/detection.js";
import { attackTags, uuidV5 } from "../../src/targets/sigma/metadata.js";
import { escapeSigma, parseSigmaString } from "../../src/targets/sigma/strings.js";
import { validateSigma } from "./harness.js";

const FIXTURES = new URL("../fixtures/", import.meta.url);
const OPTIONS = { author: "rulec tests", date: "2025-01-15", status: "test" };

describe("golden files (test/fixtures/<case>/expected.sigma.yml)", () => {
  const cases = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((d) => existsSync(new URL(`${d}/rule.yml`, FIXTURES))).sort() : [];
  it("has fixtures", () => expect(cases.length).toBeGreaterThanOrEqual(10));
  for (const name of cases) {
    it(name, async () => {
      const file = `test/fixtures/${name}/rule.yml`;
      const loaded = loadRuleText(readFileSync(new URL(`${name}/rule.yml`, FIXTURES), "utf8"), file);
      if (!loaded.rule) return; // an invalid-rule fixture: nothing for a target to compile
      const out = sigmaTarget.compile(loaded.rule, OPTIONS);
      if (out.files.length > 0) {
        expect(validateSigma(YAML.parse(out.files[0]!.content)).errors).toBe("");
        await expect(out.files[0]!.content).toMatchFileSnapshot(new URL(`${name}/expected.sigma.yml`, FIXTURES).pathname);
      } else {
        const text = out.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}`).join("\n") + "\n";
        await expect(text).toMatchFileSnapshot(new URL(`${name}/expected.sigma.txt`, FIXTURES).pathname);
      }
    });
  }
});

describe("sigma target", () => {
  const load = (name: string) => {
    const f = `test/fixtures/${name}/rule.yml`;
    return loadRuleText(readFileSync(new URL(`${name}/rule.yml`, FIXTURES), "utf8"), f).rule!;
  };
  it("is byte-identical between builds and takes no clock", () => {
    const rule = load("sigma_basic_eq");
    const a = sigmaTarget.compile(rule, OPTIONS).files[0]!.content;
    const b = sigmaTarget.compile(rule, OPTIONS).files[0]!.content;
    expect(a).toBe(b);
    const bare = sigmaTarget.compile(rule, {}).files[0]!.content;
    expect(bare).not.toMatch(/^date:/m);
    expect(bare).not.toMatch(/^author:/m);
    expect(bare).toMatch(/^status: experimental$/m);
  });
  it("derives a stable UUID v5 from the RuleID", () => {
    const id = uuidV5("Fixture.Sigma.BasicEq");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV5("Fixture.Sigma.BasicEq")).toBe(id);
    expect(uuidV5("Fixture.Sigma.Other")).not.toBe(id);
    // RFC 4122 appendix B example (DNS namespace, "www.example.com").
    expect(uuidV5("www.example.com", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2");
  });
  it("maps Reports to ATT&CK tags", () => {
    expect(attackTags({ "MITRE ATT&CK": ["TA0007:T1526", "TA0005:T1562.008", "TA0112:T1685"] }).tags).toEqual([
      "attack.discovery",
      "attack.stealth",
      "attack.defense-impairment",
      "attack.t1526",
      "attack.t1562.008",
      "attack.t1685",
    ]);
    expect(attackTags({ "MITRE ATT&CK": ["TA9999:T1"] }).unknown).toEqual(["TA9999", "T1"]);
  });
  it("rejects options it cannot write", () => {
    const rule = load("sigma_basic_eq");
    expect(sigmaTarget.compile(rule, { status: "final" }).files).toEqual([]);
    expect(sigmaTarget.compile(rule, { date: "15.01.2025" }).files).toEqual([]);
  });
  it("escapes wildcards and backslashes exactly as pySigma reads them", () => {
    for (const s of ["a*b", "a?b", "a\\b", "\\", "\\*", "**", "x\\\\*y", ""]) {
      expect(parseSigmaString(escapeSigma(s))).toEqual(s === "" ? [] : [{ t: "text", text: s }]);
    }
    expect(parseSigmaString("a\\xb")).toEqual([{ t: "text", text: "a\\xb" }]);
    expect(parseSigmaString("a\\")).toEqual([{ t: "text", text: "a\\" }]);
  });

  const cloudtrail = schemaFor("AWS.CloudTrail")!;
  const sigma = (text: string) => {
    const parsed = parseCondition(text);
    const checked = checkCondition(parsed.ast!, { text, schema: rootType(cloudtrail) });
    return toDetection(checked.condition, cloudtrail);
  };
  const reason = (text: string) => {
    try {
      sigma(text);
    } catch (e) {
      if (e instanceof NotSayable) return e.message;
      throw e;
    }
    return "expressed";
  };
  it.each([
    ['resources[type eq "A" and ARN eq "b"]', /bind several conditions/],
    ['resources[not type eq "A"]', /lacks the field/],
    ['resources[type ne "A"]', /refers to one element/],
    ["requestParameters.enable eq false", /boolean false/],
    ['requestParameters.count eq "5"', /spells a number/],
    ["requestParameters.count gt 5", /numeric strings/],
    ['requestParameters.policy contains "1"', /text of a number/],
    ["requestParameters.userData exists", /disagree on whether/],
    ["resources.ARN empty", /one value/],
    ['userAgent ieq "ΟΔΟΣ"', /case-insensitive matching/],
    ["userAgent imatches 'é'", /non-ASCII/],
    ["userAgent imatches '[0-z]'", /mixes letters/],
    ["errorMessage matches 'a$b|c'", /very end/],
    ["requestParameters.name matches '^xy$'", /one value/],
    ["userIdentity.arn ieq recipientAccountId", /no case-insensitive form/],
    ["requestParameters.userName eq userIdentity.userName", /single values/],
    ['requestParameters.`a.b` eq "x"', /cannot be a Sigma field name/],
  ])("RC401: %s", (text, why) => {
    expect(reason(text)).toMatch(why);
  });
  it.each([
    ['userIdentity.type eq "Root"', { "userIdentity.type|cased": "Root" }],
    ['eventVersion eq "1.08"', { eventVersion: "1.08" }],
    ["readOnly eq false", { readOnly: false }],
    ['errorCode empty', { errorCode: [null, ""] }],
    ['not errorCode exists', { errorCode: null }],
    ['userAgent ilike "*kali*"', { "userAgent|contains": "kali" }],
    ['userAgent like "a*b?c"', { "userAgent|cased": "a*b?c" }],
    ['userAgent eq "a*b?c\\\\"', { "userAgent|cased": "a\\*b\\?c\\\\" }],
    ["sourceIPAddress cidr '10.1.2.3'", { "sourceIPAddress|cidr": "10.1.2.3/32" }],
    ['userAgent icontains "a" and userAgent icontains "b"', { "userAgent|contains|all": ["a", "b"] }],
    ['resources[type eq "A" or ARN eq "b"]', undefined],
  ])("expressed: %s", (text, selection) => {
    const d = sigma(text);
    if (selection) {
      expect(d.selections.selection).toEqual(selection);
      expect(d.condition).toBe("selection");
    } else {
      expect(d.condition).toBe("1 of selection_*");
    }
  });
});
