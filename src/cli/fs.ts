import {
  mkdirSync,
  readdirSync,
  readFile as readFileCb,
  readFileSync,
  rename as renameCb,
  renameSync,
  rm as rmCb,
  rmSync,
  writeFile as writeFileCb,
  writeFileSync,
} from "node:fs";
import { mkdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** The temporary files being written, removed if the process is interrupted (Ctrl-C, kill). */
const pending = new Set<string>();
let handlersInstalled = false;

/** Files to remove if the process is interrupted (a lock it holds), besides the temporary files. */
const held = new Set<string>();

/** Removes `path` if the process is interrupted before `release` is called. */
export function removeOnInterrupt(path: string): { release(): void } {
  installInterruptHandlers();
  held.add(path);
  return { release: () => void held.delete(path) };
}

/** On Ctrl-C (or kill): remove what is half done, say so, exit 130 (143 for SIGTERM, 129 for SIGHUP). */
export function installInterruptHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      // A command that handles the signal itself (an Athena hunt stops its queries) goes first; a
      // second Ctrl-C then ends the process here.
      if (process.listenerCount(signal) > 1) return;
      process.stderr.write(`\nrulec: interrupted (${signal})\n`);
      for (const tmp of pending) rmSync(tmp, { force: true });
      // A write on libuv's thread pool may be creating one of them just now (later on a busy machine):
      // let it land, remove again, for up to half a second.
      for (let waited = 0; pending.size > 0 && waited < 500; waited += 20) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        for (const tmp of pending) rmSync(tmp, { force: true });
      }
      for (const path of held) rmSync(path, { force: true });
      process.exit(signal === "SIGINT" ? 130 : signal === "SIGHUP" ? 129 : 143);
    });
  }
}

/** A temporary file name of writeAtomic: `<file>.<pid>.tmp`. */
export const TEMPORARY = /\.\d+\.tmp$/;

/** Writes through a temporary file and a rename, so a reader never sees a half-written file. */
export function writeAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeAtomicInto(path, content);
}

/** writeAtomic into a folder that exists. */
function writeAtomicInto(path: string, content: string): void {
  installInterruptHandlers();
  const tmp = `${path}.${process.pid}.tmp`;
  pending.add(tmp);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    pending.delete(tmp);
  }
}

/**
 * The same, asynchronously: between its steps the process can take Ctrl-C, and the handler
 * removes the temporary file it was writing.
 */
export async function writeAtomicAsync(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await new Promise<void>((resolve, reject) => writeAtomicCallback(path, content, (e) => (e ? reject(e) : resolve())));
}

/** What a FileSync did with one file. */
export type SyncOutcome =
  | { readonly status: "unchanged" | "different" | "written" }
  | { readonly status: "failed"; readonly code: string };

/** Files in flight at once: the reads run on libuv's thread pool. */
const SYNC_CONCURRENCY = 16;

/**
 * Brings files under `dir` up to date as they are pushed: each one is read (unless its folder did
 * not hold it) and, when its content differs or it does not exist, written atomically, unless
 * `check` (then it is only counted `different`). Many at once, while the caller goes on (and may
 * wait in `drain` when it runs ahead).
 */
export class FileSync {
  /** Paths by outcome; each list in the order the files finished. */
  readonly unchanged: string[] = [];
  readonly different: string[] = [];
  readonly written: string[] = [];
  readonly failed: { readonly path: string; readonly code: string }[] = [];
  private readonly queue: { readonly path: string; readonly content: string }[] = [];
  private head = 0;
  private running = 0;
  private readonly dirs = new Set<string>();
  /** Each folder's names when this build first wrote into it (empty: the folder did not exist). */
  private readonly listed = new Map<string, ReadonlySet<string>>();
  private waiters: (() => void)[] = [];

  constructor(
    private readonly dir: string,
    private readonly options: {
      readonly check: boolean;
      /** Called with files pushed together before any of them is written (the build's journal). */
      readonly beforeWrite?: (files: readonly { readonly path: string }[]) => void;
      /** Called before each write: what `beforeWrite` took must be on disk by then (a failure fails the file). */
      readonly flush?: () => void;
    },
  ) {}

  /** Files pushed and not yet finished. */
  get backlog(): number {
    return this.queue.length - this.head + this.running;
  }

  push(file: { readonly path: string; readonly content: string }): void {
    this.queue.push(file);
    this.pump();
  }

  /** Several files at once (one rule's outputs): `beforeWrite`, when given, sees them first. */
  pushAll(files: readonly { readonly path: string; readonly content: string }[]): void {
    if (files.length === 0) return;
    if (!this.options.check) this.options.beforeWrite?.(files);
    for (const f of files) this.queue.push(f);
    this.pump();
  }

  /** Resolves once at most `limit` files are waiting or in flight. */
  async drain(limit = 0): Promise<void> {
    while (this.backlog > limit) await new Promise<void>((r) => this.waiters.push(r));
  }

  private pump(): void {
    while (this.running < SYNC_CONCURRENCY && this.head < this.queue.length) {
      const file = this.queue[this.head++]!;
      if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.running++;
      this.one(file, (outcome) => {
        this.running--;
        if (outcome.status === "failed") this.failed.push({ path: file.path, code: outcome.code });
        else this[outcome.status].push(file.path);
        this.pump();
        const waiters = this.waiters;
        this.waiters = [];
        for (const w of waiters) w();
      });
    }
  }

  /**
   * The names in `folder` when this build first came to it. The build holds the output
   * directory's lock, so a file not listed then is one this build creates: it is written without
   * reading it first (a cold build's 13,000 reads that fail, each an exception, cost more than a
   * listing of each target's folder).
   */
  private listing(folder: string): ReadonlySet<string> {
    let names = this.listed.get(folder);
    if (names === undefined) {
      try {
        names = new Set(readdirSync(folder));
      } catch {
        names = new Set();
      }
      this.listed.set(folder, names);
    }
    return names;
  }

  /**
   * One file: read through a node:fs callback when its folder held it (lighter on the main thread
   * than node:fs/promises), then, when it is new or its content differs, written. Never called back
   * before it returns (pump would recurse once per file).
   */
  private one(f: { readonly path: string; readonly content: string }, done: (o: SyncOutcome) => void): void {
    const path = join(this.dir, f.path);
    const parent = dirname(path);
    if (!this.listing(parent).has(basename(path))) return queueMicrotask(() => done(this.update(path, parent, f.content)));
    readFileCb(path, "utf8", (readError, existing) => done(!readError && existing === f.content ? { status: "unchanged" } : this.update(path, parent, f.content)));
  }

  /**
   * A file that is new or differs: `different` under `check`; else written at once, on this thread
   * (a temporary file and a rename cost less CPU synchronously than as three round trips through
   * libuv's thread pool).
   */
  private update(path: string, parent: string, content: string): SyncOutcome {
    if (this.options.check) return { status: "different" };
    try {
      this.options.flush?.();
      if (!this.dirs.has(parent)) {
        mkdirSync(parent, { recursive: true });
        this.dirs.add(parent);
      }
      writeAtomicInto(path, content);
      return { status: "written" };
    } catch (e) {
      return { status: "failed", code: (e as NodeJS.ErrnoException).code ?? String(e) };
    }
  }
}

/** Writes through a temporary file and a rename into a directory that exists; calls back once. */
function writeAtomicCallback(path: string, content: string, done: (e?: NodeJS.ErrnoException) => void): void {
  installInterruptHandlers();
  const tmp = `${path}.${process.pid}.tmp`;
  pending.add(tmp);
  const undo = (e: NodeJS.ErrnoException): void =>
    rmCb(tmp, { force: true }, () => {
      pending.delete(tmp);
      done(e);
    });
  writeFileCb(tmp, content, (writeError) => {
    if (writeError) return undo(writeError);
    renameCb(tmp, path, (renameError) => {
      if (renameError) return undo(renameError);
      pending.delete(tmp);
      done();
    });
  });
}

/**
 * Removes temporary files a killed earlier run left behind (only writeAtomic's own names): in
 * `dir` itself, and with `deep` (the default) in every folder under it.
 */
export function removeLeftovers(dir: string, options: { deep?: boolean } = {}): number {
  const deep = options.deep ?? true;
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
      if (e.isDirectory()) {
        if (deep) walk(p);
      } else if (TEMPORARY.test(e.name)) {
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
