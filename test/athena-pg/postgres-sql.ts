import { parseQuery, type Expr, type Query, type SqlType } from "./trino-parse.js";

/**
 * The translation layer: Trino SQL as the Athena target writes it -> PostgreSQL 15, over the tree
 * of trino-parse.ts. Most of the text passes through as it is; Trino's functions that PostgreSQL
 * lacks are PostgreSQL functions of the same name and meaning in the test database (prelude.ts):
 * json_exists, json_query, json_parse, json_format, json_extract, contains(network, address). What
 * cannot be a function is rewritten here, one rule per construct, each tested on the examples of
 * Trino's documentation (translate.test.ts):
 *
 *  R1 SQL/JSON paths reach jsonb_path_exists / jsonb_path_query_array unchanged, except that a
 *     quoted key or string is re-spelled from Trino's path grammar (`"a""b"`, a backslash is a
 *     backslash) into PostgreSQL's (`"a\"b"`, `"a\\b"`); json_exists/json_query clauses
 *     (`WITH ARRAY WRAPPER`, `FALSE ON ERROR`) become a text argument.
 *  R2 any_match / filter / transform with a lambda: a subquery over the array's subscripts, in
 *     order; any_match keeps three-valued logic (rc_any_match: NULL, not false, when no element
 *     is true and one is NULL; NULL for a NULL array).
 *  R3 CAST(json AS ARRAY(T)) and TRY_CAST(x AS DOUBLE | IPADDRESS): functions with Trino's rules.
 *  R4 regexp_like / regexp_replace: the Java pattern, re-spelled as a PostgreSQL ARE (\z -> \Z,
 *     [\s\S] -> ., \x{HHHH} -> \uHHHH, \p{L} -> [[:alpha:]], \d \w \s as Java's ASCII classes,
 *     `.` and `$` with Java's line terminators); `$1` in a replacement -> `\1`; all matches
 *     replaced, as Trino does.
 *  R5 A dereference `a.b.c` of a row: `((a).b).c` (composite types).
 *  R6 IS [NOT] NULL: num_nulls(x) = 1 / num_nonnulls(x) = 1, since PostgreSQL's IS NULL is true for
 *     a row whose fields are all NULL, and Trino's is not.
 *  R7 Typed literals: DOUBLE '1.5' -> CAST('1.5' AS double precision), JSON '[1]' -> json_parse('[1]'),
 *     IPADDRESS '10.0.0.1' -> CAST('10.0.0.1' AS inet).
 * Anything else (a function or form without a rule) is an error naming it, never a guess.
 */

export class Untranslatable extends Error {}

export interface Translation {
  readonly sql: string;
  /** Path literals whose PostgreSQL spelling differs from Trino's (R1's re-spelling of quoted strings). */
  readonly respelledPaths: number;
}

/** Functions PostgreSQL has (builtin or from the prelude) with Trino's meaning, by name. */
const SAME = new Set([
  "json_parse", "json_format", "json_extract", "contains", "starts_with", "strpos", "length", "substr", "replace", "lower",
  "cardinality", "chr", "coalesce", "concat", "nullif",
]);

/** `extra`: columns added to the SELECT list (the runner's row number). */
export function translateQuery(sql: string, extra: readonly string[] = []): Translation {
  return new PgPrinter().query(parseQuery(sql), extra);
}

export function translateExpr(e: Expr): Translation {
  const p = new PgPrinter();
  return { sql: p.expr(e), respelledPaths: p.respelled };
}

/** Re-spells a Trino JSON path (string literals: `""` for a quote, no escapes) in PostgreSQL's jsonpath syntax. */
export function pgJsonPath(path: string): string {
  let out = "";
  let i = 0;
  while (i < path.length) {
    const c = path[i]!;
    if (c !== '"') {
      out += c;
      i++;
      continue;
    }
    let value = "";
    i++;
    for (;;) {
      if (i >= path.length) throw new Untranslatable(`unterminated string in JSON path ${path}`);
      if (path[i] === '"') {
        if (path[i + 1] === '"') {
          value += '"';
          i += 2;
          continue;
        }
        i++;
        break;
      }
      value += path[i];
      i++;
    }
    out += `"${value.replace(/[\\"]/g, (m) => "\\" + m)}"`;
  }
  return out;
}

const JAVA_LINE_TERMINATORS = "\\n\\r\\u0085\\u2028\\u2029";

/** A Java (Joni) regular expression as Trino's regexp functions read it, as a PostgreSQL ARE. */
export function pgRegex(java: string): string {
  let out = "";
  let inClass = false;
  let i = 0;
  while (i < java.length) {
    const c = java[i]!;
    if (c === "\\") {
      const n = java[i + 1];
      if (n === undefined) throw new Untranslatable(`pattern ends with a backslash: ${java}`);
      if (n === "x" && java[i + 2] === "{") {
        const end = java.indexOf("}", i);
        const cp = parseInt(java.slice(i + 3, end), 16);
        out += cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, "0")}` : `\\U${cp.toString(16).padStart(8, "0")}`;
        i = end + 1;
        continue;
      }
      if (n === "x") {
        out += `\\u00${java.slice(i + 2, i + 4)}`;
        i += 4;
        continue;
      }
      if (n === "p" && java.startsWith("{L}", i + 2)) {
        out += inClass ? "[:alpha:]" : "[[:alpha:]]";
        i += 5;
        continue;
      }
      const ascii = ({ d: "0-9", w: "A-Za-z0-9_", s: " \\t\\n\\u000b\\f\\r" } as Record<string, string>)[n];
      if (ascii !== undefined) {
        out += inClass ? ascii : `[${ascii}]`;
        i += 2;
        continue;
      }
      if (!inClass && n === "z") {
        out += "\\Z";
        i += 2;
        continue;
      }
      if (!inClass && n === "A") {
        out += "\\A";
        i += 2;
        continue;
      }
      if ("ntrf".includes(n) || !/[A-Za-z0-9]/.test(n)) {
        out += "\\" + n;
        i += 2;
        continue;
      }
      throw new Untranslatable(`no PostgreSQL spelling for \\${n} in ${java}`);
    }
    if (!inClass && java.startsWith("[\\s\\S]", i)) {
      // Any character: `.` in an ARE that is not newline-sensitive.
      out += ".";
      i += 6;
      continue;
    }
    if (c === "[" && !inClass) {
      inClass = true;
      out += c;
      if (java[i + 1] === "^") {
        out += "^";
        i++;
      }
      i++;
      continue;
    }
    if (c === "]" && inClass) inClass = false;
    if (!inClass && c === ".") {
      out += `[^${JAVA_LINE_TERMINATORS}]`;
      i++;
      continue;
    }
    if (!inClass && c === "$") {
      // Java: the end, or before a final line terminator.
      out += `(?=(?:\\r\\n|[${JAVA_LINE_TERMINATORS}])?\\Z)`;
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** A Java replacement string ($1 for a group, \ escapes) as PostgreSQL's (\1, \\). */
export function pgReplacement(java: string): string {
  let out = "";
  for (let i = 0; i < java.length; i++) {
    const c = java[i]!;
    if (c === "$" && /[0-9]/.test(java[i + 1] ?? "")) {
      out += "\\" + java[i + 1];
      i++;
    } else if (c === "\\") {
      out += java[i + 1] === "\\" ? "\\\\" : (java[i + 1] ?? "");
      i++;
    } else out += c;
  }
  return out;
}

function pgString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function pgIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

const PG_TYPES: Record<string, string> = { DOUBLE: "double precision", VARCHAR: "text", BOOLEAN: "boolean", BIGINT: "bigint", INTEGER: "integer", JSON: "jsonb" };

function literalString(e: Expr, what: string): string {
  if (e.k !== "string") throw new Untranslatable(`${what} must be a string literal`);
  return e.value;
}

class PgPrinter {
  respelled = 0;
  private lambdas = 0;
  /** Lambda variables in scope: name -> the PostgreSQL expression of the element. */
  private scope = new Map<string, string>();

  query(q: Query, extra: readonly string[]): Translation {
    const select = q.select.map((s) => (s.expr === "*" ? "*" : `${this.expr(s.expr)}${s.alias === undefined ? "" : ` AS ${pgIdent(s.alias)}`}`));
    select.push(...extra.map(pgIdent));
    const where = q.where ? `\nWHERE ${this.expr(q.where)}` : "";
    return { sql: `SELECT ${select.join(", ")}\nFROM ${q.from.map(pgIdent).join(".")}${where}`, respelledPaths: this.respelled };
  }

  private path(p: string): string {
    const pg = pgJsonPath(p);
    if (pg !== p) this.respelled++;
    return pgString(pg);
  }

  expr(e: Expr): string {
    switch (e.k) {
      case "string":
        return pgString(e.value);
      case "number":
        return e.text;
      case "bool":
        return e.value ? "TRUE" : "FALSE";
      case "null":
        return "NULL";
      case "typed":
        if (e.type === "DOUBLE") return `CAST(${pgString(e.value)} AS double precision)`;
        if (e.type === "JSON") return `json_parse(${pgString(e.value)})`;
        if (e.type === "IPADDRESS") return `CAST(${pgString(e.value)} AS inet)`;
        throw new Untranslatable(`typed literal ${e.type}`);
      case "array":
        return `ARRAY[${e.items.map((x) => this.expr(x)).join(", ")}]`;
      case "interval":
        throw new Untranslatable("INTERVAL literals (time windows) have no rule");
      case "ident":
        return this.scope.get(e.name) ?? pgIdent(e.name);
      case "deref":
        return `(${this.expr(e.base)}).${pgIdent(e.field)}`;
      case "lambda":
        throw new Untranslatable("a lambda outside any_match, filter or transform");
      case "cast":
        return this.cast(e.safe, e.expr, e.type);
      case "json_exists":
        return `json_exists(${this.expr(e.input)}, ${this.path(e.path)}, ${pgString(e.onError)})`;
      case "json_query":
        return `json_query(${this.expr(e.input)}, ${this.path(e.path)}, ${pgString(e.wrapper)})`;
      case "binary":
        return `(${this.expr(e.left)} ${e.op} ${this.expr(e.right)})`;
      case "not":
        return `(NOT ${this.expr(e.expr)})`;
      case "neg":
        return `(- ${this.expr(e.expr)})`;
      case "isnull":
        return `(${e.negated ? "num_nonnulls" : "num_nulls"}(${this.expr(e.expr)}) = 1)`;
      case "distinct":
        return `(${this.expr(e.left)} IS ${e.negated ? "NOT " : ""}DISTINCT FROM ${this.expr(e.right)})`;
      case "in":
        return `(${this.expr(e.expr)} ${e.negated ? "NOT " : ""}IN (${e.list.map((x) => this.expr(x)).join(", ")}))`;
      case "like":
        return `(${this.expr(e.expr)} ${e.negated ? "NOT " : ""}LIKE ${this.expr(e.pattern)}${e.escape ? ` ESCAPE ${this.expr(e.escape)}` : ""})`;
      case "call":
        return this.call(e.name, e.args);
      case "case":
        return `(CASE ${e.whens.map((w) => `WHEN ${this.expr(w.when)} THEN ${this.expr(w.then)}`).join(" ")}${e.otherwise ? ` ELSE ${this.expr(e.otherwise)}` : ""} END)`;
    }
  }

  private cast(safe: boolean, inner: Expr, type: SqlType): string {
    const x = this.expr(inner);
    if (type.k === "array") {
      if (safe || type.item.k !== "named") throw new Untranslatable("TRY_CAST to an array, or a cast to nested arrays");
      const item = type.item.name;
      if (!["JSON", "VARCHAR", "DOUBLE", "BOOLEAN"].includes(item)) throw new Untranslatable(`CAST to ARRAY(${item})`);
      return `cast_json_to_array_${item.toLowerCase()}(${x})`;
    }
    if (safe) {
      if (type.name === "DOUBLE") return `try_cast_double(${x})`;
      if (type.name === "IPADDRESS") return `try_cast_ipaddress(${x})`;
      throw new Untranslatable(`TRY_CAST to ${type.name}`);
    }
    const pg = PG_TYPES[type.name];
    if (!pg) throw new Untranslatable(`CAST to ${type.name}`);
    return `CAST(${x} AS ${pg})`;
  }

  /** A lambda over the elements of an array: the element's expression is bound while its body prints. */
  private lambda(list: Expr, fn: Expr, make: (l: string, n: string, body: string, from: string) => string): string {
    if (fn.k !== "lambda" || fn.params.length !== 1) throw new Untranslatable("expected a one-argument lambda");
    const id = ++this.lambdas;
    const l = `rc_l${id}.l`;
    const n = `rc_i${id}.n`;
    const listSql = this.expr(list);
    const saved = this.scope.get(fn.params[0]!);
    this.scope.set(fn.params[0]!, `${l}[${n}]`);
    const body = this.expr(fn.body);
    if (saved === undefined) this.scope.delete(fn.params[0]!);
    else this.scope.set(fn.params[0]!, saved);
    const from = `FROM generate_subscripts(${l}, 1) AS rc_i${id}(n)`;
    return `(SELECT ${make(l, n, body, from)} FROM (SELECT ${listSql} AS l) AS rc_l${id})`;
  }

  private call(name: string, args: readonly Expr[]): string {
    switch (name) {
      case "any_match":
        return this.lambda(args[0]!, args[1]!, (l, n, body, from) => `rc_any_match(${l}, ARRAY(SELECT ${body} ${from} ORDER BY ${n}))`);
      case "filter":
        return this.lambda(args[0]!, args[1]!, (l, n, body, from) => `CASE WHEN ${l} IS NULL THEN NULL ELSE ARRAY(SELECT ${l}[${n}] ${from} WHERE ${body} ORDER BY ${n}) END`);
      case "transform":
        return this.lambda(args[0]!, args[1]!, (l, n, body, from) => `CASE WHEN ${l} IS NULL THEN NULL ELSE ARRAY(SELECT ${body} ${from} ORDER BY ${n}) END`);
      case "regexp_like":
        return `regexp_like(${this.expr(args[0]!)}, ${pgString(pgRegex(literalString(args[1]!, "a regexp_like pattern")))})`;
      case "regexp_replace": {
        const replacement = args[2] ? pgReplacement(literalString(args[2], "a regexp_replace replacement")) : "";
        return `regexp_replace(${this.expr(args[0]!)}, ${pgString(pgRegex(literalString(args[1]!, "a regexp_replace pattern")))}, ${pgString(replacement)}, 'g')`;
      }
      default:
        if (!SAME.has(name)) throw new Untranslatable(`no PostgreSQL rule for the function ${name}`);
        return `${name}(${args.map((a) => this.expr(a)).join(", ")})`;
    }
  }
}
