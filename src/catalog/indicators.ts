import { assertNever, type Condition, type Literal, type Operator, type Path, type Segment } from "../ast/nodes.js";
import { printPath } from "../ast/print.js";

/**
 * Indicators: the (field, operator, value) triples a rule matches on, read from its condition AST,
 * and the corpus index that counts how many rules of a library look for the same triple.
 *
 * Normal form (docs/catalog.md, "Indicators"):
 * - polarity: every `not` on the way flips it; `ne`/`ine` are a negated `eq`/`ieq`;
 * - lists are expanded, one indicator per value; `in`/`iin` are `eq`/`ieq` per value;
 * - field-to-field: the value is the other field; `eq`/`ieq` put the two fields in a fixed order and
 *   `gt ge lt le` are turned round to the same order (`b lt a` is `a gt b`);
 * - `exists`/`empty` are indicators without a value;
 * - inside `path[cond]` every inner path (both sides) is prefixed by the array path, and the
 *   indicator remembers the array (`within`): `items[port eq 22]` looks for `items.port eq 22`.
 * - the same indicator twice in one rule is listed once.
 * Field names compare case-insensitively, values exactly (typed: "1" is not 1, 1 is 1.0).
 */

/** The operators an indicator can carry: no `ne`/`ine` (negated eq) and no `in`/`iin` (eq per value). */
export type IndicatorOp = Exclude<Operator, "ne" | "ine" | "in" | "iin"> | "exists" | "empty";

export type IndicatorValue =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number; readonly raw: string }
  | { readonly kind: "boolean"; readonly value: boolean }
  /** Field-to-field: the other field, as a path. */
  | { readonly kind: "field"; readonly field: string }
  /** `exists` and `empty` take no value. */
  | { readonly kind: "none" };

export interface Indicator {
  /** The corpus key: case-folded field, operator, polarity, typed value. */
  readonly key: string;
  /** The field as a path (inner paths of `path[cond]` prefixed by the array path). */
  readonly field: string;
  readonly op: IndicatorOp;
  /** Under an odd number of `not`s, or written as `ne`/`ine`. */
  readonly negated: boolean;
  readonly value: IndicatorValue;
  /** For an indicator inside `path[cond]`: that array path (the innermost one when nested). */
  readonly within?: string;
}

const FLIP: Partial<Record<IndicatorOp, IndicatorOp>> = { gt: "lt", lt: "gt", ge: "le", le: "ge" };

/** Every indicator of a condition, in the order they first appear, each once. */
export function extractIndicators(condition: Condition): Indicator[] {
  const out: Indicator[] = [];
  const seen = new Set<string>();
  const add = (i: Indicator) => {
    if (seen.has(i.key)) return;
    seen.add(i.key);
    out.push(i);
  };
  walk(condition, false, [], undefined, add);
  return out;
}

function walk(c: Condition, negated: boolean, prefix: readonly Segment[], within: string | undefined, add: (i: Indicator) => void): void {
  switch (c.kind) {
    case "and":
    case "or":
      for (const item of c.items) walk(item, negated, prefix, within, add);
      return;
    case "not":
      walk(c.operand, !negated, prefix, within, add);
      return;
    case "exists":
    case "empty":
      add(make(join(prefix, c.path), c.kind, negated, { kind: "none" }, within));
      return;
    case "any": {
      const array = join(prefix, c.path);
      walk(c.condition, negated, array, printPath(pathOf(array)), add);
      return;
    }
    case "compare": {
      const field = join(prefix, c.path);
      let op: IndicatorOp;
      let neg = negated;
      switch (c.op) {
        case "ne":
          op = "eq";
          neg = !neg;
          break;
        case "ine":
          op = "ieq";
          neg = !neg;
          break;
        case "in":
          op = "eq";
          break;
        case "iin":
          op = "ieq";
          break;
        default:
          op = c.op;
      }
      const operand = c.operand;
      switch (operand.kind) {
        case "list":
          for (const item of operand.items) add(make(field, op, neg, literalValue(item), within));
          return;
        case "path":
          add(fieldToField(field, op, neg, join(prefix, operand), within));
          return;
        case "string":
        case "number":
        case "boolean":
          add(make(field, op, neg, literalValue(operand), within));
          return;
        default:
          return assertNever(operand);
      }
    }
    default:
      return assertNever(c);
  }
}

function fieldToField(left: readonly Segment[], op: IndicatorOp, negated: boolean, right: readonly Segment[], within: string | undefined): Indicator {
  const symmetric = op === "eq" || op === "ieq";
  const flipped = FLIP[op];
  if ((symmetric || flipped !== undefined) && compareText(fieldKey(right), fieldKey(left)) < 0) {
    return make(right, flipped ?? op, negated, { kind: "field", field: printPath(pathOf(left)) }, within, left);
  }
  return make(left, op, negated, { kind: "field", field: printPath(pathOf(right)) }, within, right);
}

function make(
  field: readonly Segment[],
  op: IndicatorOp,
  negated: boolean,
  value: IndicatorValue,
  within: string | undefined,
  otherField?: readonly Segment[],
): Indicator {
  const valueKey = otherField !== undefined ? ["field", fieldKey(otherField)] : valueKeyOf(value);
  const key = JSON.stringify([fieldKey(field), op, negated ? "not" : "", ...valueKey]);
  const base = { key, field: printPath(pathOf(field)), op, negated, value };
  return within === undefined ? base : { ...base, within };
}

function valueKeyOf(v: IndicatorValue): string[] {
  switch (v.kind) {
    case "string":
      return ["string", v.value];
    // 1 and 1.0 are the same number (typed equality); -0 is 0.
    case "number":
      return ["number", String(v.value === 0 ? 0 : v.value)];
    case "boolean":
      return ["boolean", String(v.value)];
    case "field":
      return ["field", v.field.toLowerCase()];
    case "none":
      return [];
    default:
      return assertNever(v);
  }
}

function literalValue(l: Literal): IndicatorValue {
  switch (l.kind) {
    case "string":
      return { kind: "string", value: l.value };
    case "number":
      return { kind: "number", value: l.value, raw: l.raw };
    case "boolean":
      return { kind: "boolean", value: l.value };
    default:
      return assertNever(l);
  }
}

/** Segment names, lower-cased: field names compare case-insensitively. */
function fieldKey(segments: readonly Segment[]): string {
  return JSON.stringify(segments.map((s) => s.name.toLowerCase()));
}

function join(prefix: readonly Segment[], path: Path): readonly Segment[] {
  return prefix.length === 0 ? path.segments : [...prefix, ...path.segments];
}

function pathOf(segments: readonly Segment[]): Path {
  const span = { start: 0, end: 0 };
  return { kind: "path", segments, span };
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// The corpus: one pass over the library, a Map keyed by indicator.

export interface CorpusEntry {
  /** An indicator as first seen in the library (the display spelling of its first rule). */
  readonly indicator: Indicator;
  /** The ids of every rule that has it, in library order, each once. */
  readonly rules: readonly string[];
}

/**
 * The corpus index: for each indicator key, the rules that look for it. Linear in the total number
 * of indicators: each rule's (already de-duplicated) indicators are appended to their key's list.
 */
export function buildCorpus(rules: readonly { readonly id: string; readonly indicators: readonly Indicator[] }[]): Map<string, CorpusEntry> {
  const index = new Map<string, { indicator: Indicator; rules: string[] }>();
  for (const rule of rules) {
    for (const ind of rule.indicators) {
      const entry = index.get(ind.key);
      if (entry === undefined) index.set(ind.key, { indicator: ind, rules: [rule.id] });
      else if (entry.rules[entry.rules.length - 1] !== rule.id) entry.rules.push(rule.id);
    }
  }
  return index;
}

/** The OTHER rules that look for an indicator (the corpus column): never the rule itself. */
export function otherRules(corpus: ReadonlyMap<string, CorpusEntry>, key: string, ruleId: string): string[] {
  return (corpus.get(key)?.rules ?? []).filter((id) => id !== ruleId);
}

/** How an indicator reads in one line: `not eventName eq "X"`, `a.items.port eq 22 (in a.items[...])`. */
export function indicatorText(i: Indicator): string {
  const value = valueText(i.value);
  const core = `${i.field} ${i.op}${value === "" ? "" : " " + value}`;
  return `${i.negated ? "not " : ""}${core}${i.within !== undefined ? ` (same element of ${i.within})` : ""}`;
}

export function valueText(v: IndicatorValue): string {
  switch (v.kind) {
    case "string":
      return JSON.stringify(v.value);
    case "number":
      return v.raw;
    case "boolean":
      return String(v.value);
    case "field":
      return `field ${v.field}`;
    case "none":
      return "";
    default:
      return assertNever(v);
  }
}
