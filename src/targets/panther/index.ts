import type { Rule } from "../../rules/types.js";
import { rootType, schemaFor, type FieldType } from "../../schema/schema.js";
import type { Target, TargetOptions, TargetResult } from "../types.js";
import { validateOutput } from "../validation.js";
import { pythonModule } from "./python.js";
import { validator } from "./schema/validate.js";
import { dumpYaml, ruleDocument } from "./yaml.js";

/**
 * The Panther target: `panther/<name>.py` (the rule as Python over Panther's event API) and
 * `panther/<name>.yml` (Panther's rule YAML, validated against Panther's analysis schema in
 * src/targets/panther/schema). Options: `schema: false` compiles as if the log type
 * had no schema (every field may hold anything), which is how the differential tests run.
 */
export const pantherTarget: Target = {
  name: "panther",
  compile(rule: Rule, options: TargetOptions = {}): TargetResult {
    const schema = options.schema === false ? undefined : ruleSchema(rule);
    const doc = ruleDocument(rule);
    const invalid = validateOutput("Panther", "Panther's analysis schema", validator(), doc, rule);
    if (invalid.length > 0) return { files: [], diagnostics: invalid };
    return {
      files: [
        { path: `panther/${rule.name}.py`, content: pythonModule(rule, schema) },
        { path: `panther/${rule.name}.yml`, content: dumpYaml(doc) },
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
