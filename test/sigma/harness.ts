import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import YAML from "yaml";
import type { Condition } from "../../src/ast/nodes.js";
import { printCondition } from "../../src/ast/print.js";
import { checkCondition } from "../../src/check/check.js";
import { importDetection } from "../../src/import/sigma/detection.js";
import type { LogSchema } from "../../src/schema/schema.js";
import { parseCondition } from "../../src/syntax/ast.js";
import { NotSayable, toDetection } from "../../src/targets/sigma/detection.js";
import { dumpSigma } from "../../src/targets/sigma/index.js";

/** Shared by the Sigma suites: the round trip source -> Sigma YAML -> import -> checked condition. */

/** The Sigma rule schema the target validates against (vendored with its licence). */
export const SIGMA_SCHEMA = new URL("../../src/targets/sigma/schema/sigma-detection-rule-schema.json", import.meta.url);
/** SigmaHQ's AWS CloudTrail rules (vendored, Detection Rule License 1.1: see test/fixtures/vendor). */
export const SIGMAHQ = new URL("../fixtures/vendor/sigmahq-sigma/rules/cloud/aws/cloudtrail/", import.meta.url);

let validator: import("ajv").ValidateFunction | undefined;

/** Validates a parsed Sigma rule against the specification's JSON schema (Ajv 2020 + formats). */
export function validateSigma(doc: unknown): { ok: boolean; errors: string } {
  if (!validator) {
    // CommonJS packages under NodeNext: the class and the plugin are the `default` of the default export.
    type AjvClass = (typeof import("ajv/dist/2020.js"))["default"];
    type FormatsPlugin = (typeof import("ajv-formats"))["default"];
    const Ajv = ((Ajv2020 as unknown as { default?: AjvClass }).default ?? Ajv2020) as AjvClass;
    const formats = ((addFormats as unknown as { default?: FormatsPlugin }).default ?? addFormats) as FormatsPlugin;
    const ajv = new Ajv({ allErrors: true, strict: false });
    formats(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(SIGMA_SCHEMA, "utf8")) as object);
  }
  const validate = validator;
  const ok = validate(doc);
  return { ok, errors: ok ? "" : JSON.stringify(validate.errors) };
}

export type RoundTrip =
  | { readonly kind: "rejected"; readonly reason: string }
  | { readonly kind: "ok"; readonly sigma: string; readonly doc: Record<string, unknown>; readonly back: Condition; readonly backText: string };

/** A minimal valid rule around a detection, for schema validation of generated detections. */
export function wrap(detection: Record<string, unknown>): Record<string, unknown> {
  return { title: "generated", id: "00000000-0000-5000-8000-000000000000", status: "test", logsource: { product: "aws", service: "cloudtrail" }, detection, level: "low" };
}

export function roundTrip(condition: Condition, schema: LogSchema | undefined): RoundTrip {
  let det;
  try {
    det = toDetection(condition, schema);
  } catch (e) {
    if (e instanceof NotSayable) return { kind: "rejected", reason: e.message };
    throw e;
  }
  const sigma = dumpSigma(wrap({ ...det.selections, condition: det.condition }));
  const doc = YAML.parse(sigma, { version: "1.1" }) as Record<string, unknown>;
  const imported = importDetection(doc.detection, schema);
  const backText = printCondition(imported);
  const parsed = parseCondition(backText);
  if (!parsed.ast) throw new Error(`imported condition does not parse: ${backText}: ${JSON.stringify(parsed.diagnostics)}`);
  const checked = checkCondition(parsed.ast, { text: backText });
  if (checked.diagnostics.some((d) => d.severity === "error")) throw new Error(`imported condition does not check: ${backText}: ${JSON.stringify(checked.diagnostics)}`);
  return { kind: "ok", sigma, doc, back: checked.condition, backText };
}
