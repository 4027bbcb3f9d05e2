import { fileDiagnostic, type Diagnostic } from "../../diagnostics.js";
import type { Rule } from "../../rules/types.js";
import { schemaFor } from "../../schema/schema.js";
import type { Target, TargetOptions, TargetResult } from "../types.js";
import { validateOutput } from "../validation.js";
import { PANTHER_FIELDS } from "../../logtypes/registry.js";
import { logSourceFor, sigmaFields } from "./data/logsources.js";
import { NotSayable, toDetection } from "./detection.js";
import { LEVELS, attackTags, uuidV5 } from "./metadata.js";
import { STATUSES, validDate } from "./options.js";
import { validator } from "./schema/validate.js";
import { dumpSigma } from "./yaml.js";

export { dumpSigma };

/**
 * The Sigma target: `sigma/<name>.yml`, a Sigma rule (specification v2) built as an object and
 * dumped as YAML, validated against the Sigma rule schema (src/targets/sigma/schema). A condition
 * Sigma cannot say exactly is an RC401 error and no file.
 *
 * Options (all optional, from the configuration; never the clock):
 * - `author`: string
 * - `status`: stable | test | experimental | deprecated | unsupported (default experimental)
 * - `date`: YYYY-MM-DD
 */

/** Panther's standard fields: on Panther's events only, never in the logs a Sigma rule reads. */
const PANTHER_ONLY: ReadonlySet<string> = new Set(Object.keys(PANTHER_FIELDS));

export const sigmaTarget: Target = {
  name: "sigma",
  compile(rule: Rule, options: TargetOptions = {}): TargetResult {
    const { doc, diagnostics } = sigmaDocument(rule, options);
    if (doc === undefined) return { files: [], diagnostics };
    const invalid = validateOutput("Sigma", "the Sigma rule schema", validator(), doc, rule);
    if (invalid.length > 0) return { files: [], diagnostics: [...diagnostics, ...invalid] };
    return { files: [{ path: `sigma/${rule.name}.yml`, content: dumpSigma(doc) }], diagnostics };
  },
};

/** The Sigma rule as an object (what `compile` dumps), or the diagnostics that stop it. */
export function sigmaDocument(rule: Rule, options: TargetOptions = {}): { doc?: Record<string, unknown>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const error = (message: string) => diagnostics.push(fileDiagnostic("RC401", `Sigma: ${message}`, rule.file, undefined));

  const sources = [...new Set(rule.logTypes.map((t) => logSourceFor(t)))];
  const source = sources[0];
  if (sources.length !== 1 || source === undefined) {
    error(
      rule.logTypes.length > 1 && sources.some((s) => s !== undefined)
        ? `the rule's log types (${rule.logTypes.join(", ")}) have different Sigma logsources, and a Sigma rule has one: split the rule per log type`
        : `no Sigma logsource for ${rule.logTypes.join(", ")} (a log type's logsource is the 'sigma' block of its folder in src/logtypes)`,
    );
    return { diagnostics };
  }
  const fields = sigmaFields(source.logType);
  let detection;
  try {
    detection = toDetection(rule.condition, schemaFor(source.logType), fields, PANTHER_ONLY);
  } catch (e) {
    if (!(e instanceof NotSayable)) throw e;
    error(`${e.message}`);
    return { diagnostics };
  }

  const status = typeof options.status === "string" ? options.status : "experimental";
  if (!STATUSES.includes(status)) {
    diagnostics.push(fileDiagnostic("RC502", `Sigma status '${status}' is not one of ${STATUSES.join(", ")}`, undefined, undefined));
    return { diagnostics };
  }
  const date = options.date;
  if (date !== undefined && (typeof date !== "string" || !validDate(date))) {
    diagnostics.push(fileDiagnostic("RC502", `Sigma date must be YYYY-MM-DD, not ${JSON.stringify(date)}`, undefined, undefined));
    return { diagnostics };
  }
  const { tags, unknown } = attackTags(rule.reports);
  for (const u of unknown) {
    diagnostics.push({ ...fileDiagnostic("RC401", `Sigma: no ATT&CK tag for '${u}' (left out of tags)`, rule.file, undefined), severity: "warning" });
  }

  const doc: Record<string, unknown> = { title: rule.displayName, id: uuidV5(rule.ruleId), status };
  if (rule.description !== undefined && rule.description.trim() !== "") doc.description = rule.description.trim();
  if (rule.reference !== undefined && rule.reference.trim() !== "") doc.references = [rule.reference.trim()];
  if (typeof options.author === "string" && options.author !== "") doc.author = options.author;
  if (typeof date === "string") doc.date = date;
  if (tags.length > 0) doc.tags = tags;
  doc.logsource = {
    product: source.product,
    ...(source.service === undefined ? {} : { service: source.service }),
    ...(source.category === undefined ? {} : { category: source.category }),
  };
  doc.detection = { ...detection.selections, condition: detection.condition };
  if (rule.outputFields && rule.outputFields.length > 0) doc.fields = rule.outputFields.map((p) => fields.toSigma(p.segments.map((s) => s.name).join(".")));
  doc.level = LEVELS[rule.severity];

  return { doc, diagnostics };
}

/** YYYY-MM-DD naming a real day (no 2026-13-45, no 2026-02-30). */