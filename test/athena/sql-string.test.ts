import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sqlString } from "../../src/targets/athena/escape.js";

/** The definition sqlString keeps for text with control characters, as the reference for all text. */
function reference(value: string): string {
  const parts: string[] = [];
  let run = "";
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || cp === 0x7f) {
      if (run !== "" || parts.length === 0) parts.push(`'${run.replace(/'/g, "''")}'`);
      parts.push(`chr(${cp})`);
      run = "";
    } else {
      run += ch;
    }
  }
  if (run !== "" || parts.length === 0) parts.push(`'${run.replace(/'/g, "''")}'`);
  if (parts.length === 1) return parts[0]!;
  return `(${parts.join(" || ")})`;
}

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
