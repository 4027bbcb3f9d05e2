/**
 * One table of diagnostic codes and one shape for every diagnostic the compiler reports.
 * Positions are 1-based lines and columns; offsets are 0-based UTF-16 offsets into the file.
 */

export type Severity = "error" | "warning";

export interface Position {
  readonly offset: number;
  readonly line: number;
  readonly col: number;
}

export interface FileSpan {
  readonly start: Position;
  readonly end: Position;
}

export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly file?: string;
  readonly span?: FileSpan;
  /** A replacement the user probably meant, when there is one. */
  readonly suggestion?: string;
  /** Extra lines printed under the code frame (e.g. the other file of a duplicate). */
  readonly notes?: readonly string[];
}

/** A diagnostic positioned inside a condition (0-based offsets into the condition text). */
export interface ConditionDiagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly start: number;
  readonly end: number;
  readonly suggestion?: string;
}

export const CODES = {
  // condition syntax
  RC101: { severity: "error", title: "unexpected character" },
  RC102: { severity: "error", title: "unterminated string" },
  RC103: { severity: "error", title: "invalid escape" },
  RC104: { severity: "error", title: "syntax error" },
  RC105: { severity: "error", title: "unknown operator" },
  RC106: { severity: "error", title: "empty backtick segment" },
  RC107: { severity: "error", title: "invalid number" },
  RC108: { severity: "error", title: "condition nested too deeply" },
  // condition semantics
  RC201: { severity: "error", title: "unknown field" },
  RC202: { severity: "error", title: "operand of the wrong type" },
  RC203: { severity: "error", title: "a list where one value is expected" },
  RC204: { severity: "error", title: "operator needs a list" },
  RC205: { severity: "error", title: "field operand not allowed" },
  RC206: { severity: "error", title: "regular expression outside the portable subset" },
  RC207: { severity: "error", title: "regular expression does not compile" },
  RC208: { severity: "error", title: "malformed network" },
  RC209: { severity: "error", title: "network has host bits set" },
  RC210: { severity: "warning", title: "field spelled in another case" },
  RC211: { severity: "warning", title: "comparison can never match" },
  RC212: { severity: "warning", title: "duplicate predicate" },
  RC213: { severity: "warning", title: "contradiction" },
  RC214: { severity: "warning", title: "tautology" },
  RC215: { severity: "warning", title: "like without a wildcard" },
  RC216: { severity: "warning", title: "matches with a plain string" },
  RC217: { severity: "warning", title: "rule lacks a positive or a negative test" },
  RC218: { severity: "warning", title: "comment in a folded condition" },
  RC240: { severity: "error", title: "regular expression can backtrack catastrophically" },
  // rule files
  RC301: { severity: "error", title: "invalid YAML" },
  RC302: { severity: "error", title: "rule file is not a mapping" },
  RC303: { severity: "error", title: "missing required key" },
  RC304: { severity: "error", title: "unknown key" },
  RC305: { severity: "error", title: "value of the wrong type" },
  RC306: { severity: "error", title: "invalid value" },
  RC307: { severity: "error", title: "duplicate RuleID" },
  RC308: { severity: "error", title: "duplicate key" },
  RC309: { severity: "error", title: "empty rule file" },
  RC310: { severity: "error", title: "file is not UTF-8 text" },
  RC311: { severity: "error", title: "unknown log type" },
  RC312: { severity: "error", title: "cannot read file" },
  RC313: { severity: "error", title: "rule test failed" },
  RC314: { severity: "error", title: "Panther feature not supported" },
  RC315: { severity: "warning", title: "Panther tooling difference" },
  RC316: { severity: "warning", title: "log type without a typed schema" },
  RC330: { severity: "error", title: "rule file too large" },
  // targets
  RC401: { severity: "error", title: "not expressible in the target" },
  RC402: { severity: "error", title: "output fails the target format's schema" },
  // Athena's DuckDB engine
  RC420: { severity: "warning", title: "no log files in the time window" },
  // command line and configuration
  RC501: { severity: "error", title: "invalid input" },
  RC502: { severity: "error", title: "invalid configuration" },
  RC503: { severity: "error", title: "query failed on the engine" },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type Code = keyof typeof CODES;

export function conditionDiagnostic(
  code: Code,
  message: string,
  start: number,
  end: number,
  suggestion?: string,
): ConditionDiagnostic {
  const d: ConditionDiagnostic = { code, severity: CODES[code].severity, message, start, end };
  return suggestion === undefined ? d : { ...d, suggestion };
}

export function fileDiagnostic(
  code: Code,
  message: string,
  file: string | undefined,
  span: FileSpan | undefined,
  extra: { suggestion?: string; notes?: readonly string[] } = {},
): Diagnostic {
  return {
    code,
    severity: CODES[code].severity,
    message,
    ...(file === undefined ? {} : { file }),
    ...(span === undefined ? {} : { span }),
    ...extra,
  };
}

export function hasErrors(diagnostics: readonly { severity: Severity }[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Offsets to 1-based line/column positions for one text. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
    }
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { offset: o, line: lo + 1, col: o - this.starts[lo]! + 1 };
  }

  span(start: number, end: number): FileSpan {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  lineText(line: number): string {
    const s = this.starts[line - 1] ?? this.text.length;
    const e = this.starts[line] ?? this.text.length + 1;
    return this.text.slice(s, e - 1).replace(/\r$/, "");
  }
}

export interface FormatOptions {
  /** The text of each file, for code frames. */
  readonly sources?: ReadonlyMap<string, string>;
  readonly color?: boolean;
}

/** `file:line:col: error CODE: message`, a code frame with a caret under the span, notes. */
export function formatDiagnostic(d: Diagnostic, options: FormatOptions = {}): string {
  const c = options.color ? COLOR : NO_COLOR;
  const where = d.file === undefined ? "rulec" : d.span ? `${d.file}:${d.span.start.line}:${d.span.start.col}` : d.file;
  const sev = d.severity === "error" ? c.red("error") : c.yellow("warning");
  const lines = [`${c.bold(where)}: ${sev} ${d.code}: ${d.message}`];
  const text = d.file === undefined ? undefined : options.sources?.get(d.file);
  if (text !== undefined && d.span) {
    const index = new LineIndex(text);
    const full = index.lineText(d.span.start.line);
    const endCol = d.span.end.line === d.span.start.line ? d.span.end.col : full.length + 1;
    // A long line (a minified JSON event, say) is cut to a window around the span.
    const from = full.length <= FRAME_WIDTH ? 0 : Math.max(0, Math.min(d.span.start.col - 1 - FRAME_CONTEXT, full.length - FRAME_WIDTH));
    const to = Math.min(full.length, from + FRAME_WIDTH);
    const lineText = (from > 0 ? "…" : "") + full.slice(from, to) + (to < full.length ? "…" : "");
    const startCol = d.span.start.col - from + (from > 0 ? 1 : 0);
    const width = Math.max(1, Math.min(endCol - d.span.start.col, to - (d.span.start.col - 1)));
    lines.push(`  ${expandTabs(lineText)}`);
    lines.push(`  ${" ".repeat(displayWidth(lineText.slice(0, startCol - 1)))}${c.red("^".repeat(width))}`);
  }
  for (const note of d.notes ?? []) lines.push(`  note: ${note}`);
  return lines.join("\n");
}

/** Code frames show at most this many characters of a line, starting this many before the span. */
const FRAME_WIDTH = 160;
const FRAME_CONTEXT = 40;

function expandTabs(s: string): string {
  return s.replace(/\t/g, " ");
}

function displayWidth(s: string): number {
  return expandTabs(s).length;
}

const NO_COLOR = { red: (s: string) => s, yellow: (s: string) => s, bold: (s: string) => s };
const COLOR = {
  red: (s: string) => `\x1b[31m${s}\x1b[0m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[0m`,
  bold: (s: string) => `\x1b[1m${s}\x1b[0m`,
};

/** Levenshtein distance, for did-you-mean suggestions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The candidates nearest to `word` (case-insensitive), closest first, at most `max`. */
export function nearest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const w = word.toLowerCase();
  const limit = Math.max(2, Math.floor(w.length / 3));
  const scored: { c: string; d: number }[] = [];
  for (const c of candidates) {
    const lc = c.toLowerCase();
    let d = editDistance(w, lc);
    if (d > limit && (lc.startsWith(w) || w.startsWith(lc)) && Math.min(w.length, lc.length) >= 2) d = limit;
    if (d <= limit) scored.push({ c, d });
  }
  scored.sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : a.c > b.c ? 1 : 0));
  return scored.slice(0, max).map((s) => s.c);
}
