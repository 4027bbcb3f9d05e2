import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateMixedRule, rng } from "../../bench/generate.js";
import { compileFile } from "../../src/cli/compile.js";
import { LOG_TYPES } from "../../src/logtypes/registry.js";
import { TARGETS } from "../../src/targets/index.js";

describe("bench: the mixed-log-type library", () => {
  it("spreads over every typed log type, and every generated rule loads, passes its Tests and compiles without errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "rulec-mixed-"));
    try {
      const r = rng(20261127);
      const seen = new Set<string>();
      const n = 4 * LOG_TYPES.length;
      for (let i = 0; i < n; i++) {
        const g = generateMixedRule(r, i);
        const file = join(dir, `${g.name}.yml`);
        writeFileSync(file, g.text);
        const result = compileFile(file, TARGETS, {});
        const errors = result.diagnostics.filter((d) => d.severity === "error");
        expect(errors, g.name).toEqual([]);
        expect(result.testFailures, g.name).toEqual([]);
        expect(result.rule, g.name).toBeDefined();
        // A target may refuse a construct it cannot say (RC401); nothing else.
        for (const t of result.targets) for (const d of t.diagnostics) expect(d.code, `${g.name}: ${d.message}`).toBe("RC401");
        seen.add(g.text.match(/^LogTypes: \[(.+)\]$/m)![1]!);
      }
      expect([...seen].sort()).toEqual(LOG_TYPES.map((d) => d.logType).sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
