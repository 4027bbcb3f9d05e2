import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pyString, pyStringPieces } from "../../src/targets/panther/quote.js";

/** The definition pyStringPieces replaced (pyString of the chunk at every character), as the reference. */
function reference(s: string): string[] {
  const whole = pyString(s);
  if (whole.length <= 70) return [whole];
  const pieces: string[] = [];
  let chunk = "";
  for (const ch of codePoints(s)) {
    if (pyString(chunk + ch).length > 60 && chunk !== "") {
      pieces.push(chunk);
      chunk = "";
    }
    chunk += ch;
  }
  if (chunk !== "") pieces.push(chunk);
  return pieces.map(pyString);
}

/** Code units, valid surrogate pairs kept together (as quote.ts iterates). */
function codePoints(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out.push(s.slice(i, i + 2));
        i++;
        continue;
      }
    }
    out.push(s[i]!);
  }
  return out;
}

describe("long string literals in pieces", () => {
  it("pyStringPieces agrees with its definition", () => {
    const unit = fc.constantFrom(..."ab \"'\\{}\n\t\u0000\u007f\u0085\u2028\ufeff\ud800\udc00é€".split(""), "😀", "x".repeat(20), '""', "''");
    let split = 0;
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 120, size: "max" }).map((xs) => xs.join("")), (s) => {
        const pieces = pyStringPieces(s);
        expect(pieces).toEqual(reference(s));
        if (pieces.length > 1) split++;
      }),
      { seed: 47, numRuns: 20000 },
    );
    expect(split).toBeGreaterThan(10000);
    for (const s of ["a".repeat(200), '"'.repeat(150), "'".repeat(150), "\\".repeat(100), "😀".repeat(80), "\u0001".repeat(40), `${"a".repeat(59)}"${"b".repeat(59)}'`]) {
      expect(pyStringPieces(s)).toEqual(reference(s));
    }
  });
});
