// Panther's log type names, collected from a clone of panther-labs/panther-analysis:
//   npx tsx scripts/panther-log-types.ts <path to the clone (a git directory)> [commit]
// rewrites src/logtypes/panther-log-types.json. Every `LogTypes` entry of the rules, correlation
// rules, scheduled queries, data models and packs, and every `AssociatedLogTypes[].LogType` of the
// lookup tables (templates/ is left out: it holds placeholders). Not run by the tests: the list is
// data with its source, refreshed by hand when Panther adds log types.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import jsYaml from "js-yaml";

const [repo, commit = "HEAD"] = process.argv.slice(2);
if (!repo) {
  console.error("usage: npx tsx scripts/panther-log-types.ts <panther-analysis clone> [commit]");
  process.exit(2);
}
const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
const sha = git("rev-parse", commit).trim();
const DIRS = ["rules", "correlation_rules", "queries", "data_models", "packs", "lookup_tables", "policies"];
const files = git("ls-tree", "-r", "--name-only", sha).split("\n").filter((f) => /\.ya?ml$/.test(f) && DIRS.includes(f.split("/")[0]!));
const names = new Set<string>();
for (const f of files) {
  let doc: unknown;
  try {
    doc = jsYaml.load(git("show", `${sha}:${f}`));
  } catch {
    continue;
  }
  if (typeof doc !== "object" || doc === null) continue;
  const d = doc as { LogTypes?: unknown; LogTypeMap?: { AssociatedLogTypes?: { LogType?: unknown }[] } };
  for (const n of Array.isArray(d.LogTypes) ? d.LogTypes : []) if (typeof n === "string") names.add(n);
  for (const a of d.LogTypeMap?.AssociatedLogTypes ?? []) if (typeof a.LogType === "string") names.add(a.LogType);
}
const out = {
  source: "https://github.com/panther-labs/panther-analysis",
  commit: sha,
  licence: "Apache-2.0",
  collected:
    "Every LogTypes entry of rules/, correlation_rules/, queries/, data_models/, packs/ and policies/, and every AssociatedLogTypes[].LogType of lookup_tables/ (scripts/panther-log-types.ts).",
  names: [...names].filter((n) => /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+$/.test(n)).sort(),
};
writeFileSync(new URL("../src/logtypes/panther-log-types.json", import.meta.url), JSON.stringify(out, null, 2) + "\n");
console.log(`${out.names.length} log type names from ${sha}`);
