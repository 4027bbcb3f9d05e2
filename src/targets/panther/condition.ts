import { assertNever, baseOperator, isCaseInsensitive, type Compare, type Condition, type Literal, type Path } from "../../ast/nodes.js";
import { parseNetwork } from "../../check/cidr.js";
import { parseGlob } from "../../check/glob.js";
import { emitRegex, FLAVORS, lowerRegex, parseRegex } from "../../check/regex.js";
import { resolvePath, type FieldType } from "../../schema/schema.js";
import type { HelperName } from "./helpers.js";
import { atom, bool, call, cmp, literal, not, type Py } from "./layout.js";
import { pyBool, pyNumber, pyRegexPieces, pyString, pyStringPieces } from "./quote.js";

/**
 * A condition as one Python expression over `event`. Where the schema says a path can never hold
 * an array (every segment an object field, the last one not an array or free-form json), the value
 * is read once with `event.get` / `event.deep_get` and compared directly; everywhere else (and
 * always without a schema) the helpers walk arrays and compare every value, as the reference
 * semantics does.
 */

export class ConditionCompiler {
  readonly used = new Set<HelperName>();

  constructor(private readonly schema: FieldType | undefined) {}

  private use(h: HelperName): void {
    this.used.add(h);
  }

  compile(c: Condition): Py {
    return this.cond(c, "event");
  }

  private cond(c: Condition, root: string): Py {
    switch (c.kind) {
      case "and":
        return bool("and", c.items.map((i) => this.cond(i, root)));
      case "or":
        return bool("or", c.items.map((i) => this.cond(i, root)));
      case "not":
        return negate(this.cond(c.operand, root));
      case "exists": {
        const single = this.single(c.path, root);
        if (single && single.arrayFree) return cmp(single.expr, "is not", atom("None"));
        this.use("_exists");
        return call("_exists", atom(root), ...keyArgs(c.path));
      }
      case "empty": {
        const single = this.single(c.path, root);
        if (single && single.arrayFree) {
          if (single.scalar) return cmp(single.expr, "in", { k: "tuple", items: [atom("None"), atom('""')] });
          // An object: missing, null or {} (a read-only mapping equals {} when it is empty).
          if (single.object) return cmp(single.expr, "in", { k: "tuple", items: [atom("None"), atom("{}")] });
        }
        this.use("_empty");
        return call("_empty", atom(root), ...keyArgs(c.path));
      }
      case "any": {
        this.use("_values");
        const inner = this.cond(c.condition, "item");
        return { k: "gen", fn: "any", elt: inner, clauses: [{ name: "item", iter: this.values(c.path, root) }] };
      }
      case "compare":
        return this.compare(c, root);
      default:
        return assertNever(c);
    }
  }

  /**
   * The path as one value expression when the schema says it never holds (or passes through) an
   * array; only at the event's root (inside `path[cond]` elements are not `event`).
   */
  private single(path: Path, root: string): { expr: Py; arrayFree: boolean; scalar: boolean; object: boolean } | undefined {
    if (root !== "event" || !this.schema) return undefined;
    const names = path.segments.map((s) => s.name);
    const r = resolvePath(this.schema, names);
    if (!r.ok) return undefined;
    for (const s of r.segments.slice(0, -1)) if (s.type.type !== "object") return undefined;
    const t = r.type.type;
    if (t === "array" || t === "json") return undefined;
    return { expr: access(path), arrayFree: true, scalar: t !== "object", object: t === "object" };
  }

  private values(path: Path, root: string): Py {
    this.use("_values");
    return call("_values", atom(root), ...keyArgs(path));
  }

  /** `test(x)` for the value of `path`: once on the single value, or on any of the values. */
  private onValues(path: Path, root: string, test: (x: Py) => Py): Py {
    const single = this.single(path, root);
    if (single) return test(single.expr);
    return { k: "gen", fn: "any", elt: test(atom("value")), clauses: [{ name: "value", iter: this.values(path, root) }] };
  }

  private compare(c: Compare, root: string): Py {
    const op = baseOperator(c.op);
    const fold = isCaseInsensitive(c.op);
    if (c.operand.kind === "path") return this.fieldCompare(c, root);
    const literals = c.operand.kind === "list" ? c.operand.items : [c.operand];
    const lowered = (x: Py): Py => (fold ? this.lower(x) : x);
    switch (op) {
      case "eq":
      case "ne":
      case "in": {
        const values = fold ? literals.map(lowerLiteral) : literals;
        const positive = this.equality(c.path, root, values, fold);
        return op === "ne" ? negate(positive) : positive;
      }
      case "gt":
      case "ge":
      case "lt":
      case "le": {
        this.use("_number");
        const sym = { gt: ">", ge: ">=", lt: "<", le: "<=" }[op];
        const n = atom(literalText(literals[0]!));
        return this.onValues(c.path, root, (x) => cmp(call("_number", x), sym, n));
      }
      case "contains":
      case "startswith":
      case "endswith": {
        const fn = `_${op}` as const;
        this.use(fn);
        const parts = strings(literals, fold).map((s) => literal(pyStringPieces(s)));
        return this.onValues(c.path, root, (x) => call(fn, lowered(x), ...parts));
      }
      case "like": {
        this.use("_like");
        const patterns = strings(literals, fold).map((s) => literal(pyRegexPieces(globRegex(s))));
        return this.onValues(c.path, root, (x) => call("_like", lowered(x), ...patterns));
      }
      case "matches": {
        this.use("_matches");
        const patterns = literals.map((l) => {
          const parsed = parseRegex(String(l.value));
          if (!parsed.ast) throw new Error(`unchecked regex: ${parsed.error?.message}`);
          return literal(pyRegexPieces(emitRegex(fold ? lowerRegex(parsed.ast) : parsed.ast, FLAVORS.python)));
        });
        return this.onValues(c.path, root, (x) => call("_matches", lowered(x), ...patterns));
      }
      case "cidr": {
        this.use("_cidr");
        const nets = literals.map((l) => {
          const r = parseNetwork(String(l.value));
          if (!("network" in r)) throw new Error(`unchecked network: ${r.message}`);
          return atom(pyString(r.network.text));
        });
        return this.onValues(c.path, root, (x) => call("_cidr", x, ...nets));
      }
      default:
        throw new Error(`operator '${c.op}' has no Python form`);
    }
  }

  private lower(x: Py): Py {
    this.use("_lower");
    return call("_lower", x);
  }

  /** eq / in (the positive test), with the plainest Python that is still exact. */
  private equality(path: Path, root: string, values: readonly Literal[], fold: boolean): Py {
    const single = this.single(path, root);
    // A tuple test `x in (...)` is exact only without booleans (in Python True == 1).
    const plain = values.every(plainEquality) && (values.length === 1 || values.every((v) => v.kind !== "boolean"));
    const lit = (l: Literal) => (l.kind === "string" ? literal(pyStringPieces(l.value)) : atom(literalText(l)));
    if (plain) {
      if (values.length === 1) {
        const v = values[0]!;
        if (v.kind === "boolean") {
          const t = (x: Py) => cmp(x, "is", atom(pyBool(v.value)));
          return single ? t(single.expr) : this.onValues(path, root, t);
        }
        if (single) return cmp(fold ? this.lower(single.expr) : single.expr, "==", lit(v));
        // Values are flattened scalars or objects: `==` with a plain literal is exact.
        if (!fold) return cmp(lit(v), "in", this.values(path, root));
        return this.onValues(path, root, (x) => cmp(this.lower(x), "==", lit(v)));
      }
      const tuple: Py = { k: "tuple", items: values.map(lit) };
      return this.onValues(path, root, (x) => cmp(fold ? this.lower(x) : x, "in", tuple));
    }
    this.use("_eq");
    const tests = (x: Py): Py => bool("or", values.map((v) => call("_eq", x, lit(v))));
    if (single) {
      if (values.length === 1) return tests(fold ? this.lower(single.expr) : single.expr);
    }
    const each = (x: Py): Py => (values.length === 1 ? call("_eq", x, lit(values[0]!)) : anyOf(x, values.map(lit)));
    return this.onValues(path, root, (x) => each(fold ? this.lower(x) : x));
  }

  /** `a op b` for two fields of the same element: any pair of values. */
  private fieldCompare(c: Compare, root: string): Py {
    const op = baseOperator(c.op);
    const fold = isCaseInsensitive(c.op);
    const other = c.operand as Path;
    const f = (x: Py): Py => (fold ? this.lower(x) : x);
    let test: (a: Py, b: Py) => Py;
    switch (op) {
      case "eq":
      case "ne":
        this.use("_eq");
        test = (a, b) => call("_eq", f(a), f(b));
        break;
      case "gt":
      case "ge":
      case "lt":
      case "le": {
        this.use("_number");
        const sym = { gt: ">", ge: ">=", lt: "<", le: "<=" }[op];
        test = (a, b) => cmp(call("_number", a), sym, call("_number", b));
        break;
      }
      case "contains":
      case "startswith":
      case "endswith": {
        const fn = `_${op}` as const;
        this.use(fn);
        test = (a, b) => bool("and", [call("isinstance", b, atom("str")), call(fn, f(a), f(b))]);
        break;
      }
      default:
        throw new Error(`a field operand is not allowed with '${c.op}'`);
    }
    const left = this.single(c.path, root);
    const right = this.single(other, root);
    let positive: Py;
    if (left && right) positive = test(left.expr, right.expr);
    else {
      positive = {
        k: "gen",
        fn: "any",
        elt: test(atom("left"), atom("right")),
        clauses: [
          { name: "left", iter: this.values(c.path, root) },
          { name: "right", iter: this.values(other, root) },
        ],
      };
    }
    return op === "ne" ? negate(positive) : positive;
  }
}

function anyOf(x: Py, options: readonly Py[]): Py {
  return { k: "gen", fn: "any", elt: call("_eq", x, atom("option")), clauses: [{ name: "option", iter: { k: "tuple", items: options } }] };
}

/**
 * `not p`, turning `==`/`in`/`is` into their negated operators where that reads better. Every `p`
 * here is a boolean (a test), so `not not x` is `x`.
 */
export function negate(p: Py): Py {
  if (p.k === "cmp") {
    const flip: Record<string, string> = { "==": "!=", "!=": "==", in: "not in", "not in": "in", is: "is not", "is not": "is" };
    const f = flip[p.op];
    if (f) return cmp(p.left, f, p.right);
  }
  if (p.k === "not") return p.operand;
  return not(p);
}

/** A literal `==` compares exactly: no booleans, no number Python confuses with one (0, 1). */
function plainEquality(l: Literal): boolean {
  if (l.kind === "string") return true;
  if (l.kind === "boolean") return true;
  const v = l.value;
  return v !== 0 && v !== 1 && (Number.isSafeInteger(v) || !Number.isInteger(v)) && Number.isFinite(v);
}

function lowerLiteral(l: Literal): Literal {
  return l.kind === "string" ? { ...l, value: l.value.toLowerCase() } : l;
}

function literalText(l: Literal): string {
  switch (l.kind) {
    case "string":
      return pyString(l.value);
    case "number":
      return pyNumber(l.value);
    case "boolean":
      return pyBool(l.value);
    default:
      return assertNever(l);
  }
}

function strings(literals: readonly Literal[], fold: boolean): string[] {
  return literals.filter((l) => l.kind === "string").map((l) => (fold ? String(l.value).toLowerCase() : String(l.value)));
}

/** The path's keys as Python string arguments. */
export function keyArgs(path: Path): Py[] {
  return path.segments.map((s) => literal(pyStringPieces(s.name)));
}

/** `event.get("a")` or `event.deep_get("a", "b")`: None when missing or null. */
export function access(path: Path): Py {
  const keys = keyArgs(path);
  return keys.length === 1 ? call("event.get", keys[0]!) : call("event.deep_get", ...keys);
}

const REGEX_META = new Set([..."\\.^$*+?{}[]|()"]);

/** A `like` glob as a Python regular expression for re.fullmatch(..., re.DOTALL). */
export function globRegex(glob: string): string {
  return parseGlob(glob)
    .map((p) => (p.t === "star" ? ".*" : p.t === "one" ? "." : [...p.text].map((ch) => (REGEX_META.has(ch) ? "\\" + ch : ch)).join("")))
    .join("");
}
