import jsYaml from "js-yaml";
import type { Rule } from "../../rules/types.js";

/**
 * Panther's rule YAML: the metadata and Tests of the source, in the key order of Panther's own
 * rules (panther-analysis), without the source-only keys (Condition, OutputFields, AlertTitle,
 * DedupFields). Built as an object and dumped by js-yaml.
 */
export function ruleYaml(rule: Rule): string {
  const doc: Record<string, unknown> = {
    AnalysisType: "rule",
    Filename: `${rule.name}.py`,
    RuleID: rule.ruleId,
    DisplayName: rule.displayName,
    Enabled: rule.enabled,
    LogTypes: [...rule.logTypes],
  };
  if (rule.tags !== undefined) doc.Tags = [...rule.tags];
  if (rule.reports !== undefined) doc.Reports = Object.fromEntries(Object.entries(rule.reports).map(([k, v]) => [k, [...v]]));
  doc.Severity = rule.severity;
  if (rule.description !== undefined) doc.Description = rule.description;
  if (rule.dedupPeriodMinutes !== undefined) doc.DedupPeriodMinutes = rule.dedupPeriodMinutes;
  if (rule.threshold !== undefined) doc.Threshold = rule.threshold;
  if (rule.createAlert !== undefined) doc.CreateAlert = rule.createAlert;
  if (rule.runbook !== undefined) doc.Runbook = rule.runbook;
  if (rule.reference !== undefined) doc.Reference = rule.reference;
  if (rule.tests.length > 0) {
    doc.Tests = rule.tests.map((t) => ({ Name: t.name, ExpectedResult: t.expectedResult, Log: t.log }));
  }
  // js-yaml quotes what a YAML 1.1 reader (PyYAML, which Panther's tools use) would read as
  // another type ('true', '1.08', dates) and escapes NEL, LS, PS and control characters.
  return jsYaml.dump(doc, { lineWidth: -1, noRefs: true, noCompatMode: false });
}
