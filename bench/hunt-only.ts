/**
 * Hunt alone: `npx tsx bench/hunt-only.ts [runs]` runs benchHunt (bench/hunt.ts, the same figure as
 * `npm run bench`'s hunt line) on the bench's 1M CloudTrail events and the 30 first shipped rules,
 * and prints load, query and total milliseconds and the match count (660678 at 1M events, the
 * evaluator's). It imports dist/: run `npm run build` after editing src/. The events must exist
 * (`npm run bench` generates them once into BENCH_DIR, default /tmp/rulec-bench);
 * BENCH_EVENTS=100000 runs on the first file only. Check `cat /proc/loadavg` first: the figures
 * mean nothing on a busy machine.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadLibrary } from "../dist/cli/library.js";
import { benchHunt } from "./hunt.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const WORK = process.env.BENCH_DIR ?? "/tmp/rulec-bench";
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const PER_FILE = 100_000;
const FULL = 1_000_000;
const runs = Number(process.argv[2] ?? 1);

// The bench's files hold 100k records each; a smaller run reads the first of them.
const files: string[] = [];
for (let i = 0; i * PER_FILE < EVENTS; i++) files.push(join(WORK, `events-${FULL}-${i}.ndjson`));
for (const f of files) if (!existsSync(f)) throw new Error(`${f} is missing: run npm run bench once (it generates the events)`);
const rules = loadLibrary([join(ROOT, "rules")]).rules.filter((r) => r.logTypes[0] === "AWS.CloudTrail").slice(0, 30);

for (let i = 0; i < runs; i++) {
  const r = await benchHunt(rules, files, EVENTS);
  console.log(
    JSON.stringify({
      events: r.events,
      rules: r.rules,
      matches: r.matches,
      ruleErrors: r.ruleErrors,
      loadMs: Math.round(r.loadMs),
      queryMs: Math.round(r.queryMs),
      totalMs: Math.round(r.totalMs),
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    }),
  );
}
