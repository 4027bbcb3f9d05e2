import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ANCHOR, hasAnchor } from "../../src/rules/yaml.js";

describe("hasAnchor", () => {
  it("is ANCHOR.test, on hand-picked texts", () => {
    const texts = ["", "&", "&a", " &a", "x&a", "a: &x 1", "a: [&x 1]", "{&x 1}", ",&x", "ATT&CK", "a &", "a & b", "a &]", "\n&a", "\r&a", "\u2028&a", "\u00a0&a", "\ufeff&a", "&&a", " &&", " &\u2029"];
    for (const t of texts) expect(hasAnchor(t), JSON.stringify(t)).toBe(ANCHOR.test(t));
  });

  it("is ANCHOR.test, on generated texts", () => {
    const alphabet = fc.constantFrom(..."&& ab:,[]{}\n\r\t\u00a0\u2028\u2029\u3000\ufeff#'\"-".split(""), "ATT&CK", "&anchor", "*alias");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 20 }).map((xs) => xs.join("")), (t) => {
        expect(hasAnchor(t)).toBe(ANCHOR.test(t));
      }),
      { seed: 31, numRuns: 20000 },
    );
  });
});
