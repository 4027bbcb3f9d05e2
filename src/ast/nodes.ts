/**
 * The condition AST: one readonly discriminated union. Every node carries a span of 0-based
 * offsets into the condition text it was parsed from ([start, end), UTF-16 units).
 */

export interface Span {
  readonly start: number;
  readonly end: number;
}

export const OPERATORS = [
  "eq",
  "ne",
  "gt",
  "ge",
  "lt",
  "le",
  "contains",
  "startswith",
  "endswith",
  "like",
  "matches",
  "in",
  "cidr",
  "ieq",
  "ine",
  "icontains",
  "istartswith",
  "iendswith",
  "ilike",
  "imatches",
  "iin",
] as const;

export type Operator = (typeof OPERATORS)[number];

/** The operator without its `i`: `ieq` -> `eq`. */
export type BaseOperator = Exclude<Operator, `i${string}`> | "in";

export interface Segment {
  readonly name: string;
  /** Written as a backtick segment. */
  readonly quoted: boolean;
  readonly span: Span;
}

export interface Path {
  readonly kind: "path";
  readonly segments: readonly Segment[];
  readonly span: Span;
}

export interface StringLiteral {
  readonly kind: "string";
  readonly value: string;
  /** How the author quoted it; the printer keeps the style. */
  readonly style: "double" | "single";
  readonly span: Span;
}

export interface NumberLiteral {
  readonly kind: "number";
  readonly value: number;
  /** The source spelling (JSON number syntax), kept for printing. */
  readonly raw: string;
  readonly span: Span;
}

export interface BooleanLiteral {
  readonly kind: "boolean";
  readonly value: boolean;
  readonly span: Span;
}

export type Literal = StringLiteral | NumberLiteral | BooleanLiteral;

export interface List {
  readonly kind: "list";
  readonly items: readonly Literal[];
  readonly span: Span;
}

export type Operand = Literal | List | Path;

export interface And {
  readonly kind: "and";
  /** Two or more operands, flattened: `a and b and c` is one node. */
  readonly items: readonly Condition[];
  readonly span: Span;
}

export interface Or {
  readonly kind: "or";
  readonly items: readonly Condition[];
  readonly span: Span;
}

export interface Not {
  readonly kind: "not";
  readonly operand: Condition;
  readonly span: Span;
}

export interface Compare {
  readonly kind: "compare";
  readonly path: Path;
  readonly op: Operator;
  readonly opSpan: Span;
  readonly operand: Operand;
  readonly span: Span;
}

export interface Exists {
  readonly kind: "exists";
  readonly path: Path;
  readonly span: Span;
}

export interface Empty {
  readonly kind: "empty";
  readonly path: Path;
  readonly span: Span;
}

/** `path[cond]`: some element of the array the path reaches satisfies `condition`. */
export interface Any {
  readonly kind: "any";
  readonly path: Path;
  readonly condition: Condition;
  readonly span: Span;
}

export type Condition = And | Or | Not | Compare | Exists | Empty | Any;

export function assertNever(x: never): never {
  throw new Error(`unhandled node: ${JSON.stringify(x)}`);
}

export function isCaseInsensitive(op: Operator): boolean {
  return op.startsWith("i") && op !== "in";
}

/** `ieq` -> `eq`, `iin` -> `in`; plain operators are returned as they are. */
export function baseOperator(op: Operator): BaseOperator {
  return (isCaseInsensitive(op) ? op.slice(1) : op) as BaseOperator;
}

/** The dotted spelling of a path, with backticks where a segment needs them. */
export function pathText(path: Path | readonly Segment[]): string {
  const segments = "segments" in path ? path.segments : path;
  return segments.map((s) => segmentText(s.name)).join(".");
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function segmentText(name: string): string {
  return IDENT.test(name) ? name : "`" + name.replace(/`/g, "``") + "`";
}

export function pathNames(path: Path): string[] {
  return path.segments.map((s) => s.name);
}
