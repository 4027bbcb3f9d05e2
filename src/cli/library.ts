import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { fileDiagnostic, type Diagnostic } from "../diagnostics.js";
import { decodeRuleFile, duplicateNameDiagnostic, duplicateRuleIds, loadRuleText } from "../rules/load.js";
import type { Rule } from "../rules/types.js";
import { MAX_YAML_CHARS } from "../rules/yaml.js";
import { contentHash, expandPaths, type FileFingerprint } from "./paths.js";

export { contentHash, expandPaths, type FileFingerprint };

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

/** One rule file read, decoded and loaded; `text` is undefined when it could not be read or decoded. */
export interface LoadedFile {
  readonly text?: string;
  readonly rule?: Rule;
  readonly diagnostics: Diagnostic[];
  /** With `{ fingerprint: true }`: what the file was when read (for the build cache). */
  readonly fingerprint?: FileFingerprint;
}

export function loadFile(file: string, options: { fingerprint?: boolean } = {}): LoadedFile {
  let bytes: Buffer;
  let fingerprint: FileFingerprint | undefined;
  // One open for the stat and the bytes (a path lookup fewer than statSync then readFileSync).
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const st = fstatSync(fd);
    // A file far past the limit is not read at all (the loader refuses what is just past it).
    if (st.size > 2 * MAX_YAML_CHARS) {
      return { diagnostics: [fileDiagnostic("RC330", `rule file too large: the file is ${(st.size / 1024 / 1024).toFixed(0)} MiB; rulec reads YAML files up to ${MAX_YAML_CHARS / 1024 / 1024} MiB`, file, undefined)] };
    }
    bytes = readFileSync(fd);
    if (options.fingerprint) fingerprint = { sha: contentHash(bytes), size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  } catch (e) {
    return { diagnostics: [fileDiagnostic("RC312", `cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, file, undefined)] };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return loadBytes(file, bytes, fingerprint);
}

function loadBytes(file: string, bytes: Buffer, fingerprint: FileFingerprint | undefined): LoadedFile {
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
