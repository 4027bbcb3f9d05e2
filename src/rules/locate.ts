import type YAML from "yaml";
import type { Node } from "yaml";
import { yamlLib } from "../yamllib.js";
import { LineIndex, type FileSpan } from "../diagnostics.js";

/**
 * Source positions inside a rule file, computed only when a diagnostic needs one: the fast path
 * loads values with js-yaml, and this re-reads the file with a position-keeping parser on demand.
 */

export type KeyPath = readonly (string | number)[];

export class Locator {
  private doc?: YAML.Document.Parsed;
  private index?: LineIndex;

  constructor(readonly text: string) {}

  lines(): LineIndex {
    return (this.index ??= new LineIndex(this.text));
  }

  private document(): YAML.Document.Parsed {
    return (this.doc ??= yamlLib().parseDocument(this.text, { keepSourceTokens: true, uniqueKeys: false, strict: false }));
  }

  private find(path: KeyPath): { key?: Node; value?: Node } {
    const { isMap, isPair, isScalar, isSeq } = yamlLib();
    let node: unknown = this.document().contents;
    let key: Node | undefined;
    for (const step of path) {
      key = undefined;
      if (typeof step === "number" && isSeq(node)) {
        node = node.items[step];
      } else if (typeof step === "string" && isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === step);
        if (!pair) return {};
        key = pair.key as Node;
        node = pair.value;
      } else {
        return {};
      }
    }
    return { key, value: (node ?? undefined) as Node | undefined };
  }

  /** The span of a key (for unknown and misspelled keys). */
  keySpan(path: KeyPath): FileSpan {
    const { key, value } = this.find(path);
    const node = key ?? value;
    if (!node?.range) return this.lines().span(0, 0);
    return this.lines().span(node.range[0], node.range[1]);
  }

  /** The span of a value; falls back to its key, then to the start of the file. */
  valueSpan(path: KeyPath): FileSpan {
    const { key, value } = this.find(path);
    const node = value?.range ? value : key;
    if (!node?.range) return this.lines().span(0, 0);
    let end = node.range[1];
    while (end > node.range[0] && /\s/.test(this.text[end - 1]!)) end--;
    return this.lines().span(node.range[0], end);
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
    const { value: node } = this.find(path);
    if (!node || !yamlLib().isScalar(node) || !node.range) return undefined;
    const [start, end] = node.range;
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
