import jsYaml from "js-yaml";
import type { Path } from "../ast/nodes.js";
import { checkCondition, checkPath } from "../check/check.js";
import { lintCondition } from "../check/lint.js";
import { fileDiagnostic, hasErrors, nearest, type Code, type ConditionDiagnostic, type Diagnostic } from "../diagnostics.js";
import { logTypes, rootType, schemaFor, type FieldType } from "../schema/schema.js";
import { parseCondition, parsePath } from "../syntax/ast.js";
import { Locator, type KeyPath } from "./locate.js";
import { SEVERITIES, type Rule, type RuleSeverity, type RuleTest, type TitlePart } from "./types.js";

/**
 * A rule file (YAML text) -> a checked Rule, or every diagnostic of the file at once. Pure: the
 * caller reads the file. Values come from js-yaml (fast); positions are found only on demand.
 */

const KEYS = [
  "AnalysisType",
  "Filename",
  "RuleID",
  "DisplayName",
  "Enabled",
  "LogTypes",
  "Severity",
  "CreateAlert",
  "Description",
  "Reference",
  "Runbook",
  "Tags",
  "Reports",
  "DedupPeriodMinutes",
  "Threshold",
  "Condition",
  "OutputFields",
  "AlertTitle",
  "DedupFields",
  "Tests",
] as const;
const REQUIRED = ["RuleID", "DisplayName", "LogTypes", "Severity", "Condition"] as const;
const TEST_KEYS = ["Name", "ExpectedResult", "Log"] as const;

/** `["Tests", 0, "Log"]` -> `Tests[0].Log`. */
function keyPathText(path: KeyPath): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

export interface LoadResult {
  readonly rule?: Rule;
  readonly diagnostics: readonly Diagnostic[];
}

/** The file's stem names every output: `rules/s3_policy.yml` -> `s3_policy`. */
export function ruleName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.ya?ml$/i, "");
}

/** Bytes -> text, or a diagnostic for a file that is not UTF-8 text. */
export function decodeRuleFile(bytes: Uint8Array, file: string): { text?: string; diagnostics: Diagnostic[] } {
  if (bytes.includes(0)) {
    return { diagnostics: [fileDiagnostic("RC310", "file is not UTF-8 text (it contains NUL bytes): is it a binary file?", file, undefined)] };
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { text: text.replace(/^\uFEFF/, ""), diagnostics: [] };
  } catch {
    return { diagnostics: [fileDiagnostic("RC310", "file is not valid UTF-8 text", file, undefined)] };
  }
}

export function loadRuleText(text: string, file: string): LoadResult {
  return new RuleLoader(text, file).load();
}

class RuleLoader {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly locator: Locator;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    this.locator = new Locator(text);
  }

  private at(code: Code, message: string, path: KeyPath, where: "key" | "value" = "value", suggestion?: string): void {
    const span = where === "key" ? this.locator.keySpan(path) : this.locator.valueSpan(path);
    this.diagnostics.push(fileDiagnostic(code, message, this.file, span, suggestion === undefined ? {} : { suggestion }));
  }

  load(): LoadResult {
    if (this.text.includes("\0")) {
      this.diagnostics.push(fileDiagnostic("RC310", "file is not UTF-8 text (it contains NUL bytes): is it a binary file?", this.file, undefined));
      return { diagnostics: this.diagnostics };
    }
    let doc: unknown;
    try {
      doc = jsYaml.load(this.text, { schema: jsYaml.CORE_SCHEMA, filename: this.file });
    } catch (e) {
      this.yamlError(e);
      return { diagnostics: this.diagnostics };
    }
    if (doc === undefined || doc === null) {
      this.diagnostics.push(fileDiagnostic("RC309", "empty rule file: a rule needs RuleID, DisplayName, LogTypes, Severity and Condition", this.file, this.locator.lines().span(0, 0)));
      return { diagnostics: this.diagnostics };
    }
    if (typeof doc !== "object" || Array.isArray(doc)) {
      const what = Array.isArray(doc) ? "a list" : `a ${typeof doc}`;
      this.at("RC302", `a rule file is a mapping of keys (RuleID, Condition, ...), not ${what}`, []);
      return { diagnostics: this.diagnostics };
    }
    const rule = this.rule(doc as Record<string, unknown>);
    // Report in file order; diagnostics without a position come first.
    this.diagnostics.sort((a, b) => (a.span?.start.offset ?? -1) - (b.span?.start.offset ?? -1));
    return hasErrors(this.diagnostics) ? { diagnostics: this.diagnostics } : { rule, diagnostics: this.diagnostics };
  }

  private yamlError(e: unknown): void {
    const err = e as { reason?: string; message?: string; mark?: { position: number } };
    const lines = this.locator.lines();
    const span = err.mark ? lines.span(err.mark.position, err.mark.position + 1) : undefined;
    const reason = err.reason ?? err.message ?? String(e);
    const duplicate = /duplicated mapping key/.test(reason);
    this.diagnostics.push(fileDiagnostic(duplicate ? "RC308" : "RC301", duplicate ? "duplicate key in a mapping" : `invalid YAML: ${reason}`, this.file, span));
  }

  private rule(doc: Record<string, unknown>): Rule | undefined {
    for (const key of Object.keys(doc)) {
      if (!(KEYS as readonly string[]).includes(key)) {
        const near = nearest(key, KEYS, 1)[0];
        this.at("RC304", `unknown key '${key}'${near ? ` (did you mean '${near}'?)` : ""}`, [key], "key", near);
      }
    }
    for (const key of REQUIRED) {
      if (!(key in doc) || doc[key] === null) {
        this.diagnostics.push(fileDiagnostic("RC303", `missing required key '${key}'`, this.file, this.locator.lines().span(0, 0)));
      }
    }
    const str = (key: string, required = false) => this.string(doc, [key], required);
    const ruleId = str("RuleID", true);
    const displayName = str("DisplayName", true);
    const enabled = this.boolean(doc, ["Enabled"]) ?? true;
    const types = this.stringList(doc, ["LogTypes"]);
    if (types && types.length === 0) this.at("RC306", "LogTypes needs at least one log type", ["LogTypes"]);
    const severity = this.severity(doc);
    const createAlert = this.boolean(doc, ["CreateAlert"]);
    const description = str("Description");
    const reference = str("Reference");
    const runbook = str("Runbook");
    const tags = this.stringList(doc, ["Tags"]);
    const reports = this.reports(doc);
    const dedupPeriodMinutes = this.integer(doc, ["DedupPeriodMinutes"], 1);
    const threshold = this.integer(doc, ["Threshold"], 1);

    const schemas = this.schemas(types ?? []);
    const conditionText = str("Condition", true);
    const condition = conditionText === undefined ? undefined : this.condition(conditionText, schemas);
    const outputFields = this.paths(doc, "OutputFields", schemas);
    const dedupFields = this.paths(doc, "DedupFields", schemas);
    const alertTitle = this.title(doc, schemas);
    const tests = this.tests(doc);
    if (tests && condition && !(tests.some((t) => t.expectedResult) && tests.some((t) => !t.expectedResult))) {
      const lacks = tests.some((t) => t.expectedResult) ? "negative test (ExpectedResult: false)" : tests.length > 0 ? "positive test (ExpectedResult: true)" : "tests";
      this.at("RC217", `the rule has no ${lacks}: add one so a change that breaks it is caught`, ["Tests"], "key");
    } else if (!tests && condition) {
      this.diagnostics.push(fileDiagnostic("RC217", "the rule has no Tests: add a positive and a negative one", this.file, this.locator.lines().span(0, 0)));
    }

    if (ruleId === undefined || displayName === undefined || !types || !severity || conditionText === undefined || !condition) return undefined;
    return {
      file: this.file,
      name: ruleName(this.file),
      ruleId,
      displayName,
      enabled,
      logTypes: types,
      severity,
      ...(createAlert === undefined ? {} : { createAlert }),
      ...(description === undefined ? {} : { description }),
      ...(reference === undefined ? {} : { reference }),
      ...(runbook === undefined ? {} : { runbook }),
      ...(tags === undefined ? {} : { tags }),
      ...(reports === undefined ? {} : { reports }),
      ...(dedupPeriodMinutes === undefined ? {} : { dedupPeriodMinutes }),
      ...(threshold === undefined ? {} : { threshold }),
      conditionText,
      condition,
      ...(outputFields === undefined ? {} : { outputFields }),
      ...(dedupFields === undefined ? {} : { dedupFields }),
      ...(alertTitle === undefined ? {} : { alertTitle }),
      tests: tests ?? [],
    };
  }

  // --- typed values ---------------------------------------------------------------------------

  private get(doc: Record<string, unknown>, path: KeyPath): unknown {
    let v: unknown = doc;
    for (const step of path) v = v === null || v === undefined ? undefined : (v as Record<string | number, unknown>)[step];
    return v;
  }

  private typeName(v: unknown): string {
    return v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "a mapping" : `a ${typeof v}`;
  }

  private string(doc: Record<string, unknown>, path: KeyPath, required = false): string | undefined {
    const v = this.get(doc, path);
    if (v === undefined || (v === null && !required)) return undefined;
    if (typeof v === "string") {
      if (required && v.trim() === "") {
        this.at("RC306", `${keyPathText(path)} must not be empty`, path);
        return undefined;
      }
      return v;
    }
    if (v === null) return undefined;
    this.at("RC305", `${keyPathText(path)} must be a string, not ${this.typeName(v)}${typeof v === "number" || typeof v === "boolean" ? " (quote it)" : ""}`, path);
    return undefined;
  }

  private boolean(doc: Record<string, unknown>, path: KeyPath): boolean | undefined {
    const v = this.get(doc, path);
    if (v === undefined || v === null) return undefined;
    if (typeof v === "boolean") return v;
    this.at("RC305", `${keyPathText(path)} must be true or false, not ${this.typeName(v)}`, path);
    return undefined;
  }

  private integer(doc: Record<string, unknown>, path: KeyPath, min: number): number | undefined {
    const v = this.get(doc, path);
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number" && Number.isInteger(v) && v >= min) return v;
    this.at("RC305", `${keyPathText(path)} must be a whole number of at least ${min}, not ${typeof v === "number" ? v : this.typeName(v)}`, path);
    return undefined;
  }

  private stringList(doc: Record<string, unknown>, path: KeyPath): string[] | undefined {
    const v = this.get(doc, path);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.at("RC305", `${keyPathText(path)} must be a list of strings, not ${this.typeName(v)}`, path);
      return undefined;
    }
    let ok = true;
    v.forEach((item, i) => {
      if (typeof item !== "string") {
        this.at("RC305", `${keyPathText(path)}[${i}] must be a string, not ${this.typeName(item)}`, [...path, i]);
        ok = false;
      }
    });
    return ok ? (v as string[]) : undefined;
  }

  private severity(doc: Record<string, unknown>): RuleSeverity | undefined {
    const v = this.string(doc, ["Severity"], true);
    if (v === undefined) return undefined;
    if ((SEVERITIES as readonly string[]).includes(v)) return v as RuleSeverity;
    const near = SEVERITIES.find((s) => s.toLowerCase() === v.toLowerCase()) ?? nearest(v, SEVERITIES, 1)[0];
    this.at("RC306", `Severity must be one of ${SEVERITIES.join(", ")}, not '${v}'${near ? ` (did you mean '${near}'?)` : ""}`, ["Severity"], "value", near);
    return undefined;
  }

  private reports(doc: Record<string, unknown>): Record<string, string[]> | undefined {
    const v = this.get(doc, ["Reports"]);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "object" || Array.isArray(v)) {
      this.at("RC305", `Reports must be a mapping of framework to a list of ids (MITRE ATT&CK: ["TA0007:T1526"]), not ${this.typeName(v)}`, ["Reports"]);
      return undefined;
    }
    const out: Record<string, string[]> = {};
    for (const key of Object.keys(v)) {
      const list = this.stringList(doc, ["Reports", key]);
      if (list) out[key] = list;
    }
    return out;
  }

  // --- conditions and paths -------------------------------------------------------------------

  private schemas(types: readonly string[]): FieldType[] {
    const out: FieldType[] = [];
    types.forEach((t, i) => {
      const schema = schemaFor(t);
      if (schema) out.push(rootType(schema));
      else {
        const near = nearest(t, logTypes(), 1)[0];
        this.at("RC311", `unknown log type '${t}' (known: ${logTypes().join(", ")})${near ? ` (did you mean '${near}'?)` : ""}`, ["LogTypes", i], "value", near);
      }
    });
    return out;
  }

  /** Reports condition diagnostics at their place in the file. */
  private conditionDiagnostics(path: KeyPath, value: string, diags: readonly ConditionDiagnostic[]): void {
    if (diags.length === 0) return;
    const map = this.locator.stringMap(path, value);
    const lines = this.locator.lines();
    for (const d of diags) {
      const span = map ? lines.span(map(d.start), map(Math.max(d.start + 1, d.end) - 1) + 1) : this.locator.valueSpan(path);
      this.diagnostics.push({ ...fileDiagnostic(d.code, d.message, this.file, span), severity: d.severity, ...(d.suggestion ? { suggestion: d.suggestion } : {}) });
    }
  }

  private condition(text: string, schemas: readonly FieldType[]) {
    const parsed = parseCondition(text);
    if (!parsed.ast) {
      this.conditionDiagnostics(["Condition"], text, parsed.diagnostics);
      return undefined;
    }
    let ast = parsed.ast;
    const diags: ConditionDiagnostic[] = [];
    for (const schema of schemas.length > 0 ? schemas : [undefined]) {
      const checked = checkCondition(ast, { text, ...(schema ? { schema } : {}) });
      for (const d of checked.diagnostics) {
        if (!diags.some((x) => x.code === d.code && x.start === d.start && x.message === d.message)) diags.push(d);
      }
      ast = checked.condition;
    }
    if (!diags.some((d) => d.severity === "error")) diags.push(...lintCondition(ast, schemas[0]));
    this.conditionDiagnostics(["Condition"], text, diags);
    // Cheap test first: only a file with a `Condition: >` line can hold a folded condition.
    if (text.includes("#") && /^Condition:[ \t]*>/m.test(this.text) && this.locator.scalarType(["Condition"]) === "BLOCK_FOLDED") {
      this.at("RC218", "a comment in a folded (>) condition runs to the end of the condition, since YAML joins the lines: use a literal block (|)", ["Condition"]);
    }
    return diags.some((d) => d.severity === "error") ? undefined : ast;
  }

  private path(text: string, keyPath: KeyPath, schemas: readonly FieldType[], offset = 0, whole?: string): Path | undefined {
    const parsed = parsePath(text);
    const shift = (ds: readonly ConditionDiagnostic[]) => ds.map((d) => ({ ...d, start: d.start + offset, end: d.end + offset }));
    if (!parsed.path) {
      this.conditionDiagnostics(keyPath, whole ?? text, shift(parsed.diagnostics));
      return undefined;
    }
    let path = parsed.path;
    for (const schema of schemas) {
      const checked = checkPath(path, schema);
      this.conditionDiagnostics(keyPath, whole ?? text, shift(checked.diagnostics));
      if (checked.diagnostics.some((d) => d.severity === "error")) return undefined;
      path = checked.path;
    }
    return path;
  }

  private paths(doc: Record<string, unknown>, key: string, schemas: readonly FieldType[]): Path[] | undefined {
    const list = this.stringList(doc, [key]);
    if (!list) return undefined;
    const out: Path[] = [];
    list.forEach((text, i) => {
      const p = this.path(text, [key, i], schemas);
      if (p) out.push(p);
    });
    return out;
  }

  /** `AlertTitle`: text with `{path}` placeholders; `{{` and `}}` are literal braces. */
  private title(doc: Record<string, unknown>, schemas: readonly FieldType[]): Rule["alertTitle"] {
    const template = this.string(doc, ["AlertTitle"]);
    if (template === undefined) return undefined;
    const parts: TitlePart[] = [];
    let text = "";
    for (let i = 0; i < template.length; i++) {
      const ch = template[i]!;
      if ((ch === "{" || ch === "}") && template[i + 1] === ch) {
        text += ch;
        i++;
      } else if (ch === "{") {
        const close = template.indexOf("}", i);
        if (close < 0) {
          this.conditionDiagnostics(["AlertTitle"], template, [
            { code: "RC306", severity: "error", message: "unclosed '{' in AlertTitle (write '{{' for a literal brace)", start: i, end: i + 1 },
          ]);
          return undefined;
        }
        const source = template.slice(i + 1, close).trim();
        const path = this.path(source, ["AlertTitle"], schemas, template.indexOf(source, i + 1), template);
        if (!path) return undefined;
        if (text !== "") parts.push({ kind: "text", text });
        text = "";
        parts.push({ kind: "field", path, source });
        i = close;
      } else if (ch === "}") {
        this.conditionDiagnostics(["AlertTitle"], template, [
          { code: "RC306", severity: "error", message: "a lone '}' in AlertTitle (write '}}' for a literal brace)", start: i, end: i + 1 },
        ]);
        return undefined;
      } else {
        text += ch;
      }
    }
    if (text !== "") parts.push({ kind: "text", text });
    return { template, parts };
  }

  private tests(doc: Record<string, unknown>): RuleTest[] | undefined {
    const v = this.get(doc, ["Tests"]);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.at("RC305", `Tests must be a list of tests (Name, ExpectedResult, Log), not ${this.typeName(v)}`, ["Tests"]);
      return undefined;
    }
    const out: RuleTest[] = [];
    const names = new Map<string, number>();
    v.forEach((t, i) => {
      if (typeof t !== "object" || t === null || Array.isArray(t)) {
        this.at("RC305", `Tests[${i}] must be a mapping with Name, ExpectedResult and Log, not ${this.typeName(t)}`, ["Tests", i]);
        return;
      }
      for (const key of Object.keys(t)) {
        if (!(TEST_KEYS as readonly string[]).includes(key)) {
          const near = nearest(key, TEST_KEYS, 1)[0];
          this.at("RC304", `unknown key '${key}' in a test${near ? ` (did you mean '${near}'?)` : ""}`, ["Tests", i, key], "key", near);
        }
      }
      const test = t as Record<string, unknown>;
      for (const key of TEST_KEYS) {
        if (!(key in test)) this.at("RC303", `test ${i + 1} is missing '${key}'`, ["Tests", i]);
      }
      const name = this.string(doc, ["Tests", i, "Name"], "Name" in test);
      const expected = this.boolean(doc, ["Tests", i, "ExpectedResult"]);
      let log = test.Log;
      if (typeof log === "string") {
        try {
          log = JSON.parse(log);
        } catch {
          this.at("RC305", `Tests[${i}].Log must be an event (a mapping, or JSON text of one)`, ["Tests", i, "Log"]);
          return;
        }
      }
      if ("Log" in test && (typeof log !== "object" || log === null || Array.isArray(log))) {
        this.at("RC305", `Tests[${i}].Log must be an event (a mapping), not ${this.typeName(log)}`, ["Tests", i, "Log"]);
        return;
      }
      if (name !== undefined) {
        const prior = names.get(name);
        if (prior !== undefined) this.at("RC306", `duplicate test name '${name}' (also test ${prior + 1})`, ["Tests", i, "Name"]);
        names.set(name, i);
      }
      if (name !== undefined && expected !== undefined && log !== undefined) out.push({ name, expectedResult: expected, log });
    });
    return out;
  }
}

/** Duplicate RuleIDs across a library: one error per later file, naming the first. */
export function duplicateRuleIds(rules: readonly Pick<Rule, "ruleId" | "file">[], sources: ReadonlyMap<string, string>): Diagnostic[] {
  const seen = new Map<string, Pick<Rule, "ruleId" | "file">>();
  const out: Diagnostic[] = [];
  for (const r of rules) {
    const first = seen.get(r.ruleId);
    if (first) {
      const text = sources.get(r.file);
      const span = text === undefined ? undefined : new Locator(text).valueSpan(["RuleID"]);
      out.push(fileDiagnostic("RC307", `duplicate RuleID '${r.ruleId}': also in ${first.file}`, r.file, span, { notes: [`first defined in ${first.file}`] }));
    } else {
      seen.set(r.ruleId, r);
    }
  }
  return out;
}

/** Reading files lives in the command line layer; re-exported here for tools that load a library. */
export { loadRuleFiles } from "../cli/library.js";
