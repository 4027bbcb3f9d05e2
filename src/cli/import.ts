import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { formatDiagnostic, fileDiagnostic, type Diagnostic } from "../diagnostics.js";
import { importSigma } from "../import/sigma/index.js";
import { loadRuleText } from "../rules/load.js";
import { errnoText, writeAtomic } from "./fs.js";
import { expandPaths } from "./library.js";

/**
 * `rulec import sigma <files or dirs> [--out rules] [--force]`: Sigma rules -> source rules.
 * Each rule that imports is written to `<out>/<stem>.yml` (an existing file only with --force);
 * each one that does not is reported with the reason, and the others still import. Exit status 1
 * when some rule was not imported.
 */

export interface ImportContext {
  readonly io?: { out(s: string): void; err(s: string): void };
  readonly setStatus?: (status: number) => void;
  readonly color?: () => { enabled: boolean };
}

export function registerImport(program: Command, ctx: ImportContext = {}): void {
  const io = ctx.io ?? { out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s) };
  const setStatus = ctx.setStatus ?? ((s: number) => void (process.exitCode = Math.max(Number(process.exitCode ?? 0), s)));
  const imp = program.command("import").description("import rules written for other tools");
  imp
    .command("sigma")
    .description("import Sigma rules (specification v2) as source rules")
    .argument("<paths...>", "Sigma rule files or directories (*.yml, *.yaml, recursively)")
    .option("--out <dir>", "directory for the imported rules", "rules")
    .option("--force", "overwrite rule files that already exist", false)
    .addHelpText("after", "\nExamples:\n  rulec import sigma sigma/rules/cloud/aws/cloudtrail --out rules/imported\n  rulec import sigma my_rule.yml --out rules --force")
    .action((paths: string[], opts: { out: string; force: boolean }) => {
      const color = ctx.color?.().enabled ?? false;
      const { files, diagnostics: pathErrors } = expandPaths(paths);
      const print = (d: Diagnostic, sources?: Map<string, string>) => io.err(formatDiagnostic(d, { color, ...(sources ? { sources } : {}) }) + "\n");
      pathErrors.forEach((d) => print(d));
      let imported = 0;
      let failed = pathErrors.length;
      for (const file of files) {
        let text: string;
        try {
          text = readFileSync(file, "utf8");
        } catch (e) {
          print(fileDiagnostic("RC312", `cannot read file: ${errnoText(e)}`, file, undefined));
          failed++;
          continue;
        }
        const result = importSigma(text, file);
        result.diagnostics.forEach((d) => print(d));
        if (result.rules.length === 0) failed++;
        for (const rule of result.rules) {
          const target = join(opts.out, `${rule.name}.yml`);
          // The imported rule goes through the loader like any other: say so when it would not compile.
          const loaded = loadRuleText(rule.text, target);
          for (const d of loaded.diagnostics.filter((x) => x.severity === "error")) {
            print({ ...d, severity: "warning", message: `imported from ${file}, but ${d.message}` }, new Map([[target, rule.text]]));
          }
          if (existsSync(target) && !opts.force) {
            print(fileDiagnostic("RC501", `${target} exists: not overwritten (use --force)`, file, undefined));
            failed++;
            continue;
          }
          try {
            writeAtomic(target, rule.text);
            imported++;
          } catch (e) {
            print(fileDiagnostic("RC312", `cannot write ${target}: ${errnoText(e)}`, file, undefined));
            failed++;
          }
        }
      }
      const total = files.length;
      io.err(`imported ${imported} of ${total} Sigma rule files${total > 0 ? ` (${Math.round((imported / total) * 100)}%)` : ""} into ${opts.out}\n`);
      setStatus(failed > 0 || total === 0 ? 1 : 0);
    });
}
