import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkBacktracking, MAX_POSITIONS } from "../../src/check/redos.js";
import { parseRegex, toJsRegExp } from "../../src/check/regex.js";
import { loadRuleText } from "../../src/rules/load.js";

/** Patterns that backtrack catastrophically are refused (RC240); the others are proven fast. */

function verdict(pattern: string): boolean {
  const r = parseRegex(pattern);
  expect(r.error, pattern).toBeUndefined();
  return checkBacktracking(r.ast!).ok;
}

describe("catastrophic backtracking", () => {
  it.each([
    "(a+)+$", "(a|a)*$", "(a*)*b", "(\\w+\\s?)+$", "(.*a){10}", "^(a|aa)+$", "(x+x+)+y", "(\\d+)*$", "([a-z]+)*\\d",
    "(a|ab|b)*c", "^(\\w|\\d)+$", "(\\s*,\\s*)*x", "(a|a?)+$",
    // Polynomial of degree 3 or more: minutes on a value of a few thousand characters.
    "\\w+\\w+\\w+x", ".*a.*b.*", "^(?:(([ab]+\\w*\\w+)\\w*|a)a*|a)$", "\\d+\\.?\\d+\\.?\\d+x",
  ])("refuses %s", (pattern) => {
    expect(verdict(pattern)).toBe(false);
  });

  it.each([
    "^\\d{12}$", "(\\d{1,3}\\.){3}\\d{1,3}", ".*a.*", "(ab|a)*", "kali|parrot", "^arn:aws:iam::\\d{12}:role/.*admin.*$",
    "[a-z0-9]+(-[a-z0-9]+)*", "^([a-z]+\\.)+[a-z]{2,}$", "(a|b)*c", "\\s*$", "(?:[0-9a-f]{2}:){5}[0-9a-f]{2}", "(foo|foobar)*x",
    '"Action"\\s*:\\s*(\\[[^\\]]*)?"(\\*|iam:\\*)"', "(Linux[/#]\\d\\S*|distrib#)(Kali|Parrot|Pentoo)",
    // Degree 2 (quadratic) is accepted: a second on 1,000 characters of worst case.
    "\\w+\\w+x", "a.*b.*c", ".*powershell.*-enc", "\\s*\\w+\\s*=\\s*\\w+",
  ])("accepts %s", (pattern) => {
    expect(verdict(pattern)).toBe(true);
  });

  it("says that a .* at either end of a search adds nothing", () => {
    const r = checkBacktracking(parseRegex(".*powershell.*-enc.*").ast!);
    expect(r.ok ? "" : r.reason).toMatch(/power 3; .*\(a \.\* at the start or the end adds nothing to a search: remove it\)$/);
    expect(verdict("powershell.*-enc")).toBe(true);
  });

  it("refuses a pattern too large to analyse, with the reason", () => {
    const r = checkBacktracking(parseRegex("a".repeat(MAX_POSITIONS + 1)).ast!);
    expect(r).toEqual({ ok: false, reason: expect.stringContaining(`more than ${MAX_POSITIONS} characters and classes`) });
  });

  it("is an RC240 error at the pattern, in check, test, build and eval alike", () => {
    const r = loadRuleText(
      "RuleID: R\nDisplayName: D\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nCondition: userAgent matches '(a+)+$'\nTests:\n  - {Name: a, ExpectedResult: true, Log: {userAgent: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!}}\n",
      "r.yml",
    );
    expect(r.rule).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.span?.start.line, d.span?.start.col])).toEqual([["RC240", 5, 30]]);
    expect(r.diagnostics[0]!.message).toMatch(/^\/\(a\+\)\+\$\/: it can backtrack catastrophically/);
  });

  // Every pattern it accepts fails fast on the inputs that make backtracking engines blow up: long
  // runs of the pattern's own characters followed by one that matches nothing.
  it("every accepted pattern fails fast on adversarial inputs (seeded)", () => {
    const atom = fc.constantFrom("a", "b", ".", "[ab]", "\\w", "[^b]", "(a|b)");
    const quant = fc.constantFrom("", "", "*", "+", "?", "{2}", "{1,3}", "*?");
    // Patterns of nested groups up to three deep, each a few quantified items, alternatives of them.
    const regex = (depth: number): fc.Arbitrary<string> => {
      const item = depth === 0 ? atom : fc.oneof(atom, regex(depth - 1).map((r) => `(${r})`));
      const seq = fc.array(fc.tuple(item, quant).map(([a, q]) => a + q), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(""));
      return fc.array(seq, { minLength: 1, maxLength: 2 }).map((xs) => xs.join("|"));
    };
    const pattern = fc.tuple(regex(3), fc.constantFrom("^(?:R)+$", "^(?:R)$", "(?:R)$", "^(?:R)*x")).map(([r, shape]) => shape.replace("R", r));
    const inputs = ["a", "b", "ab", "aab", "ba"].flatMap((unit) => [unit.repeat(40) + "!", unit.repeat(40) + "\n"]);
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(pattern, (p) => {
        const parsed = parseRegex(p);
        if (!parsed.ast) return;
        if (!checkBacktracking(parsed.ast).ok) {
          refused++;
          return;
        }
        accepted++;
        const re = toJsRegExp(parsed.ast);
        const t0 = performance.now();
        for (const input of inputs) re.test(input);
        expect(performance.now() - t0, p).toBeLessThan(250);
      }),
      { seed: 20261207, numRuns: 3000 },
    );
    console.log(`redos property: ${accepted} accepted patterns failed fast on ${inputs.length} adversarial inputs each; ${refused} refused`);
    expect(accepted).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
  });
});
