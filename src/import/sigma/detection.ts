import type { Condition, Literal, Operator, Path } from "../../ast/nodes.js";
import type { LogSchema } from "../../schema/schema.js";
import type { SigmaFields } from "../../targets/sigma/data/logsources.js";
import { fieldFacts, type FieldFacts } from "../../targets/sigma/fields.js";
import { parseNetwork } from "../../check/cidr.js";
import { parseRegex, type RegexNode } from "../../check/regex.js";
import { branchItems, branches, classRanges, literalCodePoints, printRegex, someNode } from "../../targets/sigma/regex.js";
import { parseSigmaString, partsToGlob, type SigmaPart } from "../../targets/sigma/strings.js";
import { parseSigmaCondition, pickNames, type SigmaCondition } from "./condition.js";

/**
 * A Sigma detection -> a condition of the language, with Sigma's meaning (docs/targets/sigma.md,
 * "How rulec reads Sigma"): plain values compare case-insensitively with `*`/`?` wildcards
 * (the i-forms), `cased` makes them case-sensitive, `null` is "missing", a field's list is "any
 * of" (`all`: every one), a map is AND, a list of maps OR.
 */

export class NotImportable extends Error {}

const SPAN = { start: 0, end: 0 };

function path(field: string): Path {
  const names = field.split(".");
  if (names.some((n) => n === "")) throw new NotImportable(`field name '${field}' has an empty segment`);
  return { kind: "path", segments: names.map((name) => ({ name, quoted: !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name), span: SPAN })), span: SPAN };
}

function str(value: string): Literal {
  return { kind: "string", value, style: "double", span: SPAN };
}

function regexLiteral(value: string): Literal {
  return { kind: "string", value, style: /[\x00-\x1f\x7f]/.test(value) ? "double" : "single", span: SPAN };
}

function num(value: number): Literal {
  return { kind: "number", value, raw: String(value), span: SPAN };
}

function lit(value: string | number | boolean): Literal {
  if (typeof value === "string") return str(value);
  if (typeof value === "number") return num(value);
  return { kind: "boolean", value, span: SPAN };
}

function compare(field: string, op: Operator, operand: Literal | Path | Literal[]): Condition {
  const o = Array.isArray(operand) ? (operand.length === 1 ? operand[0]! : { kind: "list" as const, items: operand, span: SPAN }) : operand;
  const opFinal: Operator = o.kind === "list" && (op === "eq" || op === "ieq") ? (op === "eq" ? "in" : "iin") : op;
  return { kind: "compare", path: path(field), op: opFinal, opSpan: SPAN, operand: o, span: SPAN };
}

const and = (items: Condition[]): Condition => (items.length === 1 ? items[0]! : { kind: "and", items: items.flatMap((i) => (i.kind === "and" ? i.items : [i])), span: SPAN });
const or = (items: Condition[]): Condition => (items.length === 1 ? items[0]! : { kind: "or", items: items.flatMap((i) => (i.kind === "or" ? i.items : [i])), span: SPAN });
const not = (c: Condition): Condition => (c.kind === "not" ? c.operand : { kind: "not", operand: c, span: SPAN });

const UNSUPPORTED: Record<string, string> = {
  base64: "matches encoded payloads, which the language cannot decode",
  base64offset: "matches encoded payloads, which the language cannot decode",
  utf16: "matches re-encoded bytes", utf16le: "matches re-encoded bytes", utf16be: "matches re-encoded bytes", wide: "matches re-encoded bytes",
  windash: "expands Windows dash variants (no CloudTrail meaning)",
  expand: "needs placeholders from a processing pipeline",
  minute: "time parts of a timestamp have no operator", hour: "time parts of a timestamp have no operator",
  day: "time parts of a timestamp have no operator", week: "time parts of a timestamp have no operator",
  month: "time parts of a timestamp have no operator", year: "time parts of a timestamp have no operator",
};
const FLAG_ALIASES: Record<string, string> = { ignorecase: "i", multiline: "m", dotall: "s" };
const KNOWN = new Set(["contains", "startswith", "endswith", "all", "re", "i", "m", "s", "cidr", "exists", "gt", "gte", "lt", "lte", "fieldref", "cased", "neq"]);

/** `detection:` -> condition. */
/** `fields`: the log type's Sigma field mapping (Sigma name -> raw path); the identity by default. */
export function importDetection(detection: unknown, schema?: LogSchema, fields: SigmaFields = IDENTITY_FIELDS): Condition {
  if (typeof detection !== "object" || detection === null || Array.isArray(detection)) throw new NotImportable("detection is not a mapping");
  const d = detection as Record<string, unknown>;
  const cond = d.condition;
  const selections = new Map<string, unknown>();
  for (const [k, v] of Object.entries(d)) if (k !== "condition" && k !== "timeframe") selections.set(k, v);
  if (d.timeframe !== undefined) throw new NotImportable("'timeframe' belongs to aggregations, which the language does not have");
  const texts = Array.isArray(cond) ? cond : [cond];
  if (texts.length === 0 || texts.some((t) => typeof t !== "string")) throw new NotImportable("detection.condition must be a string (or a list of strings)");
  const names = [...selections.keys()];
  const cache = new Map<string, Condition>();
  const selection = (name: string): Condition => {
    if (!selections.has(name)) throw new NotImportable(`the condition names '${name}', which the detection does not define`);
    let c = cache.get(name);
    if (!c) {
      try {
        c = importSelection(selections.get(name), schema, fields);
      } catch (e) {
        if (e instanceof NotImportable) throw new NotImportable(`selection '${name}': ${e.message}`);
        throw e;
      }
      cache.set(name, c);
    }
    return c;
  };
  const walk = (s: SigmaCondition): Condition => {
    switch (s.t) {
      case "name":
        return selection(s.name);
      case "of": {
        const picked = pickNames(s.pattern, names);
        if (picked.length === 0) throw new NotImportable(`'${s.quantifier} of ${s.pattern}' matches no selection`);
        const items = picked.map(selection);
        return s.quantifier === "all" ? and(items) : or(items);
      }
      case "and":
        return and(s.items.map(walk));
      case "or":
        return or(s.items.map(walk));
      case "not":
        return not(walk(s.item));
    }
  };
  return or(
    (texts as string[]).map((t) => {
      const parsed = parseSigmaCondition(t);
      if (!parsed.condition) throw new NotImportable(parsed.error ?? "bad condition");
      return walk(parsed.condition);
    }),
  );
}

const IDENTITY_FIELDS: SigmaFields = { toSigma: (r) => r, fromSigma: (s) => s };

function importSelection(v: unknown, schema: LogSchema | undefined, fields: SigmaFields): Condition {
  if (Array.isArray(v)) {
    if (v.length === 0) throw new NotImportable("an empty list");
    if (v.every((x) => typeof x === "object" && x !== null && !Array.isArray(x))) return or(v.map((m) => importMap(m as Record<string, unknown>, schema, fields)));
    throw new NotImportable("keyword search (values without a field name) has no meaning on structured events in the language");
  }
  if (typeof v === "object" && v !== null) return importMap(v as Record<string, unknown>, schema, fields);
  throw new NotImportable("keyword search (values without a field name) has no meaning on structured events in the language");
}

function importMap(m: Record<string, unknown>, schema: LogSchema | undefined, fields: SigmaFields): Condition {
  const entries = Object.entries(m);
  if (entries.length === 0) throw new NotImportable("an empty map");
  return and(entries.map(([k, v]) => importItem(k, v, schema, fields)));
}

type Value = string | number | boolean | null;

function importItem(key: string, raw: unknown, schema: LogSchema | undefined, fields: SigmaFields): Condition {
  const [sigmaField, ...rawMods] = key.split("|");
  if (sigmaField === undefined || sigmaField === "") throw new NotImportable(`'${key}': keyword search (modifiers without a field) is not importable`);
  let field = fields.fromSigma(sigmaField);
  const mods = rawMods.map((m) => FLAG_ALIASES[m] ?? m);
  for (const m of mods) {
    if (UNSUPPORTED[m] !== undefined) throw new NotImportable(`'${key}': the modifier '${m}' ${UNSUPPORTED[m]}`);
    if (!KNOWN.has(m)) throw new NotImportable(`'${key}': unknown modifier '${m}'`);
  }
  const has = (m: string) => mods.includes(m);
  let values: Value[] = Array.isArray(raw) ? raw : [raw as Value];
  // A field whose values stand for another field's (the log type's importValues): equality only.
  const table = fields.valuesOf?.(sigmaField);
  if (table) {
    if (mods.some((m) => m !== "cased")) throw new NotImportable(`'${key}': ${sigmaField} is read as ${table.field} through a table of values: only equality can be imported`);
    values = values.map((v) => {
      if (v === null) return v;
      const text = typeof v === "string" ? v : String(v);
      const mapped = /[*?\\]/.test(text) ? undefined : table.values.get(text.toLowerCase());
      if (mapped === undefined) throw new NotImportable(`'${key}': no value of ${table.field} corresponds to ${JSON.stringify(v)}`);
      return mapped;
    });
    field = table.field;
  }
  if (values.length === 0) throw new NotImportable(`'${key}': an empty list of values`);
  for (const v of values) {
    if (v !== null && typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
      throw new NotImportable(`'${key}': a value must be a string, number, boolean or null`);
    }
  }
  const linkAll = has("all");
  if (linkAll && values.length < 2) throw new NotImportable(`'${key}': 'all' needs a list of two or more values`);
  const negate = has("neq");
  const combine = linkAll ? and : or;
  const fail = (why: string): never => {
    throw new NotImportable(`'${key}': ${why}`);
  };

  let result: Condition;
  if (has("exists")) {
    if (mods.length !== 1 || values.length !== 1 || typeof values[0] !== "boolean") fail("'exists' takes one boolean and no other modifier");
    const e: Condition = { kind: "exists", path: path(field), span: SPAN };
    result = values[0] ? e : not(e);
  } else if (["gt", "gte", "lt", "lte"].some(has)) {
    const m = mods.filter((x) => x !== "all" && x !== "neq");
    if (m.length !== 1) fail("a numeric comparison takes no other modifier");
    const op = ({ gt: "gt", gte: "ge", lt: "lt", lte: "le" } as const)[m[0] as "gt"];
    result = combine(
      values.map((v) => {
        const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : fail(`'${m[0]}' needs a number, not ${JSON.stringify(v)}`);
        return compare(field, op, num(n));
      }),
    );
  } else if (has("cidr")) {
    if (mods.some((x) => !["cidr", "all", "neq"].includes(x))) fail("'cidr' takes no other modifier");
    const nets = values.map((v) => {
      if (typeof v !== "string") return fail("'cidr' needs a network");
      const r = parseNetwork(v);
      if (!("network" in r)) return fail(r.message);
      return v;
    });
    result = linkAll ? and(nets.map((n) => compare(field, "cidr", str(n)))) : compare(field, "cidr", nets.map(str));
  } else if (has("re")) {
    const extra = mods.filter((x) => !["re", "i", "m", "s", "all", "neq"].includes(x));
    if (extra.length > 0) fail(`'re' combined with '${extra.join("|")}'`);
    const ci = has("i");
    const patterns = values.map((v) => (typeof v === "string" ? importRegex(v, ci, has("m"), has("s"), fail) : fail("'re' needs a string")));
    result = linkAll ? and(patterns.map((p) => compare(field, ci ? "imatches" : "matches", regexLiteral(p)))) : compare(field, ci ? "imatches" : "matches", patterns.map(regexLiteral));
  } else if (has("fieldref")) {
    const extra = mods.filter((x) => !["fieldref", "contains", "startswith", "endswith", "all", "neq", "cased"].includes(x));
    if (extra.length > 0) fail(`'fieldref' combined with '${extra.join("|")}'`);
    const op: Operator = has("contains") ? "contains" : has("startswith") ? "startswith" : has("endswith") ? "endswith" : "eq";
    result = combine(values.map((v) => (typeof v === "string" ? compare(field, op, path(fields.fromSigma(v))) : fail("'fieldref' needs a field name"))));
  } else {
    if (mods.some((x) => ["i", "m", "s"].includes(x))) fail("regular-expression flags without 're'");
    const position = has("contains") ? "contains" : has("startswith") ? "startswith" : has("endswith") ? "endswith" : "eq";
    if ([has("contains"), has("startswith"), has("endswith")].filter(Boolean).length > 1) fail("more than one of contains/startswith/endswith");
    const cased = has("cased");
    const parts: Condition[] = values.map((v) => {
      if (v === null) {
        if (position !== "eq" || cased) fail("null with a string modifier");
        return not({ kind: "exists", path: path(field), span: SPAN });
      }
      if (typeof v !== "string") {
        if (position !== "eq") fail(`'${position}' needs a string, not ${JSON.stringify(v)}`);
        return textAndTyped(field, v, fieldFacts(schema, field.split(".")), cased);
      }
      if (position === "eq" && !parseSigmaString(v).some((p) => p.t !== "text")) {
        return textAndTyped(field, v, fieldFacts(schema, field.split(".")), cased);
      }
      return stringMatch(field, v, position, cased);
    });
    result = linkAll ? and(parts) : mergeAlternatives(parts);
  }
  return negate ? not(result) : result;
}

/**
 * A plain value compared for equality. Backends compare numbers and booleans by their text
 * (`enable: 'false'` matches the JSON boolean false, `count: 5` the string "5"), so where the
 * schema does not settle the field's type, a value that spells a number or a boolean matches both.
 */
function textAndTyped(field: string, v: string | number | boolean, facts: FieldFacts, cased: boolean): Condition {
  const alternatives: Literal[] = [];
  const text = typeof v === "string" ? (parseSigmaString(v)[0] as { text?: string } | undefined)?.text ?? "" : String(v);
  const asBoolean = /^(true|false)$/i.test(text) ? text.toLowerCase() === "true" : undefined;
  const asNumber = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/.test(text) ? Number(text) : undefined;
  if (typeof v === "string" || facts.kinds.has("string")) alternatives.push(str(text));
  if (typeof v === "boolean" || (asBoolean !== undefined && facts.kinds.has("boolean"))) alternatives.push(lit(asBoolean ?? (v as boolean)));
  if (typeof v === "number" || (asNumber !== undefined && facts.kinds.has("number"))) alternatives.push(lit(asNumber ?? (v as number)));
  // A field the schema types: only the values of its type can occur.
  const kept = alternatives.filter((l) => facts.kinds.has(l.kind as "string" | "number" | "boolean"));
  const items = kept.length > 0 ? kept : alternatives;
  const strings = items.filter((l) => l.kind === "string");
  if (strings.length > 0 && !cased) return compare(field, "ieq", items);
  return compare(field, "eq", items);
}

/** One string value with Sigma's wildcards, after contains/startswith/endswith. */
function stringMatch(field: string, value: string, position: "eq" | "contains" | "startswith" | "endswith", cased: boolean): Condition {
  let parts: SigmaPart[] = parseSigmaString(value);
  const star: SigmaPart = { t: "star" };
  if ((position === "contains" || position === "endswith") && parts[0]?.t !== "star") parts = [star, ...parts];
  if ((position === "contains" || position === "startswith") && parts[parts.length - 1]?.t !== "star") parts = [...parts, star];
  const i = (op: "eq" | "contains" | "startswith" | "endswith" | "like"): Operator => (cased ? op : (`i${op}` as Operator));
  const text = (p: SigmaPart | undefined) => (p?.t === "text" ? p.text : undefined);
  if (parts.length === 0) return compare(field, i("eq"), str(""));
  if (parts.length === 1 && text(parts[0]) !== undefined) return compare(field, i("eq"), str(text(parts[0])!));
  if (parts.length === 3 && parts[0]!.t === "star" && parts[2]!.t === "star" && text(parts[1]) !== undefined) return compare(field, i("contains"), str(text(parts[1])!));
  if (parts.length === 2 && parts[1]!.t === "star" && text(parts[0]) !== undefined) return compare(field, i("startswith"), str(text(parts[0])!));
  if (parts.length === 2 && parts[0]!.t === "star" && text(parts[1]) !== undefined) return compare(field, i("endswith"), str(text(parts[1])!));
  return compare(field, i("like"), str(partsToGlob(parts)));
}

/** `a eq x or a eq y` -> `a in [x, y]`; same for every operator that takes a list. */
function mergeAlternatives(parts: Condition[]): Condition {
  const out: Condition[] = [];
  for (const p of parts) {
    const prev = out.find(
      (q) => q.kind === "compare" && p.kind === "compare" && q.op.replace(/^(i?)in$/, "$1eq") === p.op && pathText(q.path) === pathText(p.path) && q.operand.kind !== "path" && p.operand.kind !== "path",
    );
    if (prev && prev.kind === "compare" && p.kind === "compare" && p.operand.kind !== "path" && prev.operand.kind !== "path") {
      const items = [...(prev.operand.kind === "list" ? prev.operand.items : [prev.operand]), ...(p.operand.kind === "list" ? p.operand.items : [p.operand])];
      out[out.indexOf(prev)] = compare(pathText(p.path), p.op, items);
    } else {
      out.push(p);
    }
  }
  return or(out);
}

function pathText(p: Path): string {
  return p.segments.map((s) => s.name).join(".");
}

/**
 * A Sigma `re` value (PCRE) -> a pattern of the language's subset with the same meaning:
 * PCRE's `$` (end, or before a final line feed) becomes `\n?$` at the end of an alternative;
 * `s` turns `.` into "any character"; `m` is accepted only without anchors; `i` becomes imatches.
 */
export function importRegex(pattern: string, ci: boolean, multiline: boolean, dotall: boolean, fail: (why: string) => never): string {
  const parsed = parseRegex(decodePcreEscapes(pattern));
  if (!parsed.ast) return fail(`the regular expression '${pattern}' is outside the language's portable subset: ${parsed.error!.message}`);
  let ast: RegexNode = parsed.ast;
  if (multiline && someNode(ast, (n) => n.t === "start" || n.t === "end")) {
    fail(`'m' makes ^ and $ match at every line, which the language's regular expressions cannot say`);
  }
  if (ci) {
    if (literalCodePoints(ast).some((cp) => cp >= 0x80)) fail(`'re|i' with non-ASCII characters: engines fold their case differently`);
    for (const r of classRanges(ast)) {
      const overlaps = (lo: number, hi: number) => Math.max(lo, r.lo) <= Math.min(hi, r.hi);
      const inside = (lo: number, hi: number) => r.lo >= lo && r.hi <= hi;
      if ((overlaps(0x41, 0x5a) || overlaps(0x61, 0x7a)) && !inside(0x41, 0x5a) && !inside(0x61, 0x7a)) {
        fail(`'re|i' with the class range that mixes letters and other characters`);
      }
    }
  }
  if (dotall) ast = mapNodes(ast, (n) => (n.t === "any" ? { t: "class", negated: false, items: [{ t: "shorthand", c: "s" }, { t: "shorthand", c: "S" }] } : n));
  // `$`: only as the last item of a top-level alternative.
  const bs = branches(ast);
  const rewritten = bs.map((b) => {
    const items = branchItems(b);
    const last = items[items.length - 1];
    const body = last?.t === "end" ? items.slice(0, -1) : items;
    if (body.some((i) => someNode(i, (n) => n.t === "end"))) {
      fail(`'$' inside '${pattern}': PCRE reads it as "end, or before a final line feed", which the language can only say at the end of a pattern`);
    }
    if (last?.t !== "end") return b;
    const nl: RegexNode = { t: "repeat", body: { t: "char", cp: 10 }, min: 0, max: 1, lazy: false };
    return { t: "seq", items: [...body, nl, { t: "end" }] } as RegexNode;
  });
  ast = rewritten.length === 1 ? rewritten[0]! : { t: "alt", items: rewritten };
  return printRegex(ast, "source", fail);
}

/** PCRE's character escapes `\f`, `\xHH`, `\x{H..}` as the characters themselves (escaped when they are punctuation). */
function decodePcreEscapes(p: string): string {
  let out = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const rest = p.slice(i + 1);
    const m = /^(?:f|x([0-9A-Fa-f]{2})|x\{([0-9A-Fa-f]{1,6})\})/.exec(rest);
    if (!m) {
      out += c + (p[i + 1] ?? "");
      i++;
      continue;
    }
    const cp = m[0] === "f" ? 12 : parseInt(m[1] ?? m[2]!, 16);
    const ch = String.fromCodePoint(cp);
    out += /^[!-/:-@[-`{-~]$/.test(ch) ? "\\" + ch : cp === 10 ? "\\n" : cp === 13 ? "\\r" : cp === 9 ? "\\t" : ch;
    i += m[0].length;
  }
  return out;
}

function mapNodes(n: RegexNode, f: (n: RegexNode) => RegexNode): RegexNode {
  switch (n.t) {
    case "alt":
    case "seq":
      return f({ t: n.t, items: n.items.map((i) => mapNodes(i, f)) });
    case "group":
      return f({ ...n, body: mapNodes(n.body, f) });
    case "repeat":
      return f({ ...n, body: mapNodes(n.body, f) });
    default:
      return f(n);
  }
}
