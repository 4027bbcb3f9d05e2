import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatAddress, parseIPv4 } from "../../src/check/cidr.js";

/** The definitions parseIPv4 and formatAddress(4, ...) replaced (split and a regex; BigInt per part), as the reference. */
function referenceIPv4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}
const referenceFormat4 = (v: bigint): string => [24n, 16n, 8n, 0n].map((s) => ((v >> s) & 255n).toString()).join(".");

describe("IPv4 parsing and printing", () => {
  it("parseIPv4 agrees with its reference", () => {
    const cases = ["0.0.0.0", "255.255.255.255", "256.0.0.1", "01.2.3.4", "1.2.3", "1.2.3.4.", ".1.2.3", "1..2.3", "1.2.3.4.5", "10.0.0.1", "1.2.3.-4", "1.2.3.4 ", "١.2.3.4", "999.1.1.1", "0.00.0.0", "100.200.30.4"];
    for (const c of cases) expect(parseIPv4(c), c).toBe(referenceIPv4(c));
    const part = fc.oneof(fc.nat(300).map(String), fc.constantFrom("", "0", "00", "01", "-1", "1a", " 1", "1000", "255", "256"));
    fc.assert(
      fc.property(fc.oneof(fc.array(part, { minLength: 1, maxLength: 6 }).map((p) => p.join(".")), fc.string({ maxLength: 16 })), (s) => {
        expect(parseIPv4(s)).toBe(referenceIPv4(s));
      }),
      { seed: 37, numRuns: 20000 },
    );
  });

  it("formatAddress(4, ...) agrees with its reference", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 40n) - 1n }), (v) => {
        expect(formatAddress(4, v)).toBe(referenceFormat4(v));
      }),
      { seed: 41, numRuns: 20000 },
    );
  });
});
