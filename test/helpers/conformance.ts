import { readFileSync } from "node:fs";
import YAML from "yaml";
import type { Condition } from "../../src/ast/nodes.js";
import { checkCondition } from "../../src/check/check.js";
import { parseCondition } from "../../src/syntax/ast.js";

/** The conformance suite (test/conformance/cases.yml): one group per bullet of LANGUAGE.md 3 and 3.1. */

export interface ConformanceCase {
  readonly section: string;
  readonly name: string;
  readonly text: string;
  readonly condition: Condition;
  readonly event: unknown;
  readonly expected: boolean;
}

export interface ConformanceError {
  readonly name: string;
  readonly condition: string;
  readonly code: string;
}

interface CasesFile {
  groups: { section: string; cases: { name: string; condition: string; event: unknown; expected: boolean }[] }[];
  errors: ConformanceError[];
}

let cached: CasesFile | undefined;

function file(): CasesFile {
  return (cached ??= YAML.parse(readFileSync(new URL("../conformance/cases.yml", import.meta.url), "utf8")) as CasesFile);
}

/** Every valid case, parsed and checked (no schema). Throws if a case does not compile. */
export function conformanceCases(): ConformanceCase[] {
  return file().groups.flatMap((g) =>
    g.cases.map((c) => {
      const parsed = parseCondition(c.condition);
      if (!parsed.ast) throw new Error(`conformance case '${c.name}' does not parse: ${JSON.stringify(parsed.diagnostics)}`);
      const checked = checkCondition(parsed.ast, { text: c.condition });
      if (checked.diagnostics.some((d) => d.severity === "error")) {
        throw new Error(`conformance case '${c.name}' does not check: ${JSON.stringify(checked.diagnostics)}`);
      }
      return { section: g.section, name: c.name, text: c.condition, condition: checked.condition, event: c.event, expected: c.expected };
    }),
  );
}

export function conformanceErrors(): ConformanceError[] {
  return file().errors;
}
