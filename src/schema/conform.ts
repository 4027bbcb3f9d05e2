import type { FieldType, LogSchema } from "./schema.js";

/**
 * Does an event conform to a log type's schema? Every key the event holds must be a field the
 * schema names (spelled as the schema spells it), every value of the field's type; null stands for
 * a missing value anywhere. Used to cross-check schemas against real sample events (the log
 * types' samples.json and the Tests of Panther's rule library). Pure.
 */

export type Deviation =
  | { readonly kind: "unknown"; readonly path: string }
  | { readonly kind: "case"; readonly path: string; readonly schema: string }
  | { readonly kind: "type"; readonly path: string; readonly expected: FieldType["type"]; readonly got: string };

/** Date-times as vendors write them and as Panther normalises them (`2024-01-05T13:45:00.1Z`, `2024-01-05 13:45:00.123`). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function jsonType(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

export function conform(schema: LogSchema, event: unknown): Deviation[] {
  if (schema.freeForm) return [];
  const out: Deviation[] = [];
  check({ type: "object", fields: schema.fields }, event, "", out);
  return out;
}

function check(t: FieldType, v: unknown, path: string, out: Deviation[]): void {
  if (v === null || v === undefined) return;
  const got = jsonType(v);
  const wrong = () => out.push({ kind: "type", path: path === "" ? "(event)" : path, expected: t.type, got });
  switch (t.type) {
    case "json":
      return;
    case "string":
    case "ip":
      if (typeof v !== "string") wrong();
      return;
    case "timestamp":
      if (typeof v !== "string" || !DATE_TIME.test(v)) wrong();
      return;
    case "number":
      if (typeof v !== "number") wrong();
      return;
    case "boolean":
      if (typeof v !== "boolean") wrong();
      return;
    case "array":
      if (!Array.isArray(v)) {
        wrong();
        return;
      }
      for (const x of v) check(t.items, x, `${path}[]`, out);
      return;
    case "object": {
      if (got !== "object") {
        wrong();
        return;
      }
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const p = path === "" ? k : `${path}.${k}`;
        if (Object.hasOwn(t.fields, k)) {
          check(t.fields[k]!, x, p, out);
          continue;
        }
        const other = Object.keys(t.fields).find((f) => f.toLowerCase() === k.toLowerCase());
        if (other !== undefined) {
          out.push({ kind: "case", path: p, schema: other });
          check(t.fields[other]!, x, p, out);
        } else out.push({ kind: "unknown", path: p });
      }
      return;
    }
  }
}

/** One line per deviation. */
export function describeDeviation(d: Deviation): string {
  switch (d.kind) {
    case "unknown":
      return `${d.path}: not a field of the schema`;
    case "case":
      return `${d.path}: the schema spells it ${d.schema}`;
    case "type":
      return `${d.path}: ${d.got}, the schema says ${d.expected}`;
  }
}
