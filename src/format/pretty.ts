import { assertNever, type Condition } from "../ast/nodes.js";
import { printCondition, printPath } from "../ast/print.js";
import { conditionLexer } from "../syntax/tokens.js";

/**
 * The canonical layout of a condition across lines: a condition that fits in the width and holds no
 * comment stays on one line (exactly printCondition's text); otherwise `and`/`or` put one operand
 * per line with the connective first, parenthesized groups and `path[...]` indent their body by two.
 * Comments are kept, each on its own line before the operand that follows it.
 */

export const WIDTH = 80;

interface Comment {
  readonly offset: number;
  readonly text: string;
}

/** The comments of a condition text, in order. */
export function conditionComments(text: string): Comment[] {
  const lexed = conditionLexer.tokenize(text);
  const out: Comment[] = [];
  // Comments are skipped by the lexer; find them between tokens (never inside strings).
  let pos = 0;
  const scan = (end: number) => {
    const gap = text.slice(pos, end);
    const re = /#[^\n\r]*/g;
    for (let m = re.exec(gap); m; m = re.exec(gap)) out.push({ offset: pos + m.index, text: m[0].trimEnd() });
  };
  for (const t of lexed.tokens) {
    scan(t.startOffset);
    pos = t.startOffset + t.image.length;
  }
  scan(text.length);
  return out;
}

const PRECEDENCE = { or: 1, and: 2, not: 3, compare: 4, exists: 4, empty: 4, any: 4 } as const;

/** Lines of the condition (no trailing newline), indented by `indent` spaces. */
export function layoutCondition(c: Condition, text: string, width = WIDTH): string[] {
  const comments = conditionComments(text);
  const lines = new Layout(comments, width).node(c, 0, 0, text.length);
  return lines;
}

class Layout {
  private used = new Set<Comment>();

  constructor(
    private readonly comments: readonly Comment[],
    private readonly width: number,
  ) {}

  /** Unused comments in [start, end). */
  private take(start: number, end: number): Comment[] {
    const out = this.comments.filter((c) => !this.used.has(c) && c.offset >= start && c.offset < end);
    for (const c of out) this.used.add(c);
    return out;
  }

  private hasComments(start: number, end: number): boolean {
    return this.comments.some((c) => !this.used.has(c) && c.offset >= start && c.offset < end);
  }

  private pad(indent: number): string {
    return " ".repeat(indent);
  }

  /**
   * Lays out `c` at `indent`; `from`/`to` bound the source region whose comments belong to it
   * (wider than its span when it is the last operand of a group).
   */
  node(c: Condition, indent: number, from: number, to: number, extra = 0): string[] {
    const one = printCondition(c);
    if (!this.hasComments(from, to) && indent + extra + one.length <= this.width) return [this.pad(indent) + one];
    switch (c.kind) {
      case "and":
      case "or":
        return this.group(c.kind, c.items, indent, from, to);
      case "not": {
        const wrap = PRECEDENCE[c.operand.kind] < PRECEDENCE.not;
        const inner = wrap ? this.parenthesized(c.operand, indent, c.operand.span.start, to, 4) : this.node(c.operand, indent, c.operand.span.start, to, 4);
        const lead = this.take(from, c.operand.span.start).map((m) => this.pad(indent) + m.text);
        return [...lead, ...prefix(inner, "not ", indent)];
      }
      case "any": {
        const inner = this.node(c.condition, indent + 2, c.condition.span.start, to);
        const lead = this.take(from, c.condition.span.start).map((m) => this.pad(indent) + m.text);
        const tail = this.take(c.condition.span.end, to).map((m) => this.pad(indent + 2) + m.text);
        const head = `${this.pad(indent)}${printPath(c.path)}[`;
        return [...lead, head, ...inner, ...tail, `${this.pad(indent)}]`];
      }
      case "compare":
      case "exists":
      case "empty": {
        const lead = this.take(from, c.span.start).map((m) => this.pad(indent) + m.text);
        const inside = this.take(c.span.start, c.span.end).map((m) => this.pad(indent) + m.text);
        const tail = this.take(c.span.end, to).map((m) => this.pad(indent) + m.text);
        return [...lead, ...inside, this.pad(indent) + one, ...tail];
      }
      default:
        return assertNever(c);
    }
  }

  private parenthesized(c: Condition, indent: number, from: number, to: number, extra = 0): string[] {
    const one = printCondition(c);
    if (!this.hasComments(from, to) && indent + extra + one.length + 2 <= this.width) return [`${this.pad(indent)}(${one})`];
    const inner = this.node(c, indent + 2, from, to);
    return [`${this.pad(indent)}(`, ...inner, `${this.pad(indent)})`];
  }

  private group(kind: "and" | "or", items: readonly Condition[], indent: number, from: number, to: number): string[] {
    const lines: string[] = [];
    items.forEach((item, i) => {
      const start = i === 0 ? from : items[i - 1]!.span.end;
      const end = i === items.length - 1 ? to : item.span.end;
      for (const m of this.take(start, item.span.start)) lines.push(this.pad(indent) + m.text);
      // A broken `and` inside a broken `or` keeps its parentheses: precedence alone is hard to read there.
      const fits = !this.hasComments(item.span.start, end) && indent + kind.length + 1 + printCondition(item).length <= this.width;
      const wrap = PRECEDENCE[item.kind] <= PRECEDENCE[kind] || (kind === "or" && item.kind === "and" && !fits);
      const extra = i === 0 ? 0 : kind.length + 1;
      const body = wrap ? this.parenthesized(item, indent, item.span.start, end, extra) : this.node(item, indent, item.span.start, end, extra);
      lines.push(...(i === 0 ? body : prefix(body, `${kind} `, indent)));
    });
    return lines;
  }
}

/** Puts `word` before the first code line of `lines` (comment lines stay above it). */
function prefix(lines: string[], word: string, indent: number): string[] {
  const i = lines.findIndex((l) => !l.trimStart().startsWith("#"));
  if (i < 0) return lines;
  const out = [...lines];
  const line = out[i]!;
  out[i] = line.slice(0, indent) + word + line.slice(indent);
  return out;
}
