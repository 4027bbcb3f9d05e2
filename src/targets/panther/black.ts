/**
 * A port of black's line splitting (black 26, `linegen.py`: transform_line, delimiter_split,
 * right_hand_split with its optional-parentheses rules, generate_trailers_to_omit; `brackets.py`:
 * delimiter priorities) for the expressions this target prints, so that a long `return` of a
 * rule reads exactly as `black -l 100` would leave it. The expression is turned into black's
 * leaves (with the invisible parentheses black puts around a return value) and split the same way.
 */

import type { Py } from "./layout.js";

const LINE_LENGTH = 100;

const COMPREHENSION_PRIORITY = 20;
const COMMA_PRIORITY = 18;
const LOGIC_PRIORITY = 14;
const STRING_PRIORITY = 12;
const COMPARATOR_PRIORITY = 10;

type LeafType = "NAME" | "STRING" | "NUMBER" | "LPAR" | "RPAR" | "COMMA" | "OP";
type Role = "logic" | "comparator" | "comparator-tail" | "comp-for" | "comp-in";

interface Leaf {
  readonly id: number;
  readonly type: LeafType;
  value: string;
  prefix: string;
  /** The prefix black's whitespace() gives (splits may clear `prefix`; a clone starts afresh). */
  readonly whitespace: string;
  readonly role: Role | undefined;
  /** For parentheses: a call's brackets, an atom (grouping or tuple), or black's invisible pair. */
  readonly paren: "call" | "atom" | undefined;
  opening: Leaf | undefined;
  depth: number;
}

const FORCE_OPTIONAL_PARENTHESES = "force";

const WIDE: readonly (readonly [number, number])[] = [[0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x23e9, 0x23ec], [0x23f0, 0x23f0], [0x23f3, 0x23f3], [0x25fd, 0x25fe], [0x2614, 0x2615], [0x2630, 0x2637], [0x2648, 0x2653], [0x267f, 0x267f], [0x268a, 0x268f], [0x2693, 0x2693], [0x26a1, 0x26a1], [0x26aa, 0x26ab], [0x26bd, 0x26be], [0x26c4, 0x26c5], [0x26ce, 0x26ce], [0x26d4, 0x26d4], [0x26ea, 0x26ea], [0x26f2, 0x26f3], [0x26f5, 0x26f5], [0x26fa, 0x26fa], [0x26fd, 0x26fd], [0x2705, 0x2705], [0x270a, 0x270b], [0x2728, 0x2728], [0x274c, 0x274c], [0x274e, 0x274e], [0x2753, 0x2755], [0x2757, 0x2757], [0x2795, 0x2797], [0x27b0, 0x27b0], [0x27bf, 0x27bf], [0x2b1b, 0x2b1c], [0x2b50, 0x2b50], [0x2b55, 0x2b55], [0x2e80, 0x2e99], [0x2e9b, 0x2ef3], [0x2f00, 0x2fd5], [0x2ff0, 0x3029], [0x3030, 0x303e], [0x3041, 0x3096], [0x309b, 0x30ff], [0x3105, 0x312f], [0x3131, 0x318e], [0x3190, 0x31e5], [0x31ef, 0x321e], [0x3220, 0x3247], [0x3250, 0xa48c], [0xa490, 0xa4c6], [0xa960, 0xa97c], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe52], [0xfe54, 0xfe66], [0xfe68, 0xfe6b], [0xff01, 0xff60], [0xffe0, 0xffe6], [0x16fe0, 0x16fe3], [0x16ff2, 0x16ff6], [0x17000, 0x18cd5], [0x18cff, 0x18d1e], [0x18d80, 0x18df2], [0x1aff0, 0x1aff3], [0x1aff5, 0x1affb], [0x1affd, 0x1affe], [0x1b000, 0x1b122], [0x1b132, 0x1b132], [0x1b150, 0x1b152], [0x1b155, 0x1b155], [0x1b164, 0x1b167], [0x1b170, 0x1b2fb], [0x1d300, 0x1d356], [0x1d360, 0x1d376], [0x1f004, 0x1f004], [0x1f0cf, 0x1f0cf], [0x1f18e, 0x1f18e], [0x1f191, 0x1f19a], [0x1f200, 0x1f202], [0x1f210, 0x1f23b], [0x1f240, 0x1f248], [0x1f250, 0x1f251], [0x1f260, 0x1f265], [0x1f300, 0x1f320], [0x1f32d, 0x1f335], [0x1f337, 0x1f37c], [0x1f37e, 0x1f393], [0x1f3a0, 0x1f3ca], [0x1f3cf, 0x1f3d3], [0x1f3e0, 0x1f3f0], [0x1f3f4, 0x1f3f4], [0x1f3f8, 0x1f3fa], [0x1f400, 0x1f43e], [0x1f440, 0x1f440], [0x1f442, 0x1f4fc], [0x1f4ff, 0x1f53d], [0x1f54b, 0x1f54e], [0x1f550, 0x1f567], [0x1f57a, 0x1f57a], [0x1f595, 0x1f596], [0x1f5a4, 0x1f5a4], [0x1f5fb, 0x1f64f], [0x1f680, 0x1f6c5], [0x1f6cc, 0x1f6cc], [0x1f6d0, 0x1f6d2], [0x1f6d5, 0x1f6d8], [0x1f6dc, 0x1f6df], [0x1f6eb, 0x1f6ec], [0x1f6f4, 0x1f6fc], [0x1f7e0, 0x1f7eb], [0x1f7f0, 0x1f7f0], [0x1f90c, 0x1f93a], [0x1f93c, 0x1f945], [0x1f947, 0x1f9ff], [0x1fa70, 0x1fa7c], [0x1fa80, 0x1fa8a], [0x1fa8e, 0x1fac6], [0x1fac8, 0x1fac8], [0x1facd, 0x1fadc], [0x1fadf, 0x1faea], [0x1faef, 0x1faf8], [0x20000, 0x2fffd], [0x30000, 0x3fffd]];

function charWidth(cp: number): number {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = WIDE[mid]!;
    if (cp < a) hi = mid - 1;
    else if (cp > b) lo = mid + 1;
    else return 2;
  }
  return 1;
}

/** Columns of a line as black counts them (East Asian wide characters are 2). */
export function strWidth(s: string): number {
  // Fast path: every code unit below U+1100 is one column (and no surrogates).
  let i = 0;
  const n = s.length;
  while (i < n && s.charCodeAt(i) < 0x1100) i++;
  if (i === n) return n;
  let w = i;
  for (const ch of s.slice(i)) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/** Python's len(): code points. */
function pyLen(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A valid surrogate pair is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const OPENING = (l: Leaf) => l.type === "LPAR";
const CLOSING = (l: Leaf) => l.type === "RPAR";

class Line {
  readonly leaves: Leaf[] = [];
  readonly delimiters = new Map<number, number>();
  readonly invisible: Leaf[] = [];
  shouldSplitRhs = false;
  private depthNow = 0;
  private readonly match: Leaf[] = [];
  private previous: Leaf | undefined;
  private readonly forDepths: number[] = [];

  constructor(
    readonly depth: number,
    readonly insideBrackets: boolean,
  ) {}

  append(leaf: Leaf, track: boolean): void {
    this.leaves.push(leaf);
    if (this.insideBrackets || track) this.mark(leaf);
  }

  /** black's BracketTracker.mark. */
  private mark(leaf: Leaf): void {
    if (this.depthNow === 0 && CLOSING(leaf) && this.match.length === 0) return;
    if (leaf.role === "comp-in" && this.forDepths.length > 0 && this.forDepths[this.forDepths.length - 1] === this.depthNow) {
      this.depthNow--;
      this.forDepths.pop();
    }
    if (CLOSING(leaf)) {
      this.depthNow--;
      const open = this.match.pop();
      if (!open) throw new Error("unmatched bracket");
      leaf.opening = open;
      if (leaf.value === "") this.invisible.push(leaf);
    }
    leaf.depth = this.depthNow;
    if (this.depthNow === 0) {
      const before = splitBefore(leaf, this.previous);
      if (before && this.previous) this.delimiters.set(this.previous.id, before);
      else if (leaf.type === "COMMA") this.delimiters.set(leaf.id, COMMA_PRIORITY);
    }
    if (OPENING(leaf)) {
      this.match.push(leaf);
      this.depthNow++;
      if (leaf.value === "") this.invisible.push(leaf);
    }
    this.previous = leaf;
    if (leaf.role === "comp-for") {
      this.depthNow++;
      this.forDepths.push(this.depthNow);
    }
  }

  /** The highest delimiter priority (0: no delimiters, black's CannotSplit). */
  maxPriority(exclude?: number): number {
    let m = 0;
    for (const [k, v] of this.delimiters) if (k !== exclude && v > m) m = v;
    return m;
  }

  countWithPriority(p: number): number {
    let n = 0;
    for (const v of this.delimiters.values()) if (v === p) n++;
    return n;
  }

  /**
   * black's is_line_short_enough of the line's text (at most LINE_LENGTH columns, no line feed),
   * without building the text: the columns of its pieces add up (each is a whole token or
   * whitespace), so a long line stops being measured at the limit.
   */
  isShortEnough(): boolean {
    const leaves = this.leaves;
    // toString() of a line without leaves is "", whatever its depth.
    if (leaves.length === 0) return true;
    let w = 4 * this.depth;
    for (let i = 0; i < leaves.length; i++) {
      const l = leaves[i]!;
      w += strWidth(l.prefix) + strWidth(l.value);
      if (w > LINE_LENGTH || l.prefix.includes("\n") || l.value.includes("\n")) return false;
    }
    return true;
  }

  /** The length of toString(), without building it. */
  textLength(): number {
    const leaves = this.leaves;
    if (leaves.length === 0) return 0;
    let n = 4 * this.depth;
    for (let i = 0; i < leaves.length; i++) n += leaves[i]!.prefix.length + leaves[i]!.value.length;
    return n;
  }

  toString(): string {
    const leaves = this.leaves;
    const n = leaves.length;
    if (n === 0) return "";
    const first = leaves[0]!;
    let s = first.prefix + "    ".repeat(this.depth) + first.value;
    for (let i = 1; i < n; i++) {
      const l = leaves[i]!;
      s += l.prefix + l.value;
    }
    return s;
  }
}

function splitBefore(leaf: Leaf, previous: Leaf | undefined): number {
  if (leaf.role === "comparator") return COMPARATOR_PRIORITY;
  if (leaf.type === "STRING" && previous?.type === "STRING") return STRING_PRIORITY;
  if (leaf.role === "comp-for") return COMPREHENSION_PRIORITY;
  if (leaf.role === "logic") return LOGIC_PRIORITY;
  return 0;
}

function isShortEnough(line: Line | string): boolean {
  if (typeof line !== "string") return line.isShortEnough();
  return strWidth(line) <= LINE_LENGTH && !line.includes("\n");
}

// ---------------------------------------------------------------------------------------------
// transform_line and its transformers
//
// black signals "this transformer cannot split the line" with an exception (CannotSplit); here it
// is a `null` result, returned at exactly the points where black raises, so every side effect on
// the shared leaves (bracket depths, made-visible parentheses) happens in the same order.

function transformLine(line: Line, features: ReadonlySet<string>): Line[] {
  if (!line.shouldSplitRhs && line.isShortEnough()) return [line];
  // The text before any transformer runs (they change the leaves' prefixes).
  const lineStr = line.toString();
  if (line.insideBrackets) {
    const split = runTransformer(line, delimiterSplit, features, lineStr);
    if (split) return split;
  }
  return runTransformer(line, rhs, features, lineStr) ?? [line];
}

type Transformer = (line: Line, features: ReadonlySet<string>) => Line[] | null;

function runTransformer(line: Line, transform: Transformer, features: ReadonlySet<string>, lineStr: string): Line[] | null {
  const lines = transform(line, features);
  if (!lines) return null;
  const result: Line[] = [];
  for (const tl of lines) {
    if (tl.textLength() === lineStr.length && tl.toString() === lineStr) return null;
    const sub = transformLine(tl, features);
    for (const l of sub) result.push(l);
  }
  if (
    features.has(FORCE_OPTIONAL_PARENTHESES) ||
    transform !== rhs ||
    line.invisible.length === 0 ||
    line.invisible.some((b) => b.value !== "") ||
    isShortEnough(result[0]!)
  ) {
    return result;
  }
  const copy = cloneLine(line);
  const second = runTransformer(copy, transform, new Set([...features, FORCE_OPTIONAL_PARENTHESES]), lineStr);
  if (!second) return null;
  return second.every((l) => isShortEnough(l)) ? second : result;
}

/** black's line.clone() + append_leaves(): fresh leaves with the same values and whitespace. */
function cloneLine(line: Line): Line {
  const c = new Line(line.depth, line.insideBrackets);
  line.leaves.forEach((l, i) => {
    c.append(newLeaf(l.type, l.value, i === 0 ? "" : l.whitespace, l.role, l.paren), true);
  });
  return c;
}

function delimiterSplit(line: Line): Line[] | null {
  if (line.leaves.length === 0) return null;
  const last = line.leaves[line.leaves.length - 1]!;
  const priority = line.maxPriority(last.id);
  if (priority === 0) return null;
  const out: Line[] = [];
  let current = new Line(line.depth, line.insideBrackets);
  for (const leaf of line.leaves) {
    current.append(leaf, true);
    if (line.delimiters.get(leaf.id) === priority) {
      out.push(current);
      current = new Line(line.depth, line.insideBrackets);
    }
  }
  if (current.leaves.length > 0) {
    if (priority === COMMA_PRIORITY && current.leaves[current.leaves.length - 1]!.type !== "COMMA") {
      current.append(newLeaf("COMMA", ",", "", undefined, undefined), true);
    }
    out.push(current);
  }
  // dont_increase_indentation: each line starts without the space before its first leaf.
  for (const l of out) l.leaves[0]!.prefix = "";
  return out;
}

const NO_OMIT: ReadonlySet<number> = new Set();
const NO_FEATURES: ReadonlySet<string> = new Set();

function rhs(line: Line, features: ReadonlySet<string>): Line[] | null {
  for (const omit of generateTrailersToOmit(line)) {
    const lines = rightHandSplit(line, features, omit);
    if (!lines) return null;
    if (isShortEnough(lines[0]!)) return lines;
  }
  return rightHandSplit(line, features, NO_OMIT);
}

function* generateTrailersToOmit(line: Line): Generator<Set<number>> {
  const omit = new Set<number>();
  yield new Set(omit);
  let length = 4 * line.depth;
  let opening: Leaf | undefined;
  let closing: Leaf | undefined;
  const inner = new Set<number>();
  for (let index = line.leaves.length - 1; index >= 0; index--) {
    const leaf = line.leaves[index]!;
    length += pyLen(leaf.prefix) + pyLen(leaf.value);
    if (length > LINE_LENGTH) break;
    if (opening) {
      if (leaf === opening) opening = undefined;
      else if (CLOSING(leaf)) inner.add(leaf.id);
    } else if (CLOSING(leaf)) {
      const prev = index > 0 ? line.leaves[index - 1] : undefined;
      if (prev && OPENING(prev)) {
        inner.add(leaf.id);
        continue;
      }
      if (closing) {
        omit.add(closing.id);
        for (const i of inner) omit.add(i);
        inner.clear();
        yield new Set(omit);
      }
      if (leaf.value !== "") {
        opening = leaf.opening;
        closing = leaf;
      }
    }
  }
}

interface RHSResult {
  readonly head: Line;
  readonly body: Line;
  readonly tail: Line;
  readonly opening: Leaf;
  readonly closing: Leaf;
}

function rightHandSplit(line: Line, features: ReadonlySet<string>, omit: ReadonlySet<number>): Line[] | null {
  const r = firstRightHandSplit(line, omit);
  if (!r) return null;
  return maybeSplitOmittingOptionalParens(r, line, features, omit);
}

function firstRightHandSplit(line: Line, omit: ReadonlySet<number>): RHSResult | null {
  const tail: Leaf[] = [];
  const body: Leaf[] = [];
  const head: Leaf[] = [];
  let current = tail;
  let opening: Leaf | undefined;
  let closing: Leaf | undefined;
  for (let i = line.leaves.length - 1; i >= 0; i--) {
    const leaf = line.leaves[i]!;
    if (current === body && leaf === opening) current = body.length > 0 ? head : tail;
    current.push(leaf);
    if (current === tail && CLOSING(leaf) && !omit.has(leaf.id)) {
      opening = leaf.opening;
      closing = leaf;
      current = body;
    }
  }
  if (!opening || !closing || head.length === 0) return null;
  tail.reverse();
  body.reverse();
  head.reverse();
  const h = buildLine(head, line, opening, "head");
  const b = buildLine(body, line, opening, "body");
  const t = buildLine(tail, line, opening, "tail");
  if (b.leaves.length === 0) {
    const tailLen = t.toString().trim().length;
    if (tailLen === 0) return null; // same line
    if (tailLen < 3) return null; // not worth it
  }
  return { head: h, body: b, tail: t, opening, closing };
}

function buildLine(leaves: Leaf[], original: Line, opening: Leaf, component: "head" | "body" | "tail"): Line {
  const result = new Line(component === "body" ? original.depth + 1 : original.depth, component === "body");
  const tracked = component === "head" ? leavesInsideMatchingBrackets(leaves) : new Set<number>();
  for (const leaf of leaves) result.append(leaf, tracked.has(leaf.id));
  if (component === "body" && shouldSplitLine(result, opening)) result.shouldSplitRhs = true;
  return result;
}

/** The ids of bracket pairs (and everything between) that open and close within `leaves`. */
function leavesInsideMatchingBrackets(leaves: readonly Leaf[]): Set<number> {
  const ids = new Set<number>();
  const stack: number[] = [];
  for (let i = 0; i < leaves.length; i++) {
    const l = leaves[i]!;
    if (OPENING(l)) stack.push(i);
    else if (CLOSING(l) && stack.length > 0) {
      const start = stack.pop()!;
      for (let j = start; j <= i; j++) ids.add(leaves[j]!.id);
    }
  }
  return ids;
}

function shouldSplitLine(line: Line, opening: Leaf): boolean {
  if (opening.paren !== "atom") return false;
  const last = line.leaves[line.leaves.length - 1];
  if (!last) return false;
  return line.maxPriority(last.type === "COMMA" ? last.id : undefined) === COMMA_PRIORITY;
}

function maybeSplitOmittingOptionalParens(r: RHSResult, line: Line, features: ReadonlySet<string>, omit: ReadonlySet<number>): Line[] | null {
  if (!features.has(FORCE_OPTIONAL_PARENTHESES) && r.opening.value === "" && r.closing.value === "" && canOmitInvisibleParens(r)) {
    const omit2 = new Set([r.closing.id, ...omit]);
    const oop = firstRightHandSplit(line, omit2);
    // For a `return` the head never ends in `=`: black prefers the split without the parentheses.
    const lines = oop ? maybeSplitOmittingOptionalParens(oop, line, features, omit2) : null;
    if (lines) return lines;
    if (!canBeSplit(r.body) && !isShortEnough(r.body)) return null; // body too long
  }
  if (r.opening.value === "") r.opening.value = "(";
  if (r.closing.value === "") r.closing.value = ")";
  const out: Line[] = [];
  if (r.head.leaves.length > 0) out.push(r.head);
  if (r.body.leaves.length > 0) out.push(r.body);
  if (r.tail.leaves.length > 0) out.push(r.tail);
  return out;
}

function canBeSplit(line: Line): boolean {
  return line.leaves.length >= 2;
}

function canOmitInvisibleParens(r: RHSResult): boolean {
  const line = r.body;
  if (line.delimiters.size === 0) return true;
  const max = line.maxPriority();
  if (line.countWithPriority(max) > 1) return false;
  const first = line.leaves[0]!;
  const second = line.leaves[1];
  if (OPENING(first) && second && !CLOSING(second)) {
    if (canOmitOpeningParen(line, first)) return true;
  }
  const penultimate = line.leaves[line.leaves.length - 2]!;
  const last = line.leaves[line.leaves.length - 1]!;
  if (last.type === "RPAR") {
    if (OPENING(penultimate)) return false;
    if (canOmitClosingParen(line, last)) return true;
  }
  return false;
}

function canOmitOpeningParen(line: Line, first: Leaf): boolean {
  let remainder = false;
  let length = 4 * line.depth;
  let index = -1;
  let broke = false;
  for (const leaf of line.leaves) {
    index++;
    if (CLOSING(leaf) && leaf.opening === first) remainder = true;
    if (remainder) {
      length += pyLen(leaf.prefix) + pyLen(leaf.value);
      if (length > LINE_LENGTH) {
        broke = true;
        break;
      }
      if (OPENING(leaf)) remainder = false;
    }
  }
  return !broke && line.leaves.length === index + 1;
}

function canOmitClosingParen(line: Line, last: Leaf): boolean {
  let length = 4 * line.depth;
  let seenOther = false;
  for (const leaf of line.leaves) {
    length += pyLen(leaf.prefix) + pyLen(leaf.value);
    if (leaf === last.opening) {
      if (seenOther || length <= LINE_LENGTH) return true;
    } else if (OPENING(leaf)) seenOther = true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Py -> leaves

let nextId = 0;

function newLeaf(type: LeafType, value: string, prefix: string, role: Role | undefined, paren: "call" | "atom" | undefined): Leaf {
  return { id: nextId++, type, value, prefix, whitespace: prefix, role, paren, opening: undefined, depth: 0 };
}

/** Python's precedence of an expression: or 1, and 2, not 3, comparisons 4, atoms 10. */
export function prec(p: Py): number {
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

/** The leaves of a comparison operator (`==`, `not in`, `is not`): type and role of each word. */
const COMPARATOR_WORDS = new Map<string, readonly { type: LeafType; value: string; role: Role }[]>();

function comparatorWords(op: string): readonly { type: LeafType; value: string; role: Role }[] {
  let words = COMPARATOR_WORDS.get(op);
  if (!words) {
    words = op.split(" ").map((w, i) => ({ type: /^[a-z]/.test(w) ? "NAME" : "OP", value: w, role: i === 0 ? "comparator" : "comparator-tail" }));
    COMPARATOR_WORDS.set(op, words);
  }
  return words;
}

/** `/^[rbfuRBFU]*["']/`: a string literal (with its prefix letters). */
function isStringText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x27) return true;
    // r b f u R B F U
    if (c !== 0x72 && c !== 0x62 && c !== 0x66 && c !== 0x75 && c !== 0x52 && c !== 0x42 && c !== 0x46 && c !== 0x55) return false;
  }
  return false;
}

/** `/^-?[0-9]/`: a number literal. */
function isNumberText(text: string): boolean {
  let c = text.charCodeAt(0);
  if (c === 0x2d) c = text.charCodeAt(1);
  return c >= 0x30 && c <= 0x39;
}

class LeafBuilder {
  readonly leaves: Leaf[] = [];

  private push(type: LeafType, value: string, role?: Role, paren?: "call" | "atom"): void {
    const prev = this.leaves.length > 0 ? this.leaves[this.leaves.length - 1] : undefined;
    let prefix = " ";
    if (!prev || OPENING(prev) || type === "RPAR" || type === "COMMA" || (type === "LPAR" && paren === "call")) prefix = "";
    this.leaves.push(newLeaf(type, value, prefix, role, paren));
  }

  atomText(text: string): void {
    const type: LeafType = isStringText(text) ? "STRING" : isNumberText(text) ? "NUMBER" : "NAME";
    this.push(type, text);
  }

  expr(p: Py, outer: number): void {
    const parens = prec(p) < outer || (outer === 4 && prec(p) === 4);
    if (parens) this.push("LPAR", "(", undefined, "atom");
    this.inner(p);
    if (parens) this.push("RPAR", ")", undefined, "atom");
  }

  private inner(p: Py): void {
    switch (p.k) {
      case "atom":
        this.atomText(p.text);
        return;
      case "strings":
        for (const s of p.pieces) this.push("STRING", s);
        return;
      case "bool": {
        const inner = prec(p) + 1;
        for (let i = 0; i < p.items.length; i++) {
          if (i > 0) this.push("NAME", p.op, "logic");
          this.expr(p.items[i]!, inner);
        }
        return;
      }
      case "not":
        this.push("NAME", "not");
        this.expr(p.operand, 3);
        return;
      case "cmp": {
        this.expr(p.left, 4);
        for (const w of comparatorWords(p.op)) this.push(w.type, w.value, w.role);
        this.expr(p.right, 4);
        return;
      }
      case "call":
        this.push("NAME", p.fn);
        this.push("LPAR", "(", undefined, "call");
        for (let i = 0; i < p.args.length; i++) {
          if (i > 0) this.push("COMMA", ",");
          this.expr(p.args[i]!, 0);
        }
        this.push("RPAR", ")", undefined, "call");
        return;
      case "gen":
        this.push("NAME", p.fn);
        this.push("LPAR", "(", undefined, "call");
        this.expr(p.elt, 0);
        for (const c of p.clauses) {
          this.push("NAME", "for", "comp-for");
          this.push("NAME", c.name);
          this.push("NAME", "in", "comp-in");
          this.expr(c.iter, 0);
        }
        this.push("RPAR", ")", undefined, "call");
        return;
      case "tuple":
        this.push("LPAR", "(", undefined, "atom");
        for (let i = 0; i < p.items.length; i++) {
          if (i > 0) this.push("COMMA", ",");
          this.expr(p.items[i]!, 0);
        }
        if (p.items.length === 1) this.push("COMMA", ",");
        this.push("RPAR", ")", undefined, "atom");
        return;
    }
  }

  /** `keyword (invisible) expr (invisible)`, as black sees a return statement. */
  statement(keyword: string, p: Py): void {
    this.push("NAME", keyword);
    this.leaves.push(newLeaf("LPAR", "", " ", undefined, "atom"));
    this.expr(p, 0);
    this.leaves.push(newLeaf("RPAR", "", "", undefined, "atom"));
  }
}

/**
 * The lines black makes of one operand line of a split boolean (layout.ts boolStatement): the
 * operand at `depth` inside the statement's brackets, after its operator (`op`, none for the
 * first), as black's delimiter split leaves it (the line's first leaf without its space) and then
 * splits it further. Each such line is split on its own leaves only, so this is the same as
 * splitting it within the whole statement.
 */
export function blackOperandLines(op: string | undefined, item: Py, outer: number, depth: number): string[] {
  const b = new LeafBuilder();
  // What precedes the operand in the statement: its operator, or the invisible opening bracket.
  b.leaves.push(op === undefined ? newLeaf("LPAR", "", " ", undefined, "atom") : newLeaf("NAME", op, " ", "logic", undefined));
  b.expr(item, outer);
  const line = new Line(depth, true);
  const leaves = op === undefined ? b.leaves.slice(1) : b.leaves;
  for (const l of leaves) line.append(l, true);
  leaves[0]!.prefix = "";
  return transformLine(line, NO_FEATURES).map((l) => l.toString());
}

/** The lines of `keyword expr` at `depth` (4 spaces each), as black formats them. */
export function blackStatement(keyword: string, p: Py, depth: number): string[] {
  const b = new LeafBuilder();
  b.statement(keyword, p);
  const line = new Line(depth, false);
  for (const l of b.leaves) line.append(l, true);
  return transformLine(line, NO_FEATURES).map((l) => l.toString());
}
