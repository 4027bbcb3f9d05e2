import jsYaml from "js-yaml";
import type { Rule } from "../../rules/types.js";
import { detached } from "../../strings.js";

/**
 * Panther's rule YAML: the metadata and Tests of the source, in the key order of Panther's own
 * rules (panther-analysis), without the source-only keys (Condition, OutputFields, AlertTitle,
 * DedupFields), with the Panther keys rulec carries as written (Status, SummaryAttributes, ...)
 * before the Tests. Built as an object, for the target to validate and dump (dumpYaml).
 */
export function ruleDocument(rule: Rule): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    AnalysisType: "rule",
    Filename: `${rule.name}.py`,
    RuleID: rule.ruleId,
    DisplayName: rule.displayName,
    Enabled: rule.enabled,
    LogTypes: [...rule.logTypes],
  };
  if (rule.tags !== undefined) doc.Tags = [...rule.tags];
  if (rule.reports !== undefined) doc.Reports = Object.fromEntries(Object.entries(rule.reports).map(([k, v]) => [k, [...v]]));
  doc.Severity = rule.severityText ?? rule.severity;
  if (rule.description !== undefined) doc.Description = rule.description;
  if (rule.dedupPeriodMinutes !== undefined) doc.DedupPeriodMinutes = rule.dedupPeriodMinutes;
  if (rule.threshold !== undefined) doc.Threshold = rule.threshold;
  if (rule.createAlert !== undefined) doc.CreateAlert = rule.createAlert;
  if (rule.runbook !== undefined) doc.Runbook = rule.runbook;
  if (rule.reference !== undefined) doc.Reference = rule.reference;
  if (rule.panther !== undefined) Object.assign(doc, rule.panther);
  if (rule.tests.length > 0) {
    doc.Tests = rule.tests.map((t) => (t.logType === undefined ? { Name: t.name, ExpectedResult: t.expectedResult, Log: t.log } : { Name: t.name, ExpectedResult: t.expectedResult, LogType: t.logType, Log: t.log }));
  }
  return doc;
}

// js-yaml quotes what a YAML 1.1 reader (PyYAML, which Panther's tools use) would read as
// another type ('true', '1.08', dates) and escapes NEL, LS, PS and control characters.
const DUMP_OPTIONS: jsYaml.DumpOptions = { lineWidth: -1, noRefs: true, noCompatMode: false };

/**
 * `jsYaml.dump(doc, DUMP_OPTIONS)`, byte for byte, faster: the block structure (js-yaml's
 * writeNode / writeBlockMapping / writeBlockSequence for plain objects and arrays, indent 2, no
 * flow levels, no refs) is written here, and each scalar is spelled by js-yaml itself (dumped
 * alone) and remembered, since rules repeat keys and values. A scalar's spelling does not depend
 * on where it stands, except a block scalar (a string with a line feed, re-indented by level) and
 * an explicit `? key` (longer than 1024): such a key, a line feed in a key, or anything but plain
 * JSON data, and the whole document goes through js-yaml instead.
 */
export function dumpYaml(doc: Record<string, unknown>): string {
  return writeDocument(doc) ?? jsYaml.dump(doc, DUMP_OPTIONS);
}

/** The fast path of dumpYaml alone; undefined when the document needs js-yaml itself. */
export function writeDocument(doc: Record<string, unknown>): string | undefined {
  const text = writeNode(0, doc, true);
  return text === undefined ? undefined : text + "\n";
}

const SCALARS = new Map<unknown, string>();
const MAX_SCALARS = 50_000;

/**
 * Words a YAML reader takes for null or a boolean (YAML 1.2 core schema, and the YAML 1.1 words
 * js-yaml quotes for compatibility): the only strings `plainWord` accepts that js-yaml quotes.
 */
const AMBIGUOUS_WORDS = new Set([
  "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
  "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF",
]);

/**
 * A string js-yaml prints plain, as it is (a conservative test): a letter first (so no number,
 * date, `.inf` or indicator), then letters, digits and `_ . / - ( ) @`, `:` not followed by a space
 * and not last, spaces not last and not after `:`, not one of the AMBIGUOUS_WORDS, and at most
 * 1024 long.
 */
function plainWord(s: string): boolean {
  const n = s.length;
  // A key longer than 1024 is written as an explicit `? key`.
  if (n === 0 || n > 1024) return false;
  const first = s.charCodeAt(0);
  if (!((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a))) return false;
  let prev = first;
  for (let i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x5f || // _
      c === 0x2e || // .
      c === 0x2f || // /
      c === 0x2d || // -
      c === 0x28 || // (
      c === 0x29 || // )
      c === 0x40 || // @
      (c === 0x3a && i < n - 1) || // : (not last)
      (c === 0x20 && i < n - 1 && prev !== 0x3a); // space (not last, not after :)
    if (!ok) return false;
    prev = c;
  }
  return n > 5 || !AMBIGUOUS_WORDS.has(s);
}

/** The spelling of a scalar anywhere in a block document; undefined: not position-independent. */
function scalar(value: string | number | boolean | null): string | undefined {
  if (typeof value === "string") {
    if (plainWord(value)) return value;
  } else if (typeof value === "number") {
    // js-yaml's int type: toString(10); -0 is a float ("-0.0"), and Map keys take -0 for 0.
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
    if (Object.is(value, -0)) return jsYaml.dump(value, DUMP_OPTIONS).slice(0, -1);
  }
  let text = SCALARS.get(value);
  if (text === undefined) {
    if (typeof value === "string" && value.includes("\n")) return undefined;
    text = jsYaml.dump(value, DUMP_OPTIONS).slice(0, -1);
    if (text.length > 1024 || text.charCodeAt(0) === 0x0a) return undefined;
    if (SCALARS.size >= MAX_SCALARS) SCALARS.clear();
    SCALARS.set(typeof value === "string" ? detached(value) : value, text);
  }
  return text;
}

const BLOCKS = new Map<string, string[]>();

/**
 * A string with a line feed as a mapping value or sequence item at `level`. js-yaml picks its style
 * without regard to the level (lineWidth -1: no folding); a block scalar (`|`, with its indentation
 * and chomping indicators) has its lines indented by 2 * max(1, level) spaces, empty lines left
 * empty, so the top-level dump (indent 2) is re-indented. Any other style is one line and stands
 * anywhere. Undefined: not a string js-yaml writes either way (left to js-yaml).
 */
function multiline(value: string, level: number): string | undefined {
  let lines = BLOCKS.get(value);
  if (lines === undefined) {
    lines = jsYaml.dump(value, DUMP_OPTIONS).slice(0, -1).split("\n");
    if (BLOCKS.size >= MAX_SCALARS) BLOCKS.clear();
    BLOCKS.set(detached(value), lines);
  }
  const header = lines[0]!;
  if (lines.length === 1) return header.length > 1024 ? undefined : header;
  if (header[0] !== "|" && header[0] !== ">") return undefined;
  const indent = "  ".repeat(Math.max(1, level));
  let out = header;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line !== "" && !line.startsWith("  ")) return undefined;
    out += line === "" ? "\n" : "\n" + indent + line.slice(2);
  }
  return out;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** True when writeNode(…, value, false) starts with a line break: a non-empty collection. */
function startsNewLine(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.length > 0;
  for (const k in value) if (hasOwn.call(value, k)) return true;
  return false;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Key spellings: rules repeat the same keys. */
const KEYS = new Map<string, string | undefined>();

function keyScalar(key: string): string | undefined {
  let k = KEYS.get(key);
  if (k === undefined && !KEYS.has(key)) {
    const own = detached(key);
    k = scalar(own);
    if (KEYS.size >= MAX_SCALARS) KEYS.clear();
    KEYS.set(own, k);
  }
  return k;
}

const NEXT_LINES: string[] = [];

function nextLine(level: number): string {
  return (NEXT_LINES[level] ??= "\n" + "  ".repeat(level));
}

/** js-yaml's writeNode (block context); undefined when the document needs js-yaml itself. */
function writeNode(level: number, value: unknown, compact: boolean): string | undefined {
  if (typeof value === "string") {
    // A plain word has no line feed: most strings are spelled without looking further.
    if (plainWord(value)) return value;
    return value.includes("\n") ? multiline(value, level) : scalar(value);
  }
  if (value === null || typeof value === "number" || typeof value === "boolean") return scalar(value);
  if (typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    let out = "";
    for (let i = 0; i < value.length; i++) {
      // js-yaml writes a hole or an undefined element as null; leave such arrays to it.
      if (!(i in value)) return undefined;
      const item = writeNode(level + 1, value[i], true);
      if (item === undefined) return undefined;
      if (!compact || out !== "") out += nextLine(level);
      // A compact item never starts with a line break (a scalar that would is left to js-yaml).
      out += "- " + item;
    }
    return out;
  }
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length === 0) return "{}";
  let out = "";
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const k = keyScalar(key);
    if (k === undefined) return undefined;
    const item = value[key];
    const v = writeNode(level + 1, item, false);
    if (v === undefined) return undefined;
    // Only a non-empty collection (not compact: its first entry on a new line) starts with a line
    // break; testing that on `v` itself would flatten the string built so far.
    out += (!compact || i > 0 ? nextLine(level) + k : k) + (startsNewLine(item) ? ":" : ": ") + v;
  }
  return out;
}
