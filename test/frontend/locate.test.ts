import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { generateRule, rng } from "../../bench/generate.js";
import { Locator, type KeyPath } from "../../src/rules/locate.js";

/**
 * The Locator looks for a place under a top-level key in that key's block alone (a key's own place
 * in its line alone) instead of the whole file. The whole file's parse is the reference: every
 * answer must be the same, for every place in every file, whatever order the places are asked in.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".") || name === "dist" || name === "scratch") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/**
 * The paths of the document two levels deep, a sample of the deeper ones (inside a rule's Tests,
 * most of them, which come last in the file), and a few that do not exist.
 */
function paths(doc: YAML.Document.Parsed, r: () => number): KeyPath[] {
  const all: KeyPath[] = [];
  const out: KeyPath[] = [["NoSuchKey"], [0]];
  const walk = (node: unknown, path: (string | number)[]): void => {
    all.push(path);
    if (YAML.isMap(node)) {
      for (const pair of node.items) if (YAML.isScalar(pair.key)) walk(pair.value, [...path, String(pair.key.value)]);
      out.push([...path, "NoSuchKey"]);
    } else if (YAML.isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
      out.push([...path, node.items.length + 3]);
    }
  };
  walk(doc.contents, []);
  for (const p of all) if (p.length <= 2 || r() < 12 / all.length) out.push(p);
  return out.filter((p) => p.length > 0);
}

function answers(locator: Locator, path: KeyPath, doc: YAML.Document.Parsed): unknown {
  const value = doc.getIn(path);
  const str = typeof value === "string" ? value : undefined;
  const map = str === undefined ? undefined : locator.stringMap(path, str);
  return {
    key: locator.keySpan(path),
    value: locator.valueSpan(path),
    type: locator.scalarType(path),
    // Every offset of a condition (where its messages point); a few of any other string.
    map:
      map === undefined || str === undefined
        ? map
        : path[0] === "Condition" || str.length <= 8
          ? Array.from({ length: str.length + 1 }, (_, i) => map(i))
          : [0, 1, str.length >> 2, str.length >> 1, str.length - 1, str.length].map((i) => map(i)),
  };
}

/** Top-level keys rulec's messages point into. */
const POINTED = new Set<string | number>(["RuleID", "DisplayName", "LogTypes", "Severity", "Condition", "Tests", "OutputFields", "DedupFields", "AlertTitle"]);

/** Compares the Locator with the whole-file one on every path: each path asked of a new Locator, then all of them of one, in a shuffled order. */
function compare(text: string, label: string, r: () => number, shuffled = true): number {
  const doc = YAML.parseDocument(text, { uniqueKeys: false, strict: false });
  const ps = paths(doc, r);
  const whole = new Locator(text, { whole: true });
  const expected = ps.map((p) => answers(whole, p, doc));
  // A new Locator for the places under each of the keys messages point at and a sample of the
  // others (what one diagnostic costs), then one Locator for every place, in a shuffled order.
  const fresh = new Map<unknown, Locator | null>();
  ps.forEach((p, i) => {
    let l = fresh.get(p[0]);
    if (l === undefined) fresh.set(p[0], (l = POINTED.has(p[0]!) || r() < 0.2 ? new Locator(text) : null));
    if (l !== null) expect(answers(l, p, doc), `${label} ${JSON.stringify(p)}`).toEqual(expected[i]);
  });
  if (!shuffled) return ps.length;
  const shared = new Locator(text);
  const order = ps.map((_, i) => i).sort(() => r() - 0.5);
  for (const i of order) expect(answers(shared, ps[i]!, doc), `${label} (shared) ${JSON.stringify(ps[i])}`).toEqual(expected[i]);
  return ps.length;
}

/** Edits that put a block's bounds where reading it alone could go wrong: comments, blanks and entries at column 0, multi-line values, markers, CRLF. */
const MUTATIONS: ((text: string, r: () => number) => string)[] = [
  (t) => t.replace(/\n(?=[A-Z])/, "\n# a comment at the start of a line\n"),
  (t) => t.replace(/\n(?=[A-Z])/g, "\n\n"),
  (t) => t.replace(/\r?\n/g, "\r\n"),
  (t) => t.replace(/^(LogTypes:)\s*\[(.*)\]/m, "$1\n- $2"),
  (t) => t.replace(/^(LogTypes:)\s*\n(\s*- .*\n)+/m, (m, k: string) => `${k} [${[...m.matchAll(/- (.*)/g)].map((x) => x[1]).join(", ")}]\n`),
  (t) => t.replace(/^(Description:).*$/m, '$1 "a quoted\nDescription: that runs on at the start of a line"'),
  (t) => t.replace(/^(Description:).*$/m, "$1 'single\nTests: quoted'"),
  (t) => t.replace(/^(LogTypes:).*$/m, "$1 [AWS.CloudTrail,\nSeverity: x]"),
  (t) => `---\n${t}`,
  (t) => `${t}...\n`,
  (t) => `%YAML 1.2\n---\n${t}`,
  (t) => t.replace(/^(Severity:.*)$/m, "$1\nSeverity: High"),
  (t) => t.replace(/^(Condition:)/m, '"Condition":'),
  (t) => t.replace(/^(Condition:)/m, "Condition :"),
  (t) => t.replace(/^(Tags:)/m, "? Tags\n:"),
  (t) => t.replace(/^(Runbook:).*$/m, "$1 >\n  folded\n\n  text\n"),
  (t) => t.replace(/^(Condition:)\s*(.*)$/m, "$1 |\n  $2\n"),
  (t) => t.replace(/^(Condition:)\s*(.*)$/m, (_, k: string, c: string) => `${k} ${JSON.stringify(c)}`),
  (t) => t.replace(/^(Reference:).*$/m, "$1 &anchor value\nAlias: *anchor"),
  (t) => t.replace(/\n(?=[A-Z])/, "\n\t\n"),
  (t, r) => {
    const lines = t.split("\n");
    const i = Math.floor(r() * lines.length);
    return [...lines.slice(0, i), lines[i]!.trimStart(), ...lines.slice(i + 1)].join("\n");
  },
  (t, r) => {
    const i = Math.floor(r() * t.length);
    return t.slice(0, i) + t.slice(i + 1);
  },
  (t, r) => {
    const i = Math.floor(r() * t.length);
    return t.slice(0, i) + ["\n", ":", "-", "#", '"', "'", "[", "]", "{", "}", " ", "\t", "|", ">"][Math.floor(r() * 14)]! + t.slice(i);
  },
];

describe("Locator: a top-level key's block read alone gives the whole file's answers", () => {
  it("on every YAML file of the project", () => {
    const r = rng(20261208);
    let files = 0;
    let places = 0;
    for (const file of yamlFiles(ROOT)) {
      const text = readFileSync(file, "utf8");
      places += compare(text, file.slice(ROOT.length), r, r() < 0.25);
      files++;
    }
    expect(files).toBeGreaterThan(1000);
    // For the keys messages point at in a rule file (LogTypes, Condition), a small part of it is parsed.
    let shorter = 0;
    const rules = readdirSync(join(ROOT, "rules")).filter((f) => f.endsWith(".yml"));
    for (const f of rules) {
      const text = readFileSync(join(ROOT, "rules", f), "utf8");
      const locator = new Locator(text);
      locator.valueSpan(["LogTypes", 0]);
      locator.stringMap(["Condition"], YAML.parse(text).Condition as string);
      if (locator.parsed < text.length / 2) shorter++;
    }
    expect(shorter).toBeGreaterThan(rules.length * 0.9);
    console.log(`locator: ${files} files, ${places} places, parts = whole; ${shorter} of ${rules.length} rule files located in less than half of their text`);
  });

  it("on generated rules and edits of the project's rule files that put the cut in awkward places", () => {
    const r = rng(8122026);
    const rules = readdirSync(join(ROOT, "rules")).filter((f) => f.endsWith(".yml")).map((f) => readFileSync(join(ROOT, "rules", f), "utf8"));
    const texts = [...rules, ...Array.from({ length: 100 }, (_, i) => generateRule(r, i).text)];
    let cases = 0;
    for (const base of texts) {
      for (let k = 0; k < 3; k++) {
        let text = base;
        for (let m = 1 + Math.floor(r() * 3); m > 0; m--) text = MUTATIONS[Math.floor(r() * MUTATIONS.length)]!(text, r);
        compare(text, `mutated #${cases}`, r);
        cases++;
      }
    }
    for (const mutate of MUTATIONS) for (const base of rules.slice(0, 10)) compare(mutate(base, r), `${mutate.toString().slice(0, 60)}`, r);
    expect(cases).toBeGreaterThan(600);
  });
});
