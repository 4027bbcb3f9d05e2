import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Path } from "../../src/ast/nodes.js";
import { snake } from "../../src/targets/panther/python.js";

/** The definition snake() replaced (a chain of regex replacements), as the reference. */
function reference(segments: readonly { name: string }[]): string {
  return segments
    .map((s) => s.name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2").toLowerCase())
    .join("_")
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_+|_+$/g, "");
}

const segs = (names: string[]): Path["segments"] => names.map((name) => ({ name, quoted: false, span: { start: 0, end: 0 } }));

describe("local variable names", () => {
  it("snake() agrees with the regex definition", () => {
    const cases = [["userIdentity", "arn"], ["ARNValue"], ["aBCDef"], ["requestParameters", "bucketName"], ["_x_"], ["a1B"], ["ABC"], ["AbC"], ["x-y"], ["é", "İx"], ["__"], [""], ["ABCd", "EFg"], ["a__B"], ["IPv6Address"], ["HTTPRequest2Body"]];
    for (const c of cases) expect(snake(segs(c)), c.join(".")).toBe(reference(segs(c)));
    const ch = fc.constantFrom(..."aAbBzZ09_-. éİÅ`".split(""));
    fc.assert(
      fc.property(fc.array(fc.array(ch, { maxLength: 10 }).map((xs) => xs.join("")), { minLength: 1, maxLength: 3 }), (names) => {
        expect(snake(segs(names))).toBe(reference(segs(names)));
      }),
      { seed: 43, numRuns: 20000 },
    );
  });
});
