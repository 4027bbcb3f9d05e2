import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateRule, rng } from "../../bench/generate.js";
import { TARGET_NAMES } from "../../src/targets/index.js";
import { BIN, rulec } from "../helpers/cli.js";

function library(): string {
  const dir = mkdtempSync(join(tmpdir(), "rulec-build-"));
  cpSync("rules", join(dir, "rules"), { recursive: true });
  return dir;
}

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

/** The shipped library: its rules, the files its out/ holds, and the outputs a target cannot express (RC401). */
const LIBRARY_RULES = readdirSync("rules").filter((f) => f.endsWith(".yml")).length;
const LIBRARY_FILES = readdirSync("out", { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith(".")).length;
/** Files a rule gives when every target expresses it: Panther's two, one for each other target. */
const FILES_PER_RULE = TARGET_NAMES.length + 1;
const NOT_EXPRESSIBLE = FILES_PER_RULE * LIBRARY_RULES - LIBRARY_FILES;
/** The seed rule's outputs (it is expressed by every target). */
const SEED_FILES = readdirSync("out", { recursive: true }).filter((p) => /(^|\/)aws_cloudtrail_ses_check_ses_sending_enabled\./.test(String(p))).length;

describe("rulec build", () => {
  it("the committed out/ is up to date with rules/ (run `npx rulec build rules` after editing a rule)", () => {
    const r = rulec(["build", "rules", "--check"]);
    expect(r.stdout).toBe("");
    expect(r.status).toBe(0);
  });

  it("writes every target, byte-identical across runs, and rewrites only what changed", () => {
    const dir = library();
    const first = rulec(["build", "rules"], { cwd: dir });
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(new RegExp(`${LIBRARY_RULES} rules, ${LIBRARY_FILES} files written, 0 unchanged, 0 removed, 0 rules with errors, ${NOT_EXPRESSIBLE} outputs not written: the target cannot express the rule`));
    expect(first.stderr).toMatch(/: warning RC401: Sigma: /);
    expect(first.stderr).not.toContain("error RC401");
    const before = tree(join(dir, "out"));
    expect(before).toEqual(tree("out"));
    const mtime = statSync(join(dir, "out/panther/aws_cloudtrail_ses_check_ses_sending_enabled.py")).mtimeMs;
    const second = rulec(["build", "rules"], { cwd: dir });
    expect(second.stderr).toMatch(new RegExp(`${LIBRARY_RULES} rules, 0 files written, ${LIBRARY_FILES} unchanged, 0 removed`));
    expect(tree(join(dir, "out"))).toEqual(before);
    expect(statSync(join(dir, "out/panther/aws_cloudtrail_ses_check_ses_sending_enabled.py")).mtimeMs).toBe(mtime);
  });

  it("--check fails after a rule is edited and names the stale files", () => {
    const dir = library();
    cpSync("out", join(dir, "out"), { recursive: true });
    expect(rulec(["build", "rules", "--check"], { cwd: dir }).status).toBe(0);
    const file = join(dir, "rules/aws_cloudtrail_ses_check_ses_sending_enabled.yml");
    writeFileSync(file, readFileSync(file, "utf8").replace("Severity: Info", "Severity: Low"));
    const r = rulec(["build", "rules", "--check"], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("out of date: out/panther/aws_cloudtrail_ses_check_ses_sending_enabled.yml");
    expect(r.stdout).toContain("out of date: out/sigma/aws_cloudtrail_ses_check_ses_sending_enabled.yml");
  });

  it("removes the outputs of a deleted rule, and only files it generated", () => {
    const dir = library();
    rulec(["build", "rules"], { cwd: dir });
    writeFileSync(join(dir, "out/panther/notes.txt"), "mine");
    rmSync(join(dir, "rules/aws_cloudtrail_ses_check_ses_sending_enabled.yml"));
    const check = rulec(["build", "rules", "--check"], { cwd: dir });
    expect(check.status).toBe(1);
    expect(check.stdout).toContain("stale: out/athena/aws_cloudtrail_ses_check_ses_sending_enabled.sql");
    const r = rulec(["build", "rules"], { cwd: dir });
    expect(SEED_FILES).toBe(FILES_PER_RULE);
    expect(r.stderr).toMatch(new RegExp(`${LIBRARY_RULES - 1} rules, 0 files written, \\d+ unchanged, ${SEED_FILES} removed`));
    expect(existsSync(join(dir, "out/panther/aws_cloudtrail_ses_check_ses_sending_enabled.py"))).toBe(false);
    expect(readFileSync(join(dir, "out/panther/notes.txt"), "utf8")).toBe("mine");
  });

  it("one bad rule does not stop the others; its old outputs stay; exit 1 names it", () => {
    const dir = library();
    rulec(["build", "rules"], { cwd: dir });
    const seedPy = readFileSync(join(dir, "out/panther/aws_cloudtrail_ses_check_ses_sending_enabled.py"), "utf8");
    const file = join(dir, "rules/aws_cloudtrail_ses_check_ses_sending_enabled.yml");
    writeFileSync(file, readFileSync(file, "utf8").replace('eventName eq "GetAccountSendingEnabled"', 'eventName equals "X"'));
    const other = join(dir, "rules/aws_console_root_login.yml");
    writeFileSync(other, readFileSync(other, "utf8").replace("Severity: High", "Severity: Critical"));
    const r = rulec(["build", "rules"], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error RC105: unknown operator 'equals'");
    expect(r.stderr).toMatch(/1 rules with errors: rules\/aws_cloudtrail_ses_check_ses_sending_enabled\.yml/);
    expect(readFileSync(join(dir, "out/panther/aws_cloudtrail_ses_check_ses_sending_enabled.py"), "utf8")).toBe(seedPy);
    expect(readFileSync(join(dir, "out/panther/aws_console_root_login.yml"), "utf8")).toContain("Severity: Critical");
  });

  it("a rule whose own tests fail is an error and is not compiled", () => {
    const dir = library();
    const file = join(dir, "rules/aws_cloudtrail_ses_check_ses_sending_enabled.yml");
    writeFileSync(file, readFileSync(file, "utf8").replace('eventName eq "GetAccountSendingEnabled"', 'eventName eq "Other"'));
    const r = rulec(["build", "rules"], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error RC313: test 'CheckSendingEnabled Event' failed: expected true, got false/);
    expect(existsSync(join(dir, "out/panther/aws_cloudtrail_ses_check_ses_sending_enabled.py"))).toBe(false);
  });

  it("compiles on several threads with the same files, messages and exit status as on one", () => {
    const dir = library();
    const r = rng(5);
    for (let i = 0; i < 120; i++) {
      const g = generateRule(r, i);
      writeFileSync(join(dir, "rules", `${g.name}.yml`), g.text);
    }
    const seed = readFileSync(join(dir, "rules/aws_cloudtrail_ses_check_ses_sending_enabled.yml"), "utf8");
    // Errors that need the whole library (a RuleID and a name seen twice) and errors of one file.
    mkdirSync(join(dir, "rules/copies"));
    writeFileSync(join(dir, "rules/copies/aws_cloudtrail_ses_check_ses_sending_enabled.yml"), seed.replace(/^RuleID: .*$/m, "RuleID: Copy.Of.Seed"));
    writeFileSync(join(dir, "rules/copies/same_id.yml"), seed);
    writeFileSync(join(dir, "rules/failing_test.yml"), seed.replace('eventName eq "GetAccountSendingEnabled"', 'eventName eq "Other"').replace(/^RuleID: .*$/m, "RuleID: Failing"));
    writeFileSync(join(dir, "rules/syntax_error.yml"), seed.replace('eventName eq "GetAccountSendingEnabled"', 'eventName equals "X"').replace(/^RuleID: .*$/m, "RuleID: Syntax"));
    writeFileSync(join(dir, "rules/not_utf8.yml"), Buffer.from([0x52, 0x75, 0xff, 0x0a]));
    const one = rulec(["build", "rules", "--jobs", "1", "--out", "out1"], { cwd: dir });
    const three = rulec(["build", "rules", "-j", "3", "--out", "out3"], { cwd: dir });
    expect(one.status).toBe(1);
    for (const code of ["RC306", "RC307", "RC313", "RC105"]) expect(one.stderr).toContain(`error ${code}`);
    expect(one.stderr).toContain("warning RC401");
    // The library, 120 generated rules and a copy of the seed (437 Panther, Athena and Sigma files
    // between them, and the Sentinel rules of those KQL can express), and 4 files with errors.
    const sentinelOf = (t: Record<string, string>) => Object.keys(t).filter((p) => p.startsWith("sentinel/")).length;
    const generatedSentinel = sentinelOf(tree(join(dir, "out1"))) - sentinelOf(tree("out"));
    expect(generatedSentinel).toBeGreaterThan(0);
    expect(one.stderr).toMatch(new RegExp(`^${LIBRARY_RULES + 125} rules, ${LIBRARY_FILES + 437 + generatedSentinel} files written, 0 unchanged, 0 removed, 5 rules with errors: `, "m"));
    expect(three.stderr).toBe(one.stderr);
    expect(three.stdout).toBe(one.stdout);
    expect(three.status).toBe(one.status);
    const out1 = tree(join(dir, "out1"));
    const out3 = tree(join(dir, "out3"));
    expect(Object.keys(out3).sort()).toEqual(Object.keys(out1).sort());
    for (const [name, text] of Object.entries(out1)) expect(out3[name], name).toBe(name.endsWith(".rulec-manifest.json") ? text.replaceAll("out1", "out3") : text);
  });

  it("--jobs takes a whole number", () => {
    const r = rulec(["build", "rules", "--jobs", "0", "--check"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("option '-j, --jobs <n>' argument '0' is invalid. expected a whole number from 1 to 256");
  });

  it("an output directory it cannot write to is a clear error, not a stack trace", () => {
    const dir = library();
    mkdirSync(join(dir, "out"));
    writeFileSync(join(dir, "out/panther"), "a file where a directory should be");
    const r = rulec(["build", "rules", "--target", "panther"], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error RC312: cannot write out\/panther\/aws_\w+\.py: (ENOTDIR|EEXIST)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("an interrupted build leaves no partial or temporary file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rulec-kill-"));
    mkdirSync(join(dir, "rules"));
    const r = rng(99);
    for (let i = 0; i < 3000; i++) {
      const g = generateRule(r, i);
      writeFileSync(join(dir, "rules", `${g.name}.yml`), g.text);
    }
    const reference = mkdtempSync(join(tmpdir(), "rulec-ref-"));
    cpSync(join(dir, "rules"), join(reference, "rules"), { recursive: true });
    expect(rulec(["build", "rules"], { cwd: reference }).status).toBe(0);
    const complete = tree(join(reference, "out"));

    const child = spawn(process.execPath, [BIN, "build", "rules"], { cwd: dir, stdio: "ignore" });
    // Kill it once it has written its first files.
    const t0 = Date.now();
    const started = () => existsSync(join(dir, "out", "athena")) && readdirSync(join(dir, "out", "athena")).some((n) => n.endsWith(".sql"));
    while (!started() && Date.now() - t0 < 30_000) await new Promise((res) => setTimeout(res, 2));
    child.kill("SIGKILL");
    await new Promise((res) => child.once("exit", res));
    const partial = tree(join(dir, "out"));
    // Every output file is whole, and the journal names each one (so the next build knows them).
    const outputs = Object.keys(partial).filter((n) => !/\.\d+\.tmp$/.test(n) && !n.startsWith(".rulec-"));
    const journal = partial[".rulec-journal"] ?? "";
    for (const name of outputs) expect(journal, name).toContain(`${name}\t../rules/`);
    const state = Object.keys(partial).filter((n) => n.startsWith(".rulec-") && !/\.\d+\.tmp$/.test(n));
    expect(state.every((n) => [".rulec-journal", ".rulec-lock"].includes(n)), state.join(", ")).toBe(true);
    expect(outputs.length).toBeGreaterThan(0);
    expect(outputs.length).toBeLessThan(Object.keys(complete).length);
    // Files are written 16 at a time: at most that many temporary files of the killed process remain.
    expect(Object.keys(partial).length - outputs.length - state.length).toBeLessThanOrEqual(16);
    for (const name of outputs) expect(partial[name], name).toBe(complete[name]);
    // The next build finishes the job and clears what the killed one left.
    expect(rulec(["build", "rules"], { cwd: dir }).status).toBe(0);
    expect(tree(join(dir, "out"))).toEqual(complete);
  });

  it("Ctrl-C during a build removes the temporary file it was writing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rulec-int-"));
    mkdirSync(join(dir, "rules"));
    const r = rng(7);
    for (let i = 0; i < 2000; i++) {
      const g = generateRule(r, i);
      writeFileSync(join(dir, "rules", `${g.name}.yml`), g.text);
    }
    const child = spawn(process.execPath, [BIN, "build", "rules"], { cwd: dir, stdio: "ignore" });
    const t0 = Date.now();
    while (!existsSync(join(dir, "out", "athena")) && Date.now() - t0 < 30_000) await new Promise((res) => setTimeout(res, 5));
    await new Promise((res) => setTimeout(res, 100));
    child.kill("SIGINT");
    const code = await new Promise((res) => child.once("exit", (c) => res(c)));
    expect(code).toBe(130);
    expect(Object.keys(tree(join(dir, "out"))).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });
});
