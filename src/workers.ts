import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The compiled worker script `name` (e.g. "./worker.js") beside the module at `moduleUrl`.
 * Undefined when that module runs from the TypeScript sources (the test runner): no compiled worker
 * stands beside it, and one in dist/ might not match the sources; the caller then does the work on
 * the main thread.
 */
export function compiledWorker(name: string, moduleUrl: string): URL | undefined {
  if (!moduleUrl.endsWith(".js")) return undefined;
  const url = new URL(name, moduleUrl);
  return url.protocol === "file:" && existsSync(fileURLToPath(url)) ? url : undefined;
}
