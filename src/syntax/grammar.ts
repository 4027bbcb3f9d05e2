import { createSyntaxDiagramsCode, type ISerializedGast } from "./chevrotain.js";
import { OPERATORS } from "../ast/nodes.js";
import { conditionParser } from "./parser.js";

/**
 * The grammar as EBNF and as railroad diagrams, both generated from the parser itself so that
 * the documents in grammar/ cannot drift from the code (a test compares them).
 */

const TERMINALS: Record<string, string> = {
  Operator: "operator",
  FirstWord: "identifier",
  Word: "word",
  Backtick: "quoted_segment",
  DoubleString: "string",
  SingleString: "raw_string",
  Number: "number",
  Not: '"not"',
  And: '"and"',
  Or: '"or"',
  Exists: '"exists"',
  Empty: '"empty"',
  True: '"true"',
  False: '"false"',
  LParen: '"("',
  RParen: '")"',
  LBracket: '"["',
  RBracket: '"]"',
  Comma: '","',
  Dot: '"."',
};

const LEXICAL = `(* Lexical rules *)
operator       = ${OPERATORS.map((o) => `"${o}"`).join(" | ")} ;
word           = letter_ , { letter_ | digit } ;              (* any word, keywords included *)
identifier     = word - "not" ;                               (* a path starts with any word but "not" *)
letter_        = "A" .. "Z" | "a" .. "z" | "_" ;
quoted_segment = "\`" , { any character but "\`" or a line break | "\`\`" } , "\`" ;   (* not empty *)
string         = '"' , { any character but '"', "\\\\" or a line break | escape } , '"' ;
escape         = "\\\\" , ( '"' | "\\\\" | "n" | "r" | "t" | "u" , 4 * hex_digit ) ;
raw_string     = "'" , { any character but "'" or a line break | "''" } , "'" ;
number         = [ "-" ] , ( "0" | "1" .. "9" , { digit } ) , [ "." , digit , { digit } ] ,
                 [ ( "e" | "E" ) , [ "+" | "-" ] , digit , { digit } ] ;   (* JSON number syntax *)
comment        = "#" , { any character but a line break } ;   (* skipped, like white space *)
`;

function ebnf(node: ISerializedGast): string {
  const seq = (defs: ISerializedGast[] | undefined) => (defs ?? []).map(ebnf).join(" , ");
  const n = node as ISerializedGast & { name?: string; definition?: ISerializedGast[] };
  switch (node.type) {
    case "NonTerminal":
      return n.name!;
    case "Terminal":
      return TERMINALS[n.name!] ?? n.name!;
    case "Alternative":
      return seq(n.definition);
    case "Alternation":
      return `( ${(n.definition ?? []).map(ebnf).join(" | ")} )`;
    case "Option":
      return `[ ${seq(n.definition)} ]`;
    case "Repetition":
      return `{ ${seq(n.definition)} }`;
    case "RepetitionMandatory":
      return `${seq(n.definition)} , { ${seq(n.definition)} }`;
    default:
      return `(* ${node.type} *)`;
  }
}

export function grammarEbnf(): string {
  const rules = conditionParser().getSerializedGastProductions() as (ISerializedGast & { name: string; definition: ISerializedGast[] })[];
  const width = Math.max(...rules.map((r) => r.name.length));
  const lines = rules.map((r) => {
    let body = r.definition.map(ebnf).join(" , ");
    if (r.definition.length === 1 && r.definition[0]!.type === "Alternation") body = body.slice(2, -2);
    return `${r.name.padEnd(width)} = ${body} ;`;
  });
  return `(* The condition language, generated from the parser (src/syntax/parser.ts) by npm run grammar.
   Precedence: "not" binds tighter than "and", "and" tighter than "or". White space and comments
   may stand between any two tokens. *)

${lines.join("\n")}

${LEXICAL}`;
}

export function grammarDiagramsHtml(): string {
  return createSyntaxDiagramsCode(conditionParser().getSerializedGastProductions());
}
