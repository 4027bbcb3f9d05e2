import { fileDiagnostic, type Diagnostic } from "../diagnostics.js";
import { evaluate } from "../eval/evaluate.js";
import { duplicateRuleIds } from "../rules/load.js";
import { Locator } from "../rules/locate.js";
import type { Rule } from "../rules/types.js";
import { targetByName } from "../targets/index.js";
import type { OutputFile, Target, TargetOptions } from "../targets/types.js";
import { readOrUndefined } from "./fs.js";
import { loadFile } from "./library.js";

/**
 * The build in two steps: compileFile does everything one rule file needs on its own (read, load,
 * the rule's Tests, every target), so files can be compiled in any order and on any thread;
 * planFromResults then does, in file order, what needs the whole library (duplicate RuleIDs and
 * names) and puts the diagnostics in the order a one-by-one build prints them.
 */

/** Everything a build learns from one rule file: plain data (it crosses threads). */
export interface FileResult {
  readonly file: string;
  /** The file's text when some diagnostic of the file may need a code frame. */
  readonly source?: string;
  /** Reading, decoding and loading the file. */
  readonly diagnostics: readonly Diagnostic[];
  /** The loaded rule's identity; undefined when it did not load. */
  readonly rule?: { readonly name: string; readonly ruleId: string };
  /** Failed Tests of the rule (RC313): the targets then did not run. */
  readonly testFailures: readonly Diagnostic[];
  /** One entry per target, in the order given; empty when the rule did not load or a Test failed. */
  readonly targets: readonly TargetOutcome[];
}

export interface TargetOutcome {
  readonly diagnostics: readonly Diagnostic[];
  readonly files: readonly OutputFile[];
}

/** Target options by target name: plain data, for worker threads. */
export type TargetOptionsByName = Readonly<Record<string, TargetOptions>>;

export function resolveTargets(names: readonly string[]): Target[] {
  return names.map((n) => {
    const t = targetByName(n);
    if (!t) throw new Error(`unknown target '${n}'`);
    return t;
  });
}

/** Load one rule file, run its Tests, compile it to every target. */
export function compileFile(file: string, targets: readonly Target[], options: TargetOptionsByName): FileResult {
  const loaded = loadFile(file);
  const rule = loaded.rule;
  if (!rule) return { file, source: loaded.text, diagnostics: loaded.diagnostics, testFailures: [], targets: [] };
  const identity = { name: rule.name, ruleId: rule.ruleId };
  const testFailures = failedTests(rule, loaded.text);
  if (testFailures.length > 0) return { file, source: loaded.text, diagnostics: loaded.diagnostics, rule: identity, testFailures, targets: [] };
  const outcomes: TargetOutcome[] = [];
  let quiet = loaded.diagnostics.length === 0;
  for (const target of targets) {
    const result = target.compile(rule, options[target.name] ?? {});
    if (result.diagnostics.length > 0) quiet = false;
    outcomes.push({ diagnostics: result.diagnostics, files: result.files });
  }
  return { file, source: quiet ? undefined : loaded.text, diagnostics: loaded.diagnostics, rule: identity, testFailures, targets: outcomes };
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

export interface BuildPlan {
  /** Every output file, sorted by path. */
  readonly files: OutputFile[];
  readonly diagnostics: Diagnostic[];
  /** The text of the files diagnostics point into, for code frames. */
  readonly sources: Map<string, string>;
  readonly ruleCount: number;
  /** Output path -> its source rule file. */
  readonly origin: Map<string, string>;
  readonly failedRules: string[];
  /** `target: rule file` pairs the target cannot express (RC401): reported, not fatal unless --strict. */
  readonly inexpressible: string[];
}

/**
 * The plan of a build from the results of every file, in file order: a later file with an earlier
 * file's RuleID (RC307) or name (RC306) is not compiled, and neither is a rule whose Tests fail; a
 * target error other than RC401 fails the rule.
 */
export function planFromResults(
  results: readonly FileResult[],
  targetNames: readonly string[],
  expandDiagnostics: readonly Diagnostic[],
): BuildPlan {
  const diagnostics: Diagnostic[] = [...expandDiagnostics];
  const sources = new Map<string, string>();
  const failed = new Set<string>();
  for (const r of results) {
    if (r.source !== undefined) sources.set(r.file, r.source);
    diagnostics.push(...r.diagnostics);
    if (!r.rule) failed.add(r.file);
  }
  const loaded = results.filter((r) => r.rule !== undefined);
  // A RuleID seen twice needs its file's text for the span of the later one.
  const idCount = new Map<string, number>();
  for (const r of loaded) idCount.set(r.rule!.ruleId, (idCount.get(r.rule!.ruleId) ?? 0) + 1);
  for (const r of loaded) {
    if (idCount.get(r.rule!.ruleId)! > 1 && !sources.has(r.file)) {
      const text = readOrUndefined(r.file);
      if (text !== undefined) sources.set(r.file, text);
    }
  }
  const duplicates = duplicateRuleIds(
    loaded.map((r) => ({ ruleId: r.rule!.ruleId, file: r.file })),
    sources,
  );
  diagnostics.push(...duplicates);
  const dupFiles = new Set(duplicates.map((d) => d.file));
  for (const f of dupFiles) if (f !== undefined) failed.add(f);

  const files: OutputFile[] = [];
  const origin = new Map<string, string>();
  const names = new Map<string, string>();
  const inexpressible: string[] = [];
  for (const r of loaded) {
    if (dupFiles.has(r.file)) continue;
    const prior = names.get(r.rule!.name);
    if (prior !== undefined) {
      diagnostics.push(fileDiagnostic("RC306", `two rules are named '${r.rule!.name}' (the file name names the outputs): also ${prior}`, r.file, undefined));
      failed.add(r.file);
      continue;
    }
    names.set(r.rule!.name, r.file);
    if (r.testFailures.length > 0) {
      diagnostics.push(...r.testFailures);
      failed.add(r.file);
      continue;
    }
    r.targets.forEach((outcome, i) => {
      diagnostics.push(...outcome.diagnostics);
      const errors = outcome.diagnostics.filter((d) => d.severity === "error");
      if (errors.some((d) => d.code !== "RC401")) failed.add(r.file);
      else if (errors.length > 0) inexpressible.push(`${targetNames[i]}: ${r.file}`);
      for (const f of outcome.files) {
        files.push(f);
        origin.set(f.path, r.file);
      }
    });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, diagnostics, sources, ruleCount: results.length, origin, failedRules: [...failed].sort(), inexpressible };
}
