import { assertNever, baseOperator, isCaseInsensitive, type Compare, type Condition, type Literal, type Path } from "../../ast/nodes.js";
import { printCondition } from "../../ast/print.js";
import { parseNetwork } from "../../check/cidr.js";
import { parseGlob } from "../../check/glob.js";
import { parseRegex, type RegexNode } from "../../check/regex.js";
import type { LogSchema } from "../../schema/schema.js";
import type { SigmaFields } from "./data/logsources.js";
import { fieldFacts, only, type FieldFacts } from "./fields.js";
import { branchItems, branches, canMatchNewline, classRanges, literalCodePoints, nullable, printRegex, requiredChars, someNode } from "./regex.js";
import { caseless, escapeSigma, excludesNonStrings, globToSigma, unicodeCased } from "./strings.js";

/**
 * A condition -> Sigma detection (named selections and a condition), or the reason Sigma cannot
 * say it exactly. Docs: docs/targets/sigma.md ("What Sigma cannot say").
 */

export type SigmaValue = string | number | boolean | null;

/** One `field|mods: values` entry of a selection. */
export interface Item {
  readonly field: string;
  readonly mods: readonly string[];
  readonly values: readonly SigmaValue[];
}

/** A detection expression: selections (maps: AND of items) combined with and/or/not. */
export type Expr =
  | { readonly k: "sel"; readonly items: readonly Item[] }
  | { readonly k: "and"; readonly items: readonly Expr[] }
  | { readonly k: "or"; readonly items: readonly Expr[] }
  | { readonly k: "not"; readonly item: Expr };

/**
 * Thrown for what Sigma cannot say; caught in index.ts and reported as RC401. It carries no stack
 * trace: it is an answer, not a fault, and capturing the stack was most of its cost.
 */
export class NotSayable extends Error {
  constructor(
    message: string,
    readonly span?: { start: number; end: number },
  ) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

export interface Detection {
  readonly selections: Record<string, Record<string, SigmaValue | SigmaValue[]>>;
  readonly condition: string;
}

/**
 * `fields` names raw paths as the log type's Sigma rules write them (src/logtypes: the `sigma.fields`
 * mapping); `pantherOnly`: top-level fields Panther adds to its events (p_*), which the vendor's
 * records that a Sigma rule runs on never hold.
 */
export function toDetection(
  condition: Condition,
  schema: LogSchema | undefined,
  fields: SigmaFields = IDENTITY_FIELDS,
  pantherOnly: ReadonlySet<string> = NONE,
): Detection {
  const expr = new Translator(schema, fields, pantherOnly).condition(condition);
  return render(expr);
}

const IDENTITY_FIELDS: SigmaFields = { toSigma: (r) => r, fromSigma: (s) => s };
const NONE: ReadonlySet<string> = new Set();

// ---------------------------------------------------------------------------------------------
// Translation, predicate by predicate

const sel = (...items: Item[]): Expr => ({ k: "sel", items });
const not = (e: Expr): Expr => (e.k === "not" ? e.item : { k: "not", item: e });

class Translator {
  constructor(
    private readonly schema: LogSchema | undefined,
    private readonly fields: SigmaFields,
    private readonly pantherOnly: ReadonlySet<string>,
  ) {}

  /** A path as the Sigma rule names it (fieldName, then the log type's mapping). */
  private fieldName(path: Path, c: Condition): string {
    const first = path.segments[0]?.name;
    if (first !== undefined && this.pantherOnly.has(first)) {
      throw new NotSayable(`'${first}' is a field Panther adds to its events: the log the Sigma rule runs on does not have it`, c.span);
    }
    return this.fields.toSigma(fieldName(path, c));
  }

  private facts(path: Path): FieldFacts {
    return fieldFacts(this.schema, path);
  }

  condition(c: Condition): Expr {
    switch (c.kind) {
      case "and":
        return and(c.items.map((i) => this.condition(i)));
      case "or":
        return or(c.items.map((i) => this.condition(i)));
      case "not":
        if (c.operand.kind === "exists") return this.missing(c.operand.path, c);
        return not(this.condition(c.operand));
      case "compare":
        return this.compare(c);
      case "exists": {
        this.needScalar(c.path, "exists", c);
        return sel({ field: this.fieldName(c.path, c), mods: ["exists"], values: [true] });
      }
      case "empty": {
        const f = this.facts(c.path);
        if (!f.scalar || !f.single) {
          throw new NotSayable(
            `'${printCondition(c)}': Sigma's null and '' cover a missing value, null and "", but the schema does not prove that ` +
              `'${this.fieldName(c.path, c)}' is one value that is never a list or an object (where 'empty' also holds for [], {} ` +
              `and for any element of an array that lacks the field)`,
            c.span,
          );
        }
        const values: SigmaValue[] = only(f, "string") ? [null, ""] : [null];
        return sel({ field: this.fieldName(c.path, c), mods: [], values });
      }
      case "any":
        return this.condition(this.flattenAny(c.path, c.condition, c));
      default:
        return assertNever(c);
    }
  }

  /** `not p exists`: `p: null`. */
  private missing(path: Path, c: Condition): Expr {
    this.needScalar(path, "not ... exists", c);
    return sel({ field: this.fieldName(path, c), mods: [], values: [null] });
  }

  private needScalar(path: Path, what: string, c: Condition): void {
    if (!this.facts(path).scalar) {
      throw new NotSayable(
        `'${printCondition(c)}': '${what}' on '${this.fieldName(path, c)}' needs a field the schema types as a string, number or boolean ` +
          `(Sigma backends disagree on whether [], [null] or {} exist)`,
        c.span,
      );
    }
  }

  /**
   * `p[cond]` as plain paths under p. Exact when cond is an `or` of positive predicates (some
   * element satisfies a or b == some element satisfies a, or some satisfies b), or when the
   * schema proves that p is one object, never an array.
   */
  private flattenAny(prefix: Path, cond: Condition, where: Condition): Condition {
    const pf = this.facts(prefix);
    const single = pf.single && only(pf, "object");
    const check = (c: Condition): void => {
      switch (c.kind) {
        case "or":
          c.items.forEach((i) => check(i));
          return;
        case "and":
          if (!single) {
            throw new NotSayable(
              `'${printCondition(where)}': Sigma cannot bind several conditions to the same element of the array ` +
                `'${this.fieldName(prefix, where)}' (its fields match each on their own, possibly in different elements)`,
              where.span,
            );
          }
          c.items.forEach((i) => check(i));
          return;
        case "compare":
          if ((c.operand.kind === "path" && !single) || baseOperator(c.op) === "ne") {
            throw new NotSayable(
              `'${printCondition(where)}': '${c.op}'${c.operand.kind === "path" ? " between two fields" : ""} inside ` +
                `${this.fieldName(prefix, where)}[...] refers to one element; Sigma has no way to say that`,
              where.span,
            );
          }
          return;
        case "exists":
          return;
        case "any":
          // Checked on its own, with its full path, when the flattened condition is translated.
          return;
        case "not":
        case "empty":
          throw new NotSayable(
            `'${printCondition(where)}': '${printCondition(c)}' inside ${this.fieldName(prefix, where)}[...] is true for an ` +
              `element that lacks the field; Sigma can only say that of the event as a whole`,
            where.span,
          );
        default:
          return assertNever(c);
      }
    };
    check(cond);
    return prefixPaths(prefix, cond);
  }

  private compare(c: Compare): Expr {
    const op = baseOperator(c.op);
    const ci = isCaseInsensitive(c.op);
    const field = this.fieldName(c.path, c);
    const facts = this.facts(c.path);
    const fail = (why: string): never => {
      throw new NotSayable(`'${printCondition(c)}': ${why}`, c.span);
    };

    if (c.operand.kind === "path") {
      const other = this.facts(c.operand);
      const otherName = this.fieldName(c.operand, c);
      if (ci) fail("Sigma's field references compare exactly; there is no case-insensitive form");
      if (!["eq", "ne", "contains", "startswith", "endswith"].includes(op)) fail(`Sigma's field references have no '${op}'`);
      if (!facts.single || !other.single || !facts.scalar || !other.scalar) {
        fail(`both fields must be single values the schema types (a field reference on lists pairs values differently per backend)`);
      }
      const sameKind = (["string", "number", "boolean"] as const).some((k) => only(facts, k) && only(other, k));
      if (!sameKind || (op !== "eq" && op !== "ne" && !only(facts, "string"))) {
        fail(`the two fields must have the same type in the schema (backends compare a number and a string by their text)`);
      }
      const mods = ["fieldref", ...(op === "eq" || op === "ne" ? [] : [op])];
      const e = sel({ field, mods, values: [otherName] });
      return op === "ne" ? not(e) : e;
    }

    const literals: readonly Literal[] = c.operand.kind === "list" ? c.operand.items : [c.operand];
    const strings = (): string[] =>
      literals.map((l) => {
        if (l.kind !== "string") fail(`'${c.op}' takes strings`);
        return l.value as string;
      });
    /** A string comparison is exact when non-string leaves cannot occur or cannot match. */
    const textSafe = (chars: Iterable<string>, what: string): void => {
      if (only(facts, "string")) return;
      if (excludesNonStrings(chars)) return;
      fail(
        `${what} could also match the text of a number or a boolean (Sigma backends compare those as text), and the ` +
          `schema does not prove that '${field}' holds only strings`,
      );
    };
    const caseCheck = (text: string): void => {
      if (!ci) return;
      const u = unicodeCased(text);
      if (u !== undefined) {
        fail(
          `case-insensitive matching of '${u}' differs between Unicode lower-casing (the language) and the case folding ` +
            `of Sigma backends; use the case-sensitive form or an explicit list of spellings`,
        );
      }
    };
    const casedMod = (texts: string[], hasOne: boolean): string[] => (ci || (texts.every(caseless) && !hasOne) ? [] : ["cased"]);

    switch (op) {
      case "eq":
      case "ne":
      case "in": {
        const groups = new Map<string, Item>();
        const add = (mods: string[], v: SigmaValue) => {
          const key = mods.join("|");
          const g = groups.get(key);
          groups.set(key, { field, mods, values: [...(g?.values ?? []), v] });
        };
        for (const l of literals) {
          if (l.kind === "string") {
            if (!only(facts, "string") && looksLikeNonString(l.value)) {
              fail(
                `the string ${JSON.stringify(l.value)} spells a number or a boolean, which Sigma backends compare as text, and ` +
                  `the schema does not prove that '${field}' holds only strings`,
              );
            }
            caseCheck(l.value);
            add(casedMod([l.value], false), escapeSigma(l.value));
          } else if (l.kind === "number") {
            if (!only(facts, "number")) {
              fail(`the number ${l.raw} also equals the string "${l.raw}" in most Sigma backends, and the schema does not type '${field}' as a number`);
            }
            add([], l.value);
          } else {
            if (!only(facts, "boolean")) {
              fail(`the boolean ${String(l.value)} also equals the string "${String(l.value)}" in most Sigma backends, and the schema does not type '${field}' as a boolean`);
            }
            add([], l.value);
          }
        }
        const e = or([...groups.values()].map((i) => sel(i)));
        return op === "ne" ? not(e) : e;
      }
      case "gt":
      case "ge":
      case "lt":
      case "le": {
        const l = literals[0]!;
        if (l.kind !== "number") fail(`'${c.op}' takes a number`);
        if (!only(facts, "number")) {
          fail(`numeric strings ("10") compare as numbers in the language but as text or not at all in Sigma backends, and the schema does not type '${field}' as a number`);
        }
        const mod = { gt: "gt", ge: "gte", lt: "lt", le: "lte" }[op];
        return sel({ field, mods: [mod], values: [l.value as number] });
      }
      case "contains":
      case "startswith":
      case "endswith": {
        const texts = strings();
        for (const t of texts) {
          textSafe(t, `the text ${JSON.stringify(t)}`);
          caseCheck(t);
        }
        return sel({ field, mods: [op, ...casedMod(texts, false)], values: texts.map(escapeSigma) });
      }
      case "like": {
        const items: Item[] = [];
        for (const pattern of strings()) {
          const parts = parseGlob(pattern);
          const text = parts.map((p) => (p.t === "text" ? p.text : "")).join("");
          textSafe(text, `the pattern ${JSON.stringify(pattern)}`);
          caseCheck(text);
          const hasOne = parts.some((p) => p.t === "one");
          const cased = casedMod([text], hasOne);
          const [first, last] = [parts[0], parts[parts.length - 1]];
          const middle = parts.filter((p) => p.t !== "star");
          if (parts.length === 3 && first?.t === "star" && last?.t === "star" && parts[1]!.t === "text") {
            items.push({ field, mods: ["contains", ...cased], values: [escapeSigma(text)] });
          } else if (parts.length === 2 && last?.t === "star" && first?.t === "text") {
            items.push({ field, mods: ["startswith", ...cased], values: [escapeSigma(text)] });
          } else if (parts.length === 2 && first?.t === "star" && last?.t === "text") {
            items.push({ field, mods: ["endswith", ...cased], values: [escapeSigma(text)] });
          } else {
            void middle;
            items.push({ field, mods: cased, values: [globToSigma(parts)] });
          }
        }
        return or(items.map((i) => sel(i)));
      }
      case "matches": {
        // A pattern with `$` is said as `re` and "does not end with a line feed" (see regex()).
        const plain: string[] = [];
        const anchored: string[] = [];
        for (const pattern of strings()) {
          const parsed = parseRegex(pattern);
          if (!parsed.ast) fail(`the regular expression does not compile`);
          const r = this.regex(parsed.ast!, ci, facts, fail);
          (r.endAnchored ? anchored : plain).push(r.pattern);
        }
        const mods = ci ? ["re", "i"] : ["re"];
        const parts: Expr[] = [];
        if (plain.length > 0) parts.push(sel({ field, mods, values: plain }));
        if (anchored.length > 0) {
          if (!facts.single) {
            fail(
              `'$' in the language matches only at the very end of the value, but in Sigma's regular expressions (PCRE) it also ` +
                `matches before a final line feed; rulec says "and the value does not end with a line feed", which needs a ` +
                `field the schema proves to hold one value (not a list)`,
            );
          }
          parts.push(and([sel({ field, mods, values: anchored }), not(sel({ field, mods: ["endswith"], values: ["\n"] }))]));
        }
        return or(parts);
      }
      case "cidr": {
        const nets = strings().map((s) => {
          const r = parseNetwork(s);
          if (!("network" in r)) return fail(`malformed network '${s}'`);
          return r.network.text;
        });
        return sel({ field, mods: ["cidr"], values: nets });
      }
      default:
        return fail(`unknown operator`);
    }
  }

  /**
   * A pattern in Sigma's PCRE subset. PCRE's `$` also matches before a final line feed; the
   * language's only at the very end. When every top-level alternative ends with `$`, starts with
   * `^` or cannot match the empty string, and no part of the pattern can match a line feed, then
   * on a value that ends with a line feed neither reading matches, and elsewhere they agree: the
   * pattern is exact together with "the value does not end with a line feed" (endAnchored).
   */
  private regex(ast: RegexNode, ci: boolean, facts: FieldFacts, fail: (why: string) => never): { pattern: string; endAnchored: boolean } {
    let endAnchored = false;
    if (someNode(ast, (n) => n.t === "end")) {
      const ok =
        !canMatchNewline(ast) &&
        branches(ast).every((b) => {
          const items = branchItems(b);
          const last = items[items.length - 1];
          const body = items.slice(0, -1);
          const bodyNode: RegexNode = { t: "seq", items: body };
          return last?.t === "end" && !body.some((i) => someNode(i, (n) => n.t === "end")) && (body[0]?.t === "start" || !nullable(bodyNode));
        });
      if (!ok) {
        fail(
          `'$' in the language matches only at the very end of the value, but in Sigma's regular expressions (PCRE) it also ` +
            `matches before a final line feed, and Sigma's subset has no \\z (rulec can say '$' only at the end of every ` +
            `alternative of a pattern that never matches a line feed)`,
        );
      }
      endAnchored = true;
    }
    if (!only(facts, "string")) {
      const req = [...requiredChars(ast)].map((cp) => String.fromCodePoint(cp));
      if (!excludesNonStrings(req)) {
        fail(`the pattern could also match the text of a number or a boolean, and the schema does not prove that the field holds only strings`);
      }
    }
    if (ci) {
      const cps = literalCodePoints(ast);
      if (cps.some((cp) => cp >= 0x80)) {
        fail(`a case-insensitive pattern with non-ASCII characters: engines fold their case differently`);
      }
      for (const r of classRanges(ast)) {
        const letters = (lo: number, hi: number) => Math.max(lo, r.lo) <= Math.min(hi, r.hi);
        const hasLetters = letters(0x41, 0x5a) || letters(0x61, 0x7a);
        const inside = (lo: number, hi: number) => r.lo >= lo && r.hi <= hi;
        if (hasLetters && !inside(0x41, 0x5a) && !inside(0x61, 0x7a)) {
          fail(`the class range ${String.fromCodePoint(r.lo)}-${String.fromCodePoint(r.hi)} mixes letters and other characters; case-insensitive engines disagree on it`);
        }
      }
    }
    return { pattern: printRegex(ast, "pcre", fail), endAnchored };
  }
}

/** The text of a JSON number or boolean, as backends that compare text would see it. */
function looksLikeNonString(s: string): boolean {
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) || /^(true|false)$/i.test(s);
}

const IDENT_SEGMENT = /^[^.|]+$/;

/** A path as a Sigma field name: segments joined with dots (a segment with `.` or `|` cannot be said). */
export function fieldName(path: Path, c: Condition): string {
  for (const s of path.segments) {
    if (!IDENT_SEGMENT.test(s.name) || s.name.trim() !== s.name) {
      throw new NotSayable(`the field segment ${JSON.stringify(s.name)} cannot be a Sigma field name (dots separate fields, '|' starts modifiers)`, c.span);
    }
  }
  return path.segments.map((s) => s.name).join(".");
}

function prefixPath(prefix: Path, p: Path): Path {
  return { ...p, segments: [...prefix.segments, ...p.segments] };
}

function prefixPaths(prefix: Path, c: Condition): Condition {
  switch (c.kind) {
    case "and":
    case "or":
      return { ...c, items: c.items.map((i) => prefixPaths(prefix, i)) };
    case "not":
      return { ...c, operand: prefixPaths(prefix, c.operand) };
    case "compare":
      return { ...c, path: prefixPath(prefix, c.path), operand: c.operand.kind === "path" ? prefixPath(prefix, c.operand) : c.operand };
    case "exists":
    case "empty":
      return { ...c, path: prefixPath(prefix, c.path) };
    case "any":
      return { ...c, path: prefixPath(prefix, c.path) };
    default:
      return assertNever(c);
  }
}

// ---------------------------------------------------------------------------------------------
// Combining: one map per AND-group, lists for alternatives of one field

const key = (i: Item) => `${i.field}|${i.mods.join("|")}`;
const ALL_OK = new Set(["contains", "startswith", "endswith", "re", "cased", "i"]);

function and(parts: Expr[]): Expr {
  const flat: Expr[] = [];
  for (const p of parts) {
    if (p.k === "and") flat.push(...p.items);
    else flat.push(p);
  }
  const maps: Item[][] = [];
  const mapKeys: string[][] = []; // key() of each item of maps[n], kept in step
  const rest: Expr[] = [];
  for (const p of flat) {
    if (p.k !== "sel") {
      rest.push(p);
      continue;
    }
    const pKeys = p.items.map(key);
    let placed = false;
    for (let n = 0; n < maps.length; n++) {
      const m = maps[n]!;
      const mKeys = mapKeys[n]!;
      if (pKeys.every((k) => !mKeys.includes(k))) {
        m.push(...p.items);
        mKeys.push(...pKeys);
        placed = true;
        break;
      }
      // Two single values of one field and modifier chain: `field|contains|all: [a, b]`.
      if (p.items.length === 1) {
        const i = p.items[0]!;
        const ki = pKeys[0]!;
        const kiAll = `${ki}|all`;
        const j = mKeys.findIndex((x) => x === ki || x === kiAll);
        const other = m[j];
        if (other && i.values.length === 1 && i.mods.every((x) => ALL_OK.has(x)) && i.mods.some((x) => x !== "cased" && x !== "i")) {
          if (other.values.length === 1 || other.mods.includes("all")) {
            m[j] = { field: i.field, mods: other.mods.includes("all") ? other.mods : [...other.mods, "all"], values: [...other.values, ...i.values] };
            mKeys[j] = key(m[j]!);
            placed = true;
            break;
          }
        }
      }
    }
    if (!placed) {
      maps.push([...p.items]);
      mapKeys.push(pKeys);
    }
  }
  const out = [...maps.map((m) => sel(...m)), ...rest];
  return out.length === 1 ? out[0]! : { k: "and", items: out };
}

function or(parts: Expr[]): Expr {
  const flat: Expr[] = [];
  for (const p of parts) {
    if (p.k === "or") flat.push(...p.items);
    else flat.push(p);
  }
  const out: Expr[] = [];
  const byKey = new Map<string, number>();
  for (const p of flat) {
    if (p.k === "sel" && p.items.length === 1 && !p.items[0]!.mods.includes("all") && !p.items[0]!.mods.includes("exists")) {
      const i = p.items[0]!;
      const at = byKey.get(key(i));
      if (at !== undefined) {
        const prev = (out[at] as Extract<Expr, { k: "sel" }>).items[0]!;
        const values = [...prev.values];
        for (const v of i.values) if (!values.includes(v)) values.push(v);
        out[at] = sel({ ...prev, values });
        continue;
      }
      byKey.set(key(i), out.length);
    }
    out.push(p);
  }
  return out.length === 1 ? out[0]! : { k: "or", items: out };
}

// ---------------------------------------------------------------------------------------------
// Naming and the condition string

interface Named {
  readonly expr: Expr;
}

function snake(field: string): string {
  const last = field.split(".").pop() ?? field;
  const s = last
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
  return s === "" ? "field" : s;
}

/** A selection's descriptive suffix: its first field, and `_newline` for the guard of `$`. */
function label(s: Extract<Expr, { k: "sel" }>): string {
  const i = s.items[0]!;
  const guard = i.mods.length === 1 && i.mods[0] === "endswith" && i.values.length === 1 && i.values[0] === "\n";
  return snake(i.field) + (guard ? "_newline" : "");
}

function render(top: Expr): Detection {
  // Roles: every selection is a positive "selection" or (under an odd number of nots) a "filter".
  type Slot = { sel: Extract<Expr, { k: "sel" }>; base: string; group?: number; name?: string };
  const slots: Slot[] = [];
  const groups: { base: string; members: Slot[] }[] = [];

  type Tree =
    | { t: "slot"; slot: Slot }
    | { t: "group"; quant: "1" | "all"; g: number }
    | { t: "and" | "or"; items: Tree[] }
    | { t: "not"; item: Tree };

  const build = (e: Expr, negated: boolean): Tree => {
    const base = negated ? "filter" : "selection";
    switch (e.k) {
      case "sel": {
        const slot: Slot = { sel: e, base };
        slots.push(slot);
        return { t: "slot", slot };
      }
      case "or": {
        if (e.items.every((i) => i.k === "sel")) {
          const g = groups.length;
          const members = e.items.map((i) => ({ sel: i as Slot["sel"], base, group: g }));
          groups.push({ base, members });
          slots.push(...members);
          return { t: "group", quant: "1", g };
        }
        return { t: "or", items: e.items.map((i) => build(i, negated)) };
      }
      case "and": {
        // `not a and not b` -> `not 1 of filter_*`
        const nots = e.items.filter((i) => i.k === "not" && i.item.k === "sel");
        if (nots.length >= 2) {
          const others = e.items.filter((i) => !nots.includes(i));
          const g = groups.length;
          const members = nots.map((n) => ({ sel: (n as { item: Slot["sel"] }).item, base: negated ? "selection" : "filter", group: g }));
          groups.push({ base: members[0]!.base, members });
          slots.push(...members);
          return { t: "and", items: [...others.map((o) => build(o, negated)), { t: "not", item: { t: "group", quant: "1", g } }] };
        }
        return { t: "and", items: e.items.map((i) => build(i, negated)) };
      }
      case "not":
        return { t: "not", item: build(e.item, !negated) };
      default:
        return assertNever(e);
    }
  };
  const tree = build(top, false);

  // Names: a base used by one selection alone is the bare word; a single group per base takes
  // `<base>_*`; anything else gets distinct descriptive names and is written out.
  const used = new Set<string>();
  const unique = (n: string) => {
    let name = n;
    for (let k = 2; used.has(name); k++) name = `${n}${k}`;
    used.add(name);
    return name;
  };
  const patternGroups = new Set<number>();
  for (const base of ["selection", "filter"]) {
    const singles = slots.filter((s) => s.base === base && s.group === undefined);
    const gs = groups.map((g, i) => ({ g, i })).filter((x) => x.g.base === base);
    if (gs.length === 1 && singles.length <= 1) {
      patternGroups.add(gs[0]!.i);
      for (const s of singles) s.name = unique(base);
      for (const m of gs[0]!.g.members) m.name = unique(`${base}_${label(m.sel)}`);
    } else if (gs.length === 0 && singles.length === 1) {
      singles[0]!.name = unique(base);
    } else {
      for (const s of [...singles, ...gs.flatMap((x) => x.g.members)]) s.name = unique(`${base}_${label(s.sel)}`);
    }
  }
  // A group's pattern must pick exactly its members; otherwise write the members out.
  for (const g of [...patternGroups]) {
    const { base, members } = groups[g]!;
    const picked = slots.filter((s) => s.name!.startsWith(`${base}_`));
    if (picked.length !== members.length || !picked.every((s) => members.includes(s))) patternGroups.delete(g);
  }

  const PREC = { or: 1, and: 2, not: 3, atom: 4 } as const;
  const print = (t: Tree, parent: number): string => {
    let own: number;
    let text: string;
    switch (t.t) {
      case "slot":
        return t.slot.name!;
      case "group": {
        if (patternGroups.has(t.g)) return `${t.quant} of ${groups[t.g]!.base}_*`;
        const names = groups[t.g]!.members.map((m) => m.name!);
        own = names.length === 1 ? PREC.atom : PREC.or;
        text = names.join(t.quant === "1" ? " or " : " and ");
        break;
      }
      case "and":
        own = PREC.and;
        text = t.items.map((i) => print(i, PREC.and + 1)).join(" and ");
        break;
      case "or":
        own = PREC.or;
        text = t.items.map((i) => print(i, PREC.or + 1)).join(" or ");
        break;
      case "not":
        own = PREC.not;
        text = `not ${print(t.item, PREC.not)}`;
        break;
      default:
        return assertNever(t);
    }
    return own < parent ? `(${text})` : text;
  };
  const condition = print(tree, 0);

  const selections: Detection["selections"] = {};
  const ordered = [...slots].sort((a, b) => order(a.base) - order(b.base));
  for (const s of ordered) {
    const map: Record<string, SigmaValue | SigmaValue[]> = {};
    for (const i of s.sel.items) {
      const k = [i.field, ...i.mods].join("|");
      map[k] = i.values.length === 1 ? i.values[0]! : [...i.values];
    }
    selections[s.name!] = map;
  }
  void (null as unknown as Named);
  return { selections, condition };
}

function order(base: string): number {
  return base === "selection" ? 0 : 1;
}
