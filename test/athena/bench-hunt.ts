/**
 * Hunt throughput: `npx tsx test/athena/bench-hunt.ts [events] [files]` generates CloudTrail files
 * (the shipped rules' test events, varied: new eventIDs, a third renamed so they match nothing),
 * `{"Records": [...]}` gzipped, 100,000 records per file, then runs every shipped rule over them
 * with hunt() and prints events/s. Not a vitest file (it takes a minute at 1M events).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { hunt } from "../../src/hunt/hunt.js";
import { loadRuleFiles } from "../../src/rules/load.js";

const total = Number(process.argv[2] ?? 100_000);
const perFile = 100_000;
const { rules } = loadRuleFiles(["rules"]);
const base = rules.flatMap((r) => r.tests.map((t) => t.log as Record<string, unknown>));
const dir = mkdtempSync(join(tmpdir(), "rulec-bench-hunt-"));
const inputs: { name: string; bytes: Uint8Array }[] = [];
for (let start = 0; start < total; start += perFile) {
  const records: unknown[] = [];
  for (let i = start; i < Math.min(total, start + perFile); i++) {
    const e = structuredClone(base[i % base.length]!);
    e.eventID = `ev-${i}`;
    if (i % 3 === 0) e.eventName = `Describe${i % 97}`;
    records.push(e);
  }
  const name = join(dir, `part-${inputs.length}.json.gz`);
  const bytes = gzipSync(JSON.stringify({ Records: records }));
  writeFileSync(name, bytes);
  inputs.push({ name, bytes });
}
const t = performance.now();
const r = await hunt(rules, inputs);
const seconds = (performance.now() - t) / 1000;
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    events: r.events,
    files: inputs.length,
    rules: r.rules,
    matches: r.matches.length,
    loadSeconds: +(r.loadMs / 1000).toFixed(1),
    querySeconds: +(r.queryMs / 1000).toFixed(1),
    seconds: +seconds.toFixed(1),
    eventsPerSecond: Math.round(r.events / seconds),
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
  }),
);
