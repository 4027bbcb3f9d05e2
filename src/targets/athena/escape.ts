/**
 * The one place where rule text becomes SQL text. Every string literal, identifier, JSON path key
 * and alias of the SQL targets goes through these functions: the only defence against a rule value
 * breaking out of a literal.
 */

const PLAIN_IDENT = /^[a-z_][a-z0-9_]*$/;

/** Words that must be quoted as identifiers (reserved in Trino, reserved or type/function names in DuckDB, or easily misread). */
const RESERVED = new Set([
  "all", "alter", "analyse", "analyze", "and", "anti", "any", "array", "as", "asc", "asof", "asymmetric", "at",
  "authorization", "between", "binary", "both", "by", "case", "cast", "check", "collate", "collation", "column",
  "columns", "concurrently", "constraint", "create", "cross", "cube", "current_date", "current_time",
  "current_timestamp", "current_user", "date", "deallocate", "default", "deferrable", "delete", "desc", "describe",
  "distinct", "do", "drop", "else", "end", "escape", "except", "execute", "exists", "extract", "false", "fetch",
  "filter", "for", "foreign", "freeze", "from", "full", "generated", "glob", "group", "grouping", "having", "ilike",
  "in", "initially", "inner", "insert", "intersect", "interval", "into", "is", "isnull", "join", "json", "lambda",
  "lateral", "leading", "left", "like", "limit", "localtime", "localtimestamp", "map", "natural", "normalize", "not",
  "notnull", "null", "offset", "on", "only", "or", "order", "outer", "overlaps", "pivot", "pivot_longer",
  "pivot_wider", "placing", "positional", "prepare", "primary", "qualify", "recursive", "references", "returning",
  "right", "rollup", "row", "select", "semi", "show", "similar", "some", "struct", "summarize", "symmetric", "table",
  "tablesample", "then", "time", "timestamp", "to", "trailing", "trim", "true", "try_cast", "uescape", "union",
  "unique", "unnest", "unpack", "unpivot", "user", "using", "values", "variadic", "verbose", "when", "where", "window",
  "with",
]);

const CONTROL = /[\u0000-\u001f\u007f]/;

/** A SQL string literal. Characters below U+0020 and U+007F are spelled with chr() so that the text stays printable. */
export function sqlString(value: string): string {
  // Nearly every value has no control character: one literal (what sqlStringByParts makes of it).
  if (!CONTROL.test(value)) return `'${value.includes("'") ? value.replace(/'/g, "''") : value}'`;
  return sqlStringByParts(value);
}

/** sqlString's definition: runs of printable text as literals, each control character as chr(). */
export function sqlStringByParts(value: string): string {
  const parts: string[] = [];
  let run = "";
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || cp === 0x7f) {
      if (run !== "" || parts.length === 0) parts.push(`'${run.replace(/'/g, "''")}'`);
      parts.push(`chr(${cp})`);
      run = "";
    } else {
      run += ch;
    }
  }
  if (run !== "" || parts.length === 0) parts.push(`'${run.replace(/'/g, "''")}'`);
  if (parts.length === 1) return parts[0]!;
  return `(${parts.join(" || ")})`;
}

/** A SQL identifier: bare when it is a plain lower-case word, else double-quoted with `"` doubled. */
export function sqlIdent(name: string): string {
  if (PLAIN_IDENT.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** A dotted name (`database.table`), each part quoted as needed. */
export function sqlQualified(parts: readonly string[]): string {
  return parts.map(sqlIdent).join(".");
}

/** An output column alias: always double-quoted, so the rule's spelling (`userIdentity.arn`) is kept. */
export function sqlAlias(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const PATH_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A string literal of Trino's JSON path language: double quotes, a quote inside doubled (`"a""b"`),
 * every other character as it is (a backslash is a backslash). Trino's path grammar:
 * `STRING: '"' ( ~'"' | '""' )* '"'`.
 */
export function jsonPathString(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

/** SQL/JSON path member accessor (Trino's json_exists/json_query/json_value): `.key` or `."x-amz-acl"`. */
export function sqlJsonMember(key: string): string {
  return PATH_IDENT.test(key) ? `.${key}` : `.${jsonPathString(key)}`;
}

/** True when Trino's legacy JSONPath (json_extract) can spell the key: no quote or backslash. */
export function legacyKeySpellable(key: string): boolean {
  return !/["\\]/.test(key);
}

/** Trino's legacy JSONPath (json_extract, json_extract_scalar): `.key` or `["x-amz-acl"]`. */
export function legacyJsonMember(key: string): string {
  return PATH_IDENT.test(key) ? `.${key}` : `["${key}"]`;
}

/** A JSON Pointer (RFC 6901), DuckDB's unambiguous path form: `/x-amz-acl`, `~` and `/` escaped. */
export function jsonPointer(keys: readonly string[]): string {
  return keys.map((k) => "/" + k.replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/** A number literal: integers as they are, anything else as a typed DOUBLE literal (both engines). */
export function sqlNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  return `DOUBLE '${String(n)}'`;
}
