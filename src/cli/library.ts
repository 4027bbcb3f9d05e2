import { createHash } from "node:crypto";
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileDiagnostic, type Diagnostic } from "../diagnostics.js";
import { decodeRuleFile, duplicateNameDiagnostic, duplicateRuleIds, loadRuleText } from "../rules/load.js";
import type { Rule } from "../rules/types.js";
import { MAX_YAML_CHARS } from "../rules/yaml.js";

/** Reading rule files: the file-system edge of the loader. */

export interface Library {
  readonly rules: Rule[];
  readonly diagnostics: Diagnostic[];
  /** The text of every file read, for code frames. */
  readonly sources: Map<string, string>;
  /** Every rule file found, loaded or not, in order. */
  readonly files: string[];
  /** Files that had errors (no rule loaded). */
  readonly failed: string[];
}

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
  const r = relative(process.cwd(), p);
  return (r === "" || r.startsWith("..") ? p : r).split(sep).join("/");
}

/** One rule file read, decoded and loaded; `text` is undefined when it could not be read or decoded. */
export interface LoadedFile {
  readonly text?: string;
  readonly rule?: Rule;
  readonly diagnostics: Diagnostic[];
  /** With `{ fingerprint: true }`: what the file was when read (for the build cache). */
  readonly fingerprint?: FileFingerprint;
}

/** A file's identity for the build cache: its content's hash and what stat said of it. */
export interface FileFingerprint {
  readonly sha: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

/** The hash the build cache keys files by. */
export function contentHash(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("base64url").slice(0, 22);
}

export function loadFile(file: string, options: { fingerprint?: boolean } = {}): LoadedFile {
  let bytes: Buffer;
  let fingerprint: FileFingerprint | undefined;
  try {
    const st = statSync(file);
    const size = st.size;
    // A file far past the limit is not read at all (the loader refuses what is just past it).
    if (size > 2 * MAX_YAML_CHARS) {
      return { diagnostics: [fileDiagnostic("RC330", `rule file too large: the file is ${(size / 1024 / 1024).toFixed(0)} MiB; rulec reads YAML files up to ${MAX_YAML_CHARS / 1024 / 1024} MiB`, file, undefined)] };
    }
    bytes = readFileSync(file);
    if (options.fingerprint) fingerprint = { sha: contentHash(bytes), size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  } catch (e) {
    return { diagnostics: [fileDiagnostic("RC312", `cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, file, undefined)] };
  }
  const with_ = fingerprint === undefined ? {} : { fingerprint };
  const decoded = decodeRuleFile(bytes, file);
  if (decoded.text === undefined) return { diagnostics: [...decoded.diagnostics], ...with_ };
  const result = loadRuleText(decoded.text, file);
  return { text: decoded.text, rule: result.rule, diagnostics: [...result.diagnostics], ...with_ };
}

export function loadLibrary(paths: readonly string[]): Library {
  const { files, diagnostics } = expandPaths(paths);
  const rules: Rule[] = [];
  const sources = new Map<string, string>();
  const failed: string[] = [];
  for (const file of files) {
    const loaded = loadFile(file);
    if (loaded.text !== undefined) sources.set(file, loaded.text);
    diagnostics.push(...loaded.diagnostics);
    if (loaded.rule) rules.push(loaded.rule);
    else failed.push(file);
  }
  const duplicates = duplicateRuleIds(rules, sources);
  // Two files with one name (in different folders) would write the same outputs.
  const names = new Map<string, string>();
  for (const r of rules) {
    const first = names.get(r.name);
    if (first === undefined) names.set(r.name, r.file);
    else duplicates.push(duplicateNameDiagnostic(r.file, r.name, first));
  }
  diagnostics.push(...duplicates);
  const dupFiles = new Set(duplicates.map((d) => d.file));
  return {
    rules: rules.filter((r) => !dupFiles.has(r.file)),
    diagnostics,
    sources,
    files,
    failed: [...failed, ...dupFiles].filter((f): f is string => f !== undefined),
  };
}

/** For tests and tools: `{rules, diagnostics, sources}` of some paths. */
export function loadRuleFiles(paths: readonly string[]): { rules: Rule[]; diagnostics: Diagnostic[]; sources: Map<string, string> } {
  const lib = loadLibrary(paths);
  return { rules: lib.rules, diagnostics: lib.diagnostics, sources: lib.sources };
}
