import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { formatDiagnostic, type Diagnostic } from "../diagnostics.js";
import { TARGET_NAMES, targetByName } from "../targets/index.js";
import type { Target, TargetOptions } from "../targets/types.js";
import { Planner, type TargetOptionsByName } from "./compile.js";
import { loadConfig } from "./config.js";
import { FileSync, readOrUndefined, removeLeftovers, writeAtomicAsync } from "./fs.js";
import { expandPaths } from "./library.js";
import type { Output } from "./output.js";
import { compileFiles, defaultJobs, PARALLEL_MIN_FILES } from "./pool.js";

/** `rulec build`: compile every rule to every selected target and write out/ atomically. */

export const MANIFEST = ".rulec-manifest.json";

interface Manifest {
  /** Output path (relative to out/) -> source rule file (relative to out/). */
  readonly files: Record<string, string>;
}

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
}

/** Output files waiting to be written before the main thread compiles more. */
const MAX_BACKLOG = 4096;

/**
 * Compile every rule file (on every core of a large library) and bring the output directory up to
 * date as the files' results come in, in file order.
 */
export async function runBuild(paths: readonly string[], targets: readonly Target[], options: BuildOptions = {}): Promise<{ planner: Planner; sync?: FileSync }> {
  const { files, diagnostics } = expandPaths(paths);
  const names = targets.map((t) => t.name);
  const planner = new Planner(names, diagnostics, options.report);
  const sync = options.out === undefined ? undefined : new FileSync(options.out, { check: options.check === true });
  await compileFiles(files, names, options.options ?? {}, options.jobs ?? defaultJobs(files.length), {
    onResult: (r) => {
      for (const f of planner.add(r)) sync?.push(f);
    },
    onProgress: options.onProgress,
    beforeChunk: sync ? () => sync.drain(MAX_BACKLOG) : undefined,
  });
  await sync?.drain();
  return { planner, sync };
}

function parseJobs(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError("expected a whole number from 1 to 256");
  return n;
}

function readManifest(out: string): Manifest {
  try {
    const m = JSON.parse(readFileSync(join(out, MANIFEST), "utf8")) as Manifest;
    return typeof m.files === "object" && m.files !== null ? m : { files: {} };
  } catch {
    return { files: {} };
  }
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
    .addHelpText("after", "\nExamples:\n  rulec build rules\n  rulec build rules --target athena --out out\n  rulec build --check            # CI: fail when out/ is stale")
    .action(async (paths: string[], opts: { target?: string; out?: string; check?: boolean; strict?: boolean; jobs?: number }) => {
      const { io, setStatus } = deps;
      const loaded = loadConfig(paths, deps.configFile?.());
      if (loaded.diagnostics.length > 0) {
        const sources = new Map(loaded.file && loaded.text !== undefined ? [[loaded.file, loaded.text]] : []);
        for (const d of loaded.diagnostics) io.err(formatDiagnostic(d, { sources, color: deps.color().enabled }) + "\n");
        setStatus(2);
        return;
      }
      const config = loaded.config;
      const outDir = opts.out ?? config.out ?? "out";
      const wanted = (opts.target?.split(",") ?? config.targets ?? TARGET_NAMES).map((s) => s.trim()).filter(Boolean);
      const targets: Target[] = [];
      for (const name of wanted) {
        const t = targetByName(name);
        if (!t) {
          io.err(`rulec: unknown target '${name}' (known: ${TARGET_NAMES.join(", ")})\n`);
          setStatus(2);
          return;
        }
        targets.push(t);
      }
      const targetOptions: Record<string, TargetOptions> = {};
      for (const t of targets) targetOptions[t.name] = { ...((config as Record<string, unknown>)[t.name] as TargetOptions | undefined), ...deps.targetOptions?.(t.name) };
      // A progress line on a terminal, for large libraries only.
      let progressShown = false;
      const progress = io.interactive
        ? (done: number, total: number) => {
            if (total < 500) return;
            io.err(`\rcompiling ${done}/${total} rules`);
            progressShown = true;
          }
        : undefined;
      // Each file's messages as soon as it is decided, in file order, above the progress line.
      const report = (diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): void => {
        if (progressShown) io.err("\r\x1b[K");
        progressShown = false;
        for (const d of diagnostics) io.err(formatDiagnostic(d, { sources, color: deps.color().enabled }) + "\n");
      };
      const out = resolve(outDir);
      if (!opts.check) removeLeftovers(out);
      const { planner: plan, sync } = await runBuild(paths, targets, { options: targetOptions, jobs: opts.jobs, onProgress: progress, report, out, check: opts.check });
      if (progressShown) io.err("\r\x1b[K");

      const manifest = readManifest(out);
      const rel = (p: string) => relative(out, resolve(p)).split(sep).join("/");
      const nextManifest: Record<string, string> = {};
      // Keep entries of other targets and of rules that still exist (a rule with errors keeps its old outputs).
      const exists = new Map<string, boolean>();
      for (const [path, source] of Object.entries(manifest.files)) {
        let e = exists.get(source);
        if (e === undefined) exists.set(source, (e = existsSync(resolve(out, source))));
        if (e) nextManifest[path] = source;
      }
      const stale = Object.keys(manifest.files).filter((p) => !(p in nextManifest) && existsSync(join(out, p)));
      for (const [path, file] of plan.origin) nextManifest[path] = rel(file);

      const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      const written = sync!.written.length;
      const unchanged = sync!.unchanged.length;
      const outOfDate = [...sync!.different].sort(byPath);
      for (const f of [...sync!.failed].sort((a, b) => byPath(a.path, b.path))) {
        io.err(`rulec: error RC312: cannot write ${join(outDir, f.path)}: ${f.code}\n`);
        setStatus(1);
      }
      const sortedManifest = Object.fromEntries(Object.entries(nextManifest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      const manifestText = JSON.stringify({ files: sortedManifest }, null, 2) + "\n";
      if (opts.check) {
        for (const p of outOfDate) io.out(`out of date: ${join(outDir, p)}\n`);
        for (const p of stale) io.out(`stale: ${join(outDir, p)} (its rule no longer exists)\n`);
        io.err(`${plan.ruleCount} rules, ${outOfDate.length} out of date, ${unchanged} up to date, ${stale.length} stale, ${plan.failedRules.length} with errors\n`);
        setStatus(outOfDate.length > 0 || stale.length > 0 || plan.failedRules.length > 0 || (opts.strict && plan.inexpressible.length > 0) ? 1 : 0);
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
      if (readOrUndefined(join(out, MANIFEST)) !== manifestText) {
        try {
          await writeAtomicAsync(join(out, MANIFEST), manifestText);
        } catch (e) {
          io.err(`rulec: error RC312: cannot write ${join(outDir, MANIFEST)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
          setStatus(1);
        }
      }
      const errors = plan.failedRules.length;
      const notExpressible = plan.inexpressible.length;
      io.err(
        `${plan.ruleCount} rules, ${written} files written, ${unchanged} unchanged, ${removed} removed, ${errors} rules with errors${errors > 0 ? `: ${plan.failedRules.join(", ")}` : ""}` +
          `${notExpressible > 0 ? `, ${notExpressible} not expressible in a target (RC401 above${opts.strict ? "" : "; --strict fails on them"})` : ""}\n`,
      );
      setStatus(errors > 0 || plan.ruleCount === 0 || (opts.strict && notExpressible > 0) ? 1 : 0);
    });
}
