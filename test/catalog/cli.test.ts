import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { CATALOG_MANIFEST, registerCatalog } from "../../src/cli/catalog.js";
import { bufferOutput } from "../../src/cli/output.js";
import type { Catalog } from "../../src/catalog/index.js";
import { FAKE_TARGETS, RULES_DIR, SEED } from "./fixtures.js";

/** `rulec catalog` as main.ts will wire it: the command on a program, output in buffers. */
async function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const io = bufferOutput();
  let status = 0;
  const program = new Command("rulec").exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  registerCatalog(program, { io, setStatus: (s) => (status = Math.max(status, s)), color: () => ({ enabled: false }), targets: FAKE_TARGETS });
  try {
    await program.parseAsync(["catalog", ...args], { from: "user" });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    status = 2;
  }
  return { status, stdout: io.stdout, stderr: io.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), "rulec-catalog-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of a few shipped rules, to add and remove rules without touching rules/. */
function library(name: string, files: string[]): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const f of files) copyFileSync(join(RULES_DIR, f), join(dir, f));
  return dir;
}

const SEED_FILE = "aws_cloudtrail_ses_check_ses_sending_enabled.yml";
const OTHER_FILE = "aws_console_root_login.yml";

describe("rulec catalog", () => {
  it("writes the site of the shipped library and exits 0", async () => {
    const out = join(tmp, "site");
    const r = await run([RULES_DIR, "--out", out]);
    expect(r.stderr).toMatch(/^\d+ rules, \d+ files written, 0 unchanged, 0 removed; \d+ not expressible in Sigma: .*index\.html\n$/);
    expect(r.status).toBe(0);
    expect(existsSync(join(out, "index.html"))).toBe(true);
    expect(existsSync(join(out, "indicators.html"))).toBe(true);
    expect(existsSync(join(out, "rules", "aws_cloudtrail_ses_check_ses_sending_enabled.html"))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(out, CATALOG_MANIFEST), "utf8")) as { files: string[] };
    expect(manifest.files).toContain("assets/catalog.js");
    expect(manifest.files.length).toBe(readdirSync(join(out, "rules")).length + 4);

    // a second run rewrites nothing
    const again = await run([RULES_DIR, "--out", out]);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/ 0 files written, \d+ unchanged, 0 removed/);
  });

  it("removes the page of a rule that is gone, and only the files it wrote", async () => {
    const lib = library("lib-remove", [SEED_FILE, OTHER_FILE]);
    const out = join(tmp, "site-remove");
    expect((await run([lib, "--out", out])).status).toBe(0);
    writeFileSync(join(out, "rules", "notes.txt"), "mine");
    rmSync(join(lib, OTHER_FILE));
    const r = await run([lib, "--out", out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/1 rules, \d+ files written, \d+ unchanged, 1 removed/);
    expect(readdirSync(join(out, "rules")).sort()).toEqual(["aws_cloudtrail_ses_check_ses_sending_enabled.html", "notes.txt"]);
  });

  it("refuses a non-empty directory it did not write (exit 2), and writes nothing there", async () => {
    const out = join(tmp, "foreign");
    mkdirSync(out);
    writeFileSync(join(out, "README"), "someone else's");
    const r = await run([RULES_DIR, "--out", out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`is not empty and was not written by 'rulec catalog' (no ${CATALOG_MANIFEST})`);
    expect(readdirSync(out)).toEqual(["README"]);
  });

  it("still writes the rules that load when a file has errors, and exits 1", async () => {
    const lib = library("lib-broken", [SEED_FILE]);
    writeFileSync(join(lib, "broken.yml"), "RuleID: Broken\nDisplayName: Broken\nLogTypes: [AWS.CloudTrail]\nSeverity: Info\nCondition: eventName equals \"x\"\n");
    const out = join(tmp, "site-broken");
    const r = await run([lib, "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/broken\.yml:5:\d+: error RC105: unknown operator 'equals'/);
    expect(readdirSync(join(out, "rules"))).toEqual(["aws_cloudtrail_ses_check_ses_sending_enabled.html"]);
  });

  it("exits 1 when there is no rule file", async () => {
    const empty = join(tmp, "no-rules");
    mkdirSync(empty);
    const r = await run([empty, "--out", join(tmp, "site-empty")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error RC312: no rule files (*.yml, *.yaml) in");
  });

  it("--format json writes catalog.json, or standard output with --out -", async () => {
    const lib = library("lib-json", [SEED_FILE, OTHER_FILE]);
    const out = join(tmp, "site-json");
    const r = await run([lib, "--format", "json", "--out", out]);
    expect(r.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual([CATALOG_MANIFEST, "catalog.json"]);
    const stdout = await run([lib, "--format", "json", "--out", "-"]);
    expect(stdout.status).toBe(0);
    expect(stdout.stdout).toBe(readFileSync(join(out, "catalog.json"), "utf8"));
    const data = JSON.parse(stdout.stdout) as Catalog;
    expect(data.targets).toEqual(FAKE_TARGETS.map((t) => t.name));
    expect(data.rules.map((x) => x.ruleId).sort()).toEqual(["AWS.CloudTrail.Console.RootLogin", SEED].sort());
  });

  it("--log-type publishes only the rules over those log types; the index filters by log type with counts", async () => {
    const lib = library("lib-logtypes", [SEED_FILE, OTHER_FILE, "okta_api_token_created.yml", "okta_support_impersonation.yml", "github_repository_made_public.yml"]);
    const json = await run([lib, "--format", "json", "--out", "-", "--log-type", "Okta.SystemLog", "GitHub.Audit"]);
    expect(json.status).toBe(0);
    expect((JSON.parse(json.stdout) as Catalog).rules.map((x) => x.logTypes[0]).sort()).toEqual(["GitHub.Audit", "Okta.SystemLog", "Okta.SystemLog"]);
    const out = join(tmp, "site-logtypes");
    expect((await run([lib, "--out", out])).status).toBe(0);
    const index = readFileSync(join(out, "index.html"), "utf8");
    expect(index).toContain('<option value="Okta.SystemLog">Okta.SystemLog (2)</option>');
    expect(index).toContain('<option value="AWS.CloudTrail">AWS.CloudTrail (2)</option>');
    const bad = await run([lib, "--format", "json", "--out", "-", "--log-type", "Okta.Systemlog"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("rulec: unknown log type 'Okta.Systemlog' (did you mean 'Okta.SystemLog'?): 'rulec logtypes' lists the log types\n");
  });

  it("usage errors exit 2: --out - without json, an unknown format", async () => {
    const a = await run([RULES_DIR, "--out", "-"]);
    expect(a.status).toBe(2);
    expect(a.stderr).toContain("--out - (standard output) needs --format json");
    const b = await run([RULES_DIR, "--format", "pdf"]);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain("Allowed choices are html, json");
  });
});
