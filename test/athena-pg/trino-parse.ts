/**
 * A tokenizer and parser for the Trino SQL that the Athena target writes: one SELECT with an
 * output list, one table and a WHERE clause; expressions with AND/OR/NOT, comparisons, IS [NOT]
 * NULL, IS [NOT] DISTINCT FROM, [NOT] IN, [NOT] LIKE ... ESCAPE, ||, + and -, function calls,
 * lambdas (`x -> ...`), CAST/TRY_CAST to named and ARRAY(...) types, typed literals (DOUBLE '1.5',
 * INTERVAL '7' DAY), dereferences (`a.b.c`), and the SQL/JSON functions json_exists and json_query
 * with their clauses. Anything else is a parse error naming the token: the translation to
 * PostgreSQL (postgres-sql.ts) works on this tree, never on the text.
 */

export type Token =
  | { readonly t: "ident"; readonly text: string; readonly quoted: boolean; readonly pos: number }
  | { readonly t: "string"; readonly value: string; readonly pos: number }
  | { readonly t: "number"; readonly text: string; readonly pos: number }
  | { readonly t: "op"; readonly text: string; readonly pos: number }
  | { readonly t: "eof"; readonly pos: number };

const OPS = ["->", "||", "<>", "!=", "<=", ">=", "=", "<", ">", "(", ")", "[", "]", ",", ".", "+", "-", "*", "/"];

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (sql.startsWith("--", i)) {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end + 1;
      continue;
    }
    const pos = i;
    if (c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= sql.length) throw new SqlSyntaxError("unterminated string literal", pos);
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += sql[i];
        i++;
      }
      out.push({ t: "string", value, pos });
      continue;
    }
    if (c === '"') {
      let text = "";
      i++;
      for (;;) {
        if (i >= sql.length) throw new SqlSyntaxError("unterminated quoted identifier", pos);
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') {
            text += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += sql[i];
        i++;
      }
      out.push({ t: "ident", text, quoted: true, pos });
      continue;
    }
    const num = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(sql.slice(i));
    if (num) {
      out.push({ t: "number", text: num[0], pos });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i));
    if (id) {
      out.push({ t: "ident", text: id[0], quoted: false, pos });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => sql.startsWith(o, i));
    if (!op) throw new SqlSyntaxError(`unexpected character ${JSON.stringify(c)}`, pos);
    out.push({ t: "op", text: op, pos });
    i += op.length;
  }
  out.push({ t: "eof", pos: sql.length });
  return out;
}

export class SqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(`${message} at offset ${pos}`);
  }
}

export type SqlType = { readonly k: "named"; readonly name: string } | { readonly k: "array"; readonly item: SqlType };

export type Expr =
  | { readonly k: "string"; readonly value: string }
  | { readonly k: "number"; readonly text: string }
  | { readonly k: "bool"; readonly value: boolean }
  | { readonly k: "null" }
  | { readonly k: "typed"; readonly type: string; readonly value: string }
  | { readonly k: "interval"; readonly value: string; readonly unit: string }
  /** A column or a lambda variable (`name` as the engine folds it: unquoted names lower-cased). */
  | { readonly k: "ident"; readonly name: string }
  | { readonly k: "array"; readonly items: readonly Expr[] }
  | { readonly k: "deref"; readonly base: Expr; readonly field: string }
  | { readonly k: "call"; readonly name: string; readonly args: readonly Expr[] }
  | { readonly k: "lambda"; readonly params: readonly string[]; readonly body: Expr }
  | { readonly k: "cast"; readonly safe: boolean; readonly expr: Expr; readonly type: SqlType }
  | { readonly k: "json_exists"; readonly input: Expr; readonly path: string; readonly onError: string }
  | { readonly k: "json_query"; readonly input: Expr; readonly path: string; readonly wrapper: string }
  | { readonly k: "binary"; readonly op: string; readonly left: Expr; readonly right: Expr }
  | { readonly k: "not"; readonly expr: Expr }
  | { readonly k: "neg"; readonly expr: Expr }
  | { readonly k: "isnull"; readonly expr: Expr; readonly negated: boolean }
  | { readonly k: "distinct"; readonly left: Expr; readonly right: Expr; readonly negated: boolean }
  | { readonly k: "in"; readonly expr: Expr; readonly list: readonly Expr[]; readonly negated: boolean }
  | { readonly k: "like"; readonly expr: Expr; readonly pattern: Expr; readonly escape?: Expr; readonly negated: boolean }
  /** A searched CASE: WHEN condition THEN value ..., ELSE value (NULL when absent). */
  | { readonly k: "case"; readonly whens: readonly { readonly when: Expr; readonly then: Expr }[]; readonly otherwise?: Expr };

export interface Query {
  readonly select: readonly { readonly expr: Expr | "*"; readonly alias?: string }[];
  readonly from: readonly string[];
  readonly where?: Expr;
}

const COMPARISONS = new Set(["=", "<>", "!=", "<", "<=", ">", ">="]);

class Parser {
  private i = 0;
  constructor(private readonly toks: readonly Token[]) {}

  private peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.t !== "eof") this.i++;
    return t;
  }

  private isWord(word: string, o = 0): boolean {
    const t = this.peek(o);
    return t.t === "ident" && !t.quoted && t.text.toUpperCase() === word;
  }

  private isOp(op: string, o = 0): boolean {
    const t = this.peek(o);
    return t.t === "op" && t.text === op;
  }

  private word(word: string): void {
    if (!this.isWord(word)) this.fail(`expected ${word}`);
    this.i++;
  }

  private op(op: string): void {
    if (!this.isOp(op)) this.fail(`expected '${op}'`);
    this.i++;
  }

  private fail(message: string): never {
    const t = this.peek();
    const seen = t.t === "eof" ? "end of text" : t.t === "string" ? `'${t.value}'` : t.text;
    throw new SqlSyntaxError(`${message}, found ${seen}`, t.pos);
  }

  private stringLiteral(): string {
    const t = this.next();
    if (t.t !== "string") {
      this.i--;
      this.fail("expected a string literal");
    }
    return t.value;
  }

  private name(): string {
    const t = this.next();
    if (t.t !== "ident") {
      this.i--;
      this.fail("expected a name");
    }
    return t.quoted ? t.text : t.text.toLowerCase();
  }

  query(): Query {
    this.word("SELECT");
    const select: { expr: Expr | "*"; alias?: string }[] = [];
    do {
      if (this.isOp("*")) {
        this.i++;
        select.push({ expr: "*" });
        continue;
      }
      const expr = this.expr();
      if (this.isWord("AS")) {
        this.i++;
        select.push({ expr, alias: this.name() });
      } else select.push({ expr });
    } while (this.isOp(",") && this.next());
    this.word("FROM");
    const from = [this.name()];
    while (this.isOp(".")) {
      this.i++;
      from.push(this.name());
    }
    let where: Expr | undefined;
    if (this.isWord("WHERE")) {
      this.i++;
      where = this.expr();
    }
    if (this.peek().t !== "eof") this.fail("expected the end of the query");
    return where ? { select, from, where } : { select, from };
  }

  expr(): Expr {
    return this.or();
  }

  exprToEnd(): Expr {
    const e = this.expr();
    if (this.peek().t !== "eof") this.fail("expected the end of the expression");
    return e;
  }

  private or(): Expr {
    let left = this.and();
    while (this.isWord("OR")) {
      this.i++;
      left = { k: "binary", op: "OR", left, right: this.and() };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isWord("AND")) {
      this.i++;
      left = { k: "binary", op: "AND", left, right: this.not() };
    }
    return left;
  }

  private not(): Expr {
    if (this.isWord("NOT")) {
      this.i++;
      return { k: "not", expr: this.not() };
    }
    return this.predicate();
  }

  private predicate(): Expr {
    const left = this.additive();
    const t = this.peek();
    if (t.t === "op" && COMPARISONS.has(t.text)) {
      this.i++;
      return { k: "binary", op: t.text === "!=" ? "<>" : t.text, left, right: this.additive() };
    }
    if (this.isWord("IS")) {
      this.i++;
      const negated = this.isWord("NOT");
      if (negated) this.i++;
      if (this.isWord("NULL")) {
        this.i++;
        return { k: "isnull", expr: left, negated };
      }
      this.word("DISTINCT");
      this.word("FROM");
      return { k: "distinct", left, right: this.additive(), negated };
    }
    const negated = this.isWord("NOT") && (this.isWord("IN", 1) || this.isWord("LIKE", 1));
    if (negated) this.i++;
    if (this.isWord("IN")) {
      this.i++;
      this.op("(");
      const list = [this.expr()];
      while (this.isOp(",")) {
        this.i++;
        list.push(this.expr());
      }
      this.op(")");
      return { k: "in", expr: left, list, negated };
    }
    if (this.isWord("LIKE")) {
      this.i++;
      const pattern = this.additive();
      if (this.isWord("ESCAPE")) {
        this.i++;
        return { k: "like", expr: left, pattern, escape: this.additive(), negated };
      }
      return { k: "like", expr: left, pattern, negated };
    }
    if (negated) this.fail("expected IN or LIKE");
    return left;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    for (;;) {
      const t = this.peek();
      if (t.t === "op" && (t.text === "+" || t.text === "-" || t.text === "||")) {
        this.i++;
        left = { k: "binary", op: t.text, left, right: this.multiplicative() };
      } else return left;
    }
  }

  private multiplicative(): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.t === "op" && (t.text === "*" || t.text === "/")) {
        this.i++;
        left = { k: "binary", op: t.text, left, right: this.unary() };
      } else return left;
    }
  }

  private unary(): Expr {
    if (this.isOp("-")) {
      this.i++;
      return { k: "neg", expr: this.unary() };
    }
    return this.postfix();
  }

  private postfix(): Expr {
    let e = this.primary();
    while (this.isOp(".")) {
      this.i++;
      e = { k: "deref", base: e, field: this.name() };
    }
    return e;
  }

  private type(): SqlType {
    const name = this.name().toUpperCase();
    if (name === "ARRAY") {
      this.op("(");
      const item = this.type();
      this.op(")");
      return { k: "array", item };
    }
    return { k: "named", name };
  }

  private primary(): Expr {
    const t = this.peek();
    if (t.t === "string") {
      this.i++;
      return { k: "string", value: t.value };
    }
    if (t.t === "number") {
      this.i++;
      return { k: "number", text: t.text };
    }
    if (this.isOp("(")) {
      this.i++;
      const e = this.expr();
      this.op(")");
      return e;
    }
    if (t.t !== "ident") this.fail("expected an expression");
    if (!t.quoted) {
      const w = t.text.toUpperCase();
      if (w === "TRUE" || w === "FALSE") {
        this.i++;
        return { k: "bool", value: w === "TRUE" };
      }
      if (w === "NULL") {
        this.i++;
        return { k: "null" };
      }
      if (w === "ARRAY" && this.isOp("[", 1)) {
        this.i += 2;
        const items: Expr[] = [];
        if (!this.isOp("]")) {
          items.push(this.expr());
          while (this.isOp(",")) {
            this.i++;
            items.push(this.expr());
          }
        }
        this.op("]");
        return { k: "array", items };
      }
      if (["DOUBLE", "DATE", "TIMESTAMP", "JSON", "IPADDRESS"].includes(w) && this.peek(1).t === "string") {
        this.i++;
        return { k: "typed", type: w, value: this.stringLiteral() };
      }
      if (w === "INTERVAL") {
        this.i++;
        const value = this.stringLiteral();
        return { k: "interval", value, unit: this.name().toUpperCase() };
      }
      if (w === "CASE") {
        this.i++;
        const whens: { when: Expr; then: Expr }[] = [];
        while (this.isWord("WHEN")) {
          this.i++;
          const when = this.expr();
          this.word("THEN");
          whens.push({ when, then: this.expr() });
        }
        if (whens.length === 0) this.fail("expected WHEN (only the searched CASE is known)");
        let otherwise: Expr | undefined;
        if (this.isWord("ELSE")) {
          this.i++;
          otherwise = this.expr();
        }
        this.word("END");
        return { k: "case", whens, ...(otherwise ? { otherwise } : {}) };
      }
      if ((w === "CAST" || w === "TRY_CAST") && this.isOp("(", 1)) {
        this.i += 2;
        const expr = this.expr();
        this.word("AS");
        const type = this.type();
        this.op(")");
        return { k: "cast", safe: w === "TRY_CAST", expr, type };
      }
      if (w === "JSON_EXISTS" && this.isOp("(", 1)) {
        this.i += 2;
        const input = this.expr();
        this.op(",");
        const path = this.stringLiteral();
        let onError = "FALSE";
        if (!this.isOp(")")) {
          onError = this.name().toUpperCase();
          this.word("ON");
          this.word("ERROR");
        }
        this.op(")");
        return { k: "json_exists", input, path, onError };
      }
      if (w === "JSON_QUERY" && this.isOp("(", 1)) {
        this.i += 2;
        const input = this.expr();
        this.op(",");
        const path = this.stringLiteral();
        const words: string[] = [];
        while (!this.isOp(")")) words.push(this.name().toUpperCase());
        this.op(")");
        return { k: "json_query", input, path, wrapper: words.join(" ") };
      }
    }
    this.i++;
    const name = t.quoted ? t.text : t.text.toLowerCase();
    if (!t.quoted && this.isOp("->")) {
      this.i++;
      return { k: "lambda", params: [name], body: this.expr() };
    }
    if (this.isOp("(")) {
      this.i++;
      const args: Expr[] = [];
      if (!this.isOp(")")) {
        args.push(this.expr());
        while (this.isOp(",")) {
          this.i++;
          args.push(this.expr());
        }
      }
      this.op(")");
      return { k: "call", name, args };
    }
    return { k: "ident", name };
  }
}

export function parseQuery(sql: string): Query {
  return new Parser(tokenize(sql)).query();
}

export function parseExpr(sql: string): Expr {
  return new Parser(tokenize(sql)).exprToEnd();
}
