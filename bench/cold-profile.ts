/**
 * Where a cold `rulec build` spends its CPU, per rule: one run of the command as a user runs it (a
 * new process, every core, writing into a new output directory), with V8's CPU profiler on each
 * JavaScript thread (`--cpu-prof`) and every thread's CPU time from /proc (bench/thread-cpu.mjs).
 * Each JavaScript thread's samples are put in the stage of the innermost frame that names one (the
 * list below), and scaled to that thread's CPU time (a sample taken while the thread waited for a
 * core would otherwise count); the threads V8 and libuv run beside them (the optimizing compiler,
 * the garbage collector's helpers, file system calls) are a line of their own.
 *
 * `npx tsx bench/cold-profile.ts [library dir] [rulec build options...]` (default: the 3,500-rule
 * library of bench/incremental.ts, `--target panther,athena,sigma`); prints a table, then JSON.
 * Linux only (/proc).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { emptyAside, setAside } from "./aside.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BIN = join(ROOT, "bin/rulec.js");
const PRELOAD = join(ROOT, "bench/thread-cpu.mjs");

/** Stages by the code a frame belongs to, tried from the innermost frame out. */
const STAGES: readonly (readonly [string, RegExp])[] = [
  ["yaml", /\/js-yaml\/|\/rules\/yaml\.js$/],
  ["condition parse", /\/syntax\/|\/chevrotain\//],
  ["checks and lint", /\/check\//],
  ["rule's Tests", /\/eval\//],
  ["output validation", /\/targets\/validation\.js$|\/targets\/[a-z]+\/schema\//],
  ["panther", /\/targets\/panther\//],
  ["athena", /\/targets\/athena\//],
  ["sigma", /\/targets\/sigma\//],
  ["sentinel", /\/targets\/sentinel\//],
  ["rest of loading", /\/rules\/|\/logtypes\/|\/ast\//],
  ["reading rule files", /\/cli\/library\.js$/],
  ["writing outputs", /\/cli\/fs\.js$/],
  ["build cache (hashes, records)", /\/cli\/cache\.js$|\/cli\/paths\.js$/],
  ["plan, manifest, messages", /\/cli\/(plan|manifest|build|output)\.js$|\/diagnostics\.js$/],
  ["thread hand-offs", /\/cli\/(pool|build-worker)\.js$|node:internal\/(worker|per_context\/messageport)/],
  ["module loading", /node:internal\/modules\//],
];

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Milliseconds by stage of one thread's profile (wall time sampled), idle left out. */
function stagesOf(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = stageOf.get(id);
    if (known !== undefined) return known;
    const frame = byId.get(id)!.callFrame;
    let stage: string | undefined;
    if (frame.functionName === "(garbage collector)") stage = "garbage collector (on the thread)";
    else if (frame.functionName === "(idle)") stage = "idle";
    else if (frame.functionName === "(program)") stage = "V8 (program)";
    else {
      const url = frame.url;
      stage = url === "" ? undefined : STAGES.find(([, re]) => re.test(url))?.[0];
      if (stage === undefined) {
        const up = parent.get(id);
        stage = up === undefined || byId.get(up)!.callFrame.functionName === "(root)" ? "other" : classify(up);
      }
    }
    stageOf.set(id, stage);
    return stage;
  };
  const ms = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const stage = classify(id);
    ms.set(stage, (ms.get(stage) ?? 0) + profile.timeDeltas[i]! / 1000);
  });
  ms.delete("idle");
  return ms;
}

const dir = process.argv[2] ?? "/tmp/rulec-bench/library-3500";
const extra = process.argv.slice(3);
if (!existsSync(join(dir, "rules"))) {
  console.error(`${dir}/rules does not exist: run \`npx tsx bench/incremental.ts ${dir}\` first (it makes the library)`);
  process.exit(2);
}
const ruleFiles = readdirSync(join(dir, "rules")).filter((f) => f.endsWith(".yml"));
const rules = ruleFiles.length;
// The rule files in the page cache, as for the floor and every other figure of the bench.
for (const f of ruleFiles) readFileSync(join(dir, "rules", f));
const work = mkdtempSync(join(tmpdir(), "rulec-cold-profile-"));
const out = join(dir, "out-profile");
setAside(out);
const cpuFile = join(work, "threads.json");
const args = ["--cpu-prof", "--cpu-prof-dir", join(work, "prof"), "--import", PRELOAD, BIN, "build", "rules", "--out", out, ...(extra.length > 0 ? extra : ["--target", "panther,athena,sigma"])];
const t0 = performance.now();
const r = spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, RULEC_THREAD_CPU: cpuFile } });
const wallMs = performance.now() - t0;
if (r.status !== 0 && r.status !== 1) throw new Error(`rulec build exited ${r.status}: ${r.stderr.slice(-2000)}`);
setAside(out);
emptyAside(out);

const cpu = JSON.parse(readFileSync(cpuFile, "utf8")) as { pid: string; ticksPerSecond: number; threads: { tid: string; user: number; system: number; worker: boolean }[] };
const tick = 1000 / cpu.ticksPerSecond;
const cpuOf = (ts: typeof cpu.threads) => ts.reduce((s, t) => s + (t.user + t.system) * tick, 0);
const mainCpu = cpuOf(cpu.threads.filter((t) => t.tid === cpu.pid));
const workerCpu = cpuOf(cpu.threads.filter((t) => t.worker));
const backgroundCpu = cpuOf(cpu.threads.filter((t) => t.tid !== cpu.pid && !t.worker));
const systemMs = cpu.threads.reduce((s, t) => s + t.system * tick, 0);

// Profiles are named CPU.<date>.<time>.<pid>.<thread id>.<n>.cpuprofile: thread 0 is the main thread.
const profiles = readdirSync(join(work, "prof")).map((f) => ({ main: f.split(".")[4] === "0", profile: JSON.parse(readFileSync(join(work, "prof", f), "utf8")) as Profile }));
const total = new Map<string, number>();
for (const [isMain, threadCpu] of [
  [true, mainCpu],
  [false, workerCpu],
] as const) {
  const sampled = new Map<string, number>();
  for (const p of profiles.filter((x) => x.main === isMain)) for (const [k, v] of stagesOf(p.profile)) sampled.set(k, (sampled.get(k) ?? 0) + v);
  const busy = [...sampled.values()].reduce((a, b) => a + b, 0);
  for (const [k, v] of sampled) total.set(k, (total.get(k) ?? 0) + (busy === 0 ? 0 : (v / busy) * threadCpu));
}
total.set("V8 and libuv threads beside JavaScript (optimizing compiler, GC helpers, file system calls)", backgroundCpu);

const perRule = (ms: number) => (ms / rules).toFixed(3);
const rows = [...total].sort((a, b) => b[1] - a[1]);
const allCpu = mainCpu + workerCpu + backgroundCpu;
console.log(`cold \`rulec build ${extra.join(" ") || "--target panther,athena,sigma"}\` of ${rules} rules: wall ${(wallMs / 1000).toFixed(2)} s, CPU ${(allCpu / 1000).toFixed(2)} s (system ${(systemMs / 1000).toFixed(2)} s): main thread ${(mainCpu / 1000).toFixed(2)} s, worker threads ${(workerCpu / 1000).toFixed(2)} s, other threads ${(backgroundCpu / 1000).toFixed(2)} s`);
console.log("CPU ms per rule  stage");
for (const [k, v] of rows) console.log(`${perRule(v).padStart(15)}  ${k}`);
console.log(`${perRule(allCpu).padStart(15)}  all`);
console.log(JSON.stringify({ rules, wallMs, cpuMs: allCpu, systemMs, mainCpuMs: mainCpu, workerCpuMs: workerCpu, backgroundCpuMs: backgroundCpu, stagesMs: Object.fromEntries(rows) }));
