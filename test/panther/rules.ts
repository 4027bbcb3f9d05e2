import type { Condition } from "../../src/ast/nodes.js";
import type { Rule } from "../../src/rules/types.js";

/** A minimal Rule around a condition, for compiling conditions that do not come from a file. */
export function ruleFor(condition: Condition, name = "generated", extra: Partial<Rule> = {}): Rule {
  return {
    file: `${name}.yml`,
    name,
    ruleId: `Test.${name}`,
    displayName: name,
    enabled: true,
    logTypes: ["Custom.Test"],
    severity: "Info",
    conditionText: "",
    condition,
    tests: [],
    ...extra,
  };
}
