import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { evaluate } from "../../src/eval/evaluate.js";
import { loadRuleFiles } from "../../src/rules/load.js";
import { rulec } from "../helpers/cli.js";

/**
 * `rulec hunt` from the built package, where large hunts parse and shape the logs in worker
 * threads: the same matches, problems and exit status as without workers (--workers 0), in file
 * and record order. Small logs get no workers by default, so the tests ask for them.
 */

const dir = mkdtempSync(join(tmpdir(), "rulec-hunt-workers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lib = loadRuleFiles(["rules"]);
const logs = lib.rules.flatMap((r) => r.tests.map((t) => t.log));
const third = Math.ceil(logs.length / 3);
const files = {
  "a.json.gz": gzipSync(JSON.stringify({ Records: logs.slice(0, third) })),
  "bad.json": "{not json",
  "b.ndjson": logs.slice(third, 2 * third).map((e) => JSON.stringify(e)).join("\n") + "\n{oops\n42\n",
  "bin.json": Buffer.from([0xff, 0xfe, 0x00]),
  "c.json": JSON.stringify(logs.slice(2 * third)),
};
const paths = Object.entries(files).map(([name, data]) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
});

describe("rulec hunt with worker threads", () => {
  const run = (workers: string) => rulec(["hunt", "rules", "--logs", ...paths, "--format", "ndjson", "--workers", workers]);
  const without = run("0");

  it("reports the same problems and matches as without workers, in file and record order", () => {
    expect(without.stderr).toContain("bad.json:1: error RC501: malformed log file: not JSON");
    expect(without.stderr).toContain("bin.json: error RC501: not UTF-8 text");
    expect(without.stderr).toMatch(/b\.ndjson:\d+: warning RC501: not JSON/);
    expect(without.stderr).toContain("b.ndjson: warning RC501: 1 records are not JSON objects and were skipped");
    expect(without.status).toBe(1);
    for (const workers of ["1", "2", "3"]) {
      const got = run(workers);
      expect(got.stderr).toBe(without.stderr);
      expect(got.stdout).toBe(without.stdout);
      expect(got.status).toBe(without.status);
    }
  });

  it("finds what the evaluator finds", () => {
    const byFile = [
      [paths[0]!, logs.slice(0, third)],
      [paths[2]!, logs.slice(third, 2 * third)],
      [paths[4]!, logs.slice(2 * third)],
    ] as const;
    const want = lib.rules.flatMap((r) => byFile.flatMap(([file, events]) => events.flatMap((e, i) => (evaluate(r.condition, e) ? [`${r.name} ${file}#${i}`] : []))));
    const got = run("2")
      .stdout.trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { rule: string; file: string; record: number })
      .map((m) => `${m.rule} ${m.file}#${m.record}`);
    expect(got.sort()).toEqual(want.sort());
    expect(want.length).toBeGreaterThan(50);
  });

  it("rejects a bad --workers", () => {
    const r = rulec(["hunt", "rules", "--logs", paths[4]!, "--workers", "two"]);
    expect(r.stderr).toContain("rulec: --workers must be a whole number from 0 to 99, not 'two'");
    expect(r.status).toBe(2);
  });
});
