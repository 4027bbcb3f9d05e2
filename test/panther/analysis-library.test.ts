import { readdirSync, readFileSync } from "node:fs";
import jsYaml from "js-yaml";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { formatDiagnostic } from "../../src/diagnostics.js";
import { loadRuleText } from "../../src/rules/load.js";
import { pantherTarget } from "../../src/targets/panther/index.js";

/**
 * Every rule YAML of Panther's own library (panther-analysis, vendored under
 * test/fixtures/vendor/panther-analysis) loads as it is once a Condition is added, and the Panther
 * YAML rulec writes for it keeps every value of the original.
 *
 * Log types other than AWS.CloudTrail are the subject of the log-types work; until they are data,
 * such a file is loaded with its LogTypes (and its tests' LogType) set to AWS.CloudTrail, the rest
 * of the file unchanged.
 */

const ROOT = new URL("../fixtures/vendor/panther-analysis/", import.meta.url);
const files = (readdirSync(ROOT, { recursive: true }) as string[]).filter((f) => f.endsWith(".yml")).map((f) => f.replaceAll("\\", "/")).sort();

const CONDITION = "Condition: eventName exists\n";

/** The file's text as a source rule: a Condition added, and LogTypes AWS.CloudTrail. */
function asSource(text: string): string {
  const original = jsYaml.load(text) as { LogTypes: string[] };
  let source = text;
  if (original.LogTypes.some((t) => t !== "AWS.CloudTrail")) {
    const doc = YAML.parseDocument(text);
    doc.setIn(["LogTypes"], ["AWS.CloudTrail"]);
    const tests = doc.get("Tests") as YAML.YAMLSeq<YAML.YAMLMap> | undefined;
    for (const t of tests?.items ?? []) if (t.has("LogType")) t.set("LogType", "AWS.CloudTrail");
    source = doc.toString({ lineWidth: 0 });
  }
  return source + (source.endsWith("\n") ? "" : "\n") + CONDITION;
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
    // Its metadata errors (the positions are those of the file with LogTypes rewritten).
    expect(failing[0]!.errors.filter((e) => / error RC3/.test(e)).map((e) => e.replace(/^.*?: error/, "error"))).toEqual([
      "error RC314: Simple Detection match expressions are not supported yet: write them as a Condition",
      "error RC314: a Simple Detection's AlertContext is not supported yet: list the fields in OutputFields",
    ]);
  });

  it("warns only where Panther's tooling would trip: Mocks left out of the output", () => {
    const counts: Record<string, number> = {};
    for (const r of results) for (const w of r.warnings) counts[w] = (counts[w] ?? 0) + 1;
    // RC315: Mocks (one warning per rule that has them); RC217: rules without a negative test.
    expect(Object.keys(counts).sort()).toEqual(["RC217", "RC315"]);
    const mocked = results.filter((r) => /^\s+Mocks:/m.test(r.text)).length;
    expect(counts.RC315).toBe(mocked);
  });

  it("writes Panther YAML that keeps every value of the original", () => {
    let compared = 0;
    let titles = 0;
    for (const r of results) {
      if (r.yml === undefined) continue;
      const original = jsYaml.load(r.text) as Record<string, unknown>;
      const written = jsYaml.load(r.yml) as Record<string, unknown>;
      const cloudtrailOnly = (original.LogTypes as string[]).every((t) => t === "AWS.CloudTrail");
      for (const [key, value] of Object.entries(original)) {
        if (key === "Filename") {
          expect(written.Filename).toBe(r.file.split("/").pop()!.replace(/\.yml$/, ".py"));
        } else if (key === "Tests") {
          const tests = (value as Record<string, unknown>[]).map(({ Mocks: _mocks, ...t }) => (cloudtrailOnly || !("LogType" in t) ? t : { ...t, LogType: "AWS.CloudTrail" }));
          expect(written.Tests, `${r.file}: Tests`).toEqual(tests);
        } else if (key === "AlertTitle") {
          // Understood: it becomes the rule's title() (test/panther/golden.test.ts runs such titles).
          expect(r.py, r.file).toContain("\ndef title(event):\n");
        } else if (key !== "LogTypes" || cloudtrailOnly) {
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
