import type { TargetName } from "./types.js";

/**
 * The targets by name: what the manifest and a build the cache answers need, without loading any
 * target's compiler (targets/index.ts has those) or its option checks (targets/option-checks.ts,
 * which the configuration loads: the Athena target's need the log types' table profiles).
 */

export const TARGET_NAMES: readonly TargetName[] = ["panther", "athena", "sigma", "sentinel"];

export function isTargetName(name: string): name is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(name);
}
