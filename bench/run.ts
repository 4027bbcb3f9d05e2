/**
 * `npm run bench`: compile, test and hunt throughput, measured side by side in one run, with the
 * budgets of docs/performance.md. Prints a table and writes JSON to bench/results/.
 *
 * BENCH_SIZES=1000,10000 and BENCH_EVENTS=100000 shrink the run (the defaults are the full sizes);
 * BENCH_VPCFLOW sets the VPC Flow records of its hunt (1,000,000; bench/vpcflow.ts).
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem, release, platform } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadLibrary } from "../dist/cli/library.js";
import { compileCondition } from "../dist/eval/evaluate.js";
import type { Condition } from "../dist/ast/nodes.js";
import { generateEvent, rng } from "./generate.js";
import { benchHunt } from "./hunt.js";
import type { IncrementalFigures } from "./incremental.js";
import { emptyAside } from "./aside.js";
import { benchPySigma } from "./pysigma.js";
import { benchPython } from "./python.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SIZES = (process.env.BENCH_SIZES ?? "1000,10000,100000").split(",").map(Number);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const WORK = process.env.BENCH_DIR ?? "/tmp/rulec-bench";
const RULES_FOR_EVENTS = 30;
/** The typed log types the mixed library spreads over. */
const MIXED_LOG_TYPES = readdirSync(join(ROOT, "src/logtypes"), { withFileTypes: true }).filter((d) => d.isDirectory()).length;

interface BuildFigures {
  rules: number;
  targets: string[];
  threads: number;
  cores: number;
  repeats: number;
  floorMs: number;
  buildMs: number;
  compileMs: number;
  compileOneThreadMs?: number;
  rebuildMs: number;
  cliMs: number;
  fileCreateUs: number;
  stages: Record<string, number>;
  errors: number;
  written: number;
  peakRssMb: number;
  /** Peak RSS of the `rulec build` process (the budget's figure). */
  cliPeakRssMb: number;
}

function log(s: string): void {
  process.stderr.write(s + "\n");
}

// ---------------------------------------------------------------------------------------------
// Build at each size, each in its own process.

const builds: (BuildFigures & { mixed?: boolean })[] = [];
function buildOne(size: number, mixed: boolean): BuildFigures {
  log(`build: ${size} ${mixed ? "mixed-log-type " : ""}rules ...`);
  const args = ["--import", "tsx", join(ROOT, "bench/build-one.ts"), String(size), join(WORK, `lib-${mixed ? "mixed-" : ""}${size}`), ...(mixed ? ["mixed"] : [])];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench/build-one.ts ${size}${mixed ? " mixed" : ""} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as BuildFigures;
}
for (const size of SIZES) builds.push(buildOne(size, false));
// The same sizes over every typed log type (bench/generate.ts generateMixedRule): per-rule cost within 10% of CloudTrail's.
const MIXED_SIZES = (process.env.BENCH_MIXED_SIZES ?? "1000,10000").split(",").filter((s) => s !== "").map(Number);
const mixedBuilds: BuildFigures[] = MIXED_SIZES.map((size) => buildOne(size, true));

// The library of the build-speed budgets (rules/ copied to 3,500 rules), whole processes: the
// floor, a cold build, a build with nothing changed, --check, one rule changed.
log("incremental: the shipped rules copied to a library, whole processes ...");
let incremental: IncrementalFigures | undefined;
{
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench/incremental.ts"), join(WORK, "library")], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench/incremental.ts failed: ${r.stderr}`);
  incremental = JSON.parse(r.stdout.trim().split("\n").pop()!) as IncrementalFigures;
}

// Where the cold build's CPU goes, stage by stage and thread by thread (one profiled run; Linux).
interface ColdProfile {
  readonly rules: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly systemMs: number;
  readonly mainCpuMs: number;
  readonly workerCpuMs: number;
  readonly backgroundCpuMs: number;
  readonly stagesMs: Record<string, number>;
}
let coldProfile: ColdProfile | undefined;
if (platform() === "linux") {
  log("cold build profile: where the CPU goes ...");
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench/cold-profile.ts"), join(WORK, "library")], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench/cold-profile.ts failed: ${r.stderr}`);
  coldProfile = JSON.parse(r.stdout.trim().split("\n").pop()!) as ColdProfile;
}

// ---------------------------------------------------------------------------------------------
// Events: one seeded NDJSON file, shared by the evaluator, Python and hunt.

mkdirSync(WORK, { recursive: true });
// Ten files of at most 100k records, as CloudTrail writes many files (and one string stays small).
const PER_FILE = 100_000;
const eventFiles: string[] = [];
for (let i = 0; i * PER_FILE < EVENTS; i++) eventFiles.push(join(WORK, `events-${EVENTS}-${i}.ndjson`));
{
  const marker = join(WORK, `events-${EVENTS}.complete`);
  let complete = false;
  try {
    complete = readFileSync(marker, "utf8") === String(eventFiles.length);
  } catch {
    complete = false;
  }
  if (!complete) {
    log(`events: generating ${EVENTS} CloudTrail records ...`);
    const r = rng(4242);
    for (let f = 0; f < eventFiles.length; f++) {
      const out = createWriteStream(eventFiles[f]!);
      let chunk = "";
      for (let i = f * PER_FILE; i < Math.min(EVENTS, (f + 1) * PER_FILE); i++) {
        chunk += JSON.stringify(generateEvent(r, i)) + "\n";
        if (chunk.length > 1 << 20) {
          if (!out.write(chunk)) await new Promise<void>((res) => out.once("drain", () => res()));
          chunk = "";
        }
      }
      out.write(chunk);
      await new Promise<void>((res) => out.end(() => res()));
    }
    writeFileSync(marker, String(eventFiles.length));
  }
}

// The 30 CloudTrail rules of the shipped library the event benchmarks run (the events are CloudTrail records).
const library = loadLibrary([join(ROOT, "rules")]);
const rules = library.rules.filter((r) => r.logTypes[0] === "AWS.CloudTrail").slice(0, RULES_FOR_EVENTS);

// ---------------------------------------------------------------------------------------------
// The evaluator: event x rule evaluations, and leaf predicate evaluations, per second (one core).

/** The same rule, compiled so that every leaf predicate evaluation is counted. */
function leafCount(c: Condition, counter: { n: number }): (e: unknown) => boolean {
  const compile = (x: Condition): ((e: unknown) => boolean) => {
    switch (x.kind) {
      case "and": {
        const items = x.items.map(compile);
        return (e) => items.every((p) => p(e));
      }
      case "or": {
        const items = x.items.map(compile);
        return (e) => items.some((p) => p(e));
      }
      case "not": {
        const p = compile(x.operand);
        return (e) => !p(e);
      }
      default: {
        const p = compileCondition(x);
        return (e) => {
          counter.n++;
          return p(e);
        };
      }
    }
  };
  return compile(c);
}

log(`evaluator: ${EVENTS} events x ${rules.length} rules ...`);
const predicates = rules.map((r) => compileCondition(r.condition));
const counter = { n: 0 };
const counted = rules.map((r) => leafCount(r.condition, counter));
let evalMs = 0;
let matches = 0;
let leafEvaluations = 0;
let firstFileMatches = 0;
for (const file of eventFiles) {
  const batch = readFileSync(file, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as unknown);
  const t = performance.now();
  for (const e of batch) for (const p of predicates) if (p(e)) matches++;
  evalMs += performance.now() - t;
  if (file === eventFiles[0]) firstFileMatches = matches;
  for (const e of batch) for (const p of counted) p(e);
}
leafEvaluations = counter.n;
const evaluator = {
  firstFileMatches,
  events: EVENTS,
  rules: rules.length,
  ms: evalMs,
  matches,
  evaluationsPerSecond: (EVENTS * rules.length) / (evalMs / 1000),
  predicateEvaluations: leafEvaluations,
  predicatesPerSecond: leafEvaluations / (evalMs / 1000),
};

// ---------------------------------------------------------------------------------------------
// The generated Panther Python on the same events, and hunt on DuckDB.

log("python: the generated Panther rules under python3 ...");
const python = await benchPython(rules, eventFiles[0]!, Math.min(EVENTS, PER_FILE));
log("hunt: DuckDB ...");
const huntFigures = await benchHunt(rules, eventFiles, EVENTS);

log("hunt: VPC Flow Logs (text lines), in its own process ...");
const vpcflow = (() => {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench/vpcflow.ts"), String(Number(process.env.BENCH_VPCFLOW ?? 1_000_000)), WORK], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench/vpcflow.ts failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as { records: number; rules: number; fileMb: number; loadMs: number; queryMs: number; totalMs: number; cpuMs: number; matches: number; evaluatorMatches: number; peakRssMb: number };
})();

log("pySigma: the same rules through pySigma's Athena backend ...");
const pysigmaLib = join(WORK, `lib-${SIZES[0]}`);
const pysigma = benchPySigma(join(pysigmaLib, "rules"), join(pysigmaLib, "out", "sigma"), WORK);
if (pysigma.skipped) log(`pySigma: SKIPPED: ${pysigma.skipped}`);

// ---------------------------------------------------------------------------------------------
// Report.

const perRule = (b: BuildFigures, ms: number) => ms / b.rules;
const rows: string[][] = [["measure", "figure", "budget", "ok"]];
for (const b of builds) {
  const x = (ms: number) => `${perRule(b, ms).toFixed(3)} ms/rule (${(ms / b.floorMs).toFixed(2)}x floor)`;
  const ratio = b.compileMs / b.floorMs;
  rows.push([`YAML load floor, ${b.rules} rules`, `${perRule(b, b.floorMs).toFixed(3)} ms/rule (one thread${b.repeats > 1 ? `, median of ${b.repeats}` : ""})`, "", ""]);
  rows.push([
    `build ${b.targets.join("+")}, ${b.rules} rules (compile, ${b.threads} threads)`,
    `${perRule(b, b.compileMs).toFixed(3)} ms/rule, ${((b.rules / b.compileMs) * 1000).toFixed(0)} rules/s, ${ratio.toFixed(2)}x floor`,
    "<= 2x floor",
    ratio <= 2 ? "yes" : "NO",
  ]);
  if (b.compileOneThreadMs !== undefined) rows.push([`  compile on one thread`, x(b.compileOneThreadMs), "", ""]);
  rows.push([`  with writing ${b.written} files (empty out/, while compiling)`, x(b.buildMs), "", ""]);
  rows.push([`  rebuild, nothing changed`, x(b.rebuildMs), "", ""]);
  rows.push([`  file system: one new file`, `${b.fileCreateUs.toFixed(0)} us (temporary file and rename, one at a time)`, "", ""]);
  rows.push([`  \`rulec build\` in a new process`, `${x(b.cliMs)}, ${(b.cliMs / 1000).toFixed(2)} s`, "", ""]);
  rows.push([`  stages ms/rule (one thread${b.rules > 10_000 ? ", first 10k rules" : ""})`, Object.entries(b.stages).map(([k, v]) => `${k} ${perRule(b, v).toFixed(3)}`).join(", "), "", ""]);
  rows.push([`  peak RSS, \`rulec build\` in a new process`, `${b.cliPeakRssMb.toFixed(0)} MB`, "< 1 GB", b.cliPeakRssMb < 1024 ? "yes" : "NO"]);
  rows.push([`  peak RSS, the bench's process (warm-ups, floor, the builds above)`, `${b.peakRssMb.toFixed(0)} MB`, "", ""]);
}
for (const m of mixedBuilds) {
  const base = builds.find((b) => b.rules === m.rules);
  const cost = perRule(m, m.compileMs);
  const ratio = base ? cost / perRule(base, base.compileMs) : undefined;
  rows.push([
    `build, ${m.rules} rules over the ${MIXED_LOG_TYPES} typed log types (compile, ${m.threads} threads)`,
    `${cost.toFixed(3)} ms/rule${ratio === undefined ? "" : ` (${ratio.toFixed(2)}x CloudTrail's ${perRule(base!, base!.compileMs).toFixed(3)})`}; one thread ${m.compileOneThreadMs === undefined ? "-" : `${perRule(m, m.compileOneThreadMs).toFixed(3)} ms/rule`}`,
    "<= 1.1x CloudTrail-only",
    ratio === undefined ? "" : ratio <= 1.1 ? "yes" : "NO",
  ]);
  rows.push([`  stages ms/rule (one thread)`, Object.entries(m.stages).map(([k, v]) => `${k} ${perRule(m, v).toFixed(3)}`).join(", "), "", ""]);
}
if (builds.length > 1) {
  const per = builds.map((b) => perRule(b, b.compileMs));
  const spread = Math.max(...per) / Math.min(...per) - 1;
  rows.push([`per-rule cost ${builds.map((b) => b.rules).join(" / ")}`, per.map((p) => p.toFixed(3)).join(" / ") + ` ms (spread ${(spread * 100).toFixed(0)}%)`, "flat within 20%", spread <= 0.2 ? "yes" : "NO"]);
}
if (incremental) {
  const f = incremental;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  rows.push([`library of ${f.rules} rules (rules/ copied, ${(f.bytes / 2 ** 20).toFixed(0)} MB), whole processes, median of ${f.runs}`, "", "", ""]);
  rows.push([`  floor: js-yaml loads every file, one thread`, s(f.floorMs), "", ""]);
  rows.push([`  \`rulec build\` into an empty out/`, `${s(f.coldMs)} (${(f.coldMs / f.floorMs).toFixed(2)}x floor)`, "<= 2.5x floor", f.coldMs <= 2.5 * f.floorMs ? "yes" : "NO"]);
  rows.push([`  the same in a process already warm (its 3rd-${f.runs + 2}th build into a new out/)`, `${s(f.warmMs)} (${(f.warmMs / f.floorMs).toFixed(2)}x floor)`, "", ""]);
  rows.push([`  \`rulec build\`, nothing changed`, s(f.unchangedMs), "< 0.5 s", f.unchangedMs < 500 ? "yes" : "NO"]);
  rows.push([`  \`rulec build --check\`, nothing changed`, s(f.checkMs), "< 0.5 s", f.checkMs < 500 ? "yes" : "NO"]);
  rows.push([`  \`rulec build\`, one rule changed`, s(f.oneChangedMs), "< 0.6 s", f.oneChangedMs < 600 ? "yes" : "NO"]);
  const i = f.imported;
  rows.push([`library of ${i.rules} imported panther-analysis rules (the vendored subset, copied; ${(i.bytes / 2 ** 20).toFixed(0)} MB)`, "", "", ""]);
  rows.push([`  floor: js-yaml loads every file, one thread`, s(i.floorMs), "", ""]);
  rows.push([`  \`rulec build\` into an empty out/`, `${s(i.coldMs)} (${(i.coldMs / i.floorMs).toFixed(2)}x floor)`, "", ""]);
  rows.push([`  the same in a process already warm`, `${s(i.warmMs)} (${(i.warmMs / i.floorMs).toFixed(2)}x floor)`, "", ""]);
}
if (coldProfile) {
  const c = coldProfile;
  const per = (ms: number) => (ms / c.rules).toFixed(3);
  const top = Object.entries(c.stagesMs)
    .filter(([k]) => !k.startsWith("V8 and libuv"))
    .slice(0, 8)
    .map(([k, v]) => `${k} ${per(v)}`)
    .join(", ");
  rows.push([`  cold build, CPU ms per rule (one profiled run)`, `${per(c.cpuMs)} (system ${per(c.systemMs)}): main thread ${per(c.mainCpuMs)}, workers ${per(c.workerCpuMs)}, V8/libuv threads ${per(c.backgroundCpuMs)}; ${top}`, "", ""]);
}
rows.push([
  `evaluator, ${EVENTS} events x ${rules.length} rules`,
  `${(evaluator.evaluationsPerSecond / 1e6).toFixed(2)}M evaluations/s, ${(evaluator.predicatesPerSecond / 1e6).toFixed(2)}M predicates/s`,
  ">= 5M predicates/s",
  evaluator.predicatesPerSecond >= 5e6 ? "yes" : "NO",
]);
if (python) {
  rows.push([
    `Panther Python, ${python.events} events x ${rules.length} rules`,
    `${(python.evaluationsPerSecond / 1e6).toFixed(2)}M evaluations/s (${(evaluator.evaluationsPerSecond / python.evaluationsPerSecond).toFixed(1)}x slower than the evaluator); ${python.matches} matches`,
    `= evaluator (${firstFileMatches})`,
    python.matches === firstFileMatches ? "yes" : "NO",
  ]);
}
if (huntFigures) {
  rows.push([
    `hunt (DuckDB), ${EVENTS} events x ${rules.length} rules`,
    `load ${(huntFigures.loadMs / 1000).toFixed(1)} s, queries ${(huntFigures.queryMs / 1000).toFixed(1)} s, total ${(huntFigures.totalMs / 1000).toFixed(1)} s, ${(EVENTS / (huntFigures.totalMs / 1000)).toFixed(0)} events/s`,
    "< 20 s",
    huntFigures.totalMs < 20_000 ? "yes" : "NO",
  ]);
  rows.push([
    `  hunt matches`,
    `${huntFigures.matches}`,
    `= evaluator (${matches})`,
    huntFigures.matches === matches ? "yes" : "NO",
  ]);
}
rows.push([
  `hunt (DuckDB), VPC Flow Logs: ${vpcflow.records} records (${vpcflow.fileMb.toFixed(1)} MB gzip, custom format, streamed) x ${vpcflow.rules} rules`,
  `load ${(vpcflow.loadMs / 1000).toFixed(1)} s, queries ${(vpcflow.queryMs / 1000).toFixed(1)} s, total ${(vpcflow.totalMs / 1000).toFixed(1)} s (CPU ${(vpcflow.cpuMs / 1000).toFixed(1)} s), peak RSS ${vpcflow.peakRssMb.toFixed(0)} MB`,
  "< 10 s",
  vpcflow.totalMs < 10_000 ? "yes" : "NO",
]);
rows.push([`  VPC Flow hunt matches`, `${vpcflow.matches}`, `= evaluator (${vpcflow.evaluatorMatches})`, vpcflow.matches === vpcflow.evaluatorMatches ? "yes" : "NO"]);
if (pysigma.figures) {
  const f = pysigma.figures;
  rows.push([
    `pySigma (Athena backend) vs rulec, ${f.rules} rules`,
    `pySigma ${f.pysigmaMsPerRule.toFixed(3)} ms/rule (one target, ${f.pysigmaConverted} converted); rulec ${f.rulecMsPerRulePerTarget.toFixed(3)} ms/rule/target (three, one thread): ${f.ratio.toFixed(1)}x`,
    ">= 25x per rule per target",
    f.ratio >= 25 ? "yes" : "NO",
  ]);
} else {
  rows.push(["pySigma (Athena backend) vs rulec", `skipped: ${pysigma.skipped}`, ">= 25x per rule per target", "-"]);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
const table = rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ")).join("\n");
console.log(table);

const machine = { cpu: cpus()[0]?.model, cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), platform: platform(), kernel: release(), node: process.version };
const resultsDir = join(ROOT, "bench/results");
mkdirSync(resultsDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
writeFileSync(join(resultsDir, `${stamp}.json`), JSON.stringify({ machine, builds, mixedBuilds, incremental, coldProfile, evaluator, python, hunt: huntFigures, vpcflow, pysigma, table }, null, 2) + "\n");
writeFileSync(join(resultsDir, "latest.txt"), `${table}\n\nmachine: ${JSON.stringify(machine)}\n`);
// What a script that failed half-way set aside (aside.ts).
for (const d of readdirSync(WORK, { withFileTypes: true })) if (d.isDirectory()) emptyAside(join(WORK, d.name, "out"));
log(`wrote bench/results/${stamp}.json (${readdirSync(resultsDir).length} files there)`);
