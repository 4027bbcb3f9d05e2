import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { rulec } from "../helpers/cli.js";

const require = createRequire(import.meta.url);
// ajv-draft-04 is CommonJS: its class is the module itself.
const Ajv04 = require("ajv-draft-04") as typeof import("ajv-draft-04").default;
const schema = JSON.parse(readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8")) as object;

describe("rulec check --format sarif|github", () => {
  it("SARIF 2.1.0 validates against the SARIF schema and carries every diagnostic with its region", () => {
    const r = rulec(["check", "test/invalid", "test/warnings", "--format", "sarif"]);
    expect(r.status).toBe(1);
    const sarif = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; level: string; locations?: { physicalLocation: { region?: { startLine: number; startColumn: number } } }[] }[] }[] };
    const ajv = new Ajv04({ strict: false, allErrors: true, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const results = sarif.runs[0]!.results;
    const op = results.find((x) => x.ruleId === "RC105")!;
    expect(op.level).toBe("error");
    expect(op.locations?.[0]?.physicalLocation.region).toMatchObject({ startLine: 5, startColumn: 22 });
    expect(results.some((x) => x.level === "warning")).toBe(true);
  });

  it("GitHub workflow commands, one per diagnostic, with escaped messages", () => {
    const r = rulec(["check", "test/invalid/unknown_operator.yml", "--format", "github"]);
    expect(r.stdout).toBe(
      "::error file=test/invalid/unknown_operator.yml,line=5,col=22,endLine=5,endColumn=28,title=RC105 unknown operator::unknown operator 'equals' (did you mean 'eq'?)\n",
    );
  });
});
