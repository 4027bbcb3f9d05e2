import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sqlString, sqlStringByParts as reference } from "../../src/targets/athena/escape.js";

describe("sqlString", () => {
  it("agrees with its definition (the fast path for text without control characters included)", () => {
    const unit = fc.constantFrom(..."ab '\"\\%_\n\t\u0000\u001f\u007f\u0080\u2028é".split(""), "😀", "\ud800", "''");
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 30 }).map((xs) => xs.join("")), (s) => {
        expect(sqlString(s)).toBe(reference(s));
      }),
      { seed: 53, numRuns: 20000 },
    );
  });
});
