import { fileDiagnostic, type Diagnostic } from "../diagnostics.js";
import { evaluate } from "../eval/evaluate.js";
import { Locator } from "../rules/locate.js";
import type { Rule } from "../rules/types.js";
import { targetByName } from "../targets/index.js";
import type { Target } from "../targets/types.js";
import { loadFile } from "./library.js";
import { Planner, type FileResult, type TargetOptionsByName, type TargetOutcome } from "./plan.js";

export { Planner, type FileResult, type TargetOptionsByName, type TargetOutcome };

/**
 * The build in two steps: compileFile does everything one rule file needs on its own (read, load,
 * the rule's Tests, every target), so files can be compiled in any order and on any thread;
 * the Planner (plan.ts) then does, in file order, what needs the whole library (duplicate RuleIDs
 * and names) and puts the diagnostics in the order a one-by-one build prints them.
 */

export function resolveTargets(names: readonly string[]): Target[] {
  return names.map((n) => {
    const t = targetByName(n);
    if (!t) throw new Error(`unknown target '${n}'`);
    return t;
  });
}

/** Load one rule file, run its Tests, compile it to every target. */
export function compileFile(file: string, targets: readonly Target[], options: TargetOptionsByName): FileResult {
  const loaded = loadFile(file, { fingerprint: true });
  const rule = loaded.rule;
  const fingerprint = loaded.fingerprint === undefined ? {} : { fingerprint: loaded.fingerprint };
  if (!rule) return { file, source: loaded.text, diagnostics: loaded.diagnostics, testFailures: [], targets: [], ...fingerprint };
  const identity = { name: rule.name, ruleId: rule.ruleId };
  const testFailures = failedTests(rule, loaded.text);
  if (testFailures.length > 0) return { file, source: loaded.text, diagnostics: loaded.diagnostics, rule: identity, testFailures, targets: [], ...fingerprint };
  const outcomes: TargetOutcome[] = [];
  // The text crosses threads only when a code frame will show it.
  let framed = loaded.diagnostics.some((d) => d.span !== undefined);
  for (const target of targets) {
    const result = target.compile(rule, options[target.name] ?? {});
    if (!framed && result.diagnostics.some((d) => d.span !== undefined)) framed = true;
    outcomes.push({ diagnostics: result.diagnostics, files: result.files });
  }
  return { file, source: framed ? loaded.text : undefined, diagnostics: loaded.diagnostics, rule: identity, testFailures, targets: outcomes, ...fingerprint };
}

/** A rule whose own Tests fail is not compiled: its old outputs stay, and the build fails. */
function failedTests(rule: Rule, text: string | undefined): Diagnostic[] {
  let locator: Locator | undefined;
  const out: Diagnostic[] = [];
  rule.tests.forEach((t, i) => {
    const actual = evaluate(rule.condition, t.log);
    if (actual === t.expectedResult) return;
    if (text !== undefined) locator ??= new Locator(text);
    out.push(fileDiagnostic("RC313", `test '${t.name}' failed: expected ${t.expectedResult}, got ${actual}`, rule.file, locator?.valueSpan(["Tests", i, "Name"])));
  });
  return out;
}
