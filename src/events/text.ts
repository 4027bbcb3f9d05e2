import { LOG_TYPES, type TextData, type TextFieldData } from "../logtypes/registry.js";

/**
 * Logs written as lines of text instead of JSON, read into records as the log types' data
 * describes them (`sources.text` in src/logtypes/<name>/logtype.json): VPC Flow Logs' space-delimited
 * fields (a header line names them, in the default or a custom order), and the lines of ALB access
 * logs and S3 server access logs, matched whole by the regular expression of AWS's documented
 * RegexSerDe table, one field per group. A field holding the vendor's no-value text (`-`) is left
 * out of the record; a number field holding anything but a number is left out too, as the table's
 * SerDe reads it as NULL. Pure.
 */

export interface TextReader {
  readonly logType: string;
  /** The record of one line, or undefined when the line does not fit the layout. */
  parse(line: string): Record<string, unknown> | undefined;
}

const INT = /^[+-]?[0-9]+$/;
const INT32 = [-(2n ** 31n), 2n ** 31n - 1n] as const;
const INT64 = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** A field's text as the record's value; undefined: no value. */
function value(f: TextFieldData, raw: string | undefined, nullText: string | undefined): unknown {
  const text = f.quoted && raw !== undefined && raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (text === undefined || (nullText !== undefined && text === nullText)) return undefined;
  if (f.number === "int" || f.number === "bigint") {
    if (!INT.test(text)) return undefined;
    // Hive's int and bigint: a number out of range is NULL.
    const big = BigInt(text);
    const [lo, hi] = f.number === "int" ? INT32 : INT64;
    return big >= lo && big <= hi ? Number(text) : undefined;
  }
  if (f.number === "float") return FLOAT.test(text) ? Number(text) : undefined;
  return text;
}

function put(record: Record<string, unknown>, path: string, v: unknown): void {
  if (!path.includes(".")) {
    record[path] = v;
    return;
  }
  const parts = path.split(".");
  let o = record;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i]!;
    const next = o[k];
    if (typeof next === "object" && next !== null && !Array.isArray(next)) o = next as Record<string, unknown>;
    else o = o[k] = {};
  }
  o[parts[parts.length - 1]!] = v;
}

function delimitedReader(logType: string, t: TextData, fields: readonly TextFieldData[]): TextReader {
  const sep = t.separator ?? " ";
  const n = fields.length;
  return {
    logType,
    parse(line) {
      const tokens = line.split(sep);
      if (tokens.length !== n) return undefined;
      const record: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const f = fields[i]!;
        const v = value(f, tokens[i], t.null);
        if (v !== undefined) put(record, f.path, v);
      }
      return record;
    },
  };
}

function regexReader(logType: string, t: TextData): TextReader {
  const re = new RegExp(`^(?:${t.pattern})$`);
  return {
    logType,
    parse(line) {
      const m = re.exec(line);
      if (!m) return undefined;
      const record: Record<string, unknown> = {};
      for (let i = 0; i < t.fields.length; i++) {
        const f = t.fields[i]!;
        const v = value(f, m[i + 1], t.null);
        if (v !== undefined) put(record, f.path, v);
      }
      return record;
    },
  };
}

const TEXT_TYPES: readonly { readonly logType: string; readonly text: TextData }[] = LOG_TYPES.flatMap((d) => (d.sources.text ? [{ logType: d.logType, text: d.sources.text }] : []));

/** The text layouts of the registry (log type and layout). */
export function textLayouts(): readonly { readonly logType: string; readonly text: TextData }[] {
  return TEXT_TYPES;
}

/** A header line of a delimited layout: every token names one of its fields (at least two). */
function headerFields(t: TextData, line: string): TextFieldData[] | undefined {
  const tokens = line.trim().split(t.separator ?? " ");
  if (tokens.length < 2) return undefined;
  const byName = new Map(t.fields.map((f) => [f.name, f]));
  const out: TextFieldData[] = [];
  for (const tok of tokens) {
    const f = byName.get(tok);
    if (!f) return undefined;
    out.push(f);
  }
  return out;
}

/**
 * The reader of a text log whose first non-blank line is `first`: `header` when that line names
 * the fields (it is no record). Undefined when no text layout of the registry reads it.
 */
export function textReaderFor(first: string): { readonly reader: TextReader; readonly header: boolean } | undefined {
  const line = first.replace(/\r$/, "");
  for (const { logType, text } of TEXT_TYPES) {
    if (text.kind === "delimited") {
      const named = text.header ? headerFields(text, line) : undefined;
      if (named) return { reader: delimitedReader(logType, text, named), header: true };
      const fields = text.fields.slice(0, text.defaultCount ?? text.fields.length);
      const reader = delimitedReader(logType, text, fields);
      const r = reader.parse(line);
      // Without a header: the line must hold the default format, every number field a number or no value.
      if (r && fields.every((f, i) => !f.number || value(f, line.split(text.separator ?? " ")[i], text.null) !== undefined || line.split(text.separator ?? " ")[i] === text.null)) {
        return { reader, header: false };
      }
    } else {
      const reader = regexReader(logType, text);
      if (reader.parse(line)) return { reader, header: false };
    }
  }
  return undefined;
}

/** Is this text (its first non-blank character) JSON rather than a text log? */
export function looksLikeJson(text: string): boolean {
  const m = /\S/.exec(text);
  return m !== null && (m[0] === "{" || m[0] === "[");
}

/**
 * The lines of a text log -> records. A later header line (files written one after another) switches
 * the field order; a line that fits no layout is an error with its line number.
 */
export class TextLines {
  private reader: TextReader | undefined;
  constructor(reader?: TextReader) {
    this.reader = reader;
  }

  get logType(): string | undefined {
    return this.reader?.logType;
  }

  /** One line: its record, `header` for a header line, or an error message. */
  line(raw: string): { record?: Record<string, unknown>; header?: true; error?: string } {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (this.reader) {
      const r = this.reader.parse(line);
      if (r) return { record: r };
    }
    const again = textReaderFor(line);
    if (again && (this.reader === undefined || again.reader.logType === this.reader.logType)) {
      this.reader = again.reader;
      if (again.header) return { header: true };
      return { record: again.reader.parse(line)! };
    }
    return { error: this.reader ? `the line does not fit the ${this.reader.logType} text layout` : "not JSON, and no text log layout reads it" };
  }
}
