import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { printCondition } from "../../src/ast/print.js";
import { evaluate } from "../../src/eval/evaluate.js";
import { importSigma } from "../../src/import/sigma/index.js";
import { loadRuleText } from "../../src/rules/load.js";
import { sigmaTarget } from "../../src/targets/sigma/index.js";
import { LogTypeGenerator, samplesOf } from "../helpers/logtype-arbitraries.js";

/**
 * SigmaHQ's rules for the logsources of the typed log types (vendored under
 * test/fixtures/vendor/sigmahq-sigma, SigmaHQ's layout): `rulec import sigma` on each, the rate
 * per logsource, and the round trip of every imported rule that compiles back to Sigma: Sigma ->
 * source rule -> Sigma -> source rule gives the same condition, the same log type and the same
 * verdicts. The rates are docs/sigma-import-rates.md (this test writes it; a stale copy fails).
 */

const VENDOR = new URL("../fixtures/vendor/sigmahq-sigma/", import.meta.url);

const FOLDERS = [
  "rules/cloud/aws/cloudtrail",
  "rules/identity/okta",
  "rules/application/github/audit",
  "rules/cloud/gcp/audit",
  "rules/cloud/gcp/gworkspace",
  "rules/application/kubernetes/audit",
  "rules/cloud/azure/activity_logs",
  "rules/cloud/azure/audit_logs",
  "rules/cloud/azure/signin_logs",
];

interface Row {
  folder: string;
  logsource: string;
  logType: string;
  rules: number;
  imported: number;
  loaded: number;
  compiledBack: number;
  roundTrips: number;
  reasons: Map<string, number>;
}

function reasonOf(message: string): string {
  const unknown = /^unknown field '([^']*)'/.exec(message);
  if (unknown) return `a field the log type's schema does not have: ${unknown[1]}`;
  if (message.startsWith("Sigma: ")) return "Sigma cannot say the imported condition exactly (RC401 on the way back)";
  return message
    .replace(/^cannot import: /, "")
    .replace(/^selection '[^']*': /, "")
    .replace(/^'[^']*': /, "")
    .replace(/keyword search.*/, "keyword search (values without a field)");
}

const rows: Row[] = [];
const lines: Record<string, string[]> = {};

describe("SigmaHQ's rules for the typed log types (vendored)", () => {
  for (const folder of FOLDERS) {
    it(`${folder}: imports, and every rule that compiles back round-trips exactly`, async () => {
      const dir = new URL(`${folder}/`, VENDOR);
      const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".yml")).map((f) => f.replaceAll("\\", "/")).sort();
      const row: Row = { folder, logsource: "", logType: "", rules: files.length, imported: 0, loaded: 0, compiledBack: 0, roundTrips: 0, reasons: new Map() };
      const out: string[] = [];
      const reason = (m: string) => row.reasons.set(reasonOf(m), (row.reasons.get(reasonOf(m)) ?? 0) + 1);
      for (const f of files) {
        const text = readFileSync(new URL(f, dir), "utf8");
        const ls = (YAML.parse(text, { version: "1.1" }) as { logsource?: Record<string, string> }).logsource ?? {};
        const source = ["product", "service"].map((k) => ls[k]).filter(Boolean).join("/");
        if (!row.logsource.split(", ").includes(source)) row.logsource = row.logsource === "" ? source : `${row.logsource}, ${source}`;
        const r = importSigma(text, f);
        if (r.rules.length === 0) {
          const m = r.diagnostics.map((d) => d.message).join("; ");
          out.push(`${f}: NOT IMPORTED: ${m}`);
          reason(r.diagnostics[0]!.message);
          continue;
        }
        row.imported++;
        const imported = r.rules[0]!;
        const first = loadRuleText(imported.text, `rules/${imported.name}.yml`);
        const errors = first.diagnostics.filter((d) => d.severity === "error");
        if (!first.rule || errors.length > 0) {
          out.push(`${f}: ${YAML.parse(imported.text).Condition}  [does not load: ${errors.map((e) => e.message).join("; ")}]`);
          for (const m of new Set(errors.map((e) => reasonOf(e.message)))) row.reasons.set(m, (row.reasons.get(m) ?? 0) + 1);
          continue;
        }
        row.loaded++;
        const rule = first.rule;
        row.logType ||= rule.logTypes[0]!;
        const back = sigmaTarget.compile(rule, {});
        if (back.files.length === 0) {
          out.push(`${f}: ${printCondition(rule.condition)}  [not compiled back: ${back.diagnostics.map((d) => d.message).join("; ")}]`);
          reason(back.diagnostics[0]!.message);
          continue;
        }
        row.compiledBack++;
        // The round trip: the compiled Sigma rule imported and loaded again.
        const again = importSigma(back.files[0]!.content, f);
        const second = again.rules[0] && loadRuleText(again.rules[0].text, `rules/${imported.name}.yml`).rule;
        expect(second, f).toBeDefined();
        expect({ file: f, condition: printCondition(second!.condition), logTypes: second!.logTypes }).toEqual({ file: f, condition: printCondition(rule.condition), logTypes: rule.logTypes });
        // Same verdicts on the log type's samples and on events drawn from its schema.
        const events = [...samplesOf(rule.logTypes[0]!), ...new LogTypeGenerator(rule.logTypes[0]!, samplesOf(rule.logTypes[0]!)).cases(7, 5, 4).flatMap((c) => c.events)];
        for (const e of events) expect(evaluate(second!.condition, e)).toBe(evaluate(rule.condition, e));
        row.roundTrips++;
        out.push(`${f}: ${printCondition(rule.condition)}`);
      }
      rows.push(row);
      lines[folder] = out;
      await expect(out.join("\n") + "\n").toMatchFileSnapshot(`golden/sigmahq/${folder.replace(/^rules\//, "").replaceAll("/", "-")}.txt`);
      expect(row.roundTrips).toBe(row.compiledBack);
      expect(row.imported).toBeGreaterThan(0);
    });
  }

  it("the rates per logsource are docs/sigma-import-rates.md", async () => {
    expect(rows.length).toBe(FOLDERS.length);
    const ordered = FOLDERS.map((f) => rows.find((r) => r.folder === f)!);
    const pct = (n: number, d: number) => `${n}/${d} (${Math.round((100 * n) / d)}%)`;
    const total = ordered.reduce((a, r) => ({ rules: a.rules + r.rules, imported: a.imported + r.imported, loaded: a.loaded + r.loaded, back: a.back + r.compiledBack }), { rules: 0, imported: 0, loaded: 0, back: 0 });
    const table = [
      "| SigmaHQ folder | logsource | log type | rules | imported | load as rules | compile back to Sigma (round trip exact) |",
      "| --- | --- | --- | ---: | ---: | ---: | ---: |",
      ...ordered.map((r) => `| \`${r.folder}\` | ${r.logsource} | ${r.logType} | ${r.rules} | ${pct(r.imported, r.rules)} | ${pct(r.loaded, r.rules)} | ${pct(r.compiledBack, r.rules)} |`),
      `| all | | | ${total.rules} | ${pct(total.imported, total.rules)} | ${pct(total.loaded, total.rules)} | ${pct(total.back, total.rules)} |`,
    ];
    const reasons = ordered.flatMap((r) => [...r.reasons].map(([why, n]) => `| ${r.logsource} | ${why} | ${n} |`));
    const doc = [
      "# SigmaHQ import rates",
      "",
      "<!-- Generated by test/sigma/sigmahq.test.ts from the vendored SigmaHQ rules (test/fixtures/vendor/sigmahq-sigma, SigmaHQ/sigma",
      "     commit 8eaafff): do not edit; `npx vitest run test/sigma/sigmahq.test.ts -u` rewrites it. -->",
      "",
      "`rulec import sigma` on SigmaHQ's rules for the logsources of the typed log types. *Imported*: the",
      "detection translates into a condition; *load as rules*: the condition checks against the log",
      "type's schema (with the log type's Sigma field mapping); *compile back*: `rulec build` writes a",
      "Sigma rule for it again, and that rule imports back to the same condition (the round trip is",
      "exact for every one of them). The conditions of every rule are in",
      "`test/sigma/golden/sigmahq/`; [targets/sigma.md](targets/sigma.md) explains what import accepts, and",
      "each log type's page in [logtypes/](logtypes/README.md) its Sigma field mapping.",
      "",
      ...table,
      "",
      "## Why the others do not",
      "",
      "| logsource | reason | rules |",
      "| --- | --- | ---: |",
      ...reasons,
      "",
    ].join("\n");
    await expect(doc).toMatchFileSnapshot("../../docs/sigma-import-rates.md");
    console.log(`SigmaHQ import: ${ordered.map((r) => `${r.logsource} ${r.imported}/${r.rules} imported, ${r.loaded} load, ${r.compiledBack} back`).join("; ")}`);
  });
});
