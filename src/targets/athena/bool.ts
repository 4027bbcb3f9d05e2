/**
 * Boolean SQL expressions as a small tree, so that constants fold, NULL never leaks into a NOT, and
 * parentheses come from precedence. Printed on one line (inside lambdas) or as an indented block
 * (the WHERE clause).
 */

export const PREC = { or: 1, and: 2, not: 3, predicate: 4, atom: 5 } as const;

export type BoolExpr =
  | { readonly k: "const"; readonly value: boolean }
  /** A predicate in SQL text. `nullable`: it may evaluate to NULL (a missing column). */
  | { readonly k: "leaf"; readonly sql: string; readonly prec: number; readonly nullable: boolean; readonly negated?: string }
  | { readonly k: "and" | "or"; readonly items: readonly BoolExpr[] }
  | { readonly k: "not"; readonly item: BoolExpr }
  /**
   * Some element of a list satisfies body (any_match / list_filter): `render` wraps the body's text.
   * May be NULL (a NULL list, or a body that is NULL for some element and TRUE for none), which a
   * WHERE reads as FALSE and `not` wraps in COALESCE: the body itself needs no COALESCE.
   */
  | { readonly k: "quant"; readonly render: (body: string) => string; readonly body: BoolExpr };

export const TRUE: BoolExpr = { k: "const", value: true };
export const FALSE: BoolExpr = { k: "const", value: false };

/**
 * `negated`: a spelling of NOT COALESCE(sql, FALSE) that reads better and is never NULL
 * (`x IS NULL` for `x IS NOT NULL`, `x IS DISTINCT FROM 'a'` for `x = 'a'`).
 */
export function leaf(sql: string, nullable: boolean, prec: number = PREC.predicate, negated?: string): BoolExpr {
  return negated === undefined ? { k: "leaf", sql, prec, nullable } : { k: "leaf", sql, prec, nullable, negated };
}

export function and(items: readonly BoolExpr[]): BoolExpr {
  return junction("and", items);
}

export function or(items: readonly BoolExpr[]): BoolExpr {
  return junction("or", items);
}

function junction(k: "and" | "or", items: readonly BoolExpr[]): BoolExpr {
  const absorbing = k === "or";
  const out: BoolExpr[] = [];
  for (const item of items) {
    if (item.k === "const") {
      if (item.value === absorbing) return item;
      continue;
    }
    if (item.k === k) out.push(...item.items);
    else out.push(item);
  }
  if (out.length === 0) return { k: "const", value: !absorbing };
  if (out.length === 1) return out[0]!;
  return { k, items: out };
}

export function quant(render: (body: string) => string, body: BoolExpr): BoolExpr {
  if (body.k === "const" && !body.value) return FALSE;
  return { k: "quant", render, body };
}

export function not(item: BoolExpr): BoolExpr {
  if (item.k === "const") return { k: "const", value: !item.value };
  if (item.k === "leaf" && item.negated !== undefined) return item.nullable ? leaf(item.negated, false, item.prec) : leaf(item.negated, false, item.prec, item.sql);
  return { k: "not", item };
}

export function nullable(b: BoolExpr): boolean {
  switch (b.k) {
    case "const":
    case "not":
      return false;
    case "leaf":
      return b.nullable;
    case "quant":
      return true;
    case "and":
    case "or":
      return b.items.some(nullable);
  }
}

/** Never NULL: COALESCE(b, FALSE) where b may be NULL. */
export function definite(b: BoolExpr): BoolExpr {
  return nullable(b) ? leaf(`COALESCE(${inline(b)}, FALSE)`, false, PREC.atom) : b;
}

function prec(b: BoolExpr): number {
  switch (b.k) {
    case "const":
    case "quant":
      return PREC.atom;
    case "leaf":
      return b.prec;
    case "and":
      return PREC.and;
    case "or":
      return PREC.or;
    case "not":
      return PREC.not;
  }
}

function wrap(b: BoolExpr, min: number, text: string): string {
  return prec(b) < min ? `(${text})` : text;
}

/** One line. */
export function inline(b: BoolExpr): string {
  switch (b.k) {
    case "const":
      return b.value ? "TRUE" : "FALSE";
    case "leaf":
      return b.sql;
    case "and":
    case "or": {
      const p = b.k === "and" ? PREC.and : PREC.or;
      // An AND inside an OR is parenthesized too: correct without, but easier to read.
      return b.items.map((i) => (i.k === "and" && b.k === "or" ? `(${inline(i)})` : wrap(i, p, inline(i)))).join(b.k === "and" ? " AND " : " OR ");
    }
    case "not":
      return notText(b.item, inline(b.item));
    case "quant":
      return b.render(inline(b.body));
  }
}

function notText(item: BoolExpr, text: string): string {
  if (nullable(item)) return `NOT COALESCE(${text}, FALSE)`;
  return `NOT ${prec(item) <= PREC.predicate ? `(${text})` : text}`;
}

/** An indented block: AND/OR operands one per line, nested groups indented. */
export function block(b: BoolExpr, indent: string): string {
  switch (b.k) {
    case "and":
    case "or": {
      const op = b.k === "and" ? "AND" : "OR";
      const p = b.k === "and" ? PREC.and : PREC.or;
      return b.items
        .map((item, i) => {
          const group = prec(item) < p || (item.k === "and" && b.k === "or");
          const text = group ? `(\n${indent}  ${block(item, indent + "  ")}\n${indent})` : block(item, indent);
          return i === 0 ? text : `\n${indent}${op} ${text}`;
        })
        .join("");
    }
    case "not": {
      if (b.item.k === "and" || b.item.k === "or") {
        const inner = block(b.item, indent + "  ");
        return nullable(b.item) ? `NOT COALESCE((\n${indent}  ${inner}\n${indent}), FALSE)` : `NOT (\n${indent}  ${inner}\n${indent})`;
      }
      if (b.item.k === "quant") return nullable(b.item) ? `NOT COALESCE(${block(b.item, indent)}, FALSE)` : `NOT ${block(b.item, indent)}`;
      return inline(b);
    }
    case "quant": {
      // A compound body goes on its own lines, indented under the quantifier.
      if (b.body.k !== "and" && b.body.k !== "or" && inline(b).length <= 100) return inline(b);
      // (Literals never hold a raw line break: escape.ts spells control characters with chr().)
      return b.render(`\n${indent}  ${block(b.body, indent + "  ")}\n${indent}`).replace(/ +\n/g, "\n");
    }
    default:
      return inline(b);
  }
}
