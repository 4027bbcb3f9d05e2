import { athenaTarget } from "./athena/index.js";
import { pantherTarget } from "./panther/index.js";
import { sentinelTarget } from "./sentinel/index.js";
import { sigmaTarget } from "./sigma/index.js";
import { TARGET_NAMES } from "./names.js";
import type { Target } from "./types.js";

export { TARGET_NAMES };

/** The registry: one entry per target. */
export const TARGETS: readonly Target[] = [pantherTarget, athenaTarget, sigmaTarget, sentinelTarget];

export function targetByName(name: string): Target | undefined {
  return TARGETS.find((t) => t.name === name);
}
