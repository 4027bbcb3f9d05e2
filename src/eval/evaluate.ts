import { assertNever, baseOperator, isCaseInsensitive, type Compare, type Condition, type Literal, type Path } from "../ast/nodes.js";
import { inNetwork, parseAddress, parseNetwork, type Network } from "../check/cidr.js";
import { globToRegExp } from "../check/glob.js";
import { lowerRegex, parseRegex, toJsRegExp } from "../check/regex.js";

/**
 * The reference evaluator: LANGUAGE.md sections 3 and 3.1, word for word. Every target is tested
 * against it. A condition is compiled once into closures; the AST must have passed the checks
 * (operands valid, regexes in the subset, networks well formed).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Predicate = (event: unknown) => boolean;

const compiled = new WeakMap<Condition, Predicate>();

export function evaluate(condition: Condition, event: unknown): boolean {
  let p = compiled.get(condition);
  if (!p) {
    p = compileCondition(condition);
    compiled.set(condition, p);
  }
  return p(event);
}

export function compileCondition(c: Condition): Predicate {
  switch (c.kind) {
    case "and": {
      const items = c.items.map(compileCondition);
      return (e) => {
        for (const p of items) if (!p(e)) return false;
        return true;
      };
    }
    case "or": {
      const items = c.items.map(compileCondition);
      return (e) => {
        for (const p of items) if (p(e)) return true;
        return false;
      };
    }
    case "not": {
      const p = compileCondition(c.operand);
      return (e) => !p(e);
    }
    case "exists": {
      const segs = keys(c.path);
      return (e) => branches(e, segs).some((v) => v !== undefined && v !== null);
    }
    case "empty": {
      const segs = keys(c.path);
      return (e) => {
        const bs = branches(e, segs);
        return bs.length === 0 || bs.some(isEmptyValue);
      };
    }
    case "any": {
      const segs = keys(c.path);
      const inner = compileCondition(c.condition);
      return (e) => elements(e, segs).some(inner);
    }
    case "compare":
      return compileCompare(c);
    default:
      return assertNever(c);
  }
}

// ---------------------------------------------------------------------------------------------
// Paths

interface Key {
  readonly name: string;
  readonly lower: string;
  /** The lower-case name is ASCII: a key can only match it with the same length. */
  readonly ascii: boolean;
}

function keys(path: Path): readonly Key[] {
  return path.segments.map((s) => {
    const lower = s.name.toLowerCase();
    return { name: s.name, lower, ascii: /^[\x00-\x7f]*$/.test(lower) };
  });
}

const hasOwn = Object.prototype.hasOwnProperty;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A key exactly, or else the first key equal to it case-insensitively. */
export function lookup(obj: Record<string, unknown>, key: Key): unknown {
  if (hasOwn.call(obj, key.name)) return obj[key.name];
  const length = key.lower.length;
  for (const k in obj) {
    if (key.ascii && k.length !== length) continue;
    if (hasOwn.call(obj, k) && k.toLowerCase() === key.lower) return obj[k];
  }
  return undefined;
}

/**
 * Every value the path reaches, one per branch: arrays on the way are walked element by element
 * (nested arrays too); a branch that does not resolve gives `undefined`. The final value is kept
 * whole (an array stays an array).
 */
function branches(root: unknown, segs: readonly Key[]): unknown[] {
  const out: unknown[] = [];
  walk(root, segs, 0, out);
  return out;
}

function walk(v: unknown, segs: readonly Key[], i: number, out: unknown[]): void {
  if (i === segs.length) {
    out.push(v);
    return;
  }
  if (Array.isArray(v)) {
    for (const e of v) walk(e, segs, i, out);
    return;
  }
  if (isObject(v)) {
    const child = lookup(v, segs[i]!);
    if (child === undefined) out.push(undefined);
    else walk(child, segs, i + 1, out);
    return;
  }
  out.push(undefined);
}

/** The values a comparison looks at: final arrays flattened, missing values (null) dropped. */
function leaves(root: unknown, segs: readonly Key[]): unknown[] {
  const out: unknown[] = [];
  for (const v of branches(root, segs)) flatten(v, out);
  return out;
}

function flatten(v: unknown, out: unknown[]): void {
  if (v === undefined || v === null) return;
  if (Array.isArray(v)) for (const e of v) flatten(e, out);
  else out.push(v);
}

/** The elements `path[cond]` binds: innermost elements of the arrays reached; a lone value is one. */
function elements(root: unknown, segs: readonly Key[]): unknown[] {
  return leaves(root, segs);
}

function isEmptyValue(v: unknown): boolean {
  if (v === undefined || v === null || v === "") return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) {
    for (const k in v) if (hasOwn.call(v, k)) return false;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Comparisons

const NUMERIC = /^-?[0-9]+(?:\.[0-9]+)?$/;

/** A number, or a string that is exactly a decimal number; anything else is NaN. */
export function numericValue(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && NUMERIC.test(v)) return Number(v);
  return NaN;
}

/** Unicode default lower case (with the final-sigma rule), as Python's str.lower(). */
export function lower(s: string): string {
  return s.toLowerCase();
}

type Test = (v: unknown) => boolean;
type Relation = (a: unknown, b: unknown) => boolean;

function typedEqual(a: unknown, b: unknown): boolean {
  return typeof a === typeof b && typeof a !== "object" && a === b;
}

function foldCase(v: unknown): unknown {
  return typeof v === "string" ? lower(v) : v;
}

const RELATIONS: Record<"eq" | "gt" | "ge" | "lt" | "le" | "contains" | "startswith" | "endswith", Relation> = {
  eq: typedEqual,
  gt: (a, b) => numericValue(a) > numericValue(b),
  ge: (a, b) => numericValue(a) >= numericValue(b),
  lt: (a, b) => numericValue(a) < numericValue(b),
  le: (a, b) => numericValue(a) <= numericValue(b),
  contains: (a, b) => typeof a === "string" && typeof b === "string" && a.includes(b),
  startswith: (a, b) => typeof a === "string" && typeof b === "string" && a.startsWith(b),
  endswith: (a, b) => typeof a === "string" && typeof b === "string" && a.endsWith(b),
};

function compileCompare(c: Compare): Predicate {
  const op = baseOperator(c.op);
  const fold = isCaseInsensitive(c.op);
  const negate = op === "ne";
  const segs = keys(c.path);
  let positive: Predicate;

  if (c.operand.kind === "path") {
    const rel = RELATIONS[(negate ? "eq" : op) as keyof typeof RELATIONS];
    if (!rel) throw new Error(`a field operand is not allowed with '${c.op}'`);
    const other = keys(c.operand);
    const relation: Relation = fold ? (a, b) => rel(foldCase(a), foldCase(b)) : rel;
    positive = (e) => {
      const left = leaves(e, segs);
      if (left.length === 0) return false;
      const right = leaves(e, other);
      for (const a of left) for (const b of right) if (relation(a, b)) return true;
      return false;
    };
  } else {
    const test = literalTest(c, negate ? "eq" : op, fold);
    positive = (e) => {
      // Fast path: a path through objects only, to a value that is not an array.
      let v: unknown = e;
      for (let i = 0; i < segs.length; i++) {
        if (!isObject(v)) {
          if (Array.isArray(v)) return anyLeaf(e, segs, test);
          return false;
        }
        v = lookup(v, segs[i]!);
        if (v === undefined || v === null) return false;
      }
      if (Array.isArray(v)) return anyLeaf(e, segs, test);
      return test(v);
    };
  }
  return negate ? (e) => !positive(e) : positive;
}

function anyLeaf(e: unknown, segs: readonly Key[], test: Test): boolean {
  for (const v of leaves(e, segs)) if (test(v)) return true;
  return false;
}

function operandValues(c: Compare): readonly Literal[] {
  if (c.operand.kind === "list") return c.operand.items;
  if (c.operand.kind === "path") return [];
  return [c.operand];
}

function anyOf(tests: Test[]): Test {
  if (tests.length === 1) return tests[0]!;
  return (v) => {
    for (const t of tests) if (t(v)) return true;
    return false;
  };
}

function literalTest(c: Compare, op: string, fold: boolean): Test {
  const values = operandValues(c).map((l) => l.value);
  const str = (t: (s: string) => boolean): Test => (v) => typeof v === "string" && t(fold ? lower(v) : v);
  const strings = values.filter((x): x is string => typeof x === "string").map((s) => (fold ? lower(s) : s));
  switch (op) {
    case "eq":
    case "in": {
      const wanted = fold ? values.map(foldCase) : values;
      return (v) => {
        const x = fold ? foldCase(v) : v;
        for (const w of wanted) if (typedEqual(x, w)) return true;
        return false;
      };
    }
    case "gt":
    case "ge":
    case "lt":
    case "le": {
      const rel = RELATIONS[op];
      const n = values[0];
      return (v) => rel(v, n);
    }
    case "contains":
      return anyOf(strings.map((s) => str((v) => v.includes(s))));
    case "startswith":
      return anyOf(strings.map((s) => str((v) => v.startsWith(s))));
    case "endswith":
      return anyOf(strings.map((s) => str((v) => v.endsWith(s))));
    case "like":
      return anyOf(strings.map((s) => {
        const re = globToRegExp(s);
        return str((v) => re.test(v));
      }));
    case "matches":
      return anyOf(
        operandValues(c).map((l) => {
          const parsed = parseRegex(String(l.value));
          if (!parsed.ast) throw new Error(`unchecked regex: ${parsed.error?.message}`);
          const re = toJsRegExp(fold ? lowerRegex(parsed.ast) : parsed.ast);
          return str((v) => re.test(v));
        }),
      );
    case "cidr": {
      const nets: Network[] = values.map((s) => {
        const r = parseNetwork(String(s));
        if (!("network" in r)) throw new Error(`unchecked network: ${r.message}`);
        return r.network;
      });
      return (v) => {
        if (typeof v !== "string") return false;
        const a = parseAddress(v);
        return a !== undefined && nets.some((n) => inNetwork(a, n));
      };
    }
    default:
      throw new Error(`operator '${op}' has no literal test`);
  }
}
