import { yamlLib } from "../../yamllib.js";
import { detached } from "../../strings.js";

/**
 * The Sigma file as text: YAML 1.1 (what PyYAML, and so pySigma, reads), so that `yes`, `12:30`,
 * dates and the like stay strings. The `yaml` package defines the output (`dumpWithLibrary`);
 * `dumpSigma` writes the same bytes directly for the documents the target builds (block maps and
 * lists of single-line scalars) and hands anything else to the library, which builds a node tree
 * per document and was most of the target's time (issue 7). test/sigma/yaml.test.ts compares the
 * two writers on the shipped rules, the fixtures and thousands of generated documents and strings.
 */

const OPTIONS = { version: "1.1", merge: false, aliasDuplicateObjects: false } as const;
const TO_STRING = { lineWidth: 0, indent: 4, indentSeq: true } as const;

/** The library's writer: the definition of the output. */
export function dumpWithLibrary(doc: unknown): string {
  const d = new (yamlLib().Document)(doc, OPTIONS);
  // Strings with line breaks or other control characters in double quotes, escaped.
  yamlLib().visit(d, {
    Scalar(_, node) {
      if (typeof node.value !== "string") return;
      // Control characters escaped; `=` and `<<` are PyYAML's value and merge tags when plain.
      if (/[\x00-\x1f\x7f\u2028\u2029]/.test(node.value) || node.value === "=" || node.value === "<<") node.type = "QUOTE_DOUBLE";
    },
  });
  const text = d.toString(TO_STRING);
  // The library keeps a plain `<<` even when asked to quote it; quote it in the text (a key, a
  // list item or a value). Without `<<` in the text both replacements change nothing.
  if (!text.includes("<<")) return text;
  return text.replace(/^(\s*(?:- )?)<<(:(?: |$))/gm, '$1"<<"$2').replace(/^(\s*(?:- |[^\n]*?: ))<<$/gm, '$1"<<"');
}

/** The Sigma file for `doc`: the library's bytes, written directly where that is proven safe. */
export function dumpSigma(doc: unknown): string {
  return dumpDirect(doc) ?? dumpWithLibrary(doc);
}

/** The direct writer alone: undefined for a document it leaves to the library. */
export function dumpDirect(doc: unknown): string | undefined {
  const lines: string[] = [];
  return isPlainObject(doc) && writeMap(doc, "", lines) ? lines.join("\n") + "\n" : undefined;
}

// ---------------------------------------------------------------------------------------------
// The direct writer. Each case below is what the library (yaml 2.x, stringify/*.js) does with
// these options; anything outside them returns false and the library writes the document.

const STEP = " ".repeat(TO_STRING.indent);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A block map's pairs at `indent` (YAMLMap.from: Object.keys order, undefined values left out). */
function writeMap(map: Record<string, unknown>, indent: string, lines: string[]): boolean {
  const keys = Object.keys(map);
  if (keys.length === 0) return false; // `{}`
  for (const k of keys) {
    const v = map[k];
    if (v === undefined) return false;
    // An empty key, or one written in over 1024 characters, is an explicit `? key`.
    const key = k === "" ? undefined : string(k);
    if (key === undefined || key.length > 1000) return false;
    if (Array.isArray(v)) {
      if (v.length === 0) return false; // `[]`
      lines.push(`${indent}${key}:`);
      const item = `${indent}${STEP}- `;
      for (const x of v) {
        const s = scalar(x);
        if (s === undefined) return false;
        lines.push(item + s);
      }
    } else if (isPlainObject(v)) {
      lines.push(`${indent}${key}:`);
      if (!writeMap(v, indent + STEP, lines)) return false;
    } else {
      const s = scalar(v);
      if (s === undefined) return false;
      lines.push(`${indent}${key}: ${s}`);
    }
  }
  return true;
}

/** A scalar on one line, or undefined when the direct writer does not handle it. */
function scalar(v: unknown): string | undefined {
  switch (typeof v) {
    case "string":
      return string(v);
    case "number":
      // stringifyNumber (the int and float tags without a format).
      if (!Number.isFinite(v)) return Number.isNaN(v) ? ".nan" : v < 0 ? "-.inf" : ".inf";
      return Object.is(v, -0) ? "-0" : JSON.stringify(v);
    case "boolean":
      return v ? "true" : "false";
    case "object":
      return v === null ? "null" : undefined;
    default:
      return undefined;
  }
}

/**
 * Not handled: C1 controls, DEL, line and paragraph separators and lone surrogates, `=` and `<<`
 * (quoted on purpose above) and a document marker at the start (`---`, `...`), which the library
 * writes differently by position. A `%` at the start is handled: it is an indicator, so the text
 * is quoted (NOT_PLAIN) before the library looks for document markers, and a quoted string on one
 * line is the same anywhere (it uses the marker only to indent the lines of a folded string).
 */
const UNHANDLED = /[\x7f-\x9f\u2028\u2029\ud800-\udfff]|^(?:---|\.\.\.)|<</;

/** Control characters: double quotes (the visitor above and stringifyString both say so). */
const CONTROL = /[\x00-\x1f]/;

/** plainString's test for text that cannot be plain (the same regular expression). */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;

/**
 * The schema's tests for plain text that would read back as something else than a string: the
 * `test` of every tag of the library's YAML 1.1 schema (and its compat tags) but `str`, copied
 * here so that a build does not load the library for them (about 20 ms at each start, in every
 * worker). test/sigma/yaml.test.ts checks the copy against the library's own (libraryTagTests).
 */
const TAG_TESTS: readonly RegExp[] = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
  /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
  /^[-+]?0b[0-1_]+$/,
  /^[-+]?0[0-7_]+$/,
  /^[-+]?[0-9][0-9_]*$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
  /^<<$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|T|[ \t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\.[0-9]+)?)(?:[ \t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$/,
];

/** The same tests, read from the library's schema (what TAG_TESTS copies; for the test). */
export function libraryTagTests(): readonly RegExp[] {
  const schema = new (yamlLib().Document)(null, OPTIONS).schema as unknown as {
    tags: readonly { default?: unknown; tag: string; test?: RegExp }[];
    compat?: readonly { default?: unknown; tag: string; test?: RegExp }[] | null;
  };
  return [...schema.tags, ...(schema.compat ?? [])].filter((t) => t.default && t.tag !== "tag:yaml.org,2002:str" && t.test !== undefined).map((t) => t.test!);
}

/**
 * Text that one of those tests could match starts like a number, a date, `~`, `.inf` or `<<`, is
 * an exponent alone (`e5`: the float's digits are optional), or is empty or a word of YAML 1.1's
 * booleans and null. Only such text is put to them, so a build that
 * writes ordinary strings never loads the library. test/sigma/yaml.test.ts pins the library's tests
 * this reading is made for.
 */
export const MAYBE_OTHER_TAG = /^(?:[-+.0-9~<]|$|(?:[eE][-+]?[0-9]+|[YyNn]|[Yy]es|YES|[Nn]o|NO|[Tt]rue|TRUE|[Ff]alse|FALSE|[Oo]n|ON|[Oo]ff|OFF|[Nn]ull|NULL)$)/;

/** True when the schema would read plain `s` as something other than a string. */
export function otherTag(s: string): boolean {
  return MAYBE_OTHER_TAG.test(s) && TAG_TESTS.some((t) => t.test(s));
}

/** The schema's tests themselves (for the test that pins them). */
export function otherTagTests(): readonly RegExp[] {
  return TAG_TESTS;
}

const cache = new Map<string, string | undefined>();

function string(s: string): string | undefined {
  let out = cache.get(s);
  if (out !== undefined || cache.has(s)) return out;
  const own = detached(s);
  out = computeString(own);
  if (cache.size >= 10_000) cache.clear();
  cache.set(own, out);
  return out;
}

function computeString(s: string): string | undefined {
  if (s === "=" || UNHANDLED.test(s)) return undefined;
  if (CONTROL.test(s)) return doubleQuoted(s);
  if (!NOT_PLAIN.test(s) && !otherTag(s)) return s;
  // quotedString: single quotes for text with `"` and no `'`, else double quotes.
  if (s.includes('"') && !s.includes("'")) return `'${s}'`;
  return doubleQuoted(s);
}

/**
 * doubleQuotedString where it writes one line: JSON with YAML's short escapes, and `\ ` for a
 * space before a line feed. The library breaks the line at a line feed (not a final one) in a
 * value of 40 or more characters: those strings are left to it.
 */
function doubleQuoted(value: string): string | undefined {
  const json = JSON.stringify(value);
  if (json.length >= 40 && value.includes("\n")) return undefined;
  let str = "";
  let start = 0;
  for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
    if (ch === " " && json[i + 1] === "\\" && json[i + 2] === "n") {
      str += json.slice(start, i) + "\\ ";
      i += 1;
      start = i;
      ch = "\\";
    }
    if (ch === "\\") {
      if (json[i + 1] === "u") {
        str += json.slice(start, i);
        const code = json.substr(i + 2, 4);
        const short = SHORT_ESCAPES[code];
        str += short ?? (code.substr(0, 2) === "00" ? "\\x" + code.substr(2) : json.substr(i, 6));
        i += 5;
        start = i + 1;
      } else {
        i += 1;
      }
    }
  }
  return start ? str + json.slice(start) : json;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  "0000": "\\0",
  "0007": "\\a",
  "000b": "\\v",
  "001b": "\\e",
  "0085": "\\N",
  "00a0": "\\_",
  "2028": "\\L",
  "2029": "\\P",
};
