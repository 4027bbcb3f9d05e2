import { fileDiagnostic, type Diagnostic } from "../diagnostics.js";
import { Locator } from "./locate.js";
import type { Rule } from "./types.js";

/** What needs the whole library: two rule files with one name or one RuleID. */

/** A rule file named as an earlier one (in another folder): the file name names the outputs. */
export function duplicateNameDiagnostic(file: string, name: string, first: string): Diagnostic {
  return fileDiagnostic("RC306", `two rules are named '${name}' (the file name names the outputs): also ${first}`, file, undefined);
}

/** Duplicate RuleIDs across a library: one error per later file, naming the first. */
export function duplicateRuleIds(rules: readonly Pick<Rule, "ruleId" | "file">[], sources: ReadonlyMap<string, string>): Diagnostic[] {
  const seen = new Map<string, Pick<Rule, "ruleId" | "file">>();
  const out: Diagnostic[] = [];
  for (const r of rules) {
    const first = seen.get(r.ruleId);
    if (first) {
      const text = sources.get(r.file);
      const span = text === undefined ? undefined : new Locator(text).valueSpan(["RuleID"]);
      out.push(fileDiagnostic("RC307", `duplicate RuleID '${r.ruleId}': also in ${first.file}`, r.file, span, { notes: [`first defined in ${first.file}`] }));
    } else {
      seen.set(r.ruleId, r);
    }
  }
  return out;
}
