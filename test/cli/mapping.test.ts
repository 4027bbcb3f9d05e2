import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DOC, EXAMPLES, withTable } from "../../scripts/mapping.js";

describe("docs/language.md's per-target mapping table", () => {
  it("is generated from the targets and up to date (npm run mapping)", () => {
    const doc = readFileSync(DOC, "utf8");
    expect(doc).toBe(withTable(doc));
  });

  it("has an example for every operator", () => {
    const ops = EXAMPLES.flatMap(([op]) => op.split(" "));
    for (const op of ["eq", "ne", "gt", "ge", "lt", "le", "contains", "startswith", "endswith", "like", "matches", "in", "cidr", "ieq", "icontains", "istartswith", "iendswith", "ilike", "imatches", "iin", "exists", "empty", "not"]) {
      expect(ops).toContain(op);
    }
  });
});
