import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { formatDiagnostic, fileDiagnostic, type Diagnostic } from "../diagnostics.js";
import { importSigma } from "../import/sigma/index.js";
import { loadRuleText } from "../rules/load.js";
import { errnoText, writeAtomic } from "./fs.js";
import { expandPaths } from "./library.js";
import { importPanther } from "./import-panther.js";

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
      /** Output file -> the Sigma file it came from in this run; RuleID -> the same. */
      const outputs = new Map<string, string>();
      const ruleIds = new Map<string, string>();
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
          const earlier = outputs.get(target);
          if (earlier !== undefined) {
            print(fileDiagnostic("RC501", `cannot import: ${target} is already imported from ${earlier} in this run (two Sigma files named ${rule.name}.yml): rename one`, file, undefined));
            failed++;
            continue;
          }
          // The imported rule goes through the loader like any other: a rule that would not load is
          // not imported (so the count here is what `rulec check` will say of the output).
          const loaded = loadRuleText(rule.text, target);
          const errors = loaded.diagnostics.filter((x) => x.severity === "error");
          if (errors.length > 0 || !loaded.rule) {
            for (const d of errors) print({ ...d, message: `cannot import ${file}: the imported rule would not load: ${d.message}` }, new Map([[target, rule.text]]));
            failed++;
            continue;
          }
          const sameId = ruleIds.get(loaded.rule.ruleId);
          if (sameId !== undefined) {
            print(fileDiagnostic("RC307", `cannot import: RuleID '${loaded.rule.ruleId}' (from the title) is already imported from ${sameId} in this run: change one title`, file, undefined));
            failed++;
            continue;
          }
          if (existsSync(target) && !opts.force) {
            print(fileDiagnostic("RC501", `${target} exists: not overwritten (use --force)`, file, undefined));
            failed++;
            continue;
          }
          outputs.set(target, file);
          ruleIds.set(loaded.rule.ruleId, file);
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
  imp
    .command("panther")
    .description("import Panther Python rules (rule YAML + rule()), each proven to decide events as the original")
    .argument("<paths...>", "a Panther analysis repository, or folders / rule YAML files inside one (global_helpers/ and data_models/ are found above them)")
    .option("--out <dir>", "directory for the imported rules", "rules")
    .option("--report <file>", "write the per-rule report as JSON")
    .option("--force", "overwrite rule files that differ from what the import writes", false)
    .addHelpText("after", "\nExamples:\n  rulec import panther panther-analysis --out rules/panther --report import-report.json\n  rulec import panther panther-analysis/rules/aws_cloudtrail_rules --out rules")
    .action(async (paths: string[], opts: { out: string; report?: string; force: boolean }) => {
      const color = ctx.color?.().enabled ?? false;
      setStatus(await importPanther(paths, { out: opts.out, force: opts.force, ...(opts.report ? { report: opts.report } : {}) }, io, color));
    });
}
