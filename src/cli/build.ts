import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { formatDiagnostic, type Diagnostic } from "../diagnostics.js";
import { isTargetName, TARGET_NAMES } from "../targets/names.js";
import type { TargetName, TargetOptions } from "../targets/types.js";
import { BuildCache, targetKey } from "./cache.js";
import { Planner, type FileResult, type TargetOptionsByName } from "./plan.js";
import { loadConfig } from "./config.js";
import { FileSync, readOrUndefined, removeLeftovers, writeAtomicAsync } from "./fs.js";
import { acquireLock, Journal, MANIFEST, manifestSource, manifestText, readManifest } from "./manifest.js";
import { expandPaths } from "./paths.js";
import { batchedErrors, type Output } from "./output.js";
import { compileFiles, defaultJobs, PARALLEL_MIN_FILES } from "./pool.js";

/** `rulec build`: compile every rule to every selected target and write out/ atomically. */

export interface BuildDeps {
  readonly io: Output;
  readonly setStatus: (s: number) => void;
  readonly color: () => { enabled: boolean };
  /** Target options from flags; they override the config file's. */
  readonly targetOptions?: (target: string) => TargetOptions;
  /** The --config file, when given. */
  readonly configFile?: () => string | undefined;
}

export interface BuildOptions {
  /** Target options by target name. */
  readonly options?: TargetOptionsByName;
  /** Threads that compile (the main thread counts); default: defaultJobs. */
  readonly jobs?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** Takes each file's diagnostics as soon as it is decided (else they are kept in the planner). */
  readonly report?: (diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>) => void;
  /** The output directory to bring up to date; none: compile only. */
  readonly out?: string;
  /** Compare with the output directory, write nothing. */
  readonly check?: boolean;
  /** Records each output before it is first written (the output directory's journal). */
  readonly journal?: Journal;
  /** The build cache: rules it vouches for are not compiled; the others are recorded in it. */
  readonly cache?: BuildCache;
}

/** Output files waiting to be written before the main thread compiles more. */
const MAX_BACKLOG = 4096;

/**
 * Compile every rule file (on every core of a large library) and bring the output directory up to
 * date as the files' results come in, in file order.
 */
export async function runBuild(paths: readonly string[], names: readonly TargetName[], options: BuildOptions = {}): Promise<{ planner: Planner; sync?: FileSync; files: readonly string[]; pathErrors: number }> {
  const { files, diagnostics } = expandPaths(paths);
  const pathErrors = diagnostics.length;
  const planner = new Planner(names, diagnostics, options.report);
  const out = options.out;
  const journal = options.journal;
  // Each output is recorded in the journal (taken as pushed, on disk before any write).
  const journaled =
    out === undefined || journal === undefined
      ? {}
      : {
          beforeWrite: (fs: readonly { readonly path: string }[]) => journal.record(fs.map((f) => ({ path: f.path, source: manifestSource(out, planner.origin.get(f.path)!) }))),
          flush: () => journal.flush(),
        };
  const sync = out === undefined ? undefined : new FileSync(out, { check: options.check === true, ...journaled });
  const cache = options.cache;
  const add = (r: FileResult) => {
    cache?.record(r, names);
    sync?.pushAll(planner.add(r));
  };
  // What the cache vouches for is not compiled; the rest is, and the results go to the planner in
  // file order either way: those before the first file to compile at once (all of them when
  // nothing changed), the others kept until the files before them are compiled.
  const cached: (FileResult | undefined)[] = [];
  const missIndex: number[] = [];
  let next = 0;
  for (let i = 0; i < files.length; i++) {
    const c = cache?.lookup(files[i]!, names);
    if (c === undefined) missIndex.push(i);
    else if (missIndex.length === 0) {
      add(c);
      next = i + 1;
    } else cached[i] = c;
  }
  const misses = missIndex.map((i) => files[i]!);
  const upTo = (end: number) => {
    for (; next < end; next++) {
      const c = cached[next];
      if (c !== undefined) add(c);
    }
  };
  let missesDone = 0;
  await compileFiles(misses, names, options.options ?? {}, options.jobs ?? defaultJobs(misses.length), {
    onResult: (r) => {
      const at = missIndex[missesDone++]!;
      upTo(at);
      add(r);
      next = at + 1;
    },
    onProgress: options.onProgress && ((done, total) => options.onProgress!(done + (files.length - total), files.length)),
    beforeChunk: sync ? () => sync.drain(MAX_BACKLOG) : undefined,
  });
  upTo(files.length);
  await sync?.drain();
  return { planner, sync, files, pathErrors };
}

function parseJobs(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError("expected a whole number from 1 to 256");
  return n;
}

export function registerBuild(program: Command, deps: BuildDeps): void {
  program
    .command("build")
    .description("compile rules to every target (or --target) into the output directory")
    .argument("[paths...]", "rule files or directories", ["rules"])
    .option("-t, --target <targets>", `comma-separated targets (${TARGET_NAMES.join(",")}); default: all, or the config's targets`)
    .option("-o, --out <dir>", "output directory (default: the config's out, else out)")
    .option("--check", "write nothing; list what is out of date and exit 1 if anything is")
    .option("--strict", "also exit 1 when a target cannot express a rule (RC401)")
    .option("-j, --jobs <n>", `threads that compile (default: every core for ${PARALLEL_MIN_FILES}+ rules, else 1)`, parseJobs)
    .addOption(new Option("--athena-engine <engine>", "athena: also write each rule's statement for Athena's DuckDB engine (athena/<name>.duckdb.sql) with duckdb; default: the config's athena.engine, else trino").choices(["trino", "duckdb"]))
    .addHelpText("after", "\nExamples:\n  rulec build rules\n  rulec build rules --target athena --out out\n  rulec build --check            # CI: fail when out/ is stale")
    .action(async (paths: string[], opts: { target?: string; out?: string; check?: boolean; strict?: boolean; jobs?: number; athenaEngine?: string }) => {
      const io = batchedErrors(deps.io);
      const { setStatus } = deps;
      const usage = (message: string) => {
        io.err(`rulec: ${message}\n`);
        setStatus(2);
      };
      const loaded = await loadConfig(paths, deps.configFile?.());
      if (loaded.diagnostics.length > 0) {
        const sources = new Map(loaded.file && loaded.text !== undefined ? [[loaded.file, loaded.text]] : []);
        for (const d of loaded.diagnostics) io.err(formatDiagnostic(d, { sources, color: deps.color().enabled }) + "\n");
        setStatus(2);
        return;
      }
      const config = loaded.config;
      const outDir = opts.out ?? config.out ?? "out";
      if (outDir.trim() === "") return usage("the output directory (--out, or out in the configuration) must not be empty");
      const wanted = opts.target === undefined ? (config.targets ?? TARGET_NAMES) : opts.target.split(",").map((t) => t.trim());
      const targets: TargetName[] = [];
      for (const name of wanted) {
        if (!isTargetName(name)) return usage(`unknown target '${name}' (known: ${TARGET_NAMES.join(", ")})`);
        if (!targets.includes(name)) targets.push(name);
      }
      if (targets.length === 0) return usage(`no target given (known: ${TARGET_NAMES.join(", ")})`);
      const out = resolve(outDir);
      const outProblem = outputDirectoryProblem(out, paths, targets);
      if (outProblem) return usage(`cannot build into ${outDir}: ${outProblem}`);
      const targetOptions: Record<string, TargetOptions> = {};
      for (const t of targets) targetOptions[t] = { ...((config as Record<string, unknown>)[t] as TargetOptions | undefined), ...deps.targetOptions?.(t) };
      if (opts.athenaEngine !== undefined) {
        if (!targetOptions.athena) return usage("--athena-engine applies to the athena target, which this build does not write");
        targetOptions.athena = { ...targetOptions.athena, engine: opts.athenaEngine };
      }
      // A progress line on a terminal, for large libraries only.
      let progressShown = false;
      const progress = io.interactive
        ? (done: number, total: number) => {
            if (total < 500) return;
            io.err(`\rcompiling ${done}/${total} rules`);
            progressShown = true;
          }
        : undefined;
      // Each file's messages as soon as it is decided, in file order, above the progress line. What a
      // target cannot express (RC401) is a warning unless --strict: the rule is fine, that one output
      // is not written.
      const colored = deps.color().enabled;
      const report = (diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): void => {
        if (progressShown) io.err("\r\x1b[K");
        progressShown = false;
        for (const d of diagnostics) {
          const shown = d.code === "RC401" && d.severity === "error" && !opts.strict ? { ...d, severity: "warning" as const } : d;
          io.err(formatDiagnostic(shown, { sources, color: colored }) + "\n");
        }
      };

      if (!opts.check) {
        try {
          mkdirSync(out, { recursive: true });
        } catch (e) {
          io.err(`rulec: error RC312: cannot create ${outDir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
          setStatus(1);
          return;
        }
      }
      const lock = existsSync(out) ? await acquireLock(out, (pid) => io.err(`rulec: waiting for another rulec (pid ${pid}) to finish with ${outDir}\n`)) : undefined;
      try {
        const manifest = readManifest(out);
        // Temporary files are left only by a build that was interrupted, which leaves its journal
        // (or, beside the lock, by a rulec killed while it waited for it).
        if (!opts.check) removeLeftovers(out, { deep: manifest.interrupted });
        for (const p of manifest.refused) io.err(`rulec: warning: ${join(outDir, MANIFEST)} names '${p}', which is not an output file of ${outDir}: ignored, left untouched\n`);
        const journal = opts.check ? undefined : new Journal(out, manifest.files);
        journal?.begin();
        const cache = new BuildCache(out, Object.fromEntries(targets.map((t) => [t, targetKey(t, targetOptions[t] ?? {})])), !opts.check);
        const { planner: plan, sync, files, pathErrors } = await runBuild(paths, targets, {
          options: targetOptions,
          jobs: opts.jobs,
          onProgress: progress,
          report,
          out,
          check: opts.check,
          cache,
          ...(journal ? { journal } : {}),
        });
        if (progressShown) io.err("\r\x1b[K");

        // What the manifest keeps: this build's outputs, and earlier entries whose rule still exists and
        // that this build did not decide (another target, a rule outside these paths, or a rule with
        // errors, which keeps its old outputs). The rest that is still on disk is stale.
        const selected = new Set<string>(targets);
        const built = new Set(files.map((f) => manifestSource(out, f)));
        const failed = new Set(plan.failedRules.map((f) => manifestSource(out, f)));
        const next = new Map<string, string>();
        const exists = new Map<string, boolean>();
        for (const [path, source] of manifest.files) {
          // A rule file this build found exists; another is looked for once.
          let e = built.has(source) || exists.get(source);
          if (e === undefined) exists.set(source, (e = existsSync(resolve(out, source))));
          const decided = selected.has(path.slice(0, path.indexOf("/"))) && built.has(source) && !failed.has(source);
          if (e && !decided) next.set(path, source);
        }
        let [lastFile, lastSource] = ["", ""];
        for (const [path, file] of plan.origin) {
          if (file !== lastFile) [lastFile, lastSource] = [file, manifestSource(out, file)];
          next.set(path, lastSource);
        }
        const stale = [...manifest.files.keys()].filter((p) => !next.has(p) && existsSync(join(out, p)));
        // The manifest's text only when its entries changed (a large library's costs 70 ms to write out).
        const same = !manifest.interrupted && manifest.refused.length === 0 && sameEntries(manifest.files, next);
        const text = () => manifestText(next);

        const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
        const written = sync!.written.length;
        const unchanged = sync!.unchanged.length + plan.kept.length;
        const outOfDate = [...sync!.different].sort(byPath);
        for (const f of [...sync!.failed].sort((a, b) => byPath(a.path, b.path))) {
          io.err(`rulec: error RC312: cannot write ${join(outDir, f.path)}: ${f.code}\n`);
          setStatus(1);
        }
        const untracked = untrackedOutputs(out, selected, next, manifest.files);
        if (opts.check) {
          for (const p of outOfDate) io.out(`out of date: ${join(outDir, p)}\n`);
          for (const p of stale) io.out(`stale: ${join(outDir, p)} (no rule writes it any more)\n`);
          for (const p of untracked) io.out(`untracked: ${join(outDir, p)} (no rule writes it, and ${MANIFEST} does not name it)\n`);
          const manifestStale = existsSync(out) && !same && readOrUndefined(join(out, MANIFEST)) !== text();
          if (manifestStale) io.out(`out of date: ${join(outDir, MANIFEST)}${manifest.interrupted ? " (an interrupted build left it behind)" : ""}\n`);
          io.err(`${plan.ruleCount} rules, ${outOfDate.length} out of date, ${unchanged} up to date, ${stale.length} stale, ${untracked.length} untracked, ${plan.failedRules.length} with errors\n`);
          const fresh = outOfDate.length === 0 && stale.length === 0 && untracked.length === 0 && !manifestStale;
          setStatus(!fresh || pathErrors > 0 || plan.failedRules.length > 0 || (opts.strict && plan.inexpressible.length > 0) ? 1 : 0);
          return;
        }
        let removed = 0;
        for (const p of stale) {
          try {
            rmSync(join(out, p));
            removed++;
          } catch (e) {
            io.err(`rulec: error RC312: cannot remove ${join(outDir, p)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
            setStatus(1);
          }
        }
        for (const p of untracked) io.err(`rulec: warning: ${join(outDir, p)} is not from this build and ${MANIFEST} does not name it: left as it is\n`);
        try {
          if (!same) {
            const t = text();
            if (readOrUndefined(join(out, MANIFEST)) !== t) await writeAtomicAsync(join(out, MANIFEST), t);
          }
          journal?.remove();
          cache.save();
        } catch (e) {
          io.err(`rulec: error RC312: cannot write ${join(outDir, MANIFEST)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
          setStatus(1);
        }
        const errors = plan.failedRules.length;
        const notExpressible = plan.inexpressible.length;
        io.err(
          `${plan.ruleCount} rules, ${written} files written, ${unchanged} unchanged, ${removed} removed, ${errors} rules with errors${errors > 0 ? `: ${plan.failedRules.join(", ")}` : ""}` +
            `${notExpressible > 0 ? `, ${notExpressible} outputs not written: the target cannot express the rule (RC401 above${opts.strict ? "" : "; --strict fails on them"})` : ""}` +
            `${cache.hits === 0 ? "" : cache.hits === plan.ruleCount ? " (all from the build cache)" : ` (${cache.hits} from the build cache)`}\n`,
        );
        setStatus(errors > 0 || pathErrors > 0 || plan.ruleCount === 0 || (opts.strict && notExpressible > 0) ? 1 : 0);
      } finally {
        lock?.release();
      }
    });
}

/**
 * Why `out` cannot be the output directory: a file, a folder that holds or is inside the rules, or
 * a target folder that is a link (writing through it would write outside the output directory).
 */
function outputDirectoryProblem(out: string, paths: readonly string[], targets: readonly string[]): string | undefined {
  try {
    if (!statSync(out).isDirectory()) return "it is a file, not a directory";
  } catch {
    // Does not exist yet: it will be created.
  }
  for (const t of targets) {
    try {
      if (lstatSync(join(out, t)).isSymbolicLink()) return `${t}/ in it is a symbolic link: rulec writes only into folders of its own`;
    } catch {
      // Not there yet.
    }
  }
  const inside = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
  for (const p of paths) {
    const rules = resolve(p);
    if (inside(out, rules)) return `it is inside the rules (${p}): the outputs would be read as rules`;
    if (inside(rules, out)) return `the rules (${p}) are inside it`;
  }
  return undefined;
}

/** Output-like files (`.py`, `.yml`, `.sql`) in the selected targets' folders that no manifest names. */
function untrackedOutputs(out: string, targets: ReadonlySet<string>, ...manifests: readonly ReadonlyMap<string, string>[]): string[] {
  const found: string[] = [];
  for (const t of [...targets].sort()) {
    let names;
    try {
      // Names only: the type of an entry is looked up for the few that no manifest names.
      names = readdirSync(join(out, t));
    } catch {
      continue;
    }
    for (const name of names) {
      if (!/\.(py|ya?ml|sql)$/.test(name)) continue;
      const path = `${t}/${name}`;
      if (manifests.some((m) => m.has(path))) continue;
      try {
        if (lstatSync(join(out, path)).isFile()) found.push(path);
      } catch {
        // Gone since it was listed.
      }
    }
  }
  return found.sort();
}

function sameEntries(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
