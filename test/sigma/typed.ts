import fc from "fast-check";
import { quoteDouble } from "../../src/ast/print.js";
import { checkCondition } from "../../src/check/check.js";
import type { Condition } from "../../src/ast/nodes.js";
import { rootType, type LogSchema } from "../../src/schema/schema.js";
import { parseCondition } from "../../src/syntax/ast.js";
import { GLOBS, NETWORKS, REGEXES, STRINGS, arbValue } from "../helpers/arbitraries.js";

/**
 * A typed test schema and generators whose events follow it, so that the Sigma target's
 * schema-based proofs (numbers, booleans, exists, empty, one object vs. arrays, `$`) are exercised:
 * the shared schema-less arbitraries make the target reject most of those.
 */
const S = { type: "string" } as const;
const N = { type: "number" } as const;
const B = { type: "boolean" } as const;
export const TYPED_SCHEMA: LogSchema = {
  logType: "Test.Typed",
  fields: {
    s: S,
    t: S,
    n: N,
    m: N,
    b: B,
    ip: { type: "ip" },
    o: { type: "object", fields: { s: S, n: N, b: B } },
    arr: { type: "array", items: { type: "object", fields: { s: S, n: N, b: B } } },
    tags: { type: "array", items: S },
    j: { type: "json" },
  },
};

const STRING_PATHS = ["s", "t", "o.s", "arr.s", "tags", "j.s", "ip"];
const NUMBER_PATHS = ["n", "m", "o.n", "arr.n", "j.n"];
const BOOL_PATHS = ["b", "o.b", "arr.b", "j.b"];
const ALL_PATHS = [...STRING_PATHS, ...NUMBER_PATHS, ...BOOL_PATHS, "o", "arr", "j"];
const NUMS = ["0", "1", "-1", "1.5", "5", "10", "-3.5"];

const q = (xs: readonly string[]) => fc.constantFrom(...xs).map(quoteDouble);
const listOf = (a: fc.Arbitrary<string>) => fc.array(a, { minLength: 1, maxLength: 3 }).map((x) => `[${x.join(", ")}]`);
const one = <T>(xs: readonly T[]) => fc.constantFrom(...xs);

function leaf(paths: { str: string[]; num: string[]; bool: string[]; all: string[] }): fc.Arbitrary<string> {
  const sp = one(paths.str);
  const np = one(paths.num);
  const bp = one(paths.bool);
  return fc.oneof(
    fc.tuple(sp, one(["eq", "ne", "ieq", "ine"]), q(STRINGS)).map(([p, o, v]) => `${p} ${o} ${v}`),
    fc.tuple(sp, one(["in", "iin"]), listOf(q(STRINGS))).map(([p, o, v]) => `${p} ${o} ${v}`),
    fc.tuple(sp, one(["contains", "startswith", "endswith", "icontains", "istartswith", "iendswith"]), fc.oneof(q(STRINGS), listOf(q(STRINGS)))).map(([p, o, v]) => `${p} ${o} ${v}`),
    fc.tuple(sp, one(["like", "ilike"]), q(GLOBS)).map(([p, o, v]) => `${p} ${o} ${v}`),
    fc.tuple(sp, one(["matches", "imatches"]), fc.oneof(q(REGEXES), q(["^[a-z]+$", "^x$|^y$", "^\\d+$", "b$", "^a.c$", "(?:ab|cd)$"]))).map(([p, o, v]) => `${p} ${o} ${v}`),
    fc.tuple(sp, q(NETWORKS)).map(([p, v]) => `${p} cidr ${v}`),
    fc.tuple(np, one(["eq", "ne", "gt", "ge", "lt", "le"]), one(NUMS)).map(([p, o, v]) => `${p} ${o} ${v}`),
    fc.tuple(np, listOf(one(NUMS))).map(([p, v]) => `${p} in ${v}`),
    fc.tuple(bp, one(["eq", "ne"]), one(["true", "false"])).map(([p, o, v]) => `${p} ${o} ${v}`),
    fc.tuple(one(paths.all), one(["exists", "empty"])).map(([p, o]) => `${p} ${o}`),
    fc.tuple(sp, one(["eq", "ne", "contains", "startswith", "endswith", "ieq"]), sp).map(([a, o, b]) => `${a} ${o} ${b}`),
    fc.tuple(np, one(["eq", "ne"]), np).map(([a, o, b]) => `${a} ${o} ${b}`),
  );
}

const TOP = { str: STRING_PATHS, num: NUMBER_PATHS, bool: BOOL_PATHS, all: ALL_PATHS };
const INNER = { str: ["s"], num: ["n"], bool: ["b"], all: ["s", "n", "b"] };

const arbText: fc.Arbitrary<string> = fc.letrec<{ c: string; inner: string }>((tie) => ({
  c: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 6, arbitrary: leaf(TOP) },
    { weight: 1, arbitrary: tie("c").map((x) => `not (${x})`) },
    { weight: 2, arbitrary: fc.tuple(tie("c"), tie("c")).map(([x, y]) => `(${x}) and (${y})`) },
    { weight: 2, arbitrary: fc.tuple(tie("c"), tie("c")).map(([x, y]) => `(${x}) or (${y})`) },
    { weight: 2, arbitrary: fc.tuple(one(["arr", "o"]), tie("inner")).map(([p, x]) => `${p}[${x}]`) },
  ),
  inner: fc.oneof(
    { depthSize: "small" },
    { weight: 4, arbitrary: leaf(INNER) },
    { weight: 1, arbitrary: tie("inner").map((x) => `not (${x})`) },
    { weight: 2, arbitrary: fc.tuple(tie("inner"), tie("inner")).map(([x, y]) => `(${x}) and (${y})`) },
    { weight: 2, arbitrary: fc.tuple(tie("inner"), tie("inner")).map(([x, y]) => `(${x}) or (${y})`) },
  ),
})).c;

const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: a }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.constant(undefined) });
const str = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...STRINGS) }, { weight: 1, arbitrary: fc.string({ maxLength: 3 }) });
const numv = fc.constantFrom(0, 1, -1, 1.5, 5, 10, -3.5, 100, 7);
const inner = fc.record({ s: maybe(str), n: maybe(numv), b: maybe(fc.boolean()) });
const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** Events that follow TYPED_SCHEMA (fields missing or null at random; `j` is free-form). */
export const arbTypedEvent = fc
  .record({
    s: maybe(str),
    t: maybe(str),
    n: maybe(numv),
    m: maybe(numv),
    b: maybe(fc.boolean()),
    ip: maybe(fc.constantFrom("10.1.2.3", "192.168.1.1", "2001:db8::1", "AWS Internal", "8.8.8.8")),
    o: maybe(inner.map(clean)),
    arr: maybe(fc.array(inner.map(clean), { maxLength: 3 })),
    tags: maybe(fc.array(str, { maxLength: 3 })),
    j: maybe(arbValue),
  })
  .map(clean);

export interface TypedCase {
  readonly text: string;
  readonly condition: Condition;
  readonly events: readonly Record<string, unknown>[];
}

/** A reproducible batch; conditions the checker rejects (operand types) are left out. */
export function typedCases(seed: number, count: number, eventsPerCondition: number): TypedCase[] {
  const texts = fc.sample(arbText, { seed, numRuns: count });
  const events = fc.sample(fc.array(arbTypedEvent, { minLength: eventsPerCondition, maxLength: eventsPerCondition }), { seed: seed + 1, numRuns: count });
  const out: TypedCase[] = [];
  texts.forEach((text, i) => {
    const parsed = parseCondition(text);
    if (!parsed.ast) throw new Error(`typed generator made an unparsable condition: ${text}`);
    const checked = checkCondition(parsed.ast, { text, schema: rootType(TYPED_SCHEMA) });
    if (checked.diagnostics.some((d) => d.severity === "error")) return;
    out.push({ text, condition: checked.condition, events: events[i]! });
  });
  return out;
}
