/**
 * A large log file, record by record, in bounded memory: the bytes come in chunks (from a file
 * stream, gunzipped or not) and complete records come out, so a file of any size is read with a
 * few megabytes at a time. Pure: the caller feeds the chunks.
 *
 * The layout is told by the first bytes, as for a small file (events/parse.ts), with one
 * restriction a stream needs: a file that starts with `[` is a JSON array of records; one that
 * starts with `{"Records": [` is a CloudTrail file (the records of that array; the rest of the
 * object is not read); anything else is NDJSON, one JSON value per line (a value that is a JSON
 * array, or a CloudTrail file on one line, stands for its records, as in a small file).
 */

export interface StreamItem {
  /** The JSON text of one record (array or Records layout) or of one line (NDJSON). */
  readonly text: string;
  /** 1-based line of the file where it starts. */
  readonly line: number;
  /** A line of NDJSON (its value may stand for several records) rather than one record. */
  readonly isLine: boolean;
}

type Mode = "detect" | "array" | "records" | "lines" | "done";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

/** The longest record or line kept whole; a longer one is skipped and reported. */
export const MAX_ITEM_BYTES = 64 * 1024 * 1024;

export class RecordStream {
  private mode: Mode = "detect";
  private buf: Buffer = Buffer.alloc(0);
  /** Scan position in buf; items before `start` have been taken. */
  private pos = 0;
  private start = -1;
  private startLine = 1;
  private line = 1;
  private depth = 0;
  private inString = false;
  private escape = false;
  /** Depth at which the records sit: 1 in a top-level array, 2 inside {"Records": [...]}. */
  private itemDepth = 1;
  private readonly items: StreamItem[] = [];
  /** Items longer than MAX_ITEM_BYTES: skipped, with their line. */
  readonly oversized: number[] = [];
  /** In lines mode, after an oversized line: the rest of it is skipped. */
  private skipToNewline = false;

  push(chunk: Uint8Array): void {
    this.buf = this.buf.length === this.pos && this.start < 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    this.scan(false);
    this.compact();
  }

  /** The end of the input: the last line (without a final newline) is an item too. */
  end(): void {
    this.scan(true);
  }

  /** The items completed so far (and forgets them). */
  take(): StreamItem[] {
    return this.items.splice(0, this.items.length);
  }

  /** Drops the bytes already turned into items, so memory holds at most the item being read. */
  private compact(): void {
    const keep = this.start >= 0 ? this.start : this.pos;
    if (keep === 0) return;
    this.buf = this.buf.subarray(keep);
    this.pos -= keep;
    if (this.start >= 0) this.start -= keep;
    if (this.start >= 0 && this.pos - this.start > MAX_ITEM_BYTES) {
      // One record longer than the limit: skip it (in lines mode, up to its end of line).
      this.oversized.push(this.startLine);
      this.start = -1;
      if (this.mode === "lines") this.skipToNewline = true;
      else this.mode = "done";
      this.buf = Buffer.alloc(0);
      this.pos = 0;
    }
  }

  private emit(from: number, to: number, isLine: boolean): void {
    const text = this.buf.toString("utf8", from, to).replace(/^\uFEFF/, "");
    if (text.trim() !== "") this.items.push({ text, line: this.startLine, isLine });
  }

  private scan(atEnd: boolean): void {
    const b = this.buf;
    if (this.mode === "detect") {
      let i = this.pos;
      while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0d || b[i] === NEWLINE || b[i] === 0xef || b[i] === 0xbb || b[i] === 0xbf)) i++;
      if (i === b.length) {
        if (!atEnd) return;
        this.mode = "done";
        return;
      }
      if (b[i] === 0x5b) {
        this.mode = "array";
        this.itemDepth = 1;
      } else if (b[i] === 0x7b) {
        // `{"Records": [` (spaces allowed): the records are the elements of that array.
        const head = b.toString("utf8", i, Math.min(b.length, i + 64));
        if (/^\{\s*"Records"\s*:\s*\[/.test(head)) {
          this.mode = "records";
          this.itemDepth = 2;
        } else if (!atEnd && head.length < 64 && !head.includes("}")) {
          return; // not enough bytes yet to tell
        } else {
          this.mode = "lines";
        }
      } else {
        this.mode = "lines";
      }
    }
    if (this.mode === "lines") this.scanLines(atEnd);
    else if (this.mode === "array" || this.mode === "records") this.scanJson();
  }

  private scanLines(atEnd: boolean): void {
    const b = this.buf;
    for (;;) {
      const nl = b.indexOf(NEWLINE, this.pos);
      if (nl < 0) break;
      if (this.skipToNewline) this.skipToNewline = false;
      else {
        this.startLine = this.line;
        this.emit(this.pos, nl, true);
      }
      this.line++;
      this.pos = nl + 1;
    }
    if (atEnd && this.pos < b.length && !this.skipToNewline) {
      this.startLine = this.line;
      this.emit(this.pos, b.length, true);
      this.pos = b.length;
    }
    // The line being read counts from here, for the size limit.
    this.start = this.pos < b.length ? this.pos : -1;
    if (this.start >= 0) this.startLine = this.line;
  }

  private scanJson(): void {
    const b = this.buf;
    const n = b.length;
    for (let i = this.pos; i < n; i++) {
      const c = b[i]!;
      if (c === NEWLINE) this.line++;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === BACKSLASH) this.escape = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c === QUOTE) {
        if (this.start < 0 && this.depth === this.itemDepth) this.begin(i);
        this.inString = true;
      } else if (c === 0x7b || c === 0x5b) {
        if (this.start < 0 && this.depth === this.itemDepth) this.begin(i);
        this.depth++;
      } else if (c === 0x7d || c === 0x5d) {
        this.depth--;
        if (this.depth < this.itemDepth) {
          // The array of records ends (a scalar record just before it ends with it).
          if (this.start >= 0) this.finish(i);
          this.mode = "done";
          this.pos = n;
          return;
        }
        if (this.start >= 0 && this.depth === this.itemDepth) this.finish(i + 1);
      } else if (c === 0x2c) {
        if (this.start >= 0 && this.depth === this.itemDepth) this.finish(i);
      } else if (this.start < 0 && this.depth === this.itemDepth && c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== NEWLINE) {
        this.begin(i);
      }
    }
    this.pos = n;
  }

  private begin(i: number): void {
    this.start = i;
    this.startLine = this.line;
  }

  private finish(end: number): void {
    this.emit(this.start, end, false);
    this.start = -1;
  }
}
