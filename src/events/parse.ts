/**
 * Event text -> events: one JSON object, a JSON array of objects, a CloudTrail log file
 * (`{"Records": [...]}`), or NDJSON (one object per line). Pure; the caller reads the bytes.
 */

export interface ParsedEvents {
  readonly events: unknown[];
  /** Problems with line numbers (1-based); the events that parsed are still returned. */
  readonly errors: { readonly line: number; readonly message: string }[];
}

export function parseEvents(text: string): ParsedEvents {
  const trimmed = text.trim();
  if (trimmed === "") return { events: [], errors: [] };
  try {
    return { events: unwrap(JSON.parse(trimmed)), errors: [] };
  } catch {
    // Not one JSON document: read it as NDJSON.
  }
  const events: unknown[] = [];
  const errors: { line: number; message: string }[] = [];
  text.split("\n").forEach((line, i) => {
    const l = line.trim();
    if (l === "") return;
    try {
      events.push(...unwrap(JSON.parse(l)));
    } catch (e) {
      errors.push({ line: i + 1, message: `not JSON: ${(e as Error).message}` });
    }
  });
  return { events, errors };
}

/** One JSON document's records: an array's elements, a CloudTrail file's Records, else itself. */
export function unwrap(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc;
  if (doc !== null && typeof doc === "object" && Array.isArray((doc as { Records?: unknown }).Records) && Object.keys(doc).length === 1) {
    return (doc as { Records: unknown[] }).Records;
  }
  return [doc];
}
