import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { fileDiagnostic, formatDiagnostic, type Diagnostic } from "../diagnostics.js";
import { evaluate } from "../eval/evaluate.js";
import { generateEvents, getAt, importedRuleText, readPantherYaml, reportText, splitRuleText, summarize, testLogType, type LogTypeOutcome, type PantherRuleMeta, type PantherTest, type Reads, type RuleReport } from "../import/panther/index.js";
import { loadRuleText } from "../rules/load.js";
import { schemaFor } from "../schema/schema.js";
import { pantherTarget } from "../targets/panther/index.js";
import { yamlLib } from "../yamllib.js";
import { errnoText, writeAtomic } from "./fs.js";
import { expandPaths } from "./library.js";

/**
 * `rulec import panther <repo or folders> [--out rules] [--report report.json] [--force]`.
 * Reads Panther rule YAML + Python (and the repository's global_helpers/ and data_models/), has
 * python3 translate each rule() (src/import/panther/python), and imports a rule only when its
 * condition decides the rule's Tests and the generated events as the original Python does, on the
 * evaluator and on the Panther target's Python. Every other rule is reported with the reason.
 */

const SCRIPT = fileURLToPath(new URL("../../src/import/panther/python/panther_import.py", import.meta.url));

type PyResult = boolean | { error: string };

export class PythonProcess {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly waiting: ((line: string) => void)[] = [];
  private stderr = "";

  constructor() {
    this.proc = spawn("python3", ["-B", "-X", "utf8", SCRIPT], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, PYTHONHASHSEED: "0", PYTHONDONTWRITEBYTECODE: "1" } });
    this.proc.stderr.on("data", (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.proc.on("error", (e) => {
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ error: `cannot run python3: ${e.message}` }));
    });
    createInterface({ input: this.proc.stdout }).on("line", (line) => this.waiting.shift()?.(line));
    this.proc.on("exit", (code) => {
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ error: `python3 exited (${code}): ${this.stderr.trim().split("\n").pop() ?? ""}` }));
    });
  }

  request<T>(req: unknown): Promise<T & { error?: string }> {
    return new Promise((res) => {
      this.waiting.push((line) => res(JSON.parse(line) as T & { error?: string }));
      this.proc.stdin.write(JSON.stringify(req) + "\n");
    });
  }

  close(): void {
    this.proc.stdin.end();
  }
}

/** The repository root above a path: the first folder holding global_helpers/ or data_models/. */
function repoRoot(p: string): string | undefined {
  let d = resolve(p);
  try {
    if (!statSync(d).isDirectory()) d = dirname(d);
  } catch {
    return undefined;
  }
  for (;;) {
    if (existsSync(join(d, "global_helpers")) || existsSync(join(d, "data_models"))) return d;
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

/** Files under `dir` whose names match, in its subfolders too (panther_analysis_tool reads them all), sorted. */
function filesUnder(dir: string, name: RegExp): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), name) : e.isFile() && name.test(e.name) ? [join(dir, e.name)] : []));
}

function pyFiles(dir: string): string[] {
  return filesUnder(dir, /\.py$/).filter((f) => !f.endsWith("_test.py"));
}

interface DataModels {
  [logType: string]: { mappings: unknown[]; module: string | null };
}

function readDataModels(root: string | undefined): DataModels {
  const out: DataModels = {};
  if (!root) return out;
  for (const f of filesUnder(join(root, "data_models"), /\.ya?ml$/)) {
    try {
      const d = yamlLib().parse(readFileSync(f, "utf8")) as Record<string, unknown>;
      if (d?.AnalysisType !== "datamodel" || d.Enabled === false) continue;
      for (const lt of Array.isArray(d.LogTypes) ? d.LogTypes : []) {
        out[String(lt)] = { mappings: Array.isArray(d.Mappings) ? d.Mappings : [], module: typeof d.Filename === "string" ? d.Filename.replace(/\.py$/, "") : null };
      }
    } catch {
      // an unreadable data model: udm() over its log types is refused (no mapping)
    }
  }
  return out;
}

function short(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 600 ? s.slice(0, 600) + "…" : s;
}

export interface PantherImportOptions {
  readonly out: string;
  readonly report?: string;
  readonly force: boolean;
  readonly minimum?: number;
  /** python3 processes run side by side (default 2). */
  readonly workers?: number;
}

interface RuleResult {
  readonly report?: RuleReport;
  readonly diagnostics: readonly Diagnostic[];
  readonly writes?: readonly { readonly target: string; readonly text: string }[];
  readonly disagreement?: boolean;
}

type Translation = { condition?: string; reads?: Reads; inlined?: string[]; refuse?: string; never?: boolean; file?: string; line?: number; error?: string };

/** One rule: translate, load, prove; the file is written by the caller. */
async function importOne(yml: string, py: PythonProcess, id: number, opts: PantherImportOptions): Promise<RuleResult | undefined> {
  const diagnostics: Diagnostic[] = [];
  let text: string;
  try {
    text = readFileSync(yml, "utf8");
  } catch (e) {
    return { diagnostics: [fileDiagnostic("RC312", `cannot read file: ${errnoText(e)}`, yml, undefined)] };
  }
  const parsed = readPantherYaml(text);
  if (parsed.skip !== undefined) return undefined;
  const refuse = (meta: Partial<PantherRuleMeta>, reason: string, file: string, line?: number, extra: Partial<RuleReport> = {}, counterexample?: unknown): RuleResult => {
    diagnostics.push(fileDiagnostic("RC401", `not imported: ${reason}`, file, line ? { start: { offset: 0, line, col: 1 }, end: { offset: 0, line, col: 1 } } : undefined));
    return {
      diagnostics,
      report: {
        ruleId: meta.ruleId ?? basename(yml),
        file: yml,
        logTypes: meta.logTypes ?? [],
        outcome: { imported: false, reason, file, ...(line ? { line } : {}), ...(counterexample !== undefined ? { counterexample } : {}) },
        ...extra,
      },
    };
  };
  if (parsed.error !== undefined || !parsed.meta) return refuse({}, parsed.error ?? "unreadable", yml);
  const meta = parsed.meta;
  const pyFile = join(dirname(yml), meta.filename);
  let source: string;
  try {
    source = readFileSync(pyFile, "utf8");
  } catch (e) {
    return refuse(meta, `cannot read the rule's Python ${meta.filename}: ${errnoText(e)}`, yml);
  }
  if (meta.logTypes.length === 0) return refuse(meta, "the rule has no LogTypes", yml);
  const events = meta.tests.map((t) => t.log);
  // Translate once per log type: one condition for all of them, or one rule per log type.
  const conditions: Translation[] = [];
  for (const lt of meta.logTypes) {
    const schema = schemaFor(lt);
    conditions.push(await py.request<Translation>({ translate: { name: basename(pyFile, ".py"), source, file: pyFile, logType: lt, schema: schema && !schema.freeForm ? schema.fields : null, events } }));
  }
  const hard = conditions.find((c) => c.condition === undefined && !c.never);
  if (hard) return refuse(meta, hard.refuse ?? hard.error ?? "not translatable", hard.file ?? pyFile, hard.line ?? undefined);
  if (conditions.every((c) => c.condition === undefined)) {
    const c = conditions[0]!;
    return refuse(meta, c.refuse ?? "the rule is never true", c.file ?? pyFile, c.line ?? undefined);
  }
  if (conditions.some((c) => c.condition === undefined) || new Set(conditions.map((c) => c.condition)).size > 1) {
    return importPerLogType(meta, text, yml, pyFile, source, conditions, py, id, opts, refuse, diagnostics);
  }
  const first = conditions[0]!;
  const condition = first.condition!;
  const mocked = meta.tests.flatMap((t) => t.mocks).filter((m) => first.inlined!.includes(m));
  if (mocked.length > 0) return refuse(meta, `the Tests mock ${mocked[0]}, which is on the rule's decision path`, yml);
  const stem = basename(yml).replace(/\.ya?ml$/i, "");
  const target = join(opts.out, `${stem}.yml`);
  const ruleText = importedRuleText(text, condition);
  const loaded = loadRuleText(ruleText, target);
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || !loaded.rule) return refuse(meta, `the imported rule would not load: ${errors[0]?.message ?? "unknown"} (condition: ${condition.slice(0, 300)})`, yml);
  const load = await py.request<{ ok?: boolean }>({ load: id, source, file: pyFile, logType: meta.logTypes[0] });
  if (!load.ok) return refuse(meta, `the original Python does not load: ${load.error ?? ""}`, pyFile);
  const generated = generateEvents(events, first.reads!, meta.logTypes[0]!, meta.ruleId, opts.minimum ?? 200);
  const all = [...events, ...generated];
  const proof = await prove(py, id, loaded.rule, meta.tests, all);
  if ("refused" in proof) {
    await py.request({ unload: id });
    return refuse(meta, proof.refused, yml);
  }
  if (proof.bad) {
    await py.request({ unload: id });
    return disagreement(meta, refuse, pyFile, condition, generated.length, proof.bad);
  }
  const { text: finalText, outputs } = await titleAndDedup(py, id, text, condition, target, source, pyFile, all);
  await py.request({ unload: id });
  return {
    diagnostics,
    report: { ruleId: meta.ruleId, file: yml, logTypes: meta.logTypes, outcome: { imported: true, output: target }, condition, tests: proof.tests, generated: generated.length, outputs },
    writes: [{ target, text: finalText }],
  };
}

type Refuse = (meta: Partial<PantherRuleMeta>, reason: string, file: string, line?: number, extra?: Partial<RuleReport>, counterexample?: unknown) => RuleResult;

interface Disagreement {
  readonly event: unknown;
  readonly original: PyResult;
  readonly evaluator: boolean;
  readonly panther: PyResult | undefined;
}

/**
 * The proof of one condition: the original (module `id`, loaded with its log type's data model),
 * the evaluator and the Panther target's Python on the Tests (the first `tests.length` events) and
 * the generated events; the first event on which they differ, and how many Tests each side gets right.
 */
async function prove(py: PythonProcess, id: number | string, rule: NonNullable<ReturnType<typeof loadRuleText>["rule"]>, tests: readonly PantherTest[], all: readonly unknown[]): Promise<{ refused: string } | { tests: { total: number; original: number; evaluator: number; panther: number }; bad?: Disagreement }> {
  const original = (await py.request<{ results: PyResult[] }>({ run: id, events: all })).results;
  const panther = pantherTarget.compile(rule);
  const pySource = panther.files.find((f) => f.path.endsWith(".py"))?.content;
  if (pySource === undefined) return { refused: `the Panther target cannot express the condition: ${panther.diagnostics[0]?.message ?? ""}` };
  const target = (await py.request<{ results?: PyResult[] }>({ check: pySource, events: all })).results;
  let bad: Disagreement | undefined;
  const counts = { total: tests.length, original: 0, evaluator: 0, panther: 0 };
  for (let i = 0; i < all.length; i++) {
    const o = original?.[i] === true;
    const ev = evaluate(rule.condition, all[i]);
    const pt = target?.[i] === true;
    if (i < tests.length) {
      const exp = tests[i]!.expected;
      if (o === exp) counts.original++;
      if (ev === exp) counts.evaluator++;
      if (pt === exp) counts.panther++;
    }
    if ((o !== ev || o !== pt) && bad === undefined) bad = { event: all[i], original: original?.[i] ?? false, evaluator: ev, panther: target?.[i] };
  }
  return { tests: counts, ...(bad ? { bad } : {}) };
}

function disagreement(meta: PantherRuleMeta, refuse: Refuse, pyFile: string, condition: string, generated: number, bad: Disagreement, logType?: string): RuleResult {
  const po = typeof bad.original === "object" ? `error (${bad.original.error})` : String(bad.original);
  const r = refuse(
    meta,
    `the condition${logType ? ` for ${logType}` : ""} and the original disagree on an event: original ${po}, evaluator ${bad.evaluator}, Panther target ${JSON.stringify(bad.panther ?? null)}; event ${short(bad.event)} (condition: ${condition.slice(0, 300)})`,
    pyFile,
    undefined,
    { condition, generated },
    bad.event,
  );
  return { ...r, disagreement: true };
}

/** The event as Panther hands it to a rule of that log type: p_log_type names it. */
function ofLogType(e: unknown, logType: string): unknown {
  return typeof e === "object" && e !== null && !Array.isArray(e) ? { ...(e as Record<string, unknown>), p_log_type: logType } : e;
}

/**
 * A rule whose log types give different conditions (their data models or schemas differ), or that
 * is never true for some of them: one rule per log type, `<RuleID>.<LogType>` in
 * `<file>_<log_type>.yml`, holding the Tests whose event names that log type. Each is proven on its
 * own with that log type's data model; a log type for which the translation is never true gets no
 * rule, and the original is run on its events to show it never alerts there. The rule is imported
 * only when every log type is (a rule for some of them would silently drop the others).
 */
async function importPerLogType(meta: PantherRuleMeta, text: string, yml: string, pyFile: string, source: string, conditions: readonly Translation[], py: PythonProcess, id: number, opts: PantherImportOptions, refuse: Refuse, diagnostics: Diagnostic[]): Promise<RuleResult> {
  const untyped = meta.tests.find((t) => testLogType(t.log) === undefined);
  if (untyped) return refuse(meta, `the rule's LogTypes give different conditions, and its Test "${untyped.name}" names no p_log_type (which log type's rule would hold it?)`, yml);
  const mocked = meta.tests.flatMap((t) => t.mocks).filter((m) => conditions.some((c) => c.inlined?.includes(m)));
  if (mocked.length > 0) return refuse(meta, `the Tests mock ${mocked[0]}, which is on the rule's decision path`, yml);
  const stem = basename(yml).replace(/\.ya?ml$/i, "");
  const perLogType: LogTypeOutcome[] = [];
  const writes: { target: string; text: string }[] = [];
  const counts = { total: 0, original: 0, evaluator: 0, panther: 0 };
  let generatedCount = 0;
  const outputsAll = new Set<string>();
  for (let k = 0; k < meta.logTypes.length; k++) {
    const lt = meta.logTypes[k]!;
    const c = conditions[k]!;
    const tests = meta.tests.filter((t) => testLogType(t.log) === lt);
    const events = tests.map((t) => t.log);
    const generated = generateEvents(events, c.reads ?? {}, lt, `${meta.ruleId}:${lt}`, opts.minimum ?? 200).map((e) => ofLogType(e, lt));
    generatedCount += generated.length;
    const all = [...events, ...generated];
    const modId = `${id}:${k}`;
    const load = await py.request<{ ok?: boolean }>({ load: modId, source, file: pyFile, logType: lt });
    if (!load.ok) return refuse(meta, `the original Python does not load: ${load.error ?? ""}`, pyFile);
    if (c.condition === undefined) {
      // never true for this log type: no rule, and the original must not alert on its events
      const original = (await py.request<{ results: PyResult[] }>({ run: modId, events: all })).results;
      await py.request({ unload: modId });
      const hit = all.findIndex((_, i) => original?.[i] === true);
      if (hit >= 0) {
        return disagreement(meta, refuse, pyFile, "(never true)", generatedCount, { event: all[hit], original: true, evaluator: false, panther: false }, lt);
      }
      counts.total += tests.length;
      for (let i = 0; i < tests.length; i++) if ((original?.[i] === true) === tests[i]!.expected) counts.original++;
      for (const t of tests) if (!t.expected) (counts.evaluator++, counts.panther++);
      perLogType.push({ logType: lt, neverTrue: true });
      continue;
    }
    const target = join(opts.out, `${stem}_${lt.toLowerCase().replace(/[^a-z0-9]+/g, "_")}.yml`);
    const ltText = splitRuleText(text, lt);
    const loaded = loadRuleText(importedRuleText(ltText, c.condition), target);
    const errors = loaded.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0 || !loaded.rule) {
      await py.request({ unload: modId });
      return refuse(meta, `the imported rule for ${lt} would not load: ${errors[0]?.message ?? "unknown"} (condition: ${c.condition.slice(0, 300)})`, yml);
    }
    const proof = await prove(py, modId, loaded.rule, tests, all);
    if ("refused" in proof) {
      await py.request({ unload: modId });
      return refuse(meta, proof.refused, yml);
    }
    if (proof.bad) {
      await py.request({ unload: modId });
      return disagreement(meta, refuse, pyFile, c.condition, generatedCount, proof.bad, lt);
    }
    counts.total += proof.tests.total;
    counts.original += proof.tests.original;
    counts.evaluator += proof.tests.evaluator;
    counts.panther += proof.tests.panther;
    const { text: finalText, outputs } = await titleAndDedup(py, modId, ltText, c.condition, target, source, pyFile, all);
    await py.request({ unload: modId });
    outputs.forEach((o) => outputsAll.add(o));
    writes.push({ target, text: finalText });
    perLogType.push({ logType: lt, output: target, condition: c.condition });
  }
  return {
    diagnostics,
    report: { ruleId: meta.ruleId, file: yml, logTypes: meta.logTypes, outcome: { imported: true, output: writes[0]!.target, perLogType }, tests: counts, generated: generatedCount, outputs: [...outputsAll] },
    writes,
  };
}

/**
 * AlertTitle and DedupFields from title() and dedup() where they are plain field formatting, kept
 * only when the compiled Panther title()/dedup() return what the original's do on every event
 * whose placeholders are all present (a missing field prints `<unknown path>`, not Python's None).
 */
async function titleAndDedup(py: PythonProcess, id: number | string, text: string, condition: string, target: string, source: string, pyFile: string, events: readonly unknown[]): Promise<{ text: string; outputs: string[] }> {
  const plain = importedRuleText(text, condition);
  const outs = await py.request<{ title?: string | null; dedup?: string[] | null }>({ outputs: { source, file: pyFile } });
  const kept: { AlertTitle?: string; DedupFields?: readonly string[] } = {};
  for (const [key, fn] of [
    ["AlertTitle", "title"],
    ["DedupFields", "dedup"],
  ] as const) {
    const value = key === "AlertTitle" ? outs.title : outs.dedup;
    if (!value) continue;
    const candidate = importedRuleText(text, condition, undefined, { [key]: value });
    const loaded = loadRuleText(candidate, target);
    if (!loaded.rule || loaded.diagnostics.some((d) => d.severity === "error")) continue;
    const paths = key === "AlertTitle" ? (loaded.rule.alertTitle?.parts ?? []).flatMap((p) => (p.kind === "field" ? [p.path] : [])) : (loaded.rule.dedupFields ?? []);
    const names = paths.map((p) => p.segments.map((s) => s.name));
    const present = events.filter((e) => names.every((n) => { const v = getAt(e as never, n); return v !== undefined && v !== null; }));
    if (present.length === 0) continue;
    const gen = pantherTarget.compile(loaded.rule).files.find((f) => f.path.endsWith(".py"))?.content;
    if (gen === undefined) continue;
    const a = await py.request<{ results?: unknown[] }>({ call: id, function: fn, events: present });
    const b = await py.request<{ results?: unknown[] }>({ call: -1, source: gen, function: fn, events: present });
    if (a.results && b.results && JSON.stringify(a.results) === JSON.stringify(b.results)) Object.assign(kept, { [key]: value });
  }
  if (Object.keys(kept).length === 0) return { text: plain, outputs: [] };
  return { text: importedRuleText(text, condition, undefined, kept), outputs: Object.keys(kept) };
}

export async function importPanther(paths: readonly string[], opts: PantherImportOptions, io: { out(s: string): void; err(s: string): void }, color: boolean): Promise<number> {
  const print = (d: Diagnostic) => io.err(formatDiagnostic(d, { color }) + "\n");
  const { files, diagnostics: pathErrors } = expandPaths(paths);
  pathErrors.forEach((d) => print(d));
  const ymls = files.filter((f) => /\.ya?ml$/i.test(f));
  const roots = [...new Set(paths.map(repoRoot).filter((r): r is string => r !== undefined))];
  const helpers: Record<string, [string, string]> = {};
  const helperDirs: string[] = [];
  for (const root of roots) {
    for (const sub of ["global_helpers", "data_models"]) {
      const dir = join(root, sub);
      if (existsSync(dir)) helperDirs.push(dir);
      for (const f of pyFiles(dir)) {
        helpers[basename(f, ".py")] ??= [readFileSync(f, "utf8"), f];
        // a module in a subfolder (data_models/edr_data_models/...) is imported by its name alone
        if (!helperDirs.includes(dirname(f))) helperDirs.push(dirname(f));
      }
    }
  }
  const dataModels = roots.length > 0 ? readDataModels(roots[0]) : {};
  // Two python3 processes (the import is bound by running the originals): rules are dealt out in
  // turn, and the answers are put back in file order, so the output does not depend on timing.
  const workers = Math.max(1, Math.min(opts.workers ?? 2, ymls.length));
  const procs = Array.from({ length: workers }, () => new PythonProcess());
  const setups = await Promise.all(procs.map((p) => p.request<{ ok?: boolean }>({ setup: { helpers, helpersDir: helperDirs, dataModels } })));
  const failedSetup = setups.find((x) => !x.ok);
  if (failedSetup) {
    print(fileDiagnostic("RC501", `cannot start the import: ${failedSetup.error ?? "python3 failed"}`, undefined, undefined));
    procs.forEach((p) => p.close());
    return 1;
  }
  const results: (RuleResult | undefined)[] = new Array(ymls.length);
  let next = 0;
  await Promise.all(
    procs.map(async (py) => {
      for (;;) {
        const i = next++;
        if (i >= ymls.length) return;
        results[i] = await importOne(ymls[i]!, py, i, opts);
      }
    }),
  );
  procs.forEach((p) => p.close());
  const reports: RuleReport[] = [];
  let disagreements = 0;
  let writeErrors = 0;
  const outputs = new Map<string, string>();
  for (const r of results) {
    if (r === undefined) continue;
    r.diagnostics.forEach((d) => print(d));
    if (r.disagreement) disagreements++;
    if (!r.writes) {
      if (r.report) reports.push(r.report);
      continue;
    }
    const yml = r.report!.file;
    const clash = r.writes.find((w) => outputs.has(w.target));
    if (clash) {
      const reason = `${clash.target} is already imported from ${outputs.get(clash.target)} in this run: rename one`;
      print(fileDiagnostic("RC401", `not imported: ${reason}`, yml, undefined));
      reports.push({ ...r.report!, outcome: { imported: false, reason, file: yml } });
      continue;
    }
    let failed: string | undefined;
    for (const { target, text: ruleText } of r.writes) {
      outputs.set(target, yml);
      try {
        const existing = existsSync(target) ? readFileSync(target, "utf8") : undefined;
        if (existing !== undefined && existing !== ruleText) {
          if (!opts.force) {
            print(fileDiagnostic("RC501", `${target} exists and differs: not overwritten (use --force)`, yml, undefined));
            writeErrors++;
          } else writeAtomic(target, ruleText);
        } else if (existing === undefined) writeAtomic(target, ruleText);
      } catch (e) {
        print(fileDiagnostic("RC312", `cannot write ${target}: ${errnoText(e)}`, yml, undefined));
        writeErrors++;
        failed ??= target;
      }
    }
    reports.push(failed !== undefined ? { ...r.report!, outcome: { imported: false, reason: `cannot write ${failed}`, file: yml } } : r.report!);
  }
  const rep = summarize(reports, disagreements);
  io.err(reportText(rep));
  if (opts.report) {
    try {
      const forJson = { ...rep, rules: rep.rules.map((r) => ({ ...r, file: relative(process.cwd(), r.file) || r.file })) };
      writeAtomic(opts.report, JSON.stringify(forJson, null, 2) + "\n");
    } catch (e) {
      print(fileDiagnostic("RC312", `cannot write ${opts.report}: ${errnoText(e)}`, undefined, undefined));
      writeErrors++;
    }
  }
  return pathErrors.length > 0 || writeErrors > 0 || rep.totals.imported < rep.totals.rules || rep.totals.rules === 0 ? 1 : 0;
}
