import { fileURLToPath } from "node:url";
import { fileDiagnostic } from "../../src/diagnostics.js";
import { loadLibrary } from "../../src/cli/library.js";
import { loadRuleText } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";
import type { Target } from "../../src/targets/types.js";

/** Shared inputs of the catalog tests: the shipped library, a hostile rule, stand-in targets. */

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const RULES_DIR = fileURLToPath(new URL("../../rules", import.meta.url));
export const SEED = "AWS.CloudTrail.SES.CheckSESSendingEnabled";

export function shippedLibrary(): { rules: Rule[]; sources: Map<string, string> } {
  const lib = loadLibrary([RULES_DIR]);
  if (lib.rules.length === 0) throw new Error("no rules in rules/");
  // Files named relative to the repository, whatever the working directory.
  const rel = (f: string) => f.replace(ROOT, "");
  return {
    rules: lib.rules.map((r) => ({ ...r, file: rel(r.file) })),
    sources: new Map([...lib.sources].map(([f, t]) => [rel(f), t])),
  };
}

/** A rule whose every text field tries to break out of the HTML. */
export const HOSTILE_TEXT = `RuleID: "Test.<script>alert('id')</script>"
DisplayName: "<img src=x onerror=alert(1)> & \\"quoted\\""
LogTypes: [AWS.CloudTrail]
Severity: Critical
Description: "</p><script>alert('description')</script>"
Reference: "javascript:alert('reference')"
Runbook: "<b>bold</b>"
Tags: ["<i>tag</i>", "x\\" onmouseover=\\"alert(1)"]
Reports:
  MITRE ATT&CK: ["TA0005:T1562.008", "<script>"]
Condition: |
  # </code></pre><script>alert('comment')</script>
  eventName eq "</code><script>alert('value')</script>"
  and userAgent icontains ['<svg onload=alert(1)>', "a&b"]
OutputFields: [eventName, "userIdentity.arn"]
AlertTitle: "<script>{eventName}</script>"
`;

export function hostileRule(): { rule: Rule; source: string; file: string } {
  const file = "rules/hostile<script>.yml";
  const r = loadRuleText(HOSTILE_TEXT, file);
  if (!r.rule) throw new Error(JSON.stringify(r.diagnostics));
  return { rule: r.rule, source: HOSTILE_TEXT, file };
}

/** Stand-ins for the three targets (the real ones register in src/targets/index.ts). */
export const fakePanther: Target = {
  name: "panther",
  compile: (rule) => ({
    files: [
      { path: `panther/${rule.name}.py`, content: `def rule(event):\n    # ${rule.conditionText.split("\n").join(" ")}\n    return True  # </pre><script>alert(1)</script>\n` },
      { path: `panther/${rule.name}.yml`, content: `RuleID: ${rule.ruleId}\n` },
    ],
    diagnostics: [],
  }),
};

export const fakeAthena: Target = {
  name: "athena",
  compile: (rule) => ({ files: [{ path: `athena/${rule.name}.sql`, content: `SELECT * FROM cloudtrail_logs -- ${rule.ruleId}\n` }], diagnostics: [] }),
};

/** Says no to every rule, the way a target reports what it cannot express. */
export const refusingSigma: Target = {
  name: "sigma",
  compile: (rule) => ({
    files: [],
    diagnostics: [fileDiagnostic("RC401", "Sigma has no <field-to-field> comparison & no 'ieq' on fields", rule.file, undefined)],
  }),
};

export const FAKE_TARGETS: readonly Target[] = [fakePanther, fakeAthena, refusingSigma];
