import { describe, expect, it } from "vitest";
import { lowerTier, TRINO } from "../../src/targets/athena/dialect.js";

/**
 * How much of JavaScript's lower case an i-form spells in Trino (dialect.ts lowerTier): only as
 * much as its literals can see. The proofs (DuckDB, PostgreSQL) check the verdicts on the
 * generated events (İ, final sigma, i + U+0307 among the values); this pins the choice itself.
 */
describe("lowerTier", () => {
  it.each([
    [["trufflehog", "pacu"], "contains", [], "plain"],
    [["arn:aws:sts::*:assumed-role/breakglass*"], "like", ["arn:aws:sts::*:assumed-role/breakglass*"], "plain"],
    [["us-east-1"], "in", [], "plain"],
    [["admin"], "eq", [], "dotted-i"],
    [["i\u0307"], "contains", [], "dotted-i"],
    [["\u0307"], "endswith", [], "dotted-i"],
    [["οδος"], "eq", [], "full"],
    [["ας"], "contains", [], "full"],
    [["a?b"], "like", ["a?b"], "full"],
    [["a\\?b"], "like", ["a\\?b"], "plain"],
    [["a\\\\?b"], "like", ["a\\\\?b"], "full"],
    [["kali"], "matches", [], "full"],
  ] as const)("%j %s -> %s", (literals, op, patterns, tier) => {
    expect(lowerTier(literals, op, patterns)).toBe(tier);
  });

  it("spells each tier in Trino", () => {
    expect(TRINO.lower("x", "plain")).toBe("lower(x)");
    expect(TRINO.lower("x", "dotted-i")).toBe("lower(replace(x, 'İ', 'i̇'))");
    expect(TRINO.lower("x")).toBe("lower(regexp_replace(replace(x, 'İ', 'i̇'), '(\\p{L})Σ(?!\\p{L})', '$1ς'))");
  });
});
