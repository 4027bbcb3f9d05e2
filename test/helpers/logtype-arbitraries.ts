import { readFileSync } from "node:fs";
import fc from "fast-check";
import type { Condition } from "../../src/ast/nodes.js";
import { quoteDouble } from "../../src/ast/print.js";
import { checkCondition } from "../../src/check/check.js";
import { rootType, schemaFor, type FieldType, type LogSchema } from "../../src/schema/schema.js";
import { parseCondition } from "../../src/syntax/ast.js";
import { arbValue, FIELD_NAMES, GLOBS, NETWORKS, REGEXES, STRINGS } from "./arbitraries.js";

/**
 * Conditions and events drawn from a log type's schema, for the per-log-type differential suites:
 * paths are the schema's fields (through arrays and objects, and a little way into its free-form
 * parts), operands and values come from the log type's samples and from the shared hostile pools,
 * events follow the schema's types (fields missing or null at random). Seeded and reproducible.
 *
 * An event conforms to what a table profile can hold (test/athena/typed.test.ts): an object has at
 * least one non-null field, since a struct column cannot tell {} from missing fields.
 */

type Kind = "string" | "ip" | "number" | "boolean" | "json" | "object" | "array";

export interface SchemaPath {
  readonly text: string;
  readonly segments: readonly string[];
  readonly kind: Kind;
  /** The element type of an array of objects (for path[cond]). */
  readonly element?: FieldType;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const segmentText = (s: string) => (IDENT.test(s) ? s : "`" + s.replace(/`/g, "``") + "`");
export const pathText = (segments: readonly string[]) => segments.map(segmentText).join(".");

function kindOf(t: FieldType): Kind {
  switch (t.type) {
    case "string":
    case "timestamp":
      return "string";
    case "ip":
      return "ip";
    default:
      return t.type;
  }
}

/** Every path of a schema (objects and arrays looked through), and a few under each free-form part. */
export function schemaPaths(fields: Readonly<Record<string, FieldType>>, prefix: readonly string[] = []): SchemaPath[] {
  const out: SchemaPath[] = [];
  for (const [k, t] of Object.entries(fields)) {
    const segments = [...prefix, k];
    let e = t;
    while (e.type === "array") e = e.items;
    out.push({ text: pathText(segments), segments, kind: kindOf(t.type === "array" ? e : t), ...(t.type === "array" && e.type === "object" ? { element: e } : {}) });
    if (t.type === "array" && e.type !== "object") out[out.length - 1] = { ...out[out.length - 1]!, kind: kindOf(e) };
    if (e.type === "object") out.push(...schemaPaths(e.fields, segments));
    if (e.type === "json") for (const n of FIELD_NAMES.slice(0, 2)) out.push({ text: pathText([...segments, n]), segments: [...segments, n], kind: "json" });
  }
  return out;
}

/** Scalar values the samples hold at each path (segments joined with dots, arrays looked through). */
function sampleValues(samples: readonly unknown[]): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, path));
    if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, path === "" ? k : `${path}.${k}`);
      return;
    }
    if (v === null || v === undefined) return;
    const list = out.get(path) ?? [];
    if (!list.includes(v) && list.length < 6) list.push(v);
    out.set(path, list);
  };
  for (const s of samples) walk(s, "");
  return out;
}

export interface LogTypeCase {
  readonly text: string;
  readonly condition: Condition;
  readonly events: readonly Record<string, unknown>[];
}

const SOME_STRINGS = STRINGS.filter((_, i) => i % 3 === 0);
const IPS = ["10.1.2.3", "192.168.1.1", "198.51.100.23", "203.0.113.66", "2001:db8::1", "AWS Internal", "::1"];
const NUMS = [0, 1, -1, 1.5, 5, 10, 200, 403, -3.5];

export class LogTypeGenerator {
  readonly schema: LogSchema;
  readonly paths: SchemaPath[];
  private readonly values: Map<string, unknown[]>;

  constructor(readonly logType: string, samples: readonly unknown[]) {
    const s = schemaFor(logType);
    if (!s || s.freeForm) throw new Error(`${logType} has no typed schema`);
    this.schema = s;
    // Panther's p_ fields: the two the events hold (the others would only be missing).
    this.paths = schemaPaths(s.fields).filter((p) => !p.segments[0]!.startsWith("p_") || p.text === "p_log_type" || p.text === "p_any_ip_addresses");
    this.values = sampleValues(samples);
  }

  private pool(segments: readonly string[], kind: Kind): unknown[] {
    const own = this.values.get(segments.join(".")) ?? [];
    switch (kind) {
      case "string":
        return [...own.filter((v) => typeof v === "string"), ...SOME_STRINGS];
      case "ip":
        return [...own.filter((v) => typeof v === "string"), ...IPS];
      case "number":
        return [...own.filter((v) => typeof v === "number"), ...NUMS];
      default:
        return own;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Conditions

  private leaf(paths: readonly SchemaPath[]): fc.Arbitrary<string> {
    const of = (kinds: Kind[]) => paths.filter((p) => kinds.includes(p.kind));
    const strs = of(["string", "ip"]);
    const ips = of(["ip"]);
    const nums = of(["number"]);
    const bools = of(["boolean"]);
    const jsons = of(["json"]);
    const q = (p: SchemaPath) => fc.constantFrom(...this.pool(p.segments, p.kind).filter((v) => typeof v === "string").map((v) => quoteDouble(v as string)));
    const list = (a: fc.Arbitrary<string>) => fc.array(a, { minLength: 1, maxLength: 3 }).map((x) => `[${x.join(", ")}]`);
    const numLit = (p: SchemaPath) => fc.constantFrom(...this.pool(p.segments, "number").map((n) => String(n)));
    const arbs: { weight: number; arbitrary: fc.Arbitrary<string> }[] = [];
    const add = (weight: number, arbitrary: fc.Arbitrary<string> | undefined) => arbitrary && arbs.push({ weight, arbitrary });
    const pick = (ps: readonly SchemaPath[]) => (ps.length > 0 ? fc.constantFrom(...ps) : undefined);
    const sp = pick(strs);
    if (sp) {
      add(6, sp.chain((p) => fc.tuple(fc.constantFrom("eq", "ne", "ieq", "ine"), q(p)).map(([o, v]) => `${p.text} ${o} ${v}`)));
      add(3, sp.chain((p) => fc.tuple(fc.constantFrom("in", "iin"), list(q(p))).map(([o, v]) => `${p.text} ${o} ${v}`)));
      add(4, sp.chain((p) => fc.tuple(fc.constantFrom("contains", "startswith", "endswith", "icontains", "istartswith", "iendswith"), fc.oneof(q(p).map((v) => v.length > 6 ? quoteDouble(JSON.parse(v).slice(1, -1)) : v), list(q(p)))).map(([o, v]) => `${p.text} ${o} ${v}`)));
      add(2, sp.chain((p) => fc.tuple(fc.constantFrom("like", "ilike"), fc.oneof(fc.constantFrom(...GLOBS).map(quoteDouble), q(p).map((v) => quoteDouble(`*${JSON.parse(v).slice(-4).replace(/[*?\\]/g, "")}`)))).map(([o, v]) => `${p.text} ${o} ${v}`)));
      add(2, sp.chain((p) => fc.tuple(fc.constantFrom("matches", "imatches"), fc.constantFrom(...REGEXES, "^[a-z]+$", "\\.com$", "^\\d+$").map(quoteDouble)).map(([o, v]) => `${p.text} ${o} ${v}`)));
      add(1, fc.tuple(sp, sp, fc.constantFrom("eq", "ne", "contains", "startswith", "ieq")).map(([a, b, o]) => `${a.text} ${o} ${b.text}`));
    }
    const ip = pick(ips);
    if (ip) add(2, ip.chain((p) => fc.oneof(fc.constantFrom(...NETWORKS).map(quoteDouble), list(fc.constantFrom(...NETWORKS).map(quoteDouble))).map((v) => `${p.text} cidr ${v}`)));
    const np = pick(nums);
    if (np) {
      add(3, np.chain((p) => fc.tuple(fc.constantFrom("eq", "ne", "gt", "ge", "lt", "le"), numLit(p)).map(([o, v]) => `${p.text} ${o} ${v}`)));
      add(1, np.chain((p) => list(numLit(p)).map((v) => `${p.text} in ${v}`)));
      add(1, fc.tuple(np, np, fc.constantFrom("eq", "ne", "gt")).map(([a, b, o]) => `${a.text} ${o} ${b.text}`));
    }
    const bp = pick(bools);
    if (bp) add(2, fc.tuple(bp, fc.constantFrom("eq", "ne"), fc.constantFrom("true", "false")).map(([p, o, v]) => `${p.text} ${o} ${v}`));
    const jp = pick(jsons);
    if (jp) {
      const anyLit = fc.oneof(fc.constantFrom(...SOME_STRINGS).map(quoteDouble), fc.constantFrom("1", "5", "true", "false"));
      add(2, fc.tuple(jp, fc.constantFrom("eq", "ne", "ieq"), anyLit).map(([p, o, v]) => `${p.text} ${o} ${v}`));
      add(1, fc.tuple(jp, fc.constantFrom("contains", "istartswith"), fc.constantFrom(...SOME_STRINGS).map(quoteDouble)).map(([p, o, v]) => `${p.text} ${o} ${v}`));
      add(1, fc.tuple(jp, fc.constantFrom("gt", "le"), fc.constantFrom("0", "5")).map(([p, o, v]) => `${p.text} ${o} ${v}`));
    }
    add(3, fc.tuple(fc.constantFrom(...paths), fc.constantFrom("exists", "empty")).map(([p, o]) => `${p.text} ${o}`));
    return fc.oneof(...arbs);
  }

  /** Condition text over the schema, with path[cond] over its arrays of objects. */
  conditionText(): fc.Arbitrary<string> {
    const top = this.leaf(this.paths);
    const arrays = this.paths.filter((p) => p.element?.type === "object");
    const inners = new Map(arrays.map((a) => [a.text, this.leaf(schemaPaths((a.element as { fields: Record<string, FieldType> }).fields))]));
    return fc.letrec<{ c: string }>((tie) => ({
      c: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        { weight: 8, arbitrary: top },
        { weight: 1, arbitrary: tie("c").map((x) => `not (${x})`) },
        { weight: 2, arbitrary: fc.tuple(tie("c"), tie("c")).map(([x, y]) => `(${x}) and (${y})`) },
        { weight: 2, arbitrary: fc.tuple(tie("c"), tie("c")).map(([x, y]) => `(${x}) or (${y})`) },
        ...(arrays.length > 0
          ? [
              {
                weight: 1,
                arbitrary: fc.constantFrom(...arrays).chain((a) => fc.tuple(inners.get(a.text)!, inners.get(a.text)!, fc.boolean()).map(([x, y, both]) => `${a.text}[${both ? `(${x}) and (${y})` : x}]`)),
              },
            ]
          : []),
      ),
    })).c;
  }

  // -------------------------------------------------------------------------------------------
  // Events

  private valueOf(t: FieldType, segments: readonly string[], depth: number, nonNull = false): fc.Arbitrary<unknown> {
    const orNull = (a: fc.Arbitrary<unknown>) => (nonNull ? a : fc.oneof({ weight: 8, arbitrary: a }, { weight: 1, arbitrary: fc.constant(null) }));
    switch (t.type) {
      case "string":
      case "timestamp":
      case "ip":
      case "number": {
        const pool = this.pool(segments, kindOf(t));
        return orNull(fc.constantFrom(...(pool.length > 0 ? pool : [""])));
      }
      case "boolean":
        return orNull(fc.boolean());
      case "json": {
        const own = this.values.get(segments.join(".")) ?? [];
        const any = own.length > 0 ? fc.oneof(arbValue, fc.constantFrom(...own)) : arbValue;
        return nonNull ? any.filter((v) => v !== null) : any;
      }
      case "array":
        return orNull(fc.array(this.valueOf(t.items, segments, depth + 1), { maxLength: depth > 2 ? 1 : 3 }));
      case "object":
        return orNull(this.objectOf(t.fields, segments, depth + 1));
    }
  }

  /**
   * An object of the schema's fields: each present, missing or null at random, and one of them (at
   * random) present and not null, since a struct cannot hold {}.
   */
  private objectOf(fields: Readonly<Record<string, FieldType>>, prefix: readonly string[], depth: number): fc.Arbitrary<Record<string, unknown>> {
    const entries = Object.entries(fields).filter(([k]) => depth > 0 || !k.startsWith("p_") || k === "p_any_ip_addresses" || k === "p_log_type");
    const deep = depth > 4;
    const rec: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [k, t] of entries) rec[k] = deep ? fc.constant(undefined) : this.valueOf(t, [...prefix, k], depth);
    // The anchor: a scalar field where there is one (cheap to make non-null), else any field.
    const scalars = entries.filter(([, t]) => !["object", "array", "json"].includes(t.type));
    const anchors = scalars.length > 0 ? scalars : entries;
    return fc.constantFrom(...anchors).chain(([anchor, t]) =>
      fc
        .record({ ...rec, [anchor]: this.valueOf(t, [...prefix, anchor], depth, true) }, { requiredKeys: [anchor] })
        .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))),
    );
  }

  events(count: number): fc.Arbitrary<Record<string, unknown>[]> {
    return fc.array(this.objectOf(this.schema.fields, [], 0), { minLength: count, maxLength: count });
  }

  /** A reproducible batch; conditions the checker rejects against the schema are left out. */
  cases(seed: number, count: number, eventsPerCondition: number): LogTypeCase[] {
    const texts = fc.sample(this.conditionText(), { seed, numRuns: count });
    const events = fc.sample(this.events(eventsPerCondition), { seed: seed + 1, numRuns: count });
    const out: LogTypeCase[] = [];
    texts.forEach((text, i) => {
      const parsed = parseCondition(text);
      if (!parsed.ast) throw new Error(`generated condition does not parse: ${text}: ${JSON.stringify(parsed.diagnostics)}`);
      const checked = checkCondition(parsed.ast, { text, schema: rootType(this.schema) });
      if (checked.diagnostics.some((d) => d.severity === "error")) return;
      out.push({ text, condition: checked.condition, events: events[i]! });
    });
    return out;
  }
}

/** A log type's sample events (src/logtypes/<name>/samples.json). */
export function samplesOf(logType: string): unknown[] {
  const file = new URL(`../../src/logtypes/${logType.toLowerCase()}/samples.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { event: unknown }[]).map((s) => s.event);
}
