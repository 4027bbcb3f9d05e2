import { assertNever, segmentText, type Condition, type Literal, type Operand, type Path } from "./nodes.js";

/**
 * The canonical printer: one space between tokens, parentheses only where precedence needs them,
 * strings in the author's quote style with minimal escapes, numbers as written.
 * print(parse(x)) == x for canonical x, and print(parse(print(parse(y)))) == print(parse(y)).
 */
export function printCondition(c: Condition): string {
  return print(c, 0);
}

const PRECEDENCE = { or: 1, and: 2, not: 3, compare: 4, exists: 4, empty: 4, any: 4 } as const;

function print(c: Condition, parent: number): string {
  const own = PRECEDENCE[c.kind];
  const text = printBare(c);
  return own < parent ? `(${text})` : text;
}

function printBare(c: Condition): string {
  switch (c.kind) {
    case "or":
      return c.items.map((i) => print(i, PRECEDENCE.or + 1)).join(" or ");
    case "and":
      return c.items.map((i) => print(i, PRECEDENCE.and + 1)).join(" and ");
    case "not":
      return `not ${print(c.operand, PRECEDENCE.not)}`;
    case "compare":
      return `${printPath(c.path)} ${c.op} ${printOperand(c.operand)}`;
    case "exists":
      return `${printPath(c.path)} exists`;
    case "empty":
      return `${printPath(c.path)} empty`;
    case "any":
      return `${printPath(c.path)}[${print(c.condition, 0)}]`;
    default:
      return assertNever(c);
  }
}

export function printPath(p: Path): string {
  return p.segments
    .map((s, i) => (i === 0 && s.name === "not" ? "`not`" : segmentText(s.name)))
    .join(".");
}

export function printOperand(o: Operand): string {
  switch (o.kind) {
    case "path":
      return printPath(o);
    case "list":
      return `[${o.items.map(printLiteral).join(", ")}]`;
    default:
      return printLiteral(o);
  }
}

export function printLiteral(l: Literal): string {
  switch (l.kind) {
    case "string":
      return l.style === "single" ? `'${l.value.replace(/'/g, "''")}'` : quoteDouble(l.value);
    case "number":
      return l.raw;
    case "boolean":
      return l.value ? "true" : "false";
    default:
      return assertNever(l);
  }
}

/** A "..." string literal of the condition language for any value. */
export function quoteDouble(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f || cp === 0x2028 || cp === 0x2029) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}
