/**
 * The portable regular-expression subset of LANGUAGE.md 3.1: a parser that accepts exactly the
 * subset (everything else is a diagnostic), and emitters that spell the same pattern for each
 * engine (JavaScript for the evaluator, Python `re`, RE2 for DuckDB, Joni/Java for Trino).
 */

export type RegexNode =
  | { readonly t: "alt"; readonly items: readonly RegexNode[] }
  | { readonly t: "seq"; readonly items: readonly RegexNode[] }
  | { readonly t: "char"; readonly cp: number }
  | { readonly t: "any" }
  | { readonly t: "start" }
  | { readonly t: "end" }
  | { readonly t: "shorthand"; readonly c: Shorthand }
  | { readonly t: "class"; readonly negated: boolean; readonly items: readonly ClassItem[] }
  | { readonly t: "group"; readonly capture: boolean; readonly body: RegexNode }
  | { readonly t: "repeat"; readonly body: RegexNode; readonly min: number; readonly max: number; readonly lazy: boolean };

export type Shorthand = "d" | "D" | "w" | "W" | "s" | "S";

export type ClassItem =
  | { readonly t: "char"; readonly cp: number }
  | { readonly t: "range"; readonly lo: number; readonly hi: number }
  | { readonly t: "shorthand"; readonly c: Shorthand };

export interface RegexError {
  /** RC206: outside the portable subset; RC207: does not compile. */
  readonly code: "RC206" | "RC207";
  readonly message: string;
  /** Offsets into the pattern (in UTF-16 units). */
  readonly start: number;
  readonly end: number;
}

export const MAX_REPEAT = 1000;

/** Characters that may be escaped with a backslash: ASCII punctuation. */
const ESCAPABLE = /^[!-/:-@[-`{-~]$/;

class RegexSyntaxError extends Error {
  constructor(readonly error: RegexError) {
    super(error.message);
  }
}

export function parseRegex(pattern: string): { ast?: RegexNode; error?: RegexError } {
  const p = new RegexParser(pattern);
  try {
    const ast = p.parseAlt();
    if (p.pos < pattern.length) {
      // Only an unbalanced ')' stops the top-level alternation early.
      p.fail("RC207", "unbalanced ')'", p.pos, p.pos + 1);
    }
    return { ast };
  } catch (e) {
    if (e instanceof RegexSyntaxError) return { error: e.error };
    throw e;
  }
}

class RegexParser {
  pos = 0;
  private depth = 0;

  constructor(private readonly src: string) {}

  fail(code: "RC206" | "RC207", message: string, start: number, end: number): never {
    throw new RegexSyntaxError({ code, message, start, end });
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  parseAlt(): RegexNode {
    const items = [this.parseSeq()];
    while (this.peek() === "|") {
      this.pos++;
      items.push(this.parseSeq());
    }
    return items.length === 1 ? items[0]! : { t: "alt", items };
  }

  private parseSeq(): RegexNode {
    const items: RegexNode[] = [];
    for (;;) {
      const ch = this.peek();
      if (ch === undefined || ch === "|" || ch === ")") break;
      const atomStart = this.pos;
      const atom = this.parseAtom();
      items.push(this.parseQuantifier(atom, atomStart));
    }
    return items.length === 1 ? items[0]! : { t: "seq", items };
  }

  private parseQuantifier(atom: RegexNode, atomStart: number): RegexNode {
    const start = this.pos;
    const ch = this.peek();
    let min: number;
    let max: number;
    if (ch === "*") [min, max] = [0, Infinity];
    else if (ch === "+") [min, max] = [1, Infinity];
    else if (ch === "?") [min, max] = [0, 1];
    else if (ch === "{") {
      const m = /^\{(\d*)(,?)(\d*)\}/.exec(this.src.slice(this.pos));
      if (!m) this.fail("RC206", "a literal '{' must be escaped as \\{", this.pos, this.pos + 1);
      if (m[1] === "") this.fail("RC206", `'${m[0]}': a repetition needs a lower bound ({0,n})`, this.pos, this.pos + m[0].length);
      min = Number(m[1]);
      max = m[2] === "" ? min : m[3] === "" ? Infinity : Number(m[3]);
      if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) {
        this.fail("RC207", `repetition count above ${MAX_REPEAT} in '${m[0]}'`, this.pos, this.pos + m[0].length);
      }
      if (max < min) this.fail("RC207", `'${m[0]}': the bounds are reversed`, this.pos, this.pos + m[0].length);
      this.pos += m[0].length - 1;
    } else {
      return atom;
    }
    this.pos++;
    if (atom.t === "start" || atom.t === "end") {
      this.fail("RC207", `nothing to repeat before '${this.src.slice(start, this.pos)}'`, atomStart, this.pos);
    }
    let lazy = false;
    if (this.peek() === "?") {
      lazy = true;
      this.pos++;
    } else if (this.peek() === "+") {
      this.fail("RC206", "outside the portable subset: possessive quantifiers", start, this.pos + 1);
    }
    const next = this.peek();
    if (next === "*" || next === "+" || next === "?" || (next === "{" && /^\{\d*,?\d*\}/.test(this.src.slice(this.pos)))) {
      this.fail("RC207", "multiple repeat: a quantifier cannot follow a quantifier (use a group)", this.pos, this.pos + 1);
    }
    return { t: "repeat", body: atom, min, max, lazy };
  }

  private parseAtom(): RegexNode {
    const start = this.pos;
    const cp = this.src.codePointAt(this.pos)!;
    const ch = String.fromCodePoint(cp);
    switch (ch) {
      case "*":
      case "+":
      case "?":
        this.fail("RC207", `nothing to repeat before '${ch}'`, start, start + 1);
      // falls through (fail never returns)
      case "{":
        this.fail("RC206", "a literal '{' must be escaped as \\{", start, start + 1);
      // falls through
      case "}":
        this.fail("RC206", "a literal '}' must be escaped as \\}", start, start + 1);
      // falls through
      case "]":
        this.fail("RC206", "a literal ']' must be escaped as \\]", start, start + 1);
      // falls through
      case ".":
        this.pos++;
        return { t: "any" };
      case "^":
        this.pos++;
        return { t: "start" };
      case "$":
        this.pos++;
        return { t: "end" };
      case "(":
        return this.parseGroup();
      case "[":
        return this.parseClass();
      case "\\":
        return this.parseEscape(false) as RegexNode;
      default:
        this.pos += ch.length;
        return { t: "char", cp };
    }
  }

  private parseGroup(): RegexNode {
    const start = this.pos;
    this.pos++;
    let capture = true;
    if (this.peek() === "?") {
      if (this.src[this.pos + 1] === ":") {
        capture = false;
        this.pos += 2;
      } else {
        const rest = this.src.slice(this.pos + 1);
        const what = /^[=!]/.test(rest)
          ? "lookahead"
          : /^<[=!]/.test(rest)
            ? "lookbehind"
            : /^>/.test(rest)
              ? "atomic groups"
              : /^(P?<|')/.test(rest)
                ? "named groups"
                : /^[a-zA-Z-]/.test(rest)
                  ? "inline flags"
                  : "'(?' forms other than (?:";
        this.fail("RC206", `outside the portable subset: ${what}`, start, Math.min(this.src.length, start + 3));
      }
    }
    if (++this.depth > 100) this.fail("RC207", "groups nested too deeply", start, start + 1);
    const body = this.parseAlt();
    this.depth--;
    if (this.peek() !== ")") this.fail("RC207", "missing ')': unterminated group", start, start + 1);
    this.pos++;
    return { t: "group", capture, body };
  }

  private parseClass(): RegexNode {
    const start = this.pos;
    this.pos++;
    let negated = false;
    if (this.peek() === "^") {
      negated = true;
      this.pos++;
    }
    const items: ClassItem[] = [];
    if (this.peek() === "]") {
      this.fail("RC206", "a ']' first in a class must be escaped as \\] (engines disagree on it)", this.pos, this.pos + 1);
    }
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) this.fail("RC207", "unterminated character class: missing ']'", start, start + 1);
      if (ch === "]") {
        this.pos++;
        break;
      }
      if (ch === "[") {
        const posix = /^\[:[a-z]+:\]/.test(this.src.slice(this.pos));
        this.fail(
          "RC206",
          posix ? "outside the portable subset: POSIX classes like [:alpha:]" : "a '[' inside a class must be escaped as \\[",
          this.pos,
          this.pos + 1,
        );
      }
      if (ch === "&" && this.src[this.pos + 1] === "&") {
        this.fail("RC206", "'&&' in a class must be escaped (Java reads it as an intersection)", this.pos, this.pos + 2);
      }
      const itemStart = this.pos;
      const lo = this.classAtom();
      if (this.peek() === "-" && this.src[this.pos + 1] !== "]" && this.src[this.pos + 1] !== undefined) {
        this.pos++;
        const hi = this.classAtom();
        if (lo.t !== "char" || hi.t !== "char") {
          this.fail("RC207", "a range cannot start or end with a class like \\d", itemStart, this.pos);
        }
        if (hi.cp < lo.cp) this.fail("RC207", "a range out of order", itemStart, this.pos);
        items.push({ t: "range", lo: lo.cp, hi: hi.cp });
      } else {
        items.push(lo);
      }
    }
    return { t: "class", negated, items };
  }

  private classAtom(): ClassItem {
    if (this.peek() === "\\") return this.parseEscape(true) as ClassItem;
    const cp = this.src.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return { t: "char", cp };
  }

  private parseEscape(inClass: boolean): RegexNode | ClassItem {
    const start = this.pos;
    const next = this.src[this.pos + 1];
    if (next === undefined) this.fail("RC207", "a pattern cannot end with a backslash", start, start + 1);
    this.pos += 2;
    if ("dDwWsS".includes(next)) return { t: "shorthand", c: next as Shorthand };
    if (next === "n") return { t: "char", cp: 10 };
    if (next === "r") return { t: "char", cp: 13 };
    if (next === "t") return { t: "char", cp: 9 };
    if (ESCAPABLE.test(next)) return { t: "char", cp: next.charCodeAt(0) };
    let what: string;
    if (/[0-9]/.test(next)) what = "backreferences and octal escapes";
    else if ("bB".includes(next)) what = inClass ? "\\b in a class" : "word boundaries \\b and \\B";
    else if ("AZz".includes(next)) what = `\\${next} anchors (use ^ and $)`;
    else if (next === "x" || next === "u" || next === "U") what = `\\${next} escapes (write the character itself)`;
    else if (next === "p" || next === "P") what = "Unicode property classes";
    else what = `the escape \\${next}`;
    this.fail("RC206", `outside the portable subset: ${what}`, start, start + 2);
  }
}

/** Lower-cases the literal characters of a pattern (for `imatches`); escapes stay as they are. */
export function lowerRegex(node: RegexNode): RegexNode {
  switch (node.t) {
    case "alt":
    case "seq":
      return { t: node.t, items: node.items.map(lowerRegex) };
    case "char": {
      const lowered = String.fromCodePoint(node.cp).toLowerCase();
      const cps = [...lowered].map((c) => c.codePointAt(0)!);
      if (cps.length === 1) return { t: "char", cp: cps[0]! };
      return { t: "group", capture: false, body: { t: "seq", items: cps.map((cp) => ({ t: "char", cp }) as const) } };
    }
    case "class":
      return { t: "class", negated: node.negated, items: node.items.flatMap(lowerClassItem) };
    case "group":
      return { t: "group", capture: node.capture, body: lowerRegex(node.body) };
    case "repeat":
      return { ...node, body: lowerRegex(node.body) };
    default:
      return node;
  }
}

function lowerCp(cp: number): number | undefined {
  const l = [...String.fromCodePoint(cp).toLowerCase()];
  return l.length === 1 ? l[0]!.codePointAt(0)! : undefined;
}

function lowerClassItem(item: ClassItem): ClassItem[] {
  if (item.t === "char") {
    const l = String.fromCodePoint(item.cp).toLowerCase();
    // A character that lowers to two (İ -> i + U+0307) cannot stand in a class: keep both spellings' first.
    return [{ t: "char", cp: l.codePointAt(0)! }];
  }
  if (item.t === "range") {
    const lo = lowerCp(item.lo);
    const hi = lowerCp(item.hi);
    // Lower both ends when that keeps an ordered range of the same size (A-Z -> a-z).
    if (lo !== undefined && hi !== undefined && hi - lo === item.hi - item.lo) return [{ t: "range", lo, hi }];
    return [item];
  }
  return [item];
}

/** How one engine spells the parts of the subset. */
export interface RegexFlavor {
  readonly any: string;
  readonly start: string;
  readonly end: string;
  /** The body of the class \s: [ \t\n\r\f\v]. */
  readonly space: string;
  /** Any character including a line break, for negated classes with \D \W \S inside. */
  readonly anyChar: string;
  /** A literal code point outside a class. */
  readonly char: (cp: number) => string;
  /** A literal code point inside a class. */
  readonly classChar: (cp: number) => string;
}

const SHORTHAND_BODY = { d: "0-9", w: "A-Za-z0-9_" } as const;

function hex(cp: number, width: number): string {
  return cp.toString(16).toUpperCase().padStart(width, "0");
}

function isPlain(cp: number): boolean {
  return cp >= 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp <= 0x9f) && cp !== 0x2028 && cp !== 0x2029;
}

function controlEscape(cp: number): string | undefined {
  return cp === 10 ? "\\n" : cp === 13 ? "\\r" : cp === 9 ? "\\t" : undefined;
}

function makeChar(hexEscape: (cp: number) => string, inClassSpecial: string, outsideSpecial: string) {
  return {
    char: (cp: number) => {
      const c = String.fromCodePoint(cp);
      if (outsideSpecial.includes(c)) return "\\" + c;
      return controlEscape(cp) ?? (isPlain(cp) ? c : hexEscape(cp));
    },
    classChar: (cp: number) => {
      const c = String.fromCodePoint(cp);
      if (inClassSpecial.includes(c)) return "\\" + c;
      return controlEscape(cp) ?? (isPlain(cp) ? c : hexEscape(cp));
    },
  };
}

export const FLAVORS = {
  /** JavaScript RegExp with the `u` flag (the evaluator). */
  js: {
    any: "[^\\n]",
    space: " \\t\\n\\r\\f\\v",
    start: "^",
    end: "(?![\\s\\S])",
    anyChar: "[\\s\\S]",
    ...makeChar((cp) => `\\u{${hex(cp, 4)}}`, "\\]-^[", "\\^$.|?*+()[]{}/"),
  },
  /** Python `re` on str patterns. */
  python: {
    any: "[^\\n]",
    space: " \\t\\n\\r\\f\\v",
    start: "^",
    end: "\\Z",
    anyChar: "[\\s\\S]",
    ...makeChar((cp) => (cp <= 0xffff ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`), "\\]-^[", "\\^$.|?*+()[]{}#"),
  },
  /** RE2 (DuckDB's regexp_matches). */
  re2: {
    any: "[^\\n]",
    space: " \\t\\n\\r\\f\\v",
    start: "^",
    end: "\\z",
    anyChar: "[\\s\\S]",
    ...makeChar((cp) => `\\x{${hex(cp, 4)}}`, "\\]-^[", "\\^$.|?*+()[]{}"),
  },
  /** Joni with Java syntax (Trino's regexp_like, Athena engine v3). */
  java: {
    any: "[^\\n]",
    space: " \\t\\n\\r\\f\\x0B",
    start: "\\A",
    end: "\\z",
    anyChar: "[\\s\\S]",
    ...makeChar((cp) => `\\x{${hex(cp, 4)}}`, "\\]-^[&", "\\^$.|?*+()[]{}"),
  },
} as const satisfies Record<string, RegexFlavor>;

export type FlavorName = keyof typeof FLAVORS;

export function emitRegex(node: RegexNode, flavor: RegexFlavor): string {
  switch (node.t) {
    case "alt":
      return node.items.map((n) => emitRegex(n, flavor)).join("|");
    case "seq":
      return node.items.map((n) => emitRegex(n, flavor)).join("");
    case "char":
      return flavor.char(node.cp);
    case "any":
      return flavor.any;
    case "start":
      return flavor.start;
    case "end":
      return flavor.end;
    case "shorthand":
      return emitShorthand(node.c, flavor);
    case "class":
      return emitClass(node, flavor);
    case "group":
      return (node.capture ? "(" : "(?:") + emitRegex(node.body, flavor) + ")";
    case "repeat": {
      const body = emitRegex(node.body, flavor);
      const needsGroup = node.body.t === "seq" || node.body.t === "alt" || (node.body.t === "char" && [...body].length > 1 && !body.startsWith("\\"));
      const b = needsGroup ? `(?:${body})` : body;
      const q =
        node.min === 0 && node.max === Infinity
          ? "*"
          : node.min === 1 && node.max === Infinity
            ? "+"
            : node.min === 0 && node.max === 1
              ? "?"
              : node.max === Infinity
                ? `{${node.min},}`
                : node.min === node.max
                  ? `{${node.min}}`
                  : `{${node.min},${node.max}}`;
      return b + q + (node.lazy ? "?" : "");
    }
  }
}

function shorthandBody(c: "d" | "w" | "s", flavor: RegexFlavor): string {
  return c === "s" ? flavor.space : SHORTHAND_BODY[c];
}

function emitShorthand(c: Shorthand, flavor: RegexFlavor): string {
  const lower = c.toLowerCase() as "d" | "w" | "s";
  return (c === lower ? "[" : "[^") + shorthandBody(lower, flavor) + "]";
}

function emitClass(node: Extract<RegexNode, { t: "class" }>, flavor: RegexFlavor): string {
  let body = "";
  const negatedShorthands: string[] = [];
  for (const item of node.items) {
    if (item.t === "char") body += flavor.classChar(item.cp);
    else if (item.t === "range") body += `${flavor.classChar(item.lo)}-${flavor.classChar(item.hi)}`;
    else if (item.c === item.c.toLowerCase()) body += shorthandBody(item.c as "d" | "w" | "s", flavor);
    else negatedShorthands.push(emitShorthand(item.c, flavor));
  }
  if (negatedShorthands.length === 0) return (node.negated ? "[^" : "[") + body + "]";
  const alternatives = [...(body === "" ? [] : [`[${body}]`]), ...negatedShorthands].join("|");
  return node.negated ? `(?:(?!${alternatives})${flavor.anyChar})` : `(?:${alternatives})`;
}

/** The pattern as a JavaScript RegExp with the subset's meaning. */
export function toJsRegExp(node: RegexNode): RegExp {
  return new RegExp(emitRegex(node, FLAVORS.js), "u");
}

