import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** The temporary file being written, removed if the process is interrupted (Ctrl-C, kill). */
let pending: string | undefined;
let handlersInstalled = false;

function installInterruptHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      if (pending !== undefined) rmSync(pending, { force: true });
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
}

/** A temporary file name of writeAtomic: `<file>.<pid>.tmp`. */
export const TEMPORARY = /\.\d+\.tmp$/;

/** Writes through a temporary file and a rename, so a reader never sees a half-written file. */
export function writeAtomic(path: string, content: string): void {
  installInterruptHandlers();
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  pending = tmp;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    pending = undefined;
  }
}

/**
 * The same, asynchronously: between its steps the process can take Ctrl-C, and the handler
 * removes the temporary file it was writing.
 */
export async function writeAtomicAsync(path: string, content: string): Promise<void> {
  installInterruptHandlers();
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  pending = tmp;
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    pending = undefined;
  }
}

/** Removes temporary files a killed earlier run left behind (only writeAtomic's own names). */
export function removeLeftovers(dir: string): number {
  let removed = 0;
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (TEMPORARY.test(e.name)) {
        rmSync(p, { force: true });
        removed++;
      }
    }
  };
  walk(dir);
  return removed;
}

export function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

export function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}${err.message ? ` (${err.message.replace(/^\w+: /, "")})` : ""}` : String(e);
}
