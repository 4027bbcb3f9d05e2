import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileDiagnostic, type Diagnostic } from "../diagnostics.js";
import { decodeRuleFile, duplicateRuleIds, loadRuleText } from "../rules/load.js";
import type { Rule } from "../rules/types.js";

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

/** Paths (files or directories, recursively `*.yml`/`*.yaml`) -> rule files, sorted, unique. */
export function expandPaths(paths: readonly string[]): { files: string[]; diagnostics: Diagnostic[] } {
  const files = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && RULE_FILE.test(e.name) && !/^rulec\.config\.ya?ml$/i.test(e.name)) files.add(p);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      diagnostics.push(fileDiagnostic("RC312", `no such file or directory: ${p}`, p, undefined));
      continue;
    }
    if (st.isDirectory()) walk(p);
    else files.add(p);
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
}

export function loadFile(file: string): LoadedFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return { diagnostics: [fileDiagnostic("RC312", `cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, file, undefined)] };
  }
  const decoded = decodeRuleFile(bytes, file);
  if (decoded.text === undefined) return { diagnostics: [...decoded.diagnostics] };
  const result = loadRuleText(decoded.text, file);
  return { text: decoded.text, rule: result.rule, diagnostics: [...result.diagnostics] };
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
