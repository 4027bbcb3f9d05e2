/**
 * One library size, in its own process so that peak RSS belongs to it alone:
 * `tsx bench/build-one.ts <rules> <dir>` generates the library (if absent), then measures the bare
 * YAML load (the floor) and the build of every registered target, stage by stage. Prints JSON.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import jsYaml from "js-yaml";
import { readOrUndefined, writeAtomic } from "../dist/cli/fs.js";
import { evaluate } from "../dist/eval/evaluate.js";
import { decodeRuleFile, loadRuleText } from "../dist/rules/load.js";
import { TARGETS } from "../dist/targets/index.js";
import { generateRule, rng } from "./generate.js";

const count = Number(process.argv[2] ?? 1000);
const dir = process.argv[3] ?? `/tmp/rulec-bench-${count}`;
const rulesDir = join(dir, "rules");
const outDir = join(dir, "out");

if (!existsSync(join(rulesDir, ".complete"))) {
  rmSync(rulesDir, { recursive: true, force: true });
  mkdirSync(rulesDir, { recursive: true });
  const r = rng(20261127);
  for (let i = 0; i < count; i++) {
    const g = generateRule(r, i);
    writeFileSync(join(rulesDir, `${g.name}.yml`), g.text);
  }
  writeFileSync(join(rulesDir, ".complete"), "");
}
rmSync(outDir, { recursive: true, force: true });
const files = readdirSync(rulesDir).filter((f) => f.endsWith(".yml")).sort().map((f) => join(rulesDir, f));

const ms = (t: number) => performance.now() - t;

// The same warm-up at every size (500 rules through YAML, the front end and every target, not
// timed), so that per-rule figures compare steady states, not how much of a run the JIT took.
for (const f of files.slice(0, 500)) {
  const text = readFileSync(f, "utf8");
  jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
  const rule = loadRuleText(text, f).rule;
  if (rule) for (const target of TARGETS) target.compile(rule, {});
}

// The floor: read every file and load it with js-yaml.
let t = performance.now();
for (const f of files) jsYaml.load(readFileSync(f, "utf8"), { schema: jsYaml.CORE_SCHEMA });
const floorMs = ms(t);

// The build, stage by stage.
const stages: Record<string, number> = { read: 0, load: 0, test: 0, write: 0 };
for (const target of TARGETS) stages[target.name] = 0;
let errors = 0;
let written = 0;
const buildStart = performance.now();
for (const f of files) {
  t = performance.now();
  const text = decodeRuleFile(readFileSync(f), f).text!;
  stages.read! += ms(t);
  t = performance.now();
  const loaded = loadRuleText(text, f);
  stages.load! += ms(t);
  const rule = loaded.rule;
  if (!rule) {
    errors++;
    continue;
  }
  t = performance.now();
  for (const test of rule.tests) if (evaluate(rule.condition, test.log) !== test.expectedResult) errors++;
  stages.test! += ms(t);
  for (const target of TARGETS) {
    t = performance.now();
    const result = target.compile(rule, {});
    stages[target.name]! += ms(t);
    t = performance.now();
    for (const file of result.files) {
      writeAtomic(join(outDir, file.path), file.content);
      written++;
    }
    stages.write! += ms(t);
  }
}
const buildMs = ms(buildStart);
const buildNoWriteMs = buildMs - stages.write!;

// A rebuild with nothing changed: compile everything, compare with out/, write nothing.
t = performance.now();
let unchanged = 0;
for (const f of files) {
  const rule = loadRuleText(decodeRuleFile(readFileSync(f), f).text!, f).rule;
  if (!rule) continue;
  for (const test of rule.tests) evaluate(rule.condition, test.log);
  for (const target of TARGETS) for (const file of target.compile(rule, {}).files) if (readOrUndefined(join(outDir, file.path)) === file.content) unchanged++;
}
const rebuildMs = ms(t);

console.log(
  JSON.stringify({
    rules: files.length,
    targets: TARGETS.map((x) => x.name),
    floorMs,
    buildMs,
    buildNoWriteMs,
    rebuildMs,
    unchanged,
    stages,
    errors,
    written,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
