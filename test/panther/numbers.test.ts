import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { evaluate } from "../../src/eval/evaluate.js";
import { checkCondition } from "../../src/check/check.js";
import { parseCondition } from "../../src/syntax/ast.js";
import { pantherTarget } from "../../src/targets/panther/index.js";
import { checkSource, PythonRunner } from "./harness.js";
import { ruleFor } from "./rules.js";

/**
 * Numbers where Python and the reference semantics could part: booleans vs 0/1, ints beyond 2^53,
 * exponents, -0, numeric strings with many digits, 1 vs 1.0 (own generator, seeded; the shared
 * arbitraries use small numbers only).
 */

const py = new PythonRunner();
afterAll(() => py.close());

const LITERALS = ["0", "1", "-1", "1.0", "0.5", "9007199254740992", "9007199254740993", "12345678901234567890", "1e21", "1E-7", "-0", "100"];
const VALUES: unknown[] = [
  0, 1, -1, 0.5, true, false, 9007199254740992, 12345678901234567000, 1e21, 1e-7, -0, 100, 1.7976931348623157e308,
  "0", "1", "1.0", "0.50", "-1", "9007199254740993", "12345678901234567890", "1e21", "+1", " 1", "1 ", "٣", "", null,
];
const OPS = ["eq", "ne", "gt", "ge", "lt", "le", "ieq", "ine"];

const arbCondition = fc.oneof(
  fc.tuple(fc.constantFrom(...OPS), fc.constantFrom(...LITERALS)).map(([op, n]) => `a ${op} ${n}`),
  fc.array(fc.constantFrom(...LITERALS, "true", "false", '"1"'), { minLength: 1, maxLength: 4 }).map((xs) => `a in [${xs.join(", ")}]`),
  fc.constantFrom("a eq b", "a ne b", "a gt b", "a le b", "a ieq b"),
);
const arbValue = fc.oneof(fc.constantFrom(...VALUES), fc.array(fc.constantFrom(...VALUES), { maxLength: 3 }));
const arbEvent = fc.record({ a: arbValue, b: arbValue }, { requiredKeys: [] });

describe("panther: numbers", () => {
  it("agrees with the evaluator on 2,000 number-heavy cases (seeded)", async () => {
    let pairs = 0;
    await fc.assert(
      fc.asyncProperty(arbCondition, fc.array(arbEvent, { minLength: 1, maxLength: 6 }), async (text, events) => {
        const parsed = parseCondition(text);
        const condition = checkCondition(parsed.ast!, { text }).condition;
        const src = pantherTarget.compile(ruleFor(condition), { schema: false }).files[0]!.content;
        const r = await checkSource(py, src, events);
        events.forEach((e, i) => {
          const want = evaluate(condition, e);
          if (r.results?.[i] !== want) throw new Error(`${text}\n${JSON.stringify(e)}\npython: ${JSON.stringify(r.results?.[i] ?? r.error)} evaluator: ${want}\n${src}`);
          pairs++;
        });
      }),
      { seed: 424242, numRuns: 2_000 },
    );
    expect(pairs).toBeGreaterThan(2_000);
  }, 300_000);
});
