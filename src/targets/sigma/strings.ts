import type { GlobPart } from "../../check/glob.js";

/**
 * Sigma string values: `*` and `?` are wildcards, `\` escapes `*`, `?` and `\` (pySigma's
 * SigmaString; a backslash before anything else is a literal backslash). This is the one place
 * where a rule's text becomes a Sigma value.
 */

/** A literal string as a Sigma value that matches exactly that text. */
export function escapeSigma(text: string): string {
  return text.replace(/[\\*?]/g, "\\$&");
}

/** A glob of the language (`like`) as a Sigma value with the same wildcards. */
export function globToSigma(parts: readonly GlobPart[]): string {
  return parts.map((p) => (p.t === "star" ? "*" : p.t === "one" ? "?" : escapeSigma(p.text))).join("");
}

export type SigmaPart = GlobPart;

/** A Sigma value -> wildcards and literal text (pySigma's parsing, byte for byte). */
export function parseSigmaString(s: string): SigmaPart[] {
  const parts: SigmaPart[] = [];
  let text = "";
  const flush = () => {
    if (text !== "") parts.push({ t: "text", text });
    text = "";
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\") {
      const next = s[i + 1];
      if (next === "*" || next === "?" || next === "\\") {
        text += next;
        i++;
      } else {
        text += "\\";
      }
    } else if (c === "*") {
      flush();
      if (parts[parts.length - 1]?.t !== "star") parts.push({ t: "star" });
    } else if (c === "?") {
      flush();
      parts.push({ t: "one" });
    } else {
      text += c;
    }
  }
  flush();
  return parts;
}

/** Glob parts as a `like` pattern of the language. */
export function partsToGlob(parts: readonly SigmaPart[]): string {
  return parts.map((p) => (p.t === "star" ? "*" : p.t === "one" ? "?" : p.text.replace(/[\\*?]/g, "\\$&"))).join("");
}

/** True when lower-casing cannot change whether this text matches: ASCII without letters. */
export function caseless(text: string): boolean {
  return /^[\x00-\x40\x5b-\x60\x7b-\x7f]*$/.test(text);
}

/**
 * Characters whose case-insensitive comparison differs between engines (Unicode full lower case
 * as the language defines it, simple case folding, ASCII-only folding): non-ASCII characters that
 * have a case. A case-insensitive comparison with such a literal is not exact in Sigma.
 */
export function unicodeCased(text: string): string | undefined {
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) continue;
    if (ch.toLowerCase() !== ch || ch.toUpperCase() !== ch) return ch;
  }
  return undefined;
}

/** The characters that spell JSON numbers and booleans in any case: their text forms. */
const NUMBER_OR_BOOLEAN_TEXT = /^[0-9.+\-eEtrufalsTRUFALS]$/;

/** True when `chars` include one that never occurs in the text of a number or a boolean. */
export function excludesNonStrings(chars: Iterable<string>): boolean {
  for (const c of chars) if (!NUMBER_OR_BOOLEAN_TEXT.test(c)) return true;
  return false;
}
