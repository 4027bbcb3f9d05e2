import { assertNever, baseOperator, isCaseInsensitive, pathNames, pathText, type Compare, type Condition, type Literal, type Path } from "../../ast/nodes.js";
import { parseNetwork } from "../../check/cidr.js";
import { parseGlob } from "../../check/glob.js";
import { emitRegex, FLAVORS, lowerRegex, parseRegex, type RegexNode } from "../../check/regex.js";
import { evaluate } from "../../eval/evaluate.js";
import type { SentinelData } from "../../logtypes/registry.js";

/**
 * A condition as a KQL predicate over a Sentinel table (the `where` of the rule's query).
 * docs/targets/sentinel.md gives the form of every operator and why it is exact. The reading:
 *
 * - A `string` column holds the field's text; Kusto strings have no null, so a missing field (or
 *   JSON null) is the empty string. A predicate on such a column is emitted only when the reference
 *   semantics give it the same verdict on "" and on a missing value (checked here with the
 *   evaluator itself): `eq ""`, `exists`, `contains ""`, `like "*"`, `matches '^$'` are RC401.
 * - A `bool` column holds the JSON boolean; a missing field is null. Every predicate on it is
 *   written so that it is true or false, never null (`iff(isnull(c), false, c)`).
 * - Columns holding JSON text (`RequestParameters`) and columns the connector converts
 *   (`SessionMfaAuthenticated`, a bool for CloudTrail's "true"/"false" text) are RC401: a path
 *   into JSON text passes through arrays existentially in the language, which a KQL scalar
 *   expression cannot search at any depth.
 * - Operators are the case-sensitive `_cs` forms and `==`; the `i` forms lower-case the column
 *   with `tolower` after spelling U+0130 as `i` + U+0307 (what full lower-casing gives), and take
 *   the lower-cased literal. A literal or pattern whose lower case holds a sigma is RC401 (the
 *   final-sigma rule), and so is a case-insensitive pattern with non-ASCII characters.
 * - No `has`, `=~`, `in~`, `contains` (case-insensitive, term or culture dependent): never emitted.
 */

/** A condition the target cannot say exactly: the reason, for the RC401 diagnostic. */
export class NotSayableInKql extends Error {}

interface Expr {
  readonly text: string;
  /** 0: or, 1: and, 2: an operand that needs no parentheses. */
  readonly prec: 0 | 1 | 2;
}

const TRUE: Expr = { text: "true", prec: 2 };
const FALSE: Expr = { text: "false", prec: 2 };
const atom = (text: string): Expr => ({ text, prec: 2 });

function wrap(e: Expr, min: number): string {
  return e.prec < min ? `(${e.text})` : e.text;
}

function and(items: readonly Expr[]): Expr {
  if (items.some((e) => e === FALSE)) return FALSE;
  const rest = items.filter((e) => e !== TRUE);
  if (rest.length === 0) return TRUE;
  if (rest.length === 1) return rest[0]!;
  return { text: rest.map((e) => wrap(e, 2)).join(" and "), prec: 1 };
}

function or(items: readonly Expr[]): Expr {
  if (items.some((e) => e === TRUE)) return TRUE;
  const rest = items.filter((e) => e !== FALSE);
  if (rest.length === 0) return FALSE;
  if (rest.length === 1) return rest[0]!;
  return { text: rest.map((e) => wrap(e, 1)).join(" or "), prec: 0 };
}

function not(e: Expr): Expr {
  if (e === TRUE) return FALSE;
  if (e === FALSE) return TRUE;
  return atom(`not(${e.text})`);
}

// ---------------------------------------------------------------------------------------------
// Literals

function isWellFormed(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

/**
 * A KQL string literal: double quotes, `\\` `\"` `\n` `\r` `\t`, and `\uXXXX` for the other
 * control and line-separator characters; everything else as it is. The only escaping of rule
 * values in the target.
 */
export function kqlString(s: string): string {
  if (!isWellFormed(s)) throw new NotSayableInKql(`the literal ${JSON.stringify(s)} holds a lone surrogate, which a KQL string cannot`);
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}

/** A KQL name: bare when it is an identifier, else `['...']`. */
export function kqlName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `[${kqlString(name).replace(/^"|"$/g, "'")}]`;
}

// ---------------------------------------------------------------------------------------------
// Columns

type Column = { readonly column: string; readonly holds: "string" | "bool" };

/** The column a path reads, or the reason there is none the target can use. */
function columnOf(path: Path, data: SentinelData): Column {
  const names = pathNames(path);
  const key = names.join(".");
  const f = data.fields[key];
  const shown = pathText(path);
  if (f) {
    if (f.holds === "string" || f.holds === "bool") return { column: f.column, holds: f.holds };
    if (f.holds === "json") throw new NotSayableInKql(`${shown} is JSON text in ${data.table}.${f.column}, and a predicate on a whole JSON value is not one KQL can say exactly`);
    throw new NotSayableInKql(`${data.table}.${f.column} holds ${shown} converted to ${data.columns[f.column] ?? "another type"}, not as the event has it`);
  }
  for (let i = names.length - 1; i > 0; i--) {
    const p = data.fields[names.slice(0, i).join(".")];
    if (p?.holds === "json") {
      throw new NotSayableInKql(
        `${shown} is inside the JSON text of ${data.table}.${p.column}; the language searches through arrays at any depth there, which a KQL scalar expression cannot`,
      );
    }
  }
  if (Object.keys(data.fields).some((k) => k.startsWith(key + "."))) {
    throw new NotSayableInKql(`${shown} is an object that ${data.table} spreads over several columns, so its whole value cannot be tested`);
  }
  throw new NotSayableInKql(`${data.table} has no column for ${shown}`);
}

/** An event holding `value` at the path (for the exactness check of string columns). */
function eventWith(path: Path, value: unknown): unknown {
  return pathNames(path).reduceRight<unknown>((v, k) => ({ [k]: v }), value);
}

// ---------------------------------------------------------------------------------------------
// Predicates

const NUMERIC = "^-?[0-9]+(\\.[0-9]+)?$";
/** A dotted quad as the language reads one: four parts 0-255, no leading zeros. */
const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
const IPV4 = `^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`;

/** Full lower case as the language defines it (JavaScript's toLowerCase). */
const lower = (s: string) => s.toLowerCase();

function lowered(col: string): string {
  // tolower maps each character alone; U+0130's full lower case is two characters.
  return `tolower(replace_string(${col}, "\u0130", "i\u0307"))`;
}

function checkCaseless(op: string, text: string): void {
  if (/[σς]/.test(lower(text))) {
    throw new NotSayableInKql(`${op} ${JSON.stringify(text)}: its lower case holds a sigma, and the final-sigma rule of full lower-casing is not what KQL's tolower does`);
  }
}

function regexText(node: RegexNode): string {
  return emitRegex(node, FLAVORS.re2);
}

function globRegex(pattern: string): string {
  const body = parseGlob(pattern)
    .map((p) => (p.t === "star" ? "[\\s\\S]*" : p.t === "one" ? "[\\s\\S]" : [...p.text].map((c) => FLAVORS.re2.char(c.codePointAt(0)!)).join("")))
    .join("");
  return `^${body}\\z`;
}

function stringPredicate(c: Compare, col: string): Expr {
  const op = c.op;
  const ci = isCaseInsensitive(op);
  const subject = ci ? lowered(col) : col;
  if (c.operand.kind === "path") throw new NotSayableInKql(`${pathText(c.path)} ${op} ${pathText(c.operand)}: a missing field and an empty one are the same empty string in a string column, which decides a comparison of two fields`);
  const literals: readonly Literal[] = c.operand.kind === "list" ? c.operand.items : [c.operand];
  const strings = literals.filter((l): l is Literal & { kind: "string" } => l.kind === "string").map((l) => l.value);
  const value = (s: string) => {
    if (ci) checkCaseless(op, s);
    return kqlString(ci ? lower(s) : s);
  };
  const anyOf = (f: (s: string) => Expr) => or(strings.map(f));
  switch (baseOperator(op)) {
    case "eq":
      return anyOf((s) => atom(`${subject} == ${value(s)}`));
    case "ne":
      return not(anyOf((s) => atom(`${subject} == ${value(s)}`)));
    case "in":
      return strings.length === 0 ? FALSE : atom(`${subject} in (${strings.map(value).join(", ")})`);
    case "contains":
      return anyOf((s) => atom(`${subject} contains_cs ${value(s)}`));
    case "startswith":
      return anyOf((s) => atom(`${subject} startswith_cs ${value(s)}`));
    case "endswith":
      return anyOf((s) => atom(`${subject} endswith_cs ${value(s)}`));
    case "like":
      return anyOf((s) => {
        if (ci && /[^\x00-\x7f]/.test(s)) throw new NotSayableInKql(`${op} ${JSON.stringify(s)}: a case-insensitive pattern with non-ASCII characters`);
        return atom(`${subject} matches regex ${kqlString(globRegex(ci ? lower(s) : s))}`);
      });
    case "matches":
      return anyOf((s) => {
        const parsed = parseRegex(s);
        if (!parsed.ast) throw new NotSayableInKql(`the pattern ${JSON.stringify(s)} does not compile`);
        if (ci && /[^\x00-\x7f]/.test(s)) throw new NotSayableInKql(`${op} ${JSON.stringify(s)}: a case-insensitive pattern with non-ASCII characters`);
        return atom(`${subject} matches regex ${kqlString(regexText(ci ? lowerRegex(parsed.ast) : parsed.ast))}`);
      });
    case "cidr":
      return anyOf((s) => {
        const n = parseNetwork(s);
        if (!("network" in n)) throw new NotSayableInKql(`${s} is not a network`);
        if (n.network.version !== 4) throw new NotSayableInKql(`cidr ${s}: IPv6 networks are left to a later version of the target (ipv6_is_in_range parses addresses more leniently than the language)`);
        return atom(`iff(${col} matches regex ${kqlString(IPV4)}, ipv4_is_in_range(${col}, ${kqlString(s)}), false)`);
      });
    case "gt":
    case "ge":
    case "lt":
    case "le": {
      const lit = literals[0]!;
      if (lit.kind !== "number") return FALSE;
      const sym = { gt: ">", ge: ">=", lt: "<", le: "<=" }[baseOperator(op) as "gt" | "ge" | "lt" | "le"];
      return atom(`iff(${col} matches regex ${kqlString(NUMERIC)}, todouble(${col}) ${sym} ${numberText(lit.value)}, false)`);
    }
    default:
      throw new NotSayableInKql(`operator ${op}`);
  }
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new NotSayableInKql(`the number ${n}`);
  const s = String(n);
  // A real literal: KQL reads 1e3 and 5 as long/real; todouble() compares as real either way.
  return /[.e]/.test(s) ? (s.includes("e") ? `real(${s})` : s) : `${s}.0`;
}

function boolPredicate(c: Compare, col: string): Expr {
  if (c.operand.kind === "path") throw new NotSayableInKql(`${pathText(c.path)} ${c.op} ${pathText(c.operand)}: a comparison of two fields where one is a boolean column`);
  const literals: readonly Literal[] = c.operand.kind === "list" ? c.operand.items : [c.operand];
  const isTrue = atom(`iff(isnull(${col}), false, ${col})`);
  const isFalse = atom(`iff(isnull(${col}), false, not(${col}))`);
  const eqOne = (l: Literal): Expr => (l.kind === "boolean" ? (l.value ? isTrue : isFalse) : FALSE);
  switch (baseOperator(c.op)) {
    case "eq":
    case "in":
      return or(literals.map(eqOne));
    case "ne":
      return not(or(literals.map(eqOne)));
    default:
      // Strings-only and number-only operators are false on a boolean.
      return FALSE;
  }
}

function comparePredicate(c: Compare, data: SentinelData): Expr {
  const col = columnOf(c.path, data);
  const name = kqlName(col.column);
  if (col.holds === "bool") return boolPredicate(c, name);
  // A string column cannot tell "" from missing: the predicate must not either.
  const onEmpty = evaluate(c, eventWith(c.path, ""));
  const onMissing = evaluate(c, {});
  if (onEmpty !== onMissing) {
    throw new NotSayableInKql(
      `${pathText(c.path)} ${c.op} ...: the language gives an empty ${pathText(c.path)} (${onEmpty}) and a missing one (${onMissing}) different verdicts, and ${data.table}.${col.column} holds both as the empty string`,
    );
  }
  return stringPredicate(c, name);
}

function toExpr(c: Condition, data: SentinelData): Expr {
  switch (c.kind) {
    case "and":
      return and(c.items.map((x) => toExpr(x, data)));
    case "or":
      return or(c.items.map((x) => toExpr(x, data)));
    case "not":
      return not(toExpr(c.operand, data));
    case "compare":
      return comparePredicate(c, data);
    case "exists": {
      const col = columnOf(c.path, data);
      if (col.holds === "bool") return atom(`isnotnull(${kqlName(col.column)})`);
      throw new NotSayableInKql(`${pathText(c.path)} exists: ${data.table}.${col.column} holds a missing ${pathText(c.path)} and an empty one alike as the empty string`);
    }
    case "empty": {
      const col = columnOf(c.path, data);
      return atom(col.holds === "bool" ? `isnull(${kqlName(col.column)})` : `isempty(${kqlName(col.column)})`);
    }
    case "any":
      columnOf(c.path, data);
      throw new NotSayableInKql(`${pathText(c.path)}[...]: ${data.table} has no array column for it`);
    default:
      return assertNever(c);
  }
}

/** The KQL predicate of a condition over the table; throws NotSayableInKql with the reason. */
export function kqlPredicate(condition: Condition, data: SentinelData): string {
  return toExpr(condition, data).text;
}
