import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileSync } from "../../src/cli/fs.js";
import { JOURNAL, Journal } from "../../src/cli/manifest.js";

/**
 * The build's journal names every output before it is written: records are taken as a rule's
 * outputs are pushed and reach the file in one append before the next write, so an interrupted
 * build leaves a journal that names everything it may have written.
 */

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "rulec-journal-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const rule = (n: number) => [
  { path: `athena/r${n}.sql`, content: `SELECT ${n}\n` },
  { path: `sigma/r${n}.yml`, content: `title: r${n}\n` },
];

describe("the journal", () => {
  it("holds each output's record before the output exists, in one append per batch of rules", async () => {
    const out = tempDir();
    const journal = new Journal(out, new Map());
    journal.begin();
    const journalFile = join(out, JOURNAL);
    /** The journal's lines each time a write is about to happen, and the outputs already on disk then. */
    const seen: { lines: Set<string>; onDisk: string[] }[] = [];
    const onDisk = () => ["athena", "sigma"].flatMap((t) => (existsSync(join(out, t)) ? readdirSync(join(out, t)).map((n) => `${t}/${n}`) : []));
    const sync = new FileSync(out, {
      check: false,
      beforeWrite: (files) => journal.record(files.map((f) => ({ path: f.path, source: `../rules/${f.path.replace(/^\w+\/|\.\w+$/g, "")}.yml` }))),
      flush: () => {
        journal.flush();
        seen.push({ lines: new Set(readFileSync(journalFile, "utf8").split("\n").filter(Boolean).map((l) => l.split("\t")[0]!)), onDisk: onDisk() });
      },
    });
    // Ten rules pushed in one turn, then ten more.
    for (let n = 0; n < 10; n++) sync.pushAll(rule(n));
    await sync.drain();
    for (let n = 10; n < 20; n++) sync.pushAll(rule(n));
    await sync.drain();
    expect(sync.written).toHaveLength(40);
    expect(sync.failed).toEqual([]);
    // Before each write, every file already written and every file pushed so far was in the journal.
    for (const s of seen) for (const f of s.onDisk) expect(s.lines.has(f), f).toBe(true);
    expect(seen[0]!.lines.size).toBe(20);
    const lines = readFileSync(journalFile, "utf8").split("\n").filter(Boolean);
    expect(lines).toHaveLength(40);
    expect(lines[0]).toBe("athena/r0.sql\t../rules/r0.yml");
  });

  it("a record that cannot reach the journal fails the output, which is not written", async () => {
    const out = tempDir();
    const sync = new FileSync(out, {
      check: false,
      beforeWrite: () => undefined,
      flush: () => {
        throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
      },
    });
    sync.pushAll(rule(1));
    await sync.drain();
    expect(sync.written).toEqual([]);
    expect(sync.failed).toEqual([
      { path: "athena/r1.sql", code: "ENOSPC" },
      { path: "sigma/r1.yml", code: "ENOSPC" },
    ]);
    expect(existsSync(join(out, "athena", "r1.sql"))).toBe(false);
  });

  it("records nothing the manifest already names", () => {
    const out = tempDir();
    const journal = new Journal(out, new Map([["athena/r1.sql", "../rules/r1.yml"]]));
    journal.begin();
    journal.record([
      { path: "athena/r1.sql", source: "../rules/r1.yml" },
      { path: "sigma/r1.yml", source: "../rules/r1.yml" },
    ]);
    expect(readFileSync(join(out, JOURNAL), "utf8")).toBe("");
    journal.flush();
    expect(readFileSync(join(out, JOURNAL), "utf8")).toBe("sigma/r1.yml\t../rules/r1.yml\n");
  });
});
