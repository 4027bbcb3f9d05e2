/**
 * Whole processes on the library of the build-speed budgets: the shipped rules/ copied until the
 * library holds BENCH_LIBRARY_RULES rules (default 3,500), each copy with its own file name and
 * RuleID. Each figure is the median wall time of RUNS runs of a new process, as a user meets it:
 *
 * - the floor: one process reading every rule file and loading it with js-yaml on one thread
 *   (bench/yaml-floor.mjs, plain JavaScript: no TypeScript loader in its start-up);
 * - `rulec build` of all three targets into an empty out/ (cold: no cache);
 * - `rulec build` again with nothing changed, and `rulec build --check` (the cache vouches for
 *   every rule when its outputs still hash as recorded);
 * - `rulec build` after one rule file changed (its DisplayName edited, a new text each run);
 * - the cold build in a process whose code is already warm (bench/warm-build.mjs: the command's
 *   `main` run again and again in one process, each build into a new output directory): what the
 *   cold build would cost if V8 had nothing left to learn.
 *
 * `tsx bench/incremental.ts [dir]` prints JSON (bench/run.ts runs it in its own process).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { emptyAside, setAside } from "./aside.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BIN = join(ROOT, "bin/rulec.js");
const FLOOR = join(ROOT, "bench/yaml-floor.mjs");
const WARM = join(ROOT, "bench/warm-build.mjs");
const TARGET = Number(process.env.BENCH_LIBRARY_RULES ?? 3500);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const dir = process.argv[2] ?? `/tmp/rulec-bench/library-${TARGET}`;
const rulesDir = join(dir, "rules");
const outDir = join(dir, "out");

export interface IncrementalFigures {
  readonly rules: number;
  readonly bytes: number;
  readonly runs: number;
  readonly floorMs: number;
  readonly coldMs: number;
  readonly unchangedMs: number;
  readonly checkMs: number;
  readonly oneChangedMs: number;
  readonly warmMs: number;
}

/** The library: every shipped rule, copied with a suffix on its file name and RuleID. */
function makeLibrary(): { rules: number; bytes: number } {
  const shipped = readdirSync(join(ROOT, "rules"))
    .filter((f) => f.endsWith(".yml") && f !== "rulec.config.yml")
    .sort();
  const copies = Math.ceil(TARGET / shipped.length);
  const marker = join(rulesDir, ".complete");
  const version = `${TARGET}:${shipped.length}`;
  if (!existsSync(marker) || readFileSync(marker, "utf8") !== version) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(rulesDir, { recursive: true });
    let n = 0;
    for (let k = 0; k < copies && n < TARGET; k++) {
      for (const f of shipped) {
        if (n === TARGET) break;
        const text = readFileSync(join(ROOT, "rules", f), "utf8");
        const suffix = String(k).padStart(3, "0");
        const renamed = text.replace(/^RuleID:\s*(["']?)(.+?)\1\s*$/m, (_, q: string, id: string) => `RuleID: ${q}${id}.${suffix}${q}`);
        if (renamed === text) throw new Error(`rules/${f}: no RuleID line to rename`);
        writeFileSync(join(rulesDir, f.replace(/\.yml$/, `_${suffix}.yml`)), renamed);
        n++;
      }
    }
    writeFileSync(marker, version);
  }
  const files = readdirSync(rulesDir).filter((f) => f.endsWith(".yml"));
  return { rules: files.length, bytes: files.reduce((s, f) => s + readFileSync(join(rulesDir, f)).length, 0) };
}

function run(cmd: string, args: readonly string[]): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd: dir, encoding: "utf8", maxBuffer: 1 << 26 });
  const ms = performance.now() - t;
  // Warnings (RC401 for what a target cannot express) are expected; an error is not.
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function times(n: number, before: () => void, f: () => number): number {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    before();
    xs.push(f());
  }
  return median(xs);
}

const { rules, bytes } = makeLibrary();
const node = process.execPath;
const build = ["build", "rules", "--target", "panther,athena,sigma", "--out", "out"];
// One untimed build of each kind warms the file cache. Each cold build gets a new out/: the last
// one is set aside, not deleted (see aside.ts).
run(node, [FLOOR, rulesDir]);
setAside(outDir);
run(node, [BIN, ...build]);

const floorMs = times(RUNS, () => {}, () => run(node, [FLOOR, rulesDir]));
const coldMs = times(RUNS, () => setAside(outDir), () => run(node, [BIN, ...build]));
const unchangedMs = times(RUNS, () => {}, () => run(node, [BIN, ...build]));
const checkMs = times(RUNS, () => {}, () => run(node, [BIN, ...build, "--check"]));
const edited = join(rulesDir, readdirSync(rulesDir).filter((f) => f.endsWith(".yml")).sort()[0]!);
const original = readFileSync(edited, "utf8");
let edit = 0;
let oneChangedMs: number;
try {
  oneChangedMs = times(
    RUNS,
    () => writeFileSync(edited, original.replace(/^DisplayName: (["']?)(.*?)\1\s*$/m, (_, q: string, name: string) => `DisplayName: ${q}${name} (edit ${++edit})${q}`)),
    () => run(node, [BIN, ...build]),
  );
} finally {
  writeFileSync(edited, original);
}
run(node, [BIN, ...build]);
emptyAside(outDir);
// Its output directories go to .aside beside out/, emptied once it is timed.
const warm = spawnSync(node, [WARM, dir, String(RUNS)], { encoding: "utf8", maxBuffer: 1 << 24 });
emptyAside(outDir);
if (warm.status !== 0) throw new Error(`bench/warm-build.mjs exited ${warm.status}: ${warm.stderr.slice(-2000)}`);
const { warmMs } = JSON.parse(warm.stdout.trim().split("\n").pop()!) as { warmMs: number };

const figures: IncrementalFigures = { rules, bytes, runs: RUNS, floorMs, coldMs, unchangedMs, checkMs, oneChangedMs, warmMs };
console.log(JSON.stringify(figures));
