import {
  assertNever,
  baseOperator,
  isCaseInsensitive,
  pathText,
  type Compare,
  type Condition,
  type Literal,
  type Path,
} from "../../ast/nodes.js";
import { parseNetwork } from "../../check/cidr.js";
import { parseGlob } from "../../check/glob.js";
import { emitRegex, lowerRegex, parseRegex } from "../../check/regex.js";
import { and, block, FALSE, leaf, not, or, PREC, quant, TRUE, type BoolExpr } from "./bool.js";
import { lowerTier, NUMERIC_JAVA, NUMERIC_RE2, type Dialect, type LowerTier } from "./dialect.js";
import { sqlIdent, sqlNumber, sqlString } from "./escape.js";
import { columnName, findField, type ColumnType, type Profile } from "./profile.js";

/**
 * The SQL printer shared by Athena (Trino) and DuckDB: condition AST -> WHERE clause, output fields
 * -> SELECT list, options -> FROM and the time window. Engine differences live in the Dialect
 * table; table layouts live in the Profile data. Reference semantics: LANGUAGE.md section 3.
 */

export class Unsupported extends Error {}

interface Bind {
  readonly list: string;
  readonly v: string;
}

/** Where a path leads: a typed column (maybe through arrays), a place inside JSON text, or nowhere. */
type Ref =
  | { readonly k: "missing" }
  | { readonly k: "typed"; readonly binds: readonly Bind[]; readonly expr: string; readonly t: ColumnType }
  /**
   * `object`: the base is known to hold a JSON object (the whole event, an element bound by
   * `path[cond]`); `element`: the base is such an element, never NULL.
   */
  | {
      readonly k: "json";
      readonly binds: readonly Bind[];
      readonly base: string;
      readonly keys: readonly string[];
      readonly object?: boolean;
      readonly element?: boolean;
    };

/** The scope paths are resolved in: the table, or an element bound by `path[cond]`. */
type Scope =
  | { readonly k: "table" }
  | { readonly k: "typed"; readonly expr: string; readonly t: ColumnType }
  | { readonly k: "json"; readonly base: string; readonly object?: boolean; readonly element?: boolean }
  | { readonly k: "missing" };

/** The leaves of a value, split by JSON type, each a set of SQL values to test existentially. */
interface ValueSet {
  readonly binds: readonly Bind[];
  /** `one`: expr is one nullable value; `many`: expr is a list. */
  readonly shape: "one" | "many";
  readonly expr: string;
  /** Booleans stored as the text 'true'/'false' (the AWS table's readonly column). */
  readonly booleanText?: boolean;
}

interface Leaves {
  readonly strings?: ValueSet;
  readonly numbers?: ValueSet;
  readonly booleans?: ValueSet;
}

export class SqlPrinter {
  private vars = 0;

  constructor(
    readonly dialect: Dialect,
    readonly profile: Profile,
  ) {}

  private fresh(): string {
    this.vars++;
    return `x${this.vars}`;
  }

  /** Binds a variable to each element of every array the typed value is, down to its elements. */
  private unwrapArrays(ref: { readonly binds: readonly Bind[]; readonly expr: string; readonly t: ColumnType }): {
    binds: readonly Bind[];
    expr: string;
    t: Exclude<ColumnType, { readonly type: "array" }>;
  } {
    let { binds, expr, t } = ref;
    while (t.type === "array") {
      const v = this.fresh();
      binds = [...binds, { list: expr, v }];
      expr = v;
      t = t.items;
    }
    return { binds, expr, t: t as Exclude<ColumnType, { readonly type: "array" }> };
  }

  // -------------------------------------------------------------------------------------------
  // Paths

  resolve(path: Path | readonly string[], scope: Scope): Ref {
    const names = "segments" in path ? path.segments.map((s) => s.name) : path;
    let binds: Bind[] = [];
    let cur: Ref;
    let i = 0;
    if (scope.k === "missing") return { k: "missing" };
    if (scope.k === "json") cur = { k: "json", binds, base: scope.base, keys: [], object: scope.object === true, element: scope.element === true };
    else if (scope.k === "typed") cur = { k: "typed", binds, expr: scope.expr, t: scope.t };
    else if (this.profile.root) cur = { k: "json", binds, base: sqlIdent(this.profile.root.column), keys: [], object: true };
    else {
      const columns = this.profile.columns ?? {};
      const name = names[0]!;
      const found = findField(columns, name);
      if (!found) throw new Unsupported(`field '${name}' has no column in the table profile '${this.profile.name}'`);
      const col = sqlIdent(columnName(found[0], found[1]));
      // A column that keeps the vendor's no-value text (`-`) reads it as NULL, as the record has no value there.
      const t = found[1];
      let expr = col;
      // A quoted field (S3's "GET /key HTTP/1.1"): the text between the quotes, as rulec's reader reads it.
      if (t.type === "string" && t.quoted) expr = `CASE WHEN length(${col}) >= 2 AND ${col} LIKE '"%"' THEN substr(${col}, 2, length(${col}) - 2) ELSE ${col} END`;
      if (t.type === "string" && t.null !== undefined) expr = `nullif(${expr}, ${sqlString(t.null)})`;
      cur = { k: "typed", binds, expr, t };
      i = 1;
    }
    while (i < names.length) {
      const name = names[i]!;
      if (cur.k === "json") {
        this.checkKey(name);
        cur = { ...cur, keys: [...cur.keys, name] };
        i++;
        continue;
      }
      const t: ColumnType = cur.t;
      switch (t.type) {
        case "array": {
          const v = this.fresh();
          binds = [...binds, { list: cur.expr, v }];
          cur = { k: "typed", binds, expr: v, t: t.items };
          continue; // the same segment applies to each element
        }
        case "struct": {
          const found: [string, ColumnType] | undefined = findField<ColumnType>(t.fields, name);
          if (!found) {
            throw new Unsupported(`field '${pathText(names.slice(0, i + 1).map((n) => ({ name: n, quoted: false, span: { start: 0, end: 0 } })))}' has no column in the table profile '${this.profile.name}'`);
          }
          cur = { k: "typed", binds, expr: `${cur.expr}.${sqlIdent(columnName(found[0], found[1]))}`, t: found[1] };
          i++;
          continue;
        }
        case "json":
          cur = { k: "json", binds, base: cur.expr, keys: [] };
          continue;
        default:
          // A path into a string, number or boolean does not resolve.
          return { k: "missing" };
      }
    }
    return cur;
  }

  private checkKey(key: string): void {
    if (this.dialect.unspellableKey?.(key)) {
      throw new Unsupported(`the key ${JSON.stringify(key)} cannot be written in a ${this.dialect.name} JSON path`);
    }
  }

  /** Wrap a predicate in the existential bindings of a reference (arrays of rows on the way). */
  private bound(binds: readonly Bind[], body: BoolExpr): BoolExpr {
    let b = body;
    for (let i = binds.length - 1; i >= 0; i--) {
      const { list, v } = binds[i]!;
      b = quant((text) => this.dialect.anyMatch(list, v, text), b);
    }
    return b;
  }

  /** Leaves of a reference, by JSON type; undefined sets have no values of that type. */
  private leaves(ref: Ref): Leaves {
    if (ref.k === "missing") return {};
    if (ref.k === "json") {
      const j = this.dialect.json;
      return {
        strings: { binds: ref.binds, shape: "many", expr: j.strings(ref.base, ref.keys, ref.object) },
        numbers: { binds: ref.binds, shape: "many", expr: j.numbers(ref.base, ref.keys, ref.object) },
        booleans: { binds: ref.binds, shape: "many", expr: j.booleans(ref.base, ref.keys, ref.object) },
      };
    }
    const { binds, expr, t } = this.unwrapArrays(ref);
    const one = (extra: Partial<ValueSet> = {}): ValueSet => ({ binds, shape: "one", expr, ...extra });
    switch (t.type) {
      case "string":
        if (t.holds === "boolean") return { booleans: one({ booleanText: true }) };
        if (t.holds === "number") return { numbers: one({ expr: this.dialect.tryDouble(expr) }) };
        return { strings: one() };
      case "number":
        return { numbers: one() };
      case "boolean":
        return { booleans: one() };
      case "json":
        return this.leaves({ k: "json", binds, base: expr, keys: [] });
      case "struct":
        return {};
      default:
        return assertNever(t);
    }
  }

  /** Some value of the set satisfies test. */
  private some(set: ValueSet | undefined, test: (x: string) => BoolExpr): BoolExpr {
    if (!set) return FALSE;
    let body: BoolExpr;
    if (set.shape === "one") body = test(set.expr);
    else {
      const v = this.fresh();
      body = quant((text) => this.dialect.anyMatch(set.expr, v, text), test(v));
    }
    return this.bound(set.binds, body);
  }

  // -------------------------------------------------------------------------------------------
  // Conditions

  condition(c: Condition, scope: Scope): BoolExpr {
    switch (c.kind) {
      case "and":
        return and(c.items.map((i) => this.condition(i, scope)));
      case "or":
        return or(c.items.map((i) => this.condition(i, scope)));
      case "not":
        return not(this.condition(c.operand, scope));
      case "exists":
        return this.exists(this.resolve(c.path, scope));
      case "empty":
        return this.empty(this.resolve(c.path, scope));
      case "any":
        return this.any(this.resolve(c.path, scope), c.condition);
      case "compare":
        return this.compare(c, scope);
      default:
        return assertNever(c);
    }
  }

  private exists(ref: Ref): BoolExpr {
    if (ref.k === "missing") return FALSE;
    if (ref.k === "json") return this.bound(ref.binds, leaf(this.dialect.json.exists(ref.base, ref.keys, ref.object), !ref.element, ref.keys.length > 0 ? PREC.atom : PREC.predicate));
    return this.bound(ref.binds, leaf(`${ref.expr} IS NOT NULL`, false, PREC.predicate, `${ref.expr} IS NULL`));
  }

  private empty(ref: Ref): BoolExpr {
    if (ref.k === "missing") return TRUE;
    // Through each array on the way: no element, or some element that is null or empty below.
    const last = ref.k === "json" ? this.jsonEmpty(ref.base, ref.keys, ref.object, ref.element) : this.emptyValue(ref.expr, ref.t);
    let b: BoolExpr = last;
    for (let i = ref.binds.length - 1; i >= 0; i--) {
      const { list, v } = ref.binds[i]!;
      b = or([
        leaf(`${list} IS NULL`, false),
        leaf(`${this.dialect.cardinality(list)} = 0`, true),
        quant((text) => this.dialect.anyMatch(list, v, text), or([leaf(`${v} IS NULL`, false), b])),
      ]);
    }
    return b;
  }

  private emptyValue(expr: string, t: ColumnType): BoolExpr {
    switch (t.type) {
      case "string":
        return t.holds ? leaf(`${expr} IS NULL`, false) : or([leaf(`${expr} IS NULL`, false), leaf(`${expr} = ''`, true)]);
      case "number":
      case "boolean":
        return leaf(`${expr} IS NULL`, false);
      case "struct":
        // The SerDe reads `{}` as a row whose fields are all NULL, not as a NULL row.
        return or([
          leaf(`${expr} IS NULL`, false),
          and(Object.entries(t.fields).map(([k, f]) => leaf(`${expr}.${sqlIdent(columnName(k, f))} IS NULL`, false))),
        ]);
      case "array":
        return or([leaf(`${expr} IS NULL`, false), leaf(`${this.dialect.cardinality(expr)} = 0`, true)]);
      case "json":
        return this.jsonEmpty(expr, []);
      default:
        return assertNever(t);
    }
  }

  private jsonEmpty(base: string, keys: readonly string[], object?: boolean, element?: boolean): BoolExpr {
    const parts = this.dialect.json.empty(base, keys, object).filter((p) => !(element && p === `${base} IS NULL`));
    // On an element (never NULL) the JSON functions are never NULL either.
    return or(parts.map((p) => leaf(p, !element, p.startsWith("NOT ") ? PREC.not : p.endsWith(" IS NULL") ? PREC.predicate : PREC.atom)));
  }

  private any(ref: Ref, inner: Condition): BoolExpr {
    if (ref.k === "missing") return FALSE;
    if (ref.k === "json") {
      const v = this.fresh();
      const body = this.condition(inner, { k: "json", base: this.dialect.json.elementBase(v), object: true, element: true });
      const list = this.dialect.json.leaves(ref.base, ref.keys, ref.object);
      return this.bound(ref.binds, quant((text) => this.dialect.anyMatch(list, v, text), body));
    }
    const { binds, expr, t } = this.unwrapArrays(ref);
    // A JSON column may hold an array: its elements are bound, as for any JSON value.
    if (t.type === "json") return this.any({ k: "json", binds, base: expr, keys: [] }, inner);
    const scope: Scope = t.type === "struct" ? { k: "typed", expr, t } : { k: "missing" };
    const body = this.condition(inner, scope);
    return this.bound(binds, and([leaf(`${expr} IS NOT NULL`, false), body]));
  }

  private compare(c: Compare, scope: Scope): BoolExpr {
    const op = baseOperator(c.op);
    const fold = isCaseInsensitive(c.op);
    const left = this.resolve(c.path, scope);
    if (op === "ne") {
      return not(this.compareWith({ ...c, op: fold ? "ieq" : "eq" }, left, scope));
    }
    return this.compareWith(c, left, scope);
  }

  private compareWith(c: Compare, left: Ref, scope: Scope): BoolExpr {
    const op = baseOperator(c.op);
    const fold = isCaseInsensitive(c.op);
    let L = this.leaves(left);
    if (c.operand.kind === "path") return this.fieldToField(op, fold, L, this.leaves(this.resolve(c.operand, scope)));
    const literals: readonly Literal[] = c.operand.kind === "list" ? c.operand.items : [c.operand];
    const values = literals.map((l) => l.value);
    const d = this.dialect;
    const strs = values.filter((v): v is string => typeof v === "string").map((s) => (fold ? s.toLowerCase() : s));
    // i-forms: the strings are lower-cased once (as much as the literals need), then every pattern
    // is tested on them.
    if (fold && L.strings) L = { ...L, strings: this.lowered(L.strings, lowerTier(strs, op, op === "like" ? strs : [])) };
    const lowerIf = (x: string) => x;
    switch (op) {
      case "eq":
      case "in": {
        const nums = values.filter((v): v is number => typeof v === "number");
        const bools = values.filter((v): v is boolean => typeof v === "boolean");
        if (left.k === "json" && !fold && d.json.equalsAny && left.binds.length === 0) {
          const fast = d.json.equalsAny(left.base, left.keys, values, left.object);
          if (fast !== "") return leaf(fast, !left.element, PREC.atom);
        }
        return or([
          strs.length === 0 ? FALSE : this.some(L.strings, (x) => inList(lowerIf(x), strs.map(sqlString))),
          nums.length === 0 ? FALSE : this.some(L.numbers, (x) => inList(x, nums.map(sqlNumber))),
          bools.length === 0
            ? FALSE
            : this.some(L.booleans, (x) =>
                L.booleans?.booleanText ? inList(x, bools.map((b) => sqlString(String(b)))) : inList(x, bools.map((b) => (b ? "TRUE" : "FALSE"))),
              ),
        ]);
      }
      case "gt":
      case "ge":
      case "lt":
      case "le": {
        const n = values[0];
        if (typeof n !== "number") return FALSE;
        const sym = { gt: ">", ge: ">=", lt: "<", le: "<=" }[op];
        return or([
          this.some(L.numbers, (x) => leaf(`${x} ${sym} ${sqlNumber(n)}`, true)),
          this.some(L.strings, (x) => and([leaf(this.numericTest(x), true), leaf(`${d.tryDouble(x)} ${sym} ${sqlNumber(n)}`, true)])),
        ]);
      }
      case "contains":
      case "startswith":
      case "endswith":
      case "like": {
        const patterns = strs.map((s) => likePattern(op, s));
        return this.some(L.strings, (x) => or(patterns.map((p) => leaf(`${lowerIf(x)} LIKE ${sqlString(p)} ESCAPE '\\'`, true))));
      }
      case "matches": {
        const patterns = literals.map((l) => {
          const parsed = parseRegex(String(l.value));
          if (!parsed.ast) throw new Unsupported(`regular expression outside the portable subset: ${parsed.error?.message ?? ""}`);
          return emitRegex(fold ? lowerRegex(parsed.ast) : parsed.ast, d.regex);
        });
        return this.some(L.strings, (x) => or(patterns.map((p) => leaf(d.regexLike(lowerIf(x), sqlString(p)), true))));
      }
      case "cidr": {
        const nets = values.map((v) => {
          const r = parseNetwork(String(v));
          if (!("network" in r)) throw new Unsupported(r.message);
          return r.network;
        });
        if (nets.length > 1 && d.inNetworks) {
          const many = d.inNetworks;
          return this.some(L.strings, (x) => leaf(many(x, nets), false, PREC.atom));
        }
        return this.some(L.strings, (x) => or(nets.map((n) => leaf(d.inNetwork(x, n), false, PREC.atom))));
      }
      default:
        throw new Unsupported(`operator '${c.op}' with a literal`);
    }
  }

  private lowered(set: ValueSet, tier: LowerTier): ValueSet {
    if (set.shape === "one") return { ...set, expr: this.dialect.lower(set.expr, tier) };
    const v = this.fresh();
    return { ...set, expr: this.dialect.transform(set.expr, v, this.dialect.lower(v, tier)) };
  }

  private numericTest(x: string): string {
    return this.dialect.regexLike(x, sqlString(this.dialect.name === "trino" ? NUMERIC_JAVA : NUMERIC_RE2));
  }

  /** `a op b` for two fields: any pair of leaves. */
  private fieldToField(op: string, fold: boolean, L: Leaves, R: Leaves): BoolExpr {
    const d = this.dialect;
    const lw = (x: string) => (fold ? d.lower(x) : x);
    const pairs = (a: ValueSet | undefined, b: ValueSet | undefined, rel: (x: string, y: string) => BoolExpr) =>
      this.some(a, (x) => this.some(b, (y) => rel(x, y)));
    const asBool = (s: ValueSet | undefined, x: string) => (s?.booleanText ? `(${x} = 'true')` : x);
    switch (op) {
      case "eq":
        return or([
          pairs(L.strings, R.strings, (x, y) => leaf(`${lw(x)} = ${lw(y)}`, true)),
          pairs(L.numbers, R.numbers, (x, y) => leaf(`${x} = ${y}`, true)),
          pairs(L.booleans, R.booleans, (x, y) => leaf(`${asBool(L.booleans, x)} = ${asBool(R.booleans, y)}`, true)),
        ]);
      case "gt":
      case "ge":
      case "lt":
      case "le": {
        const sym = { gt: ">", ge: ">=", lt: "<", le: "<=" }[op];
        const num = (s: "n" | "s", x: string): { guard?: BoolExpr; value: string } =>
          s === "n" ? { value: x } : { guard: leaf(this.numericTest(x), true), value: d.tryDouble(x) };
        const rel = (ls: "n" | "s", rs: "n" | "s") => (x: string, y: string) => {
          const a = num(ls, x);
          const b = num(rs, y);
          return and([a.guard ?? TRUE, b.guard ?? TRUE, leaf(`${a.value} ${sym} ${b.value}`, true)]);
        };
        return or([
          pairs(L.numbers, R.numbers, rel("n", "n")),
          pairs(L.numbers, R.strings, rel("n", "s")),
          pairs(L.strings, R.numbers, rel("s", "n")),
          pairs(L.strings, R.strings, rel("s", "s")),
        ]);
      }
      case "contains":
        return pairs(L.strings, R.strings, (x, y) => leaf(d.contains(lw(x), lw(y)), true));
      case "startswith":
        return pairs(L.strings, R.strings, (x, y) => leaf(d.startsWith(lw(x), lw(y)), true));
      case "endswith":
        return pairs(L.strings, R.strings, (x, y) => leaf(d.endsWith(lw(x), lw(y)), true, PREC.atom));
      default:
        throw new Unsupported(`a field operand is not allowed with '${op}'`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Output

  /** The SELECT expression of an output field. */
  selectExpr(path: Path | readonly string[]): string {
    const ref = this.resolve(path, { k: "table" });
    if (ref.k === "missing") return "NULL";
    let expr: string;
    if (ref.k === "json") expr = ref.keys.length === 0 ? ref.base : this.dialect.json.select(ref.base, ref.keys);
    else expr = ref.expr;
    for (let i = ref.binds.length - 1; i >= 0; i--) expr = this.dialect.transform(ref.binds[i]!.list, ref.binds[i]!.v, expr);
    return expr;
  }

  where(c: Condition, indent = "  "): string {
    return block(this.condition(c, { k: "table" }), indent);
  }

  whereExpr(c: Condition): BoolExpr {
    return this.condition(c, { k: "table" });
  }
}

function inList(x: string, items: readonly string[]): BoolExpr {
  if (items.length === 1) return leaf(`${x} = ${items[0]}`, true, PREC.predicate, `${x} IS DISTINCT FROM ${items[0]}`);
  return leaf(`${x} IN (${items.join(", ")})`, true, PREC.predicate, `(${x} IS NULL OR ${x} NOT IN (${items.join(", ")}))`);
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => "\\" + m);
}

/** contains/startswith/endswith/like as one LIKE pattern with `\` as the escape character. */
function likePattern(op: "contains" | "startswith" | "endswith" | "like", s: string): string {
  switch (op) {
    case "contains":
      return `%${escapeLike(s)}%`;
    case "startswith":
      return `${escapeLike(s)}%`;
    case "endswith":
      return `%${escapeLike(s)}`;
    case "like":
      return parseGlob(s)
        .map((p) => (p.t === "star" ? "%" : p.t === "one" ? "_" : escapeLike(p.text)))
        .join("");
  }
}

