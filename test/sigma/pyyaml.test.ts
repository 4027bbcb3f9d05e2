import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { loadRuleFiles } from "../../src/rules/load.js";
import { sigmaTarget } from "../../src/targets/sigma/index.js";
import { GLOBS, REGEXES, STRINGS, generateCases } from "../helpers/arbitraries.js";
import { dumpSigma } from "../../src/targets/sigma/index.js";
import { roundTrip } from "./harness.js";

/**
 * pySigma reads rules with PyYAML (YAML 1.1): every emitted file must mean to PyYAML what it means
 * to us. One python3 process parses them all.
 */

const PY = `
import json, sys, yaml, datetime
def plain(x):
    if isinstance(x, (datetime.date, datetime.datetime)): return "DATE:" + x.isoformat()
    if isinstance(x, dict): return {k: plain(v) for k, v in x.items()}
    if isinstance(x, list): return [plain(v) for v in x]
    return x
out = []
for text in json.load(sys.stdin):
    try: out.append(plain(yaml.safe_load(text)))
    except Exception as e: out.append({"PYYAML_ERROR": str(e)})
json.dump(out, sys.stdout)
`;

describe("PyYAML reads the emitted rules as they were meant", () => {
  it("library rules, generated detections and tricky values", () => {
    const texts: string[] = [];
    const { rules } = loadRuleFiles([new URL("../../rules", import.meta.url).pathname]);
    for (const r of rules) texts.push(...sigmaTarget.compile(r, { date: "2025-01-15", author: "a: b" }).files.map((f) => f.content));
    for (const c of generateCases(77, 1500, 1)) {
      const r = roundTrip(c.condition, undefined);
      if (r.kind === "ok") texts.push(r.sigma);
    }
    const values = [...STRINGS, ...GLOBS, ...REGEXES, "yes", "No", "on", "=", "<<", "~", "12:30", "0x1F", "1_000", "2024-01-01", "-", "? x", ": x", "x #y"];
    texts.push(dumpSigma({ values, map: Object.fromEntries(values.map((v, i) => [`k${i}|${v}`, v])) }));
    let py: unknown[];
    try {
      py = JSON.parse(execFileSync("python3", ["-c", PY], { input: JSON.stringify(texts), maxBuffer: 1 << 28 }).toString()) as unknown[];
    } catch (e) {
      throw new Error(`python3 with PyYAML is needed for this test: ${(e as Error).message}`);
    }
    expect(py.length).toBe(texts.length);
    const mismatches = texts.map((t, i) => ({ t, js: YAML.parse(t), py: py[i] })).filter((x) => JSON.stringify(x.js) !== JSON.stringify(x.py));
    expect(mismatches.slice(0, 3)).toEqual([]);
    console.log(`pyyaml: ${texts.length} emitted files read identically`);
  });
});
