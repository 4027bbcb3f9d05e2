import * as crypto from "node:crypto";
import { readdirSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, normalize, relative, sep } from "node:path";
import { fileDiagnostic, type Diagnostic } from "../diagnostics.js";

/** Finding rule files and fingerprinting them: what a build needs before it loads any rule. */

const RULE_FILE = /\.ya?ml$/i;

/**
 * Paths (files or directories, recursively `*.yml`/`*.yaml`) -> rule files, sorted, unique.
 * Symbolic links are followed (a link loop, or a link to nothing, is reported); a path that does
 * not exist, or a directory without rule files, is an error.
 */
export function expandPaths(paths: readonly string[]): { files: string[]; diagnostics: Diagnostic[] } {
  const files = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const problem = (p: string, e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file or directory" : code === "ELOOP" ? "a loop of symbolic links" : code === "EACCES" ? "permission denied" : `cannot read it (${code ?? String(e)})`;
    diagnostics.push(fileDiagnostic("RC312", `${why}: ${p}`, p, undefined));
  };
  /** Real paths of the directories being walked: a link back to one of them is a loop. */
  const open = new Set<string>();
  const walk = (dir: string) => {
    let real: string;
    let entries;
    try {
      real = realpathSync(dir);
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (e) {
      problem(dir, e);
      return;
    }
    if (open.has(real)) {
      diagnostics.push(fileDiagnostic("RC312", `a loop of symbolic links: ${dir} leads back to ${display(real)}`, dir, undefined));
      return;
    }
    open.add(real);
    for (const e of entries) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const p = join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const st = statSync(p);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (err) {
          if (RULE_FILE.test(e.name) || (err as NodeJS.ErrnoException).code === "ELOOP") problem(p, err);
          continue;
        }
      }
      if (isDir) walk(p);
      else if (isFile && RULE_FILE.test(e.name) && !/^rulec\.config\.ya?ml$/i.test(e.name)) files.add(p);
    }
    open.delete(real);
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      problem(p, e);
      continue;
    }
    if (st.isDirectory()) {
      const before = files.size;
      walk(p);
      if (files.size === before) diagnostics.push(fileDiagnostic("RC312", `no rule files (*.yml, *.yaml) in ${p}`, p, undefined));
    } else files.add(p);
  }
  return { files: [...files].map(display), diagnostics };
}

function display(p: string): string {
  // A relative path inside the working directory is shown as it is, normalized.
  if (!isAbsolute(p)) {
    const n = normalize(p);
    if (n !== "." && n !== ".." && !n.startsWith(`..${sep}`)) return sep === "/" ? n : n.split(sep).join("/");
  }
  const r = relative(process.cwd(), p);
  return (r === "" || r.startsWith("..") ? p : r).split(sep).join("/");
}

/** A file's identity for the build cache: its content's hash and what stat said of it. */
export interface FileFingerprint {
  readonly sha: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

/** Node's one-shot hash (20.12 and later): the same digest as a Hash object, at half the cost for a small file. */
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array | string, encoding: "base64url") => string }).hash;

/** The hash the build cache keys files by: SHA-256 (of a string's UTF-8), base64url, 22 characters. */
export function contentHash(bytes: Uint8Array | string): string {
  const digest = oneShot === undefined ? crypto.createHash("sha256").update(bytes).digest("base64url") : oneShot("sha256", bytes, "base64url");
  return digest.slice(0, 22);
}
