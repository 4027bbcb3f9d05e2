import { createHash } from "node:crypto";
import { printPath } from "../ast/print.js";
import { hasErrors } from "../diagnostics.js";
import { SEVERITIES, type Rule, type RuleSeverity } from "../rules/types.js";
import type { OutputFile, Target, TargetOptions } from "../targets/types.js";
import { buildCorpus, compareText, extractIndicators, otherRules, type Indicator } from "./indicators.js";

/**
 * The catalog's data: rules + their source text + the registered targets in, one plain object out.
 * Both the HTML site and `--format json` are renderings of this object. Pure: no fs, no clock.
 */

export const CATALOG_FORMAT_VERSION = 1;

export interface MitreEntry {
  /** As written in Reports, e.g. `TA0007:T1526`. */
  readonly raw: string;
  readonly tactic?: string;
  readonly tacticName?: string;
  readonly technique?: string;
}

export interface CatalogIndicator extends Indicator {
  /** The anchor of the indicator on indicators.html (`i-` + a hash of the key). */
  readonly anchor: string;
  /** RuleIDs of the OTHER rules that look for the same indicator; its length is the corpus count. */
  readonly otherRules: readonly string[];
}

export type CatalogOutput =
  | { readonly target: string; readonly expressible: true; readonly files: readonly OutputFile[]; readonly warnings: readonly string[] }
  | { readonly target: string; readonly expressible: false; readonly reason: string };

export interface CatalogRule {
  readonly ruleId: string;
  readonly displayName: string;
  /** The rule's page, relative to the site root: `rules/<name>.html`. */
  readonly page: string;
  readonly name: string;
  readonly file: string;
  readonly enabled: boolean;
  readonly severity: RuleSeverity;
  readonly logTypes: readonly string[];
  readonly tags: readonly string[];
  readonly mitre: readonly MitreEntry[];
  /** Reports other than MITRE ATT&CK (CIS, ...), as written. */
  readonly reports: Readonly<Record<string, readonly string[]>>;
  readonly description?: string;
  readonly reference?: string;
  readonly runbook?: string;
  readonly createAlert?: boolean;
  readonly dedupPeriodMinutes?: number;
  readonly threshold?: number;
  readonly alertTitle?: string;
  readonly dedupFields: readonly string[];
  readonly outputFields: readonly string[];
  readonly condition: string;
  /** The rule file's text (the rule body YAML). */
  readonly source: string;
  readonly tests: number;
  readonly indicators: readonly CatalogIndicator[];
  readonly outputs: readonly CatalogOutput[];
}

export interface CatalogIndicatorEntry extends Indicator {
  readonly anchor: string;
  /** RuleIDs of every rule that looks for it, in catalog order. */
  readonly rules: readonly string[];
}

export interface Catalog {
  readonly version: number;
  /** The registered targets, in registry order (one tab each). */
  readonly targets: readonly string[];
  /** Sorted by DisplayName, then RuleID. */
  readonly rules: readonly CatalogRule[];
  /** Every indicator of the library, most widely used first. */
  readonly indicators: readonly CatalogIndicatorEntry[];
}

export interface CatalogInput {
  readonly rules: readonly Rule[];
  /** File -> text, as read (Library.sources). */
  readonly sources: ReadonlyMap<string, string>;
  readonly targets: readonly Target[];
  readonly targetOptions?: (target: string) => TargetOptions;
}

export function buildCatalog(input: CatalogInput): Catalog {
  const rules = [...input.rules].sort((a, b) => compareText(a.displayName.toLowerCase(), b.displayName.toLowerCase()) || compareText(a.ruleId, b.ruleId));
  const pages = pageNames(rules);
  const extracted = rules.map((r) => ({ id: r.ruleId, indicators: extractIndicators(r.condition) }));
  const corpus = buildCorpus(extracted);
  const anchors = anchorNames([...corpus.keys()]);

  const catalogRules = rules.map((rule, i): CatalogRule => {
    const indicators = extracted[i]!.indicators.map((ind): CatalogIndicator => ({
      ...ind,
      anchor: anchors.get(ind.key)!,
      otherRules: otherRules(corpus, ind.key, rule.ruleId),
    }));
    const { mitre, reports } = splitReports(rule.reports);
    return {
      ruleId: rule.ruleId,
      displayName: rule.displayName,
      page: `rules/${pages.get(rule)!}.html`,
      name: rule.name,
      file: rule.file,
      enabled: rule.enabled,
      severity: rule.severity,
      logTypes: [...rule.logTypes],
      tags: [...(rule.tags ?? [])],
      mitre,
      reports,
      ...optional("description", rule.description),
      ...optional("reference", rule.reference),
      ...optional("runbook", rule.runbook),
      ...optional("createAlert", rule.createAlert),
      ...optional("dedupPeriodMinutes", rule.dedupPeriodMinutes),
      ...optional("threshold", rule.threshold),
      ...optional("alertTitle", rule.alertTitle?.template),
      dedupFields: (rule.dedupFields ?? []).map(printPath),
      outputFields: (rule.outputFields ?? []).map(printPath),
      condition: rule.conditionText,
      source: input.sources.get(rule.file) ?? "",
      tests: rule.tests.length,
      indicators,
      outputs: input.targets.map((t) => compileFor(t, rule, input.targetOptions)),
    };
  });

  const indicators = [...corpus.values()]
    .map((e): CatalogIndicatorEntry => ({ ...e.indicator, anchor: anchors.get(e.indicator.key)!, rules: e.rules }))
    .sort((a, b) => b.rules.length - a.rules.length || compareText(a.key, b.key));

  return { version: CATALOG_FORMAT_VERSION, targets: input.targets.map((t) => t.name), rules: catalogRules, indicators };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A target's files, or why it cannot say the rule. A throwing target is reported, not fatal. */
function compileFor(target: Target, rule: Rule, options?: (t: string) => TargetOptions): CatalogOutput {
  let result;
  try {
    result = target.compile(rule, options?.(target.name) ?? {});
  } catch (e) {
    return { target: target.name, expressible: false, reason: `internal error in the ${target.name} target: ${(e as Error).message ?? String(e)}` };
  }
  const errors = result.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
  if (hasErrors(result.diagnostics) || result.files.length === 0) {
    return { target: target.name, expressible: false, reason: errors.length > 0 ? errors.join("; ") : "the target produced no output" };
  }
  const files = [...result.files].sort((a, b) => compareText(a.path, b.path));
  const warnings = result.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message);
  return { target: target.name, expressible: true, files, warnings };
}

/** Page names from the rules' file stems, made safe for a file name and unique. */
function pageNames(rules: readonly Rule[]): Map<Rule, string> {
  const byFile = [...rules].sort((a, b) => compareText(a.file, b.file) || compareText(a.ruleId, b.ruleId));
  const used = new Set<string>();
  const names = new Map<Rule, string>();
  for (const rule of byFile) {
    const base = rule.name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[.]+/, "_") || "rule";
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base}-${n}`;
    used.add(name.toLowerCase());
    names.set(rule, name);
  }
  return names;
}

/** Short, stable anchors: a hash of the key, lengthened on the (unlikely) collision. */
function anchorNames(keys: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const key of [...keys].sort(compareText)) {
    const hash = createHash("sha256").update(key).digest("hex");
    let len = 10;
    while (used.has(hash.slice(0, len)) && len < hash.length) len += 2;
    used.add(hash.slice(0, len));
    out.set(key, `i-${hash.slice(0, len)}`);
  }
  return out;
}

const MITRE_KEY = /^mitre/i;

/** The enterprise tactics, for readable labels. */
export const TACTICS: Readonly<Record<string, string>> = {
  TA0001: "Initial Access",
  TA0002: "Execution",
  TA0003: "Persistence",
  TA0004: "Privilege Escalation",
  TA0005: "Defense Evasion",
  TA0006: "Credential Access",
  TA0007: "Discovery",
  TA0008: "Lateral Movement",
  TA0009: "Collection",
  TA0010: "Exfiltration",
  TA0011: "Command and Control",
  TA0040: "Impact",
  TA0042: "Resource Development",
  TA0043: "Reconnaissance",
};

function splitReports(reports: Rule["reports"]): { mitre: MitreEntry[]; reports: Record<string, readonly string[]> } {
  const mitre: MitreEntry[] = [];
  const other: Record<string, readonly string[]> = {};
  for (const key of Object.keys(reports ?? {}).sort(compareText)) {
    const values = reports![key]!;
    if (MITRE_KEY.test(key)) for (const v of values) mitre.push(parseMitre(String(v)));
    else other[key] = values.map(String);
  }
  return { mitre, reports: other };
}

/** `TA0007:T1526` -> tactic TA0007, technique T1526; either part alone is accepted. */
export function parseMitre(raw: string): MitreEntry {
  let tactic: string | undefined;
  let technique: string | undefined;
  for (const part of raw.split(":").map((s) => s.trim().toUpperCase())) {
    if (/^TA\d{4}$/.test(part)) tactic = part;
    else if (/^T\d{4}(\.\d{3})?$/.test(part)) technique = part;
  }
  const name = tactic === undefined ? undefined : TACTICS[tactic];
  return { raw, ...optional("tactic", tactic), ...optional("tacticName", name), ...optional("technique", technique) };
}

export function severityRank(s: RuleSeverity): number {
  return SEVERITIES.indexOf(s);
}

export const TARGET_LABELS: Readonly<Record<string, string>> = { panther: "Panther", athena: "Athena", sigma: "Sigma", sentinel: "Microsoft Sentinel" };

export function targetLabel(name: string): string {
  return TARGET_LABELS[name] ?? name;
}
