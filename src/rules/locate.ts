import type YAML from "yaml";
import type { Node } from "yaml";
import { yamlLib } from "../yamllib.js";
import { LineIndex, type FileSpan } from "../diagnostics.js";

/**
 * Source positions inside a rule file, computed only when a diagnostic needs one: the fast path
 * loads values with js-yaml, and this re-reads the file with a position-keeping parser on demand.
 *
 * A place under a top-level key is looked for in that key's block alone (from its line to the
 * next line that starts a top-level key), and a top-level key's own place in its line alone, not
 * in the whole file: a rule's Tests, most of its text, are rarely where its messages point
 * (LogTypes, Condition), and parsing whole files cost a real-world library an eighth of its
 * build. Each top-level pair of a block mapping reads the same alone as in its file; a part the
 * parser finds any fault in (an unterminated quote or bracket, an alias of an anchor outside it)
 * is not used, and the whole file is parsed. test/frontend/locate.test.ts compares the two on
 * every place of every YAML file of the project and of generated and edited ones.
 */

export type KeyPath = readonly (string | number)[];

const PARSE_OPTIONS = { keepSourceTokens: true, uniqueKeys: false, strict: false } as const;

/** A line (with its line feed) that starts a top-level plain key: `Name:` then a space, a tab or the end of the line. */
const TOP_LEVEL_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*[ \t]*:(?:[ \t]|\r?\n|$)/;

/** A parse of part of the file: `offset` is where that part starts in the file, `length` its length. */
interface Part {
  readonly doc: YAML.Document.Parsed;
  readonly offset: number;
  readonly length: number;
}

export class Locator {
  private doc?: YAML.Document.Parsed;
  /** Parses of one top-level key's block (`v:<key>`) or of its line alone (`k:<key>`); null: none to trust. */
  private readonly parts = new Map<string, Part | null>();
  private index?: LineIndex;

  /** `whole`: always parse the whole file (the reference the parts are tested against). */
  constructor(
    readonly text: string,
    private readonly options: { readonly whole?: boolean } = {},
  ) {}

  /** How many characters of the text the parser has read so far. */
  get parsed(): number {
    if (this.doc !== undefined) return this.text.length;
    let n = 0;
    for (const part of this.parts.values()) if (part !== null) n += part.length;
    return n;
  }

  lines(): LineIndex {
    return (this.index ??= new LineIndex(this.text));
  }

  private document(): Part {
    return { doc: (this.doc ??= yamlLib().parseDocument(this.text, PARSE_OPTIONS)), offset: 0, length: this.text.length };
  }

  /**
   * The parse that holds the places under `path`: the block of its top-level key alone (the key's
   * line alone when only the key is wanted), else the whole file.
   */
  private documentFor(path: KeyPath, keyOnly: boolean): Part {
    const top = path[0];
    if (this.doc !== undefined || this.options.whole || typeof top !== "string") return this.document();
    if (keyOnly && path.length === 1) {
      const line = this.part(top, true);
      if (line !== null) return line;
    }
    return this.part(top, false) ?? this.document();
  }

  private part(key: string, lineOnly: boolean): Part | null {
    const name = `${lineOnly ? "k" : "v"}:${key}`;
    let part = this.parts.get(name);
    if (part === undefined) {
      part = null;
      const block = this.block(key);
      if (block !== undefined) {
        const end = lineOnly ? block.line : block.end;
        const doc = yamlLib().parseDocument(this.text.slice(block.start, end), PARSE_OPTIONS);
        if (doc.errors.length === 0 && doc.warnings.length === 0) part = { doc, offset: block.start, length: end - block.start };
      }
      this.parts.set(name, part);
    }
    return part;
  }

  /**
   * The block of top-level key `key`: from the first line that starts with `key:` (`start`) to the
   * next line that starts another top-level plain key, or the end of the file (`end`); `line`: the
   * end of its first line. Undefined (parse the whole file) when no line starts with `key:`, or at
   * a line before the block's end that starts with anything but a plain key, a space, a comment, a
   * sequence entry or nothing (a document marker, a directive, a bracket or a quote: a file a part
   * of which cannot be read alone).
   */
  private block(key: string): { start: number; line: number; end: number } | undefined {
    const text = this.text;
    let at = 0;
    let start = -1;
    let line = -1;
    while (at < text.length) {
      let eol = text.indexOf("\n", at);
      eol = eol < 0 ? text.length : eol + 1;
      const c = text.charCodeAt(at);
      // Lines that go on inside the current top-level value: indented, blank, a comment, `- item`.
      const inside = c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x23 || (c === 0x2d && !text.startsWith("---", at));
      if (!inside) {
        const first = text.slice(at, eol);
        if (!TOP_LEVEL_KEY.test(first)) return undefined;
        if (start >= 0) return { start, line, end: at };
        if (first.startsWith(key) && /^[ \t]*:/.test(first.slice(key.length))) [start, line] = [at, eol];
      }
      at = eol;
    }
    return start >= 0 ? { start, line, end: text.length } : undefined;
  }

  private find(path: KeyPath, keyOnly = false): { key?: Node; value?: Node; offset: number } {
    const { isMap, isPair, isScalar, isSeq } = yamlLib();
    const { doc, offset } = this.documentFor(path, keyOnly);
    let node: unknown = doc.contents;
    let key: Node | undefined;
    for (const step of path) {
      key = undefined;
      if (typeof step === "number" && isSeq(node)) {
        node = node.items[step];
      } else if (typeof step === "string" && isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === step);
        if (!pair) return { offset };
        key = pair.key as Node;
        node = pair.value;
      } else {
        return { offset };
      }
    }
    return { key, value: (node ?? undefined) as Node | undefined, offset };
  }

  /** The span of a key (for unknown and misspelled keys). */
  keySpan(path: KeyPath): FileSpan {
    const { key, value, offset } = this.find(path, true);
    const node = key ?? value;
    if (!node?.range) return this.lines().span(0, 0);
    return this.lines().span(offset + node.range[0], offset + node.range[1]);
  }

  /** The span of a value; falls back to its key, then to the start of the file. */
  valueSpan(path: KeyPath): FileSpan {
    const { key, value, offset } = this.find(path);
    const node = value?.range ? value : key;
    if (!node?.range) return this.lines().span(0, 0);
    const start = offset + node.range[0];
    let end = offset + node.range[1];
    while (end > start && /\s/.test(this.text[end - 1]!)) end--;
    return this.lines().span(start, end);
  }

  /** The YAML style of a scalar value (PLAIN, QUOTE_DOUBLE, BLOCK_FOLDED, ...). */
  scalarType(path: KeyPath): string | undefined {
    const { value } = this.find(path);
    return yamlLib().isScalar(value) ? (value.type ?? undefined) : undefined;
  }

  /**
   * Maps offsets in a decoded string value back into the file. `value` is the decoded string;
   * the result maps index i of the value (0..value.length) to a file offset.
   */
  stringMap(path: KeyPath, value: string): ((i: number) => number) | undefined {
    const { value: node, offset } = this.find(path);
    if (!node || !yamlLib().isScalar(node) || !node.range) return undefined;
    const [start, end] = [offset + node.range[0], offset + node.range[1]];
    const map = alignScalar(this.text, start, end, value, node.type === "QUOTE_DOUBLE");
    return (i: number) => map[Math.max(0, Math.min(i, map.length - 1))]!;
  }
}

const YAML_ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  "\t": "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
};

/**
 * Aligns each character of the decoded value with the source character it came from. Every style
 * keeps the value's characters in order in the source; folding turns a line break into a space,
 * and only double-quoted scalars have escapes, which are decoded here.
 */
function alignScalar(text: string, start: number, end: number, value: string, doubleQuoted: boolean): number[] {
  const map: number[] = [];
  let j = start;
  let i = 0;
  while (i < value.length && j < end) {
    const ch = value[i]!;
    if (doubleQuoted && text[j] === "\\") {
      const e = text[j + 1] ?? "";
      if (e === "\n" || e === "\r") {
        j += 2;
        continue;
      }
      let decoded: string;
      let len: number;
      if (e === "x" || e === "u" || e === "U") {
        len = e === "x" ? 4 : e === "u" ? 6 : 10;
        decoded = String.fromCodePoint(parseInt(text.slice(j + 2, j + len), 16) || 0);
      } else {
        decoded = YAML_ESCAPES[e] ?? e;
        len = 2;
      }
      for (let k = 0; k < decoded.length && i < value.length; k++) map[i++] = j;
      j += len;
      continue;
    }
    const s = text[j]!;
    if (s === ch || (ch === " " && (s === "\n" || s === "\r")) || (ch === "\n" && s === "\r")) {
      map[i++] = j++;
    } else {
      j++;
    }
  }
  while (i < value.length) map[i++] = j;
  map[value.length] = Math.min(j, end);
  return map;
}
