import type { Condition } from "../ast/nodes.js";
import { checkCondition } from "../check/check.js";
import { compileCondition, type Predicate } from "../eval/evaluate.js";
import { logTypeData, type TransformData } from "../logtypes/registry.js";
import { parseCondition } from "../syntax/ast.js";

/**
 * Records -> the log types of a hunt, as the log-type registry describes them (each log type's
 * `sources.shapes`): each record (envelopes already opened: src/events/envelopes.ts) is recognised
 * by its log type's shapes (conditions in the language, run on the reference evaluator) and
 * normalised by the shape's transforms (a Reports API activity becomes one record per event, as
 * Panther's GSuite.ActivityEvent has them). Pure.
 */

interface Shape {
  readonly when: Predicate;
  readonly transform: readonly TransformData[];
}

function compile(text: string, where: string): Condition {
  const parsed = parseCondition(text);
  if (!parsed.ast) throw new Error(`${where}: the shape condition '${text}' does not parse`);
  const checked = checkCondition(parsed.ast, { text });
  if (checked.diagnostics.some((d) => d.severity === "error")) throw new Error(`${where}: the shape condition '${text}' does not check`);
  return checked.condition;
}

const SHAPES = new Map<string, readonly Shape[]>();

function shapesOf(logType: string): readonly Shape[] {
  let s = SHAPES.get(logType);
  if (!s) {
    const d = logTypeData(logType);
    s = (d?.sources.shapes ?? []).map((x) => ({ when: compileCondition(compile(x.when, logType)), transform: x.transform ?? [] }));
    SHAPES.set(logType, s);
  }
  return s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function at(record: Record<string, unknown>, path: string): unknown {
  let v: unknown = record;
  for (const k of path.split(".")) v = isObject(v) ? v[k] : undefined;
  return v;
}

function without(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = record;
  return rest;
}

function setAt(record: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split(".");
  const inner = rest.length === 0 ? value : setAt(isObject(record[head!]) ? (record[head!] as Record<string, unknown>) : {}, rest.join("."), value);
  return { ...record, [head!]: inner };
}

/** One transform on one record: its records (explode may make several, or keep one). */
export function applyTransform(t: TransformData, record: unknown): unknown[] {
  if (!isObject(record)) return [record];
  switch (t.op) {
    case "explode": {
      const list = record[t.path];
      if (!Array.isArray(list) || list.length === 0) return [record];
      const base = without(record, t.path);
      return list.map((el) => (isObject(el) ? { ...base, ...el } : base));
    }
    case "pairs": {
      const list = at(record, t.path);
      if (!Array.isArray(list)) return [record];
      const obj: Record<string, unknown> = {};
      for (const p of list) {
        if (!isObject(p) || typeof p[t.key] !== "string") continue;
        const valueKey = t.values.find((k) => p[k] !== undefined);
        obj[p[t.key] as string] = valueKey === undefined ? null : p[valueKey];
      }
      return [setAt(record, t.path, obj)];
    }
    case "wrap": {
      const kept: Record<string, unknown> = {};
      for (const k of t.keep ?? []) if (record[k] !== undefined) kept[k] = record[k];
      return [{ ...kept, [t.into]: record }];
    }
  }
}

function applyAll(transforms: readonly TransformData[], record: unknown): unknown[] {
  let records = [record];
  for (const t of transforms) records = records.flatMap((r) => applyTransform(t, r));
  return records;
}

/**
 * Sorts records into the log types of a hunt (`logTypes`, in table order): each record goes to the
 * first log type with a shape it matches, normalised by that shape. With `forced`, every record is
 * of that log type (table index), normalised by the first of its shapes it matches, kept as it is
 * when it matches none. `emit` receives the table index (-1: no log type of the hunt) and the record.
 */
export function recordSorter(logTypes: readonly string[], forced: number | undefined): (record: unknown, emit: (table: number, record: unknown) => void) => void {
  const shapes = logTypes.map(shapesOf);
  if (forced !== undefined) {
    const own = shapes[forced] ?? [];
    // A log type whose shapes transform nothing: no need to look at its records.
    if (own.every((s) => s.transform.length === 0)) return (record, emit) => emit(forced, record);
    return (record, emit) => {
      const s = own.find((x) => x.when(record));
      for (const r of s ? applyAll(s.transform, record) : [record]) emit(forced, r);
    };
  }
  let last = 0;
  return (record, emit) => {
    // The log type of the previous record first: files hold one log type.
    for (let k = 0; k < shapes.length; k++) {
      const t = (last + k) % shapes.length;
      const s = shapes[t]!.find((x) => x.when(record));
      if (!s) continue;
      last = t;
      for (const r of applyAll(s.transform, record)) emit(t, r);
      return;
    }
    emit(-1, record);
  };
}
