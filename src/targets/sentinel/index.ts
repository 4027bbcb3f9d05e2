import { pathNames, pathText, type Path } from "../../ast/nodes.js";
import { fileDiagnostic, type Diagnostic } from "../../diagnostics.js";
import { logTypeData, type SentinelData } from "../../logtypes/registry.js";
import type { Rule, RuleSeverity } from "../../rules/types.js";
import type { FieldType } from "../../schema/schema.js";
import { tacticById } from "../sigma/data/tactics.js";
import { uuidV5 } from "../sigma/metadata.js";
import type { Target, TargetOptions, TargetResult } from "../types.js";
import { yamlLib } from "../../yamllib.js";
import { validateOutput } from "../validation.js";
import { kqlName, kqlPipeline, kqlString, NotSayableInKql } from "./kql.js";
import { checkSentinelOptions } from "./options.js";
import { validator } from "./schema/validate.js";

/**
 * The Sentinel target: `sentinel/<name>.yaml`, a scheduled analytics rule in the format of the
 * Azure-Sentinel repository's detections, validated against that format's schema
 * (src/targets/sentinel/schema). The query reads the log type's Sentinel table (the `sentinel`
 * block of its folder in src/logtypes); a log type without one, or a condition KQL cannot say
 * exactly (kql.ts), is RC401 for the rule and no file.
 *
 * Options (all optional): `queryFrequency` and `queryPeriod` (`<n>m`, `<n>h`, `<n>d`, from 5m to
 * 14d; default 1h and 1h; the period may not be shorter than the frequency).
 */

const SEVERITY: Readonly<Record<RuleSeverity, string>> = { Info: "Informational", Low: "Low", Medium: "Medium", High: "High", Critical: "High" };

/** ATT&CK tactic id -> the name Sentinel's AttackTactic enumeration gives it. */
const SENTINEL_TACTICS: Readonly<Record<string, string>> = {
  TA0043: "Reconnaissance",
  TA0042: "ResourceDevelopment",
  TA0001: "InitialAccess",
  TA0002: "Execution",
  TA0003: "Persistence",
  TA0004: "PrivilegeEscalation",
  TA0005: "DefenseEvasion",
  TA0006: "CredentialAccess",
  TA0007: "Discovery",
  TA0008: "LateralMovement",
  TA0009: "Collection",
  TA0011: "CommandAndControl",
  TA0010: "Exfiltration",
  TA0040: "Impact",
};

/** The longest query an analytics rule takes (the Azure-Sentinel template checks: StringLength(10000)). */
export const MAX_QUERY_LENGTH = 10_000;

export const sentinelTarget: Target = {
  name: "sentinel",
  compile(rule: Rule, options: TargetOptions = {}): TargetResult {
    const problems = checkSentinelOptions(options);
    if (problems.length > 0) return { files: [], diagnostics: problems.map((p) => fileDiagnostic("RC502", p.message, rule.file, undefined)) };
    const { doc, diagnostics } = sentinelDocument(rule, options);
    if (doc === undefined) return { files: [], diagnostics };
    const invalid = validateOutput("Sentinel", "the Azure-Sentinel analytics rule schema", validator(), doc, rule);
    if (invalid.length > 0) return { files: [], diagnostics: [...diagnostics, ...invalid] };
    return { files: [{ path: `sentinel/${rule.name}.yaml`, content: dumpSentinel(doc) }], diagnostics };
  },
};

const derived = new Map<string, SentinelData | undefined>();

/**
 * The Sentinel table profile of a log type, if it has one, with each text field marked `nonEmpty`
 * where the log type's schema says the vendor never writes it as "".
 */
export function sentinelData(logType: string): SentinelData | undefined {
  if (derived.has(logType)) return derived.get(logType);
  const d = logTypeData(logType);
  let out: SentinelData | undefined;
  if (d?.sentinel) {
    const fieldAt = (path: string): FieldType | undefined => {
      let fields: Readonly<Record<string, FieldType>> | undefined = d.fields as Readonly<Record<string, FieldType>>;
      let t: FieldType | undefined;
      for (const k of path.split(".")) {
        t = fields?.[k];
        while (t?.type === "array") t = t.items;
        fields = t?.type === "object" ? t.fields : undefined;
      }
      return t;
    };
    const fields = Object.fromEntries(
      Object.entries(d.sentinel.fields).map(([path, f]) => {
        const t = fieldAt(path);
        return [path, f.holds === "string" && t !== undefined && "nonEmpty" in t && t.nonEmpty === true ? { ...f, nonEmpty: true } : f];
      }),
    );
    out = { ...d.sentinel, fields };
  }
  derived.set(logType, out);
  return out;
}

/** One output column: the projected name and the column it reads. */
interface Output {
  readonly path: string;
  readonly column: string;
  /** The expression of a column the query adds (`extend`). */
  readonly extend?: string;
}

/**
 * The output columns of a path: its column; the columns of the fields under it (an object the
 * table spreads over columns); or, inside a column of JSON text, a column the query extends with
 * the value read from the JSON (for display: a scalar reading, `tostring(parse_json(c)["k"])`).
 */
function outputColumns(p: Path, data: SentinelData): Output[] | string {
  const names = pathNames(p);
  const key = names.join(".");
  const f = data.fields[key];
  if (f) return [{ path: key, column: f.column }];
  const under = Object.entries(data.fields).filter(([k]) => k.startsWith(key + "."));
  if (under.length > 0) return under.map(([k, v]) => ({ path: k, column: v.column }));
  for (let i = names.length - 1; i > 0; i--) {
    const j = data.fields[names.slice(0, i).join(".")];
    if (j?.holds === "json") {
      const column = `${j.column}_${names.slice(i).join("_")}`.replace(/[^A-Za-z0-9_]/g, "_");
      const expr = `tostring(parse_json(${kqlName(j.column)})${names.slice(i).map((n) => `[${kqlString(n)}]`).join("")})`;
      return [{ path: key, column, extend: expr }];
    }
  }
  return `${data.table} has no column for ${pathText(p)}`;
}

/** The rule as a Sentinel analytics rule object (what `compile` dumps), or the diagnostics that stop it. */
export function sentinelDocument(rule: Rule, options: TargetOptions = {}): { doc?: Record<string, unknown>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const error = (message: string) => diagnostics.push(fileDiagnostic("RC401", `Sentinel: ${message}`, rule.file, undefined));
  const warn = (message: string) => diagnostics.push({ ...fileDiagnostic("RC401", `Sentinel: ${message}`, rule.file, undefined), severity: "warning" });

  if (rule.logTypes.length !== 1) {
    error(`the rule's log types (${rule.logTypes.join(", ")}) are in different tables, and one analytics rule reads one: split the rule per log type`);
    return { diagnostics };
  }
  if (rule.displayName.length > 256) {
    error(`the DisplayName is ${rule.displayName.length} characters, and an analytics rule's name holds at most 256`);
    return { diagnostics };
  }
  if ((rule.description ?? "").trim().length > 5000) {
    error(`the Description is ${(rule.description ?? "").trim().length} characters, and an analytics rule's description holds at most 5,000`);
    return { diagnostics };
  }
  const logType = rule.logTypes[0]!;
  const data = sentinelData(logType);
  if (!data) {
    error(`no Sentinel table profile for ${logType} (a log type's table is the 'sentinel' block of its folder in src/logtypes)`);
    return { diagnostics };
  }
  let pipeline: string[];
  try {
    pipeline = kqlPipeline(rule.condition, data);
  } catch (e) {
    if (!(e instanceof NotSayableInKql)) throw e;
    error(e.message);
    return { diagnostics };
  }

  // Output columns: OutputFields (the log type's defaults when the rule has none), the entities'
  // columns and the title's columns, each once, in that order.
  const outputs: Output[] = [];
  const add = (o: Output) => {
    if (!outputs.some((x) => x.column === o.column)) outputs.push(o);
  };
  const wanted = rule.outputFields ?? [];
  for (const p of wanted) {
    const o = outputColumns(p, data);
    if (typeof o === "string") warn(`output field left out: ${o}`);
    else o.forEach(add);
  }
  const entityMappings: { entityType: string; fieldMappings: { identifier: string; columnName: string }[] }[] = [];
  for (const [entityType, ids] of Object.entries(data.entities ?? {})) {
    const fieldMappings = Object.entries(ids).flatMap(([identifier, path]) => {
      const f = data.fields[path];
      if (!f) return [];
      add({ path, column: f.column });
      return [{ identifier, columnName: f.column }];
    });
    if (fieldMappings.length > 0) entityMappings.push({ entityType, fieldMappings });
  }
  let alertDisplayNameFormat: string | undefined;
  if (rule.alertTitle) {
    let text = "";
    let placeholders = 0;
    let ok = true;
    for (const part of rule.alertTitle.parts) {
      if (part.kind === "text") {
        text += part.text.replace(/\{\{/g, "{ {");
        continue;
      }
      const cols = outputColumns(part.path, data);
      if (typeof cols === "string" || cols.length !== 1) {
        warn(`AlertTitle left out: ${data.table} has no one column for {${part.source}}`);
        ok = false;
        break;
      }
      add(cols[0]!);
      text += `{{${cols[0]!.column}}}`;
      placeholders++;
    }
    if (ok && placeholders > 3) {
      warn(`AlertTitle left out: Sentinel takes at most 3 columns in an alert name, and it has ${placeholders}`);
      ok = false;
    }
    if (ok && text.length > 256) {
      warn("AlertTitle left out: Sentinel takes an alert name of at most 256 characters");
      ok = false;
    }
    if (ok && text.trim() !== "") alertDisplayNameFormat = text;
  }

  const time = data.fields.eventTime?.column ?? "TimeGenerated";
  const extended = outputs.filter((o) => o.extend !== undefined);
  const lines = [
    data.table,
    ...pipeline,
    ...(extended.length > 0 ? [`| extend ${extended.map((o) => `${kqlName(o.column)} = ${o.extend}`).join(", ")}`] : []),
    `| project ${[time, ...outputs.map((o) => kqlName(o.column)).filter((c) => c !== time)].join(", ")}`,
  ];
  const query = lines.join("\n") + "\n";
  if (query.length > MAX_QUERY_LENGTH) {
    const n = (x: number) => x.toLocaleString("en-US");
    error(`the query is ${n(query.length)} characters, and an analytics rule's query holds at most ${n(MAX_QUERY_LENGTH)}`);
    return { diagnostics };
  }

  // customDetails: up to 20, key [A-Za-z]\w{0,19}, value a column of the result.
  const customDetails: Record<string, string> = {};
  const details = outputs.filter((o) => wanted.some((p) => o.path === pathNames(p).join(".") || o.path.startsWith(pathNames(p).join(".") + ".")));
  for (const o of details.slice(0, 20)) {
    let key = o.column.replace(/[^A-Za-z0-9_]/g, "").replace(/^[^A-Za-z]+/, "").slice(0, 20) || "Field";
    for (let i = 2; key in customDetails; i++) key = `${key.slice(0, 20 - String(i).length)}${i}`;
    if (/^[A-Za-z_]\w*$/.test(o.column)) customDetails[key] = o.column;
  }
  if (details.length > 20) warn(`customDetails hold the first 20 output fields of ${details.length}`);

  const tactics: string[] = [];
  const techniques: string[] = [];
  for (const entry of rule.reports?.["MITRE ATT&CK"] ?? []) {
    for (const part of String(entry).split(":").map((p) => p.trim()).filter((p) => p !== "")) {
      if (/^TA\d{4}$/i.test(part)) {
        const name = SENTINEL_TACTICS[part.toUpperCase()];
        if (name) tactics.push(name);
        else warn(`no Sentinel tactic for ${part}${tacticById(part) ? ` (${tacticById(part)!.tag})` : ""} (left out of tactics)`);
      } else if (/^T\d{4}(\.\d{3})?$/i.test(part)) {
        techniques.push(part.toUpperCase());
      }
    }
  }

  // The rule's dedup period is the window its Threshold counts in (Panther's reading); 1h without one.
  const dedup = rule.dedupPeriodMinutes;
  const window = dedup === undefined ? "1h" : `${Math.min(Math.max(Math.round(dedup), 5), 14 * 1440)}m`;
  const threshold = rule.threshold !== undefined && rule.threshold > 1 ? rule.threshold - 1 : 0;
  const doc: Record<string, unknown> = {
    id: uuidV5(rule.ruleId),
    name: rule.displayName,
    description: (rule.description ?? "").trim() || rule.displayName,
    severity: SEVERITY[rule.severity],
    requiredDataConnectors: [{ connectorId: data.connector.connectorId, dataTypes: [...data.connector.dataTypes] }],
    queryFrequency: typeof options.queryFrequency === "string" ? options.queryFrequency : window,
    queryPeriod: typeof options.queryPeriod === "string" ? options.queryPeriod : window,
    triggerOperator: "gt",
    triggerThreshold: threshold,
    tactics: [...new Set(tactics)],
    relevantTechniques: [...new Set(techniques)],
    query,
  };
  if (entityMappings.length > 0) doc.entityMappings = entityMappings;
  if (Object.keys(customDetails).length > 0) doc.customDetails = customDetails;
  if (alertDisplayNameFormat !== undefined) doc.alertDetailsOverride = { alertDisplayNameFormat };
  doc.version = "1.0.0";
  doc.kind = "Scheduled";
  return { doc, diagnostics };
}

/** The rule as YAML: block style, the query as a literal block. */
export function dumpSentinel(doc: Record<string, unknown>): string {
  return yamlLib().stringify(doc, { lineWidth: 0, blockQuote: "literal", defaultStringType: "PLAIN", defaultKeyType: "PLAIN" });
}
