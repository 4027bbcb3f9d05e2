import { execFileSync } from "node:child_process";
import jsYaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { importedRuleText } from "../../src/import/panther/index.js";

/** What PyYAML (a YAML 1.1 reader, as Panther's own tools are) reads from a text, as JSON. */
function pyYaml(text: string): unknown {
  return JSON.parse(execFileSync("python3", ["-c", "import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))"], { input: text }).toString());
}

describe("the text of an imported rule", () => {
  it("adds the condition (and the outputs it kept) after the rule's own YAML, as the yaml library writes them", () => {
    const text = importedRuleText("RuleID: a\nLogTypes: [AWS.CloudTrail]\n", 'eventName eq "b"', undefined, { DedupFields: ["x"] });
    expect(text).toBe('RuleID: a\nLogTypes: [AWS.CloudTrail]\nDedupFields:\n  - x\nCondition: eventName eq "b"\n');
  });

  it("escapes the characters YAML 1.1 readers take for line breaks (U+0085, U+2028, U+2029), so that PyYAML reads what rulec reads", () => {
    // A pattern of Unicode spaces, as a panther-analysis rule's regex becomes.
    const condition = 'parameters.X matches "^[\\t \u0085\u00a0\u2028\u2029\u3000]*$" or name eq "a\\\\b"';
    const outputs = { AlertTitle: "device\u2028{x}", DedupFields: ["a", "b\u2029"] };
    const text = importedRuleText("RuleID: a\n", condition, undefined, outputs);
    expect(text).not.toMatch(/[\u0085\u2028\u2029]/);
    const read = jsYaml.load(text) as Record<string, unknown>;
    expect(read).toEqual({ RuleID: "a", ...outputs, Condition: condition });
    expect(pyYaml(text)).toEqual(read);
  });
});
