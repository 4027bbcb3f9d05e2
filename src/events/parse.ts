import { openEnvelopes } from "./envelopes.js";
import { looksLikeJson, TextLines, textReaderFor } from "./text.js";

/**
 * Event text -> events: one JSON object, a JSON array of objects, or NDJSON (one object per line,
 * or several written back to back as Firehose delivers them);
 * envelopes the log types' vendor exports wrap records in (a CloudTrail log file's
 * `{"Records": [...]}`, and the others of src/logtypes) are opened; a text log (VPC Flow Logs, ALB
 * and S3 access logs: text.ts) is read line by line. Pure; the caller reads the bytes.
 */

export interface ParsedEvents {
  readonly events: unknown[];
  /** Problems with line numbers (1-based); the events that parsed are still returned. */
  readonly errors: { readonly line: number; readonly message: string }[];
}

export function parseEvents(text: string): ParsedEvents {
  const trimmed = text.trim();
  if (trimmed === "") return { events: [], errors: [] };
  if (!looksLikeJson(trimmed)) {
    const lines = parseTextLog(trimmed);
    if (lines) return lines;
  }
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
    let values: unknown[];
    try {
      values = [JSON.parse(l)];
    } catch (e) {
      // Objects written one after another without a separator (as Amazon Data Firehose delivers them).
      const parts = concatenated(l);
      if (!parts) {
        errors.push({ line: i + 1, message: `not JSON: ${(e as Error).message}` });
        return;
      }
      values = parts;
    }
    for (const value of values) {
      const r = unwrap(value, i + 1);
      events.push(...r.events);
      errors.push(...r.errors);
    }
  });
  return { events, errors };
}

/** A text log's records (text.ts), or undefined when its first line is of no text layout. */
function parseTextLog(text: string): ParsedEvents | undefined {
  const lines = text.split("\n");
  const first = lines.findIndex((l) => l.trim() !== "");
  if (first < 0 || !textReaderFor(lines[first]!)) return undefined;
  const reader = new TextLines();
  const events: unknown[] = [];
  const errors: { line: number; message: string }[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const r = reader.line(line);
    if (r.record) events.push(r.record);
    else if (r.error) errors.push({ line: i + 1, message: r.error });
  });
  return { events, errors };
}

/** A line of JSON objects or arrays written back to back (`{...}{...}`), or undefined when it is not one. */
function concatenated(line: string): unknown[] | undefined {
  const out: unknown[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91 /* { [ */) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 125 || c === 93 /* } ] */) {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) {
        try {
          out.push(JSON.parse(line.slice(start, i + 1)));
        } catch {
          return undefined;
        }
      }
    } else if (depth === 0 && c !== 32 && c !== 9 && c !== 13) return undefined;
  }
  return depth === 0 && out.length > 1 ? out : undefined;
}

/** One JSON document's records (an array's elements, a CloudTrail file's Records, envelopes opened), and what did not parse. */
export function unwrap(doc: unknown, line: number): ParsedEvents {
  const events: unknown[] = [];
  const broken = { count: 0 };
  openEnvelopes(doc, events, broken);
  const errors = broken.count > 0 ? [{ line, message: `${broken.count} records held as JSON text do not parse` }] : [];
  return { events, errors };
}
