import { assertNever, baseOperator, isCaseInsensitive, pathNames, pathText, type Any, type Compare, type Condition, type Empty, type Exists, type Literal, type Path } from "../../ast/nodes.js";
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
 * - A column holding JSON text (`RequestParameters`, `Resources`): a predicate on a path into it
 *   (or on its whole value) is one `mv-apply` over `parse_json(Column)` whose subquery walks the
 *   path as the language does (arrays expanded before each key and at the end, ARRAY_LEVELS
 *   deep; values compared by `gettype`, so "5" is not 5) and summarizes to one bool column;
 *   `path[cond]` binds the flattened elements and runs the inner condition on each (nested
 *   mv-apply for its own paths). A comparison of a path into JSON text with a `nonEmpty` text
 *   column binds the column into the walk (`mv-apply _j1 = ..., _c1 = pack_array(Col)`) and
 *   compares each string leaf with it; other field-to-field comparisons into JSON text are RC401.
 * - Columns the connector converts (`SessionMfaAuthenticated`, a bool for CloudTrail's
 *   "true"/"false" text) are RC401.
 * - Operators are the case-sensitive `_cs` forms and `==`; the `i` forms lower-case the column
 *   with `tolower` after spelling U+0130 as `i` + U+0307 (what full lower-casing gives), and take
 *   the lower-cased literal. A literal or pattern whose lower case holds a sigma is RC401 (the
 *   final-sigma rule), and so is a case-insensitive pattern with non-ASCII characters.
 * - A text field the log type's schema marks `nonEmpty` (the vendor never writes it as "", as
 *   CloudTrail's errorCode): an empty column is a missing field, so `exists` is `isnotempty(c)`, a
 *   predicate whose verdicts on "" and missing differ is `iff(isempty(c), <missing verdict>, p)`,
 *   and `a eq b` / `a ne b` between two such fields is `isnotempty(a) and a == b` (or its not).
 * - `cidr`: the column held to the language's address syntax first (IPV4, IPV6_HEX,
 *   IPV6_QUAD), then ipv4_is_in_range / ipv6_is_in_range; an IPv6 value ending in a dotted quad
 *   is spelled in hex groups first (quadAsHex).
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

/** `nonEmpty`: the schema says the field is never "", so an empty column is a missing field. */
type Column = { readonly column: string; readonly holds: "string" | "bool"; readonly nonEmpty: boolean };

/** The column a path reads, or the reason there is none the target can use. */
function columnOf(path: Path, data: SentinelData): Column {
  const names = pathNames(path);
  const key = names.join(".");
  const f = data.fields[key];
  const shown = pathText(path);
  if (f) {
    if (f.holds === "string" || f.holds === "bool") return { column: f.column, holds: f.holds, nonEmpty: f.nonEmpty === true };
    throw new NotSayableInKql(`${data.table}.${f.column} holds ${shown} converted to ${data.columns[f.column] ?? "another type"}, not as the event has it`);
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
const QUAD = `${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}`;
const HEX = "[0-9A-Fa-f]{1,4}";
/** `n` groups of 1-4 hex digits joined by colons (none for 0). */
const groups = (n: number) => (n === 0 ? "" : n === 1 ? HEX : n === 2 ? `${HEX}:${HEX}` : `(${HEX}:){${n - 1}}${HEX}`);
/** At most `n` groups joined by colons (none included). */
const upTo = (n: number) => (n === 0 ? "" : n === 1 ? `(${HEX})?` : `(${HEX}(:${HEX}){0,${n - 1}})?`);
/** At most `n` groups, each followed by a colon. */
const upToColon = (n: number) => (n === 0 ? "" : `(${HEX}:){0,${n}}`);
/**
 * An IPv6 address exactly as the language reads one (src/check/cidr.ts, RFC 4291 2.2): eight
 * groups of 1-4 hex digits, or fewer around one `::` standing for at least one zero group; the
 * last two groups may be a dotted quad (no leading zeros); no zone id, no brackets, no spaces.
 * Two patterns: the hex forms (one alternative per number of groups before the `::`), and the
 * forms ending in a dotted quad, which the target rewrites to hex groups before asking
 * ipv6_is_in_range (Microsoft's pages show that function only hex forms).
 */
export const IPV6_HEX = `^(${[groups(8), ...Array.from({ length: 8 }, (_, h) => `${groups(h)}::${upTo(7 - h)}`)].join("|")})$`;
export const IPV6_QUAD = `^(${[`(${HEX}:){6}`, ...Array.from({ length: 6 }, (_, h) => `${groups(h)}::${upToColon(5 - h)}`)].join("|")})${QUAD}$`;

/** An IPv6 column value ending in a dotted quad, with the quad spelled as two hex groups. */
function quadAsHex(col: string): string {
  const hex = `tohex(parse_ipv4(extract("[^:]*$", 0, ${col})), 8)`;
  return `strcat(extract("^(.*:)", 1, ${col}), substring(${hex}, 0, 4), ":", substring(${hex}, 4, 4))`;
}

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
        if (n.network.version === 6) {
          const net = kqlString(n.network.text);
          return atom(
            `iff(${col} matches regex ${kqlString(IPV6_HEX)}, ipv6_is_in_range(${col}, ${net}), iff(${col} matches regex ${kqlString(IPV6_QUAD)}, ipv6_is_in_range(${quadAsHex(col)}, ${net}), false))`,
          );
        }
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

// ---------------------------------------------------------------------------------------------
// JSON text: the language's walk as mv-apply stages

/**
 * Arrays directly inside arrays looked through before each key and at the end of a path into
 * JSON text: `{"a": [[[[{"b": 1}]]]]}` has `a.b eq 1`, one level deeper does not. The same bound
 * as the Athena target's (docs/targets/athena.md, Known limits); real CloudTrail does not nest
 * arrays directly.
 */
export const ARRAY_LEVELS = 4;

/** Where a condition's paths are read: the table's columns, or one JSON value (an element `path[cond]` binds). */
type Scope = { readonly kind: "table" } | { readonly kind: "json"; readonly value: string };

interface Ctx {
  readonly data: SentinelData;
  /** The mv-apply stages the expressions built so far refer to, in order. */
  readonly stages: string[];
  /** The next free number for the stages' columns (`_j<n>`, `_m<n>`), shared by nested stages. */
  next: number;
}

/** A path into a JSON-text column: the column and the keys below it (none: the whole value). */
function jsonPath(path: Path, data: SentinelData): { column: string; keys: string[] } | undefined {
  const names = pathNames(path);
  const own = data.fields[names.join(".")];
  if (own && own.holds !== "json") return undefined;
  for (let i = names.length; i > 0; i--) {
    const p = data.fields[names.slice(0, i).join(".")];
    if (p?.holds === "json") return { column: p.column, keys: names.slice(i) };
  }
  return undefined;
}

const NUMBER_TYPES = '("int", "long", "real", "decimal")';

/** `empty` on one branch's value: null, "", [] or {}. */
function isEmptyValue(j: string): string {
  return `isnull(${j}) or (gettype(${j}) == "string" and tostring(${j}) == "") or (gettype(${j}) == "array" and array_length(${j}) == 0) or (gettype(${j}) == "dictionary" and array_length(bag_keys(${j})) == 0)`;
}

/** A comparison with literals on one leaf (a dynamic value), in its positive form (`ne` as `eq`): typed as the language compares. */
function leafTest(c: Compare, j: string): Expr {
  const ci = isCaseInsensitive(c.op);
  const base = baseOperator(c.op) === "ne" ? "eq" : baseOperator(c.op);
  const literals: readonly Literal[] = c.operand.kind === "list" ? c.operand.items : c.operand.kind === "path" ? [] : [c.operand];
  const isString = atom(`gettype(${j}) == "string"`);
  const isNumber = atom(`gettype(${j}) in ${NUMBER_TYPES}`);
  const isBool = atom(`gettype(${j}) == "bool"`);
  const text = `tostring(${j})`;
  const onString = (op: Compare["op"]) => and([isString, stringPredicate({ ...c, op }, text)]);
  switch (base) {
    case "eq":
    case "in": {
      const numbers = literals.filter((l) => l.kind === "number").map((l) => atom(`todouble(${j}) == ${numberText(l.value as number)}`));
      const bools = literals.filter((l) => l.kind === "boolean").map((l) => (l.value ? atom(`tobool(${j})`) : atom(`not(tobool(${j}))`)));
      const op = (base === "in" || literals.length > 1 ? (ci ? "iin" : "in") : ci ? "ieq" : "eq") as Compare["op"];
      return or([onString(op), and([isNumber, or(numbers)]), and([isBool, or(bools)])]);
    }
    case "gt":
    case "ge":
    case "lt":
    case "le": {
      const lit = literals[0];
      if (lit?.kind !== "number") return FALSE;
      const sym = { gt: ">", ge: ">=", lt: "<", le: "<=" }[base];
      return or([and([isNumber, atom(`todouble(${j}) ${sym} ${numberText(lit.value)}`)]), onString(c.op)]);
    }
    default:
      return onString(c.op);
  }
}

function indent(text: string): string {
  return text.replace(/\n/g, "\n    ");
}

/**
 * The other side of a comparison of two fields where one is a path into JSON text: a text column
 * the schema marks `nonEmpty` (so its "" is a missing field), bound into the walk as `_c<n>` (an
 * mv-apply subquery sees only the columns it expands: the documentation's processing steps).
 * `leafFirst`: the JSON path is the rule's left side (`leaf contains column`), else the right.
 */
interface Pair {
  readonly column: string;
  readonly leafFirst: boolean;
}

/**
 * One pair of a comparison of two fields (positive form: `ne` as `eq`): a JSON leaf `j` and the
 * column's text `col`. The language compares any pair of values of the two sides by type: the
 * column holds text, so only a string leaf can be equal to it or contain it; a missing column
 * side ("") makes every pair false.
 */
function pairTest(c: Compare, j: string, col: string, pair: Pair): Expr {
  const rel = { eq: "==", ne: "==", contains: "contains_cs", startswith: "startswith_cs", endswith: "endswith_cs" }[baseOperator(c.op) as "eq"];
  const [l, r] = pair.leafFirst ? [`tostring(${j})`, col] : [col, `tostring(${j})`];
  return and([atom(`gettype(${j}) == "string"`), atom(`isnotempty(${col})`), atom(`${l} ${rel} ${r}`)]);
}

/**
 * `a op b` where one side is a path into JSON text and the other a column: which comparisons the
 * target writes (RC401 with the reason for the others).
 */
function jsonFieldToColumn(c: Compare & { operand: Path }, json: { column: string; keys: string[] }, other: Path, leafFirst: boolean, ctx: Ctx): Expr {
  const shown = `${pathText(c.path)} ${c.op} ${pathText(c.operand)}`;
  const data = ctx.data;
  if (jsonPath(other, data)) throw new NotSayableInKql(`${shown}: a comparison of two fields both inside JSON text (any pair of their values) is left to a later version of the target`);
  const col = columnOf(other, data);
  if (isCaseInsensitive(c.op)) {
    throw new NotSayableInKql(`${shown}: an i form between two fields lower-cases a value the rule does not fix, and KQL's tolower is not full lower-casing (the final-sigma rule)`);
  }
  if (!["eq", "ne", "contains", "startswith", "endswith"].includes(baseOperator(c.op))) {
    throw new NotSayableInKql(`${shown}: a numeric comparison of two fields where one is inside JSON text is left to a later version of the target`);
  }
  if (col.holds !== "string" || !col.nonEmpty) {
    throw new NotSayableInKql(
      `${shown}: ${data.table}.${col.column} holds a missing ${pathText(other)} and an empty one alike as the empty string, which decides a comparison of two fields (only a field the schema marks nonEmpty is compared with a path into JSON text)`,
    );
  }
  return jsonUnit(c, `parse_json(${kqlName(json.column)})`, json.keys, ctx, { column: col.column, leafFirst });
}

/**
 * A predicate on a path into JSON text, as the language walks it: one `mv-apply` whose subquery
 * expands arrays (ARRAY_LEVELS deep) before each key, reads the key, and counts the branches (or,
 * for a comparison and `path[cond]`, the flattened leaves) that satisfy it. `summarize` without a
 * group gives one row even when nothing is left (an empty array on the way), so every row keeps
 * a verdict: `_m<n>`, true or false.
 */
function jsonUnit(c: Compare | Exists | Empty | Any, base: string, keys: readonly string[], ctx: Ctx, pair?: Pair): Expr {
  if (c.kind === "compare" && c.operand.kind === "path" && !pair) {
    throw new NotSayableInKql(`${pathText(c.path)} ${c.op} ${pathText(c.operand)}: a comparison of two fields inside an element of path[...]`);
  }
  let negate = false;
  if (c.kind === "compare") {
    negate = baseOperator(c.op) === "ne";
    if (!pair && leafTest(c, "_j") === FALSE) return negate ? TRUE : FALSE;
  }
  const n = ctx.next++;
  const j = `_j${n}`;
  const m = `_m${n}`;
  const bound = `_c${n}`;
  const expand = Array.from({ length: ARRAY_LEVELS }, () => `mv-expand ${j} = iff(gettype(${j}) == "array", ${j}, pack_array(${j}))`);
  const ops: string[] = [];
  for (const k of keys) ops.push(...expand, `extend ${j} = ${j}[${kqlString(k)}]`);
  let agg: string;
  switch (c.kind) {
    case "exists":
      agg = `countif(isnotnull(${j})) > 0`;
      break;
    case "empty":
      agg = `count() == 0 or countif(${isEmptyValue(j)}) > 0`;
      break;
    case "compare":
      ops.push(...expand);
      agg = `countif(${(pair ? pairTest(c, j, `tostring(${bound})`, pair) : leafTest(c, j)).text}) > 0`;
      break;
    case "any": {
      ops.push(...expand, `where isnotnull(${j})`);
      const sub: Ctx = { data: ctx.data, stages: [], next: ctx.next };
      const inner = toExpr(c.condition, { kind: "json", value: j }, sub);
      ctx.next = sub.next;
      if (inner === FALSE) return FALSE;
      ops.push(...sub.stages);
      agg = `countif(${inner.text}) > 0`;
      break;
    }
    default:
      return assertNever(c);
  }
  ops.push(`summarize ${m} = ${agg}`);
  const items = [`${j} = pack_array(${base})`, ...(pair ? [`${bound} = pack_array(${kqlName(pair.column)})`] : [])];
  ctx.stages.push(`mv-apply ${items.join(", ")} on (\n    ${ops.map(indent).join("\n    | ")}\n)`);
  return negate ? not(atom(m)) : atom(m);
}

/** A predicate on a path: a JSON walk (jsonUnit) or a column of the table. */
function pathPredicate(c: Compare | Exists | Empty | Any, scope: Scope, ctx: Ctx): Expr {
  if (scope.kind === "json") return jsonUnit(c, scope.value, pathNames(c.path), ctx);
  const json = jsonPath(c.path, ctx.data);
  if (json && c.kind === "compare" && c.operand.kind === "path") return jsonFieldToColumn(c as Compare & { operand: Path }, json, c.operand, true, ctx);
  if (json) return jsonUnit(c, `parse_json(${kqlName(json.column)})`, json.keys, ctx);
  const right = c.kind === "compare" && c.operand.kind === "path" ? jsonPath(c.operand, ctx.data) : undefined;
  if (right) return jsonFieldToColumn(c as Compare & { operand: Path }, right, c.path, false, ctx);
  const data = ctx.data;
  switch (c.kind) {
    case "compare":
      return comparePredicate(c, data);
    case "exists": {
      const col = columnOf(c.path, data);
      if (col.holds === "bool") return atom(`isnotnull(${kqlName(col.column)})`);
      if (col.nonEmpty) return atom(`isnotempty(${kqlName(col.column)})`);
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

/**
 * `a eq b` / `a ne b` on two text columns whose fields are never "" (the schema's `nonEmpty`): an
 * empty column is a missing field, and `eq` is false when either is missing.
 */
function fieldToField(c: Compare & { operand: Path }, left: Column, data: SentinelData): Expr {
  const right = columnOf(c.operand, data);
  const op = c.op;
  if (left.holds !== "string" || right.holds !== "string" || !left.nonEmpty || !right.nonEmpty || (op !== "eq" && op !== "ne")) {
    throw new NotSayableInKql(
      `${pathText(c.path)} ${op} ${pathText(c.operand)}: a missing field and an empty one are the same empty string in a string column, which decides a comparison of two fields (only eq and ne between two fields the schema says are never empty are written)`,
    );
  }
  const eq = atom(`isnotempty(${kqlName(left.column)}) and ${kqlName(left.column)} == ${kqlName(right.column)}`);
  return op === "eq" ? eq : not(eq);
}

function comparePredicate(c: Compare, data: SentinelData): Expr {
  const col = columnOf(c.path, data);
  const name = kqlName(col.column);
  if (col.holds === "bool") return boolPredicate(c, name);
  if (c.operand.kind === "path") return fieldToField(c as Compare & { operand: Path }, col, data);
  // A string column cannot tell "" from missing: the predicate must not either, unless the
  // schema says the field is never "" (then "" is missing).
  const onEmpty = evaluate(c, eventWith(c.path, ""));
  const onMissing = evaluate(c, {});
  if (onEmpty !== onMissing && col.nonEmpty) {
    const p = stringPredicate(c, name);
    return atom(`iff(isempty(${name}), ${onMissing}, ${p.text})`);
  }
  if (onEmpty !== onMissing) {
    throw new NotSayableInKql(
      `${pathText(c.path)} ${c.op} ...: the language gives an empty ${pathText(c.path)} (${onEmpty}) and a missing one (${onMissing}) different verdicts, and ${data.table}.${col.column} holds both as the empty string`,
    );
  }
  return stringPredicate(c, name);
}

function toExpr(c: Condition, scope: Scope, ctx: Ctx): Expr {
  switch (c.kind) {
    case "and":
      return and(c.items.map((x) => toExpr(x, scope, ctx)));
    case "or":
      return or(c.items.map((x) => toExpr(x, scope, ctx)));
    case "not":
      return not(toExpr(c.operand, scope, ctx));
    case "compare":
    case "exists":
    case "empty":
    case "any":
      return pathPredicate(c, scope, ctx);
    default:
      return assertNever(c);
  }
}

/**
 * The query's operators after the table: `| where <condition>` when every predicate reads a
 * column; with paths into JSON text, the conjuncts on columns first (`| where`), then one
 * `| mv-apply` per JSON predicate, then `| where` over the rest. Throws NotSayableInKql with the
 * reason.
 */
export function kqlPipeline(condition: Condition, data: SentinelData): string[] {
  const ctx: Ctx = { data, stages: [], next: 1 };
  const early: Expr[] = [];
  const late: Expr[] = [];
  for (const item of condition.kind === "and" ? condition.items : [condition]) {
    const before = ctx.stages.length;
    const e = toExpr(item, { kind: "table" }, ctx);
    (ctx.stages.length > before ? late : early).push(e);
  }
  if (late.length === 0) return [`| where ${and(early).text}`];
  const first = and(early);
  return [...(first === TRUE ? [] : [`| where ${first.text}`]), ...ctx.stages.map((s) => `| ${s}`), `| where ${and(late).text}`];
}
