import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { fileDiagnostic, formatDiagnostic, type Diagnostic } from "../diagnostics.js";
import { evaluate } from "../eval/evaluate.js";
import { generateEvents, getAt, importedRuleText, readPantherYaml, reportText, summarize, type PantherRuleMeta, type Reads, type RuleReport } from "../import/panther/index.js";
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
  readonly write?: { readonly target: string; readonly text: string };
  readonly disagreement?: boolean;
}

type Translation = { condition?: string; reads?: Reads; inlined?: string[]; refuse?: string; file?: string; line?: number; error?: string };

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
  // Translate once per log type: several log types must give one condition.
  const conditions: Translation[] = [];
  for (const lt of meta.logTypes) {
    const schema = schemaFor(lt);
    conditions.push(await py.request<Translation>({ translate: { name: basename(pyFile, ".py"), source, file: pyFile, logType: lt, schema: schema && !schema.freeForm ? schema.fields : null, events } }));
  }
  const refused = conditions.find((c) => c.condition === undefined);
  if (refused) return refuse(meta, refused.refuse ?? refused.error ?? "not translatable", refused.file ?? pyFile, refused.line ?? undefined);
  if (new Set(conditions.map((c) => c.condition)).size > 1) {
    return refuse(meta, `the rule's LogTypes (${meta.logTypes.join(", ")}) give different conditions (their data models or schemas differ): import it once per log type by hand`, yml);
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
  const original = (await py.request<{ results: PyResult[] }>({ run: id, events: all })).results;
  const panther = pantherTarget.compile(loaded.rule);
  const pySource = panther.files.find((f) => f.path.endsWith(".py"))?.content;
  if (pySource === undefined) {
    await py.request({ unload: id });
    return refuse(meta, `the Panther target cannot express the condition: ${panther.diagnostics[0]?.message ?? ""}`, yml);
  }
  const target_ = (await py.request<{ results?: PyResult[] }>({ check: pySource, events: all })).results;
  let bad: { event: unknown; original: PyResult; evaluator: boolean; panther: PyResult | undefined } | undefined;
  const tests = { total: meta.tests.length, original: 0, evaluator: 0, panther: 0 };
  for (let i = 0; i < all.length; i++) {
    const o = original?.[i] === true;
    const ev = evaluate(loaded.rule.condition, all[i]);
    const pt = target_?.[i] === true;
    if (i < meta.tests.length) {
      const exp = meta.tests[i]!.expected;
      if (o === exp) tests.original++;
      if (ev === exp) tests.evaluator++;
      if (pt === exp) tests.panther++;
    }
    if ((o !== ev || o !== pt) && bad === undefined) bad = { event: all[i], original: original?.[i] ?? false, evaluator: ev, panther: target_?.[i] };
  }
  if (bad) {
    await py.request({ unload: id });
    const po = typeof bad.original === "object" ? `error (${bad.original.error})` : String(bad.original);
    const r = refuse(
      meta,
      `the condition and the original disagree on an event: original ${po}, evaluator ${bad.evaluator}, Panther target ${JSON.stringify(bad.panther ?? null)}; event ${short(bad.event)} (condition: ${condition.slice(0, 300)})`,
      pyFile,
      undefined,
      { condition, generated: generated.length },
      bad.event,
    );
    return { ...r, disagreement: true };
  }
  const { text: finalText, outputs } = await titleAndDedup(py, id, text, condition, target, source, pyFile, all);
  await py.request({ unload: id });
  return {
    diagnostics,
    report: { ruleId: meta.ruleId, file: yml, logTypes: meta.logTypes, outcome: { imported: true, output: target }, condition, tests, generated: generated.length, outputs },
    write: { target, text: finalText },
  };
}

/**
 * AlertTitle and DedupFields from title() and dedup() where they are plain field formatting, kept
 * only when the compiled Panther title()/dedup() return what the original's do on every event
 * whose placeholders are all present (a missing field prints `<unknown path>`, not Python's None).
 */
async function titleAndDedup(py: PythonProcess, id: number, text: string, condition: string, target: string, source: string, pyFile: string, events: readonly unknown[]): Promise<{ text: string; outputs: string[] }> {
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
    if (!r.write) {
      if (r.report) reports.push(r.report);
      continue;
    }
    const { target, text: ruleText } = r.write;
    const yml = r.report!.file;
    const earlier = outputs.get(target);
    if (earlier !== undefined) {
      const reason = `${target} is already imported from ${earlier} in this run: rename one`;
      print(fileDiagnostic("RC401", `not imported: ${reason}`, yml, undefined));
      reports.push({ ...r.report!, outcome: { imported: false, reason, file: yml } });
      continue;
    }
    outputs.set(target, yml);
    let failed = false;
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
      failed = true;
    }
    reports.push(failed ? { ...r.report!, outcome: { imported: false, reason: `cannot write ${target}`, file: yml } } : r.report!);
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
