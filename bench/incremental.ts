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
 *   cold build would cost if V8 had nothing left to learn;
 * - the floor, the cold build and the warm one again on a library of real-world rules of the same
 *   size: the panther-analysis subset vendored in the tests, imported by `rulec import panther`
 *   (89 rules over 50-odd log types, copied the same way).
 *
 * `tsx bench/incremental.ts [dir]` prints JSON (bench/run.ts runs it in its own process).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { emptyAside, setAside } from "./aside.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BIN = join(ROOT, "bin/rulec.js");
const FLOOR = join(ROOT, "bench/yaml-floor.mjs");
const VENDOR = join(ROOT, "test/fixtures/vendor/panther-analysis-python");
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
  /** The same library size of imported real-world rules: floor, cold and warm build. */
  readonly imported: { readonly rules: number; readonly bytes: number; readonly floorMs: number; readonly coldMs: number; readonly warmMs: number };
}

/**
 * A library of TARGET rules: the rule files of `source` copied with a suffix on each file name and
 * RuleID, into `<lib>/rules` (kept for later runs while `source` holds the same names and texts).
 */
function makeLibrary(source: string, lib: string): { rules: number; bytes: number } {
  const from = readdirSync(source)
    .filter((f) => f.endsWith(".yml") && f !== "rulec.config.yml")
    .sort();
  const to = join(lib, "rules");
  const copies = Math.ceil(TARGET / from.length);
  const marker = join(to, ".complete");
  const hash = createHash("sha256");
  for (const f of from) hash.update(f).update("\0").update(readFileSync(join(source, f))).update("\0");
  const version = `${TARGET}:${from.length}:${hash.digest("hex")}`;
  if (!existsSync(marker) || readFileSync(marker, "utf8") !== version) {
    rmSync(lib, { recursive: true, force: true });
    mkdirSync(to, { recursive: true });
    let n = 0;
    for (let k = 0; k < copies && n < TARGET; k++) {
      for (const f of from) {
        if (n === TARGET) break;
        const text = readFileSync(join(source, f), "utf8");
        const suffix = String(k).padStart(3, "0");
        const renamed = text.replace(/^RuleID:\s*(["']?)(.+?)\1\s*$/m, (_, q: string, id: string) => `RuleID: ${q}${id}.${suffix}${q}`);
        if (renamed === text) throw new Error(`${join(source, f)}: no RuleID line to rename`);
        writeFileSync(join(to, f.replace(/\.yml$/, `_${suffix}.yml`)), renamed);
        n++;
      }
    }
    writeFileSync(marker, version);
  }
  const files = readdirSync(to).filter((f) => f.endsWith(".yml"));
  return { rules: files.length, bytes: files.reduce((s, f) => s + readFileSync(join(to, f)).length, 0) };
}

/**
 * Real-world rules: the panther-analysis subset vendored in the tests, imported by this `rulec
 * import panther` at each run (half a minute), so that the library follows the importer.
 */
function importedSource(): string {
  const source = `${dir}-imported-source`;
  rmSync(source, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [BIN, "import", "panther", VENDOR, "--out", join(source, "rules")], { encoding: "utf8", maxBuffer: 1 << 26 });
  // Exit 1: some rules were not imported (the language cannot say them), as expected of this subset.
  const written = existsSync(join(source, "rules")) ? readdirSync(join(source, "rules")).filter((f) => f.endsWith(".yml")).length : 0;
  if ((r.status !== 0 && r.status !== 1) || written < 50) throw new Error(`rulec import panther exited ${r.status} with ${written} rules: ${r.stderr.slice(-2000)}`);
  return join(source, "rules");
}

function run(cmd: string, args: readonly string[], cwd = dir): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 1 << 26 });
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

const node = process.execPath;
const build = ["build", "rules", "--target", "panther,athena,sigma", "--out", "out"];

/**
 * The floor and the cold build of the library in `lib`. One untimed run of each warms the file
 * cache. Each cold build gets a new out/: the last one is set aside, not deleted (see aside.ts).
 */
function cold(lib: string): { floorMs: number; coldMs: number } {
  const rules = join(lib, "rules");
  const out = join(lib, "out");
  run(node, [FLOOR, rules], lib);
  setAside(out);
  run(node, [BIN, ...build], lib);
  const floorMs = times(RUNS, () => {}, () => run(node, [FLOOR, rules], lib));
  const coldMs = times(RUNS, () => setAside(out), () => run(node, [BIN, ...build], lib));
  return { floorMs, coldMs };
}

/** The cold build in a warm process; its output directories go to .aside beside out/, emptied after. */
function warmBuild(lib: string): number {
  const warm = spawnSync(node, [WARM, lib, String(RUNS)], { encoding: "utf8", maxBuffer: 1 << 24 });
  emptyAside(join(lib, "out"));
  if (warm.status !== 0) throw new Error(`bench/warm-build.mjs exited ${warm.status}: ${warm.stderr.slice(-2000)}`);
  return (JSON.parse(warm.stdout.trim().split("\n").pop()!) as { warmMs: number }).warmMs;
}

const { rules, bytes } = makeLibrary(join(ROOT, "rules"), dir);
const { floorMs, coldMs } = cold(dir);
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
const warmMs = warmBuild(dir);

// The same on real-world rules: the vendored panther-analysis subset as `rulec import panther` writes it.
const importedDir = `${dir}-imported`;
const library = makeLibrary(importedSource(), importedDir);
const importedCold = cold(importedDir);
emptyAside(join(importedDir, "out"));
const imported = { ...library, ...importedCold, warmMs: warmBuild(importedDir) };

const figures: IncrementalFigures = { rules, bytes, runs: RUNS, floorMs, coldMs, unchangedMs, checkMs, oneChangedMs, warmMs, imported };
console.log(JSON.stringify(figures));
