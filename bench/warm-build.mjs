// `rulec build` in a process whose code is already warm: what a cold build would cost if V8 had
// nothing left to learn. `node bench/warm-build.mjs <library> <runs>` runs the command's own
// `main` (with bin/rulec.js's V8 settings) in one process: two builds of <library>/rules into new
// output directories that are not timed, then <runs> more, each into a new output directory, and
// prints the median wall time as JSON. The output directories go to <library>/.aside, which the
// bench empties after its timings (see aside.ts). Plain JavaScript, as bin/rulec.js runs.
import { join } from "node:path";
import { tuneV8 } from "../bin/v8.js";

tuneV8();
const { main } = await import("../dist/cli/main.js");

const [library, runsText] = process.argv.slice(2);
if (!library) throw new Error("usage: node bench/warm-build.mjs <library> [runs]");
const runs = Number(runsText ?? 5);
const io = { out() {}, err() {}, interactive: false, colorAllowed: false, errorColorAllowed: false };
process.chdir(library);
const times = [];
for (let i = 0; i < runs + 2; i++) {
  const out = join(library, ".aside", `warm.${process.pid}.${i}`);
  const t = performance.now();
  const status = await main(["node", "rulec", "build", "rules", "--target", "panther,athena,sigma", "--out", out], io);
  const ms = performance.now() - t;
  if (status !== 0) throw new Error(`build ${i} exited ${status}`);
  if (i >= 2) times.push(ms);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ runs, warmMs: times[Math.floor(times.length / 2)] }));
