import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { docsPages } from "../../scripts/logtypes-docs.js";

/** The docs generated from the log-type registry (npm run logtypes rewrites them) are up to date. */

const ROOT = new URL("../../", import.meta.url);

describe("docs generated from the log-type registry", async () => {
  const pages = await docsPages();

  for (const p of pages) {
    it(`${p.path} is up to date (npm run logtypes)`, () => {
      expect(existsSync(new URL(p.path, ROOT)), p.path).toBe(true);
      expect(readFileSync(new URL(p.path, ROOT), "utf8")).toBe(p.content);
    });
  }

  it("docs/logtypes holds only generated pages, one per typed log type and the index", () => {
    const generated = pages.filter((p) => p.path.startsWith("docs/logtypes/")).map((p) => p.path.slice("docs/logtypes/".length));
    expect(readdirSync(new URL("docs/logtypes/", ROOT)).sort()).toEqual(generated.sort());
    expect(generated.length).toBeGreaterThanOrEqual(12);
  });
});
