import jsYaml from "js-yaml";
import { yamlLib } from "../../yamllib.js";
import { schemaFor } from "../../schema/schema.js";

/**
 * Panther Python rules -> source rules: the pure stages. The Python is read and translated by
 * python3's own parser (python/translate.py, run by the command line as one process); here are the
 * pieces that need no process: reading a Panther rule YAML, the imported rule's text, the events
 * the proof runs on, and the comparison of answers.
 */

export interface PantherTest {
  readonly name: string;
  readonly expected: boolean;
  readonly log: unknown;
  readonly mocks: readonly string[];
}

export interface PantherRuleMeta {
  readonly ruleId: string;
  readonly logTypes: readonly string[];
  readonly filename: string;
  readonly tests: readonly PantherTest[];
}

/** The keys of a Panther rule YAML that the import needs, or the reason it is not a Python rule. */
export function readPantherYaml(text: string): { meta?: PantherRuleMeta; skip?: string; error?: string } {
  let doc: unknown;
  try {
    doc = yamlLib().parse(text, { maxAliasCount: 100 });
  } catch (e) {
    return { error: `invalid YAML: ${(e as Error).message.split("\n")[0]}` };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return { skip: "not a mapping" };
  const d = doc as Record<string, unknown>;
  if (d.AnalysisType !== "rule") return { skip: `AnalysisType ${String(d.AnalysisType)}` };
  if (typeof d.Filename !== "string") return { skip: "a rule without a Python file (Detection, or no Filename)" };
  if (typeof d.RuleID !== "string") return { error: "the rule has no RuleID" };
  const logTypes = Array.isArray(d.LogTypes) ? d.LogTypes.filter((x): x is string => typeof x === "string") : [];
  const tests: PantherTest[] = [];
  for (const t of Array.isArray(d.Tests) ? d.Tests : []) {
    if (typeof t !== "object" || t === null) continue;
    const r = t as Record<string, unknown>;
    const mocks = Array.isArray(r.Mocks) ? r.Mocks.map((m) => String((m as Record<string, unknown>)?.objectName ?? "")) : [];
    tests.push({ name: String(r.Name ?? ""), expected: r.ExpectedResult === true, log: r.Log ?? {}, mocks });
  }
  return { meta: { ruleId: d.RuleID, logTypes, filename: d.Filename, tests } };
}

/**
 * The imported rule: the Panther YAML as written (metadata and Tests verbatim) with the Condition
 * added at the end. `Filename` stays: the loader ignores it, and a reader sees where the rule came from.
 */
export function importedRuleText(original: string, condition: string, logType?: string, outputs: { AlertTitle?: string; DedupFields?: readonly string[] } = {}): string {
  let text = original.replace(/\s*$/, "\n");
  if (logType !== undefined) {
    // One rule per log type: the LogTypes list is narrowed to one.
    text = text.replace(/^LogTypes:[^\n]*\n(?:[ \t]+-[^\n]*\n|[ \t]*\n)*/m, `LogTypes:\n  - ${logType}\n`);
  }
  const added = { ...outputs, Condition: condition };
  // The yaml library writes U+0085, U+2028 and U+2029 raw, which YAML 1.1 readers (PyYAML) take for
  // line breaks; js-yaml double-quotes a string that holds one and escapes it (\N, \L, \P), and
  // leaves out an undefined value as the yaml library does.
  const quoted = YAML_11_BREAKS.test(JSON.stringify(added)) ? jsYaml.dump(added, { lineWidth: -1, skipInvalid: true }) : yamlLib().stringify(added, { lineWidth: 0 });
  return `${text}${quoted}`;
}

/** Characters YAML 1.1 readers take for line breaks and YAML 1.2 (rulec) does not. */
const YAML_11_BREAKS = /[\u0085\u2028\u2029]/;

/**
 * The rule's YAML narrowed to one log type, for a rule imported once per log type: RuleID gains the
 * log type (`<RuleID>.<LogType>`, unique in the library), LogTypes holds that one, and Tests keeps
 * the Tests whose event is of that log type (`p_log_type`). Everything else, comments and layout
 * included, is kept as written.
 */
export function splitRuleText(original: string, logType: string): string {
  const y = yamlLib();
  const doc = y.parseDocument(original);
  doc.set("RuleID", `${String(doc.get("RuleID"))}.${logType}`);
  doc.set("LogTypes", [logType]);
  const tests = doc.get("Tests");
  if (y.isSeq(tests)) {
    tests.items = tests.items.filter((item) => {
      if (!y.isMap(item)) return false;
      const log = item.get("Log");
      return y.isMap(log) && log.get("p_log_type") === logType;
    });
  }
  return doc.toString({ lineWidth: 0 });
}

/** The log type a Test's event names (`p_log_type`), if any. */
export function testLogType(log: unknown): string | undefined {
  const v = typeof log === "object" && log !== null && !Array.isArray(log) ? (log as Record<string, unknown>).p_log_type : undefined;
  return typeof v === "string" ? v : undefined;
}

// ------------------------------------------------------------------------------ generated events

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const DELETE = Symbol("delete");

type SchemaType = { type: string; fields?: Record<string, unknown>; items?: SchemaType };

/**
 * Where a typed schema puts a path: `free` (no typed schema, a `json` part, or a path the walk
 * cannot follow), `outside` (an object of the schema lacks the key), or the field's type, with
 * `through` when the path passed a list of objects without `[]`.
 */
function placeOf(logType: string, path: readonly string[]): { kind: "free" } | { kind: "outside" } | { kind: "field"; type: string; through: boolean } {
  const schema = schemaFor(logType);
  if (!schema || schema.freeForm || path.length === 0) return { kind: "free" };
  let fields: Readonly<Record<string, unknown>> | undefined = schema.fields;
  let t: SchemaType | undefined;
  let through = false;
  for (const p of path) {
    if (t && t.type === "json") return { kind: "free" };
    if (p === "[]") {
      // an element of a typed list: its items' type (a list of objects has typed fields too)
      if (!t || t.type !== "array" || !t.items) return { kind: "free" };
      t = t.items;
      fields = t.type === "object" ? t.fields : undefined;
      continue;
    }
    if (!fields && t?.type === "array" && t.items?.type === "object") {
      fields = t.items.fields; // a path through a list of objects
      through = true;
    }
    if (!fields) return { kind: "free" };
    const key = Object.keys(fields).find((k) => k === p) ?? Object.keys(fields).find((k) => k.toLowerCase() === p.toLowerCase());
    if (key === undefined) return { kind: "outside" };
    t = fields[key] as SchemaType;
    fields = t.type === "object" ? t.fields : undefined;
  }
  return { kind: "field", type: t!.type, through };
}

/** Kinds the typed schema gives a path; undefined where the log type is free-form or the path is `json`. */
export function schemaKinds(logType: string, path: readonly string[]): string | undefined {
  const place = placeOf(logType, path);
  return place.kind === "field" && !place.through && place.type !== "json" ? place.type : undefined;
}

/**
 * Whether a typed schema has no place for the path (a field it lacks, not one inside a `json` part):
 * an event of the log type never holds it, so the proof does not write it.
 */
export function outsideSchema(logType: string, path: readonly string[]): boolean {
  return placeOf(logType, path).kind === "outside";
}

/**
 * Whether the proof sets a field to null. Panther's parsers write no null for a field its schema
 * types (the field is left out), so only a field in a free-form part of a typed schema, or of a log
 * type without a typed schema here whose Tests show null at that path, is set to null.
 */
export function mayBeNull(logType: string, path: readonly string[], tests: readonly Json[]): boolean {
  const schema = schemaFor(logType);
  if (schema && !schema.freeForm) {
    if (schemaKinds(logType, path) !== undefined) return false;
    // inside a `json` part: any value, null included
    for (let i = path.length - 1; i > 0; i--) if (schemaKinds(logType, path.slice(0, i)) !== undefined) return true;
    return true;
  }
  return tests.some((t) => getAt(t, path) === null);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function keyOf(obj: Record<string, Json>, k: string): string {
  if (Object.prototype.hasOwnProperty.call(obj, k)) return k;
  return Object.keys(obj).find((x) => x.toLowerCase() === k.toLowerCase()) ?? k;
}

/** The value at path; a `[]` segment is an element of a list: the first, or with `last` the last. */
export function getAt(ev: Json, path: readonly string[], last = false): Json | undefined {
  let v: Json | undefined = ev;
  for (const p of path) {
    if (p === "[]") {
      if (!Array.isArray(v) || v.length === 0) return undefined;
      v = v[last ? v.length - 1 : 0];
      continue;
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
    v = v[keyOf(v, p)];
  }
  return v;
}

/** A copy of ev with path set to value (objects created on the way), or undefined where a parent is not an object. */
export function setAt(ev: Json, path: readonly string[], value: Json | typeof DELETE, last = false): Json | undefined {
  const root = clone(ev);
  if (typeof root !== "object" || root === null || Array.isArray(root)) return undefined;
  let o: Record<string, Json> = root;
  for (let i = 0; i < path.length - 1; i++) {
    if (path[i + 1] === "[]") {
      // into an element of a list (an object): the first, or the last
      const list = o[keyOf(o, path[i]!)];
      if (!Array.isArray(list) || list.length === 0 || i + 2 >= path.length) return undefined;
      const el = list[last ? list.length - 1 : 0];
      if (typeof el !== "object" || el === null || Array.isArray(el)) return undefined;
      o = el;
      i++;
      continue;
    }
    const k = keyOf(o, path[i]!);
    const next: Json | undefined = o[k];
    if (next === undefined || next === null) {
      if (value === DELETE) return root;
      o[k] = {};
    } else if (typeof next !== "object" || Array.isArray(next)) return undefined;
    o = o[k] as Record<string, Json>;
  }
  const key = keyOf(o, path[path.length - 1]!);
  if (value === DELETE) delete o[key];
  else o[key] = value;
  return root;
}

/** A small deterministic generator (mulberry32), seeded by the rule's id. */
function rng(seedText: string): () => number {
  let h = 1779033703;
  for (let i = 0; i < seedText.length; i++) h = Math.imul(h ^ seedText.charCodeAt(i), 3432918353);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function caseVariants(s: string): string[] {
  const swap = [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");
  return [s.toUpperCase(), s.toLowerCase(), swap];
}

/**
 * The values one field is set to: each literal, flipped (case, a character more or less, a trailing
 * newline); missing; null where the field may hold null; the current value's case; other sizes of
 * a list; and, where no typed schema fixes the field's type, the other scalar types. A field's
 * shape (scalar, list or object) is kept: it is fixed by the log type's schema, or where there is
 * none by the Tests (docs/import-panther.md, "The events the proof runs on").
 */
function variants(current: Json | undefined, literals: readonly Json[], typed: string | undefined, nullable: boolean, listShaped = false): (Json | typeof DELETE)[] {
  const out: (Json | typeof DELETE)[] = [DELETE];
  if (nullable) out.push(null);
  const strings = new Set<string>();
  // a path the Tests show only as a list stays a list where a Test event lacks it
  const list = Array.isArray(current) || (listShaped && (current === undefined || current === null));
  if (list && !Array.isArray(current)) out.push([]);
  for (const l of literals) {
    if (list) {
      out.push([l], [...((Array.isArray(current) ? current : []) as Json[]), l]);
      continue;
    }
    out.push(l);
    if (typeof l === "string") {
      for (const v of [...caseVariants(l), l + "x", "x" + l, l.slice(1), l.slice(0, -1), l + "\n", ` ${l}`, `${l}.${l}`]) strings.add(v);
      if (/^-?\d+(\.\d+)?$/.test(l) && typed === undefined) out.push(Number(l));
    } else if (typeof l === "number") {
      out.push(l + 1, l - 1, 0);
      if (typed === undefined) out.push(String(l), l === 1 ? true : l === 0 ? false : l);
    } else if (typeof l === "boolean") {
      out.push(!l);
      if (typed === undefined) out.push(String(l), l ? 1 : 0);
    }
  }
  if (typeof current === "string") {
    for (const v of [...caseVariants(current), "", current + "\n"]) strings.add(v);
    if (typed === undefined) out.push(0, 1, true, false);
  } else if (typeof current === "number") {
    out.push(0, current + 1);
    if (typed === undefined) out.push(String(current), "", false, true);
  } else if (typeof current === "boolean") {
    out.push(!current);
    if (typed === undefined) out.push(String(current), 0, 1, "");
  } else if (Array.isArray(current)) {
    out.push([], current.slice(0, 1), [...current, ...current], current.slice(1));
    for (const s of [...new Set(current.filter((x): x is string => typeof x === "string"))].slice(0, 3)) out.push(current.map((x) => (x === s ? s.toUpperCase() : x)));
  } else if (current !== null && typeof current === "object") {
    out.push({});
  } else if (current === undefined && typed === undefined && literals.length === 0 && !list) {
    out.push("", "x", 0, 1, true, false);
  }
  if (!list) out.push(...strings);
  return out;
}

export interface Reads {
  /** Path -> the literals the rule compares it with (JSON values). */
  readonly [path: string]: readonly string[];
}

/**
 * The proof's events: the Tests' events, each field the rule reads set to each variant on each
 * Test event (single mutations), then random combinations of two to four mutations until there are
 * at least `minimum` distinct events.
 */
export function generateEvents(bases: readonly unknown[], reads: Reads, logType: string, seed: string, minimum = 200): Json[] {
  const starts: Json[] = bases.filter((b) => typeof b === "object" && b !== null && !Array.isArray(b)) as Json[];
  if (starts.length === 0) starts.push({});
  const paths = Object.entries(reads).map(([p, ls]) => ({ path: JSON.parse(p) as string[], literals: ls.map((l) => JSON.parse(l) as Json) }));
  const seen = new Set<string>(starts.map((s) => JSON.stringify(s)));
  const out: Json[] = [];
  const add = (e: Json | undefined) => {
    if (e === undefined) return;
    const k = JSON.stringify(e);
    if (seen.has(k)) return;
    seen.add(k);
    out.push(e);
  };
  const single: { path: string[]; value: Json | typeof DELETE; last: boolean }[] = [];
  for (const { path, literals } of paths) {
    if (outsideSchema(logType, path)) continue;
    const typed = schemaKinds(logType, path);
    const nullable = mayBeNull(logType, path, starts);
    const currents = new Set<string>();
    const inList = path.includes("[]");
    // a list by the typed schema, or (free-form) only lists in the Tests: a Test event without it gets lists too
    const shown = starts.map((b) => getAt(b, path, false)).filter((v) => v !== undefined && v !== null);
    const listShaped = typed === "array" || (typed === undefined && shown.length > 0 && shown.every((v) => Array.isArray(v)));
    for (const b of starts) {
      for (const last of inList ? [false, true] : [false]) {
        const cur = getAt(b, path, last);
        const ck = JSON.stringify(cur ?? null);
        if (currents.has(ck) && currents.size > 3) continue;
        currents.add(ck);
        for (const v of variants(cur, literals, typed, nullable, listShaped)) {
          single.push({ path, value: v, last });
          add(setAt(b, path, v, last));
        }
      }
    }
  }
  // Every literal of every field at once: reaches rules whose Tests never satisfy all parts.
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  let tries = 0;
  while (out.length < minimum && single.length > 0 && tries < minimum * 20) {
    tries++;
    let e: Json | undefined = pick(starts);
    const n = 2 + Math.floor(random() * 3);
    for (let i = 0; i < n && e !== undefined; i++) {
      const m = pick(single);
      e = setAt(e, m.path, m.value, m.last);
    }
    add(e);
  }
  // Too few reads to reach the minimum: add noise fields the rule does not read (the answer must not move).
  let i = 0;
  while (out.length < minimum && i < minimum * 2) {
    const base = pick(starts);
    add(setAt(base, [`rulec_unread_${i % 7}`], i % 3 === 0 ? String(i) : i % 3 === 1 ? i : [String(i)]));
    i++;
  }
  return out;
}

// ------------------------------------------------------------------------------ the report

/** One log type of a rule imported once per log type: its rule, or none where the original is never true for it. */
export interface LogTypeOutcome {
  readonly logType: string;
  readonly output?: string;
  readonly neverTrue?: true;
  readonly condition?: string;
}

export type Outcome = { readonly imported: true; readonly output: string; readonly perLogType?: readonly LogTypeOutcome[] } | { readonly imported: false; readonly reason: string; readonly file: string; readonly line?: number; readonly counterexample?: unknown };

export interface RuleReport {
  readonly ruleId: string;
  readonly file: string;
  readonly logTypes: readonly string[];
  readonly outcome: Outcome;
  readonly condition?: string;
  readonly tests?: { readonly total: number; readonly original: number; readonly evaluator: number; readonly panther: number };
  readonly generated?: number;
  /** AlertTitle / DedupFields taken from title() / dedup(). */
  readonly outputs?: readonly string[];
}

export interface ImportReport {
  readonly rules: readonly RuleReport[];
  readonly totals: {
    readonly rules: number;
    readonly imported: number;
    readonly generatedEvents: number;
    readonly disagreements: number;
    /** Over the imported rules: their Tests, and how many each side gets right. */
    readonly tests: { readonly total: number; readonly original: number; readonly evaluator: number; readonly panther: number };
  };
  readonly logTypes: Readonly<Record<string, { readonly rules: number; readonly imported: number }>>;
  readonly reasons: readonly { readonly reason: string; readonly count: number }[];
}

/** The reason with its particulars (names, literals, paths) taken out, for counting. */
export function reasonKind(reason: string): string {
  return reason
    .replace(/'[^']*'/g, "'…'")
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\bthe field \S+/g, "a field")
    .replace(/\bon [A-Za-z_.`]+,/g, "on a field,")
    .replace(/: .*$/s, "")
    .replace(/\b(event|module|name) [A-Za-z_.]+/g, "$1 …");
}

export function summarize(rules: readonly RuleReport[], disagreements: number): ImportReport {
  const logTypes: Record<string, { rules: number; imported: number }> = {};
  const reasons = new Map<string, number>();
  let imported = 0;
  let generatedEvents = 0;
  const tests = { total: 0, original: 0, evaluator: 0, panther: 0 };
  for (const r of rules) {
    if (r.outcome.imported && r.tests) {
      tests.total += r.tests.total;
      tests.original += r.tests.original;
      tests.evaluator += r.tests.evaluator;
      tests.panther += r.tests.panther;
    }
    const lt = r.logTypes.join(",") || "(none)";
    const e = (logTypes[lt] ??= { rules: 0, imported: 0 });
    e.rules++;
    if (r.outcome.imported) {
      e.imported++;
      imported++;
    } else {
      const k = reasonKind(r.outcome.reason);
      reasons.set(k, (reasons.get(k) ?? 0) + 1);
    }
    generatedEvents += r.generated ?? 0;
  }
  const sortedLt = Object.fromEntries(Object.entries(logTypes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    rules,
    totals: { rules: rules.length, imported, generatedEvents, disagreements, tests },
    logTypes: sortedLt,
    reasons: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1)),
  };
}

export function reportText(rep: ImportReport): string {
  const lines: string[] = [];
  const pct = (a: number, b: number) => (b > 0 ? ` (${Math.round((a / b) * 100)}%)` : "");
  lines.push(`imported ${rep.totals.imported} of ${rep.totals.rules} Panther Python rules${pct(rep.totals.imported, rep.totals.rules)}`);
  lines.push(`proof: ${rep.totals.generatedEvents} generated events over the imported rules, and their Tests; rules refused for a disagreement with the original: ${rep.totals.disagreements}`);
  const t = rep.totals.tests;
  lines.push(`Tests of the imported rules: ${t.total}; expected result given by the original ${t.original}, the evaluator ${t.evaluator}, the Panther target ${t.panther}`);
  if (rep.reasons.length > 0) {
    lines.push("not imported, by reason:");
    for (const r of rep.reasons.slice(0, 25)) lines.push(`  ${String(r.count).padStart(4)}  ${r.reason}`);
  }
  lines.push("per log type (imported/rules):");
  for (const [lt, t] of Object.entries(rep.logTypes)) lines.push(`  ${lt}: ${t.imported}/${t.rules}`);
  return lines.join("\n") + "\n";
}
