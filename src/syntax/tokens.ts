import { createToken, Lexer, type TokenType } from "./chevrotain.js";
import { OPERATORS } from "../ast/nodes.js";

/**
 * The tokens of the condition language. Every word is a `Word` (so any word, keywords and
 * operator names included, can be a path segment); keywords and operators are categories of it.
 */

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n\r]*/, group: Lexer.SKIPPED });

export const Word = createToken({ name: "Word", pattern: Lexer.NA, label: "field name" });
/** A word that can start a path: every word but `not`, which is the keyword there. */
export const FirstWord = createToken({ name: "FirstWord", pattern: Lexer.NA, categories: [Word], label: "field name" });
export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, categories: [FirstWord] });

function keyword(name: string, extra: TokenType[] = [], category: TokenType = FirstWord): TokenType {
  return createToken({
    name: name[0]!.toUpperCase() + name.slice(1),
    pattern: new RegExp(name),
    longer_alt: Identifier,
    categories: [category, ...extra],
  });
}

export const Not = keyword("not", [], Word);
export const And = keyword("and");
export const Or = keyword("or");
export const Exists = keyword("exists");
export const Empty = keyword("empty");
export const True = keyword("true");
export const False = keyword("false");

export const Operator = createToken({ name: "Operator", pattern: Lexer.NA });
/** Longest names first so that `ieq` is not read as `i` + `eq`. */
export const operatorTokens: TokenType[] = [...OPERATORS]
  .sort((a, b) => b.length - a.length)
  .map((op) => keyword(op, [Operator]));

export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: /]/, label: "']'" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','" });
export const Dot = createToken({ name: "Dot", pattern: /\./, label: "'.'" });

/** "..." with escapes; validated when the AST is built. A line break ends it unterminated. */
export const DoubleString = createToken({ name: "DoubleString", pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"/, label: "string" });
/** '...' raw; '' stands for one quote. */
export const SingleString = createToken({ name: "SingleString", pattern: /'(?:[^'\n\r]|'')*'/, label: "string" });
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*\\?|'(?:[^'\n\r]|'')*|`(?:[^`\n\r]|``)*/,
  label: "unterminated string",
});
export const Backtick = createToken({ name: "Backtick", pattern: /`(?:[^`\n\r]|``)*`/, label: "backtick segment" });
/** Wider than JSON's number syntax so that `01`, `1.` and `.5` reach a clear diagnostic. */
export const NumberTok = createToken({
  name: "Number",
  pattern: /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d*)?/,
  label: "number",
});

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  DoubleString,
  SingleString,
  Backtick,
  UnterminatedString,
  NumberTok,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Dot,
  Not,
  And,
  Or,
  Exists,
  Empty,
  True,
  False,
  ...operatorTokens,
  Identifier,
  Word,
  FirstWord,
  Operator,
];

let lexer: InstanceType<typeof Lexer> | undefined;

/**
 * The lexer, built on first use: its analysis of the tokens was most of the cost of loading this
 * module, and a build whose conditions all take the fast path (fast.ts) never lexes with it.
 */
export const conditionLexer = {
  tokenize(text: string): ReturnType<InstanceType<typeof Lexer>["tokenize"]> {
    return (lexer ??= new Lexer(allTokens, { positionTracking: "onlyOffset", ensureOptimizations: true })).tokenize(text);
  },
};
