/**
 * Every Python literal the Panther target prints comes from this file: the one defence against a
 * rule value breaking out of a string. Quotes follow black's preference (double quotes unless
 * that needs more escapes), so the output is stable under black.
 */

/** A character that must be escaped in any Python string literal (as source text). */
function mustEscape(cp: number): boolean {
  return (
    cp < 0x20 ||
    cp === 0x7f ||
    (cp >= 0x80 && cp <= 0x9f) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0xfeff ||
    (cp >= 0xd800 && cp <= 0xdfff)
  );
}

function escapeChar(cp: number): string {
  if (cp === 10) return "\\n";
  if (cp === 13) return "\\r";
  if (cp === 9) return "\\t";
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, "0")}`;
  return `\\u${cp.toString(16).padStart(4, "0")}`;
}

/** Iterates UTF-16 code units but keeps valid surrogate pairs together (lone ones are escaped). */
function* codePoints(s: string): Generator<number> {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        yield (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        i++;
        continue;
      }
    }
    yield c;
  }
}

/** The quote black keeps: `'` only when the text has more `"` than `'`. */
function quoteFor(s: string): '"' | "'" {
  // Quotes are never part of a surrogate pair: counting code units counts the characters.
  let dq = 0;
  let sq = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) dq++;
    else if (c === 0x27) sq++;
  }
  return dq > sq ? "'" : '"';
}

/** True when `body` leaves `s` as it is: printable ASCII, no backslash, quote (or brace). */
function plainBody(s: string, quote: number, braces: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x5c || c === quote) return false;
    if (braces && (c === 0x7b || c === 0x7d)) return false;
  }
  return true;
}

function body(s: string, quote: string, braces: boolean): string {
  if (plainBody(s, quote.charCodeAt(0), braces)) return s;
  let out = "";
  for (const cp of codePoints(s)) {
    const ch = String.fromCodePoint(cp);
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += "\\" + ch;
    else if (braces && (ch === "{" || ch === "}")) out += ch + ch;
    else if (mustEscape(cp)) out += escapeChar(cp);
    else out += ch;
  }
  return out;
}

/** A Python str literal whose value is exactly `s`. */
export function pyString(s: string): string {
  const q = quoteFor(s);
  return q + body(s, q, false) + q;
}

/** The literal text of an f-string part (braces doubled); the caller adds the quotes. */
export function fStringText(s: string, quote: '"' | "'"): string {
  return body(s, quote, true);
}

export { quoteFor as pyQuoteFor };

/**
 * A regular expression as a Python literal: a raw string when the pattern can be one (easier to
 * read: r"^\d+$"), else a plain string with escapes. The pattern text itself is never changed.
 */
export function pyRegex(pattern: string): string {
  const hasDq = pattern.includes('"');
  const hasSq = pattern.includes("'");
  let trailing = 0;
  for (let i = pattern.length - 1; i >= 0 && pattern[i] === "\\"; i--) trailing++;
  let plain = true;
  for (const cp of codePoints(pattern)) {
    if (mustEscape(cp)) {
      plain = false;
      break;
    }
  }
  if (plain && !(hasDq && hasSq) && trailing % 2 === 0) {
    const q = hasDq ? "'" : '"';
    // A raw string cannot hold an escaped quote of its own kind: `\"` would stay two characters,
    // which is what the regex means anyway, but a bare quote would end the literal.
    return `r${q}${pattern}${q}`;
  }
  return pyString(pattern);
}

/**
 * A number literal with the value the reference semantics reads (an IEEE double): safe integers
 * as ints, everything else as a float literal that parses to the same double.
 */
export function pyNumber(n: number): string {
  if (Object.is(n, -0)) return "0";
  if (Number.isSafeInteger(n)) return String(n);
  if (!Number.isFinite(n)) return n > 0 ? 'float("inf")' : 'float("-inf")';
  if (Number.isInteger(n)) return n.toExponential().replace("e+", "e");
  const s = String(n);
  return s.replace("e+", "e");
}

/** `True` / `False`. */
export function pyBool(b: boolean): string {
  return b ? "True" : "False";
}

/** Text for inside a """docstring""": backslashes and every double quote escaped. */
export function docstringText(s: string): string {
  return body(s, '"', false);
}

/** Longest piece of a long literal, in source characters (so a piece fits a line at any depth). */
export const PIECE = 60;

/**
 * A long literal as pieces for implicit concatenation ("abc" "def" is "abcdef"), which black keeps
 * one per line: the only way to keep such a line within 100 columns without changing the value.
 */
export function pyStringPieces(s: string): string[] {
  const whole = pyString(s);
  if (whole.length <= PIECE + 10) return [whole];
  // Cut a piece before the character that would make pyString(piece) longer than PIECE. The
  // length of pyString(chunk) is kept as the chunk grows: its quotes and body, under either quote
  // (the body of a character is the same under both unless it is that quote).
  const pieces: string[] = [];
  let start = 0;
  let dq = 0;
  let sq = 0;
  let lenDouble = 0;
  let lenSingle = 0;
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    let cp = c;
    let units = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        units = 2;
      }
    }
    const w = cp === 0x5c ? 2 : mustEscape(cp) ? escapeChar(cp).length : units;
    const wDouble = cp === 0x22 ? 2 : w;
    const wSingle = cp === 0x27 ? 2 : w;
    const isDq = cp === 0x22 ? 1 : 0;
    const isSq = cp === 0x27 ? 1 : 0;
    // pyString(chunk + ch).length: two quotes and the body under the quote quoteFor picks.
    const length = 2 + (dq + isDq > sq + isSq ? lenSingle + wSingle : lenDouble + wDouble);
    if (length > PIECE && i > start) {
      pieces.push(s.slice(start, i));
      start = i;
      dq = sq = lenDouble = lenSingle = 0;
    }
    dq += isDq;
    sq += isSq;
    lenDouble += wDouble;
    lenSingle += wSingle;
    i += units;
  }
  if (start < s.length) pieces.push(s.slice(start));
  // One quote style for all pieces (black judges each piece alone, so pick per piece).
  return pieces.map(pyString);
}

/** A long regular expression as raw-string pieces, never splitting an escape. */
export function pyRegexPieces(pattern: string): string[] {
  const whole = pyRegex(pattern);
  if (whole.length <= PIECE + 10) return [whole];
  if (!whole.startsWith("r")) return pyStringPieces(pattern);
  const pieces: string[] = [];
  let chunk = "";
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    // An escape stays with the character it escapes.
    const unit = chars[i] === "\\" && i + 1 < chars.length ? chars[i] + chars[++i]! : chars[i]!;
    if (chunk.length + unit.length > PIECE - 3 && chunk !== "") {
      pieces.push(chunk);
      chunk = "";
    }
    chunk += unit;
  }
  if (chunk !== "") pieces.push(chunk);
  return pieces.map(pyRegex);
}
