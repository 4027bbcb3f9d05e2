import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Config } from "../config/config.js";
import { CONFIG_FILE } from "../config/name.js";
import type { Diagnostic } from "../diagnostics.js";

/** Finds `rulec.config.yml` at the library root or the nearest parent, and reads it. */
export function findConfig(paths: readonly string[], explicit?: string): string | undefined {
  if (explicit !== undefined) return explicit;
  const first = paths[0] ?? ".";
  let dir = resolve(first);
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    dir = process.cwd();
  }
  for (;;) {
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The configuration: none when there is no file (the YAML parser and the targets' option checks
 * are loaded only to read one).
 */
export async function loadConfig(paths: readonly string[], explicit?: string): Promise<{ config: Config; file?: string; diagnostics: Diagnostic[]; text?: string }> {
  const file = findConfig(paths, explicit);
  if (file === undefined) return { config: {}, diagnostics: [] };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return { config: {}, file, diagnostics: [{ code: "RC502", severity: "error", message: `cannot read the configuration: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, file }] };
  }
  const { config, diagnostics } = (await import("../config/config.js")).parseConfig(text, file);
  return { config, file, diagnostics, text };
}
