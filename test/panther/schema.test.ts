import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { OPERATORS } from "../../src/ast/nodes.js";
import { quoteDouble } from "../../src/ast/print.js";
import { checkCondition } from "../../src/check/check.js";
import { evaluate } from "../../src/eval/evaluate.js";
import { rootType, schemaFor } from "../../src/schema/schema.js";
import { parseCondition } from "../../src/syntax/ast.js";
import { pantherTarget } from "../../src/targets/panther/index.js";
import { GLOBS, NETWORKS, NUMBERS, REGEXES, STRINGS } from "../helpers/arbitraries.js";
import { checkSource, PythonRunner } from "./harness.js";
import { ruleFor } from "./rules.js";

/**
 * The schema's simple forms (`event.get("eventName") == "x"`, `is True`, `in (...)`, ...) are
 * exact for any value that is not a list: CloudTrail fields typed string/boolean get any scalar
 * (strings, numbers, booleans, null) or go missing, and the object field any object. 3,000
 * seeded conditions over CloudTrail paths, compiled with the schema, against the evaluator.
 */

const py = new PythonRunner();
afterAll(() => py.close());

const SCALAR_PATHS = ["eventName", "readOnly", "userIdentity.arn", "userIdentity.sessionContext.attributes.mfaAuthenticated", "errorCode"];
const OTHER_PATHS = ["userIdentity", "requestParameters.bucketName", "resources.ARN"];
const PATHS = [...SCALAR_PATHS, ...OTHER_PATHS];

const lit = fc.oneof(fc.constantFrom(...STRINGS).map(quoteDouble), fc.constantFrom(...NUMBERS), fc.constantFrom("true", "false"));
const strLit = fc.constantFrom(...STRINGS).map(quoteDouble);
const listOf = (a: fc.Arbitrary<string>) => fc.array(a, { minLength: 1, maxLength: 3 }).map((xs) => `[${xs.join(", ")}]`);
const path = fc.constantFrom(...PATHS);

const compare = fc.constantFrom(...OPERATORS).chain((op) => {
  const base = op.startsWith("i") && op !== "in" ? op.slice(1) : op;
  const operand: fc.Arbitrary<string> =
    base === "eq" || base === "ne"
      ? fc.oneof(lit, path)
      : base === "gt" || base === "ge" || base === "lt" || base === "le"
        ? fc.oneof(fc.constantFrom(...NUMBERS), path)
        : base === "contains" || base === "startswith" || base === "endswith"
          ? fc.oneof(strLit, listOf(strLit), path)
          : base === "like"
            ? fc.constantFrom(...GLOBS).map(quoteDouble)
            : base === "matches"
              ? fc.constantFrom(...REGEXES).map(quoteDouble)
              : base === "cidr"
                ? fc.constantFrom(...NETWORKS).map(quoteDouble)
                : listOf(lit);
  return fc.tuple(path, operand).map(([p, o]) => `${p} ${op} ${o}`);
});
const leaf = fc.oneof({ weight: 8, arbitrary: compare }, path.map((p) => `${p} exists`), path.map((p) => `${p} empty`));
const condition = fc.oneof(
  { weight: 3, arbitrary: leaf },
  fc.tuple(leaf, leaf).map(([a, b]) => `(${a}) and not (${b})`),
  fc.tuple(leaf, leaf).map(([a, b]) => `(${a}) or (${b})`),
);

const scalar = fc.oneof(fc.constantFrom<unknown>(...STRINGS), fc.constantFrom<unknown>(0, 1, -1, 1.5, 5, 10, 1000, true, false, null));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 4 });
const anyJson = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.constantFrom("bucketName", "x"), scalar, { maxKeys: 2 }));
const event = fc
  .record({
    eventName: maybe(scalar),
    readOnly: maybe(scalar),
    errorCode: maybe(scalar),
    userIdentity: maybe(
      fc.record({ arn: maybe(scalar), sessionContext: maybe(fc.record({ attributes: maybe(fc.record({ mfaAuthenticated: maybe(scalar) })) })) }),
    ),
    requestParameters: maybe(fc.oneof(fc.dictionary(fc.constantFrom("bucketName", "x"), anyJson, { maxKeys: 2 }), scalar)),
    resources: maybe(fc.array(fc.record({ ARN: maybe(anyJson) }), { maxLength: 3 })),
  })
  .map((e) => JSON.parse(JSON.stringify(e)) as unknown);

describe("panther: schema simple forms", () => {
  it("agree with the evaluator on 3,000 CloudTrail conditions (seeded)", async () => {
    const schema = rootType(schemaFor("AWS.CloudTrail")!);
    let simple = 0;
    await fc.assert(
      fc.asyncProperty(condition, fc.array(event, { minLength: 1, maxLength: 4 }), async (text, events) => {
        const parsed = parseCondition(text);
        if (!parsed.ast) throw new Error(`does not parse: ${text}`);
        const checked = checkCondition(parsed.ast, { text, schema });
        if (checked.diagnostics.some((d) => d.severity === "error")) return; // e.g. a number operand on a string field
        const rule = ruleFor(checked.condition, "generated", { logTypes: ["AWS.CloudTrail"] });
        const src = pantherTarget.compile(rule).files[0]!.content;
        if (/event\.(get|deep_get)\(/.test(src)) simple++;
        const r = await checkSource(py, src, events);
        events.forEach((e, i) => {
          const want = evaluate(checked.condition, e);
          if (r.results?.[i] !== want) throw new Error(`${text}\n${JSON.stringify(e)}\npython: ${JSON.stringify(r.results?.[i] ?? r.error)} evaluator: ${want}\n${src}`);
        });
      }),
      { seed: Number(process.env.PANTHER_SEED ?? 777), numRuns: Number(process.env.PANTHER_RUNS ?? 3_000) },
    );
    expect(simple).toBeGreaterThan(1_000);
  }, 300_000);
});
