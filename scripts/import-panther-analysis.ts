/**
 * `npm run import:panther-analysis <checkout> [out dir]`: imports every Python rule of a
 * panther-analysis checkout (github.com/panther-labs/panther-analysis) with its proof, into
 * `<out dir>/rules` (default scratch/panther-analysis, which git ignores), writes `<out dir>/report.json`, and prints the
 * summary and the wall time. The figures in docs/import-panther.md come from this script.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { importPanther } from "../src/cli/import-panther.js";

const [checkout, outDir = "scratch/panther-analysis"] = process.argv.slice(2);
if (!checkout || !existsSync(join(checkout, "rules"))) {
  process.stderr.write("usage: npm run import:panther-analysis <path of a panther-analysis checkout> [out dir]\n");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const started = Date.now();
await importPanther([checkout], { out: join(outDir, "rules"), report: join(outDir, "report.json"), force: true }, { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) }, false);
process.stderr.write(`wall time: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
