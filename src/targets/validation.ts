import { fileDiagnostic, type Diagnostic } from "../diagnostics.js";
import type { Rule } from "../rules/types.js";

/** A validator generated from a target's JSON schema (scripts/schemas.ts): Ajv's standalone form. */
export interface SchemaValidator {
  (doc: unknown): boolean;
  errors?: readonly { readonly instancePath: string; readonly message?: string }[] | null;
}

/**
 * Validates a document a target is about to write against the format's own schema. A failure is a
 * bug in the target, reported as an RC402 error for the rule (and no file), never written.
 */
export function validateOutput(target: string, schemaName: string, validate: SchemaValidator, doc: unknown, rule: Rule): Diagnostic[] {
  if (validate(doc)) return [];
  const first = validate.errors?.[0];
  const where = first ? ` (${first.instancePath || "/"} ${first.message ?? "is invalid"})` : "";
  return [fileDiagnostic("RC402", `${target}: the output does not validate against ${schemaName}${where}; this is a bug in rulec, please report it`, rule.file, undefined)];
}
