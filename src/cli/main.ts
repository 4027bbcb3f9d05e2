import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { checkCondition } from "../check/check.js";
import { formatDiagnostic, hasErrors, LineIndex, nearest, type Diagnostic } from "../diagnostics.js";
import { evaluate } from "../eval/evaluate.js";
import { parseEvents } from "../events/parse.js";
import { knownLogTypeNames, logTypes, rootType, schemaFor } from "../schema/schema.js";
import { parseCondition } from "../syntax/ast.js";
import { toGithub, toSarif } from "./formats.js";
import { installInterruptHandlers } from "./fs.js";
import { loadLibrary, loadRuleFiles, type Library } from "./library.js";
import { createOutput, type Output } from "./output.js";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const VERSION: string = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** Runs the command line; returns the exit status. The only caller of process I/O is here and below. */
export async function main(argv: readonly string[], io: Output = createOutput()): Promise<number> {
  installInterruptHandlers();
  let status: number = EXIT.ok;
  const program = new Command("rulec")
    .description("Compile detection rules to Panther Python, Athena SQL and Sigma; test them on events.")
    .version(VERSION, "-V, --version")
    .option("--no-color", "never colour the output (also NO_COLOR=1)")
    .option("--config <file>", "the configuration file (default: rulec.config.yml in the library or a parent)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
    })
    .showSuggestionAfterError(true)
    .addHelpText(
      "after",
      `
Examples:
  rulec check rules                       every diagnostic, file:line:col
  rulec test rules                        run each rule's tests
  rulec build rules                       compile to out/panther, out/athena, out/sigma, out/sentinel
  rulec hunt rules --logs trail.json.gz   run the rules over CloudTrail logs locally
  rulec athena check rules                check that an Athena workgroup runs the SQL rulec writes

Exit status: 0 success, 1 rule errors or failed tests, 2 usage or configuration errors.`,
    );

  const setStatus = (s: number) => {
    status = Math.max(status, s);
  };

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
      report(io, lib, opts.format, color(program, io));
      if (opts.format === "text") io.err(`${lib.files.length} files, ${lib.rules.length} rules ok, ${countErrors(lib.diagnostics)} errors, ${countWarnings(lib.diagnostics)} warnings\n`);
      setStatus(hasErrors(lib.diagnostics) || lib.files.length === 0 ? EXIT.failed : EXIT.ok);
    });

  program
    .command("test")
    .description("run every rule's Tests on the reference evaluator")
    .argument("[paths...]", "rule files or directories", ["rules"])
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .addHelpText("after", "\nExamples:\n  rulec test rules\n  rulec test rules --format json | jq '.tests[] | select(.passed | not)'")
    .action((paths: string[], opts: { format: string }) => {
      const lib = loadLibrary(paths);
      report(io, lib, opts.format === "json" ? "none" : "text", color(program, io));
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
        const c = color(program, io, "out");
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
      for (const d of diagnostics) io.err(formatDiagnostic(d, { sources, color: color(program, io).enabled }) + "\n");
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

  // The other commands live in modules of their own, loaded only for the command being run (each
  // pulls in its own dependencies: the targets, DuckDB, the catalog's renderer, ...); help, an
  // unknown command and no command at all load them all, so help lists every command (--version
  // alone needs none).
  const colors = () => color(program, io);
  const commands: Record<string, () => Promise<void>> = {
    build: async () => (await import("./build.js")).registerBuild(program, { io, setStatus, color: colors, configFile: () => program.opts<{ config?: string }>().config }),
    fmt: async () => (await import("./fmt.js")).registerFmt(program, { io, setStatus }),
    catalog: async () => (await import("./catalog.js")).registerCatalog(program, { io, setStatus, color: colors }),
    import: async () => (await import("./import.js")).registerImport(program, { io, setStatus, color: colors }),
    hunt: async () => (await import("./hunt.js")).registerHunt(program, { io, setStatus, color: colors, loadRules: loadRuleFiles }),
    athena: async () => {
      (await import("./athena.js")).registerAthena(program, { io, setStatus, color: colors, loadRules: loadRuleFiles });
      (await import("./athena-ddl.js")).registerAthenaDdl(program, { io, setStatus });
    },
    logtypes: async () => (await import("./logtypes.js")).registerLogTypes(program, { io, setStatus }),
  };
  const named = commandName(argv.slice(2));
  const inline = new Set(program.commands.map((c) => c.name()));
  if (named !== undefined && Object.hasOwn(commands, named)) await commands[named]!();
  else if ((named === undefined && !argv.some((a) => a === "-V" || a === "--version")) || (named !== undefined && !inline.has(named))) {
    for (const register of Object.values(commands)) await register();
  }

  // A --config that cannot be read is a usage error whatever the command (only some read it).
  program.hook("preAction", () => {
    const file = program.opts<{ config?: string }>().config;
    if (file === undefined) return;
    try {
      readFileSync(file);
    } catch (e) {
      throw new CommanderError(EXIT.usage, "rulec.config", `rulec: cannot read --config ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
    }
  });
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "rulec.config") io.err(e.message);
      // --help and --version succeed; help shown because no command was given is a usage error.
      if ((e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") && e.exitCode === 0) return EXIT.ok;
      return EXIT.usage;
    }
    io.err(`rulec: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 3;
  }
  return status;
}

/**
 * The command a command line names: its first word that is neither an option nor the value of
 * `--config`; undefined when there is none.
 */
export function commandName(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") return args[i + 1];
    if (a === "--config") {
      i++;
      continue;
    }
    if (!a.startsWith("-")) return a;
  }
  return undefined;
}

/** Colours for text written to standard error (diagnostics, the default) or standard output. */
export function color(program: Command, io: Output, stream: "out" | "err" = "err") {
  const enabled = program.opts<{ color: boolean }>().color !== false && (stream === "out" ? io.colorAllowed : (io.errorColorAllowed ?? io.colorAllowed));
  const wrap = (code: number) => (s: string) => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { enabled, red: wrap(31), green: wrap(32), yellow: wrap(33), bold: wrap(1) };
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
