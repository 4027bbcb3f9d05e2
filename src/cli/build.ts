import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type { Command } from "commander";
import { fileDiagnostic, formatDiagnostic, type Diagnostic } from "../diagnostics.js";
import { evaluate } from "../eval/evaluate.js";
import { Locator } from "../rules/locate.js";
import { TARGET_NAMES, targetByName } from "../targets/index.js";
import type { Rule } from "../rules/types.js";
import type { OutputFile, Target, TargetOptions } from "../targets/types.js";
import { loadConfig } from "./config.js";
import { readOrUndefined, removeLeftovers, writeAtomicAsync } from "./fs.js";
import { loadLibrary } from "./library.js";
import type { Output } from "./output.js";

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

export interface BuildPlan {
  readonly files: OutputFile[];
  readonly diagnostics: Diagnostic[];
  readonly sources: Map<string, string>;
  readonly ruleCount: number;
  /** Output path -> its source rule file. */
  readonly origin: Map<string, string>;
  readonly failedRules: string[];
  /** `target: rule file` pairs the target cannot express (RC401): reported, not fatal unless --strict. */
  readonly inexpressible: string[];
}

/** Pure except for reading the rules: compile everything, in a stable order. */
export function planBuild(
  paths: readonly string[],
  targets: readonly Target[],
  options: (t: string) => TargetOptions = () => ({}),
  onProgress?: (done: number, total: number) => void,
): BuildPlan {
  const lib = loadLibrary(paths);
  const diagnostics = [...lib.diagnostics];
  const files: OutputFile[] = [];
  const origin = new Map<string, string>();
  const failed = new Set(lib.failed);
  const names = new Map<string, string>();
  const inexpressible: string[] = [];
  let done = 0;
  for (const rule of lib.rules) {
    if (onProgress && ++done % 100 === 0) onProgress(done, lib.rules.length);
    const prior = names.get(rule.name);
    if (prior !== undefined) {
      diagnostics.push(fileDiagnostic("RC306", `two rules are named '${rule.name}' (the file name names the outputs): also ${prior}`, rule.file, undefined));
      failed.add(rule.file);
      continue;
    }
    names.set(rule.name, rule.file);
    const failures = testFailures(rule, lib.sources.get(rule.file));
    if (failures.length > 0) {
      diagnostics.push(...failures);
      failed.add(rule.file);
      continue;
    }
    for (const target of targets) {
      const result = target.compile(rule, options(target.name));
      diagnostics.push(...result.diagnostics);
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      if (errors.some((d) => d.code !== "RC401")) failed.add(rule.file);
      else if (errors.length > 0) inexpressible.push(`${target.name}: ${rule.file}`);
      for (const f of result.files) {
        files.push(f);
        origin.set(f.path, rule.file);
      }
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, diagnostics, sources: lib.sources, ruleCount: lib.files.length, origin, failedRules: [...failed].sort(), inexpressible };
}

/** A rule whose own Tests fail is not compiled: its old outputs stay, and the build fails. */
function testFailures(rule: Rule, text: string | undefined): Diagnostic[] {
  const locator = text === undefined ? undefined : new Locator(text);
  return rule.tests.flatMap((t, i) => {
    const actual = evaluate(rule.condition, t.log);
    if (actual === t.expectedResult) return [];
    const span = locator?.valueSpan(["Tests", i, "Name"]);
    return [fileDiagnostic("RC313", `test '${t.name}' failed: expected ${t.expectedResult}, got ${actual}`, rule.file, span)];
  });
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
    .addHelpText("after", "\nExamples:\n  rulec build rules\n  rulec build rules --target athena --out out\n  rulec build --check            # CI: fail when out/ is stale")
    .action(async (paths: string[], opts: { target?: string; out?: string; check?: boolean; strict?: boolean }) => {
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
      const targetOptions = (name: string): TargetOptions => ({ ...((config as Record<string, unknown>)[name] as TargetOptions | undefined), ...deps.targetOptions?.(name) });
      // A progress line on a terminal, for large libraries only.
      const progress = io.interactive ? (done: number, total: number) => total >= 500 && io.err(`\rcompiling ${done}/${total} rules`) : undefined;
      const plan = planBuild(paths, targets, targetOptions, progress);
      if (progress && plan.ruleCount >= 500) io.err("\r\x1b[K");
      for (const d of plan.diagnostics) io.err(formatDiagnostic(d, { sources: plan.sources, color: deps.color().enabled }) + "\n");

      const out = resolve(outDir);
      if (!opts.check) removeLeftovers(out);
      const manifest = readManifest(out);
      const rel = (p: string) => relative(out, resolve(p)).split(sep).join("/");
      const nextManifest: Record<string, string> = {};
      // Keep entries of other targets and of rules that still exist (a rule with errors keeps its old outputs).
      for (const [path, source] of Object.entries(manifest.files)) {
        if (existsSync(resolve(out, source))) nextManifest[path] = source;
      }
      const stale = Object.keys(manifest.files).filter((p) => !(p in nextManifest) && existsSync(join(out, p)));
      for (const f of plan.files) nextManifest[f.path] = rel(plan.origin.get(f.path)!);

      let written = 0;
      let unchanged = 0;
      const outOfDate: string[] = [];
      for (const f of plan.files) {
        const target = join(out, f.path);
        if (readOrUndefined(target) === f.content) {
          unchanged++;
          continue;
        }
        if (opts.check) {
          outOfDate.push(f.path);
          continue;
        }
        try {
          await writeAtomicAsync(target, f.content);
          written++;
        } catch (e) {
          io.err(`rulec: error RC312: cannot write ${join(outDir, f.path)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
          setStatus(1);
        }
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
