import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Rule } from "../dist/rules/types.js";
import { targetByName } from "../dist/targets/index.js";

/** The generated Panther Python of the rules, run on the events under python3 (the stand-in event). */
export async function benchPython(rules: readonly Rule[], eventsFile: string, events: number) {
  const panther = targetByName("panther");
  if (!panther) return undefined;
  const dir = join(process.env.BENCH_DIR ?? "/tmp/rulec-bench", "panther-py");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const rule of rules) {
    for (const f of panther.compile(rule).files) if (f.path.endsWith(".py")) writeFileSync(join(dir, f.path.split("/").pop()!), f.content);
  }
  const limit = events;
  const script = fileURLToPath(new URL("./python_bench.py", import.meta.url));
  const r = spawnSync("python3", [script, dir, eventsFile, String(limit)], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`python bench failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { events: number; rules: number; seconds: number; matches: number };
  return { ...out, evaluationsPerSecond: (out.events * out.rules) / out.seconds };
}
