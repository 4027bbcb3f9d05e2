import { readFileSync, statSync } from "node:fs";
import { Option, type Command } from "commander";
import { formatDiagnostic, hasErrors, type Diagnostic } from "../diagnostics.js";
import { formatMatches, type HuntFormat } from "../hunt/format.js";
import { hunt, huntProfile, type LogInput } from "../hunt/hunt.js";
import type { Rule } from "../rules/types.js";
import { profileNames } from "../targets/athena/profile.js";
import type { Output } from "./output.js";

/** `rulec hunt [rules...] --logs <files...>`: run rules over log files on an in-process DuckDB. */

export interface HuntDeps {
  readonly io: Output;
  readonly setStatus: (s: number) => void;
  readonly color: () => { enabled: boolean };
  /** Loads and checks rule files or directories (the same loader as check/test/build). */
  readonly loadRules: (paths: readonly string[]) => {
    readonly rules: readonly Rule[];
    readonly diagnostics: readonly Diagnostic[];
    readonly sources: ReadonlyMap<string, string>;
  };
}

/** Progress on standard error, only when it is a terminal and the input is large. */
const PROGRESS_BYTES = 8 * 1024 * 1024;

export function registerHunt(program: Command, deps: HuntDeps): void {
  program
    .command("hunt")
    .description("run rules over CloudTrail log files (as written to S3, .json or .json.gz, or NDJSON) on an in-process DuckDB")
    .argument("[rules...]", "rule files or directories", ["rules"])
    .requiredOption("--logs <files...>", "log files: CloudTrail {\"Records\": [...]} files (.json, .json.gz) or NDJSON")
    .addOption(new Option("--format <format>", "output format").choices(["table", "json", "ndjson", "csv"]).default("table"))
    .addOption(new Option("--profile <name>", "table layout the logs are loaded into").choices(profileNames()))
    .option("--since <window>", "only events in the last window (90m, 24h, 7d, 2w)")
    .option("--from <time>", "only events at or after an ISO-8601 date or date-time")
    .option("--to <time>", "only events before an ISO-8601 date or date-time")
    .addHelpText(
      "after",
      "\nExamples:\n  rulec hunt rules --logs AWSLogs/**/*.json.gz\n  rulec hunt rules/aws_console_root_login.yml --logs events.ndjson --format json",
    )
    .action(async (paths: string[], opts: { logs: string[]; format: HuntFormat; profile?: string; since?: string; from?: string; to?: string }) => {
      const { io, setStatus } = deps;
      const color = deps.color().enabled;
      const { error } = huntProfile(opts.profile);
      if (error) {
        io.err(`rulec: ${error}\n`);
        setStatus(2);
        return;
      }
      const lib = deps.loadRules(paths);
      for (const d of lib.diagnostics) io.err(formatDiagnostic(d, { sources: lib.sources, color }) + "\n");
      if (hasErrors(lib.diagnostics)) setStatus(1);
      if (lib.rules.length === 0) {
        io.err(`rulec: no rules to run in ${paths.join(", ")}\n`);
        setStatus(1);
        return;
      }

      const inputs: LogInput[] = [];
      let bytes = 0;
      for (const file of opts.logs) {
        try {
          if (statSync(file).isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
          const data = readFileSync(file);
          bytes += data.length;
          inputs.push({ name: file, bytes: data });
        } catch (e) {
          io.err(`${file}: error RC312: cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
          setStatus(1);
        }
      }

      const bar = io.interactive && bytes >= PROGRESS_BYTES ? progressBar(io) : undefined;
      let result;
      try {
        result = await hunt(lib.rules, inputs, { profile: opts.profile, since: opts.since, from: opts.from, to: opts.to, onProgress: bar?.update });
      } finally {
        bar?.done();
      }
      for (const p of result.problems) {
        const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
        io.err(`${where}: ${p.fatal ? "error RC501" : "warning RC501"}: ${p.message}\n`);
        if (p.fatal) setStatus(1);
      }
      for (const r of result.ruleErrors) {
        io.err(`${r.rule}: error RC401: ${r.message}\n`);
        setStatus(1);
      }
      io.out(formatMatches(result.matches, opts.format));
      if (opts.format === "table") {
        const seconds = (result.loadMs + result.queryMs) / 1000;
        io.err(`${result.matches.length} matches, ${result.events} events, ${result.rules} rules, ${seconds.toFixed(1)} s\n`);
      }
    });
}

/** A one-line bar on standard error, redrawn in place and erased when done. */
export function progressBar(io: Output) {
  let last = "";
  return {
    update: (p: { phase: "load" | "rules"; done: number; total: number }) => {
      const width = 30;
      const frac = p.total === 0 ? 1 : Math.min(1, p.done / p.total);
      const filled = Math.round(frac * width);
      const label = p.phase === "load" ? "loading logs" : "running rules";
      const line = `\r${label.padEnd(13)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.round(frac * 100)}%`;
      if (line !== last) io.err(line);
      last = line;
    },
    done: () => {
      if (last !== "") io.err(`\r${" ".repeat(last.length)}\r`);
    },
  };
}
