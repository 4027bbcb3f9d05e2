import type { ClassItem, RegexNode, Shorthand } from "./regex.js";

/**
 * Catastrophic backtracking: a pattern that a backtracking engine (JavaScript's for the evaluator,
 * Python's `re` in Panther, Java's in Athena) can take exponential time to fail on, such as
 * `(a+)+$` or `(a|a)*$` against forty `a`s and a `!`. Such a pattern hangs every target, so the
 * compiler refuses it.
 *
 * The test is exact for the pattern's automaton: a pattern backtracks exponentially when, from
 * some state, two different paths through its automaton read the same text and come back to that
 * state (Weideman, van der Merwe, Berglund and Watson, "Analyzing matching time behavior of
 * backtracking regular expression matchers by using ambiguity of NFA", 2016: "EDA"). The automaton
 * here is the Glushkov automaton with each transition counted as often as the pattern derives it
 * (so `(a+)+` has two `a -> a` transitions, one per `+`); two paths differ when they pass through
 * different states or take different copies of a transition. Counted repetitions `{n,m}` with
 * m > 1 are read as loops (an over-approximation: `(a|a){3}` is refused although it backtracks only
 * 2^3 times), anchors as empty.
 */

/** Positions (characters and classes) beyond which the analysis is not attempted. */
export const MAX_POSITIONS = 500;

export type BacktrackVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Code point ranges, sorted and disjoint: [lo, hi] inclusive pairs. */
type Ranges = readonly (readonly [number, number])[];

const MAX_CP = 0x10ffff;
const DIGIT: Ranges = [[0x30, 0x39]];
const WORD: Ranges = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
const SPACE: Ranges = [[0x09, 0x0d], [0x20, 0x20]];

function normalize(rs: (readonly [number, number])[]): Ranges {
  const sorted = [...rs].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(rs: Ranges): Ranges {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of rs) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

function shorthand(c: Shorthand): Ranges {
  const base = c === "d" || c === "D" ? DIGIT : c === "w" || c === "W" ? WORD : SPACE;
  return c === c.toLowerCase() ? base : complement(base);
}

function classItem(item: ClassItem): Ranges {
  if (item.t === "char") return [[item.cp, item.cp]];
  if (item.t === "range") return [[item.lo, item.hi]];
  return shorthand(item.c);
}

function intersects(a: Ranges, b: Ranges): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [alo, ahi] = a[i]!;
    const [blo, bhi] = b[j]!;
    if (alo <= bhi && blo <= ahi) return true;
    if (ahi < bhi) i++;
    else j++;
  }
  return false;
}

/** Glushkov's sets for one subexpression: positions it can start and end with, and whether it can match "". */
interface Sets {
  readonly nullable: boolean;
  readonly first: readonly number[];
  readonly last: readonly number[];
}

class Automaton {
  /** What each position reads. */
  readonly reads: Ranges[] = [];
  /** follow[p] maps q to the number of derivations of the transition p -> q. */
  readonly follow: Map<number, number>[] = [];

  private position(r: Ranges): Sets {
    const p = this.reads.length;
    if (p >= MAX_POSITIONS) throw new TooLarge();
    this.reads.push(r);
    this.follow.push(new Map());
    return { nullable: false, first: [p], last: [p] };
  }

  private link(from: readonly number[], to: readonly number[]): void {
    for (const p of from) {
      const f = this.follow[p]!;
      for (const q of to) f.set(q, (f.get(q) ?? 0) + 1);
    }
  }

  build(node: RegexNode): Sets {
    switch (node.t) {
      case "char":
        return this.position([[node.cp, node.cp]]);
      case "any":
        return this.position(complement([[0x0a, 0x0a]]));
      case "shorthand":
        return this.position(shorthand(node.c));
      case "class": {
        const rs = normalize(node.items.flatMap((i) => [...classItem(i)]));
        return this.position(node.negated ? complement(rs) : rs);
      }
      case "start":
      case "end":
        return { nullable: true, first: [], last: [] };
      case "group":
        return this.build(node.body);
      case "alt": {
        const parts = node.items.map((i) => this.build(i));
        return { nullable: parts.some((p) => p.nullable), first: parts.flatMap((p) => p.first), last: parts.flatMap((p) => p.last) };
      }
      case "seq": {
        let acc: Sets = { nullable: true, first: [], last: [] };
        for (const item of node.items) {
          const s = this.build(item);
          this.link(acc.last, s.first);
          acc = {
            nullable: acc.nullable && s.nullable,
            first: acc.nullable ? [...acc.first, ...s.first] : acc.first,
            last: s.nullable ? [...acc.last, ...s.last] : s.last,
          };
        }
        return acc;
      }
      case "repeat": {
        if (node.max === 0) return { nullable: true, first: [], last: [] };
        const s = this.build(node.body);
        if (node.max > 1) this.link(s.last, s.first);
        return { nullable: s.nullable || node.min === 0, first: s.first, last: s.last };
      }
      default:
        return assertNever(node);
    }
  }
}

class TooLarge extends Error {}

function assertNever(x: never): never {
  throw new Error(`unexpected regex node ${JSON.stringify(x)}`);
}

const verdicts = new Map<string, BacktrackVerdict>();

/**
 * checkBacktracking of a pattern's text, remembered: libraries repeat patterns, and the analysis
 * is the dearest part of checking a rule that has one.
 */
export function checkPatternBacktracking(pattern: string, ast: RegexNode): BacktrackVerdict {
  let v = verdicts.get(pattern);
  if (v === undefined) {
    v = checkBacktracking(ast);
    if (verdicts.size >= 10_000) verdicts.clear();
    verdicts.set(pattern, v);
  }
  return v;
}

/** Whether a parsed pattern can backtrack catastrophically, and why. */
export function checkBacktracking(ast: RegexNode): BacktrackVerdict {
  const a = new Automaton();
  try {
    a.build(ast);
  } catch (e) {
    if (e instanceof TooLarge) {
      return { ok: false, reason: `the pattern has more than ${MAX_POSITIONS} characters and classes, too many to prove it cannot backtrack catastrophically` };
    }
    throw e;
  }
  if (exponentiallyAmbiguous(a)) {
    return {
      ok: false,
      reason:
        "it can backtrack catastrophically: a repeated part can match the same text in more than one way (as in (a+)+ or (a|a)*), so a failing match takes time exponential in the value's length; rewrite it so that each character has one way to match",
    };
  }
  const degree = a.reads.length <= MAX_POLYNOMIAL_POSITIONS ? polynomialDegree(a) : 0;
  if (degree >= MAX_DEGREE) {
    const items = ast.t === "seq" ? ast.items : [ast];
    const dotStar = (x: RegexNode | undefined) => x?.t === "repeat" && x.body.t === "any" && x.min === 0 && x.max === Infinity;
    const hint = dotStar(items[0]) || dotStar(items[items.length - 1]) ? " (a .* at the start or the end adds nothing to a search: remove it)" : "";
    return {
      ok: false,
      reason: `it can backtrack catastrophically: ${degree} repeated parts in a row can share the same text (as in \\w+\\w+\\w+x), so a failing match takes time that grows with the value's length to the power ${degree}; rewrite it so that at most two neighbouring repetitions can match the same characters${hint}`,
    };
  }
  return { ok: true };
}

/**
 * The degree beyond which polynomial backtracking counts as catastrophic: `\w+\w+x` (degree 2)
 * costs a second on a 1,000-character value in Python's `re`, `\w+\w+\w+x` (degree 3) minutes.
 */
export const MAX_DEGREE = 3;

/** Positions beyond which only exponential backtracking is looked for (the polynomial test is cubic). */
export const MAX_POLYNOMIAL_POSITIONS = 200;

/**
 * The degree of polynomial ambiguity ("IDA", Weideman et al.): the longest chain of looping states
 * q1, q2, ..., qk where, for each pair in a row, some text w loops on q(i), leads from q(i) to
 * q(i+1) and loops on q(i+1). A failing match can then try about n^k ways to share a value of
 * length n among the k loops. 0 when no state loops.
 */
function polynomialDegree(a: Automaton): number {
  const n = a.reads.length;
  const loops: number[] = [];
  const reach = reachability(a);
  for (let p = 0; p < n; p++) if (reach[p]![p]) loops.push(p);
  if (loops.length === 0) return 0;
  // IDA edges between looping states of different components (q reachable from p, not back).
  const next = new Map<number, number[]>();
  for (const p of loops) {
    for (const q of loops) {
      if (p === q || !reach[p]![q] || reach[q]![p]) continue;
      if (sharesText(a, reach, p, q)) (next.get(p) ?? next.set(p, []).get(p)!).push(q);
    }
  }
  // Longest chain in the (acyclic) graph, counting states.
  const memo = new Map<number, number>();
  const longest = (p: number): number => {
    let m = memo.get(p);
    if (m !== undefined) return m;
    m = 1;
    for (const q of next.get(p) ?? []) m = Math.max(m, 1 + longest(q));
    memo.set(p, m);
    return m;
  };
  return Math.max(...loops.map(longest));
}

/** reach[p][q]: q can be reached from p in one step or more. */
function reachability(a: Automaton): boolean[][] {
  const n = a.reads.length;
  const reach = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
  for (let p = 0; p < n; p++) {
    const todo = [...a.follow[p]!.keys()];
    while (todo.length > 0) {
      const q = todo.pop()!;
      if (reach[p]![q]) continue;
      reach[p]![q] = true;
      todo.push(...a.follow[q]!.keys());
    }
  }
  return reach;
}

/**
 * True when some non-empty text w reads p -> p, p -> q and q -> q at once: a search of the
 * automaton run three times in step, from (p, p, q) to (p, q, q). The first run never leaves p's
 * component (it comes back to p), nor the third q's.
 */
function sharesText(a: Automaton, reach: readonly (readonly boolean[])[], p: number, q: number): boolean {
  const n = a.reads.length;
  const key = (x: number, y: number, z: number) => (x * n + y) * n + z;
  const seen = new Set<number>();
  const todo: [number, number, number][] = [[p, p, q]];
  while (todo.length > 0) {
    const [x, y, z] = todo.pop()!;
    for (const x2 of a.follow[x]!.keys()) {
      if (!(reach[p]![x2] && reach[x2]![p])) continue;
      for (const y2 of a.follow[y]!.keys()) {
        if (!intersects(a.reads[x2]!, a.reads[y2]!)) continue;
        for (const z2 of a.follow[z]!.keys()) {
          if (!(reach[q]![z2] && reach[z2]![q])) continue;
          if (!intersects3(a.reads[x2]!, a.reads[y2]!, a.reads[z2]!)) continue;
          if (x2 === p && y2 === q && z2 === q) return true;
          const k = key(x2, y2, z2);
          if (seen.has(k)) continue;
          seen.add(k);
          todo.push([x2, y2, z2]);
        }
      }
    }
  }
  return false;
}

function intersects3(a: Ranges, b: Ranges, c: Ranges): boolean {
  for (const [alo, ahi] of a) {
    for (const [blo, bhi] of b) {
      const lo = Math.max(alo, blo);
      const hi = Math.min(ahi, bhi);
      if (lo > hi) continue;
      for (const [clo, chi] of c) if (clo <= hi && lo <= chi) return true;
    }
  }
  return false;
}

/**
 * True when the product of the automaton with itself has a strongly connected component that holds
 * a diagonal pair (q, q) and either a pair of different states or a transition taken through two
 * different copies: then some state has two different cycles on the same text.
 */
function exponentiallyAmbiguous(a: Automaton): boolean {
  const n = a.reads.length;
  const meets: boolean[] = [];
  for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) meets[p * n + q] = intersects(a.reads[p]!, a.reads[q]!);
  const id = (p: number, q: number) => p * n + q;
  /** The product's edges out of (p, q): to (p2, q2), divergent when the two steps differ. */
  const edges = (node: number): { to: number; divergent: boolean }[] => {
    const p = Math.floor(node / n);
    const q = node % n;
    const out: { to: number; divergent: boolean }[] = [];
    for (const [p2, mp] of a.follow[p]!) {
      for (const [q2, mq] of a.follow[q]!) {
        if (!meets[p2 * n + q2]) continue;
        out.push({ to: id(p2, q2), divergent: p2 !== q2 || (p === q && p2 === q2 && Math.min(mp, mq) > 1) });
      }
    }
    return out;
  };
  // Tarjan's algorithm, iterative, over the pairs reachable from the diagonal.
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  let counter = 0;
  for (let s = 0; s < n; s++) {
    const root = id(s, s);
    if (index.has(root)) continue;
    const work: { node: number; out: { to: number; divergent: boolean }[]; i: number }[] = [];
    const open = (node: number) => {
      index.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, out: edges(node), i: 0 });
    };
    open(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.out.length) {
        const { to } = frame.out[frame.i++]!;
        if (!index.has(to)) open(to);
        else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component = new Set<number>();
      for (;;) {
        const x = stack.pop()!;
        onStack.delete(x);
        component.add(x);
        if (x === frame.node) break;
      }
      if (ambiguousComponent(component, n, edges)) return true;
    }
  }
  return false;
}

function ambiguousComponent(component: ReadonlySet<number>, n: number, edges: (node: number) => { to: number; divergent: boolean }[]): boolean {
  let diagonal = false;
  let diverges = false;
  for (const node of component) {
    const p = Math.floor(node / n);
    const q = node % n;
    if (p === q) diagonal = true;
    else diverges = true;
    if (!diverges) for (const e of edges(node)) if (e.divergent && component.has(e.to)) diverges = true;
    if (diagonal && diverges) return true;
  }
  return false;
}
