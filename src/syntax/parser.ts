import { CstParser, type CstNode, type IToken } from "./chevrotain.js";
import * as T from "./tokens.js";

/**
 * The one Chevrotain parser of the condition language. Precedence comes from rule nesting:
 * or -> and -> not -> primary. It builds a CST; ../syntax/ast.ts turns it into the AST.
 */
export class ConditionParser extends CstParser {
  /**
   * `validate`: check the grammar itself (ambiguities, left recursion) while analysing it, as the
   * grammar test does; the program skips those checks, the costliest part of its start-up.
   */
  constructor(validate = false) {
    super(T.allTokens, { recoveryEnabled: false, maxLookahead: 3, nodeLocationTracking: "none", skipValidations: !validate });
    this.performSelfAnalysis();
  }

  public condition = this.RULE("condition", () => {
    this.SUBRULE(this.disjunction);
  });

  public disjunction = this.RULE("disjunction", () => {
    this.SUBRULE(this.conjunction);
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE2(this.conjunction);
    });
  });

  public conjunction = this.RULE("conjunction", () => {
    this.SUBRULE(this.negation);
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE2(this.negation);
    });
  });

  public negation = this.RULE("negation", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.negation);
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]);
  });

  public primary = this.RULE("primary", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.disjunction);
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.predicate) },
    ]);
  });

  public predicate = this.RULE("predicate", () => {
    this.SUBRULE(this.path);
    this.OR([
      { ALT: () => this.CONSUME(T.Exists) },
      { ALT: () => this.CONSUME(T.Empty) },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.SUBRULE(this.disjunction);
          this.CONSUME(T.RBracket);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Operator);
          this.SUBRULE(this.operand);
        },
      },
    ]);
  });

  public operand = this.RULE("operand", () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.SUBRULE(this.literal) },
        { ALT: () => this.SUBRULE(this.list) },
        { ALT: () => this.SUBRULE(this.path) },
      ],
    });
  });

  public list = this.RULE("list", () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.literal);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.literal);
    });
    this.OPTION(() => this.CONSUME2(T.Comma));
    this.CONSUME(T.RBracket);
  });

  public literal = this.RULE("literal", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.DoubleString) },
      { ALT: () => this.CONSUME(T.SingleString) },
      { ALT: () => this.CONSUME(T.NumberTok) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
    ]);
  });

  public path = this.RULE("path", () => {
    this.OR([{ ALT: () => this.CONSUME(T.FirstWord) }, { ALT: () => this.CONSUME(T.Backtick) }]);
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.SUBRULE(this.segment);
    });
  });

  public segment = this.RULE("segment", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Word) }, { ALT: () => this.CONSUME2(T.Backtick) }]);
  });
}

let instance: ConditionParser | undefined;

/** One parser instance, made on first use (a command that parses nothing never pays for it), reused. */
export function conditionParser(): ConditionParser {
  return (instance ??= new ConditionParser());
}

export type { CstNode, IToken };
