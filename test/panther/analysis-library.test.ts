import { readdirSync, readFileSync } from "node:fs";
import jsYaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/diagnostics.js";
import { loadRuleText } from "../../src/rules/load.js";
import { schemaFor } from "../../src/schema/schema.js";
import { pantherTarget } from "../../src/targets/panther/index.js";

/**
 * Every rule YAML of Panther's own library (panther-analysis, vendored under
 * test/fixtures/vendor/panther-analysis) loads as it is once a Condition is added, with its own
 * LogTypes (typed or free-form, src/logtypes), and the Panther YAML rulec writes for it keeps every
 * value of the original.
 */

const ROOT = new URL("../fixtures/vendor/panther-analysis/", import.meta.url);
const files = (readdirSync(ROOT, { recursive: true }) as string[]).filter((f) => f.endsWith(".yml")).map((f) => f.replaceAll("\\", "/")).sort();

/** Panther's standard field: in every typed schema, and any path is accepted by a free-form one. */
const CONDITION = "Condition: p_log_type exists\n";

/** The file's text as a source rule: a Condition added, nothing else changed. */
function asSource(text: string): string {
  return text + (text.endsWith("\n") ? "" : "\n") + CONDITION;
}

/** What each file loads to: its errors (formatted), or the Panther YAML written for it. */
const results = files.map((f) => {
  const text = readFileSync(new URL(f, ROOT), "utf8");
  const loaded = loadRuleText(asSource(text), f);
  const errors = loaded.diagnostics.filter((d) => d.severity === "error").map((d) => formatDiagnostic(d, { color: false }).split("\n")[0]!);
  const warnings = loaded.diagnostics.filter((d) => d.severity === "warning").map((d) => d.code);
  const out = loaded.rule ? pantherTarget.compile(loaded.rule).files : [];
  const [py, yml] = [".py", ".yml"].map((ext) => out.find((o) => o.path.endsWith(ext))?.content);
  return { file: f, text, errors, warnings, py, yml };
});

describe("Panther's own rule library (panther-analysis)", () => {
  it("is all here: 866 rule files", () => {
    expect(files.length).toBe(866);
  });

  it("loads every file but one, which uses a Simple Detection's keys (refused by name)", () => {
    const failing = results.filter((r) => r.errors.length > 0);
    expect(failing.map((r) => r.file)).toEqual(["rules/github_rules/github_repo_archived.yml"]);
    // Its metadata errors.
    expect(failing[0]!.errors.filter((e) => / error RC3/.test(e)).map((e) => e.replace(/^.*?: error/, "error"))).toEqual([
      "error RC314: Simple Detection match expressions are not supported yet: write them as a Condition",
      "error RC314: a Simple Detection's AlertContext is not supported yet: list the fields in OutputFields",
    ]);
  });

  it("warns only where Panther's tooling would trip (Mocks left out of the output) and where a log type has no typed schema", () => {
    const counts: Record<string, number> = {};
    for (const r of results) for (const w of r.warnings) counts[w] = (counts[w] ?? 0) + 1;
    // RC315: Mocks (one warning per rule that has them); RC217: rules without a negative test;
    // RC316: one per rule with a log type that has no typed schema (field checks are off for it).
    expect(Object.keys(counts).sort()).toEqual(["RC217", "RC315", "RC316"]);
    const mocked = results.filter((r) => /^\s+Mocks:/m.test(r.text)).length;
    expect(counts.RC315).toBe(mocked);
    const freeForm = results.filter((r) => (jsYaml.load(r.text) as { LogTypes: string[] }).LogTypes.some((t) => schemaFor(t)?.freeForm)).length;
    expect(counts.RC316).toBe(freeForm);
    expect(results.filter((r) => r.warnings.filter((w) => w === "RC316").length > 1)).toEqual([]);
  });

  it("knows every log type the library names: typed, or Panther's name with a free-form schema", () => {
    const names = new Set(results.flatMap((r) => (jsYaml.load(r.text) as { LogTypes: string[] }).LogTypes));
    expect([...names].filter((n) => schemaFor(n) === undefined)).toEqual([]);
    expect(names.size).toBeGreaterThan(80);
  });

  it("writes Panther YAML that keeps every value of the original", () => {
    let compared = 0;
    let titles = 0;
    for (const r of results) {
      if (r.yml === undefined) continue;
      const original = jsYaml.load(r.text) as Record<string, unknown>;
      const written = jsYaml.load(r.yml) as Record<string, unknown>;
      for (const [key, value] of Object.entries(original)) {
        if (key === "Filename") {
          expect(written.Filename).toBe(r.file.split("/").pop()!.replace(/\.yml$/, ".py"));
        } else if (key === "Tests") {
          const tests = (value as Record<string, unknown>[]).map(({ Mocks: _mocks, ...t }) => t);
          expect(written.Tests, `${r.file}: Tests`).toEqual(tests);
        } else if (key === "AlertTitle") {
          // Understood: it becomes the rule's title() (test/panther/golden.test.ts runs such titles).
          expect(r.py, r.file).toContain("\ndef title(event):\n");
        } else {
          expect(written[key], `${r.file}: ${key}`).toEqual(value);
        }
        compared++;
      }
      expect(Object.keys(written).filter((k) => !(k in original)), r.file).toEqual([]);
      titles += "AlertTitle" in original ? 1 : 0;
    }
    expect(compared).toBeGreaterThan(8000);
    expect(titles).toBe(3);
  });
});
