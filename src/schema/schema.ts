import cloudtrail from "./logtypes/aws.cloudtrail.json" with { type: "json" };

/** A log type's schema: field names and types, from one data file per log type. */

export type ScalarType = "string" | "number" | "boolean" | "timestamp" | "ip" | "json";

export type FieldType =
  | { readonly type: ScalarType; readonly description?: string }
  | { readonly type: "object"; readonly fields: Readonly<Record<string, FieldType>>; readonly description?: string }
  | { readonly type: "array"; readonly items: FieldType; readonly description?: string };

export interface LogSchema {
  readonly logType: string;
  readonly description?: string;
  readonly fields: Readonly<Record<string, FieldType>>;
}

const SCHEMAS: ReadonlyMap<string, LogSchema> = new Map([[cloudtrail.logType, cloudtrail as LogSchema]]);

export function logTypes(): string[] {
  return [...SCHEMAS.keys()].sort();
}

export function schemaFor(logType: string): LogSchema | undefined {
  return SCHEMAS.get(logType);
}

/** The root of a schema as an object type. */
export function rootType(schema: LogSchema): FieldType {
  return { type: "object", fields: schema.fields };
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
