import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * `rulec hunt --logs` arguments -> log files: a file as it is; a directory, every log file under it
 * (`*.json`, `*.jsonl`, `*.ndjson`, `*.log`, each also `.gz`); a pattern with `*`, `?`, `[...]` or
 * `**` (any depth), expanded here, so `AWSLogs/**\/*.json.gz` works in any shell, quoted or not.
 */

const LOG_FILE = /\.(?:json|jsonl|ndjson|log)(?:\.gz)?$/i;
const GLOB = /[*?[]/;

export interface LogFiles {
  readonly files: string[];
  /** One line per argument that named nothing. */
  readonly problems: string[];
}

export function expandLogArgs(args: readonly string[]): LogFiles {
  const files: string[] = [];
  const problems: string[] = [];
  for (const arg of args) {
    let st;
    try {
      st = statSync(arg);
    } catch {
      st = undefined;
    }
    if (st?.isDirectory()) {
      const found = walk(arg).filter((f) => LOG_FILE.test(f));
      if (found.length === 0) problems.push(`${arg}: no log files (*.json, *.jsonl, *.ndjson, *.log, or .gz of those) in this directory`);
      files.push(...found);
    } else if (st !== undefined || !GLOB.test(arg)) {
      files.push(arg);
    } else {
      const found = glob(arg);
      if (found.length === 0) problems.push(`${arg}: no files match`);
      files.push(...found);
    }
  }
  return { files: [...new Set(files)], problems };
}

/** Every file under a directory (following links to files), sorted; dot folders skipped. */
function walk(dir: string): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile() || (e.isSymbolicLink() && isFile(p))) out.push(p);
  }
  return out;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Files matching a glob, sorted: `*` and `?` within a segment, `[...]` classes, `**` any depth. */
export function glob(pattern: string): string[] {
  const absolute = pattern.startsWith("/");
  const segments = pattern.split("/").filter((s, i) => s !== "" || i === 0);
  const start = absolute ? "/" : ".";
  if (absolute) segments.shift();
  const out: string[] = [];
  const visit = (dir: string, i: number, prefix: string) => {
    if (i === segments.length) {
      if (isFile(dir)) out.push(prefix);
      return;
    }
    const seg = segments[i]!;
    const join2 = (name: string) => (prefix === "" ? name : prefix === "/" ? `/${name}` : `${prefix}/${name}`);
    if (seg === "**") {
      visit(dir, i + 1, prefix);
      for (const e of list(dir)) if (e.dir && !e.name.startsWith(".")) visit(join(dir, e.name), i, join2(e.name));
      return;
    }
    if (!GLOB.test(seg)) {
      visit(join(dir, seg), i + 1, join2(seg));
      return;
    }
    const re = segmentRegex(seg);
    for (const e of list(dir)) if (re.test(e.name) && (seg.startsWith(".") || !e.name.startsWith("."))) visit(join(dir, e.name), i + 1, join2(e.name));
  };
  visit(start, 0, absolute ? "/" : "");
  return [...new Set(out)].sort();
}

function list(dir: string): { name: string; dir: boolean }[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((e) => ({ name: e.name, dir: e.isDirectory() || (e.isSymbolicLink() && isDir(join(dir, e.name))) }));
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function segmentRegex(seg: string): RegExp {
  let re = "";
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const close = seg.indexOf("]", i + 2);
      if (close < 0) re += "\\[";
      else {
        const body = seg.slice(i + 1, close);
        re += `[${body.startsWith("!") ? "^" + body.slice(1) : body}]`.replace(/\\/g, "\\\\");
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
