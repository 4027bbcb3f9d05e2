import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateRule, rng } from "../../bench/generate.js";
import { BIN, rulec, type RunResult } from "../helpers/cli.js";

/**
 * A hostile tester's findings, one test each: files outside the output directory, concurrent and
 * interrupted builds, and the other rows of the hardening pass.
 */

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${prefix}${e.name}/`);
      else out[`${prefix}${e.name}`] = readFileSync(join(d, e.name), "utf8");
    }
  };
  walk(dir, "");
  return out;
}

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rulec-${prefix}-`));
}

/** A library of `n` generated rules in `<dir>/<folder>`, rule names prefixed. */
function generated(dir: string, folder: string, n: number, seed: number, prefix = ""): void {
  mkdirSync(join(dir, folder), { recursive: true });
  const r = rng(seed);
  for (let i = 0; i < n; i++) {
    const g = generateRule(r, i);
    writeFileSync(join(dir, folder, `${prefix}${g.name}.yml`), g.text.replace(/^RuleID: (.*)$/m, `RuleID: ${prefix}$1`));
  }
}

function runAsync(args: string[], cwd: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("the output directory's manifest", () => {
  it("never touches a file outside the output directory, whatever the manifest says (row 3)", () => {
    const dir = tempDir("manifest");
    cpSync("rules", join(dir, "rules"), { recursive: true });
    writeFileSync(join(dir, "rules/other.yml"), readFileSync("rules/aws_console_root_login.yml", "utf8").replace(/^RuleID: .*$/m, "RuleID: Other"));
    writeFileSync(join(dir, "README.md"), "keep me\n");
    mkdirSync(join(dir, "out"));
    const hostile = { files: { "../rules/other.yml": "x", "../README.md": "../README.md", "/etc/hostname": "x", "panther/../../README.md": "x", "sigma/x.yml": 5 } };
    writeFileSync(join(dir, "out/.rulec-manifest.json"), JSON.stringify(hostile));
    for (const args of [["build", "rules", "--check"], ["build", "rules"]]) {
      const r = rulec(args, { cwd: dir });
      for (const p of ["../rules/other.yml", "../README.md", "/etc/hostname", "panther/../../README.md"]) {
        expect(r.stderr).toContain(`warning: out/.rulec-manifest.json names '${p}', which is not an output file of out: ignored, left untouched`);
      }
    }
    expect(readFileSync(join(dir, "README.md"), "utf8")).toBe("keep me\n");
    expect(existsSync(join(dir, "rules/other.yml"))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(dir, "out/.rulec-manifest.json"), "utf8")) as { files: Record<string, string> };
    expect(Object.keys(manifest.files).every((p) => /^(panther|athena|sigma)\/[^/]+$/.test(p))).toBe(true);
  });

  it("does not follow a target folder that is a link out of the output directory", () => {
    const dir = tempDir("manifest-link");
    cpSync("rules", join(dir, "rules"), { recursive: true });
    mkdirSync(join(dir, "elsewhere"));
    writeFileSync(join(dir, "elsewhere/victim.py"), "keep me\n");
    mkdirSync(join(dir, "out"));
    symlinkSync(join(dir, "elsewhere"), join(dir, "out/panther"));
    writeFileSync(join(dir, "out/.rulec-manifest.json"), JSON.stringify({ files: { "panther/victim.py": "../rules/gone.yml" } }));
    const r = rulec(["build", "rules", "--target", "athena"], { cwd: dir });
    expect(r.stderr).toContain("names 'panther/victim.py', which is not an output file of out");
    expect(readFileSync(join(dir, "elsewhere/victim.py"), "utf8")).toBe("keep me\n");
  });

  it("two builds into one output directory at once wait for each other and lose nothing (row 4)", { timeout: 240_000 }, async () => {
    for (let round = 0; round < 2; round++) {
      const dir = tempDir("concurrent");
      generated(dir, "a", 200, 11 + round, "a_");
      generated(dir, "b", 200, 17 + round, "b_");
      const [a, b] = await Promise.all([runAsync(["build", "a", "--out", "out"], dir), runAsync(["build", "b", "--out", "out"], dir)]);
      expect([a.status, b.status], a.stderr + b.stderr).toEqual([0, 0]);
      expect(a.stderr + b.stderr).toMatch(/waiting for another rulec \(pid \d+\) to finish with out/);
      const manifest = JSON.parse(readFileSync(join(dir, "out/.rulec-manifest.json"), "utf8")) as { files: Record<string, string> };
      const written = Object.keys(tree(join(dir, "out"))).filter((p) => !p.startsWith("."));
      expect(Object.keys(manifest.files).sort()).toEqual(written.sort());
      expect(rulec(["build", "a", "--check"], { cwd: dir }).status).toBe(0);
      expect(rulec(["build", "b", "--check"], { cwd: dir }).status).toBe(0);
      // A later deletion in either library is cleaned, and --check knows it until then.
      const gone = readdirSync(join(dir, "a"))[0]!;
      rmSync(join(dir, "a", gone));
      const check = rulec(["build", "a", "--check"], { cwd: dir });
      expect(check.status).toBe(1);
      expect(check.stdout).toContain(`stale: out/athena/${gone.replace(/\.yml$/, ".sql")}`);
      expect(rulec(["build", "a"], { cwd: dir }).status).toBe(0);
      expect(existsSync(join(dir, "out/athena", gone.replace(/\.yml$/, ".sql")))).toBe(false);
      expect(rulec(["build", "a", "--check"], { cwd: dir }).status).toBe(0);
      expect(existsSync(join(dir, "out/.rulec-lock"))).toBe(false);
    }
  });

  it("an interrupted rebuild leaves what the next build needs to finish the job (row 5)", { timeout: 240_000 }, async () => {
    const dir = tempDir("interrupted");
    generated(dir, "rules", 2000, 23);
    expect(rulec(["build", "rules"], { cwd: dir }).status).toBe(0);
    // Rename every rule, and interrupt the rebuild once it has written some of the new outputs.
    for (const f of readdirSync(join(dir, "rules"))) renameSync(join(dir, "rules", f), join(dir, "rules", `renamed_${f}`));
    const child = spawn(process.execPath, [BIN, "build", "rules"], { cwd: dir, stdio: "ignore" });
    const t0 = Date.now();
    const started = () => readdirSync(join(dir, "out/athena")).filter((n) => n.startsWith("renamed_")).length > 50;
    while (!started() && Date.now() - t0 < 60_000) await new Promise((res) => setTimeout(res, 5));
    child.kill("SIGINT");
    expect(await new Promise((res) => child.once("exit", (c) => res(c)))).toBe(130);
    const renamed = readdirSync(join(dir, "out/athena")).filter((n) => n.startsWith("renamed_"));
    expect(renamed.length).toBeGreaterThan(0);
    // Delete two renamed rules whose new outputs the interrupted build wrote.
    const deleted = renamed.slice(0, 2).map((n) => n.replace(/\.sql$/, ""));
    for (const d of deleted) rmSync(join(dir, "rules", `${d}.yml`));
    expect(rulec(["build", "rules", "--check"], { cwd: dir }).status).toBe(1);
    const r = rulec(["build", "rules"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    for (const d of deleted) expect(existsSync(join(dir, "out/athena", `${d}.sql`)), d).toBe(false);
    expect(rulec(["build", "rules", "--check"], { cwd: dir }).status).toBe(0);
    // The same as a clean build of the same rules.
    const clean = tempDir("interrupted-clean");
    cpSync(join(dir, "rules"), join(clean, "rules"), { recursive: true });
    expect(rulec(["build", "rules"], { cwd: clean }).status).toBe(0);
    expect(tree(join(dir, "out"))).toEqual(tree(join(clean, "out")));
  });

  it("--check never calls out/ fresh while files no rule writes remain", () => {
    const dir = tempDir("untracked");
    cpSync("rules", join(dir, "rules"), { recursive: true });
    expect(rulec(["build", "rules"], { cwd: dir }).status).toBe(0);
    // A manifest that lost entries (as an older rulec could leave it), and a leftover output.
    writeFileSync(join(dir, "out/sigma/old_rule.yml"), "title: gone\n");
    const check = rulec(["build", "rules", "--check"], { cwd: dir });
    expect(check.status).toBe(1);
    expect(check.stdout).toContain("untracked: out/sigma/old_rule.yml");
    const build = rulec(["build", "rules"], { cwd: dir });
    expect(build.stderr).toContain("warning: out/sigma/old_rule.yml is not from this build");
    expect(readFileSync(join(dir, "out/sigma/old_rule.yml"), "utf8")).toBe("title: gone\n");
  });

  it("a rule that a target can no longer express loses that target's old output", () => {
    const dir = tempDir("inexpressible");
    cpSync("rules", join(dir, "rules"), { recursive: true });
    expect(rulec(["build", "rules"], { cwd: dir }).status).toBe(0);
    const file = join(dir, "rules/aws_cloudtrail_ses_check_ses_sending_enabled.yml");
    expect(existsSync(join(dir, "out/sigma/aws_cloudtrail_ses_check_ses_sending_enabled.yml"))).toBe(true);
    // Sigma cannot bind two conditions to one array element.
    writeFileSync(file, readFileSync(file, "utf8").replace('Condition: eventName eq "GetAccountSendingEnabled"', 'Condition: eventName eq "GetAccountSendingEnabled" and not resources[type eq "a" and ARN eq "b"]'));
    expect(rulec(["build", "rules", "--check"], { cwd: dir }).stdout).toContain("stale: out/sigma/aws_cloudtrail_ses_check_ses_sending_enabled.yml");
    const r = rulec(["build", "rules"], { cwd: dir });
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, "out/sigma/aws_cloudtrail_ses_check_ses_sending_enabled.yml"))).toBe(false);
    expect(rulec(["build", "rules", "--check"], { cwd: dir }).status).toBe(0);
  });
});

describe("hostile rule files", () => {
  const seed = readFileSync("rules/aws_console_root_login.yml", "utf8");

  it("an alias bomb in a test's Log is refused at load, in check and build alike (row 1)", () => {
    const dir = tempDir("aliases");
    mkdirSync(join(dir, "rules"));
    const levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i <= 9; i++) levels.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]`);
    const bomb = seed.replace(/^Tests:\n/m, `Tests:\n  - Name: bomb\n    ExpectedResult: false\n    Log:\n${levels.map((l) => `      ${l}`).join("\n")}\n`);
    writeFileSync(join(dir, "rules/bomb.yml"), bomb);
    for (const command of ["check", "test", "build"]) {
      const r = rulec([command, "rules"], { cwd: dir });
      expect(r.status, command).toBe(1);
      expect(r.stderr, command).toMatch(/rules\/bomb\.yml:\d+:\d+: error RC330: rule file too large: its aliases expand the document past 32 MiB/);
      expect(r.stderr, command).not.toMatch(/RangeError|\n\s+at /);
    }
    expect(existsSync(join(dir, "out/panther/bomb.yml"))).toBe(false);
    // Seven levels (10^7 scalars) are refused too: no 100 MB Panther YAML from a 1 KB file.
    writeFileSync(join(dir, "rules/bomb.yml"), bomb.replace(/\n\s+a8: .*\n\s+a9: .*\n/, "\n"));
    expect(rulec(["check", "rules"], { cwd: dir }).stderr).toContain("error RC330");
  });

  it("a rule file far past the size limit is not even read", () => {
    const dir = tempDir("huge");
    mkdirSync(join(dir, "rules"));
    writeFileSync(join(dir, "rules/huge.yml"), seed + `# ${"x".repeat(20 * 1024 * 1024)}\n`);
    const r = rulec(["check", "rules"], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("rules/huge.yml: error RC330: rule file too large: the file is 20 MiB; rulec reads YAML files up to 8 MiB");
  });

  it("a regex that backtracks catastrophically is refused, not run, everywhere (row 2)", () => {
    const dir = tempDir("redos");
    mkdirSync(join(dir, "rules"));
    writeFileSync(
      join(dir, "rules/redos.yml"),
      `RuleID: ReDoS\nDisplayName: ReDoS\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nCondition: userAgent matches '(a+)+$'\nTests:\n  - Name: evil\n    ExpectedResult: false\n    Log: {userAgent: "${"a".repeat(40)}!"}\n`,
    );
    for (const command of ["check", "test", "build"]) {
      const t0 = Date.now();
      const r = rulec([command, "rules"], { cwd: dir });
      expect(Date.now() - t0, command).toBeLessThan(20_000);
      expect(r.status, command).toBe(1);
      expect(r.stderr, command).toMatch(/rules\/redos\.yml:\d+:\d+: error RC240: \/\(a\+\)\+\$\/: it can backtrack catastrophically/);
    }
    const e = rulec(["eval", "userAgent matches '(a+)+$'"], { cwd: dir, input: JSON.stringify({ userAgent: `${"a".repeat(40)}!` }) });
    expect(e.status).toBe(1);
    expect(e.stderr).toContain("error RC240");
  });
});
