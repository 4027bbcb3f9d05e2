import type { ClassItem, RegexNode, Shorthand } from "../../check/regex.js";

/**
 * Regular expressions for Sigma's `re` modifier. Sigma specifies a PCRE subset: `.`, `^`, `$`,
 * `* + ? {n,m}`, classes `[a-z]` `[^a-z]`, `|` and `( )`. This module prints a pattern of the
 * language's portable subset with only those constructs (escaped metacharacters and literal
 * characters besides), and answers the questions the target asks about a pattern.
 *
 * The same printer writes a pattern back in the language's own syntax for the importer (the two
 * spellings agree on everything but the end anchor, which the caller decides about).
 */

const META_OUTSIDE = "\\^$.|?*+()[]{}";
const META_INSIDE = "\\]-^[";

function lit(cp: number, special: string): string {
  const c = String.fromCodePoint(cp);
  if (special.includes(c)) return "\\" + c;
  const named: Record<number, string> = { 9: "\\t", 10: "\\n", 13: "\\r", 12: "\\f" };
  if (named[cp] !== undefined) return named[cp]!;
  // Other control characters as \xHH (PCRE's \v is a class, not U+000B).
  if (cp < 0x20 || cp === 0x7f) return `\\x${cp.toString(16).toUpperCase().padStart(2, "0")}`;
  return c;
}

function litSource(cp: number, special: string): string {
  if (cp === 10) return "\\n";
  if (cp === 13) return "\\r";
  if (cp === 9) return "\\t";
  const c = String.fromCodePoint(cp);
  return special.includes(c) ? "\\" + c : c;
}

/** Shorthand classes as explicit ASCII classes (PCRE's \s includes \v in newer versions). */
const SHORTHAND_SET: Record<"d" | "w" | "s", ClassItem[]> = {
  d: [{ t: "range", lo: 0x30, hi: 0x39 }],
  w: [
    { t: "range", lo: 0x41, hi: 0x5a },
    { t: "range", lo: 0x61, hi: 0x7a },
    { t: "range", lo: 0x30, hi: 0x39 },
    { t: "char", cp: 0x5f },
  ],
  s: [0x20, 0x09, 0x0a, 0x0d, 0x0c, 0x0b].map((cp) => ({ t: "char", cp }) as const),
};

export interface RegexSpelling {
  /** "pcre": Sigma's subset (literal control characters, no shorthands); "source": the rule language. */
  readonly dialect: "pcre" | "source";
}

/** Prints a pattern; throws NotSayable (via the callback) for what the dialect cannot spell. */
export function printRegex(node: RegexNode, dialect: "pcre" | "source", fail: (why: string) => never): string {
  const ch = dialect === "pcre" ? lit : litSource;
  const p = (n: RegexNode): string => {
    switch (n.t) {
      case "alt":
        return n.items.map(p).join("|");
      case "seq":
        return n.items.map((i) => (i.t === "alt" ? `(${p(i)})` : p(i))).join("");
      case "char":
        return ch(n.cp, META_OUTSIDE);
      case "any":
        return ".";
      case "start":
        return "^";
      case "end":
        return "$";
      case "shorthand":
        return shorthand(n.c);
      case "class":
        return cls(n.negated, n.items);
      case "group":
        return `(${p(n.body)})`;
      case "repeat": {
        const body = n.body;
        const inner = p(body);
        const atomic = body.t === "char" || body.t === "any" || body.t === "class" || body.t === "group" || body.t === "shorthand";
        const b = atomic ? inner : `(${inner})`;
        const q =
          n.min === 0 && n.max === Infinity
            ? "*"
            : n.min === 1 && n.max === Infinity
              ? "+"
              : n.min === 0 && n.max === 1
                ? "?"
                : n.max === Infinity
                  ? `{${n.min},}`
                  : n.min === n.max
                    ? `{${n.min}}`
                    : `{${n.min},${n.max}}`;
        // Laziness never changes whether a search finds a match, and Sigma's subset has no lazy forms.
        return b + q + (dialect === "source" && n.lazy ? "?" : "");
      }
      default:
        return fail("unknown regex node");
    }
  };
  const shorthand = (c: Shorthand): string => {
    if (dialect === "source") return "\\" + c;
    const lower = c.toLowerCase() as "d" | "w" | "s";
    return cls(c !== lower, SHORTHAND_SET[lower]);
  };
  const cls = (negated: boolean, items: readonly ClassItem[]): string => {
    let body = "";
    for (const item of items) {
      if (item.t === "char") body += ch(item.cp, META_INSIDE);
      else if (item.t === "range") body += `${ch(item.lo, META_INSIDE)}-${ch(item.hi, META_INSIDE)}`;
      else if (dialect === "source") body += "\\" + item.c;
      else if (item.c === item.c.toLowerCase()) {
        body += cls(false, SHORTHAND_SET[item.c as "d" | "w" | "s"]).slice(1, -1);
      } else {
        fail(`a negated class \\${item.c} inside [...] has no spelling in Sigma's regular-expression subset`);
      }
    }
    return (negated ? "[^" : "[") + body + "]";
  };
  return p(node);
}

/** Walks every node of a pattern. */
export function someNode(node: RegexNode, test: (n: RegexNode) => boolean): boolean {
  if (test(node)) return true;
  switch (node.t) {
    case "alt":
    case "seq":
      return node.items.some((i) => someNode(i, test));
    case "group":
    case "repeat":
      return someNode(node.body, test);
    default:
      return false;
  }
}

/** Characters every match must contain (a lower bound: alternatives intersect, optional parts give none). */
export function requiredChars(node: RegexNode): Set<number> {
  switch (node.t) {
    case "char":
      return new Set([node.cp]);
    case "seq": {
      const out = new Set<number>();
      for (const i of node.items) for (const c of requiredChars(i)) out.add(c);
      return out;
    }
    case "alt": {
      const sets = node.items.map(requiredChars);
      return new Set([...sets[0]!].filter((c) => sets.every((s) => s.has(c))));
    }
    case "group":
      return requiredChars(node.body);
    case "repeat":
      return node.min >= 1 ? requiredChars(node.body) : new Set();
    default:
      return new Set();
  }
}

/** Every literal code point of a pattern, classes included. */
export function literalCodePoints(node: RegexNode): number[] {
  const out: number[] = [];
  someNode(node, (n) => {
    if (n.t === "char") out.push(n.cp);
    if (n.t === "class") {
      for (const i of n.items) {
        if (i.t === "char") out.push(i.cp);
        if (i.t === "range") out.push(i.lo, i.hi);
      }
    }
    return false;
  });
  return out;
}

/** Class ranges, for the case-insensitive check. */
export function classRanges(node: RegexNode): { lo: number; hi: number }[] {
  const out: { lo: number; hi: number }[] = [];
  someNode(node, (n) => {
    if (n.t === "class") for (const i of n.items) if (i.t === "range") out.push({ lo: i.lo, hi: i.hi });
    return false;
  });
  return out;
}

/** True when some match of the node may contain a line feed. */
export function canMatchNewline(node: RegexNode): boolean {
  const inClass = (items: readonly ClassItem[]) =>
    items.some((i) => (i.t === "char" ? i.cp === 10 : i.t === "range" ? i.lo <= 10 && 10 <= i.hi : i.c === "s" || i.c === "D" || i.c === "W"));
  return someNode(node, (n) => {
    if (n.t === "char") return n.cp === 10;
    if (n.t === "shorthand") return n.c === "s" || n.c === "D" || n.c === "W";
    if (n.t === "class") return n.negated ? !inClass(n.items) || n.items.some((i) => i.t === "shorthand" && i.c === "S") : inClass(n.items);
    return false;
  });
}

/** True when the node can match the empty string. */
export function nullable(node: RegexNode): boolean {
  switch (node.t) {
    case "seq":
      return node.items.every(nullable);
    case "alt":
      return node.items.some(nullable);
    case "group":
      return nullable(node.body);
    case "repeat":
      return node.min === 0 || nullable(node.body);
    case "start":
    case "end":
      return true;
    default:
      return false;
  }
}

/** The top-level alternatives of a pattern. */
export function branches(node: RegexNode): readonly RegexNode[] {
  return node.t === "alt" ? node.items : [node];
}

/** The items of one branch, in order. */
export function branchItems(node: RegexNode): readonly RegexNode[] {
  return node.t === "seq" ? node.items : [node];
}
