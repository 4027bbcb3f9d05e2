import { athenaTarget } from "./athena/index.js";
import { pantherTarget } from "./panther/index.js";
import { sentinelTarget } from "./sentinel/index.js";
import { sigmaTarget } from "./sigma/index.js";
import type { Target, TargetName } from "./types.js";

/** The registry: one entry per target. */
export const TARGETS: readonly Target[] = [pantherTarget, athenaTarget, sigmaTarget, sentinelTarget];

export const TARGET_NAMES: readonly TargetName[] = ["panther", "athena", "sigma", "sentinel"];

export function targetByName(name: string): Target | undefined {
  return TARGETS.find((t) => t.name === name);
}
