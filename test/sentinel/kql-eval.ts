import { nodeKind, type KNode } from "./kusto.js";

/**
 * An evaluator for the subset of KQL the sentinel target emits, over the syntax tree Microsoft's
 * language service returns (kusto.ts), written from the KQL documentation. There is no Kusto
 * engine here: this is the reading of the documentation the target's exactness rests on, tested
 * on the documentation's own examples (kql-eval.test.ts). Anything outside the subset throws.
 *
 * Values: a KQL `string` is a JS string and is never null (a missing string is ""); `bool`, `long`
 * and `real` are boolean / number and may be null; `dynamic` is a JSON value (null for null).
 *
 * Documented behaviour implemented (learn.microsoft.com/kusto/query/...):
 * - `==` `!=` on strings: ordinal, case-sensitive; `in (...)`: case-sensitive membership.
 * - `contains_cs` `startswith_cs` `endswith_cs`: case-sensitive substring, prefix, suffix.
 * - `matches regex`: an RE2 search anywhere in the string (re2 syntax); the subset the target
 *   emits (classes, `\z`, `\x{...}`, escaped metacharacters) is translated to a JS RegExp with the
 *   `u` flag, which reads it the same way.
 * - `tolower`: lower case of each character (simple case mapping: U+0130 -> `i`, Σ -> σ).
 * - `replace_string(text, lookup, rewrite)`: every non-overlapping occurrence, left to right.
 * - `isempty` / `isnotempty`: "" or null; `isnull` / `isnotnull`: null (a string is never null).
 * - `iff(p, a, b)`: `a` when `p` is true, else `b` (false or null).
 * - `todouble(s)`: the number a decimal string spells; null when it spells none.
 * - `ipv4_is_in_range(ip, range)`: whether the IPv4 address lies in the range (a CIDR prefix);
 *   null when either does not parse.
 * - `ipv6_is_in_range(ip, range)`: whether the address's 128 bits lie in the range (an address
 *   with an optional `/prefix`, 0-128; none is /128; bits past the prefix are ignored, as in the
 *   documentation's `.../112` examples); null when either does not parse. An address is one of
 *   the forms the IPv6 functions' pages show: eight groups of hex digits, or fewer around one
 *   `::`; an IPv4 address is read as IPv4-mapped (`parse_ipv6("192.168.255.255")` is
 *   `...:ffff:c0a8:ffff`). An IPv6 address ending in a dotted quad (`::ffff:1.2.3.4`), which no
 *   page shows, is refused here (null): the target rewrites that form to hex groups first.
 * - `parse_ipv4(s)`: the address as a long (`parse_ipv4("127.0.0.1")` is 2130706433); null when
 *   it is not one. `tohex(n, minLength)`: lower-case hex, zero-padded to minLength
 *   (`tohex(256, 8)` is `00000100`). `substring(s, start, length)`: the characters from the
 *   0-based start (`substring("123456", 1, 3)` is `234`). `strcat(...)`: the texts joined.
 *   `extract(regex, group, s)`: the group's text of the first match (RE2 search), "" when none.
 * - `not(b)`: negation, null for null; `and` / `or`: three-valued (false and null = false, true or
 *   null = true).
 * - Comparisons `<` `<=` `>` `>=` of numbers; null when either side is null.
 * - `parse_json(s)`: the JSON value of the text; text that is not JSON is kept as a dynamic
 *   string; "" is null (`gettype(parse_json(''))` is `null`). `d["key"]`: null when `d` is not a
 *   property bag or has no such key. `tostring(v)`: "" for null; the JSON text of arrays and
 *   property bags.
 * - Dynamic values are typed: `gettype()` gives `string`, `int`/`long`/`real` (numbers), `bool`,
 *   `array`, `dictionary` (property bag), `null`. `==`, `!=` and `in` on a dynamic operand are
 *   refused here (the target converts with tostring/todouble/tobool after testing gettype).
 *   `isnull`/`isnotnull` see a dynamic null as null; `todouble`/`tobool` of a dynamic number or
 *   boolean are that value; `pack_array(v, ...)`: an array of the values; `array_length(a)`: the
 *   number of elements, null for a non-array; `bag_keys(b)`: the keys of a property bag.
 * - `T | where p`: the rows where p is true; `| extend n = e`: adds columns (replacing one of the
 *   same name); `| project c, ...`: keeps those columns; `print n = e`: one row.
 * - `| mv-expand n = e`: one row per element of the array `e` (the other columns repeated); a null
 *   value gives one row holding null; an empty array or property bag gives no row. (Expanding a
 *   property bag's entries or a value that is neither is refused here: the target expands arrays
 *   only.)
 * - `| mv-apply n = e, m = f on (subquery)`: for each row, the subquery runs over a subtable of
 *   the expanded columns only, one row per element (the arrays side by side: as many rows as the
 *   longest, null where one is shorter), and the row's other columns (not expanded) are added to
 *   its result rows; a row whose subquery gives no rows is dropped. A reference in the subquery to
 *   a column it was not given is an error here.
 * - `| summarize n = agg, ...` without `by`: one row, even from no rows (`count()` and
 *   `countif()` are then 0: the aggregates' default values); `count()`: the rows, `countif(p)`:
 *   the rows where p is true; scalar operators over aggregates as usual.
 */

export type Value = string | number | boolean | null | Dynamic;
/** A dynamic value (parse_json). */
export interface Dynamic {
  readonly dynamic: unknown;
}

export type Row = Readonly<Record<string, Value>>;

class Unsupported extends Error {}

function children(n: KNode): KNode[] {
  const out: KNode[] = [];
  for (let i = 0; i < n.ChildCount; i++) {
    const c = n.GetChild(i);
    if (c) out.push(c);
  }
  return out;
}

/** The expressions of an ExpressionList or a separated list (tokens and separators dropped). */
function listItems(n: KNode): KNode[] {
  const out: KNode[] = [];
  const walk = (x: KNode) => {
    const k = nodeKind(x);
    if (k === "SyntaxList" || k === "SeparatedElement") {
      for (const c of children(x)) walk(c);
      return;
    }
    if (x.IsToken) return;
    out.push(x);
  };
  for (const c of children(n)) walk(c);
  return out;
}

function tokenText(n: KNode): string {
  if (n.IsToken) return n.Text;
  return children(n).map(tokenText).join("");
}

function literalValue(n: KNode): Value {
  const v = n.LiteralValue as unknown;
  if (v === null || v === undefined) return null;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (typeof v === "object" && v !== null && "v" in v) return (v as { v: number | boolean }).v;
  // A long literal is a boxed System.Int64 of the Bridge runtime.
  if (typeof v === "object" && v !== null && typeof (v as { toNumber?: unknown }).toNumber === "function") return (v as { toNumber(): number }).toNumber();
  throw new Unsupported(`literal ${tokenText(n)}`);
}

function str(v: Value, what: string): string {
  if (typeof v !== "string") throw new Unsupported(`${what} of a non-string ${JSON.stringify(v)}`);
  return v;
}

/** KQL tolower: each code point's simple lower-case mapping. */
export function kqlToLower(s: string): string {
  let out = "";
  for (const ch of s) {
    if (ch === "\u0130") out += "i";
    else {
      const l = ch.toLowerCase();
      out += [...l].length === 1 ? l : ch;
    }
  }
  return out;
}

/** The RE2 subset the target emits, as a JS RegExp (u flag). */
export function re2ToJs(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next === "z") {
        out += "(?![\\s\\S])";
        i++;
        continue;
      }
      if (next === "x" && pattern[i + 2] === "{") {
        const end = pattern.indexOf("}", i);
        out += `\\u{${pattern.slice(i + 3, end)}}`;
        i = end;
        continue;
      }
      if (next === "A") {
        out += "^";
        i++;
        continue;
      }
      if (next !== undefined && /[pPbBQE]/.test(next)) throw new Unsupported(`regex escape \\${next}`);
      out += c + (next ?? "");
      i++;
      continue;
    }
    out += c;
  }
  return new RegExp(out, "u");
}

function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

function ipv4InRange(ip: string, range: string): boolean | null {
  const a = ipv4(ip);
  const [net, bits] = range.split("/");
  const n = ipv4(net ?? "");
  const prefix = bits === undefined ? 32 : Number(bits);
  if (a === undefined || n === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return null;
  if (prefix === 0) return true;
  const mask = (~0 << (32 - prefix)) >>> 0;
  return ((a & mask) >>> 0) === ((n & mask) >>> 0);
}

/** An IPv6 address's 128 bits (see ipv6_is_in_range above), or undefined. */
export function ipv6(text: string): bigint | undefined {
  const v4 = ipv4(text);
  if (v4 !== undefined) return 0xffff00000000n | BigInt(v4);
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const part = (h: string) => (h === "" ? [] : h.split(":"));
  const head = part(halves[0]!);
  const rest = halves.length === 2 ? part(halves[1]!) : [];
  const n = head.length + rest.length;
  if ([...head, ...rest].some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
  if (halves.length === 2 ? n > 7 : n !== 8) return undefined;
  const all = [...head, ...Array<string>(8 - n).fill("0"), ...rest];
  let v = 0n;
  for (const g of all) v = (v << 16n) | BigInt(parseInt(g, 16));
  return v;
}

function ipv6InRange(ip: string, range: string): boolean | null {
  const a = ipv6(ip);
  const slash = range.lastIndexOf("/");
  const n = ipv6(slash < 0 ? range : range.slice(0, slash));
  const p = slash < 0 ? "128" : range.slice(slash + 1);
  if (a === undefined || n === undefined || !/^\d{1,3}$/.test(p) || Number(p) > 128) return null;
  const shift = BigInt(128 - Number(p));
  return a >> shift === n >> shift;
}

function toDouble(v: Value): number | null {
  if (v !== null && typeof v === "object") {
    const d = v.dynamic;
    return typeof d === "number" ? d : typeof d === "string" ? toDouble(d) : null;
  }
  if (typeof v === "number") return v;
  if (typeof v !== "string") return null;
  const t = v.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}

function dyn(v: Value): unknown {
  return v !== null && typeof v === "object" ? v.dynamic : v;
}

function toStr(v: Value): string {
  const d = dyn(v);
  if (d === null || d === undefined) return "";
  if (typeof d === "string") return d;
  if (typeof d === "number" || typeof d === "boolean") return String(d);
  return JSON.stringify(d);
}

const and3 = (a: Value, b: () => Value): Value => {
  if (a === false) return false;
  const r = b();
  if (r === false) return false;
  return a === true && r === true ? true : null;
};
const or3 = (a: Value, b: () => Value): Value => {
  if (a === true) return true;
  const r = b();
  if (r === true) return true;
  return a === false && r === false ? false : null;
};

/** A scalar that is null (a dynamic null counts). */
const isNull = (v: Value) => v === null || (typeof v === "object" && (v.dynamic === null || v.dynamic === undefined));

function isDynamic(v: Value): v is Dynamic {
  return v !== null && typeof v === "object";
}

/** gettype() of a value. */
export function kqlType(v: Value): string {
  if (v === null) return "null";
  if (!isDynamic(v)) return typeof v === "string" ? "string" : typeof v === "boolean" ? "bool" : Number.isInteger(v) ? "long" : "real";
  const d = v.dynamic;
  if (d === null || d === undefined) return "null";
  if (typeof d === "string") return "string";
  if (typeof d === "boolean") return "bool";
  if (typeof d === "number") return Number.isInteger(d) ? (Math.abs(d) < 2 ** 31 ? "int" : "long") : "real";
  if (Array.isArray(d)) return "array";
  return "dictionary";
}

/** The rows of the group a summarize aggregates (set while its aggregates are evaluated). */
let group: readonly Row[] | undefined;

function callFunction(name: string, args: KNode[], row: Row): Value {
  const arg = (i: number) => scalar(args[i]!, row);
  switch (name) {
    case "count":
      if (!group) throw new Unsupported("count() outside summarize");
      return group.length;
    case "countif": {
      if (!group) throw new Unsupported("countif() outside summarize");
      const g = group;
      group = undefined;
      try {
        return g.filter((r) => scalar(args[0]!, r) === true).length;
      } finally {
        group = g;
      }
    }
    case "gettype":
      return kqlType(arg(0));
    case "pack_array":
      return { dynamic: args.map((_, i) => dyn(arg(i))) };
    case "array_length": {
      const d = dyn(arg(0));
      return Array.isArray(d) ? d.length : null;
    }
    case "bag_keys": {
      const d = dyn(arg(0));
      return d !== null && typeof d === "object" && !Array.isArray(d) ? { dynamic: Object.keys(d) } : null;
    }
    case "tobool": {
      const v = arg(0);
      const d = dyn(v);
      if (typeof d === "boolean") return d;
      if (typeof d === "string") return d === "true" ? true : d === "false" ? false : null;
      throw new Unsupported(`tobool of ${JSON.stringify(d)}`);
    }
    case "not": {
      const v = arg(0);
      return v === null ? null : !v;
    }
    case "isempty": {
      const v = arg(0);
      if (isDynamic(v)) throw new Unsupported("isempty of a dynamic value");
      return v === null || v === "";
    }
    case "isnotempty": {
      const v = arg(0);
      if (isDynamic(v)) throw new Unsupported("isnotempty of a dynamic value");
      return !(v === null || v === "");
    }
    case "isnull":
      return isNull(arg(0));
    case "isnotnull":
      return !isNull(arg(0));
    case "iff": {
      const p = arg(0);
      return p === true ? arg(1) : arg(2);
    }
    case "tolower":
      return kqlToLower(str(arg(0), "tolower"));
    case "replace_string": {
      const text = str(arg(0), "replace_string");
      const lookup = str(arg(1), "replace_string");
      const rewrite = str(arg(2), "replace_string");
      return lookup === "" ? text : text.split(lookup).join(rewrite);
    }
    case "todouble":
      return toDouble(arg(0));
    case "parse_ipv4": {
      const v = ipv4(str(arg(0), name));
      return v === undefined ? null : v;
    }
    case "tohex": {
      const v = arg(0);
      if (typeof v !== "number" || !Number.isInteger(v)) return null;
      const hex = (v < 0 ? BigInt.asUintN(64, BigInt(v)) : BigInt(v)).toString(16);
      const min = args.length > 1 ? arg(1) : 0;
      if (typeof min !== "number") throw new Unsupported("tohex length");
      return hex.padStart(min, "0");
    }
    case "substring": {
      const text = [...str(arg(0), name)];
      const start = arg(1);
      const length = args.length > 2 ? arg(2) : text.length;
      if (typeof start !== "number" || typeof length !== "number" || start < 0 || length < 0) throw new Unsupported("substring arguments");
      return text.slice(start, start + length).join("");
    }
    case "strcat":
      return args.map((_, i) => str(arg(i), name)).join("");
    case "extract": {
      const group = arg(1);
      if (typeof group !== "number") throw new Unsupported("extract group");
      const m = re2ToJs(str(arg(0), name)).exec(str(arg(2), name));
      return m?.[group] ?? "";
    }
    case "ipv6_is_in_range":
      return ipv6InRange(str(arg(0), "ipv6_is_in_range"), str(arg(1), "ipv6_is_in_range"));
    case "ipv4_is_in_range":
      return ipv4InRange(str(arg(0), "ipv4_is_in_range"), str(arg(1), "ipv4_is_in_range"));
    case "parse_json": {
      const s = arg(0);
      if (typeof s !== "string") return { dynamic: dyn(s) };
      if (s === "") return { dynamic: null };
      try {
        return { dynamic: JSON.parse(s) as unknown };
      } catch {
        return { dynamic: s };
      }
    }
    case "tostring":
      return toStr(arg(0));
    case "real":
      return toDouble(tokenText(args[0]!).trim());
    default:
      throw new Unsupported(`function ${name}`);
  }
}

function binary(op: string, l: KNode, r: KNode, row: Row): Value {
  switch (op) {
    case "and":
      return and3(scalar(l, row), () => scalar(r, row));
    case "or":
      return or3(scalar(l, row), () => scalar(r, row));
  }
  const a = scalar(l, row);
  const b = scalar(r, row);
  if (isDynamic(a) || isDynamic(b)) throw new Unsupported(`${op} on a dynamic value`);
  switch (op) {
    case "==":
      return a === null || b === null ? null : a === b;
    case "!=":
      return a === null || b === null ? null : a !== b;
    case "contains_cs":
      return str(a, op).includes(str(b, op));
    case "startswith_cs":
      return str(a, op).startsWith(str(b, op));
    case "endswith_cs":
      return str(a, op).endsWith(str(b, op));
    case "matches regex":
    case "matchesregex":
      return re2ToJs(str(b, op)).test(str(a, op));
    case ">":
    case ">=":
    case "<":
    case "<=": {
      if (a === null || b === null) return null;
      if (typeof a !== "number" || typeof b !== "number") throw new Unsupported(`${op} on non-numbers`);
      return op === ">" ? a > b : op === ">=" ? a >= b : op === "<" ? a < b : a <= b;
    }
    default:
      throw new Unsupported(`operator ${op}`);
  }
}

/** The value of a scalar expression in a row. */
export function scalar(n: KNode, row: Row): Value {
  const kind = nodeKind(n);
  switch (kind) {
    case "LiteralExpression":
      return literalValue(n);
    case "NameReference": {
      const name = tokenText(n).trim();
      if (!(name in row)) throw new Unsupported(`column ${name}`);
      return row[name]!;
    }
    case "BracketedName":
      throw new Unsupported("bracketed name");
    case "ParenthesizedExpression":
      return scalar(children(n).find((c) => !c.IsToken)!, row);
    case "PrefixUnaryExpression": {
      const [op, e] = children(n);
      const v = scalar(e!, row);
      if (v === null) return null;
      if (typeof v !== "number") throw new Unsupported("unary minus on a non-number");
      return tokenText(op!).trim() === "-" ? -v : v;
    }
    case "FunctionCallExpression": {
      const [name, list] = children(n);
      const fname = tokenText(name!).trim();
      const args = listItems(list!);
      if (fname === "real") return callFunction(fname, [list!], row);
      return callFunction(fname, args, row);
    }
    case "BinaryExpression": {
      const [l, op, r] = children(n);
      return binary(tokenText(op!).trim().replace(/\s+/g, " "), l!, r!, row);
    }
    case "InExpression": {
      const [l, op, list] = children(n);
      if (tokenText(op!).trim() !== "in") throw new Unsupported(`operator ${tokenText(op!)}`);
      const v = scalar(l!, row);
      if (isDynamic(v)) throw new Unsupported("in on a dynamic value");
      if (v === null) return null;
      return listItems(list!).some((x) => scalar(x, row) === v);
    }
    case "ElementExpression": {
      const [e, sel] = children(n);
      const d = dyn(scalar(e!, row));
      const key = scalar(listItems(sel!)[0] ?? children(sel!).find((c) => !c.IsToken)!, row);
      if (d === null || typeof d !== "object" || Array.isArray(d) || typeof key !== "string") return { dynamic: null };
      const v = Object.prototype.hasOwnProperty.call(d, key) ? (d as Record<string, unknown>)[key] : undefined;
      return { dynamic: v === undefined ? null : v };
    }
    case "BracketedExpression":
      return scalar(children(n).find((c) => !c.IsToken)!, row);
    default:
      throw new Unsupported(`expression ${kind}: ${tokenText(n)}`);
  }
}

type Tables = Readonly<Record<string, readonly Row[]>>;

/** The rows a tabular expression gives over the tables (`input`: the implicit rows of a subquery). */
function tabular(n: KNode, tables: Tables, input?: readonly Row[]): Row[] {
  const kind = nodeKind(n);
  if (kind === "NameReference") {
    const name = tokenText(n).trim();
    const t = tables[name];
    if (!t) throw new Unsupported(`table ${name}`);
    return [...t];
  }
  if (kind === "PipeExpression") {
    const [left, , op] = children(n);
    return applyOperator(op!, tabular(left!, tables, input), tables);
  }
  if (kind === "PrintOperator") {
    const out: Record<string, Value> = {};
    listItems(children(n).find((c) => nodeKind(c) === "SyntaxList")!).forEach((e, i) => {
      if (nodeKind(e) === "SimpleNamedExpression") out[namedName(e)] = scalar(namedValue(e), {});
      else out[`print_${i}`] = scalar(e, {});
    });
    return [out];
  }
  if (input !== undefined) return applyOperator(n, [...input], tables);
  throw new Unsupported(`tabular expression ${kind}`);
}

/** The expressions of an operator's item list (its last SyntaxList with items). */
function operatorItems(parts: readonly KNode[]): KNode[] {
  const lists = parts.filter((c) => nodeKind(c) === "SyntaxList" && listItems(c).length > 0);
  if (lists.length !== 1) throw new Unsupported("an operator with parameters or several lists");
  return listItems(lists[0]!);
}

/** The array an mv-expand / mv-apply item expands, as its rows' values (the documented cases only). */
function expansion(v: Value): Value[] {
  const d = dyn(v);
  if (d === null || d === undefined) return [{ dynamic: null }];
  if (Array.isArray(d)) return d.map((x) => ({ dynamic: x === undefined ? null : x }) as Value);
  if (typeof d === "object" && Object.keys(d).length === 0) return [];
  throw new Unsupported(`mv-expand of ${JSON.stringify(d)} (not an array)`);
}

/** One named item of mv-expand / mv-apply: `name = expression` (no `to typeof`). */
function expandItem(e: KNode): { name: string; value: KNode } {
  const named = nodeKind(e) === "MvExpandExpression" || nodeKind(e) === "MvApplyExpression" ? children(e) : [e];
  if (named.length !== 1 || nodeKind(named[0]!) !== "SimpleNamedExpression") throw new Unsupported(`expansion ${tokenText(e)}`);
  return { name: namedName(named[0]!), value: namedValue(named[0]!) };
}

/** The rows one row expands into (mv-expand of one item). */
function expandRow(r: Row, item: { name: string; value: KNode }): Row[] {
  return expansion(scalar(item.value, r)).map((v) => ({ ...r, [item.name]: v }));
}

function applyOperator(op: KNode, rows: Row[], tables: Tables): Row[] {
  const opKind = nodeKind(op);
  const parts = children(op);
  switch (opKind) {
    case "FilterOperator": {
      const pred = parts.filter((c) => !c.IsToken && nodeKind(c) !== "SyntaxList").pop()!;
      return rows.filter((r) => scalar(pred, r) === true);
    }
    case "ExtendOperator":
      return rows.map((r) => {
        const out: Record<string, Value> = { ...r };
        for (const e of listItems(parts.find((c) => nodeKind(c) === "SyntaxList")!)) out[namedName(e)] = scalar(namedValue(e), out);
        return out;
      });
    case "ProjectOperator":
      return rows.map((r) => {
        const out: Record<string, Value> = {};
        for (const e of listItems(parts.find((c) => nodeKind(c) === "SyntaxList")!)) {
          if (nodeKind(e) === "SimpleNamedExpression") out[namedName(e)] = scalar(namedValue(e), r);
          else out[tokenText(e).trim()] = scalar(e, r);
        }
        return out;
      });
    case "MvExpandOperator": {
      const items = operatorItems(parts).map(expandItem);
      if (items.length !== 1) throw new Unsupported("mv-expand of several items");
      return rows.flatMap((r) => expandRow(r, items[0]!));
    }
    case "MvApplyOperator": {
      const items = operatorItems(parts.filter((c) => nodeKind(c) !== "MvApplySubqueryExpression")).map(expandItem);
      const sub = parts.find((c) => nodeKind(c) === "MvApplySubqueryExpression");
      if (!sub) throw new Unsupported("mv-apply without a subquery");
      const body = children(sub).find((c) => !c.IsToken)!;
      return rows.flatMap((r) => {
        // The subtable: the expanded columns only, the arrays side by side (as many rows as the
        // longest, null where one is shorter); the row's other columns are added to the result.
        const arrays = items.map((item) => expansion(scalar(item.value, r)));
        const length = Math.max(...arrays.map((a) => a.length));
        const subtable: Row[] = Array.from({ length }, (_, i) => Object.fromEntries(items.map((item, k) => [item.name, arrays[k]![i] ?? { dynamic: null }])));
        const result = tabular(body, tables, subtable);
        const rest: Record<string, Value> = { ...r };
        for (const item of items) delete rest[item.name];
        return result.map((x) => ({ ...rest, ...x }));
      });
    }
    case "SummarizeOperator": {
      if (parts.some((c) => nodeKind(c) === "SummarizeByClause")) throw new Unsupported("summarize by");
      const out: Record<string, Value> = {};
      const saved = group;
      group = rows;
      try {
        for (const e of operatorItems(parts)) {
          if (nodeKind(e) !== "SimpleNamedExpression") throw new Unsupported(`summarize item ${tokenText(e)}`);
          out[namedName(e)] = scalar(namedValue(e), {});
        }
      } finally {
        group = saved;
      }
      return [out];
    }
    default:
      throw new Unsupported(`query operator ${opKind}`);
  }
}

function namedName(e: KNode): string {
  return tokenText(children(e)[0]!).trim();
}

function namedValue(e: KNode): KNode {
  return children(e)[2]!;
}

/** The one query statement of a query block. */
function statement(root: KNode): KNode {
  const found: KNode[] = [];
  const walk = (x: KNode) => {
    if (nodeKind(x) === "ExpressionStatement") {
      found.push(children(x)[0]!);
      return;
    }
    for (const c of children(x)) walk(c);
  };
  walk(root);
  if (found.length !== 1) throw new Unsupported(`${found.length} statements`);
  return found[0]!;
}

/** Runs a query over named tables of rows and returns the result rows. */
export function runQuery(root: KNode, tables: Tables): Row[] {
  return tabular(statement(root), tables);
}

/**
 * The verdict of each row: whether it is in the query's result. The query is run over each row
 * alone (a where/extend/project pipeline keeps or drops each row on its own).
 */
export function verdicts(root: KNode, table: string, rows: readonly Row[]): boolean[] {
  const q = statement(root);
  return rows.map((r) => tabular(q, { [table]: [r] }).length === 1);
}
