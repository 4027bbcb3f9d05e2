import { printCondition } from "../../ast/print.js";
import type { Condition } from "../../ast/nodes.js";
import { fileDiagnostic, type Diagnostic } from "../../diagnostics.js";
import { MAX_YAML_CHARS } from "../../rules/yaml.js";
import { yamlLib } from "../../yamllib.js";
import { schemaFor } from "../../schema/schema.js";
import { logTypeOf, sigmaFields } from "../../targets/sigma/data/logsources.js";
import { tacticByTag } from "../../targets/sigma/data/tactics.js";
import { severityOfLevel } from "../../targets/sigma/metadata.js";
import { NotImportable, importDetection } from "./detection.js";

/**
 * Sigma rules -> source rules. Pure: the text of one Sigma file in, the rule YAML text of each
 * importable rule and a diagnostic (with the reason) for each rule that is not.
 */

export interface ImportedRule {
  /** The output file's stem (the Sigma file's stem). */
  readonly name: string;
  /** The rule YAML text. */
  readonly text: string;
  readonly condition: Condition;
}

export interface ImportResult {
  readonly rules: readonly ImportedRule[];
  readonly diagnostics: readonly Diagnostic[];
}

export function importSigma(text: string, file: string): ImportResult {
  const name = (file.split(/[\\/]/).pop() ?? file).replace(/\.ya?ml$/i, "");
  const diagnostics: Diagnostic[] = [];
  const reject = (message: string, code: "RC401" | "RC301" | "RC501" | "RC330" = "RC401") => {
    diagnostics.push(fileDiagnostic(code, `cannot import: ${message}`, file, undefined));
    return { rules: [], diagnostics };
  };
  if (text.length > MAX_YAML_CHARS) return reject(`the file is ${(text.length / 1024 / 1024).toFixed(1)} MiB; rulec reads YAML files up to ${MAX_YAML_CHARS / 1024 / 1024} MiB`, "RC330");
  // PyYAML reads Sigma rules as YAML 1.1: read them the same way.
  const docs = yamlLib().parseAllDocuments(text, { version: "1.1" });
  if (!Array.isArray(docs)) return reject("empty file", "RC501");
  const errors = docs.flatMap((d) => d.errors);
  if (errors.length > 0) return reject(`invalid YAML: ${errors[0]!.message}`, "RC301");
  if (docs.length !== 1) return reject("a file with several YAML documents (Sigma v1 'action: global' collections) is not importable", "RC501");
  let doc: unknown;
  try {
    doc = docs[0]!.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // The yaml library refuses an alias chain that would expand too far (a "billion laughs").
    return reject(`the file's aliases expand too far (${(e as Error).message}); rulec expands at most 100 aliases in a Sigma file`, "RC330");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return reject("a Sigma rule is a mapping", "RC501");
  const r = doc as Record<string, unknown>;
  if (r.correlation !== undefined) return reject("a correlation rule (counts and sequences over several events) has no equivalent in the language");
  if (r.filter !== undefined && r.detection === undefined) return reject("a Sigma filter (meta-rule) is not a rule");
  if (typeof r.title !== "string" || r.title.trim() === "") return reject("the rule has no title", "RC501");
  const logsource = (r.logsource ?? {}) as Record<string, unknown>;
  const logType = logTypeOf(logsource);
  if (!logType) {
    const desc = ["product", "service", "category"].filter((k) => logsource[k] !== undefined).map((k) => `${k}: ${String(logsource[k])}`).join(", ");
    return reject(`unknown logsource (${desc || "none"}): no log type maps to it (a log type's logsources are the 'sigma' block of its folder in src/logtypes)`);
  }
  let condition: Condition;
  try {
    condition = importDetection(r.detection, schemaFor(logType), sigmaFields(logType));
  } catch (e) {
    if (e instanceof NotImportable) return reject(e.message);
    throw e;
  }

  const out: Record<string, unknown> = {
    RuleID: `Sigma.${pascal(r.title)}`,
    DisplayName: r.title.trim(),
    Enabled: !(r.status === "deprecated" || r.status === "unsupported"),
    LogTypes: [logType],
    Severity: (typeof r.level === "string" ? severityOfLevel(r.level) : undefined) ?? "Medium",
  };
  const refs = Array.isArray(r.references) ? r.references.filter((x): x is string => typeof x === "string") : [];
  let description = typeof r.description === "string" ? r.description.trim() : "";
  if (refs.length > 1) description += `${description ? "\n\n" : ""}References:\n${refs.map((x) => `- ${x}`).join("\n")}`;
  // The Detection Rule License (SigmaHQ's rules) asks that a shared rule keep its authors.
  const origin = [typeof r.id === "string" ? `Imported from Sigma rule ${r.id}` : "Imported from a Sigma rule"];
  if (typeof r.author === "string" && r.author.trim() !== "") origin.push(`by ${r.author.trim()}`);
  if (typeof r.license === "string" && r.license.trim() !== "") origin.push(`(licence: ${r.license.trim()})`);
  if (typeof r.id === "string" || origin.length > 1) description += `${description ? "\n\n" : ""}${origin.join(" ")}.`;
  if (description) out.Description = description;
  if (refs.length > 0) out.Reference = refs[0];
  const fps = Array.isArray(r.falsepositives) ? r.falsepositives.map(String) : typeof r.falsepositives === "string" ? [r.falsepositives] : [];
  if (fps.length > 0) out.Runbook = `False positives: ${fps.join("; ")}`;
  const { tags, reports } = mapTags(Array.isArray(r.tags) ? r.tags.map(String) : []);
  out.Tags = ["Sigma", ...tags];
  if (reports.length > 0) out.Reports = { "MITRE ATT&CK": reports };
  out.Condition = printCondition(condition);
  if (Array.isArray(r.fields) && r.fields.every((f) => typeof f === "string") && r.fields.length > 0) {
    const fields = sigmaFields(logType);
    out.OutputFields = (r.fields as string[]).map((f) => fields.fromSigma(f));
  }

  const yaml = yamlLib().stringify(out, { lineWidth: 0 });
  return { rules: [{ name, text: yaml, condition }], diagnostics };
}

function pascal(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}

/** `attack.<tactic>` and `attack.tNNNN[.NNN]` -> Panther's "TA0007:T1526" pairs; other tags kept. */
export function mapTags(tags: readonly string[]): { tags: string[]; reports: string[] } {
  const tactics: string[] = [];
  const techniques: string[] = [];
  const other: string[] = [];
  for (const t of tags) {
    const m = /^attack\.(.+)$/i.exec(t);
    if (m) {
      const v = m[1]!;
      if (/^t\d{4}(\.\d{3})?$/i.test(v)) {
        techniques.push(v.toUpperCase());
        continue;
      }
      const tactic = tacticByTag(v);
      if (tactic) {
        tactics.push(tactic.id);
        continue;
      }
    }
    other.push(t);
  }
  const reports: string[] = [];
  if (techniques.length === 0) reports.push(...tactics);
  else if (tactics.length === 0) reports.push(...techniques);
  else for (const ta of tactics) for (const te of techniques) reports.push(`${ta}:${te}`);
  return { tags: other, reports: [...new Set(reports)] };
}
