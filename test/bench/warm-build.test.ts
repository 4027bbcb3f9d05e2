import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("bench: the cold build in a warm process (bench/warm-build.mjs)", () => {
  it("builds the library again and again in one process, each time into a new output directory, and gives the median", () => {
    const dir = mkdtempSync(join(tmpdir(), "rulec-warm-"));
    try {
      mkdirSync(join(dir, "rules"));
      const shipped = readdirSync(join(ROOT, "rules")).filter((f) => f.startsWith("aws_cloudtrail_") && f.endsWith(".yml")).sort();
      for (const f of shipped) cpSync(join(ROOT, "rules", f), join(dir, "rules", f));
      const r = spawnSync(process.execPath, [join(ROOT, "bench/warm-build.mjs"), dir, "2"], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      const figures = JSON.parse(r.stdout.trim()) as { runs: number; warmMs: number };
      expect(figures.runs).toBe(2);
      expect(figures.warmMs).toBeGreaterThan(0);
      // Two untimed builds and two timed ones, each a whole build of the three targets into its own directory.
      const outs = readdirSync(join(dir, ".aside")).sort();
      expect(outs).toHaveLength(4);
      for (const o of outs) {
        for (const f of shipped) {
          const name = f.replace(/\.yml$/, "");
          expect(existsSync(join(dir, ".aside", o, "athena", `${name}.sql`)), `${o}: ${name}`).toBe(true);
          expect(existsSync(join(dir, ".aside", o, "panther", `${name}.py`)), `${o}: ${name}`).toBe(true);
        }
        expect(readFileSync(join(dir, ".aside", o, "athena", `${shipped[0]!.replace(/\.yml$/, ".sql")}`), "utf8")).toBe(
          readFileSync(join(dir, ".aside", outs[0]!, "athena", `${shipped[0]!.replace(/\.yml$/, ".sql")}`), "utf8"),
        );
      }
      expect(existsSync(join(dir, "out"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
