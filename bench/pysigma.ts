import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileFile } from "../dist/cli/compile.js";
import { resolveTargets } from "../dist/cli/compile.js";

/**
 * rulec and pySigma side by side on the same rules: the library's rules that rulec can express in
 * Sigma, compiled by rulec to its three targets (in process, one thread, no writing) and their Sigma
 * files converted by pySigma's Athena backend (in process, imports excluded): milliseconds per rule
 * per target for each.
 *
 * pySigma is a Python package, not on the npm registry: it is looked for in PYSIGMA_PATH (a
 * PYTHONPATH), else in ~/.cache/rulec-bench/pysigma/{pySigma,pySigma-backend-athena}, checkouts of
 * https://github.com/SigmaHQ/pySigma and https://github.com/SigmaHQ/pySigma-backend-athena (pure
 * Python; their dependencies pyparsing, PyYAML, Jinja2, packaging, requests and typing_extensions
 * must be importable). When it is absent the comparison is skipped with a message saying so.
 */

export interface PySigmaFigures {
  readonly rules: number;
  readonly rulecMsPerRulePerTarget: number;
  readonly pysigmaMsPerRule: number;
  readonly pysigmaConverted: number;
  readonly ratio: number;
  readonly pysigma: string;
}

export function pysigmaPath(): string {
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "rulec-bench", "pysigma");
  return process.env.PYSIGMA_PATH ?? [join(cache, "pySigma"), join(cache, "pySigma-backend-athena")].join(":");
}

/** `undefined` and the reason when pySigma cannot be imported. */
export function benchPySigma(rulesDir: string, sigmaDir: string, work: string): { figures?: PySigmaFigures; skipped?: string } {
  const pythonPath = pysigmaPath();
  const probe = spawnSync("python3", ["-c", "import sigma.backends.athena, sigma.collection"], {
    encoding: "utf8",
    env: { ...process.env, PYTHONPATH: pythonPath },
  });
  if (probe.status !== 0) {
    return { skipped: `pySigma with its Athena backend is not importable from ${pythonPath} (set PYSIGMA_PATH, or clone SigmaHQ/pySigma and SigmaHQ/pySigma-backend-athena there): ${probe.stderr.trim().split("\n").pop()}` };
  }
  const sigmaFiles = readdirSync(sigmaDir).filter((f) => f.endsWith(".yml")).sort();
  const ruleFiles = sigmaFiles.map((f) => join(rulesDir, f)).filter((f) => existsSync(f));
  // rulec: the same rules, all three targets, one thread, in process.
  const targets = resolveTargets(["panther", "athena", "sigma"]);
  for (const f of ruleFiles.slice(0, 200)) compileFile(f, targets, {});
  const t0 = performance.now();
  for (const f of ruleFiles) compileFile(f, targets, {});
  const rulecMs = performance.now() - t0;
  // pySigma: their Sigma files, to Athena.
  const list = join(work, "pysigma-rules.txt");
  writeFileSync(list, sigmaFiles.map((f) => join(sigmaDir, f)).join("\n") + "\n");
  const script = fileURLToPath(new URL("./pysigma_bench.py", import.meta.url));
  const r = spawnSync("python3", [script, list], { encoding: "utf8", maxBuffer: 1 << 24, env: { ...process.env, PYTHONPATH: pythonPath } });
  if (r.status !== 0) return { skipped: `pySigma failed: ${r.stderr.trim().split("\n").slice(-3).join(" ")}` };
  const py = JSON.parse(r.stdout) as { rules: number; converted: number; seconds: number };
  const rulecPer = rulecMs / ruleFiles.length / targets.length;
  const pyPer = (py.seconds * 1000) / py.rules;
  return { figures: { rules: ruleFiles.length, rulecMsPerRulePerTarget: rulecPer, pysigmaMsPerRule: pyPer, pysigmaConverted: py.converted, ratio: pyPer / rulecPer, pysigma: pythonPath } };
}
