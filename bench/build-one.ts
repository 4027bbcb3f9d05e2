/**
 * One library size, in its own process so that peak RSS belongs to it alone:
 * `tsx bench/build-one.ts <rules> <dir>` generates the library (if absent), then measures the bare
 * YAML load (the floor), the build of every registered target as `rulec build` runs it (every
 * core, then writing out/), the same on one thread, a rebuild with nothing changed, the cold
 * command end to end, and the per-stage split of one thread's work. Prints JSON.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import jsYaml from "js-yaml";
import { runBuild } from "../dist/cli/build.js";
import { writeAtomic } from "../dist/cli/fs.js";
import { formatDiagnostic, type Diagnostic } from "../dist/diagnostics.js";
import { defaultJobs } from "../dist/cli/pool.js";
import { evaluate } from "../dist/eval/evaluate.js";
import { decodeRuleFile, loadRuleText } from "../dist/rules/load.js";
import { parseCondition } from "../dist/syntax/ast.js";
import { TARGETS } from "../dist/targets/index.js";
import { emptyAside, setAside } from "./aside.js";
import { generateMixedRule, generateRule, MIXED_RULES_VERSION, rng, RULES_VERSION } from "./generate.js";

const NAMES = TARGETS.map((t) => t.name);

const count = Number(process.argv[2] ?? 1000);
const dir = process.argv[3] ?? `/tmp/rulec-bench-${count}`;
/** `mixed`: a library over every typed log type instead of CloudTrail's. */
const mixed = process.argv[4] === "mixed";
const version = mixed ? `mixed-${MIXED_RULES_VERSION}` : RULES_VERSION;
const generate = mixed ? generateMixedRule : generateRule;
const rulesDir = join(dir, "rules");
const outDir = join(dir, "out");
const BIN = fileURLToPath(new URL("../bin/rulec.js", import.meta.url));
const PEAK_RSS = new URL("./peak-rss.mjs", import.meta.url).href;

const marker = join(rulesDir, ".complete");
if (!existsSync(marker) || readFileSync(marker, "utf8") !== version) {
  rmSync(rulesDir, { recursive: true, force: true });
  mkdirSync(rulesDir, { recursive: true });
  const r = rng(20261127);
  for (let i = 0; i < count; i++) {
    const g = generate(r, i);
    writeFileSync(join(rulesDir, `${g.name}.yml`), g.text);
  }
  writeFileSync(marker, version);
}
const files = readdirSync(rulesDir).filter((f) => f.endsWith(".yml")).sort().map((f) => join(rulesDir, f));

const ms = (t: number) => performance.now() - t;
// Diagnostics are formatted as the command formats them, and dropped.
let messageBytes = 0;
const report = (ds: readonly Diagnostic[], sources: ReadonlyMap<string, string>): void => {
  for (const d of ds) messageBytes += formatDiagnostic(d, { sources }).length;
};
/** Small libraries build in well under a second: their figures are the median of a few runs. */
const repeats = count <= 1000 ? 5 : count <= 10_000 ? 3 : 1;
async function median(run: () => Promise<number> | number, n = repeats): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await run());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

// The same warm-up at every size (500 rules through YAML and the build on every thread, not
// timed), so that per-rule figures compare steady states, not how much of a run the JIT took.
// The cold command is measured on its own below.
const warm = files.slice(0, 500);
for (const f of warm) jsYaml.load(readFileSync(f, "utf8"), { schema: jsYaml.CORE_SCHEMA });
// Four passes on every thread: a worker thread's JIT warms up over a few thousand rules.
for (let pass = 0; pass < 4; pass++) await runBuild(warm, NAMES, { report });
await runBuild(warm, NAMES, { jobs: 1, report });

// The floor: read every file and load it with js-yaml (one thread).
const floorMs = await median(() => {
  const t = performance.now();
  for (const f of files) jsYaml.load(readFileSync(f, "utf8"), { schema: jsYaml.CORE_SCHEMA });
  return ms(t);
});

// The build as `rulec build` runs it: compile on every core, writing out/ as results come in.
const jobs = defaultJobs(files.length);
let written = 0;
let errors = 0;
const buildMs = await median(async () => {
  setAside(outDir);
  const t = performance.now();
  const { planner, sync } = await runBuild([rulesDir], NAMES, { out: outDir, report });
  const d = ms(t);
  written = sync!.written.length;
  errors = planner.failedRules.length;
  return d;
}, 1);
// Compiling alone (every core, then one thread): what the budget compares with the floor.
const compileMs = await median(async () => {
  const t = performance.now();
  await runBuild([rulesDir], NAMES, { report });
  return ms(t);
});
// One thread, up to 10k rules (the bench must stay within minutes).
const compileOneThreadMs =
  count <= 10_000
    ? await median(async () => {
        const t = performance.now();
        await runBuild([rulesDir], NAMES, { jobs: 1, report });
        return ms(t);
      }, 1)
    : undefined;

// A rebuild with nothing changed: compile everything, compare with out/, write nothing.
let unchanged = 0;
const rebuildMs = await median(async () => {
  const t = performance.now();
  const { sync } = await runBuild([rulesDir], NAMES, { out: outDir, report });
  unchanged = sync!.unchanged.length;
  return ms(t);
}, 1);

// The command, cold: a new process (module loading, JIT, worker start) into an empty out/.
// Its peak RSS is its own (bench/peak-rss.mjs, preloaded): the budget's figure, where this
// process's peak also holds the warm-ups, the floor and the builds above.
const cliOut = join(dir, "out-cli");
const peakFile = join(dir, "cli-peak-rss");
let cliPeakRssMb = 0;
const cliMs = await median(() => {
  setAside(cliOut);
  rmSync(peakFile, { force: true });
  const t = performance.now();
  const r = spawnSync(process.execPath, ["--import", PEAK_RSS, BIN, "build", rulesDir, "--out", cliOut], { encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, RULEC_PEAK_RSS: peakFile } });
  const d = ms(t);
  if (r.status !== 0 && r.status !== 1) throw new Error(`rulec build exited ${r.status}: ${r.stderr.slice(-2000)}`);
  cliPeakRssMb = Math.max(cliPeakRssMb, Number(readFileSync(peakFile, "utf8")) / 1024);
  return d;
}, 1);
setAside(cliOut);

// Where one thread's time goes, stage by stage (each stage timed on its own; `check` is the rest of
// loading a rule: the schema checks, lint and the rule's other keys), over the first 10k files,
// scaled to the library.
const stages: Record<string, number> = { read: 0, yaml: 0, parse: 0, check: 0, test: 0 };
for (const target of TARGETS) stages[target.name] = 0;
const sample = files.slice(0, 10_000);
for (const f of sample) {
  let t = performance.now();
  const text = decodeRuleFile(readFileSync(f), f).text!;
  stages.read! += ms(t);
  t = performance.now();
  const doc = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA }) as { Condition: string };
  const yamlMs = ms(t);
  t = performance.now();
  parseCondition(doc.Condition);
  const parseMs = ms(t);
  t = performance.now();
  const rule = loadRuleText(text, f).rule;
  stages.yaml! += yamlMs;
  stages.parse! += parseMs;
  stages.check! += Math.max(0, ms(t) - yamlMs - parseMs);
  if (!rule) continue;
  t = performance.now();
  for (const test of rule.tests) evaluate(rule.condition, test.log);
  stages.test! += ms(t);
  for (const target of TARGETS) {
    t = performance.now();
    target.compile(rule, {});
    stages[target.name]! += ms(t);
  }
}

// What writing adds to the build, and what the file system charges for one new file (a temporary
// file and a rename, one at a time), for scale.
for (const k of Object.keys(stages)) stages[k]! *= files.length / sample.length;
stages.write = Math.max(0, buildMs - compileMs);
const scratch = join(dir, "fs-probe");
setAside(scratch);
mkdirSync(scratch);
const t0 = performance.now();
const PROBE = 2000;
for (let i = 0; i < PROBE; i++) writeAtomic(join(scratch, `f${i}.yml`), "x".repeat(2000));
const fileCreateUs = (ms(t0) / PROBE) * 1000;
setAside(scratch);
emptyAside(outDir);

console.log(
  JSON.stringify({
    fileCreateUs,
    messageBytes,
    rules: files.length,
    targets: TARGETS.map((x) => x.name),
    threads: jobs,
    cores: availableParallelism(),
    repeats,
    floorMs,
    buildMs,
    compileMs,
    compileOneThreadMs,
    rebuildMs,
    cliMs,
    unchanged,
    stages,
    errors,
    written,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    cliPeakRssMb,
  }),
);
