/**
 * `like` patterns: `*` any run of characters, `?` exactly one character (code point), `\*` `\?`
 * `\\` literal; a backslash before anything else is a literal backslash. The whole value must match.
 */

export type GlobPart = { readonly t: "star" } | { readonly t: "one" } | { readonly t: "text"; readonly text: string };

export function parseGlob(pattern: string): GlobPart[] {
  const parts: GlobPart[] = [];
  let text = "";
  const flush = () => {
    if (text !== "") parts.push({ t: "text", text });
    text = "";
  };
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\") {
      const next = pattern[i + 1];
      if (next === "*" || next === "?" || next === "\\") {
        text += next;
        i++;
      } else {
        text += "\\";
      }
    } else if (ch === "*") {
      flush();
      if (parts[parts.length - 1]?.t !== "star") parts.push({ t: "star" });
    } else if (ch === "?") {
      flush();
      parts.push({ t: "one" });
    } else {
      text += ch;
    }
  }
  flush();
  return parts;
}

/** True when the pattern has a wildcard (a `like` without one is a plain `eq`). */
export function hasWildcard(pattern: string): boolean {
  return parseGlob(pattern).some((p) => p.t !== "text");
}

function escapeJs(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}/]/g, "\\$&");
}

export function globToRegExp(pattern: string): RegExp {
  const body = parseGlob(pattern)
    .map((p) => (p.t === "star" ? "[\\s\\S]*" : p.t === "one" ? "[\\s\\S]" : escapeJs(p.text)))
    .join("");
  return new RegExp(`^${body}$`, "u");
}
