import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { importSigma, mapTags } from "../../src/import/sigma/index.js";
import { loadRuleText } from "../../src/rules/load.js";
import { sigmaTarget } from "../../src/targets/sigma/index.js";
import { SIGMAHQ } from "./harness.js";

/** `rulec import sigma`: the Sigma detection language -> conditions, and the SigmaHQ CloudTrail rules. */

const rule = (detection: string, extra = "") =>
  `title: Test Rule\nid: 0b3c6a4e-1111-4222-8333-944455556666\nlevel: high\nlogsource:\n  product: aws\n  service: cloudtrail\n${extra}detection:\n${detection.replace(/^/gm, "  ")}\n`;

const condition = (detection: string) => {
  const r = importSigma(rule(detection), "test.yml");
  if (r.rules.length === 0) return `REJECTED: ${r.diagnostics.map((d) => d.message).join("; ")}`;
  return YAML.parse(r.rules[0]!.text).Condition as string;
};

describe("detection language", () => {
  it.each([
    ["selection:\n  eventName: GetObject\ncondition: selection", 'eventName ieq "GetObject"'],
    ["selection:\n  eventName|cased: GetObject\ncondition: selection", 'eventName eq "GetObject"'],
    ["selection:\n  userAgent: 'x*y?z\\*'\ncondition: selection", 'userAgent ilike "x*y?z\\\\*"'],
    ["selection:\n  userAgent: 'a\\b'\ncondition: selection", 'userAgent ieq "a\\\\b"'],
    ["selection:\n  errorCode: null\ncondition: selection", "not errorCode exists"],
    ["selection:\n  errorCode: ''\ncondition: selection", 'errorCode ieq ""'],
    ["selection:\n  errorCode: [null, '']\ncondition: selection", 'not errorCode exists or errorCode ieq ""'],
    ["selection:\n  eventName: [A, B]\ncondition: selection", 'eventName iin ["A", "B"]'],
    ["selection:\n  userAgent|contains|all: [a, b]\ncondition: selection", 'userAgent icontains "a" and userAgent icontains "b"'],
    ["selection:\n  userAgent|contains: ['a*b', c]\ncondition: selection", 'userAgent ilike "*a*b*" or userAgent icontains "c"'],
    ["selection:\n  userAgent|startswith|cased: Kali\ncondition: selection", 'userAgent startswith "Kali"'],
    ["selection:\n  userAgent|endswith: ['x', 'y']\ncondition: selection", 'userAgent iendswith ["x", "y"]'],
    ["selection:\n  - eventName: A\n  - eventSource: b\ncondition: selection", 'eventName ieq "A" or eventSource ieq "b"'],
    ["selection:\n  userAgent|re: '^Boto3/\\d+$'\ncondition: selection", "userAgent matches '^Boto3/\\d+\\n?$'"],
    ["selection:\n  userAgent|re|i: 'kali|parrot'\ncondition: selection", "userAgent imatches 'kali|parrot'"],
    ["selection:\n  userAgent|re|s: 'a.b'\ncondition: selection", "userAgent matches 'a[\\s\\S]b'"],
    ["selection:\n  userAgent|re|m: 'a.b'\ncondition: selection", "userAgent matches 'a.b'"],
    ["selection:\n  sourceIPAddress|cidr: ['10.0.0.0/8', '::1']\ncondition: selection", 'sourceIPAddress cidr ["10.0.0.0/8", "::1"]'],
    ["selection:\n  errorCode|exists: true\ncondition: selection", "errorCode exists"],
    ["selection:\n  errorCode|exists: false\ncondition: selection", "not errorCode exists"],
    ["selection:\n  requestParameters.count|gte: 5\ncondition: selection", "requestParameters.count ge 5"],
    ["selection:\n  requestParameters.count|lt: 1.5\ncondition: selection", "requestParameters.count lt 1.5"],
    ["selection:\n  userIdentity.accountId|fieldref: recipientAccountId\ncondition: selection", "userIdentity.accountId eq recipientAccountId"],
    ["selection:\n  userIdentity.arn|fieldref|endswith: requestParameters.userName\ncondition: selection", "userIdentity.arn endswith requestParameters.userName"],
    ["selection:\n  eventName|neq: [A, B]\ncondition: selection", 'not eventName iin ["A", "B"]'],
    ["selection:\n  readOnly: false\ncondition: selection", "readOnly eq false"],
    ["selection:\n  readOnly: 'False'\ncondition: selection", "readOnly eq false"],
    ["selection:\n  eventVersion: 1.08\ncondition: selection", 'eventVersion ieq "1.08"'],
    ["selection:\n  requestParameters.enable: 'false'\ncondition: selection", 'requestParameters.enable iin ["false", false]'],
    ["selection:\n  requestParameters.enable|cased: 'true'\ncondition: selection", 'requestParameters.enable in ["true", true]'],
    ["selection:\n  requestParameters.count: 5\ncondition: selection", 'requestParameters.count iin ["5", 5]'],
    ["selection:\n  requestParameters.count: '007'\ncondition: selection", 'requestParameters.count ieq "007"'],
    ["sel_a:\n  eventName: A\nsel_b:\n  eventName: B\n_x:\n  eventName: C\ncondition: 1 of them", 'eventName ieq "A" or eventName ieq "B"'],
    ["sel_a:\n  eventName: A\nsel_b:\n  eventSource: B\ncondition: all of sel_*", 'eventName ieq "A" and eventSource ieq "B"'],
    [
      "a:\n  eventName: A\nb:\n  eventSource: B\nc:\n  awsRegion: C\ncondition: not (a or b) and c or not a",
      'not (eventName ieq "A" or eventSource ieq "B") and awsRegion ieq "C" or not eventName ieq "A"',
    ],
    ["a:\n  eventName: A\ncondition: [a, not a]", 'eventName ieq "A" or not eventName ieq "A"'],
    ["a:\n  requestParameters.x-amz-acl: public-read\ncondition: a", 'requestParameters.`x-amz-acl` ieq "public-read"'],
  ])("%s", (detection, expected) => {
    expect(condition(detection)).toBe(expected);
  });

  it.each([
    ["keywords:\n  - evil\ncondition: keywords", /keyword search/],
    ["selection:\n  userAgent|base64offset|contains: evil\ncondition: selection", /base64offset/],
    ["selection:\n  userAgent|windash: -x\ncondition: selection", /windash/],
    ["selection:\n  userAgent|frobnicate: x\ncondition: selection", /unknown modifier 'frobnicate'/],
    ["selection:\n  eventName: A\ncondition: selection | count() > 5", /aggregation/],
    ["selection:\n  eventName: A\ncondition: other", /does not define/],
    ["selection:\n  eventName: A\ncondition: 1 of filter_*", /matches no selection/],
    ["selection:\n  userAgent|re: 'a$b'\ncondition: selection", /'\$' inside/],
    ["selection:\n  userAgent|re|m: '^a'\ncondition: selection", /every line/],
    ["selection:\n  userAgent|re: '(?i)a'\ncondition: selection", /portable subset/],
    ["selection:\n  userAgent|re|i: 'é'\ncondition: selection", /non-ASCII/],
    ["selection:\n  sourceIPAddress|cidr: 10.1.2.3/8\ncondition: selection", /host bits/],
    ["selection:\n  eventName|exists: yes please\ncondition: selection", /one boolean/],
    ["selection:\n  eventName|gt: ten\ncondition: selection", /needs a number/],
    ["selection:\n  eventName|all: A\ncondition: selection", /two or more/],
    ["selection:\n  eventName: A\ntimeframe: 5m\ncondition: selection", /timeframe/],
  ])("rejects %s", (detection, why) => {
    expect(condition(detection)).toMatch(why);
  });

  it("rejects correlations, unknown log sources and multi-document files, each with its reason", () => {
    const corr = importSigma("title: c\ncorrelation:\n  type: event_count\n  rules: [a]\n", "c.yml");
    expect(corr.diagnostics[0]!.message).toMatch(/correlation rule/);
    const win = importSigma("title: w\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  s:\n    Image: x\n  condition: s\n", "w.yml");
    expect(win.diagnostics[0]!.message).toMatch(/unknown logsource \(product: windows, category: process_creation\)/);
    const multi = importSigma(rule("s:\n  eventName: A\ncondition: s") + "---\ntitle: second\n", "m.yml");
    expect(multi.diagnostics[0]!.message).toMatch(/several YAML documents/);
    expect(importSigma("title: [unclosed\n", "bad.yml").diagnostics[0]!.code).toBe("RC301");
  });

  it("maps metadata back", () => {
    const text = rule(
      "selection:\n  eventName: A\ncondition: selection",
      "status: deprecated\nauthor: Jane Doe (@jdoe), John Roe\nlicense: DRL-1.1\ndescription: Finds A.\nreferences:\n  - https://a.example\n  - https://b.example\nfalsepositives:\n  - Admins\n  - Terraform\ntags:\n  - attack.discovery\n  - attack.t1526\n  - attack.defense-evasion\n  - detection.threat-hunting\nfields:\n  - eventName\n",
    );
    const r = importSigma(text, "dir/my_rule.yml");
    expect(r.rules[0]!.name).toBe("my_rule");
    const doc = YAML.parse(r.rules[0]!.text);
    expect(doc).toMatchObject({
      RuleID: "Sigma.TestRule",
      DisplayName: "Test Rule",
      Enabled: false,
      LogTypes: ["AWS.CloudTrail"],
      Severity: "High",
      Reference: "https://a.example",
      Runbook: "False positives: Admins; Terraform",
      Tags: ["Sigma", "detection.threat-hunting"],
      Reports: { "MITRE ATT&CK": ["TA0007:T1526", "TA0005:T1526"] },
      OutputFields: ["eventName"],
    });
    expect(doc.Description).toContain("- https://b.example");
    // The authors and licence stay with the rule (the Detection Rule License asks for the authors).
    expect(doc.Description).toContain("Imported from Sigma rule 0b3c6a4e-1111-4222-8333-944455556666 by Jane Doe (@jdoe), John Roe (licence: DRL-1.1).");
    expect(mapTags(["attack.t1078.004"]).reports).toEqual(["T1078.004"]);
  });
});

describe("the 57 SigmaHQ AWS CloudTrail rules (vendored)", () => {
  it("imports every rule and reports the rate", async () => {
    const files = readdirSync(SIGMAHQ).filter((f) => f.endsWith(".yml")).sort();
    expect(files.length).toBe(57);
    let imported = 0;
    let loaded = 0;
    let exportedBack = 0;
    const lines: string[] = [];
    for (const f of files) {
      const r = importSigma(readFileSync(new URL(f, SIGMAHQ), "utf8"), f);
      if (r.rules.length === 0) {
        lines.push(`${f}: NOT IMPORTED: ${r.diagnostics.map((d) => d.message).join("; ")}`);
        continue;
      }
      imported++;
      const out = r.rules[0]!;
      const l = loadRuleText(out.text, `rules/${out.name}.yml`);
      const errors = l.diagnostics.filter((d) => d.severity === "error");
      const warnings = r.diagnostics.map((d) => ` [${d.severity}: ${d.message}]`).join("");
      lines.push(`${f}: ${YAML.parse(out.text).Condition}${warnings}${errors.length ? `  [does not load: ${errors.map((e) => e.message).join("; ")}]` : ""}`);
      if (errors.length === 0) {
        loaded++;
        if (sigmaTarget.compile(l.rule!, {}).files.length > 0) exportedBack++;
      }
    }
    console.log(`sigma import of SigmaHQ CloudTrail: ${imported}/${files.length} imported, ${loaded}/${files.length} load as rules, ${exportedBack} compile back to Sigma`);
    await expect(lines.join("\n") + "\n").toMatchFileSnapshot("golden/sigmahq-cloudtrail-conditions.txt");
    expect(imported).toBe(57);
    expect(loaded).toBeGreaterThanOrEqual(56);
  });
});
