import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { generateRule, rng } from "../../bench/generate.js";
import { BIN, rulec, type RunResult } from "../helpers/cli.js";
import { TARGET_NAMES } from "../../src/targets/index.js";

/**
 * A hostile tester's findings, one test each: files outside the output directory, concurrent and
 * interrupted builds, and the other rows of the hardening pass.
 */

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      // The build cache (and the .gitignore that names it) is the machine's, not the output's.
      if (prefix === "" && (e.name === ".rulec-cache.jsonl" || e.name === ".gitignore")) continue;
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
    expect(Object.keys(manifest.files).every((p) => new RegExp(`^(${TARGET_NAMES.join("|")})/[^/]+$`).test(p))).toBe(true);
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
    const exited = new Promise((res) => child.once("exit", (c) => res(c)));
    const t0 = Date.now();
    const started = () => readdirSync(join(dir, "out/athena")).filter((n) => n.startsWith("renamed_")).length > 50;
    while (!started() && Date.now() - t0 < 60_000) await new Promise((res) => setTimeout(res, 5));
    child.kill("SIGINT");
    expect(await exited).toBe(130);
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
    const [got, want] = [tree(join(dir, "out")), tree(join(clean, "out"))];
    expect(Object.keys(got).filter((k) => !(k in want))).toEqual([]);
    expect(got).toEqual(want);
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

describe("the command line, row by row", () => {
  const seed = readFileSync("rules/aws_cloudtrail_ses_check_ses_sending_enabled.yml", "utf8");

  function library(name: string): string {
    const dir = tempDir(name);
    mkdirSync(join(dir, "rules"));
    writeFileSync(join(dir, "rules/seed.yml"), seed);
    return dir;
  }

  it("fmt refuses a file that is not UTF-8 and leaves it as it is (row 6)", () => {
    const dir = library("fmt-latin1");
    const latin1 = Buffer.from(seed.replace("Detect when", "D\u00e9tect when"), "latin1");
    writeFileSync(join(dir, "rules/seed.yml"), latin1);
    for (const args of [["fmt", "rules"], ["fmt", "--check", "rules"]]) {
      const r = rulec(args, { cwd: dir });
      expect(r.status, args.join(" ")).toBe(1);
      expect(r.stderr).toContain("rules/seed.yml: error RC310: file is not valid UTF-8 text");
    }
    expect(readFileSync(join(dir, "rules/seed.yml")).equals(latin1)).toBe(true);
  });

  it("import sigma refuses two sources for one output name (row 7)", () => {
    const dir = tempDir("import-same-name");
    const sigma = "title: T{n}\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  s: {eventName: X{n}}\n  condition: s\nlevel: low\n";
    for (const n of ["1", "2"]) {
      mkdirSync(join(dir, `s${n}`));
      writeFileSync(join(dir, `s${n}`, "x.yml"), sigma.replaceAll("{n}", n));
    }
    const r = rulec(["import", "sigma", "s1", "s2", "--out", "o", "--force"], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("s2/x.yml: error RC501: cannot import: o/x.yml is already imported from s1/x.yml in this run");
    expect(r.stderr).toContain("imported 1 of 2 Sigma rule files (50%)");
    expect(readFileSync(join(dir, "o/x.yml"), "utf8")).toContain("X1");
  });

  it("a path that does not exist fails every command (row 8)", () => {
    const dir = library("nosuch");
    for (const command of ["check", "test", "build", "fmt", "catalog"]) {
      const r = rulec([command, "rules/seed.yml", "nosuch"], { cwd: dir });
      expect(r.status, command).toBe(1);
      expect(r.stderr, command).toContain("nosuch: error RC312: no such file or directory: nosuch");
    }
  });

  it("bad configuration values are usage errors with a position (row 9)", () => {
    const cases: [string, string][] = [
      ["athena: {since: 7x}\n", "rulec.config.yml:1:17: error RC502: athena.since '7x' is not a window"],
      ["athena:\n  profile: bogus\n", "rulec.config.yml:2:12: error RC502: athena.profile 'bogus' is not a table profile"],
      ["sigma:\n  date: 2026-13-45\n", "rulec.config.yml:2:9: error RC502: sigma.date '2026-13-45' is not a date, YYYY-MM-DD"],
      ["sigma:\n  date: 2026-02-30\n", "rulec.config.yml:2:9: error RC502: sigma.date '2026-02-30' is not a date"],
      ['out: ""\n', "rulec.config.yml:1:6: error RC502: out must not be empty"],
      ["out: 5\n", "rulec.config.yml:1:6: error RC502: out must be a string (quote it)"],
      ["targets: [panther, sigmma]\n", "rulec.config.yml:1:20: error RC502: unknown target 'sigmma'"],
      ["athena: {from: '2026-02-01', to: '2026-01-01'}\n", "athena.to (2026-01-01) must be after athena.from (2026-02-01)"],
    ];
    for (const [config, message] of cases) {
      const dir = library("config");
      writeFileSync(join(dir, "rulec.config.yml"), config);
      const r = rulec(["build", "rules"], { cwd: dir });
      expect(r.status, config).toBe(2);
      expect(r.stderr, config).toContain(message);
      expect(existsSync(join(dir, "out")) || existsSync(join(dir, "5")), config).toBe(false);
    }
  });

  it("usage mistakes exit 2 with a message (row 10)", () => {
    const dir = library("usage");
    expect(rulec([], { cwd: dir }).status).toBe(2);
    expect(rulec(["import"], { cwd: dir }).status).toBe(2);
    const empty = rulec(["build", "rules", "--target", ""], { cwd: dir });
    expect([empty.status, empty.stderr]).toEqual([2, `rulec: unknown target '' (known: ${TARGET_NAMES.join(", ")})\n`]);
    const config = rulec(["--config", "missing.yml", "check", "rules"], { cwd: dir });
    expect([config.status, config.stderr]).toEqual([2, "rulec: cannot read --config missing.yml: ENOENT\n"]);
    const window = rulec(["hunt", "rules", "--logs", "x.json", "--from", "2026-02-01", "--to", "2026-01-01"], { cwd: dir });
    expect([window.status, window.stderr]).toEqual([2, "rulec: --to (2026-01-01) must be after --from (2026-02-01)\n"]);
    expect(rulec(["--help"], { cwd: dir }).status).toBe(0);
    expect(rulec(["import", "--help"], { cwd: dir }).status).toBe(0);
  });

  it("an Athena query longer than Athena takes is said at build time (row 11)", () => {
    const dir = library("long-query");
    const names = Array.from({ length: 30_000 }, (_, i) => `"Event${i}WithALongerNameThanUsual"`).join(", ");
    writeFileSync(join(dir, "rules/seed.yml"), seed.replace(/^Condition: .*$/m, `Condition: eventName in ["GetAccountSendingEnabled", ${names}]`));
    const r = rulec(["build", "rules"], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/rules\/seed\.yml: warning RC401: not expressible in Athena SQL: the query is [\d,]+ bytes, and Athena refuses a query longer than 262,144 bytes/);
    expect(existsSync(join(dir, "out/athena/seed.sql"))).toBe(false);
    expect(existsSync(join(dir, "out/panther/seed.py"))).toBe(true);
    const hunt = rulec(["hunt", "rules", "--engine", "athena", "--dry-run"], { cwd: dir });
    expect(hunt.stderr).toContain("refuses a query longer than 262,144 bytes");
  });

  it("what a target cannot express is a warning in the default build, an error under --strict (row 13)", () => {
    const r = rulec(["build", "rules", "--check"]);
    expect(r.stderr).toMatch(/warning RC401: Sigma:/);
    expect(r.stderr).not.toContain("error RC401");
    const strict = rulec(["build", "rules", "--check", "--strict"]);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toMatch(/error RC401: Sigma:/);
  });

  it("the smaller findings", () => {
    const dir = library("smaller");
    // Two files with one name: check says so, as build does.
    mkdirSync(join(dir, "rules/other"));
    writeFileSync(join(dir, "rules/other/seed.yml"), seed.replace(/^RuleID: .*$/m, "RuleID: Other"));
    const check = rulec(["check", "rules"], { cwd: dir });
    expect(check.status).toBe(1);
    expect(check.stderr).toContain("error RC306: two rules are named 'seed' (the file name names the outputs): also rules/other/seed.yml");
    rmSync(join(dir, "rules/other"), { recursive: true });
    // --target given twice; --out a file; --out inside the rules.
    expect(rulec(["build", "rules", "--target", "panther,panther"], { cwd: dir }).stderr).toMatch(/^1 rules, 2 files written/m);
    writeFileSync(join(dir, "afile"), "");
    expect(rulec(["build", "rules", "--out", "afile"], { cwd: dir })).toMatchObject({ status: 2, stderr: "rulec: cannot build into afile: it is a file, not a directory\n" });
    expect(rulec(["build", "rules", "--out", "rules"], { cwd: dir })).toMatchObject({ status: 2, stderr: "rulec: cannot build into rules: it is inside the rules (rules): the outputs would be read as rules\n" });
    // An empty folder says why it fails.
    mkdirSync(join(dir, "empty"));
    expect(rulec(["check", "empty"], { cwd: dir }).stderr).toContain("empty: error RC312: no rule files (*.yml, *.yaml) in empty");
    // Symbolic links: followed; a loop is named.
    symlinkSync(join(dir, "rules/seed.yml"), join(dir, "rules/linked.yml"));
    expect(rulec(["check", "rules"], { cwd: dir }).stderr).toContain("error RC307: duplicate RuleID");
    rmSync(join(dir, "rules/linked.yml"));
    symlinkSync(join(dir, "rules"), join(dir, "rules/loop"));
    expect(rulec(["check", "rules"], { cwd: dir }).stderr).toContain("error RC312: a loop of symbolic links: rules/loop leads back to rules");
    rmSync(join(dir, "rules/loop"));
    // AlertTitle "{0}" names what is wrong.
    writeFileSync(join(dir, "rules/seed.yml"), seed.replace(/^Severity: .*$/m, '$&\nAlertTitle: "{0}"'));
    expect(rulec(["check", "rules"], { cwd: dir }).stderr).toContain("error RC306: '{0}' in AlertTitle is not a field path");
    // A duplicate key is named.
    writeFileSync(join(dir, "rules/seed.yml"), seed.replace(/^Severity: .*$/m, "$&\nSeverity: Low"));
    expect(rulec(["check", "rules"], { cwd: dir }).stderr).toContain("error RC308: duplicate key 'Severity' in a mapping");
    // A code frame shows a window of a long line, not the whole line.
    writeFileSync(join(dir, "rules/seed.yml"), seed.replace(/^Severity: .*$/m, `$&\nDescription: "${"x".repeat(40_000)}"\nRunbook: 5`));
    const long = rulec(["check", "rules"], { cwd: dir });
    expect(Math.max(...long.stderr.split("\n").map((l) => l.length))).toBeLessThan(300);
    writeFileSync(join(dir, "rules/seed.yml"), seed);
    // eval reads gzip; catalog --format json --out x.json writes that file.

    writeFileSync(join(dir, "e.json.gz"), gzipSync(JSON.stringify({ eventName: "GetAccountSendingEnabled" })));
    expect(rulec(["eval", 'eventName eq "GetAccountSendingEnabled"', "e.json.gz"], { cwd: dir }).stdout).toBe("true\n");
    expect(rulec(["catalog", "rules", "--format", "json", "--out", "cat.json"], { cwd: dir }).status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "cat.json"), "utf8"))).toHaveProperty("rules");
    // hunt --logs takes a directory and expands a pattern itself.
    mkdirSync(join(dir, "AWSLogs/a/b"), { recursive: true });
    writeFileSync(join(dir, "AWSLogs/a/b/t.json.gz"), gzipSync(JSON.stringify({ Records: [{ eventName: "GetAccountSendingEnabled", eventTime: "2026-01-01T00:00:00Z" }] })));
    for (const logs of ["AWSLogs", "AWSLogs/**/*.json.gz"]) {
      const h = rulec(["hunt", "rules", "--logs", logs, "--format", "json"], { cwd: dir });
      expect(h.status, logs).toBe(0);
      expect(JSON.parse(h.stdout), logs).toHaveLength(1);
    }
    // An alias bomb in a Sigma file is refused, not a crash.
    const bomb = ["title: b", "logsource: {product: aws, service: cloudtrail}", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 8; i++) bomb.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]`);
    writeFileSync(join(dir, "bomb.yml"), [...bomb, "detection:", "  s: {eventName: X}", "  condition: s", ""].join("\n"));
    const imported = rulec(["import", "sigma", "bomb.yml", "--out", "imported"], { cwd: dir });
    expect(imported.status).toBe(1);
    expect(imported.stderr).toContain("bomb.yml: error RC330: cannot import: the file's aliases expand too far");
    // The jq example of `rulec test --help` works on the output's shape.
    expect(rulec(["test", "--help"], { cwd: dir }).stdout).toContain("jq '.tests[] | select(.passed | not)'");
  });
});

describe("streams", () => {
  it("colour follows the stream it is written to: diagnostics on a terminal's stderr, none in a redirected one", async () => {
    const { main } = await import("../../src/cli/main.js");
    const { bufferOutput } = await import("../../src/cli/output.js");
    const dir = tempDir("colour");
    mkdirSync(join(dir, "rules"));
    writeFileSync(join(dir, "rules/bad.yml"), "RuleID: x\n");
    for (const [stdoutTty, stderrTty] of [[true, false], [false, true]] as const) {
      const io = { ...bufferOutput(), colorAllowed: stdoutTty, errorColorAllowed: stderrTty };
      const captured = { err: "" };
      io.err = (t: string) => void (captured.err += t);
      await main(["node", "rulec", "check", join(dir, "rules")], io);
      expect(captured.err.includes("\x1b["), `stdout tty ${stdoutTty}, stderr tty ${stderrTty}`).toBe(stderrTty);
    }
  });

  it("Ctrl-C says it interrupted the command", async () => {
    const dir = tempDir("sigint");
    generated(dir, "rules", 1500, 31);
    const child = spawn(process.execPath, [BIN, "build", "rules"], { cwd: dir });
    const closed = new Promise((res) => child.once("close", (c) => res(c)));
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const t0 = Date.now();
    while (!existsSync(join(dir, "out", "athena")) && Date.now() - t0 < 30_000) await new Promise((res) => setTimeout(res, 5));
    child.kill("SIGINT");
    expect(await closed).toBe(130);
    expect(stderr).toContain("rulec: interrupted (SIGINT)");
    expect(existsSync(join(dir, "out/.rulec-lock"))).toBe(false);
  });
});
