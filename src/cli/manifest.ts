import { appendFileSync, linkSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import { TARGET_NAMES } from "../targets/names.js";
import { removeOnInterrupt } from "./fs.js";

/**
 * The output directory's own state, kept beside the outputs:
 * - `.rulec-manifest.json`: every file rulec wrote there, with the rule file it came from; the only
 *   files a build ever removes are the ones it names.
 * - `.rulec-journal`: while a build runs, each output it is about to write for the first time
 *   (`path<TAB>source` lines, appended before the write). A build that is interrupted leaves it
 *   behind, and the next build reads it as part of the manifest, so nothing the interrupted build
 *   wrote is forgotten.
 * - `.rulec-lock`: held by the build (or check) using the directory; another one waits for it.
 */

export const MANIFEST = ".rulec-manifest.json";
export const JOURNAL = ".rulec-journal";
export const LOCK = ".rulec-lock";

/** An output path as the manifest names it: `<target>/<file>`, nothing else. */
const OUTPUT_PATH = new RegExp(`^(?:${TARGET_NAMES.join("|")})/[^/\\\\\\0]+$`);

/**
 * True when `path` (relative, `/`-separated) can be a file a build wrote: `<target>/<file name>`,
 * no `..`, no absolute path, and, where the folders exist, not through a link that leaves `out`.
 */
export function isOutputPath(out: string, path: string): boolean {
  if (!OUTPUT_PATH.test(path) || path.endsWith("/.") || path.endsWith("/..")) return false;
  for (const target of TARGET_NAMES) if (path.startsWith(target) && path.charCodeAt(target.length) === 47) return targetFolderInside(out, target);
  return false;
}

/** Whether out/<target> is (or will be) a folder of out itself, not a link elsewhere; per manifest read. */
const folders = new Map<string, Map<string, boolean>>();

function targetFolderInside(out: string, target: string): boolean {
  let known = folders.get(out);
  if (known === undefined) folders.set(out, (known = new Map()));
  let inside = known.get(target);
  if (inside === undefined) {
    try {
      inside = realpathSync(join(out, target)) === join(realpathSync(out), target);
    } catch {
      // The folder does not exist (yet): nothing there to touch, and nothing outside either.
      inside = true;
    }
    known.set(target, inside);
  }
  return inside;
}

export interface ManifestState {
  /** Output path (relative to out/) -> its rule file (relative to out/). */
  readonly files: Map<string, string>;
  /** Entries that name something other than an output file of out/: ignored, never touched. */
  readonly refused: readonly string[];
  /** True when an interrupted build left its journal. */
  readonly interrupted: boolean;
}

/** The manifest and any journal an interrupted build left, with entries outside out/ refused. */
export function readManifest(out: string): ManifestState {
  folders.clear();
  const files = new Map<string, string>();
  const refused: string[] = [];
  const add = (path: string, source: unknown) => {
    if (typeof source === "string" && isOutputPath(out, path)) files.set(path, source);
    else refused.push(path);
  };
  try {
    const m = JSON.parse(readFileSync(join(out, MANIFEST), "utf8")) as { files?: unknown };
    if (typeof m.files === "object" && m.files !== null && !Array.isArray(m.files)) {
      const entries = m.files as Record<string, unknown>;
      for (const path in entries) add(path, entries[path]);
    }
  } catch {
    // No manifest, or not one: nothing is known to be ours.
  }
  let interrupted = false;
  try {
    const journal = readFileSync(join(out, JOURNAL), "utf8");
    interrupted = true;
    for (const line of journal.split("\n")) {
      const tab = line.indexOf("\t");
      if (tab > 0) add(line.slice(0, tab), line.slice(tab + 1));
    }
  } catch {
    // No journal: the last build finished.
  }
  return { files, refused, interrupted };
}

/** The manifest's text: entries sorted by path. */
export function manifestText(files: ReadonlyMap<string, string>): string {
  const sorted = Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({ files: sorted }, null, 2) + "\n";
}

/** Appends to the journal the outputs a build is about to write for the first time. */
export class Journal {
  private readonly file: string;

  constructor(
    out: string,
    /** Paths the manifest already names: written before, nothing to record. */
    private readonly known: ReadonlyMap<string, string>,
  ) {
    this.file = join(out, JOURNAL);
  }

  /**
   * Marks the build as under way: the journal exists from here until the build's manifest is
   * written, so a build that is interrupted, even before it writes anything new, is known to the
   * next one (which then clears what it left).
   */
  begin(): void {
    appendFileSync(this.file, "");
  }

  /** Records not yet in the file. */
  private pending = "";

  /**
   * Takes `path -> source` pairs to record; they reach the file at the next `flush`, which the
   * build calls before it writes any output, so every output is in the file before it is written
   * (one append for the outputs of every rule that landed together, not one per rule).
   */
  record(entries: readonly { readonly path: string; readonly source: string }[]): void {
    for (const e of entries) if (!this.known.has(e.path)) this.pending += `${e.path}\t${e.source}\n`;
  }

  /** Appends what was recorded since the last flush (nothing to do when nothing was). */
  flush(): void {
    if (this.pending === "") return;
    appendFileSync(this.file, this.pending);
    this.pending = "";
  }

  /** The build finished and its manifest is written: the journal has served. */
  remove(): void {
    rmSync(this.file, { force: true });
  }
}

/** Rule file -> its manifest name, per output directory and working directory. */
const sources = new Map<string, Map<string, string>>();
let sourceCount = 0;
let [lastOut, lastCwd, lastNames, lastPrefix, lastGuard]: [string?, string?, Map<string, string>?, string?, string?] = [];

/** A relative path with no `.` or `..` part, no empty part and no backslash (as rule files are listed). */
const PLAIN = /^(?!\.\.?(?:\/|$))(?!.*\/\.\.?(?:\/|$))(?!.*\/\/)[^/\\][^\\]*$/;

/** `relative(out, file)` with `/` separators: how the manifest names a rule file. */
export function manifestSource(out: string, file: string): string {
  const cwd = process.cwd();
  let names = out === lastOut && cwd === lastCwd ? lastNames : undefined;
  if (names === undefined) {
    const base = `${out}\0${cwd}`;
    names = sources.get(base);
    if (names === undefined) sources.set(base, (names = new Map()));
    [lastOut, lastCwd, lastNames] = [out, cwd, names];
    // The working directory as seen from out/: a plain relative file is that and the file, unless
    // the working directory holds out/ and the file's first part is the way down to it (then
    // relative() is shorter: `../../a.yml`, not `../../../rules/a.yml`).
    lastPrefix = sep === "/" ? relative(out, cwd) : undefined;
    lastGuard = lastPrefix !== undefined && /^(?:\.\.(?:\/|$))*$/.test(lastPrefix) ? relative(cwd, out).split("/")[0] : undefined;
  }
  let s = names.get(file);
  if (s === undefined) {
    const plain = lastPrefix !== undefined && PLAIN.test(file) && !file.endsWith("/") && (lastGuard === undefined || !(file.startsWith(lastGuard) && (file.length === lastGuard.length || file[lastGuard.length] === "/")));
    s = plain ? (lastPrefix === "" ? file : `${lastPrefix}/${file}`) : relative(out, resolve(file)).split(sep).join("/");
    if (++sourceCount > 1_000_000) {
      sources.clear();
      sourceCount = 0;
      lastNames = undefined;
    }
    names.set(file, s);
  }
  return s;
}

// --- the lock ----------------------------------------------------------------------------------

interface Holder {
  readonly pid: number;
  readonly host: string;
  /** The holder's start time as the kernel counts it (Linux), to tell a reused pid apart. */
  readonly start?: string;
}

function processStart(pid: number): string | undefined {
  try {
    // Field 22 of /proc/<pid>/stat, after the parenthesised command name (which may hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function alive(holder: Holder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const start = processStart(holder.pid);
  return holder.start === undefined || start === undefined || start === holder.start;
}

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, "utf8")) as Holder;
    return typeof h.pid === "number" && typeof h.host === "string" ? h : undefined;
  } catch {
    return undefined;
  }
}

export interface Lock {
  release(): void;
}

/**
 * Takes out/'s lock, waiting while another live rulec holds it (`onWait` is told once, with the
 * holder's pid). A lock whose holder is gone (killed, crashed) is taken over. `out` must exist.
 */
export async function acquireLock(out: string, onWait?: (pid: number) => void): Promise<Lock> {
  const file = join(out, LOCK);
  const me: Holder = { pid: process.pid, host: hostname(), ...(processStart(process.pid) === undefined ? {} : { start: processStart(process.pid)! }) };
  const text = JSON.stringify(me) + "\n";
  let told = false;
  for (let attempt = 0; ; attempt++) {
    // Written whole under a name of our own, then linked to the lock's name: the lock never
    // exists without its holder in it, and the link fails if another holds it.
    const mine = `${file}.${process.pid}.tmp`;
    writeFileSync(mine, text);
    try {
      try {
        linkSync(mine, file);
      } catch (e) {
        // A file system without hard links: create it exclusively instead.
        if ((e as NodeJS.ErrnoException).code === "EEXIST") throw e;
        writeFileSync(file, text, { flag: "wx" });
      }
      const cleanup = removeOnInterrupt(file);
      return {
        release: () => {
          cleanup.release();
          if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    } finally {
      rmSync(mine, { force: true });
    }
    const holder = readHolder(file);
    if (holder === undefined || !alive(holder)) {
      // Gone (or unreadable): move it aside under a name of our own, so two
      // waiters cannot both remove the lock a third has just taken.
      const aside = `${file}.stale.${process.pid}.tmp`;
      try {
        renameSync(file, aside);
        const moved = readHolder(aside);
        if (moved !== undefined && alive(moved)) renameSync(aside, file);
        else rmSync(aside, { force: true });
      } catch {
        // Someone else moved it first.
      }
      continue;
    }
    if (!told) {
      told = true;
      onWait?.(holder.pid);
    }
    await new Promise((r) => setTimeout(r, Math.min(50 + attempt * 10, 500)));
  }
}
