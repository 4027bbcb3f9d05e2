import { EOF, type CstNode, type IToken, type IRecognitionException } from "./chevrotain.js";
import { OPERATORS, type Condition, type Literal, type Operand, type Operator, type Path, type Segment, type Span } from "../ast/nodes.js";
import { conditionDiagnostic, nearest, type ConditionDiagnostic } from "../diagnostics.js";
import { conditionParser } from "./parser.js";
import { parseFast } from "./fast.js";
import * as T from "./tokens.js";

/** Conditions nest at most this deep (parentheses, `not`, `[...]`): no real rule comes near it. */
export const MAX_DEPTH = 64;

export interface ParseResult {
  readonly ast?: Condition;
  readonly diagnostics: readonly ConditionDiagnostic[];
}

/** Condition text -> AST, or every lexical error, or the first syntax error. Never throws. */
export function parseCondition(text: string): ParseResult {
  // Nearly every condition takes the fast path; the rest, and every diagnostic, come from Chevrotain.
  const fast = parseFast(text);
  if (fast !== undefined) return { ast: fast, diagnostics: [] };
  return parseChevrotain(text);
}

/** parseCondition by the Chevrotain lexer and parser alone (the fast path's reference, for tests). */
export function parseChevrotain(text: string): ParseResult {
  const lexed = T.conditionLexer.tokenize(text);
  const diagnostics: ConditionDiagnostic[] = [];
  for (const e of lexed.errors) {
    const ch = String.fromCodePoint(text.codePointAt(e.offset) ?? 0);
    const length = ch.length;
    diagnostics.push(conditionDiagnostic("RC101", `unexpected character ${describeChar(ch)}`, e.offset, e.offset + length));
  }
  for (const tok of lexed.tokens) {
    if (tok.tokenType === T.UnterminatedString) {
      const what = tok.image.startsWith("`") ? "backtick segment" : "string";
      diagnostics.push(
        conditionDiagnostic("RC102", `unterminated ${what} (a ${what} ends on the line it starts)`, tok.startOffset, tok.startOffset + tok.image.length),
      );
    }
  }
  if (diagnostics.length > 0) return { diagnostics };
  if (lexed.tokens.length === 0) {
    return { diagnostics: [conditionDiagnostic("RC104", "empty condition", 0, text.length)] };
  }
  const depthError = checkDepth(lexed.tokens);
  if (depthError) return { diagnostics: [depthError] };

  const parser = conditionParser();
  parser.input = lexed.tokens;
  let cst: CstNode;
  try {
    cst = parser.condition();
  } catch (e) {
    if (e instanceof RangeError) {
      return { diagnostics: [conditionDiagnostic("RC108", `condition nested too deeply`, 0, text.length)] };
    }
    throw e;
  }
  if (parser.errors.length > 0) {
    return { diagnostics: [syntaxError(parser.errors[0]!, lexed.tokens, text)] };
  }
  const builder = new AstBuilder();
  const ast = builder.condition(cst);
  if (builder.diagnostics.length > 0) return { diagnostics: builder.diagnostics };
  return { ast, diagnostics: [] };
}

/** A path written on its own (OutputFields, DedupFields, AlertTitle placeholders). */
const SIMPLE_PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function parsePath(text: string): { path?: Path; diagnostics: readonly ConditionDiagnostic[] } {
  // Fast path: dotted identifiers (nearly every OutputField) need no parser.
  if (SIMPLE_PATH.test(text) && !text.startsWith("not.") && text !== "not") {
    const segments: Segment[] = [];
    let start = 0;
    for (const name of text.split(".")) {
      segments.push({ name, quoted: false, span: { start, end: start + name.length } });
      start += name.length + 1;
    }
    return { path: { kind: "path", segments, span: { start: 0, end: text.length } }, diagnostics: [] };
  }
  const result = parseCondition(`${text} exists`);
  if (result.ast?.kind === "exists" && result.ast.path.span.end === text.length) {
    return { path: result.ast.path, diagnostics: [] };
  }
  const diagnostics = result.diagnostics.filter((d) => d.start < text.length);
  return {
    diagnostics: diagnostics.length > 0 ? diagnostics : [conditionDiagnostic("RC104", `'${text}' is not a field path`, 0, text.length)],
  };
}

function checkDepth(tokens: readonly IToken[]): ConditionDiagnostic | undefined {
  // An upper bound of the AST depth: open brackets plus the `not`s since the last predicate.
  let open = 0;
  let nots = 0;
  const stack: number[] = [];
  for (const t of tokens) {
    if (t.tokenType === T.LParen || t.tokenType === T.LBracket) {
      stack.push(nots);
      open++;
    } else if (t.tokenType === T.RParen || t.tokenType === T.RBracket) {
      open = Math.max(0, open - 1);
      nots = stack.pop() ?? 0;
    } else if (t.tokenType === T.Not) {
      nots++;
    } else if (t.tokenType === T.And || t.tokenType === T.Or) {
      nots = stack.length > 0 ? stack[stack.length - 1]! : 0;
    }
    if (open + nots > MAX_DEPTH) {
      return conditionDiagnostic(
        "RC108",
        `condition nested more than ${MAX_DEPTH} levels deep`,
        t.startOffset,
        t.startOffset + t.image.length,
      );
    }
  }
  return undefined;
}

const RULE_EXPECTS: Record<string, string> = {
  condition: "a condition",
  disjunction: "a condition",
  conjunction: "a condition",
  negation: "a condition",
  primary: "a field, '(' or 'not'",
  predicate: "an operator, 'exists', 'empty' or '['",
  operand: "a value, a list or a field",
  list: "a literal value",
  literal: "a literal value (a string, a number, true or false)",
  path: "a field name",
  segment: "a field name",
};

function syntaxError(e: IRecognitionException, tokens: readonly IToken[], text: string): ConditionDiagnostic {
  const token = e.token;
  const atEnd = token.tokenType === EOF || Number.isNaN(token.startOffset);
  const start = atEnd ? text.length : token.startOffset;
  const end = atEnd ? text.length : token.startOffset + token.image.length;
  const found = atEnd ? "the end of the condition" : `'${token.image}'`;
  const rule = e.context.ruleStack[e.context.ruleStack.length - 1] ?? "condition";

  if (!atEnd && rule === "predicate" && token.tokenType === T.Identifier) {
    const candidates = [...OPERATORS, "exists", "empty"];
    const near = nearest(token.image, candidates, 1)[0];
    return conditionDiagnostic(
      "RC105",
      `unknown operator '${token.image}'${near ? ` (did you mean '${near}'?)` : ""}`,
      start,
      end,
      near,
    );
  }
  if (e.name === "NotAllInputParsedException") {
    return conditionDiagnostic("RC104", `expected 'and', 'or' or the end of the condition, found ${found}`, start, end);
  }
  let expected = RULE_EXPECTS[rule] ?? "something else";
  if (e.name === "MismatchedTokenException") {
    const m = /-->\s*(\w+)\s*<--/.exec(e.message);
    const tokenName = m?.[1];
    if (tokenName === "RParen") expected = "')'";
    else if (tokenName === "RBracket") expected = "']'";
  }
  if (atEnd && tokens.length > 0) {
    const last = tokens[tokens.length - 1]!;
    return conditionDiagnostic(
      "RC104",
      `unexpected end of the condition: expected ${expected} after '${last.image}'`,
      last.startOffset,
      last.startOffset + last.image.length,
    );
  }
  return conditionDiagnostic("RC104", `expected ${expected}, found ${found}`, start, end);
}

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  return cp < 0x20 || cp === 0x7f ? hex : `'${ch}' (${hex})`;
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

type Children = Record<string, (CstNode | IToken)[] | undefined>;

function kids(node: CstNode): Children {
  return node.children as Children;
}

function tokenSpan(t: IToken): Span {
  return { start: t.startOffset, end: t.startOffset + t.image.length };
}

/** The one visitor from the CST to the AST; it also validates literals (escapes, numbers). */
class AstBuilder {
  readonly diagnostics: ConditionDiagnostic[] = [];

  condition(node: CstNode): Condition {
    return this.or(kids(node).disjunction![0] as CstNode);
  }

  private or(node: CstNode): Condition {
    const items = (kids(node).conjunction as CstNode[]).map((n) => this.and(n));
    return items.length === 1 ? items[0]! : this.nary("or", items);
  }

  private and(node: CstNode): Condition {
    const items = (kids(node).negation as CstNode[]).map((n) => this.not(n));
    return items.length === 1 ? items[0]! : this.nary("and", items);
  }

  private nary(kind: "and" | "or", items: Condition[]): Condition {
    // `(a or b) or c` is `a or b or c`: the printer drops parentheses that change nothing.
    const flat = items.flatMap((c) => (c.kind === kind ? c.items : [c]));
    return { kind, items: flat, span: { start: items[0]!.span.start, end: items[items.length - 1]!.span.end } } as Condition;
  }

  private not(node: CstNode): Condition {
    const c = kids(node);
    if (c.Not) {
      const operand = this.not(c.negation![0] as CstNode);
      const tok = c.Not[0] as IToken;
      return { kind: "not", operand, span: { start: tok.startOffset, end: operand.span.end } };
    }
    return this.primary(c.primary![0] as CstNode);
  }

  private primary(node: CstNode): Condition {
    const c = kids(node);
    if (c.LParen) {
      const inner = this.or(c.disjunction![0] as CstNode);
      const l = c.LParen[0] as IToken;
      const r = c.RParen![0] as IToken;
      // The parenthesized node keeps the span of its parentheses.
      return { ...inner, span: { start: l.startOffset, end: r.startOffset + 1 } };
    }
    return this.predicate(c.predicate![0] as CstNode);
  }

  private predicate(node: CstNode): Condition {
    const c = kids(node);
    const path = this.path(c.path![0] as CstNode);
    const start = path.span.start;
    if (c.Exists) return { kind: "exists", path, span: { start, end: tokenSpan(c.Exists[0] as IToken).end } };
    if (c.Empty) return { kind: "empty", path, span: { start, end: tokenSpan(c.Empty[0] as IToken).end } };
    if (c.LBracket) {
      const condition = this.or(c.disjunction![0] as CstNode);
      return { kind: "any", path, condition, span: { start, end: tokenSpan(c.RBracket![0] as IToken).end } };
    }
    const opTok = c.Operator![0] as IToken;
    const operand = this.operand(c.operand![0] as CstNode);
    return {
      kind: "compare",
      path,
      op: opTok.image as Operator,
      opSpan: tokenSpan(opTok),
      operand,
      span: { start, end: operand.span.end },
    };
  }

  private operand(node: CstNode): Operand {
    const c = kids(node);
    if (c.literal) return this.literal(c.literal[0] as CstNode);
    if (c.list) return this.list(c.list[0] as CstNode);
    return this.path(c.path![0] as CstNode);
  }

  private list(node: CstNode): Operand {
    const c = kids(node);
    const items = (c.literal as CstNode[]).map((n) => this.literal(n));
    const l = c.LBracket![0] as IToken;
    const r = c.RBracket![0] as IToken;
    return { kind: "list", items, span: { start: l.startOffset, end: r.startOffset + 1 } };
  }

  private literal(node: CstNode): Literal {
    const c = kids(node);
    const tok = (c.DoubleString ?? c.SingleString ?? c.Number ?? c.True ?? c.False)![0] as IToken;
    const span = tokenSpan(tok);
    switch (tok.tokenType) {
      case T.DoubleString:
        return { kind: "string", value: this.unescape(tok), style: "double", span };
      case T.SingleString:
        return { kind: "string", value: tok.image.slice(1, -1).replace(/''/g, "'"), style: "single", span };
      case T.NumberTok: {
        if (!JSON_NUMBER.test(tok.image)) {
          this.diagnostics.push(
            conditionDiagnostic("RC107", `invalid number '${tok.image}' (numbers use JSON syntax: 0, -12, 3.5, 1e6)`, span.start, span.end),
          );
        }
        return { kind: "number", value: Number(tok.image), raw: tok.image, span };
      }
      case T.True:
        return { kind: "boolean", value: true, span };
      default:
        return { kind: "boolean", value: false, span };
    }
  }

  private unescape(tok: IToken): string {
    const body = tok.image.slice(1, -1);
    let out = "";
    for (let i = 0; i < body.length; i++) {
      const ch = body[i]!;
      if (ch !== "\\") {
        out += ch;
        continue;
      }
      const next = body[i + 1] ?? "";
      const at = tok.startOffset + 1 + i;
      const simple: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", r: "\r", t: "\t" };
      if (Object.hasOwn(simple, next)) {
        out += simple[next];
        i++;
      } else if (next === "u") {
        const hex = body.slice(i + 2, i + 6);
        if (/^[0-9A-Fa-f]{4}$/.test(hex)) {
          out += String.fromCharCode(parseInt(hex, 16));
          i += 5;
        } else {
          this.diagnostics.push(conditionDiagnostic("RC103", `invalid escape '\\u${hex}': \\u takes four hex digits`, at, at + 2 + hex.length));
          i += 1;
        }
      } else {
        this.diagnostics.push(
          conditionDiagnostic(
            "RC103",
            `invalid escape '\\${next}' (a "..." string allows \\" \\\\ \\n \\r \\t \\uXXXX; write regexes in '...' raw strings)`,
            at,
            at + 1 + next.length,
          ),
        );
        i += 1;
      }
    }
    return out;
  }

  private path(node: CstNode): Path {
    const c = kids(node);
    const first = this.segmentToken((c.FirstWord ?? c.Backtick)![0] as IToken);
    const rest = ((c.segment ?? []) as CstNode[]).map((n) => {
      const k = kids(n);
      return this.segmentToken((k.Word ?? k.Backtick)![0] as IToken);
    });
    const segs = [first, ...rest];
    return { kind: "path", segments: segs, span: { start: first.span.start, end: segs[segs.length - 1]!.span.end } };
  }

  private segmentToken(tok: IToken): Segment {
    const span = tokenSpan(tok);
    if (tok.tokenType === T.Backtick) {
      const name = tok.image.slice(1, -1).replace(/``/g, "`");
      if (name === "") this.diagnostics.push(conditionDiagnostic("RC106", "empty backtick segment", span.start, span.end));
      return { name, quoted: true, span };
    }
    return { name: tok.image, quoted: false, span };
  }
}
