import {
  assertNever,
  baseOperator,
  type Compare,
  type Condition,
  type Literal,
  type Path,
  type Segment,
  type StringLiteral,
} from "../ast/nodes.js";
import { conditionDiagnostic, nearest, type ConditionDiagnostic } from "../diagnostics.js";
import { allPaths, elementType, resolvePath, type FieldType } from "../schema/schema.js";
import { parseNetwork } from "./cidr.js";
import { checkPatternBacktracking } from "./redos.js";
import { parseRegex } from "./regex.js";

/**
 * Semantic checks of a parsed condition: operand shapes and types (3.1), regexes in the portable
 * subset, well-formed networks, and, with a schema, known fields. Returns the condition with
 * field paths rewritten to the schema's spelling.
 */

export interface CheckOptions {
  /** The log type's root type; without it fields are not checked (every field may be anything). */
  readonly schema?: FieldType;
  /** The condition text, to point inside string literals (regex errors). */
  readonly text?: string;
}

export interface CheckResult {
  readonly condition: Condition;
  readonly diagnostics: readonly ConditionDiagnostic[];
}

export function checkCondition(c: Condition, options: CheckOptions = {}): CheckResult {
  const checker = new Checker(options.text);
  const condition = checker.condition(c, options.schema);
  return { condition, diagnostics: checker.diagnostics };
}

/** Checks one path on its own (OutputFields, DedupFields, AlertTitle placeholders). */
export function checkPath(p: Path, schema: FieldType | undefined): { path: Path; diagnostics: readonly ConditionDiagnostic[] } {
  const checker = new Checker(undefined);
  const path = checker.path(p, schema).path;
  return { path, diagnostics: checker.diagnostics };
}

const SINGLE_VALUE = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);
const NUMBER_OPS = new Set(["gt", "ge", "lt", "le"]);
const STRING_OPS = new Set(["contains", "startswith", "endswith", "like", "matches", "cidr"]);
const LITERAL_ONLY = new Set(["like", "matches", "cidr", "in"]);

class Checker {
  readonly diagnostics: ConditionDiagnostic[] = [];

  constructor(private readonly text: string | undefined) {}

  private error(code: Parameters<typeof conditionDiagnostic>[0], message: string, start: number, end: number, suggestion?: string): void {
    this.diagnostics.push(conditionDiagnostic(code, message, start, end, suggestion));
  }

  condition(c: Condition, schema: FieldType | undefined): Condition {
    switch (c.kind) {
      case "and":
      case "or":
        return { ...c, items: c.items.map((i) => this.condition(i, schema)) };
      case "not":
        return { ...c, operand: this.condition(c.operand, schema) };
      case "exists":
      case "empty":
        return { ...c, path: this.path(c.path, schema).path };
      case "any": {
        const { path, type } = this.path(c.path, schema);
        let inner: FieldType | undefined;
        if (type !== undefined) {
          const e = elementType(type);
          if (e.type === "object" || e.type === "json") inner = e;
          else {
            this.error(
              "RC202",
              `'${pathString(c.path)}' holds ${e.type} values, not objects: '[...]' needs fields to bind (use the plain form, e.g. '${pathString(c.path)} eq ...')`,
              c.path.span.start,
              c.path.span.end,
            );
          }
        }
        return { ...c, path, condition: this.condition(c.condition, type === undefined ? undefined : inner) };
      }
      case "compare":
        return this.compare(c, schema);
      default:
        return assertNever(c);
    }
  }

  private compare(c: Compare, schema: FieldType | undefined): Condition {
    const { path, type } = this.path(c.path, schema);
    const op = baseOperator(c.op);
    const operand = c.operand;
    let checkedOperand = operand;

    if (operand.kind === "list") {
      if (SINGLE_VALUE.has(op)) {
        const hint = op === "eq" || op === "ne" ? ` (use '${c.op === "ieq" ? "iin" : "in"}' for any of a list)` : "";
        this.error("RC203", `'${c.op}' takes one value, not a list${hint}`, operand.span.start, operand.span.end, op === "eq" ? c.op.replace("eq", "in") : undefined);
      }
    } else if (op === "in") {
      this.error(
        operand.kind === "path" ? "RC205" : "RC204",
        operand.kind === "path" ? `'${c.op}' needs a list of literals, not a field` : `'${c.op}' needs a list: ${c.op} [${operandText(operand)}]`,
        operand.span.start,
        operand.span.end,
      );
    } else if (operand.kind === "path" && LITERAL_ONLY.has(op)) {
      this.error("RC205", `'${c.op}' needs a literal, not a field`, operand.span.start, operand.span.end);
    }

    if (operand.kind === "path") {
      checkedOperand = this.path(operand, schema).path;
    } else {
      const items = operand.kind === "list" ? operand.items : [operand];
      for (const lit of items) this.literal(c, lit);
    }

    if (type !== undefined && operand.kind !== "path") this.typeWarnings(c, type);
    return { ...c, path, operand: checkedOperand };
  }

  private literal(c: Compare, lit: Literal): void {
    const op = baseOperator(c.op);
    if (NUMBER_OPS.has(op) && lit.kind !== "number") {
      this.error("RC202", `'${c.op}' compares numbers: ${operandText(lit)} is not a number`, lit.span.start, lit.span.end);
      return;
    }
    if (STRING_OPS.has(op) && lit.kind !== "string") {
      this.error("RC202", `'${c.op}' applies to strings: ${operandText(lit)} is not a string`, lit.span.start, lit.span.end);
      return;
    }
    if (lit.kind !== "string") return;
    if (op === "matches") {
      const r = parseRegex(lit.value);
      if (r.error) {
        const start = this.valueOffset(lit, r.error.start);
        const end = Math.max(start + 1, this.valueOffset(lit, r.error.end));
        this.error(r.error.code, `${r.error.message} in /${lit.value}/`, start, end);
      } else if (r.ast) {
        const verdict = checkPatternBacktracking(lit.value, r.ast);
        if (!verdict.ok) this.error("RC240", `/${lit.value}/: ${verdict.reason}`, lit.span.start, lit.span.end);
      }
    } else if (op === "cidr") {
      const r = parseNetwork(lit.value);
      if ("error" in r) this.error(r.error === "host-bits" ? "RC209" : "RC208", r.message, lit.span.start, lit.span.end);
    }
  }

  private typeWarnings(c: Compare, type: FieldType): void {
    const op = baseOperator(c.op);
    if (op !== "eq" && op !== "ne" && op !== "in") return;
    const t = elementType(type).type;
    const items = c.operand.kind === "list" ? c.operand.items : c.operand.kind === "path" ? [] : [c.operand];
    const holds = t === "string" || t === "timestamp" || t === "ip" ? "string" : t === "number" ? "number" : t === "boolean" ? "boolean" : undefined;
    if (holds === undefined) return;
    for (const lit of items) {
      if (lit.kind !== holds) {
        this.error(
          "RC211",
          `'${pathString(c.path)}' holds ${holds} values: ${operandText(lit)} (a ${lit.kind}) never equals one`,
          lit.span.start,
          lit.span.end,
        );
      }
    }
  }

  /** A 0-based offset inside a string literal's value -> an offset into the condition text. */
  private valueOffset(lit: StringLiteral, index: number): number {
    const raw = this.text?.slice(lit.span.start, lit.span.end);
    if (raw === undefined) return lit.span.start;
    let v = 0;
    let i = 1;
    while (i < raw.length - 1 && v < index) {
      if (lit.style === "single") i += raw[i] === "'" ? 2 : 1;
      else if (raw[i] === "\\") i += raw[i + 1] === "u" ? 6 : 2;
      else i += 1;
      v++;
    }
    return lit.span.start + i;
  }

  path(p: Path, schema: FieldType | undefined): { path: Path; type?: FieldType } {
    if (schema === undefined) return { path: p };
    const names = p.segments.map((s) => s.name);
    const r = resolvePath(schema, names);
    if (!r.ok) {
      const seg = p.segments[r.at]!;
      const prefix = names.slice(0, r.at).join(".");
      if (r.reason === "scalar") {
        this.error("RC201", `unknown field '${pathString(p)}': '${prefix}' is a ${r.parent.type}, it has no field '${seg.name}'`, seg.span.start, p.span.end);
      } else {
        const parent = r.parent.type === "object" ? Object.keys(r.parent.fields) : [];
        let near = nearest(seg.name, parent, 3).map((n) => (prefix === "" ? n : `${prefix}.${n}`));
        if (near.length === 0) near = nearest(names.join("."), allPaths(schema), 3);
        const hint = near.length > 0 ? ` (did you mean ${near.map((n) => `'${n}'`).join(", ")}?)` : "";
        this.error("RC201", `unknown field '${pathString(p)}'${hint}`, seg.span.start, seg.span.end, near[0]);
      }
      return { path: p };
    }
    let changed = false;
    const segments: Segment[] = p.segments.map((s, i) => {
      const name = r.segments[i]!.name;
      if (name === s.name) return s;
      changed = true;
      return { ...s, name };
    });
    if (!changed) return { path: p, type: r.type };
    const fixed = { ...p, segments };
    this.error(
      "RC210",
      `'${pathString(p)}' is spelled '${pathString(fixed)}' in the schema; using that (event keys are matched as the schema spells them)`,
      p.span.start,
      p.span.end,
      pathString(fixed),
    );
    return { path: fixed, type: r.type };
  }
}

function pathString(p: Path): string {
  return p.segments.map((s) => s.name).join(".");
}

function operandText(o: Literal | Path): string {
  switch (o.kind) {
    case "string":
      return JSON.stringify(o.value);
    case "number":
      return o.raw;
    case "boolean":
      return String(o.value);
    case "path":
      return pathString(o);
    default:
      return assertNever(o);
  }
}
