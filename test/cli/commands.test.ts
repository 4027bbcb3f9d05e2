import { describe, expect, it } from "vitest";
import { commandName, main } from "../../src/cli/main.js";
import { bufferOutput } from "../../src/cli/output.js";
import { rulec } from "../helpers/cli.js";

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
