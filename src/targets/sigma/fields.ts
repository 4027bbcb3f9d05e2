import type { Path } from "../../ast/nodes.js";
import { elementType, resolvePath, rootType, type FieldType, type LogSchema } from "../../schema/schema.js";

/**
 * What the log type's schema proves about the values a path reaches. Sigma backends differ where
 * types meet (a number compared with a string, `exists` on an empty list, ...); a comparison is
 * written only when these facts make every reading agree.
 */
export type LeafKind = "string" | "number" | "boolean" | "object";

export interface FieldFacts {
  /** The kinds of non-null leaves a comparison may see (arrays flattened). */
  readonly kinds: ReadonlySet<LeafKind>;
  /** The final value is a scalar (string, number, boolean, timestamp, ip): never an array or object. */
  readonly scalar: boolean;
  /** No array on the way and none at the end: the path reaches at most one value. */
  readonly single: boolean;
}

const ANY: FieldFacts = { kinds: new Set(["string", "number", "boolean", "object"]), scalar: false, single: false };

/** Facts by schema and path (the names as JSON: an exact key). Schemas are never changed. */
const CACHE = new WeakMap<LogSchema, Map<string, FieldFacts>>();

export function fieldFacts(schema: LogSchema | undefined, path: Path | readonly string[]): FieldFacts {
  if (!schema) return ANY;
  const names = Array.isArray(path) ? (path as readonly string[]) : (path as Path).segments.map((s) => s.name);
  let bySchema = CACHE.get(schema);
  if (bySchema === undefined) {
    bySchema = new Map();
    CACHE.set(schema, bySchema);
  }
  const key = JSON.stringify(names);
  let facts = bySchema.get(key);
  if (facts === undefined) {
    facts = computeFacts(schema, names);
    if (bySchema.size >= 10_000) bySchema.clear();
    bySchema.set(key, facts);
  }
  return facts;
}

function computeFacts(schema: LogSchema, names: readonly string[]): FieldFacts {
  const r = resolvePath(rootType(schema), names);
  if (!r.ok) return ANY;
  let single = true;
  for (const s of r.segments) {
    if (s.type.type === "array" || s.type.type === "json") single = false;
  }
  const leaf = elementType(r.type);
  return { kinds: kindsOf(leaf), scalar: isScalar(leaf) && r.type.type !== "array", single };
}

function isScalar(t: FieldType): boolean {
  return t.type === "string" || t.type === "number" || t.type === "boolean" || t.type === "timestamp" || t.type === "ip";
}

function kindsOf(t: FieldType): ReadonlySet<LeafKind> {
  switch (t.type) {
    case "string":
    case "timestamp":
    case "ip":
      return new Set(["string"]);
    case "number":
      return new Set(["number"]);
    case "boolean":
      return new Set(["boolean"]);
    case "object":
      return new Set(["object"]);
    default:
      return ANY.kinds;
  }
}

/** True when every leaf the path may hold is of this kind. */
export function only(facts: FieldFacts, kind: LeafKind): boolean {
  for (const k of facts.kinds) if (k !== kind) return false;
  return true;
}
