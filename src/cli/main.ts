import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { installInterruptHandlers } from "./fs.js";
import { createOutput, type Output } from "./output.js";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export const VERSION: string = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

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

  // Every command lives in a module of its own, loaded only for the command being run (each pulls
  // in its own dependencies: the parser, the targets, DuckDB, the catalog's renderer, ...); help, an
  // unknown command and no command at all load them all, so help lists every command (--version
  // alone needs none).
  const colors = () => color(program, io);
  const rulesDeps = { io, setStatus, color: (stream?: "out" | "err") => color(program, io, stream) };
  const commands: Record<string, () => Promise<void>> = {
    check: async () => (await import("./check.js")).registerCheck(program, rulesDeps),
    test: async () => (await import("./check.js")).registerTest(program, rulesDeps),
    eval: async () => (await import("./check.js")).registerEval(program, rulesDeps),
    build: async () => (await import("./build.js")).registerBuild(program, { io, setStatus, color: colors, configFile: () => program.opts<{ config?: string }>().config }),
    fmt: async () => (await import("./fmt.js")).registerFmt(program, { io, setStatus }),
    catalog: async () => (await import("./catalog.js")).registerCatalog(program, { io, setStatus, color: colors }),
    import: async () => (await import("./import.js")).registerImport(program, { io, setStatus, color: colors }),
    hunt: async () => (await import("./hunt.js")).registerHunt(program, { io, setStatus, color: colors, loadRules: (await import("./library.js")).loadRuleFiles }),
    athena: async () => {
      (await import("./athena.js")).registerAthena(program, { io, setStatus, color: colors, loadRules: (await import("./library.js")).loadRuleFiles });
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
