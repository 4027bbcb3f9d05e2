import type { Rule } from "../../rules/types.js";
import { rootType, schemaFor, type FieldType } from "../../schema/schema.js";
import type { Target, TargetOptions, TargetResult } from "../types.js";
import { pythonModule } from "./python.js";
import { ruleYaml } from "./yaml.js";

/**
 * The Panther target: `panther/<name>.py` (the rule as Python over Panther's event API) and
 * `panther/<name>.yml` (Panther's rule YAML). Options: `schema: false` compiles as if the log type
 * had no schema (every field may hold anything), which is how the differential tests run.
 */
export const pantherTarget: Target = {
  name: "panther",
  compile(rule: Rule, options: TargetOptions = {}): TargetResult {
    const schema = options.schema === false ? undefined : ruleSchema(rule);
    return {
      files: [
        { path: `panther/${rule.name}.py`, content: pythonModule(rule, schema) },
        { path: `panther/${rule.name}.yml`, content: ruleYaml(rule) },
      ],
      diagnostics: [],
    };
  },
};

/** The schema the simple forms may rely on: only when the rule has exactly one known log type. */
function ruleSchema(rule: Rule): FieldType | undefined {
  if (rule.logTypes.length !== 1) return undefined;
  const schema = schemaFor(rule.logTypes[0]!);
  return schema ? rootType(schema) : undefined;
}
