/**
 * Python expressions as a small tree: printed flat when the statement fits in 100 columns, and
 * otherwise split by the port of black's line splitting in black.ts.
 */

import { blackOperandLines, blackStatement, prec, strWidth } from "./black.js";

export const LINE_LENGTH = 100;

export type Py =
  | { readonly k: "bool"; readonly op: "and" | "or"; readonly items: readonly Py[] }
  | { readonly k: "not"; readonly operand: Py }
  | { readonly k: "cmp"; readonly left: Py; readonly op: string; readonly right: Py }
  | { readonly k: "call"; readonly fn: string; readonly args: readonly Py[] }
  | { readonly k: "gen"; readonly fn: string; readonly elt: Py; readonly clauses: readonly { readonly name: string; readonly iter: Py }[] }
  | { readonly k: "tuple"; readonly items: readonly Py[] }
  | { readonly k: "atom"; readonly text: string }
  /** Implicitly concatenated string literals (a long literal in pieces). */
  | { readonly k: "strings"; readonly pieces: readonly string[] };

export const atom = (text: string): Py => ({ k: "atom", text });
/** One literal, or its pieces when it is long. */
export const literal = (pieces: readonly string[]): Py => (pieces.length === 1 ? atom(pieces[0]!) : { k: "strings", pieces });
export const call = (fn: string, ...args: Py[]): Py => ({ k: "call", fn, args });
export const cmp = (left: Py, op: string, right: Py): Py => ({ k: "cmp", left, op, right });

export function not(operand: Py): Py {
  return { k: "not", operand };
}

export function bool(op: "and" | "or", items: readonly Py[]): Py {
  const flat: Py[] = [];
  for (const i of items) {
    if (i.k === "bool" && i.op === op) flat.push(...i.items);
    else flat.push(i);
  }
  return flat.length === 1 ? flat[0]! : { k: "bool", op, items: flat };
}

/** Needs parentheses as an operand of a node of precedence `outer`. */
function needsParens(p: Py, outer: number): boolean {
  return prec(p) < outer || (outer === 4 && prec(p) === 4);
}

export function flat(p: Py): string {
  switch (p.k) {
    case "atom":
      return p.text;
    case "bool":
      return p.items.map((i) => wrap(i, prec(p) + 1)).join(` ${p.op} `);
    case "not":
      return `not ${wrap(p.operand, 3)}`;
    case "cmp":
      return `${wrap(p.left, 4)} ${p.op} ${wrap(p.right, 4)}`;
    case "call":
      return `${p.fn}(${p.args.map(flat).join(", ")})`;
    case "gen":
      return `${p.fn}(${genBody(p)})`;
    case "strings":
      return p.pieces.join(" ");
    case "tuple":
      return p.items.length === 1 ? `(${flat(p.items[0]!)},)` : `(${p.items.map(flat).join(", ")})`;
  }
}

function genBody(p: Extract<Py, { k: "gen" }>): string {
  return [flat(p.elt), ...p.clauses.map((c) => `for ${c.name} in ${flat(c.iter)}`)].join(" ");
}

function wrap(p: Py, outer: number): string {
  return needsParens(p, outer) ? `(${flat(p)})` : flat(p);
}

function fits(line: string): boolean {
  return strWidth(line) <= LINE_LENGTH;
}

/** black's is_line_short_enough. */
function shortEnough(line: string): boolean {
  return strWidth(line) <= LINE_LENGTH && !line.includes("\n");
}

/** The statement `keyword expr` (e.g. `return ...`) at `indent` spaces, laid out as black does. */
export function statement(keyword: string, p: Py, indent: number): string[] {
  // flat(p), keeping a boolean's operands (as flat prints them) for boolStatement.
  const operands = p.k === "bool" ? p.items.map((i) => wrap(i, prec(p) + 1)) : undefined;
  const text = p.k === "bool" ? operands!.join(` ${p.op} `) : flat(p);
  const pad = " ".repeat(indent);
  const one = pad + keyword + " " + text;
  if (fits(one)) return [one];
  return (operands && boolStatement(keyword, p, operands, text, pad)) ?? blackStatement(keyword, p, indent / 4);
}

/**
 * The split black makes of `keyword a and b and c` (three or more operands) when the pieces fit,
 * without running the splitting machinery: its right-hand split makes the invisible parentheses
 * around the expression visible (they cannot be omitted: more than one delimiter of the highest
 * priority), giving `keyword (`, the body one level deeper and `)`; the body stays whole when it
 * fits, else its delimiter split puts each operand on a line of its own (the operator first), and
 * an operand line that is still too long is split further by black (blackOperandLines).
 */
function boolStatement(keyword: string, p: Py, operands: readonly string[], text: string, pad: string): string[] | undefined {
  if (p.k !== "bool" || p.items.length < 3 || pad.length % 4 !== 0) return undefined;
  const head = pad + keyword + " (";
  const tail = pad + ")";
  if (!shortEnough(head) || !shortEnough(tail)) return undefined;
  const inner = pad + "    ";
  const body = inner + text;
  if (shortEnough(body)) return [head, body, tail];
  const lines = [head];
  const outer = prec(p) + 1;
  for (let i = 0; i < p.items.length; i++) {
    const line = inner + (i > 0 ? p.op + " " : "") + operands[i]!;
    if (shortEnough(line)) lines.push(line);
    else for (const l of blackOperandLines(i > 0 ? p.op : undefined, p.items[i]!, outer, pad.length / 4 + 1)) lines.push(l);
  }
  lines.push(tail);
  return lines;
}
