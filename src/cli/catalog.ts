import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { Option, type Command } from "commander";
import { renderCatalog, type CatalogFormat } from "../catalog/render.js";
import { targetLabel } from "../catalog/model.js";
import { formatDiagnostic, hasErrors, nearest } from "../diagnostics.js";
import { knownLogTypeNames, schemaFor } from "../schema/schema.js";
import { TARGETS } from "../targets/index.js";
import type { Target, TargetOptions } from "../targets/types.js";
import { loadLibrary } from "./library.js";
import { readOrUndefined, writeAtomic } from "./fs.js";
import type { Output } from "./output.js";

/**
 * `rulec catalog [paths] --out site/`: the rule catalog as a static site (or `--format json`).
 * The file-system edge of src/catalog/: read the rules, render, write what changed, remove the
 * pages of rules that are gone (listed in the site's manifest), never touch a directory that
 * another tool wrote.
 */

export const CATALOG_MANIFEST = ".rulec-catalog.json";

export interface CatalogDeps {
  readonly io: Output;
  readonly setStatus: (s: number) => void;
  readonly color: () => { enabled: boolean };
  readonly targetOptions?: (target: string) => TargetOptions;
  /** The targets to show (default: the registry, TARGETS). */
  readonly targets?: readonly Target[];
}

export function registerCatalog(program: Command, deps: CatalogDeps): void {
  program
    .command("catalog")
    .description("write the rule catalog: a static site (one page per rule: metadata, indicators, compiled outputs) or JSON")
    .argument("[paths...]", "rule files or directories", ["rules"])
    .option("-o, --out <dir>", "output directory; with --format json also a file (catalog.json) or '-' (standard output)", "site")
    .addOption(new Option("--format <format>", "output format").choices(["html", "json"]).default("html"))
    .option("--title <title>", "the site's title", "Detection catalog")
    .option("--log-type <types...>", "only the rules over these log types (rulec logtypes lists them)")
    .addHelpText(
      "after",
      "\nExamples:\n  rulec catalog rules --out site        # then open site/index.html\n  rulec catalog rules --format json --out - | jq '.rules[].ruleId'",
    )
    .action((paths: string[], opts: { out: string; format: CatalogFormat; title: string; logType?: string[] }) => {
      const { io, setStatus } = deps;
      if (opts.out === "-" && opts.format !== "json") {
        io.err("rulec: --out - (standard output) needs --format json\n");
        setStatus(2);
        return;
      }
      for (const t of opts.logType ?? []) {
        if (schemaFor(t)) continue;
        const near = nearest(t, knownLogTypeNames(), 1)[0];
        io.err(`rulec: unknown log type '${t}'${near ? ` (did you mean '${near}'?)` : ""}: 'rulec logtypes' lists the log types\n`);
        setStatus(2);
        return;
      }
      const loaded = loadLibrary(paths);
      // --log-type: the rules over any of those log types (their files' diagnostics only).
      const only = opts.logType;
      const lib = only === undefined ? loaded : { ...loaded, rules: loaded.rules.filter((r) => r.logTypes.some((t) => only.includes(t))) };
      for (const d of lib.diagnostics) io.err(formatDiagnostic(d, { sources: lib.sources, color: deps.color().enabled }) + "\n");
      const libraryFailed = hasErrors(lib.diagnostics) || lib.files.length === 0;

      const targets = deps.targets ?? TARGETS;
      const { catalog, files } = renderCatalog(
        { rules: lib.rules, sources: lib.sources, targets, ...(deps.targetOptions ? { targetOptions: deps.targetOptions } : {}) },
        opts.format,
        opts.title,
      );
      const notExpressible = catalog.targets
        .map((t) => ({ t, n: catalog.rules.filter((r) => r.outputs.some((o) => o.target === t && !o.expressible)).length }))
        .filter((x) => x.n > 0)
        .map((x) => `${x.n} not expressible in ${targetLabel(x.t)}`);

      if (opts.out === "-") {
        io.out(files[0]!.content);
        io.err(`${catalog.rules.length} rules${notExpressible.length > 0 ? `; ${notExpressible.join(", ")}` : ""}\n`);
        setStatus(libraryFailed ? 1 : 0);
        return;
      }

      // `--format json --out catalog.json`: the file itself, not a folder of that name.
      if (opts.format === "json" && /\.json$/i.test(opts.out) && !isDirectory(opts.out)) {
        try {
          if (readOrUndefined(opts.out) !== files[0]!.content) writeAtomic(opts.out, files[0]!.content);
        } catch (e) {
          io.err(`rulec: error RC312: cannot write ${opts.out}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
          setStatus(1);
          return;
        }
        io.err(`${catalog.rules.length} rules${notExpressible.length > 0 ? `; ${notExpressible.join(", ")}` : ""}: ${opts.out}\n`);
        setStatus(libraryFailed ? 1 : 0);
        return;
      }
      const out = resolve(opts.out);
      const manifest = readManifest(out);
      if (manifest === undefined) {
        io.err(`rulec: ${opts.out} is not empty and was not written by 'rulec catalog' (no ${CATALOG_MANIFEST}); choose another --out or empty it\n`);
        setStatus(2);
        return;
      }
      const wanted = new Set(files.map((f) => f.path));
      let written = 0;
      let unchanged = 0;
      let removed = 0;
      let failed = false;
      for (const f of files) {
        const target = join(out, f.path);
        if (readOrUndefined(target) === f.content) {
          unchanged++;
          continue;
        }
        try {
          writeAtomic(target, f.content);
          written++;
        } catch (e) {
          io.err(`rulec: error RC312: cannot write ${join(opts.out, f.path)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
          failed = true;
        }
      }
      for (const old of manifest) {
        if (wanted.has(old) || !isInside(out, old)) continue;
        try {
          if (existsSync(join(out, old))) {
            rmSync(join(out, old));
            removed++;
          }
        } catch (e) {
          io.err(`rulec: error RC312: cannot remove ${join(opts.out, old)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
          failed = true;
        }
      }
      const manifestText = JSON.stringify({ files: [...wanted].sort() }, null, 2) + "\n";
      try {
        if (readOrUndefined(join(out, CATALOG_MANIFEST)) !== manifestText) writeAtomic(join(out, CATALOG_MANIFEST), manifestText);
      } catch (e) {
        io.err(`rulec: error RC312: cannot write ${join(opts.out, CATALOG_MANIFEST)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
        failed = true;
      }
      const entry = opts.format === "json" ? join(opts.out, "catalog.json") : join(opts.out, "index.html");
      io.err(
        `${catalog.rules.length} rules, ${written} files written, ${unchanged} unchanged, ${removed} removed${notExpressible.length > 0 ? `; ${notExpressible.join(", ")}` : ""}: ${entry}\n`,
      );
      setStatus(libraryFailed || failed ? 1 : 0);
    });
}

/** The files a previous run wrote; [] for a new or empty directory; undefined for a foreign one. */
function readManifest(out: string): string[] | undefined {
  let text: string | undefined;
  try {
    text = readFileSync(join(out, CATALOG_MANIFEST), "utf8");
  } catch {
    text = undefined;
  }
  if (text === undefined) {
    if (!existsSync(out)) return [];
    if (!statSync(out).isDirectory()) return undefined;
    return readdirSync(out).length === 0 ? [] : undefined;
  }
  try {
    const m = JSON.parse(text) as { files?: unknown };
    return Array.isArray(m.files) ? m.files.filter((f): f is string => typeof f === "string") : [];
  } catch {
    return [];
  }
}

/** A manifest entry is a relative path inside the site (a hand-edited manifest removes nothing else). */
function isInside(out: string, rel: string): boolean {
  const full = resolve(out, rel);
  return full.startsWith(out + "/") || full.startsWith(out + "\\");
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
