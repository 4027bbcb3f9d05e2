import { readFileSync } from "node:fs";
import YAML from "yaml";
import { describe, expect, it } from "vitest";
import { rulec } from "../helpers/cli.js";

describe("docs/github/rulec.yml", () => {
  const workflow = YAML.parse(readFileSync("docs/github/rulec.yml", "utf8")) as { jobs: Record<string, { steps: { run?: string }[] }> };
  const commands = Object.values(workflow.jobs)
    .flatMap((j) => j.steps)
    .flatMap((s) => (s.run ?? "").split("\n"))
    .map((line) => /npx rulec (.*?)(?:\s*[>|].*)?$/.exec(line)?.[1])
    .filter((c): c is string => c !== undefined);

  it("runs rulec check, test, fmt --check, build --check and sarif", () => {
    expect(commands.map((c) => c.split(" ")[0])).toEqual(["check", "test", "fmt", "build", "check"]);
  });

  for (const command of commands) {
    it(`uses only commands and options that exist: rulec ${command}`, () => {
      const [name, ...args] = command.split(/\s+/);
      const help = rulec([name!, "--help"]);
      expect(help.status).toBe(0);
      for (const option of args.filter((a) => a.startsWith("--"))) expect(help.stdout).toContain(option);
    });
  }
});
