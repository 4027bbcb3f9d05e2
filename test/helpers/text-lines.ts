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

/** The capturing groups of a regular expression, in order: their own patterns (for values that fit them). */
export function groupPatterns(pattern: string): string[] {
  const out: string[] = [];
  const open: { start: number; index: number }[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(") {
      const capturing = pattern[i + 1] !== "?";
      open.push({ start: i + 1, index: capturing ? out.length : -1 });
      if (capturing) out.push("");
    } else if (c === ")") {
      const g = open.pop()!;
      if (g.index >= 0) out[g.index] = pattern.slice(g.start, i);
    }
  }
  return out;
}

/**
 * An event as the line the vendor writes with a regex layout's `write` template: a value that its
 * group's own pattern would not read (a space where the group takes none, a quote in a quoted
 * field, text in a number's place) is written as the no-value text, as the vendor never writes it.
 */
export function renderRegexLine(layout: TextData, record: unknown): string {
  const groups = groupPatterns(layout.pattern!);
  const nullText = layout.null ?? "-";
  return layout.write!.replace(/\{([^}]+)\}/g, (_, path: string) => {
    const i = layout.fields.findIndex((f) => f.path === path);
    const fits = (text: string) => !/[\r\n]/.test(text) && (layout.fields[i]!.quoted || !text.includes('"')) && new RegExp(`^(?:${groups[i]})$`).test(text);
    // No value: the no-value text where the group takes it, else nothing (the port after an address).
    const none = fits(nullText) ? nullText : "";
    const v = at(record, path);
    if (v === undefined || v === null) return none;
    const plain = typeof v === "string" ? v : typeof v === "number" ? String(v) : JSON.stringify(v);
    // A quoted field is written in quotes (a value with a quote of its own cannot be).
    const text = layout.fields[i]!.quoted ? (plain.includes('"') ? "" : `"${plain}"`) : plain;
    return text !== "" && fits(text) ? text : none;
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

/**
 * The record rulec reads from the event written as a line (delimited: with a header line naming
 * the fields; regex: the `write` template). Undefined when the line the event makes does not match
 * the regex as a whole (the table's SerDe reads such a line as a row of NULLs, rulec as no record).
 */
export function readBackRegex(layout: TextData, record: unknown): { line: string; record?: Record<string, unknown> } {
  const line = renderRegexLine(layout, record);
  const r = new TextLines().line(line);
  return { line, ...(r.record ? { record: r.record } : {}) };
}

export function readBack(layout: TextData, fields: readonly TextFieldData[], record: unknown): Record<string, unknown> {
  if (layout.kind === "regex") {
    const r = readBackRegex(layout, record);
    if (!r.record) throw new Error(`the line does not read back: ${r.line}`);
    return r.record;
  }
  const { header, line } = renderLines(layout, fields, record);
  const reader = new TextLines();
  if (!reader.line(header).header) throw new Error(`not a header line: ${header}`);
  const r = reader.line(line);
  if (!r.record) throw new Error(`the line does not read back: ${line} (${r.error})`);
  return r.record;
}
