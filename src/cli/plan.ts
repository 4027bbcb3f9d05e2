import type { Diagnostic } from "../diagnostics.js";
import { duplicateNameDiagnostic, duplicateRuleIds } from "../rules/duplicates.js";
import type { OutputFile, TargetOptions } from "../targets/types.js";
import { detached } from "../strings.js";
import { readOrUndefined } from "./fs.js";
import type { FileFingerprint } from "./paths.js";

/**
 * What a build learns from each rule file (compiled now or answered by the build cache), and the
 * decisions made from it in file order. Loads no parser and no target: a build the cache answers
 * whole needs only this.
 */

/** Everything a build learns from one rule file: plain data (it crosses threads). */
export interface FileResult {
  readonly file: string;
  /** The file's text when a diagnostic of the file has a span (a code frame shows it). */
  readonly source?: string;
  /** Reading, decoding and loading the file. */
  readonly diagnostics: readonly Diagnostic[];
  /** The loaded rule's identity; undefined when it did not load. */
  readonly rule?: { readonly name: string; readonly ruleId: string };
  /** Failed Tests of the rule (RC313): the targets then did not run. */
  readonly testFailures: readonly Diagnostic[];
  /** One entry per target, in the order given; empty when the rule did not load or a Test failed. */
  readonly targets: readonly TargetOutcome[];
  /** What the file was when read (the build cache keys results by it). */
  readonly fingerprint?: FileFingerprint;
  /** The result comes from the build cache: nothing was read but the file's fingerprint. */
  readonly cached?: boolean;
}

export interface TargetOutcome {
  readonly diagnostics: readonly Diagnostic[];
  /** Files to write (compiled now). */
  readonly files: readonly OutputFile[];
  /** Files already in the output directory with their content (from the build cache): nothing to write. */
  readonly kept?: readonly string[];
}

/** Target options by target name: plain data, for worker threads. */
export type TargetOptionsByName = Readonly<Record<string, TargetOptions>>;

/**
 * The build's decisions, made file by file in file order, as results arrive: a file with an
 * earlier file's RuleID (RC307) or name (RC306) is not compiled, and neither is a rule whose Tests
 * fail; a target error other than RC401 fails the rule. `add` returns the output files of one
 * file, ready to be written while later files are still compiling.
 */
export class Planner {
  /** The diagnostics so far, when there is no `report` to take them. */
  readonly diagnostics: Diagnostic[] = [];
  /** The text of the files those diagnostics point into, for code frames. */
  readonly sources = new Map<string, string>();
  /** Output path -> its source rule file. */
  readonly origin = new Map<string, string>();
  /** Outputs the build cache vouches for: already in the output directory with their content. */
  readonly kept: string[] = [];
  /** `target: rule file` pairs the target cannot express (RC401): reported, not fatal unless --strict. */
  readonly inexpressible: string[] = [];
  private readonly failed = new Set<string>();
  private readonly ids = new Map<string, string>();
  private readonly names = new Map<string, string>();
  private files = 0;

  /**
   * `report`, when given, takes each file's diagnostics (with that file's text, for code frames)
   * as soon as the file is decided, so a large library's texts are not all kept to the end.
   */
  constructor(
    private readonly targetNames: readonly string[],
    expandDiagnostics: readonly Diagnostic[] = [],
    private readonly report?: (diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>) => void,
  ) {
    if (expandDiagnostics.length === 0) return;
    if (report) report(expandDiagnostics, new Map());
    else this.diagnostics.push(...expandDiagnostics);
  }

  get ruleCount(): number {
    return this.files;
  }

  /** Rule files with errors, sorted. */
  get failedRules(): string[] {
    return [...this.failed].sort();
  }

  add(r: FileResult): readonly OutputFile[] {
    this.files++;
    const file = { diagnostics: r.diagnostics.length === 0 ? [] : [...r.diagnostics], source: r.source };
    const outputs = this.decide(r, file);
    if (file.diagnostics.length > 0) {
      const sources: ReadonlyMap<string, string> = file.source === undefined ? new Map() : new Map([[r.file, file.source]]);
      if (this.report) this.report(file.diagnostics, sources);
      else {
        this.diagnostics.push(...file.diagnostics);
        if (file.source !== undefined) this.sources.set(r.file, file.source);
      }
    }
    return outputs;
  }

  /** One file's fate; its further diagnostics (and the text their frames need) go into `out`. */
  private decide(r: FileResult, out: { diagnostics: Diagnostic[]; source?: string }): readonly OutputFile[] {
    if (!r.rule) {
      this.failed.add(r.file);
      return [];
    }
    const first = this.ids.get(r.rule.ruleId);
    if (first !== undefined) {
      out.source ??= readOrUndefined(r.file);
      const sources = new Map(out.source === undefined ? [] : [[r.file, out.source]]);
      out.diagnostics.push(...duplicateRuleIds([{ ruleId: r.rule.ruleId, file: first }, { ruleId: r.rule.ruleId, file: r.file }], sources));
      this.failed.add(r.file);
      return [];
    }
    // A RuleID sliced from a rule file's text would keep that text alive; the cache's are its own strings.
    this.ids.set(r.cached ? r.rule.ruleId : detached(r.rule.ruleId), r.file);
    const prior = this.names.get(r.rule.name);
    if (prior !== undefined) {
      out.diagnostics.push(duplicateNameDiagnostic(r.file, r.rule.name, prior));
      this.failed.add(r.file);
      return [];
    }
    this.names.set(r.rule.name, r.file);
    if (r.testFailures.length > 0) {
      out.diagnostics.push(...r.testFailures);
      this.failed.add(r.file);
      return [];
    }
    const files: OutputFile[] = [];
    for (let i = 0; i < r.targets.length; i++) {
      const outcome = r.targets[i]!;
      if (outcome.diagnostics.length > 0) {
        out.diagnostics.push(...outcome.diagnostics);
        const errors = outcome.diagnostics.filter((d) => d.severity === "error");
        if (errors.some((d) => d.code !== "RC401")) this.failed.add(r.file);
        else if (errors.length > 0) this.inexpressible.push(`${this.targetNames[i]}: ${r.file}`);
      }
      for (const f of outcome.files) {
        files.push(f);
        this.origin.set(f.path, r.file);
      }
      for (const path of outcome.kept ?? []) {
        this.kept.push(path);
        this.origin.set(path, r.file);
      }
    }
    return files;
  }
}
