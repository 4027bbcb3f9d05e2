import { checkAthenaOptions } from "./athena/options.js";
import { checkSentinelOptions } from "./sentinel/options.js";
import { checkSigmaOptions } from "./sigma/options.js";
import type { OptionProblem, TargetName, TargetOptions } from "./types.js";

/**
 * The targets by name, with their option checks: what the configuration, the manifest and a build
 * the cache answers need, without loading any target's compiler (targets/index.ts has those).
 */

export const TARGET_NAMES: readonly TargetName[] = ["panther", "athena", "sigma", "sentinel"];

const OPTION_CHECKS: Readonly<Record<TargetName, ((options: TargetOptions) => OptionProblem[]) | undefined>> = {
  panther: undefined,
  athena: (options) => checkAthenaOptions(options),
  sigma: checkSigmaOptions,
  sentinel: checkSentinelOptions,
};

export function isTargetName(name: string): name is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(name);
}

/** The problems of a target's options (none for a target without options, or an unknown one). */
export function checkTargetOptions(name: string, options: TargetOptions): OptionProblem[] {
  return isTargetName(name) ? (OPTION_CHECKS[name]?.(options) ?? []) : [];
}
