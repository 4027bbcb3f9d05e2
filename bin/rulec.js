#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";

// A command of rulec is short and runs many small functions a few thousand times each: V8's
// optimizing compiler, left to its default, optimizes hundreds of them early and again after each
// meets a new object shape. A budget six times V8 11's default lets only the hot ones tier up, later
// and once (docs/performance.md, "When V8 optimizes"). Set before any of rulec's code is loaded.
setFlagsFromString("--interrupt-budget=409600");

const { main } = await import("../dist/cli/main.js");
process.exitCode = await main(process.argv);
