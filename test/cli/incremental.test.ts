import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateRule, rng } from "../../bench/generate.js";
import { main } from "../../src/cli/main.js";
import { bufferOutput } from "../../src/cli/output.js";
import { BIN, ROOT } from "../helpers/cli.js";

/**
 * The incremental build (out/.rulec-cache.jsonl): after any sequence of edits, renames, deletions,
 * additions, configuration changes, hand edits of outputs and interrupted builds, a build leaves
 * out/ byte for byte as a clean build of the same library leaves a new directory, and
 * `build --check` agrees; and a build with nothing changed compiles nothing.
 */

type Step =
  | { readonly kind: "edit"; readonly which: number }
  | { readonly kind: "rename"; readonly which: number }
  | { readonly kind: "delete"; readonly which: number }
  | { readonly kind: "add"; readonly seed: number }
  | { readonly kind: "touch"; readonly which: number }
  | { readonly kind: "config"; readonly author: string }
  | { readonly kind: "edit-output"; readonly which: number }
  | { readonly kind: "delete-output"; readonly which: number }
  | { readonly kind: "build" }
  | { readonly kind: "build-target"; readonly target: "panther" | "athena" | "sigma" }
  | { readonly kind: "interrupted-build"; readonly afterMs: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("edit" as const), which: fc.nat() }),
  fc.record({ kind: fc.constant("rename" as const), which: fc.nat() }),
  fc.record({ kind: fc.constant("delete" as const), which: fc.nat() }),
  fc.record({ kind: fc.constant("add" as const), seed: fc.nat({ max: 1000 }) }),
  fc.record({ kind: fc.constant("touch" as const), which: fc.nat() }),
  fc.record({ kind: fc.constant("config" as const), author: fc.constantFrom("A", "B", "") }),
  fc.record({ kind: fc.constant("edit-output" as const), which: fc.nat() }),
  fc.record({ kind: fc.constant("delete-output" as const), which: fc.nat() }),
  fc.record({ kind: fc.constant("build" as const) }),
  fc.record({ kind: fc.constant("build-target" as const), target: fc.constantFrom("panther" as const, "athena" as const, "sigma" as const) }),
  fc.record({ kind: fc.constant("interrupted-build" as const), afterMs: fc.integer({ min: 150, max: 900 }) }),
);

/** out/ as the user sees it: every file but the cache (machine-specific) and its .gitignore. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const rel = `${prefix}${e.name}`;
      if (rel === ".rulec-cache.jsonl" || rel === ".gitignore") continue;
      if (e.isDirectory()) walk(join(d, e.name), `${rel}/`);
      else out[rel] = readFileSync(join(d, e.name), "utf8");
    }
  };
  walk(dir, "");
  return out;
}

async function run(args: string[]): Promise<{ status: number; stderr: string }> {
  const io = bufferOutput();
  const status = await main(["node", "rulec", ...args], io);
  return { status, stderr: io.stderr };
}

function ruleFiles(rules: string): string[] {
  return readdirSync(rules).filter((f) => f.endsWith(".yml")).sort();
}

describe("incremental builds", () => {
  it("end byte for byte where a clean build does, whatever came before", { timeout: 600_000 }, async () => {
    let builds = 0;
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 2, maxLength: 7 }), async (steps) => {
        if (process.env.INCR_DEBUG) console.log(JSON.stringify(steps));
        const root = mkdtempSync(join(tmpdir(), "rulec-incr-"));
        const lib = join(root, "lib");
        const rules = join(lib, "rules");
        mkdirSync(rules, { recursive: true });
        const r = rng(3);
        for (let i = 0; i < 24; i++) {
          const g = generateRule(r, i);
          writeFileSync(join(rules, `${g.name}.yml`), g.text);
        }
        const out = join(lib, "out");
        const build = async (extra: string[] = []) => {
          builds++;
          const b = await run(["build", rules, "--out", out, ...extra]);
          expect([0, 1], b.stderr).toContain(b.status);
        };
        await build();
        for (const s of steps) {
          const files = ruleFiles(rules);
          const pick = (n: number) => files[n % Math.max(1, files.length)];
          switch (s.kind) {
            case "edit": {
              const f = pick(s.which);
              if (f) writeFileSync(join(rules, f), readFileSync(join(rules, f), "utf8").replace(/^Severity: \w+$/m, (m) => (m.endsWith("High") ? "Severity: Low" : "Severity: High")));
              break;
            }
            case "rename": {
              const f = pick(s.which);
              if (f) renameSync(join(rules, f), join(rules, `r_${f}`));
              break;
            }
            case "delete": {
              const f = pick(s.which);
              if (f) rmSync(join(rules, f));
              break;
            }
            case "add": {
              const g = generateRule(rng(s.seed + 100), 1000 + s.seed);
              writeFileSync(join(rules, `${g.name}.yml`), g.text);
              break;
            }
            case "touch": {
              const f = pick(s.which);
              if (f) utimesSync(join(rules, f), new Date(), new Date(Date.now() + 5000));
              break;
            }
            case "config":
              writeFileSync(join(lib, "rulec.config.yml"), s.author === "" ? "" : `sigma:\n  author: ${s.author}\n`);
              break;
            case "edit-output":
            case "delete-output": {
              const outputs = existsSync(join(out, "athena")) ? readdirSync(join(out, "athena")).sort() : [];
              const o = outputs[s.which % Math.max(1, outputs.length)];
              if (!o) break;
              if (s.kind === "edit-output") writeFileSync(join(out, "athena", o), "-- edited by hand\n");
              else rmSync(join(out, "athena", o));
              break;
            }
            case "build":
              await build();
              break;
            case "build-target":
              await build(["--target", s.target]);
              break;
            case "interrupted-build": {
              const child = spawn(process.execPath, [BIN, "build", rules, "--out", out], { stdio: "ignore" });
              const exited = new Promise((res) => child.once("exit", res));
              await Promise.race([exited, new Promise((res) => setTimeout(res, s.afterMs))]);
              child.kill("SIGKILL");
              await exited;
              break;
            }
          }
        }
        await build();
        const clean = join(lib, "clean");
        const c = await run(["build", rules, "--out", clean]);
        expect([0, 1]).toContain(c.status);
        compared++;
        expect(tree(out)).toEqual(tree(clean));
        const check = await run(["build", rules, "--out", out, "--check"]);
        expect(check.status, check.stderr).toBe(c.status);
        // Nothing changed since: the next build compiles nothing and writes nothing.
        const again = await run(["build", rules, "--out", out]);
        expect(again.stderr).toMatch(/, 0 files written, \d+ unchanged, 0 removed/);
        expect(again.stderr).toContain("(all from the build cache)");
        rmSync(root, { recursive: true, force: true });
      }),
      { seed: 20261208, numRuns: Number(process.env.INCR_RUNS ?? 30) },
    );
    console.log(`incremental property: 30 sequences, ${builds} builds, ${compared} comparisons with a clean build`);
  });
});

describe("a build that learnt little appends to the cache", () => {
  /** Record lines and trailers of the cache file. */
  function cacheLines(out: string): { records: string[]; trailers: { written: number; rules: number }[] } {
    const lines = readFileSync(join(out, ".rulec-cache.jsonl"), "utf8").split("\n").filter((l) => l !== "").slice(1);
    return { records: lines.filter((l) => l.startsWith("[")), trailers: lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { written: number; rules: number }) };
  }

  it("appends the changed rule's record, reads the last record of a rule file, and ignores a file cut short", async () => {
    const root = mkdtempSync(join(tmpdir(), "rulec-append-"));
    const rules = join(root, "rules");
    mkdirSync(rules);
    const r = rng(11);
    for (let i = 0; i < 24; i++) {
      const g = generateRule(r, i);
      writeFileSync(join(rules, `${g.name}.yml`), g.text);
    }
    const out = join(root, "out");
    const build = async () => {
      const b = await run(["build", rules, "--out", out]);
      expect([0, 1], b.stderr).toContain(b.status);
      return b.stderr;
    };
    await build();
    expect(cacheLines(out).records).toHaveLength(24);
    expect(cacheLines(out).trailers).toEqual([expect.objectContaining({ rules: 24 })]);

    // One rule edited: its record and a new trailer go at the end; the file is not written anew.
    const first = ruleFiles(rules)[0]!;
    const edit = () => writeFileSync(join(rules, first), readFileSync(join(rules, first), "utf8").replace(/^Severity: \w+$/m, (m) => (m.endsWith("High") ? "Severity: Low" : "Severity: High")));
    edit();
    expect(await build()).toContain("(23 from the build cache)");
    const appended = cacheLines(out);
    expect(appended.records.length).toBeGreaterThan(24);
    expect(appended.trailers.at(-1)!.rules).toBe(appended.records.length);
    expect(appended.trailers.length).toBeGreaterThan(1);
    // The next build reads the last record of the edited rule (else it would compile it again).
    await new Promise((res) => setTimeout(res, 2100)); // past the window in which stats are not trusted
    await build();
    expect(await build()).toContain("(all from the build cache)");

    // Cut short inside the appended lines (an interrupted append): the file is ignored, the build is
    // still right, and the cache is written anew.
    edit();
    await build();
    const text = readFileSync(join(out, ".rulec-cache.jsonl"), "utf8");
    writeFileSync(join(out, ".rulec-cache.jsonl"), text.slice(0, text.lastIndexOf("\n", text.length - 2) - 5));
    const after = await build();
    expect(after).not.toContain("from the build cache");
    expect(after).toMatch(/, 0 files written, \d+ unchanged, 0 removed/);
    expect(cacheLines(out).records).toHaveLength(24);
    expect(cacheLines(out).trailers).toHaveLength(1);
    rmSync(root, { recursive: true, force: true });
  });
});

describe("the cache stays out of version control", () => {
  function library(): { rules: string; out: string; root: string } {
    const root = mkdtempSync(join(tmpdir(), "rulec-ignore-"));
    const rules = join(root, "rules");
    mkdirSync(rules);
    const g = generateRule(rng(7), 0);
    writeFileSync(join(rules, `${g.name}.yml`), g.text);
    return { rules, out: join(root, "out"), root };
  }

  it("a build writes out/.gitignore naming the cache", async () => {
    const { rules, out, root } = library();
    expect([0, 1]).toContain((await run(["build", rules, "--out", out])).status);
    expect(readFileSync(join(out, ".gitignore"), "utf8").split("\n")).toContain(".rulec-cache.jsonl");
    rmSync(root, { recursive: true, force: true });
  });

  it("a .gitignore that does not name it (another cache name, the user's own lines) gets the line, its lines kept", async () => {
    const { rules, out, root } = library();
    mkdirSync(out);
    writeFileSync(join(out, ".gitignore"), "# mine\n*.bak\n.rulec-cache.jsonll");
    expect([0, 1]).toContain((await run(["build", rules, "--out", out])).status);
    expect(readFileSync(join(out, ".gitignore"), "utf8")).toBe("# mine\n*.bak\n.rulec-cache.jsonll\n.rulec-cache.jsonl\n");
    // Named already: left as it is.
    expect([0, 1]).toContain((await run(["build", rules, "--out", out])).status);
    expect(readFileSync(join(out, ".gitignore"), "utf8")).toBe("# mine\n*.bak\n.rulec-cache.jsonll\n.rulec-cache.jsonl\n");
    rmSync(root, { recursive: true, force: true });
  });
});

describe("a change to rulec's own code invalidates the cache", () => {
  it("whether the cache's stamp of the code vouched for its key or not", { timeout: 120_000 }, () => {
    // A copy of the built rulec of its own (bin/, dist/, package.json; node_modules linked), so that
    // its code can be changed.
    const root = mkdtempSync(join(tmpdir(), "rulec-code-"));
    try {
      const install = join(root, "rulec");
      for (const part of ["bin", "dist", "package.json"]) cpSync(join(ROOT, part), join(install, part), { recursive: true });
      symlinkSync(join(ROOT, "node_modules"), join(install, "node_modules"));
      // Code written long ago: the stamp of its stats vouches for the key.
      const old = new Date(Date.now() - 3_600_000);
      const age = (dir: string): void => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          if (e.isDirectory()) age(join(dir, e.name));
          else utimesSync(join(dir, e.name), old, old);
        }
      };
      age(join(install, "dist"));
      const rules = join(root, "rules");
      mkdirSync(rules);
      for (let i = 0; i < 3; i++) {
        const g = generateRule(rng(5), i);
        writeFileSync(join(rules, `${g.name}.yml`), g.text);
      }
      const out = join(root, "out");
      const build = () => {
        const r = spawnSync(process.execPath, [join(install, "bin/rulec.js"), "build", rules, "--out", out], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 });
        expect([0, 1], r.stderr).toContain(r.status);
        return r.stderr;
      };
      expect(build()).not.toContain("from the build cache");
      expect(build()).toContain("(all from the build cache)");
      // One module changed (a comment added, its size and time with it): nothing comes from the cache.
      const module = join(install, "dist/targets/athena/index.js");
      writeFileSync(module, readFileSync(module, "utf8") + "\n// changed\n");
      expect(build()).not.toContain("from the build cache");
      expect(build()).toContain("(all from the build cache)");
      // Changed again, to the same size: the cache does not answer for the other code.
      writeFileSync(module, readFileSync(module, "utf8").replace("// changed\n", "// chanGed\n"));
      expect(build()).not.toContain("from the build cache");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
