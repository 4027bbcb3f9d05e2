import { openEnvelopes } from "./envelopes.js";

/**
 * Event text -> events: one JSON object, a JSON array of objects, or NDJSON (one object per line);
 * envelopes the log types' vendor exports wrap records in (a CloudTrail log file's
 * `{"Records": [...]}`, and the others of src/logtypes) are opened. Pure; the caller reads the bytes.
 */

export interface ParsedEvents {
  readonly events: unknown[];
  /** Problems with line numbers (1-based); the events that parsed are still returned. */
  readonly errors: { readonly line: number; readonly message: string }[];
}

export function parseEvents(text: string): ParsedEvents {
  const trimmed = text.trim();
  if (trimmed === "") return { events: [], errors: [] };
  let doc: unknown;
  let whole = false;
  try {
    doc = JSON.parse(trimmed);
    whole = true;
  } catch {
    // Not one JSON document: read it as NDJSON.
  }
  if (whole) return unwrap(doc, 1);
  const events: unknown[] = [];
  const errors: { line: number; message: string }[] = [];
  text.split("\n").forEach((line, i) => {
    const l = line.trim();
    if (l === "") return;
    let value: unknown;
    try {
      value = JSON.parse(l);
    } catch (e) {
      errors.push({ line: i + 1, message: `not JSON: ${(e as Error).message}` });
      return;
    }
    const r = unwrap(value, i + 1);
    events.push(...r.events);
    errors.push(...r.errors);
  });
  return { events, errors };
}

function unwrap(doc: unknown, line: number): ParsedEvents {
  const events: unknown[] = [];
  const broken = { count: 0 };
  openEnvelopes(doc, events, broken);
  const errors = broken.count > 0 ? [{ line, message: `${broken.count} records held as JSON text do not parse` }] : [];
  return { events, errors };
}
