import fc from "fast-check";
import { OPERATORS, baseOperator, type Condition, type Operator } from "../../src/ast/nodes.js";
import { quoteDouble } from "../../src/ast/print.js";
import { checkCondition } from "../../src/check/check.js";
import { parseCondition } from "../../src/syntax/ast.js";

/**
 * Shared fast-check arbitraries for the differential suites: valid conditions over a small field
 * vocabulary, and events that hit those fields with every kind of value (missing, null, arrays,
 * nested arrays, odd types, numeric strings, Unicode, IPs, injection attempts).
 * Conditions are generated as text and parsed, so their ASTs are exactly what users get.
 */

export const FIELD_NAMES = ["a", "b", "c", "x-y"] as const;

export const STRINGS = [
  "x", "X", "abc", "ABC", "aBc", "", " ", "10", "5", "-3.5", "1e3", "007", "5.", "true",
  "10.0.0.1", "10.1.2.3", "192.168.1.1", "2001:db8::1", "::1", "AWS Internal", "010.0.0.1",
  "ΟΔΟΣ", "οδος", "İ", "i̇", "ß", "ẞ", "é", "😀", "a*b", "a?b", "a\\b", "ab", "%", "_", "'", "\"",
  "'; DROP TABLE x; --", "line\nbreak", "x\n", "tab\t", "{}", "x-amz-acl", "Ab*c", "٣",
] as const;

export const NUMBERS = ["0", "1", "-1", "1.5", "5", "10", "100", "-3.5", "1e3"] as const;

export const GLOBS = ["*", "x*", "*c", "a?c", "a\\*b", "A*", "*\\\\*", "?", "??", "*DROP*", "ab*c*", "*b", "a\\b", "", "ΟΔ*"] as const;

export const REGEXES = [
  "^x$", "b", "^[a-c]+$", "\\d+", "^\\d{2}$", "a.c", "x|y", "(ab)+", "^$", "[^a]", "\\s", "\\W", "é",
  "^.*$", "A", "[A-Z]", "\\.", "o+?", "^(?:10|5)$", "^x\\n?$", "Ο", "[\\d.]+", "^\\S+$", "b{1,2}c", "\\*",
] as const;

export const NETWORKS = ["10.0.0.0/8", "10.0.0.1", "192.168.0.0/16", "0.0.0.0/0", "2001:db8::/32", "::1", "::/0", "10.1.0.0/16"] as const;

const segment = fc.constantFrom(...FIELD_NAMES).map((n) => (/^[A-Za-z_]\w*$/.test(n) ? n : "`" + n + "`"));
export const arbPathText = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join("."));

const str = (values: readonly string[]) => fc.constantFrom(...values).map(quoteDouble);
const strOrRaw = (values: readonly string[]) =>
  fc.constantFrom(...values).chain((v) => fc.constantFrom(quoteDouble(v), `'${v.replace(/'/g, "''")}'`).filter((s) => !/[\n\r]/.test(s)));
const list = (item: fc.Arbitrary<string>) => fc.array(item, { minLength: 1, maxLength: 3 }).map((xs) => `[${xs.join(", ")}]`);
const anyLiteral = fc.oneof(str(STRINGS), fc.constantFrom(...NUMBERS), fc.constantFrom("true", "false"));

function operandFor(op: Operator): fc.Arbitrary<string> {
  switch (baseOperator(op)) {
    case "eq":
    case "ne":
      return fc.oneof({ weight: 4, arbitrary: anyLiteral }, { weight: 1, arbitrary: arbPathText });
    case "gt":
    case "ge":
    case "lt":
    case "le":
      return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...NUMBERS) }, { weight: 1, arbitrary: arbPathText });
    case "contains":
    case "startswith":
    case "endswith":
      return fc.oneof({ weight: 3, arbitrary: str(STRINGS) }, { weight: 1, arbitrary: list(str(STRINGS)) }, { weight: 1, arbitrary: arbPathText });
    case "like":
      return fc.oneof({ weight: 3, arbitrary: strOrRaw(GLOBS) }, { weight: 1, arbitrary: list(strOrRaw(GLOBS)) });
    case "matches":
      return fc.oneof({ weight: 3, arbitrary: strOrRaw(REGEXES) }, { weight: 1, arbitrary: list(strOrRaw(REGEXES)) });
    case "cidr":
      return fc.oneof({ weight: 3, arbitrary: str(NETWORKS) }, { weight: 1, arbitrary: list(str(NETWORKS)) });
    case "in":
      return list(anyLiteral);
    default:
      throw new Error(`no operand for ${op}`);
  }
}

const arbCompare = fc.constantFrom(...OPERATORS).chain((op) => fc.tuple(arbPathText, operandFor(op)).map(([p, o]) => `${p} ${op} ${o}`));

const arbLeaf = fc.oneof(
  { weight: 10, arbitrary: arbCompare },
  { weight: 1, arbitrary: arbPathText.map((p) => `${p} exists`) },
  { weight: 1, arbitrary: arbPathText.map((p) => `${p} empty`) },
);

/** Condition text of bounded depth (every operator, exists, empty, path[cond], not, and, or). */
export const arbConditionText: fc.Arbitrary<string> = fc.letrec<{ cond: string }>((tie) => ({
  cond: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 6, arbitrary: arbLeaf },
    { weight: 1, arbitrary: tie("cond").map((c) => `not (${c})`) },
    { weight: 2, arbitrary: fc.tuple(tie("cond"), tie("cond")).map(([x, y]) => `(${x}) and (${y})`) },
    { weight: 2, arbitrary: fc.tuple(tie("cond"), tie("cond")).map(([x, y]) => `(${x}) or (${y})`) },
    { weight: 1, arbitrary: fc.tuple(arbPathText, tie("cond")).map(([p, c]) => `${p}[${c}]`) },
  ),
})).cond;

/** A parsed, checked condition (schema-less) with its text. */
export const arbCondition: fc.Arbitrary<{ text: string; condition: Condition }> = arbConditionText.map((text) => {
  const parsed = parseCondition(text);
  if (!parsed.ast) throw new Error(`generated condition does not parse: ${text}: ${JSON.stringify(parsed.diagnostics)}`);
  const checked = checkCondition(parsed.ast, { text });
  if (checked.diagnostics.some((d) => d.severity === "error")) {
    throw new Error(`generated condition does not check: ${text}: ${JSON.stringify(checked.diagnostics)}`);
  }
  return { text, condition: checked.condition };
});

const arbScalar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<unknown>(...STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom<unknown>(0, 1, -1, 1.5, 5, 10, 100, -3.5, 1000, 7) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.string({ maxLength: 4, unit: "binary" }) },
);

/** A JSON value over the field vocabulary: scalars, arrays (nested), objects (nested). */
export const arbValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 3 },
    { weight: 5, arbitrary: arbScalar },
    { weight: 2, arbitrary: fc.array(tie("value"), { maxLength: 3 }) },
    { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...FIELD_NAMES), tie("value"), { maxKeys: 4 }) },
  ),
})).value;

/** An event: an object over the field vocabulary (keys spelled as rules spell them). */
export const arbEvent: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(fc.constantFrom(...FIELD_NAMES), arbValue, { maxKeys: 4 });

/** One condition with a few events: the unit of the differential suites. */
export const arbCase = fc.record({ condition: arbCondition, events: fc.array(arbEvent, { minLength: 1, maxLength: 5 }) });

export interface GeneratedCase {
  readonly text: string;
  readonly condition: Condition;
  readonly events: readonly Record<string, unknown>[];
}

/**
 * A reproducible batch for batched runs (one Python process, one DuckDB table): `count`
 * conditions with `eventsPerCondition` events each, from a fixed seed.
 */
export function generateCases(seed: number, count: number, eventsPerCondition = 4): GeneratedCase[] {
  const conditions = fc.sample(arbCondition, { seed, numRuns: count });
  const events = fc.sample(fc.array(arbEvent, { minLength: eventsPerCondition, maxLength: eventsPerCondition }), { seed: seed + 1, numRuns: count });
  return conditions.map((c, i) => ({ text: c.text, condition: c.condition, events: events[i]! }));
}
