import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, type Stats } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Diagnostic } from "../diagnostics.js";
import type { TargetOptions } from "../targets/types.js";
import type { FileResult, TargetOutcome } from "./compile.js";
import { writeAtomic } from "./fs.js";
import { contentHash, type FileFingerprint } from "./library.js";
import { manifestSource } from "./manifest.js";

/**
 * The build cache, `out/.rulec-cache.json`: a content-addressed record of what each rule file
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

export const CACHE = ".rulec-cache.json";
const VERSION = 2;
/** A file modified this close to the cache's writing may have changed without its stat changing. */
const RACY_MS = 2000;

/** size, modification time (ms), inode. */
type Stat = readonly [number, number, number];

/** What a rule file compiled to, without the outputs' text. */
interface RuleRecord {
  readonly sha: string;
  readonly name?: string;
  readonly ruleId?: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly testFailures: readonly Diagnostic[];
  /** Per target: the key of its options, its diagnostics and its outputs' hashes. */
  readonly targets: Readonly<Record<string, { readonly key: string; readonly diagnostics: readonly Diagnostic[]; readonly files: Readonly<Record<string, string>> }>>;
}

interface CacheFile {
  readonly version: number;
  readonly compiler: string;
  /** When it was written (ms since the epoch): stats newer than this are not trusted. */
  readonly written: number;
  /** Rule file (relative to out/, as the manifest names it) -> its stat and record. */
  readonly rules: Record<string, { readonly stat: Stat; readonly record: RuleRecord }>;
  /** Output path -> its stat and hash when last seen. */
  readonly outputs: Record<string, { readonly stat: Stat; readonly sha: string }>;
}

let compilerKeyMemo: string | undefined;

/**
 * The compiler's identity: a hash of rulec's own code (the compiled modules next to this one) and
 * of what the runtime contributes to outputs (its Unicode version, for lower-casing).
 */
export function compilerKey(): string {
  if (compilerKeyMemo !== undefined) return compilerKeyMemo;
  const root = fileURLToPath(new URL("../", import.meta.url));
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts|json)$/.test(e.name) && !e.name.endsWith(".d.ts")) hash.update(e.name).update(readFileSync(p));
    }
  };
  walk(root);
  hash.update(JSON.stringify({ unicode: process.versions.unicode, icu: process.versions.icu }));
  compilerKeyMemo = hash.digest("base64url").slice(0, 32);
  return compilerKeyMemo;
}

/** The key of one target's options: records made with other options do not match. */
export function targetKey(target: string, options: TargetOptions): string {
  return contentHash(JSON.stringify([target, Object.entries(options).sort(([a], [b]) => (a < b ? -1 : 1))]));
}

function sameStat(a: Stat, b: Stats): boolean {
  return a[0] === b.size && a[1] === b.mtimeMs && a[2] === b.ino;
}

function statOf(s: Stats): Stat {
  return [s.size, s.mtimeMs, s.ino];
}

export class BuildCache {
  private readonly old: CacheFile | undefined;
  private readonly rules: CacheFile["rules"] = {};
  private readonly outputs: CacheFile["outputs"] = {};
  /** Lookups answered, for the summary and the benchmark. */
  hits = 0;
  /** Something was learnt that the cache on disk does not say (a new record, a new stat). */
  private dirty = false;

  constructor(
    private readonly out: string,
    /** Target name -> its key (targetKey) for the targets of this build. */
    private readonly keys: Readonly<Record<string, string>>,
  ) {
    this.old = read(join(out, CACHE));
  }

  private trusted(stat: Stat, now: Stats): boolean {
    return sameStat(stat, now) && now.mtimeMs < this.old!.written - RACY_MS;
  }

  /** The hash of a file, from its stat when the cache vouches for it, else by reading it. */
  private hashOf(path: string, known: { readonly stat: Stat; readonly sha: string } | undefined): { sha: string; stat: Stats } | undefined {
    let st: Stats;
    try {
      st = statSync(path);
    } catch {
      return undefined;
    }
    if (known && this.trusted(known.stat, st)) return { sha: known.sha, stat: st };
    this.dirty = true;
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
    const entry = old.rules[source];
    if (entry === undefined) return undefined;
    const input = this.hashOf(file, { stat: entry.stat, sha: entry.record.sha });
    if (input === undefined || input.sha !== entry.record.sha) return undefined;
    const record = entry.record;
    const outcomes: TargetOutcome[] = [];
    const seen: CacheFile["outputs"] = {};
    const loaded = record.name !== undefined && record.testFailures.length === 0;
    for (const t of loaded ? targets : []) {
      const r = record.targets[t];
      if (r === undefined || r.key !== this.keys[t]) return undefined;
      const kept: { path: string; sha: string }[] = [];
      for (const [path, sha] of Object.entries(r.files)) {
        const now = this.hashOf(join(this.out, path), old.outputs[path]);
        if (now === undefined || now.sha !== sha) return undefined;
        seen[path] = { stat: statOf(now.stat), sha };
        kept.push({ path, sha });
      }
      outcomes.push({ diagnostics: r.diagnostics, files: [], kept });
    }
    Object.assign(this.outputs, seen);
    this.rules[source] = { stat: statOf(input.stat), record };
    this.hits++;
    // Code frames of its diagnostics need the text (read only then).
    const framed = [record.diagnostics, record.testFailures, ...outcomes.map((o) => o.diagnostics)].some((ds) => ds.some((d) => d.span !== undefined));
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
      diagnostics: record.diagnostics,
      ...(record.name === undefined ? {} : { rule: { name: record.name, ruleId: record.ruleId! } }),
      testFailures: record.testFailures,
      targets: outcomes,
      cached: true,
    };
  }

  /** Records a rule file compiled in this build (its outputs' hashes from their text). */
  record(result: FileResult, targets: readonly string[]): void {
    const fp: FileFingerprint | undefined = result.fingerprint;
    if (result.cached || fp === undefined) return;
    this.dirty = true;
    const recordTargets: Record<string, RuleRecord["targets"][string]> = {};
    result.targets.forEach((o, i) => {
      const name = targets[i]!;
      recordTargets[name] = { key: this.keys[name]!, diagnostics: o.diagnostics, files: Object.fromEntries(o.files.map((f) => [f.path, contentHash(f.content)])) };
    });
    this.rules[manifestSource(this.out, result.file)] = {
      stat: [fp.size, fp.mtimeMs, fp.ino],
      record: {
        sha: fp.sha,
        ...(result.rule ? { name: result.rule.name, ruleId: result.rule.ruleId } : {}),
        diagnostics: result.diagnostics,
        testFailures: result.testFailures,
        targets: recordTargets,
      },
    };
  }

  /**
   * Writes the cache for the next build: the records of this build's rule files (and of other rule
   * files still recorded), and the stat of every output as it is now.
   */
  save(): void {
    const old = this.old;
    // Every rule answered from the cache on disk, every file trusted by its stat: it says it all.
    if (old !== undefined && !this.dirty && Object.keys(this.rules).length === Object.keys(old.rules).length) return;
    // Records of rule files this build did not see (another library writing into the same out/).
    if (old !== undefined && old.compiler === compilerKey()) {
      for (const [source, entry] of Object.entries(old.rules)) if (!(source in this.rules) && existsSync(resolve(this.out, source))) this.rules[source] = entry;
    }
    const outputs: CacheFile["outputs"] = {};
    for (const { record } of Object.values(this.rules)) {
      for (const t of Object.values(record.targets)) {
        for (const [path, sha] of Object.entries(t.files)) {
          const seen = this.outputs[path];
          if (seen && seen.sha === sha) {
            outputs[path] = seen;
            continue;
          }
          try {
            // Written (or found equal) by this build. A change between that and this stat shows in the
            // modification time, which the next build does not trust so close to the cache's writing.
            outputs[path] = { stat: statOf(statSync(join(this.out, path))), sha };
          } catch {
            // Not there (a failed write): the next build checks it.
          }
        }
      }
    }
    const file: CacheFile = { version: VERSION, compiler: compilerKey(), written: Date.now(), rules: this.rules, outputs };
    writeAtomic(join(this.out, CACHE), JSON.stringify(file));
    const ignore = join(this.out, ".gitignore");
    if (!existsSync(ignore)) writeFileSync(ignore, `# rulec's build cache: machine-specific, not for version control\n${CACHE}\n`);
  }
}

function read(path: string): CacheFile | undefined {
  try {
    const c = JSON.parse(readFileSync(path, "utf8")) as CacheFile;
    if (c.version !== VERSION || c.compiler !== compilerKey() || typeof c.rules !== "object" || typeof c.outputs !== "object") return undefined;
    return c;
  } catch {
    return undefined;
  }
}
