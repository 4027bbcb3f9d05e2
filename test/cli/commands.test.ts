import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commandName, main } from "../../src/cli/main.js";
import { bufferOutput } from "../../src/cli/output.js";
import { BIN, ROOT, rulec } from "../helpers/cli.js";

/**
 * Each command's module is loaded only when that command runs (src/cli/main.ts): what a command
 * line names must be read exactly, and help must still list every command.
 */

describe("the command a command line names", () => {
  it.each([
    [["build", "rules"], "build"],
    [["--no-color", "hunt", "rules"], "hunt"],
    [["--config", "build", "check", "rules"], "check"],
    [["--config=x.yml", "athena", "ddl"], "athena"],
    [["--", "test"], "test"],
    [["--help"], undefined],
    [[], undefined],
  ] as const)("%j -> %s", (args, name) => {
    expect(commandName(args)).toBe(name);
  });
});

describe("help and unknown commands see every command", () => {
  const all = ["check", "test", "eval", "build", "fmt", "catalog", "import", "hunt", "athena", "logtypes"];

  it("rulec --help lists them all", () => {
    const r = rulec(["--help"]);
    expect(r.status).toBe(0);
    const listed = r.stdout.split("\n").flatMap((l) => /^ {2}([a-z]+)\b/.exec(l)?.[1] ?? []);
    for (const c of all) expect(listed).toContain(c);
  });

  it("an unknown command is a usage error with the nearest one suggested", () => {
    const r = rulec(["bild", "rules"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'bild'");
    expect(r.stderr).toContain("Did you mean build?");
  });

  it("each command's own help works on its own", async () => {
    for (const c of all) {
      const io = bufferOutput();
      expect(await main(["node", "rulec", c, "--help"], io), c).toBe(0);
      expect(io.stdout, c).toContain(`Usage: rulec ${c}`);
    }
    const io = bufferOutput();
    expect(await main(["node", "rulec", "athena", "ddl", "--help"], io)).toBe(0);
    expect(io.stdout).toContain("Usage: rulec athena ddl");
  });

  it("--version loads no command and prints the version", () => {
    const r = rulec(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe("a build the cache answers whole", () => {
  /** The modules of rulec a command loads (node's resolve hook, in a process of its own). */
  function modulesLoaded(args: string[], cwd: string): { status: number | null; stderr: string; modules: string[] } {
    const log = join(cwd, "modules.log");
    writeFileSync(join(cwd, "hooks.mjs"), `import { appendFileSync } from "node:fs";\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + "\\n"); return r; }\n`);
    writeFileSync(join(cwd, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(new URL(`file://${join(cwd, "hooks.mjs")}`).href)});\n`);
    rmSync(log, { force: true });
    const r = spawnSync(process.execPath, ["--import", join(cwd, "register.mjs"), BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
    const root = new URL(`file://${ROOT}`).href;
    const modules = readFileSync(log, "utf8")
      .split("\n")
      .filter((u) => u.startsWith(root) && !u.includes("/node_modules/"))
      .map((u) => u.slice(root.length));
    return { status: r.status, stderr: r.stderr, modules: [...new Set(modules)].sort() };
  }

  it("loads neither the parser, the checks, the evaluator nor any target's compiler", () => {
    const dir = mkdtempSync(join(tmpdir(), "rulec-lazy-"));
    try {
      mkdirSync(join(dir, "rules"));
      for (const f of ["aws_console_root_login.yml", "aws_cloudtrail_logging_stopped.yml", "auth0_role_assigned.yml"]) cpSync(join(ROOT, "rules", f), join(dir, "rules", f));
      const first = modulesLoaded(["build", "rules"], dir);
      expect(first.status, first.stderr).toBe(0);
      expect(first.modules).toContain("dist/syntax/parser.js");
      const again = modulesLoaded(["build", "rules"], dir);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stderr).toContain("(all from the build cache)");
      expect(again.modules).toContain("dist/cli/build.js");
      const compiler = again.modules.filter((m) => /^dist\/(syntax|check|eval|rules\/load|cli\/compile|targets\/[a-z]+\/index)\b/.test(m));
      expect(compiler).toEqual([]);
      // Without a configuration file, neither the YAML loader, the configuration's checks nor the
      // log types (which the Athena target's option checks read) are loaded either.
      expect(again.modules.filter((m) => /^dist\/(logtypes\/|config\/config|rules\/yaml|targets\/option-checks)/.test(m))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
