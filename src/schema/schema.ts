import { isPantherLogType, knownLogTypeNames, LOG_TYPES, PANTHER_FIELDS } from "../logtypes/registry.js";

/**
 * A log type's schema: field names and types, from the log-type registry (src/logtypes: one folder
 * of data per log type). Every other name of Panther's list is accepted with a free-form schema.
 */

export type ScalarType = "string" | "number" | "boolean" | "timestamp" | "ip" | "json";

export type FieldType =
  | { readonly type: ScalarType; readonly description?: string; readonly nonEmpty?: true }
  | { readonly type: "object"; readonly fields: Readonly<Record<string, FieldType>>; readonly description?: string }
  | { readonly type: "array"; readonly items: FieldType; readonly description?: string };

export interface LogSchema {
  readonly logType: string;
  readonly description?: string;
  readonly fields: Readonly<Record<string, FieldType>>;
  /**
   * A Panther log type without a typed schema here: every path is accepted and may hold anything
   * (the root is `json`), and a rule over it is warned once (RC316).
   */
  readonly freeForm?: boolean;
}

/** The typed schemas: the log type's own fields, then Panther's standard fields (p_*). */
const TYPED: ReadonlyMap<string, LogSchema> = new Map(
  LOG_TYPES.map((d) => [d.logType, { logType: d.logType, description: d.description, fields: { ...d.fields, ...PANTHER_FIELDS } }]),
);

/** Free-form schemas, made once per name (schemas are compared by identity in caches). */
const FREE = new Map<string, LogSchema>();

/** The log types with a typed schema, sorted. */
export function logTypes(): string[] {
  return [...TYPED.keys()].sort();
}

/** Every name a rule's LogTypes accepts (typed, and Panther's other names), sorted. */
export { knownLogTypeNames };

/** The schema of a log type: typed, free-form (a Panther name without one), or undefined (unknown). */
export function schemaFor(logType: string): LogSchema | undefined {
  const typed = TYPED.get(logType);
  if (typed) return typed;
  if (!isPantherLogType(logType)) return undefined;
  let free = FREE.get(logType);
  if (!free) FREE.set(logType, (free = { logType, fields: {}, freeForm: true }));
  return free;
}

/** The root of a schema as a type: an object of its fields, or free-form JSON. */
export function rootType(schema: LogSchema): FieldType {
  return schema.freeForm ? { type: "json" } : { type: "object", fields: schema.fields };
}

/** The type of the elements a value of this type holds: arrays are looked through, nested too. */
export function elementType(t: FieldType): FieldType {
  let e = t;
  while (e.type === "array") e = e.items;
  return e;
}

/** True when a value of this type may be (or contain on the way) an array. */
export function mayBeArray(t: FieldType): boolean {
  return t.type === "array" || t.type === "json";
}

export interface ResolvedSegment {
  /** The schema's spelling of the segment. */
  readonly name: string;
  readonly type: FieldType;
}

export type Resolution =
  | { readonly ok: true; readonly segments: readonly ResolvedSegment[]; readonly type: FieldType }
  | {
      readonly ok: false;
      /** Index of the first segment that is not known. */
      readonly at: number;
      readonly parent: FieldType;
      readonly reason: "unknown" | "scalar";
    };

/**
 * Walks a path through the schema: arrays are transparent, free-form `json` accepts any
 * sub-path, keys match exactly or else case-insensitively (the schema's spelling is returned).
 */
export function resolvePath(root: FieldType, names: readonly string[]): Resolution {
  const segments: ResolvedSegment[] = [];
  let t = root;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    t = elementType(t);
    if (t.type === "json") {
      segments.push({ name, type: t });
      continue;
    }
    if (t.type !== "object") return { ok: false, at: i, parent: t, reason: "scalar" };
    const exact = Object.hasOwn(t.fields, name) ? name : undefined;
    const key = exact ?? Object.keys(t.fields).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key === undefined) return { ok: false, at: i, parent: t, reason: "unknown" };
    t = t.fields[key]!;
    segments.push({ name: key, type: t });
  }
  return { ok: true, segments, type: t };
}

/** Every dotted field path the schema names (for suggestions). */
export function allPaths(t: FieldType, prefix = ""): string[] {
  const e = elementType(t);
  if (e.type !== "object") return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(e.fields)) {
    const p = prefix === "" ? k : `${prefix}.${k}`;
    out.push(p, ...allPaths(v, p));
  }
  return out;
}
