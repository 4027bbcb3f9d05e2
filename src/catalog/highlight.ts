import { assertNever, type Condition, type Operand, type Path, type Span } from "../ast/nodes.js";
import { escapeHtml } from "./html.js";

/**
 * Syntax highlighting of a condition from its AST: fields, operators and literals come from the
 * nodes' spans (offsets into the condition text), so the colours are the parser's reading, not a
 * second grammar. The text between them holds only keywords, punctuation, blanks and comments.
 * If the spans do not tile the text (they always do for a parsed rule), the text is shown plain.
 */

export type TokenClass = "field" | "op" | "string" | "number" | "boolean" | "keyword" | "comment";

interface Token {
  readonly start: number;
  readonly end: number;
  readonly cls: TokenClass;
}

export function highlightCondition(text: string, condition: Condition): string {
  const tokens: Token[] = [];
  collect(condition, tokens);
  tokens.sort((a, b) => a.start - b.start || a.end - b.end);
  let pos = 0;
  for (const t of tokens) {
    if (!(t.start >= pos) || t.end > text.length || t.end <= t.start) return escapeHtml(text);
    pos = t.end;
  }
  let html = "";
  pos = 0;
  for (const t of tokens) {
    html += gap(text.slice(pos, t.start));
    html += span(t.cls, text.slice(t.start, t.end));
    pos = t.end;
  }
  return html + gap(text.slice(pos));
}

const GAP = /#[^\n]*|\b(?:and|or|not|exists|empty)\b/g;

function gap(text: string): string {
  let html = "";
  let pos = 0;
  for (const m of text.matchAll(GAP)) {
    html += escapeHtml(text.slice(pos, m.index));
    html += span(m[0].startsWith("#") ? "comment" : "keyword", m[0]);
    pos = m.index + m[0].length;
  }
  return html + escapeHtml(text.slice(pos));
}

function span(cls: TokenClass, text: string): string {
  return `<span class="tok-${cls}">${escapeHtml(text)}</span>`;
}

function collect(c: Condition, out: Token[]): void {
  switch (c.kind) {
    case "and":
    case "or":
      for (const item of c.items) collect(item, out);
      return;
    case "not":
      collect(c.operand, out);
      return;
    case "exists":
    case "empty":
      path(c.path, out);
      return;
    case "any":
      path(c.path, out);
      collect(c.condition, out);
      return;
    case "compare":
      path(c.path, out);
      out.push(token(c.opSpan, "op"));
      operand(c.operand, out);
      return;
    default:
      return assertNever(c);
  }
}

/** A node built without a span (none should be) gets -1, which fails the tiling check. */
function token(s: Span | undefined, cls: TokenClass): Token {
  return { start: s?.start ?? -1, end: s?.end ?? -1, cls };
}

function path(p: Path, out: Token[]): void {
  for (const s of p.segments) out.push(token(s.span, "field"));
}

function operand(o: Operand, out: Token[]): void {
  switch (o.kind) {
    case "path":
      path(o, out);
      return;
    case "list":
      for (const item of o.items) operand(item, out);
      return;
    case "string":
    case "number":
    case "boolean":
      out.push(token(o.span, o.kind));
      return;
    default:
      return assertNever(o);
  }
}
