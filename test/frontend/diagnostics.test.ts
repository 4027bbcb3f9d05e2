import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadLibrary } from "../../src/cli/library.js";
import { formatDiagnostic } from "../../src/diagnostics.js";

/** Broken rule files and the exact diagnostics they give (golden files beside them). */

const dir = new URL("../invalid/", import.meta.url);

function diagnosticsText(paths: string[]): string {
  const lib = loadLibrary(paths);
  return lib.diagnostics.map((d) => formatDiagnostic(d, { sources: lib.sources })).join("\n") + "\n";
}

describe("diagnostics of broken rule files", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));
  for (const f of files) {
    it(f, async () => {
      const text = diagnosticsText([`test/invalid/${f}`]);
      expect(text).toContain("error");
      await expect(text).toMatchFileSnapshot(`../invalid/${f.replace(/\.yml$/, ".diagnostics.txt")}`);
    });
  }

  it("duplicate RuleIDs across the library name both files", async () => {
    const text = diagnosticsText(["test/invalid/dup"]);
    expect(text).toContain("test/invalid/dup/first.yml");
    expect(text).toContain("test/invalid/dup/second.yml");
    await expect(text).toMatchFileSnapshot("../invalid/dup.diagnostics.txt");
  });

  it("reports every error of a file at once", () => {
    const lib = loadLibrary(["test/invalid/many_errors.yml"]);
    expect(lib.diagnostics.filter((d) => d.severity === "error").length).toBeGreaterThanOrEqual(8);
    expect(lib.diagnostics.some((d) => d.severity === "warning" && d.code === "RC210")).toBe(true);
  });
});

describe("warnings for smells a reviewer would flag", () => {
  for (const f of readdirSync(new URL("../warnings/", import.meta.url)).filter((x) => x.endsWith(".yml"))) {
    it(f, async () => {
      const lib = loadLibrary([`test/warnings/${f}`]);
      expect(lib.diagnostics.every((d) => d.severity === "warning")).toBe(true);
      expect(lib.rules.length).toBe(1);
      const text = lib.diagnostics.map((d) => formatDiagnostic(d, { sources: lib.sources })).join("\n") + "\n";
      await expect(text).toMatchFileSnapshot(`../warnings/${f.replace(/\.yml$/, ".diagnostics.txt")}`);
    });
  }

  it("flags each smell once", () => {
    const codes = loadLibrary(["test/warnings/smells.yml"]).diagnostics.map((d) => d.code).sort();
    expect(codes).toEqual(["RC211", "RC212", "RC213", "RC213", "RC214", "RC215", "RC216", "RC217"]);
  });
});
