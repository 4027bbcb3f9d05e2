import { checkAthenaOptions } from "./athena/options.js";
import { isTargetName } from "./names.js";
import { checkSentinelOptions } from "./sentinel/options.js";
import { checkSigmaOptions } from "./sigma/options.js";
import type { OptionProblem, TargetName, TargetOptions } from "./types.js";

/** The targets' option checks, one registry: what the configuration checks before any rule is compiled. */

const OPTION_CHECKS: Readonly<Record<TargetName, ((options: TargetOptions) => OptionProblem[]) | undefined>> = {
  panther: undefined,
  athena: (options) => checkAthenaOptions(options),
  sigma: checkSigmaOptions,
  sentinel: checkSentinelOptions,
};

/** The problems of a target's options (none for a target without options, or an unknown one). */
export function checkTargetOptions(name: string, options: TargetOptions): OptionProblem[] {
  return isTargetName(name) ? (OPTION_CHECKS[name]?.(options) ?? []) : [];
}
