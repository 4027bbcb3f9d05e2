import { setFlagsFromString } from "node:v8";

/**
 * rulec's V8 settings, made before any of its code is loaded. A command of rulec is short and runs
 * many small functions a few thousand times each: V8's optimizing compiler, left to its default,
 * optimizes hundreds of them early and again after each meets a new object shape. A budget six
 * times V8 11's default lets only the hot ones tier up, later and once (docs/performance.md, "When
 * V8 optimizes"). V8's flags are the process's: worker threads have them too.
 */
export function tuneV8() {
  setFlagsFromString("--interrupt-budget=409600");
}
