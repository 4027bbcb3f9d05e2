/**
 * Python expressions as a small tree: printed flat when the statement fits in 100 columns, and
 * otherwise split by the port of black's line splitting in black.ts.
 */

import { blackStatement, strWidth } from "./black.js";

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

function prec(p: Py): number {
  switch (p.k) {
    case "bool":
      return p.op === "or" ? 1 : 2;
    case "not":
      return 3;
    case "cmp":
      return 4;
    default:
      return 10;
  }
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

/** The statement `keyword expr` (e.g. `return ...`) at `indent` spaces, laid out as black does. */
export function statement(keyword: string, p: Py, indent: number): string[] {
  const one = " ".repeat(indent) + keyword + " " + flat(p);
  if (fits(one)) return [one];
  return blackStatement(keyword, p, indent / 4);
}
