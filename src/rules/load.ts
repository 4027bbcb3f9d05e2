import type { Path } from "../ast/nodes.js";
import { checkCondition, checkPath } from "../check/check.js";
import { lintCondition } from "../check/lint.js";
import { fileDiagnostic, hasErrors, nearest, type Code, type ConditionDiagnostic, type Diagnostic } from "../diagnostics.js";
import { knownLogTypeNames, rootType, schemaFor, type FieldType } from "../schema/schema.js";
import { parseCondition, parsePath } from "../syntax/ast.js";
import { Locator, type KeyPath } from "./locate.js";
import { loadYaml, YamlLimitError } from "./yaml.js";
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
  "InlineFilters",
] as const;
const REQUIRED = ["RuleID", "DisplayName", "LogTypes", "Severity", "Condition"] as const;

/**
 * Keys of Panther's rule YAML that decide nothing rulec compiles: each is checked against the type
 * Panther's schema gives it and carried to the Panther output as written.
 */
const PASS_THROUGH = {
  Status: "string",
  SummaryAttributes: "strings",
  OnlyUseBaseRiskScore: "boolean",
  OutputIds: "strings",
  CreatedBy: "string",
  BaseVersion: "integer",
  DynamicSeverities: "dynamicSeverities",
} as const satisfies Record<string, "string" | "strings" | "boolean" | "integer" | "dynamicSeverities">;

/** Keys of Panther's rule YAML that rulec does not support (yet), each with what to write instead. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  Detection: "Simple Detection match expressions are not supported yet: write them as a Condition",
  AlertContext: "a Simple Detection's AlertContext is not supported yet: list the fields in OutputFields",
  GroupBy: "a Simple Detection's GroupBy is not supported yet: list the fields in DedupFields",
  ScheduledQueries: "scheduled rules (run on a scheduled query's results) are not supported: a rule here matches events of its LogTypes",
};

const TEST_KEYS = ["Name", "ExpectedResult", "LogType", "Mocks", "Log"] as const;
const TEST_REQUIRED = ["Name", "ExpectedResult", "Log"] as const;
const TEST_UNSUPPORTED: Readonly<Record<string, string>> = {
  Resource: "a test 'Resource' is for policies, which rulec does not compile: a rule's test has a 'Log'",
  ResourceType: "a test 'ResourceType' is for policies, which rulec does not compile",
  RuleOutputs: "a test's 'RuleOutputs' is for correlation rules, which rulec does not compile",
};

/** Characters panther_analysis_tool refuses in a RuleID or DisplayName. */
const PAT_REFUSED = /[<>&"%]/;

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

/**
 * A decoder that refuses invalid UTF-8 (and drops a leading byte order mark, as TextDecoder does);
 * one for every file, since a call that is not streaming starts afresh.
 */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes -> text, or a diagnostic for a file that is not UTF-8 text. */
export function decodeRuleFile(bytes: Uint8Array, file: string): { text?: string; diagnostics: Diagnostic[] } {
  if (bytes.includes(0)) {
    return { diagnostics: [fileDiagnostic("RC310", "file is not UTF-8 text (it contains NUL bytes): is it a binary file?", file, undefined)] };
  }
  try {
    const text = UTF8.decode(bytes);
    // A second byte order mark goes too (as the /^\uFEFF/ this replaced did).
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, diagnostics: [] };
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
      doc = loadYaml(this.text, this.file);
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
    const lines = this.locator.lines();
    if (e instanceof YamlLimitError) {
      const span = e.position === undefined ? undefined : lines.span(e.position, e.position + 1);
      this.diagnostics.push(fileDiagnostic("RC330", `rule file too large: ${e.reason}`, this.file, span));
      return;
    }
    const err = e as { reason?: string; message?: string; mark?: { position: number } };
    const span = err.mark ? lines.span(err.mark.position, err.mark.position + 1) : undefined;
    const reason = err.reason ?? err.message ?? String(e);
    const duplicate = /duplicated mapping key/.test(reason);
    const key = duplicate && err.mark ? duplicateKey(this.text, err.mark.position) : undefined;
    const message = !duplicate ? `invalid YAML: ${reason}` : key === undefined ? "duplicate key in a mapping" : `duplicate key '${key}' in a mapping (each key may appear once)`;
    this.diagnostics.push(fileDiagnostic(duplicate ? "RC308" : "RC301", message, this.file, span));
  }

  private rule(doc: Record<string, unknown>): Rule | undefined {
    for (const key of Object.keys(doc)) {
      if (Object.hasOwn(UNSUPPORTED, key)) this.at("RC314", UNSUPPORTED[key]!, [key], "key");
      else if (!(KEYS as readonly string[]).includes(key) && !Object.hasOwn(PASS_THROUGH, key)) {
        const near = nearest(key, [...KEYS, ...Object.keys(PASS_THROUGH)], 1)[0];
        this.at("RC304", `unknown key '${key}'${near ? ` (did you mean '${near}'?)` : ""}`, [key], "key", near);
      }
    }
    this.analysisType(doc);
    for (const key of REQUIRED) {
      if (!(key in doc) || doc[key] === null) {
        this.diagnostics.push(fileDiagnostic("RC303", `missing required key '${key}'`, this.file, this.locator.lines().span(0, 0)));
      }
    }
    const str = (key: string, required = false) => this.string(doc, [key], required);
    const ruleId = this.pantherName(str("RuleID", true), "RuleID");
    const displayName = this.pantherName(str("DisplayName", true), "DisplayName");
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
    const panther = this.passThrough(doc);

    const schemas = this.schemas(types ?? []);
    const conditionText = str("Condition", true);
    const condition = conditionText === undefined ? undefined : this.condition(conditionText, schemas);
    const outputFields = this.paths(doc, "OutputFields", schemas);
    const dedupFields = this.paths(doc, "DedupFields", schemas);
    const alertTitle = this.title(doc, schemas);
    const tests = this.tests(doc, types ?? []);
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
      severity: severity.value,
      ...(severity.text === severity.value ? {} : { severityText: severity.text }),
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
      ...(panther === undefined ? {} : { panther }),
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

  /**
   * Severity: one of SEVERITIES, or its capitals (`HIGH`), which Panther's schema accepts too and
   * which reaches the Panther output as written, with a warning (panther_analysis_tool's own check
   * takes only the first spelling).
   */
  private severity(doc: Record<string, unknown>): { value: RuleSeverity; text: string } | undefined {
    const v = this.string(doc, ["Severity"], true);
    if (v === undefined) return undefined;
    if ((SEVERITIES as readonly string[]).includes(v)) return { value: v as RuleSeverity, text: v };
    const capitals = SEVERITIES.find((s) => s.toUpperCase() === v);
    if (capitals) {
      this.at("RC315", `Severity '${v}': Panther accepts it, but panther_analysis_tool (its test and upload command) accepts only '${capitals}'`, ["Severity"], "value", capitals);
      return { value: capitals, text: v };
    }
    const near = SEVERITIES.find((s) => s.toLowerCase() === v.toLowerCase()) ?? nearest(v, SEVERITIES, 1)[0];
    this.at("RC306", `Severity must be one of ${SEVERITIES.join(", ")}, not '${v}'${near ? ` (did you mean '${near}'?)` : ""}`, ["Severity"], "value", near);
    return undefined;
  }

  /** RuleID and DisplayName: Panther's tooling refuses a few characters in them (a warning here). */
  private pantherName(value: string | undefined, key: "RuleID" | "DisplayName"): string | undefined {
    if (value !== undefined && PAT_REFUSED.test(value)) {
      this.at("RC315", `${key} holds ${JSON.stringify(PAT_REFUSED.exec(value)![0])}: panther_analysis_tool refuses a ${key} with any of < > & " %`, [key]);
    }
    return value;
  }

  /** `AnalysisType`, when given (a file copied from Panther), must say this is a rule. */
  private analysisType(doc: Record<string, unknown>): void {
    const v = this.string(doc, ["AnalysisType"]);
    if (v === undefined || v === "rule") return;
    if (v === "scheduled_rule") this.at("RC314", UNSUPPORTED.ScheduledQueries!, ["AnalysisType"]);
    else this.at("RC314", `AnalysisType '${v}': rulec compiles rules (AnalysisType: rule) only`, ["AnalysisType"]);
  }

  /**
   * The PASS_THROUGH keys, each checked against the type Panther's schema gives it, and
   * InlineFilters when they filter nothing; in the order of the file.
   */
  private passThrough(doc: Record<string, unknown>): Record<string, unknown> | undefined {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(doc)) {
      const v = doc[key];
      if (key === "InlineFilters") {
        if (v !== null && this.inlineFilters(v)) out[key] = v;
        continue;
      }
      if (!Object.hasOwn(PASS_THROUGH, key) || v === null) continue;
      const shape = PASS_THROUGH[key as keyof typeof PASS_THROUGH];
      const ok =
        shape === "string"
          ? this.string(doc, [key]) !== undefined
          : shape === "strings"
            ? this.stringList(doc, [key]) !== undefined
            : shape === "boolean"
              ? this.boolean(doc, [key]) !== undefined
              : shape === "integer"
                ? this.integer(doc, [key], Number.MIN_SAFE_INTEGER) !== undefined
                : this.dynamicSeverities(v);
      if (ok) out[key] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }

  /** Panther's `DynamicSeverities`: a list of `{ChangeTo: <string>, Conditions: [...]}`. */
  private dynamicSeverities(v: unknown): boolean {
    const path = ["DynamicSeverities"];
    if (!Array.isArray(v)) {
      this.at("RC305", `DynamicSeverities must be a list of {ChangeTo, Conditions}, not ${this.typeName(v)}`, path);
      return false;
    }
    let ok = true;
    v.forEach((item, i) => {
      const at = [...path, i];
      if (typeof item !== "object" || item === null || Array.isArray(item)) {
        this.at("RC305", `DynamicSeverities[${i}] must be a mapping with ChangeTo and Conditions, not ${this.typeName(item)}`, at);
        ok = false;
        return;
      }
      for (const key of Object.keys(item)) {
        if (key !== "ChangeTo" && key !== "Conditions") {
          this.at("RC304", `unknown key '${key}' in DynamicSeverities[${i}] (it takes ChangeTo and Conditions)`, [...at, key], "key");
          ok = false;
        }
      }
      const entry = item as Record<string, unknown>;
      for (const [key, wanted, is] of [
        ["ChangeTo", "a string", (x: unknown) => typeof x === "string"],
        ["Conditions", "a list", Array.isArray],
      ] as const) {
        if (!(key in entry)) this.at("RC303", `DynamicSeverities[${i}] is missing '${key}'`, at);
        else if (!is(entry[key])) this.at("RC305", `DynamicSeverities[${i}].${key} must be ${wanted}, not ${this.typeName(entry[key])}`, [...at, key]);
        else continue;
        ok = false;
      }
    });
    return ok;
  }

  /**
   * Panther's `InlineFilters` narrow the events a rule sees, so they are part of its meaning. Filters
   * that filter nothing (`[]`, or `All` lists of nothing, as Panther's editor writes them) are
   * accepted and carried to the Panther output; a filter with a match expression is refused, since
   * the Athena and Sigma outputs could not honour it.
   */
  private inlineFilters(v: unknown): boolean {
    const empty = (x: unknown): boolean =>
      Array.isArray(x) && x.every((e) => typeof e === "object" && e !== null && !Array.isArray(e) && Object.keys(e).length === 1 && "All" in e && empty((e as { All: unknown }).All));
    if (empty(v)) return true;
    this.at("RC314", "InlineFilters with match expressions are not supported yet: write them into the Condition (Panther ANDs them with the rule)", ["InlineFilters"], "key");
    return false;
  }

  private reports(doc: Record<string, unknown>): Record<string, (string | number)[]> | undefined {
    const v = this.get(doc, ["Reports"]);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "object" || Array.isArray(v)) {
      this.at("RC305", `Reports must be a mapping of framework to a list of ids (MITRE ATT&CK: ["TA0007:T1526"]), not ${this.typeName(v)}`, ["Reports"]);
      return undefined;
    }
    const out: Record<string, (string | number)[]> = {};
    for (const key of Object.keys(v)) {
      const list = this.get(doc, ["Reports", key]);
      if (!Array.isArray(list)) {
        this.at("RC305", `Reports.${key} must be a list of ids (strings or numbers), not ${this.typeName(list)}`, ["Reports", key]);
        continue;
      }
      let ok = true;
      list.forEach((item, i) => {
        if (typeof item !== "string" && typeof item !== "number") {
          this.at("RC305", `Reports.${key}[${i}] must be a string or a number, not ${this.typeName(item)}`, ["Reports", key, i]);
          ok = false;
        }
      });
      if (ok) out[key] = list as (string | number)[];
    }
    return out;
  }

  // --- conditions and paths -------------------------------------------------------------------

  private schemas(types: readonly string[]): FieldType[] {
    const out: FieldType[] = [];
    const free: number[] = [];
    types.forEach((t, i) => {
      const schema = schemaFor(t);
      if (schema) {
        out.push(rootType(schema));
        if (schema.freeForm) free.push(i);
      } else {
        const near = nearest(t, knownLogTypeNames(), 1)[0];
        this.at("RC311", `unknown log type '${t}'${near ? ` (did you mean '${near}'?)` : ""}: 'rulec logtypes' lists the log types`, ["LogTypes", i], "value", near);
      }
    });
    // One warning per rule, at its first such log type.
    if (free.length > 0) {
      const names = free.map((i) => `'${types[i]}'`).join(", ");
      this.at("RC316", `${names} ${free.length > 1 ? "have" : "has"} no typed schema in rulec: field names and types are not checked (every path is free-form JSON)`, ["LogTypes", free[0]!], "value");
    }
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
        if (!/^[A-Za-z_`]/.test(source)) {
          this.conditionDiagnostics(["AlertTitle"], template, [
            { code: "RC306", severity: "error", message: `'{${source}}' in AlertTitle is not a field path: name a field, as in {userIdentity.arn}, or write {{ and }} for literal braces`, start: i, end: close + 1 },
          ]);
          return undefined;
        }
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

  private tests(doc: Record<string, unknown>, logTypes: readonly string[]): RuleTest[] | undefined {
    const v = this.get(doc, ["Tests"]);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.at("RC305", `Tests must be a list of tests (Name, ExpectedResult, Log), not ${this.typeName(v)}`, ["Tests"]);
      return undefined;
    }
    const out: RuleTest[] = [];
    const names = new Map<string, number>();
    let mocked = false;
    v.forEach((t, i) => {
      if (typeof t !== "object" || t === null || Array.isArray(t)) {
        this.at("RC305", `Tests[${i}] must be a mapping with Name, ExpectedResult and Log, not ${this.typeName(t)}`, ["Tests", i]);
        return;
      }
      for (const key of Object.keys(t)) {
        if (Object.hasOwn(TEST_UNSUPPORTED, key)) this.at("RC314", TEST_UNSUPPORTED[key]!, ["Tests", i, key], "key");
        else if (!(TEST_KEYS as readonly string[]).includes(key)) {
          const near = nearest(key, TEST_KEYS, 1)[0];
          this.at("RC304", `unknown key '${key}' in a test${near ? ` (did you mean '${near}'?)` : ""}`, ["Tests", i, key], "key", near);
        }
      }
      const test = t as Record<string, unknown>;
      for (const key of TEST_REQUIRED) {
        if (!(key in test)) this.at("RC303", `test ${i + 1} is missing '${key}'`, ["Tests", i]);
      }
      const name = this.string(doc, ["Tests", i, "Name"], "Name" in test);
      const expected = this.boolean(doc, ["Tests", i, "ExpectedResult"]);
      const logType = this.testLogType(doc, i, logTypes);
      if (this.mocks(doc, i) && !mocked) {
        mocked = true;
        this.at(
          "RC315",
          "Mocks are left out of the Panther output: the generated rule() calls no function to mock, and panther_analysis_tool fails a test that mocks a name its module does not define",
          ["Tests", i, "Mocks"],
          "key",
        );
      }
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
      if (name !== undefined && expected !== undefined && log !== undefined) {
        out.push({ name, expectedResult: expected, log, ...(logType === undefined ? {} : { logType }) });
      }
    });
    return out;
  }

  /** A test's `LogType` names which of the rule's LogTypes its event is. */
  private testLogType(doc: Record<string, unknown>, i: number, logTypes: readonly string[]): string | undefined {
    const v = this.string(doc, ["Tests", i, "LogType"]);
    if (v === undefined || logTypes.length === 0 || logTypes.includes(v)) return v;
    const near = nearest(v, logTypes, 1)[0];
    this.at("RC306", `Tests[${i}].LogType '${v}' is not one of the rule's LogTypes (${logTypes.join(", ")})${near ? ` (did you mean '${near}'?)` : ""}`, ["Tests", i, "LogType"], "value", near);
    return undefined;
  }

  /** A test's `Mocks`, as Panther's schema has them: a list of mappings. True when there are any. */
  private mocks(doc: Record<string, unknown>, i: number): boolean {
    const path = ["Tests", i, "Mocks"];
    const v = this.get(doc, path);
    if (v === undefined || v === null) return false;
    if (!Array.isArray(v)) {
      this.at("RC305", `Tests[${i}].Mocks must be a list of mocks ({objectName, returnValue}), not ${this.typeName(v)}`, path);
      return false;
    }
    let ok = true;
    v.forEach((m, j) => {
      if (typeof m !== "object" || m === null || Array.isArray(m)) {
        this.at("RC305", `Tests[${i}].Mocks[${j}] must be a mapping ({objectName, returnValue}), not ${this.typeName(m)}`, [...path, j]);
        ok = false;
      }
    });
    return ok && v.length > 0;
  }
}

export { duplicateNameDiagnostic, duplicateRuleIds } from "./duplicates.js";

/** Reading files lives in the command line layer; re-exported here for tools that load a library. */
export { loadRuleFiles } from "../cli/library.js";

/** The key js-yaml reports as duplicated: its mark points at the second occurrence. */
function duplicateKey(text: string, position: number): string | undefined {
  const m = /^("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^:{},\n]+?)\s*:/.exec(text.slice(position, position + 1100));
  if (!m) return undefined;
  const raw = m[1]!.trim();
  if (raw.startsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw;
    }
  }
  return raw.startsWith("'") ? raw.slice(1, -1).replace(/''/g, "'") : raw;
}
