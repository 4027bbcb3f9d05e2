import { baseOperator, type Compare, type Condition, type Literal, type Path } from "../ast/nodes.js";
import { printCondition, printOperand, printPath } from "../ast/print.js";
import { conditionDiagnostic, type ConditionDiagnostic } from "../diagnostics.js";
import { resolvePath, type FieldType } from "../schema/schema.js";
import { hasWildcard } from "./glob.js";
import { parseRegex, type RegexNode } from "./regex.js";

/**
 * Smells a reviewer would flag, as warnings: duplicate predicates, contradictions, tautologies,
 * `like` without a wildcard, `matches` that is a plain string.
 */
export function lintCondition(c: Condition, schema?: FieldType): ConditionDiagnostic[] {
  const out: ConditionDiagnostic[] = [];
  walk(c, schema, out);
  return out;
}

function walk(c: Condition, schema: FieldType | undefined, out: ConditionDiagnostic[]): void {
  switch (c.kind) {
    case "and":
    case "or":
      group(c.kind, c.items, schema, out);
      for (const i of c.items) walk(i, schema, out);
      return;
    case "not":
      walk(c.operand, schema, out);
      return;
    case "any":
      walk(c.condition, undefined, out);
      return;
    case "compare":
      compare(c, out);
      return;
    default:
      return;
  }
}

function compare(c: Compare, out: ConditionDiagnostic[]): void {
  const op = baseOperator(c.op);
  const literals: readonly Literal[] = c.operand.kind === "list" ? c.operand.items : c.operand.kind === "path" ? [] : [c.operand];
  for (const lit of literals) {
    if (lit.kind !== "string") continue;
    if (op === "like" && !hasWildcard(lit.value)) {
      const eq = c.op === "ilike" ? "ieq" : "eq";
      out.push(conditionDiagnostic("RC215", `'${c.op}' pattern ${JSON.stringify(lit.value)} has no wildcard: it means '${eq}'`, lit.span.start, lit.span.end, eq));
    }
    if (op === "matches") {
      const r = parseRegex(lit.value);
      if (r.ast && isPlain(r.ast) && lit.value !== "") {
        const contains = c.op === "imatches" ? "icontains" : "contains";
        out.push(
          conditionDiagnostic("RC216", `'${c.op}' pattern ${JSON.stringify(lit.value)} is a plain string: '${contains}' says it more simply`, lit.span.start, lit.span.end, contains),
        );
      }
    }
  }
}

function isPlain(n: RegexNode): boolean {
  return n.t === "char" || (n.t === "seq" && n.items.every((i) => i.t === "char"));
}

/** Negation-aware key of a predicate: `a ne x` is `not (a eq x)`. */
function normalize(c: Condition): { key: string; negated: boolean } {
  if (c.kind === "not") {
    const inner = normalize(c.operand);
    return { key: inner.key, negated: !inner.negated };
  }
  if (c.kind === "compare" && (c.op === "ne" || c.op === "ine")) {
    return { key: printCondition({ ...c, op: c.op === "ne" ? "eq" : "ieq" }), negated: true };
  }
  return { key: printCondition(c), negated: false };
}

function scalarPath(p: Path, schema: FieldType | undefined): boolean {
  if (!schema) return false;
  const r = resolvePath(schema, p.segments.map((s) => s.name));
  return r.ok && r.segments.every((s) => s.type.type !== "array" && s.type.type !== "json");
}

function group(kind: "and" | "or", items: readonly Condition[], schema: FieldType | undefined, out: ConditionDiagnostic[]): void {
  const seen = new Map<string, { item: Condition; negated: boolean }>();
  const eqs = new Map<string, Compare>();
  for (const item of items) {
    const { key, negated } = normalize(item);
    const prior = seen.get(key);
    if (prior && prior.negated === negated) {
      out.push(conditionDiagnostic("RC212", `duplicate predicate '${printCondition(item)}' in this '${kind}'`, item.span.start, item.span.end));
    } else if (prior) {
      const what = kind === "and" ? "contradiction: this 'and' can never hold" : "tautology: this 'or' always holds";
      out.push(conditionDiagnostic(kind === "and" ? "RC213" : "RC214", `${what} ('${printCondition(prior.item)}' and '${printCondition(item)}')`, item.span.start, item.span.end));
    } else {
      seen.set(key, { item, negated });
    }
    // Two different values for one field that holds a single value.
    if (kind === "and" && item.kind === "compare" && item.op === "eq" && item.operand.kind !== "list" && item.operand.kind !== "path" && scalarPath(item.path, schema)) {
      const field = printPath(item.path);
      const other = eqs.get(field);
      if (other && printOperand(other.operand) !== printOperand(item.operand)) {
        out.push(
          conditionDiagnostic(
            "RC213",
            `contradiction: '${field}' cannot equal both ${printOperand(other.operand)} and ${printOperand(item.operand)}`,
            item.span.start,
            item.span.end,
          ),
        );
      }
      eqs.set(field, item);
    }
  }
}
