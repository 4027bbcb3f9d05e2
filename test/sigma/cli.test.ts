import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { registerImport } from "../../src/cli/import.js";
import { loadRuleFiles } from "../../src/rules/load.js";
import { SIGMAHQ } from "./harness.js";

const dir = mkdtempSync(join(tmpdir(), "rulec-import-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]) {
  let out = "";
  let err = "";
  let status = 0;
  const program = new Command("rulec").exitOverride();
  registerImport(program, { io: { out: (s) => void (out += s), err: (s) => void (err += s) }, setStatus: (s) => void (status = Math.max(status, s)) });
  await program.parseAsync(["node", "rulec", ...args]);
  return { out, err, status };
}

describe("rulec import sigma", () => {
  it("imports a directory, reports the rate and what it could not import", async () => {
    const src = join(dir, "src");
    const out = join(dir, "rules");
    // The SigmaHQ rules plus two that cannot be imported, in a folder of its own.
    const { mkdirSync, copyFileSync } = await import("node:fs");
    mkdirSync(src);
    for (const f of readdirSync(SIGMAHQ).filter((x) => x.endsWith(".yml"))) copyFileSync(new URL(f, SIGMAHQ), join(src, f));
    writeFileSync(join(src, "zz_keywords.yml"), "title: k\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  keywords: [evil]\n  condition: keywords\n");
    writeFileSync(join(src, "zz_windows.yml"), "title: w\nlogsource: {product: windows}\ndetection:\n  s: {Image: x}\n  condition: s\n");
    const r = await run(["import", "sigma", src, "--out", out]);
    // One SigmaHQ rule names a field CloudTrail does not have: it is not imported, and the count
    // says so (what `rulec check` would say of the output).
    expect(r.err).toContain("imported 56 of 59 Sigma rule files (95%)");
    expect(r.err).toMatch(/zz_keywords\.yml: error RC401: cannot import: selection 'keywords': keyword search/);
    expect(r.err).toMatch(/zz_windows\.yml: error RC401: cannot import: unknown logsource/);
    expect(r.err).toMatch(/error RC201: cannot import .*aws_delete_saml_provider\.yml: the imported rule would not load: unknown field 'status'/);
    expect(r.status).toBe(1);
    const written = readdirSync(out).sort();
    expect(written.length).toBe(56);
    expect(written).not.toContain("aws_delete_saml_provider.yml");
    const lib = loadRuleFiles([out]);
    expect(lib.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(lib.rules.length).toBe(56);

    const again = await run(["import", "sigma", join(src, "aws_root_account_usage.yml"), "--out", out]);
    expect(again.err).toMatch(/exists: not overwritten \(use --force\)/);
    expect(again.status).toBe(1);
    const forced = await run(["import", "sigma", join(src, "aws_root_account_usage.yml"), "--out", out, "--force"]);
    expect(forced.status).toBe(0);
    expect(readFileSync(join(out, "aws_root_account_usage.yml"), "utf8")).toMatch(/^Condition: userIdentity.type ieq "Root" and not eventType ieq "AwsServiceEvent"$/m);
  });
});
