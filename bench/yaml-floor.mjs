// The floor of a build, as a whole process: read every rule file of a folder and load it with
// js-yaml, on one thread (`node bench/yaml-floor.mjs <rules folder>`). Plain JavaScript, so that
// its start-up holds no TypeScript loader.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";

const dir = process.argv[2];
let n = 0;
for (const f of readdirSync(dir).sort()) {
  if (!f.endsWith(".yml")) continue;
  yaml.load(readFileSync(join(dir, f), "utf8"));
  n++;
}
console.log(`${n} rule files loaded`);
