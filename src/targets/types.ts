import type { Diagnostic } from "../diagnostics.js";
import type { Rule } from "../rules/types.js";

export type TargetName = "panther" | "athena" | "sigma" | "sentinel";

export interface OutputFile {
  /** Relative to the output directory, with forward slashes: `panther/<name>.py`. */
  readonly path: string;
  readonly content: string;
}

export interface TargetResult {
  /** No files when the rule cannot be expressed in the target (then there is an error diagnostic). */
  readonly files: readonly OutputFile[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Options a target may read; each target documents its own keys. */
export type TargetOptions = Readonly<Record<string, unknown>>;

/** A bad option value: the option's key and what is wrong with it. */
export interface OptionProblem {
  readonly key: string;
  readonly message: string;
}

export interface Target {
  readonly name: TargetName;
  /** Pure: rule in, text out. No file system, no clock, no randomness. */
  compile(rule: Rule, options?: TargetOptions): TargetResult;
}
