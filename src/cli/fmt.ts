import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { formatRuleText } from "../format/rulefile.js";
import { decodeRuleFile } from "../rules/load.js";
import { errnoText, writeAtomic } from "./fs.js";
import { expandPaths } from "./library.js";
import type { Output } from "./output.js";

/** `rulec fmt`: canonical conditions, every other byte of the file kept. */
export function registerFmt(program: Command, deps: { io: Output; setStatus: (s: number) => void }): void {
  program
    .command("fmt")
    .description("rewrite each Condition in canonical form, leaving the rest of the file byte for byte")
    .argument("[paths...]", "rule files or directories", ["rules"])
    .option("--check", "write nothing; list files that are not formatted and exit 1 if any")
    .addHelpText("after", "\nExamples:\n  rulec fmt rules\n  rulec fmt --check rules     # CI")
    .action((paths: string[], opts: { check?: boolean }) => {
      const { io, setStatus } = deps;
      const { files, diagnostics } = expandPaths(paths);
      for (const d of diagnostics) io.err(`${d.file}: error ${d.code}: ${d.message}\n`);
      if (diagnostics.length > 0) setStatus(1);
      let changed = 0;
      let failed = 0;
      for (const file of files) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch (e) {
          io.err(`${file}: error RC312: cannot read file: ${errnoText(e)}\n`);
          failed++;
          continue;
        }
        // A file that is not UTF-8 is refused, never rewritten with replacement characters.
        const decoded = decodeRuleFile(bytes, file);
        if (decoded.text === undefined) {
          for (const d of decoded.diagnostics) io.err(`${file}: error ${d.code}: ${d.message}\n`);
          failed++;
          continue;
        }
        const text = decoded.text;
        const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? "\uFEFF" : "";
        const r = formatRuleText(text);
        if (!r.ok) {
          io.err(`${file}: error: not formatted: ${r.reason}\n`);
          failed++;
          continue;
        }
        if (!r.changed) continue;
        changed++;
        if (opts.check) {
          io.out(`not formatted: ${file}\n`);
          continue;
        }
        try {
          writeAtomic(file, bom + r.text);
          io.out(`formatted: ${file}\n`);
        } catch (e) {
          io.err(`${file}: error RC312: cannot write file: ${errnoText(e)}\n`);
          failed++;
        }
      }
      const verb = opts.check ? "not formatted" : "formatted";
      io.err(`${files.length} files, ${changed} ${verb}, ${failed} with errors\n`);
      setStatus(failed > 0 || (opts.check && changed > 0) ? 1 : 0);
    });
}
