import { createHash } from "node:crypto";
import { appendFileSync, closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync, type Stats } from "node:fs";
import { join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Diagnostic } from "../diagnostics.js";
import type { TargetOptions } from "../targets/types.js";
import { contentHash, type FileFingerprint } from "./paths.js";
import type { FileResult, TargetOutcome } from "./plan.js";
import { writeAtomic } from "./fs.js";
import { manifestSource } from "./manifest.js";

/**
 * The build cache, `out/.rulec-cache.jsonl`: a content-addressed record of what each rule file
 * compiled to, so that a build does no work for a rule whose file, compiler and target options are
 * unchanged (no parse, no Tests, no compile, no write).
 *
 * - A rule's record is keyed by its file's content hash, the compiler (the hash of rulec's own
 *   code and of the runtime's Unicode tables) and, per target, the target's options: any change
 *   to one of them and the rule is compiled again.
 * - It is trusted only when every output it names still holds the content it recorded: a file's
 *   hash is checked, or its stat (size, modification time, inode) when that is unchanged since the
 *   hash was taken and not recent enough to hide a same-instant edit. An output edited or removed
 *   by hand sends its rule through the compiler again.
 * - It is an accelerator only: deleted, stale, from another machine or another rulec, or cut short
 *   by an interrupted build, it is ignored or wrong entries are not trusted; the outputs never
 *   depend on it. It is written at the end of a build, under the output directory's lock.
 *
 * The cache is machine-specific (stat signatures), so the output directory gets a `.gitignore`
 * naming it when it has none.
 */

export const CACHE = ".rulec-cache.jsonl";
const VERSION = 6;
/** Bytes of records gathered before they are appended to the spool file. */
const SPOOL_FLUSH = 1 << 20;
/** A file modified this close to the cache's writing may have changed without its stat changing. */
const RACY_MS = 2000;

/**
 * A rule file's record, one flat JSON array (a large library's cache is read at every build, and
 * arrays cost JSON.parse and the garbage collector a fraction of objects keyed by file names): the
 * rule file as the manifest names it, its stat (size, modification time in ms, inode) and content
 * hash; its name and RuleID when it loaded (else null); its messages and failed Tests (null when
 * none); then a record per target.
 */
type Entry = [
  source: string,
  size: number,
  mtimeMs: number,
  ino: number,
  hash: string,
  name: string | null,
  ruleId: string | null,
  diagnostics: readonly Diagnostic[] | null,
  testFailures: readonly Diagnostic[] | null,
  ...targets: TargetRecord[],
];

/**
 * A target's record: its name, the key of its options, its messages (null when none), then five
 * slots per output: its path (`<target>/<file>`), its content hash, and its stat (size,
 * modification time, inode) when that was taken with the hash (else three nulls).
 */
type TargetRecord = [target: string, key: string, diagnostics: readonly Diagnostic[] | null, ...outputs: (string | number | null)[]];

/** Where a record's target records begin, and a target record's outputs. */
const TARGETS = 9;
const OUTPUTS = 3;

function targetRecord(entry: Entry, target: string): TargetRecord | undefined {
  for (let i = TARGETS; i < entry.length; i++) {
    const r = entry[i] as TargetRecord;
    if (r[0] === target) return r;
  }
  return undefined;
}

/**
 * The file, JSON lines: a header `{"version", "compiler"}`, a record line per rule file (Entry: the
 * rule file relative to out/, as the manifest names it) and a trailer `{"written", "rules"}` (when
 * it was written: stats this recent are not trusted; how many record lines precede it). A build
 * that learnt little appends its records and a new trailer (a later record of a rule file replaces
 * an earlier one); one that learnt much, or finds the file holding many superseded records, writes
 * it anew. Unless its last line is a trailer that counts every record line (cut short), it is
 * ignored. Lines, so that a large library's cache is written and read a record at a time.
 */
interface CacheFile {
  readonly written: number;
  /**
   * Each rule file's last record line, parsed when it is looked up (so that what a lookup reads is
   * garbage at once, not a large library's records kept to the end of the build).
   */
  readonly rules: ReadonlyMap<string, string>;
  /** Record lines in the file (a rule file recorded again has several). */
  readonly lines: number;
  /** The stamp of rulec's code recorded with the cache's compiler key vouched for it. */
  readonly stamped: boolean;
  /** The file's size and modification time when read: an append needs it unchanged. */
  readonly size: number;
  readonly mtimeMs: number;
}

let compilerMemo: { readonly key: string; readonly code: CodeStamp } | undefined;
let codeFilesMemo: string[] | undefined;

/** rulec's own code: the modules next to this one (compiled, or the sources under a TypeScript loader), in a fixed order. */
function codeFiles(): string[] {
  if (codeFilesMemo !== undefined) return codeFilesMemo;
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts|json)$/.test(e.name) && !e.name.endsWith(".d.ts")) files.push(p);
    }
  };
  walk(fileURLToPath(new URL("../", import.meta.url)));
  return (codeFilesMemo = files);
}

/** What the runtime contributes to outputs (its Unicode version, for lower-casing). */
const RUNTIME = JSON.stringify({ unicode: process.versions.unicode, icu: process.versions.icu });

/**
 * The compiler's identity: a hash of rulec's own code (the compiled modules next to this one) and
 * of what the runtime contributes to outputs.
 */
export function compilerKey(): string {
  return compiler().key;
}

/** The compiler key and the stamp taken before the code was read (a file changed after it changes the stamp). */
function compiler(): { readonly key: string; readonly code: CodeStamp } {
  if (compilerMemo !== undefined) return compilerMemo;
  const at = Date.now();
  const { stamp } = codeStamp();
  const hash = createHash("sha256");
  for (const p of codeFiles()) hash.update(p.slice(p.lastIndexOf(sep) + 1)).update(readFileSync(p));
  hash.update(RUNTIME);
  compilerMemo = { key: hash.digest("base64url").slice(0, 32), code: { stamp, at } };
  return compilerMemo;
}

/**
 * What vouches for the compiler key without reading the code: a hash of the code files' paths and
 * stats (size, modification time, inode) and of the runtime, with when it was taken (`at`) and the
 * newest modification time among them. The cache's header keeps the stamp taken with its key; a
 * later build whose stamp is the same, of files not modified within RACY_MS of `at`, has that key.
 */
interface CodeStamp {
  readonly stamp: string;
  readonly at: number;
}

function codeStamp(): { stamp: string; newest: number } {
  const hash = createHash("sha256");
  let newest = 0;
  for (const p of codeFiles()) {
    const st = statSync(p);
    if (st.mtimeMs > newest) newest = st.mtimeMs;
    hash.update(`${p}\0${st.size}\0${st.mtimeMs}\0${st.ino}\n`);
  }
  hash.update(RUNTIME);
  return { stamp: hash.digest("base64url").slice(0, 32), newest };
}

/**
 * The cache's compiler key when the stamp recorded with it vouches for it, else the key computed
 * from the code; `stamped` tells whether the stamp did (else the cache is given a new one).
 */
function compilerKeyFor(compiler: unknown, code: Partial<CodeStamp> | undefined): { key: string; stamped: boolean } {
  if (compilerMemo === undefined && typeof compiler === "string" && typeof code?.stamp === "string" && typeof code.at === "number") {
    const now = codeStamp();
    if (now.stamp === code.stamp && now.newest < code.at - RACY_MS) {
      compilerMemo = { key: compiler, code: { stamp: code.stamp, at: code.at } };
      return { key: compiler, stamped: true };
    }
  }
  const key = compilerKey();
  // In a process that computed the key, a stamp it wrote itself stands.
  return { key, stamped: code?.stamp === compilerMemo!.code.stamp && code.at === compilerMemo!.code.at };
}

/** The key of one target's options: records made with other options do not match. */
export function targetKey(target: string, options: TargetOptions): string {
  return contentHash(JSON.stringify([target, Object.entries(options).sort(([a], [b]) => (a < b ? -1 : 1))]));
}

const none: readonly Diagnostic[] = [];

const spanned = (d: Diagnostic): boolean => d.span !== undefined;

export class BuildCache {
  private readonly old: CacheFile | undefined;
  /** This build's records, spooled to a temporary file as they come (memory does not hold them). */
  private readonly spool: string;
  private buffer = "";
  private spooled = 0;
  /** The rule files this build recorded. */
  private readonly seen = new Set<string>();
  /** Lookups answered, for the summary and the benchmark. */
  hits = 0;
  /** Something was learnt that the cache on disk does not say (a new record, a new stat). */
  private dirty = false;

  constructor(
    private readonly out: string,
    /** Target name -> its key (targetKey) for the targets of this build. */
    private readonly keys: Readonly<Record<string, string>>,
    /** false: only look up (`build --check`, which writes nothing, the cache included). */
    private readonly writes = true,
  ) {
    this.old = read(join(out, CACHE));
    // A cache whose stamp of rulec's code no longer vouches for its key (the code was built again,
    // the same) gets a new stamp in the trailer it is written with.
    if (this.old !== undefined && !this.old.stamped) this.dirty = true;
    this.spool = join(out, `${CACHE}.spool.${process.pid}.tmp`);
  }

  /** Rule files whose record on disk stands as it is. */
  private readonly kept: string[] = [];
  /** Files hashed again (their stat did not vouch for them). */
  private rehashed = 0;

  private keep(source: string): void {
    if (!this.writes) return;
    this.seen.add(source);
    this.kept.push(source);
  }

  private put(entry: Entry): void {
    if (!this.writes) return;
    this.seen.add(entry[0]);
    this.buffer += JSON.stringify(entry) + "\n";
    this.spooled++;
    if (this.buffer.length > SPOOL_FLUSH) this.flush();
  }

  private flush(): void {
    if (this.buffer === "") return;
    appendFileSync(this.spool, this.buffer);
    this.buffer = "";
  }

  /** out/<path>: `out` is resolved (no trailing separator), so plain concatenation is join's result for a recorded `<target>/<file>`. */
  private outputFile(path: string): string {
    return sep === "/" && this.out !== "/" ? `${this.out}/${path}` : join(this.out, path);
  }

  /** The hash of a file: from its stat when that vouches for the known hash, else by reading it. */
  private hashOf(path: string, sha: string, size: unknown, mtimeMs: unknown, ino: unknown): { sha: string; stat: Stats } | undefined {
    let st: Stats | undefined;
    try {
      st = statSync(path, { throwIfNoEntry: false });
    } catch {
      return undefined;
    }
    if (st === undefined) return undefined;
    if (size === st.size && mtimeMs === st.mtimeMs && ino === st.ino && st.mtimeMs < this.old!.written - RACY_MS) return { sha, stat: st };
    this.dirty = true;
    this.rehashed++;
    try {
      return { sha: contentHash(readFileSync(path)), stat: st };
    } catch {
      return undefined;
    }
  }

  /**
   * The cached result of a rule file when its record matches the file, the compiler and every
   * target's options, and every output it names still holds what it recorded; else undefined.
   */
  lookup(file: string, targets: readonly string[]): FileResult | undefined {
    const old = this.old;
    if (old === undefined) return undefined;
    const source = manifestSource(this.out, file);
    const entry = recordOf(old.rules.get(source));
    if (entry === undefined) return undefined;
    const before = this.rehashed;
    const input = this.hashOf(file, entry[4], entry[1], entry[2], entry[3]);
    if (input === undefined || input.sha !== entry[4]) return undefined;
    const outcomes: TargetOutcome[] = [];
    const diagnostics = entry[7] ?? none;
    const testFailures = entry[8] ?? none;
    const loaded = entry[5] !== null && testFailures.length === 0;
    // Each output's fresh stat, kept only for a record that has to be written again.
    const stats: Stats[] = [];
    let framed = diagnostics.some(spanned) || testFailures.some(spanned);
    for (const t of loaded ? targets : []) {
      const r = targetRecord(entry, t);
      if (r === undefined || r[1] !== this.keys[t]) return undefined;
      const kept: string[] = [];
      for (let j = OUTPUTS; j < r.length; j += 5) {
        const path = r[j] as string;
        const sha = r[j + 1] as string;
        const now = this.hashOf(this.outputFile(path), sha, r[j + 2], r[j + 3], r[j + 4]);
        if (now === undefined || now.sha !== sha) return undefined;
        stats.push(now.stat);
        kept.push(path);
      }
      const messages = r[2] ?? none;
      if (!framed && messages.some(spanned)) framed = true;
      outcomes.push({ diagnostics: messages, files: [], kept });
    }
    // A record the cache on disk already holds as it is needs no new line, only its name.
    if (this.rehashed === before) this.keep(source);
    else {
      const again = entry.slice() as Entry;
      const st = input.stat;
      again[1] = st.size;
      again[2] = st.mtimeMs;
      again[3] = st.ino;
      let i = 0;
      for (const name of loaded ? targets : []) {
        const r = targetRecord(entry, name)!;
        const fresh = r.slice() as TargetRecord;
        for (let j = OUTPUTS; j < r.length; j += 5) {
          const o = stats[i++]!;
          fresh[j + 2] = o.size;
          fresh[j + 3] = o.mtimeMs;
          fresh[j + 4] = o.ino;
        }
        again[again.indexOf(r)] = fresh;
      }
      this.put(again);
    }
    this.hits++;
    // Code frames of its diagnostics need the text (read only then).
    let text: string | undefined;
    if (framed) {
      try {
        text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
      } catch {
        text = undefined;
      }
    }
    return {
      file,
      ...(text === undefined ? {} : { source: text }),
      diagnostics,
      ...(entry[5] === null ? {} : { rule: { name: entry[5], ruleId: entry[6]! } }),
      testFailures,
      targets: outcomes,
      cached: true,
    };
  }

  /** Records a rule file compiled in this build (its outputs' hashes from their text). */
  record(result: FileResult, targets: readonly string[]): void {
    const fp: FileFingerprint | undefined = result.fingerprint;
    if (result.cached || fp === undefined) return;
    this.dirty = true;
    const records: TargetRecord[] = result.targets.map((o, i) => {
      const r: TargetRecord = [targets[i]!, this.keys[targets[i]!]!, o.diagnostics.length > 0 ? o.diagnostics : null];
      for (const f of o.files) r.push(f.path, contentHash(f.content), null, null, null);
      return r;
    });
    const source = manifestSource(this.out, result.file);
    // The other targets' records of the same content stay (a build of one target keeps the rest).
    const prev = recordOf(this.old?.rules.get(source));
    if (prev !== undefined && prev[4] === fp.sha && result.rule !== undefined) {
      for (let i = TARGETS; i < prev.length; i++) {
        const r = prev[i] as TargetRecord;
        if (!targets.includes(r[0])) records.unshift(r);
      }
    }
    this.put([
      source,
      fp.size,
      fp.mtimeMs,
      fp.ino,
      fp.sha,
      result.rule?.name ?? null,
      result.rule?.ruleId ?? null,
      result.diagnostics.length > 0 ? result.diagnostics : null,
      result.testFailures.length > 0 ? result.testFailures : null,
      ...records,
    ]);
  }

  /**
   * Writes the cache for the next build: the records of this build's rule files (and of other rule
   * files still recorded), with the stat of every output written or checked now.
   */
  save(): void {
    const old = this.old;
    this.flush();
    try {
      // Nothing learnt that the cache on disk does not say.
      if (old !== undefined && !this.dirty && this.spooled === 0) return;
      if (old !== undefined && this.appendable(old)) this.append(old);
      else this.rewrite(old);
      ignoreCache(this.out);
    } finally {
      rmSync(this.spool, { force: true });
    }
  }

  /**
   * A few new records go at the end of the file as it was read, while it holds few superseded
   * records and records of rule files this build did not see (rule files deleted, or another
   * library writing into the same out/).
   */
  private appendable(old: CacheFile): boolean {
    const superseded = old.lines - old.rules.size;
    const unseen = old.rules.size - this.seen.size;
    const budget = 64 + (old.rules.size >> 3);
    if (superseded + this.spooled > budget || unseen > budget) return false;
    try {
      const st = statSync(join(this.out, CACHE));
      return st.size === old.size && st.mtimeMs === old.mtimeMs;
    } catch {
      return false;
    }
  }

  /** The spooled records, with their outputs' stats, and a trailer counting every record line: one write. */
  private append(old: CacheFile): void {
    const lines: string[] = [];
    if (this.spooled > 0) forEachLine(this.spool, (line) => lines.push(JSON.stringify(withStats(this.out, JSON.parse(line) as Entry))));
    lines.push(JSON.stringify({ written: Date.now(), rules: old.lines + this.spooled, code: compiler().code }));
    appendFileSync(join(this.out, CACHE), lines.join("\n") + "\n");
  }

  /** The whole file anew (a temporary file renamed over it): this build's records and the others still wanted. */
  private rewrite(old: CacheFile | undefined): void {
    const { key, code } = compiler();
    const lines: string[] = [JSON.stringify({ version: VERSION, compiler: key, code })];
    let count = 0;
    const temporary = `${join(this.out, CACHE)}.${process.pid}.tmp`;
    const fd = openSync(temporary, "w");
    const emit = (entry: Entry) => {
      lines.push(JSON.stringify(withStats(this.out, entry)));
      count++;
      if (lines.length >= 1000) writeSync(fd, lines.splice(0, lines.length).join("\n") + "\n");
    };
    try {
      if (this.spooled > 0) forEachLine(this.spool, (line) => emit(JSON.parse(line) as Entry));
      for (const source of this.kept) emit(recordOf(old!.rules.get(source))!);
      // Records of rule files this build did not see (another library writing into the same out/).
      for (const [source, line] of old?.rules ?? []) {
        if (this.seen.has(source) || !existsSync(resolve(this.out, source))) continue;
        const entry = recordOf(line);
        if (entry !== undefined) emit(entry);
      }
      lines.push(JSON.stringify({ written: Date.now(), rules: count }));
      writeSync(fd, lines.join("\n") + "\n");
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, join(this.out, CACHE));
  }
}

/**
 * Makes out/.gitignore name the cache: written when absent; a line added when one written before
 * (by hand, or by an older rulec under another cache name) does not name it.
 */
function ignoreCache(out: string): void {
  const ignore = join(out, ".gitignore");
  let text: string | undefined;
  try {
    text = readFileSync(ignore, "utf8");
  } catch {
    text = undefined;
  }
  if (text === undefined) writeAtomic(ignore, `# rulec's build cache: machine-specific, not for version control\n${CACHE}\n`);
  else if (!text.split(/\r?\n/).some((l) => l.trim() === CACHE)) writeAtomic(ignore, `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${CACHE}\n`);
}

/** The stat of each output written (or found equal) by this build, taken now. */
function withStats(out: string, entry: Entry): Entry {
  let copy: Entry | undefined;
  for (let i = TARGETS; i < entry.length; i++) {
    const r = entry[i] as TargetRecord;
    let fresh: TargetRecord | undefined;
    for (let j = OUTPUTS; j < r.length; j += 5) {
      if (r[j + 2] !== null) continue;
      fresh ??= r.slice() as TargetRecord;
      try {
        // A change between the write and this stat shows in the modification time, which the next
        // build does not trust so close to the cache's writing.
        const st = statSync(join(out, r[j] as string));
        fresh[j + 2] = st.size;
        fresh[j + 3] = st.mtimeMs;
        fresh[j + 4] = st.ino;
      } catch {
        // not there (a failed write): the next build checks it
      }
    }
    if (fresh !== undefined) (copy ??= entry.slice() as Entry)[i] = fresh;
  }
  return copy ?? entry;
}

/** A record line parsed; undefined when there is none, or it is not a record (then it is not trusted). */
function recordOf(line: string | undefined): Entry | undefined {
  if (line === undefined) return undefined;
  try {
    const entry = JSON.parse(line) as Entry;
    return Array.isArray(entry) && typeof entry[0] === "string" && typeof entry[4] === "string" ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** Calls `f` with each line of a file, reading it a megabyte at a time. */
function forEachLine(path: string, f: (line: string) => void): void {
  const fd = openSync(path, "r");
  try {
    const chunk = Buffer.alloc(1 << 20);
    let rest = "";
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const text = rest + chunk.toString("utf8", 0, n);
      const lines = text.split("\n");
      rest = lines.pop()!;
      for (const line of lines) if (line !== "") f(line);
    }
    if (rest !== "") f(rest);
  } finally {
    closeSync(fd);
  }
}

function read(path: string): CacheFile | undefined {
  try {
    // Taken first: a file changed while it is read does not match it, and is not appended to.
    const st = statSync(path);
    const rules = new Map<string, string>();
    let first = true;
    let lines = 0;
    /** The last trailer, while no record line follows it. */
    let trailer: { written?: number; rules?: number; code?: Partial<CodeStamp> } | undefined;
    let header: { version?: number; compiler?: string; code?: Partial<CodeStamp> } = {};
    // Read whole: the lines kept are slices of one string, which the garbage collector does not copy.
    const text = readFileSync(path, "utf8");
    for (let at = 0; at < text.length; ) {
      let eol = text.indexOf("\n", at);
      if (eol < 0) eol = text.length;
      const line = text.slice(at, eol);
      at = eol + 1;
      if (line === "") continue;
      if (first) {
        first = false;
        header = JSON.parse(line) as typeof header;
        if (header.version !== VERSION) throw new Error("another rulec's cache");
        continue;
      }
      if (line.startsWith("{")) {
        trailer = JSON.parse(line) as typeof trailer;
        if (trailer?.rules !== lines) throw new Error("a trailer that does not count the records before it");
        continue;
      }
      trailer = undefined;
      // The rule file's name is the line's first string: sliced out when it has no escape.
      const end = line.indexOf('"', 2);
      let source = line.startsWith('["') && end > 2 ? line.slice(2, end) : undefined;
      if (source === undefined || source.includes("\\")) source = (JSON.parse(line) as Entry)[0];
      if (typeof source !== "string") throw new Error("a record without its rule file");
      rules.set(source, line);
      lines++;
    }
    if (trailer === undefined || typeof trailer.written !== "number") return undefined;
    // The compiler key, vouched for by the last stamp of the code (an appended trailer's, else the header's).
    const compiler = compilerKeyFor(header.compiler, trailer.code ?? header.code);
    if (header.compiler !== compiler.key) return undefined;
    return { written: trailer.written, rules, lines, stamped: compiler.stamped, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return undefined;
  }
}
