import { TextLines } from "../../src/events/text.js";
import type { TextData, TextFieldData } from "../../src/logtypes/registry.js";

/**
 * Events of a text log type (VPC Flow Logs) as the lines the vendor writes: an event (a rule's Test,
 * a generated one) is written as a line of the layout (its fields in a given order, `-` where it has
 * no value), and read back with rulec's reader (src/events/text.ts). The record read back is the raw
 * record every target must agree on; the same line is what Athena's SerDe reads into the table.
 */

function at(record: unknown, path: string): unknown {
  let v: unknown = record;
  for (const k of path.split(".")) v = typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** A value as the vendor writes it in one field: no whitespace (it would split the field), `-` for none. */
function fieldText(v: unknown, nullText: string): string {
  if (v === undefined || v === null) return nullText;
  const s = typeof v === "string" ? v : typeof v === "number" ? String(v) : JSON.stringify(v);
  return s.replace(/\s/g, "_");
}

export function fieldsFor(layout: TextData, paths: readonly string[]): TextFieldData[] {
  return paths.map((p) => {
    const f = layout.fields.find((x) => x.path === p);
    if (!f) throw new Error(`no text field for ${p}`);
    return f;
  });
}

/** The header line and the record's line, with the fields in this order. */
export function renderLines(layout: TextData, fields: readonly TextFieldData[], record: unknown): { header: string; line: string } {
  const sep = layout.separator ?? " ";
  return {
    header: fields.map((f) => f.name).join(sep),
    line: fields.map((f) => fieldText(at(record, f.path), layout.null ?? "-")).join(sep),
  };
}

/** The record rulec reads from the event written as a line (with a header line naming the fields). */
export function readBack(layout: TextData, fields: readonly TextFieldData[], record: unknown): Record<string, unknown> {
  const { header, line } = renderLines(layout, fields, record);
  const reader = new TextLines();
  if (!reader.line(header).header) throw new Error(`not a header line: ${header}`);
  const r = reader.line(line);
  if (!r.record) throw new Error(`the line does not read back: ${line} (${r.error})`);
  return r.record;
}
