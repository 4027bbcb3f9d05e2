import jsYaml from "js-yaml";

/**
 * Reading YAML written by someone else (rule files, the configuration) within limits: a file
 * past MAX_YAML_CHARS is refused before it is parsed, and a document whose aliases expand past
 * MAX_EXPANDED (a "billion laughs" chain: a 1 KB file that stands for gigabytes once a target
 * writes it out) is refused after. Pure.
 */

/** The largest YAML text read (UTF-16 code units; about as many bytes for rule files). */
export const MAX_YAML_CHARS = 8 * 1024 * 1024;

/**
 * The largest document, counted as its aliases expand: one unit per node and per character of
 * every string (so roughly the size of the text it stands for, written out without aliases).
 */
export const MAX_EXPANDED = 32 * 1024 * 1024;

/** A limit the text or document goes past: the reason, and where in the text when known. */
export class YamlLimitError extends Error {
  constructor(
    readonly reason: string,
    readonly position?: number,
  ) {
    super(reason);
  }
}

/** An anchor (`&name`) as YAML spells one: after a space, a line start or a flow indicator. */
export const ANCHOR = /(?:^|[\s[{,])&[^\s[\]{},]/m;
const ANCHOR_BEFORE = /[\s[{,]/;
const ANCHOR_AFTER = /[\s[\]{},]/;

/**
 * `ANCHOR.test(text)`, by looking only around each `&` (most rules have one, in "ATT&CK"): the
 * regex tried its start-of-line-or-separator alternative at every character of the file.
 * Every line terminator (where `^` matches) is also `\s`.
 */
export function hasAnchor(text: string): boolean {
  for (let i = text.indexOf("&"); i >= 0; i = text.indexOf("&", i + 1)) {
    if ((i === 0 || ANCHOR_BEFORE.test(text[i - 1]!)) && i + 1 < text.length && !ANCHOR_AFTER.test(text[i + 1]!)) return true;
  }
  return false;
}

/**
 * js-yaml's `load` with the core schema, within the limits above. Throws js-yaml's YAMLException
 * for invalid YAML and YamlLimitError for a text or document too large.
 */
export function loadYaml(text: string, filename?: string): unknown {
  if (text.length > MAX_YAML_CHARS) {
    throw new YamlLimitError(`the file is ${mib(text.length)}; rulec reads YAML files up to ${mib(MAX_YAML_CHARS)}`);
  }
  const value = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, ...(filename === undefined ? {} : { filename }) });
  // Without an anchor nothing can be aliased, so nothing expands.
  if (hasAnchor(text) && expandsPast(value, MAX_EXPANDED)) {
    const at = text.search(ANCHOR);
    throw new YamlLimitError(
      `its aliases expand the document past ${mib(MAX_EXPANDED)} (an alias bomb?): rulec reads documents up to that size once aliases are expanded`,
      at < 0 ? undefined : at + (/^[\s[{,]/.test(text.slice(at)) ? 1 : 0),
    );
  }
  return value;
}

/** True when the value, with every alias expanded, is larger than `budget` units. Stops early. */
export function expandsPast(value: unknown, budget: number): boolean {
  let left = budget;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    left -= typeof v === "string" ? 1 + v.length : 1;
    if (left < 0) return true;
    if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (typeof v === "object" && v !== null) {
      for (const [k, item] of Object.entries(v)) {
        left -= k.length;
        stack.push(item);
      }
    }
  }
  return false;
}

function mib(chars: number): string {
  return `${(chars / 1024 / 1024).toFixed(chars % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
}
