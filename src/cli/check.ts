import { readFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { checkCondition } from "../check/check.js";
import { formatDiagnostic, hasErrors, LineIndex, nearest, type Diagnostic } from "../diagnostics.js";
import { evaluate } from "../eval/evaluate.js";
import { parseEvents } from "../events/parse.js";
import { knownLogTypeNames, logTypes, rootType, schemaFor } from "../schema/schema.js";
import { parseCondition } from "../syntax/ast.js";
import { toGithub, toSarif } from "./formats.js";
import { loadLibrary, type Library } from "./library.js";
import { EXIT, VERSION } from "./main.js";
import type { Output } from "./output.js";

/** `rulec check`, `rulec test` and `rulec eval`: the commands that read rules and events and write nothing. */

export interface RulesCommandDeps {
  readonly io: Output;
  readonly setStatus: (s: number) => void;
  /** Colours for standard error (the default) or standard output. */
  readonly color: (stream?: "out" | "err") => { enabled: boolean; red: (s: string) => string; green: (s: string) => string; yellow: (s: string) => string };
}

export function registerCheck(program: Command, deps: RulesCommandDeps): void {
  const { io, setStatus } = deps;
  program
    .command("check")
    .description("check rule files and print every diagnostic")
    .argument("[paths...]", "rule files or directories", ["rules"])
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "sarif", "github"]).default("text"))
    .addHelpText(
      "after",
      "\nExamples:\n  rulec check rules\n  rulec check rules/s3_policy.yml --format json\n  rulec check rules --format sarif > rulec.sarif   # code scanning\n  rulec check rules --format github                # annotations in a GitHub Actions run",
    )
    .action((paths: string[], opts: { format: string }) => {
      const lib = loadLibrary(paths);
      report(io, lib, opts.format, deps.color());
      if (opts.format === "text") io.err(`${lib.files.length} files, ${lib.rules.length} rules ok, ${countErrors(lib.diagnostics)} errors, ${countWarnings(lib.diagnostics)} warnings\n`);
      setStatus(hasErrors(lib.diagnostics) || lib.files.length === 0 ? EXIT.failed : EXIT.ok);
    });
}

export function registerTest(program: Command, deps: RulesCommandDeps): void {
  const { io, setStatus } = deps;
  program
    .command("test")
    .description("run every rule's Tests on the reference evaluator")
    .argument("[paths...]", "rule files or directories", ["rules"])
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .addHelpText("after", "\nExamples:\n  rulec test rules\n  rulec test rules --format json | jq '.tests[] | select(.passed | not)'")
    .action((paths: string[], opts: { format: string }) => {
      const lib = loadLibrary(paths);
      report(io, lib, opts.format === "json" ? "none" : "text", deps.color());
      const records: { file: string; ruleId: string; test: string; expected: boolean; actual: boolean; passed: boolean }[] = [];
      for (const rule of lib.rules) {
        for (const t of rule.tests) {
          const actual = evaluate(rule.condition, t.log);
          records.push({ file: rule.file, ruleId: rule.ruleId, test: t.name, expected: t.expectedResult, actual, passed: actual === t.expectedResult });
        }
      }
      const failed = records.filter((r) => !r.passed).length;
      const brokenFiles = lib.failed.length;
      if (opts.format === "json") {
        io.out(JSON.stringify({ tests: records, errors: lib.diagnostics.filter((d) => d.severity === "error") }, null, 2) + "\n");
      } else {
        const c = deps.color("out");
        for (const r of records) {
          const mark = r.passed ? c.green("PASS") : c.red("FAIL");
          const detail = r.passed ? "" : ` (expected ${r.expected}, got ${r.actual})`;
          io.out(`${mark} ${r.file} ${r.ruleId}: ${r.test}${detail}\n`);
        }
        for (const rule of lib.rules) if (rule.tests.length === 0) io.out(`${c.yellow("NONE")} ${rule.file} ${rule.ruleId}: no tests\n`);
        if (brokenFiles > 0) io.out(`${brokenFiles} rule files with errors: ${lib.failed.join(", ")}\n`);
        io.out(`${records.length - failed} passed, ${failed} failed\n`);
      }
      setStatus(failed > 0 || brokenFiles > 0 || hasErrors(lib.diagnostics) || lib.files.length === 0 ? EXIT.failed : EXIT.ok);
    });
}

export function registerEval(program: Command, deps: RulesCommandDeps): void {
  const { io, setStatus } = deps;
  program
    .command("eval")
    .description("evaluate a condition on events (JSON, a JSON array, a CloudTrail file or NDJSON) from files or stdin")
    .argument("<condition>", "a condition, e.g. 'eventName eq \"ConsoleLogin\"'")
    .argument("[files...]", "event files; standard input when none")
    .option("--log-type <type>", `check fields against a log type's schema (${logTypes().join(", ")})`)
    .addHelpText("after", `\nExamples:\n  rulec eval 'eventName eq "ConsoleLogin"' event.json\n  echo '{"a": 1}' | rulec eval 'a gt 0'`)
    .action(async (conditionText: string, files: string[], opts: { logType?: string }) => {
      const source = "<condition>";
      const sources = new Map([[source, conditionText]]);
      const parsed = parseCondition(conditionText);
      const index = new LineIndex(conditionText);
      const toFile = (ds: readonly { code: Diagnostic["code"]; severity: Diagnostic["severity"]; message: string; start: number; end: number }[]) =>
        ds.map((d): Diagnostic => ({ code: d.code, severity: d.severity, message: d.message, file: source, span: index.span(d.start, d.end) }));
      let diagnostics = toFile(parsed.diagnostics);
      let ast = parsed.ast;
      if (opts.logType !== undefined && !schemaFor(opts.logType)) {
        const near = nearest(opts.logType, knownLogTypeNames(), 1)[0];
        io.err(`rulec: unknown log type '${opts.logType}'${near ? ` (did you mean '${near}'?)` : ""}: 'rulec logtypes' lists the log types\n`);
        setStatus(EXIT.usage);
        return;
      }
      if (ast) {
        const schema = opts.logType ? schemaFor(opts.logType) : undefined;
        const checked = checkCondition(ast, { text: conditionText, ...(schema ? { schema: rootType(schema) } : {}) });
        diagnostics = toFile(checked.diagnostics);
        ast = checked.condition;
      }
      for (const d of diagnostics) io.err(formatDiagnostic(d, { sources, color: deps.color().enabled }) + "\n");
      if (!ast || hasErrors(diagnostics)) {
        setStatus(EXIT.failed);
        return;
      }
      const inputs = files.length > 0 ? files.map((f) => ({ name: f, read: () => readFileSync(f) })) : [{ name: "<stdin>", read: () => readFileSync(0) }];
      for (const input of inputs) {
        let bytes: Buffer;
        try {
          bytes = input.read();
        } catch (e) {
          io.err(`${input.name}: error RC312: cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
          setStatus(EXIT.failed);
          continue;
        }
        // Events as log files hold them: gzip-compressed or not, strictly UTF-8.
        const decoded = (await import("../hunt/logs.js")).decodeLog(bytes);
        if (decoded.text === undefined) {
          io.err(`${input.name}: error RC501: ${decoded.error}\n`);
          setStatus(EXIT.failed);
          continue;
        }
        const text = decoded.text;
        const events = parseEvents(text);
        for (const e of events.errors) {
          io.err(`${input.name}:${e.line}: error RC501: ${e.message}\n`);
          setStatus(EXIT.failed);
        }
        for (const event of events.events) io.out(`${evaluate(ast, event)}\n`);
      }
    });
}

export function report(io: Output, lib: Pick<Library, "diagnostics" | "sources">, format: string, c: { enabled: boolean }): void {
  if (format === "sarif") {
    io.out(JSON.stringify(toSarif(lib.diagnostics, VERSION), null, 2) + "\n");
    return;
  }
  if (format === "github") {
    io.out(toGithub(lib.diagnostics));
    return;
  }
  if (format === "json") {
    io.out(JSON.stringify(lib.diagnostics, null, 2) + "\n");
    return;
  }
  if (format !== "text") return;
  for (const d of lib.diagnostics) io.err(formatDiagnostic(d, { sources: lib.sources, color: c.enabled }) + "\n");
}

function countErrors(ds: readonly Diagnostic[]): number {
  return ds.filter((d) => d.severity === "error").length;
}

function countWarnings(ds: readonly Diagnostic[]): number {
  return ds.filter((d) => d.severity === "warning").length;
}
