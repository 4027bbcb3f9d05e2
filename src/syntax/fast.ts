import { OPERATORS, type Condition, type Literal, type Operand, type Operator, type Path, type Segment } from "../ast/nodes.js";

/**
 * The fast path of parseCondition (ast.ts): a scanner and a recursive descent over the same
 * grammar as the Chevrotain parser (parser.ts), for a condition that parses without any
 * diagnostic. It builds the AST the CST visitor (AstBuilder) builds, node for node, span for span,
 * key order included. It gives up (undefined) at the first thing it does not take as it is: a
 * character or token out of place, an unterminated string or backtick segment, an invalid
 * escape or number, an empty backtick segment, an ambiguous operand, nesting near MAX_DEPTH.
 * Then the Chevrotain parser parses the text from the start and says what is wrong, so every
 * diagnostic still comes from it. What this path accepts is a subset of what that parser accepts,
 * with the same AST (test/frontend/fast-parser.test.ts compares the two).
 *
 * The point is the cost: the Chevrotain lexer and parser, and the CST between them, were the
 * larger part of loading a rule (after YAML) in a cold process.
 */

// Token kinds.
const EOF = 0;
const LPAREN = 1;
const RPAREN = 2;
const LBRACKET = 3;
const RBRACKET = 4;
const COMMA = 5;
const DOT = 6;
const DSTRING = 7;
const SSTRING = 8;
const BACKTICK = 9;
const NUMBER = 10;
const IDENT = 11;
const NOT = 12;
const AND = 13;
const OR = 14;
const EXISTS = 15;
const EMPTY = 16;
const TRUE = 17;
const FALSE = 18;
const OPERATOR = 19;

/** At most this many `(`, `[` and `not` (ast.ts's MAX_DEPTH bounds their nesting; fewer cannot pass it). */
const MAX_OPENERS = 64;

/**
 * The kind of every word that is not an Identifier: the keywords and the operators. The Chevrotain
 * lexer tries them in the order of tokens.ts and takes the first whose text starts the word, unless
 * the Identifier it names as `longer_alt` is longer; no keyword is a proper start of one tried
 * after it (operators go longest first), so a word is a keyword exactly when it equals one.
 * test/frontend/fast-parser.test.ts lexes every one of them with that lexer.
 */
const WORDS: ReadonlyMap<string, number> = new Map<string, number>([
  ["not", NOT],
  ["and", AND],
  ["or", OR],
  ["exists", EXISTS],
  ["empty", EMPTY],
  ["true", TRUE],
  ["false", FALSE],
  ...OPERATORS.map((op) => [op, OPERATOR] as [string, number]),
]);

/** The kind name of a word as the fast path reads it (for the test that checks WORDS against the lexer). */
export function wordKind(word: string): string {
  const kind = WORDS.get(word) ?? IDENT;
  return kind === OPERATOR ? "Operator" : (["Identifier", "Not", "And", "Or", "Exists", "Empty", "True", "False"][kind - IDENT] ?? "?");
}

/** The Number token's pattern, anchored at a position. */
const NUMBER_AT = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d*)?/y;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function isWordStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isWordPart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x30 && c <= 0x39);
}

class Scanner {
  /** Kinds, start offsets and end offsets of the tokens, then an EOF. */
  readonly kinds: number[] = [];
  readonly starts: number[] = [];
  readonly ends: number[] = [];

  /** False when the text holds anything the fast path leaves to the Chevrotain lexer. */
  scan(text: string): boolean {
    const n = text.length;
    const kinds = this.kinds;
    const starts = this.starts;
    const ends = this.ends;
    const table = WORDS;
    let openers = 0;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      // White space: [ \t\r\n\f\v\u00a0\ufeff].
      if (c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0xfeff) {
        i++;
        continue;
      }
      const start = i;
      let kind: number;
      if (c === 0x23) {
        // A comment runs to the end of the line.
        while (i < n && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
        continue;
      } else if (isWordStart(c)) {
        i++;
        while (i < n && isWordPart(text.charCodeAt(i))) i++;
        // Keywords and operators are 2 to 11 letters long.
        kind = i - start < 2 || i - start > 11 ? IDENT : (table.get(text.slice(start, i)) ?? IDENT);
        if (kind === NOT) openers++;
      } else if (c === 0x22) {
        // "..." with escapes (a backslash and any character but a line break).
        i++;
        for (;;) {
          if (i >= n) return false;
          const d = text.charCodeAt(i);
          if (d === 0x22) break;
          if (d === 0x0a || d === 0x0d) return false;
          if (d === 0x5c) {
            if (i + 1 >= n) return false;
            const e = text.charCodeAt(i + 1);
            if (e === 0x0a || e === 0x0d) return false;
            i += 2;
          } else i++;
        }
        i++;
        kind = DSTRING;
      } else if (c === 0x27 || c === 0x60) {
        // '...' and `...`: the quote doubled stands for itself.
        i++;
        for (;;) {
          if (i >= n) return false;
          const d = text.charCodeAt(i);
          if (d === 0x0a || d === 0x0d) return false;
          if (d === c) {
            if (i + 1 < n && text.charCodeAt(i + 1) === c) i += 2;
            else break;
          } else i++;
        }
        i++;
        kind = c === 0x27 ? SSTRING : BACKTICK;
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39) || (c === 0x2e && i + 1 < n && text.charCodeAt(i + 1) >= 0x30 && text.charCodeAt(i + 1) <= 0x39)) {
        NUMBER_AT.lastIndex = i;
        if (!NUMBER_AT.test(text)) return false;
        i = NUMBER_AT.lastIndex;
        kind = NUMBER;
      } else {
        i++;
        if (c === 0x28) kind = LPAREN;
        else if (c === 0x29) kind = RPAREN;
        else if (c === 0x5b) kind = LBRACKET;
        else if (c === 0x5d) kind = RBRACKET;
        else if (c === 0x2c) kind = COMMA;
        else if (c === 0x2e) kind = DOT;
        else return false;
        if (kind === LPAREN || kind === LBRACKET) openers++;
      }
      kinds.push(kind);
      starts.push(start);
      ends.push(i);
    }
    if (kinds.length === 0 || openers > MAX_OPENERS) return false;
    kinds.push(EOF);
    starts.push(n);
    ends.push(n);
    return true;
  }
}

/** Thrown to give up; caught in parseFast. */
const GIVE_UP = new Error("the fast path gives up");

class Parser {
  private pos = 0;
  private readonly kinds: number[];
  private readonly starts: number[];
  private readonly ends: number[];

  constructor(
    private readonly text: string,
    scanner: Scanner,
  ) {
    this.kinds = scanner.kinds;
    this.starts = scanner.starts;
    this.ends = scanner.ends;
  }

  parse(): Condition {
    const c = this.or();
    if (this.kinds[this.pos] !== EOF) throw GIVE_UP;
    return c;
  }

  private expect(kind: number): number {
    if (this.kinds[this.pos] !== kind) throw GIVE_UP;
    return this.pos++;
  }

  /** `disjunction`, as AstBuilder.or builds it. */
  private or(): Condition {
    const first = this.and();
    if (this.kinds[this.pos] !== OR) return first;
    const items = [first];
    while (this.kinds[this.pos] === OR) {
      this.pos++;
      items.push(this.and());
    }
    return nary("or", items);
  }

  private and(): Condition {
    const first = this.not();
    if (this.kinds[this.pos] !== AND) return first;
    const items = [first];
    while (this.kinds[this.pos] === AND) {
      this.pos++;
      items.push(this.not());
    }
    return nary("and", items);
  }

  private not(): Condition {
    if (this.kinds[this.pos] === NOT) {
      const start = this.starts[this.pos++]!;
      const operand = this.not();
      return { kind: "not", operand, span: { start, end: operand.span.end } };
    }
    if (this.kinds[this.pos] === LPAREN) {
      const l = this.pos++;
      const inner = this.or();
      const r = this.expect(RPAREN);
      // The parenthesized node keeps the span of its parentheses.
      return { ...inner, span: { start: this.starts[l]!, end: this.starts[r]! + 1 } };
    }
    return this.predicate();
  }

  private predicate(): Condition {
    const path = this.path();
    const start = path.span.start;
    const kind = this.kinds[this.pos];
    if (kind === EXISTS) return { kind: "exists", path, span: { start, end: this.ends[this.pos++]! } };
    if (kind === EMPTY) return { kind: "empty", path, span: { start, end: this.ends[this.pos++]! } };
    if (kind === LBRACKET) {
      this.pos++;
      const condition = this.or();
      const r = this.expect(RBRACKET);
      return { kind: "any", path, condition, span: { start, end: this.ends[r]! } };
    }
    const op = this.expect(OPERATOR);
    const operand = this.operand();
    return {
      kind: "compare",
      path,
      op: this.text.slice(this.starts[op]!, this.ends[op]!) as Operator,
      opSpan: { start: this.starts[op]!, end: this.ends[op]! },
      operand,
      span: { start, end: operand.span.end },
    };
  }

  private operand(): Operand {
    const kind = this.kinds[this.pos]!;
    if (kind === DSTRING || kind === SSTRING || kind === NUMBER) return this.literal();
    if (kind === TRUE || kind === FALSE) {
      // `true.x`: a literal then a '.', an error; left to the Chevrotain parser.
      if (this.kinds[this.pos + 1] === DOT) throw GIVE_UP;
      return this.literal();
    }
    if (kind === LBRACKET) return this.list();
    return this.path();
  }

  private list(): Operand {
    const l = this.pos++;
    const items = [this.literal()];
    for (;;) {
      const kind = this.kinds[this.pos];
      if (kind === RBRACKET) break;
      if (kind !== COMMA) throw GIVE_UP;
      this.pos++;
      // A trailing comma.
      if (this.kinds[this.pos] === RBRACKET) break;
      items.push(this.literal());
    }
    const r = this.pos++;
    return { kind: "list", items, span: { start: this.starts[l]!, end: this.starts[r]! + 1 } };
  }

  private literal(): Literal {
    const at = this.pos;
    const kind = this.kinds[at];
    const start = this.starts[at]!;
    const end = this.ends[at]!;
    const span = { start, end };
    switch (kind) {
      case DSTRING:
        this.pos++;
        return { kind: "string", value: unescape(this.text, start + 1, end - 1), style: "double", span };
      case SSTRING: {
        this.pos++;
        const body = this.text.slice(start + 1, end - 1);
        return { kind: "string", value: body.includes("'") ? body.replace(/''/g, "'") : body, style: "single", span };
      }
      case NUMBER: {
        this.pos++;
        const raw = this.text.slice(start, end);
        if (!JSON_NUMBER.test(raw)) throw GIVE_UP;
        return { kind: "number", value: Number(raw), raw, span };
      }
      case TRUE:
        this.pos++;
        return { kind: "boolean", value: true, span };
      case FALSE:
        this.pos++;
        return { kind: "boolean", value: false, span };
      default:
        throw GIVE_UP;
    }
  }

  private path(): Path {
    const first = this.segment(true);
    const segments = [first];
    let last = first;
    while (this.kinds[this.pos] === DOT) {
      this.pos++;
      last = this.segment(false);
      segments.push(last);
    }
    return { kind: "path", segments, span: { start: first.span.start, end: last.span.end } };
  }

  /** A path's first segment is any word but `not` (FirstWord) or a backtick segment; the others any word. */
  private segment(first: boolean): Segment {
    const at = this.pos;
    const kind = this.kinds[at]!;
    const start = this.starts[at]!;
    const end = this.ends[at]!;
    if (kind === BACKTICK) {
      this.pos++;
      const body = this.text.slice(start + 1, end - 1);
      if (body === "") throw GIVE_UP;
      return { name: body.includes("`") ? body.replace(/``/g, "`") : body, quoted: true, span: { start, end } };
    }
    if (kind < IDENT || (first && kind === NOT)) throw GIVE_UP;
    this.pos++;
    return { name: this.text.slice(start, end), quoted: false, span: { start, end } };
  }
}

/** AstBuilder.nary: `(a or b) or c` is `a or b or c`. */
function nary(kind: "and" | "or", items: Condition[]): Condition {
  const flat: Condition[] = [];
  for (const c of items) {
    if (c.kind === kind) for (const i of c.items) flat.push(i);
    else flat.push(c);
  }
  return { kind, items: flat, span: { start: items[0]!.span.start, end: items[items.length - 1]!.span.end } } as Condition;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", n: "\n", r: "\r", t: "\t" };
const HEX4 = /^[0-9A-Fa-f]{4}$/;

/** The value of a "..." body (text[from, to)); gives up at an escape AstBuilder reports. */
function unescape(text: string, from: number, to: number): string {
  const slash = text.indexOf("\\", from);
  if (slash < 0 || slash >= to) return text.slice(from, to);
  let out = text.slice(from, slash);
  for (let i = slash; i < to; i++) {
    const ch = text[i]!;
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const next = i + 1 < to ? text[i + 1]! : "";
    if (Object.hasOwn(SIMPLE_ESCAPES, next)) {
      out += SIMPLE_ESCAPES[next];
      i++;
    } else if (next === "u") {
      const hex = text.slice(i + 2, Math.min(i + 6, to));
      if (!HEX4.test(hex)) throw GIVE_UP;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 5;
    } else throw GIVE_UP;
  }
  return out;
}

/** The AST of a condition that parses without any diagnostic, or undefined: ask the Chevrotain parser. */
export function parseFast(text: string): Condition | undefined {
  const scanner = new Scanner();
  if (!scanner.scan(text)) return undefined;
  try {
    return new Parser(text, scanner).parse();
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}
