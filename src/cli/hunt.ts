import { accessSync, closeSync, constants, createReadStream, openSync, readFileSync, readSync, statSync } from "node:fs";
import { pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { Option, type Command } from "commander";
import { formatDiagnostic, hasErrors, type Diagnostic } from "../diagnostics.js";
import { DEFAULT_MAX_CONCURRENCY, formatDryRun, formatSummary, planAthenaHunt, runAthenaHunt, type RunOptions } from "../hunt/athena/index.js";
import { workgroupSql } from "../hunt/athena/engine.js";
import { formatMatches, type HuntFormat } from "../hunt/format.js";
import { hunt, type LogInput, type LogStream } from "../hunt/hunt.js";
import { knownLogTypeNames, schemaFor } from "../schema/schema.js";
import { nearest } from "../diagnostics.js";
import type { Rule } from "../rules/types.js";
import { checkAthenaOptions } from "../targets/athena/options.js";
import { locationProblem } from "../targets/athena/files.js";
import { profileNames, type AthenaEngine } from "../targets/athena/profile.js";
import { loadConfig } from "./config.js";
import { expandLogArgs } from "./logfiles.js";
import type { Output } from "./output.js";

/**
 * `rulec hunt [rules...] --logs <files...>`: run rules over log files on an in-process DuckDB;
 * `rulec hunt [rules...] --engine athena`: run the same rules' Athena queries on Amazon Athena.
 */

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
  /** Hooks Ctrl-C for an Athena hunt; returns the unhook. Default: process SIGINT. */
  readonly onInterrupt?: (handler: () => void) => () => void;
  /** Athena polling, retry and paging knobs (tests make them fast and small). */
  readonly athenaTuning?: Pick<RunOptions, "poll" | "retry" | "pageSize" | "random" | "onStarted">;
}

/** The window of an Athena hunt that names none (flags or rulec.config.yml). */
export const DEFAULT_ATHENA_WINDOW = "24h";

/** Plain log files larger than this are streamed record by record; gzip files, compressed size. */
const STREAM_BYTES = 64 * 1024 * 1024;
const STREAM_GZIP_BYTES = 8 * 1024 * 1024;

function isGzip(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** A log file's bytes in chunks, gunzipped when it is gzip. */
function openLog(file: string, gzip: boolean): AsyncIterable<Uint8Array> {
  const raw = createReadStream(file, { highWaterMark: 1024 * 1024 });
  if (!gzip) return raw;
  const gunzip = createGunzip();
  pipeline(raw, gunzip, () => undefined);
  return gunzip;
}

/** Progress on standard error, only when it is a terminal and the input is large. */
const PROGRESS_BYTES = 8 * 1024 * 1024;

export function registerHunt(program: Command, deps: HuntDeps): void {
  program
    .command("hunt")
    .description("run rules over logs: local files on an in-process DuckDB (default), or the S3 tables on Amazon Athena (--engine athena)")
    .argument("[rules...]", "rule files or directories", ["rules"])
    .option("--logs <files...>", "log files, directories or patterns (duckdb engine; 'AWSLogs/**/*.json.gz' is expanded here) as the vendors export them: JSON, JSON arrays or NDJSON, gzipped or not (CloudTrail files, Okta API pages, ...)")
    .option("--log-type <type>", "duckdb: every record of the logs is of this log type (default: each record's log type is recognised)")
    .addOption(new Option("--engine <engine>", "where the queries run").choices(["duckdb", "athena"]).default("duckdb"))
    .addOption(new Option("--format <format>", "output format").choices(["table", "json", "ndjson", "csv"]).default("table"))
    .addOption(new Option("--profile <name>", "table layout (the local table, or the Athena table)").choices(profileNames()))
    .option("--since <window>", "only events in the last window (90m, 24h, 7d, 2w); athena default: 24h")
    .option("--from <time>", "only events at or after an ISO-8601 date or date-time")
    .option("--to <time>", "only events before an ISO-8601 date or date-time")
    .option("--dry-run", "athena: print the queries (with their partition predicates) without calling AWS")
    .option("--database <name>", "athena: the database of the CloudTrail table (default: the profile's)")
    .option("--table <name>", "athena: the CloudTrail table (default: the profile's)")
    .option("--workgroup <name>", "athena: the workgroup (default: primary)")
    .option("--output-location <s3-uri>", "athena: where Athena writes results (default: the workgroup's)")
    .option("--region <region>", "athena: AWS region (default: the AWS SDK's chain: AWS_REGION, the profile)")
    .option("--max-concurrency <n>", `athena: queries running at once (default ${DEFAULT_MAX_CONCURRENCY})`)
    .addOption(new Option("--athena-engine <engine>", "athena: the SQL sent (default: the workgroup's engine, from GetWorkGroup; --dry-run: athena.engine, else trino)").choices(["trino", "duckdb"]))
    .option("--location <s3-uri>", "athena, DuckDB engine: read the CloudTrail files under this folder (s3://bucket/AWSLogs/<account>/CloudTrail/<region>/) instead of the table")
    .addOption(new Option("--endpoint <url>", "athena: endpoint override (tests)").hideHelp())
    .addOption(new Option("--workers <n>", "duckdb: worker threads that parse the logs (default: by size and cores; 0: none)").hideHelp())
    .addOption(new Option("--stream-above <bytes>", "duckdb: stream files larger than this (tests)").hideHelp())
    .addHelpText(
      "after",
      "\nExamples:\n  rulec hunt rules --logs AWSLogs/                # every log file under it\n  rulec hunt rules --logs 'AWSLogs/**/*.json.gz'\n  rulec hunt rules/aws_console_root_login.yml --logs events.ndjson --format json\n  rulec hunt rules --engine athena --since 24h --dry-run\n  rulec hunt rules --engine athena --since 7d --workgroup security --output-location s3://my-athena-results/rulec/",
    )
    .action(async (paths: string[], opts: HuntOpts) => {
      const { io, setStatus } = deps;
      const window = { since: opts.since, from: opts.from, to: opts.to };
      const problems = checkAthenaOptions(Object.fromEntries(Object.entries(window).filter(([, v]) => v !== undefined)), (key) => `--${key}`);
      if (problems.length > 0) {
        for (const p of problems) io.err(`rulec: ${p.message}\n`);
        setStatus(2);
        return;
      }
      const athenaOnly = (["dryRun", "database", "table", "workgroup", "outputLocation", "region", "maxConcurrency", "endpoint", "athenaEngine", "location"] as const).filter((k) => opts[k] !== undefined);
      if (opts.engine === "athena") {
        if (opts.logs !== undefined) {
          io.err("rulec: --logs is for the duckdb engine; with --engine athena the logs are the Athena table (--database, --table)\n");
          setStatus(2);
          return;
        }
        if (opts.logType !== undefined) {
          io.err("rulec: --log-type is for the duckdb engine (on Athena each log type has its own table)\n");
          setStatus(2);
          return;
        }
        if (opts.workers !== undefined) {
          io.err("rulec: --workers is for the duckdb engine\n");
          setStatus(2);
          return;
        }
        await huntAthena(program, deps, paths, opts);
        return;
      }
      if (athenaOnly.length > 0) {
        io.err(`rulec: ${athenaOnly.map(flag).join(", ")} only apply with --engine athena\n`);
        setStatus(2);
        return;
      }
      if (opts.logs === undefined) {
        io.err("rulec: --logs <files...> is required with the duckdb engine (the default); to hunt in S3 use --engine athena\n");
        setStatus(2);
        return;
      }
      await huntLocal(deps, paths, { ...opts, logs: opts.logs });
    });
}

interface HuntOpts {
  logs?: string[];
  logType?: string;
  engine: "duckdb" | "athena";
  format: HuntFormat;
  profile?: string;
  since?: string;
  from?: string;
  to?: string;
  dryRun?: boolean;
  database?: string;
  table?: string;
  workgroup?: string;
  outputLocation?: string;
  region?: string;
  maxConcurrency?: string;
  endpoint?: string;
  athenaEngine?: string;
  location?: string;
  workers?: string;
  streamAbove?: string;
}

function flag(key: string): string {
  return "--" + key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

/** Loads the rules and prints their diagnostics; undefined when there is nothing to run. */
function loadHuntRules(deps: HuntDeps, paths: string[]): ReturnType<HuntDeps["loadRules"]> | undefined {
  const { io, setStatus } = deps;
  const lib = deps.loadRules(paths);
  for (const d of lib.diagnostics) io.err(formatDiagnostic(d, { sources: lib.sources, color: deps.color().enabled }) + "\n");
  if (hasErrors(lib.diagnostics)) setStatus(1);
  if (lib.rules.length === 0) {
    io.err(`rulec: no rules to run in ${paths.join(", ")}\n`);
    setStatus(1);
    return undefined;
  }
  return lib;
}

async function huntLocal(deps: HuntDeps, paths: string[], opts: HuntOpts & { logs: string[] }): Promise<void> {
  const { io, setStatus } = deps;
  if (opts.profile !== undefined && !profileNames().includes(opts.profile)) {
    io.err(`rulec: unknown table profile '${opts.profile}' (known: ${profileNames().join(", ")})\n`);
    setStatus(2);
    return;
  }
  if (opts.logType !== undefined && !schemaFor(opts.logType)) {
    const near = nearest(opts.logType, knownLogTypeNames(), 1)[0];
    io.err(`rulec: unknown log type '${opts.logType}'${near ? ` (did you mean '${near}'?)` : ""}: 'rulec logtypes' lists the log types\n`);
    setStatus(2);
    return;
  }
  if (opts.workers !== undefined && !/^(?:0|[1-9][0-9]?)$/.test(opts.workers)) {
    io.err(`rulec: --workers must be a whole number from 0 to 99, not '${opts.workers}'\n`);
    setStatus(2);
    return;
  }
  const lib = loadHuntRules(deps, paths);
  if (!lib) return;

  const inputs: (LogInput | LogStream)[] = [];
  /** Files that could not be read when their turn came (deleted or unreadable since they were listed). */
  const lateErrors: string[] = [];
  let bytes = 0;
  const logs = expandLogArgs(opts.logs);
  for (const p of logs.problems) {
    io.err(`${p.slice(0, p.indexOf(":"))}: error RC312: ${p.slice(p.indexOf(":") + 2)}\n`);
    setStatus(1);
  }
  // Files are read when their turn comes (a few ahead of the one loading), and a large one is
  // streamed record by record: memory does not grow with the size or the number of the logs.
  for (const file of logs.files) {
    try {
      const st = statSync(file);
      if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
      accessSync(file, constants.R_OK);
      bytes += st.size;
      const gzip = isGzip(file);
      const above = opts.streamAbove === undefined ? (gzip ? STREAM_GZIP_BYTES : STREAM_BYTES) : Number(opts.streamAbove);
      if (st.size > above) {
        inputs.push({ name: file, size: st.size, open: () => openLog(file, gzip) });
      } else {
        inputs.push({
          name: file,
          size: st.size,
          get bytes() {
            try {
              return readFileSync(file);
            } catch (e) {
              lateErrors.push(`${file}: error RC312: cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
              return new Uint8Array(0);
            }
          },
        });
      }
    } catch (e) {
      io.err(`${file}: error RC312: cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      setStatus(1);
    }
  }

  const bar = io.interactive && bytes >= PROGRESS_BYTES ? progressBar(io) : undefined;
  let result;
  try {
    result = await hunt(lib.rules, inputs, {
      profile: opts.profile,
      since: opts.since,
      from: opts.from,
      to: opts.to,
      workers: opts.workers === undefined ? undefined : Number(opts.workers),
      ...(opts.logType === undefined ? {} : { logType: opts.logType }),
      onProgress: bar?.update,
    });
  } finally {
    bar?.done();
  }
  for (const line of new Set(lateErrors)) {
    io.err(`${line}\n`);
    setStatus(1);
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
}

/** Ctrl-C while queries run: the handler stops them; returns the function that unhooks it. */
function processInterrupt(handler: () => void): () => void {
  process.once("SIGINT", handler);
  return () => process.removeListener("SIGINT", handler);
}

/** `--engine athena`: the same queries as `rulec build --target athena`, submitted to Athena. */
async function huntAthena(program: Command, deps: HuntDeps, paths: string[], opts: HuntOpts): Promise<void> {
  const { io, setStatus } = deps;
  const color = deps.color().enabled;
  const loaded = await loadConfig(paths, program.opts<{ config?: string }>().config);
  for (const d of loaded.diagnostics) io.err(formatDiagnostic(d, { sources: loaded.file && loaded.text !== undefined ? new Map([[loaded.file, loaded.text]]) : new Map(), color }) + "\n");
  if (hasErrors(loaded.diagnostics)) {
    setStatus(2);
    return;
  }
  const conf = (loaded.config.athena ?? {}) as Readonly<Record<string, string | number | undefined>>;
  const str = (flagValue: string | undefined, key: string): string | undefined => flagValue ?? (conf[key] === undefined ? undefined : String(conf[key]));
  // A window on the command line replaces the configured one as a whole.
  const flagWindow = opts.since !== undefined || opts.from !== undefined || opts.to !== undefined;
  const confWindow = conf.since !== undefined || conf.from !== undefined || conf.to !== undefined;
  // Athena bills every byte a query reads: without a window, hunt the last day, not the whole trail.
  const window = flagWindow
    ? { since: opts.since, from: opts.from, to: opts.to }
    : confWindow
      ? { since: str(undefined, "since"), from: str(undefined, "from"), to: str(undefined, "to") }
      : { since: DEFAULT_ATHENA_WINDOW };
  const profile = str(opts.profile, "profile");
  if (profile !== undefined && !profileNames().includes(profile)) {
    io.err(`rulec: unknown table profile '${profile}' (known: ${profileNames().join(", ")})\n`);
    setStatus(2);
    return;
  }
  let maxConcurrency = typeof conf.maxConcurrency === "number" ? conf.maxConcurrency : DEFAULT_MAX_CONCURRENCY;
  if (opts.maxConcurrency !== undefined) {
    if (!/^[1-9][0-9]{0,2}$/.test(opts.maxConcurrency)) {
      io.err(`rulec: --max-concurrency must be a whole number from 1 to 999, not '${opts.maxConcurrency}'\n`);
      setStatus(2);
      return;
    }
    maxConcurrency = Number(opts.maxConcurrency);
  }
  const target = {
    database: str(opts.database, "database"),
    table: str(opts.table, "table"),
    workgroup: str(opts.workgroup, "workgroup") ?? "primary",
    outputLocation: str(opts.outputLocation, "outputLocation"),
    region: str(opts.region, "region"),
  };
  if (target.outputLocation !== undefined && !/^s3:\/\/[^/]+/.test(target.outputLocation)) {
    io.err(`rulec: the output location must be an S3 URI (s3://bucket/prefix/), not '${target.outputLocation}'\n`);
    setStatus(2);
    return;
  }

  const location = str(opts.location, "location");
  const locationBad = location === undefined ? undefined : locationProblem(location);
  if (locationBad) {
    io.err(`rulec: --location ${locationBad}\n`);
    setStatus(2);
    return;
  }

  const lib = loadHuntRules(deps, paths);
  if (!lib) return;
  // rulec pins the SDK and supports Node 20: the SDK's notice about its future Node 22 floor is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // The SQL the workgroup runs: its engine (GetWorkGroup), unless named; a dry run asks nothing.
  // The AWS SDK loads only for Athena work.
  const api = opts.dryRun ? undefined : (await import("../hunt/athena/sdk.js")).sdkAthena({ region: target.region, endpoint: opts.endpoint });
  let engine = opts.athenaEngine as AthenaEngine | undefined;
  if (engine === undefined && api === undefined) engine = conf.engine === "duckdb" ? "duckdb" : "trino";
  if (engine === undefined) {
    const found = await workgroupSql(api!, { workgroup: target.workgroup, region: target.region, endpoint: opts.endpoint });
    if ("fatal" in found) {
      io.err(`rulec: athena: ${found.fatal}\n`);
      setStatus(1);
      api!.client.destroy();
      return;
    }
    engine = found.engine;
    if (engine === "duckdb") io.err(`rulec: workgroup ${target.workgroup} runs ${found.name}: sending the DuckDB statements\n`);
  }
  if (location !== undefined && engine !== "duckdb") {
    io.err(`rulec: --location is read by Athena's DuckDB engine; workgroup ${target.workgroup} runs Athena engine version 3 (Trino), which reads the table\n`);
    setStatus(2);
    api?.client.destroy();
    return;
  }
  const plan = planAthenaHunt(lib.rules, { profile, database: target.database, table: target.table, ...window, engine, ...(location !== undefined ? { location } : {}) });
  // A bad window fails every rule the same way: say it once, as a usage error.
  const messages = new Set(plan.ruleErrors.map((r) => r.message));
  if (plan.queries.length === 0 && messages.size === 1 && /^invalid --|has no time column/.test([...messages][0]!)) {
    io.err(`rulec: ${[...messages][0]}\n`);
    setStatus(2);
    return;
  }
  for (const r of plan.ruleErrors) {
    io.err(`${r.rule}: error RC401: ${r.message}\n`);
    setStatus(1);
  }
  if (!flagWindow && !confWindow) io.err(`rulec: time window: the last ${DEFAULT_ATHENA_WINDOW} (the default for Athena; --since, --from and --to choose another)\n`);
  if (!api) {
    io.out(formatDryRun(plan, target));
    io.err(`${plan.queries.length} queries for Athena (workgroup ${target.workgroup}${engine === "duckdb" ? ", DuckDB engine" : ""}); dry run: nothing was submitted\n`);
    return;
  }
  if (plan.queries.length === 0) {
    api.client.destroy();
    return;
  }

  const controller = new AbortController();
  const unhook = (deps.onInterrupt ?? processInterrupt)(() => {
    io.err("\nrulec: interrupted: stopping the running Athena queries...\n");
    controller.abort();
  });
  const bar = io.interactive ? progressBar(io) : undefined;
  let result;
  try {
    result = await runAthenaHunt(api, plan.queries, {
      ...target,
      maxConcurrency,
      endpoint: opts.endpoint,
      signal: controller.signal,
      onProgress: bar?.update,
      ...deps.athenaTuning,
    });
  } finally {
    bar?.done();
    unhook();
    api.client.destroy();
  }
  if (result.fatal !== undefined) {
    io.err(`rulec: athena: ${result.fatal}\n`);
    setStatus(1);
  }
  for (const r of result.reports) {
    if (r.noFiles !== undefined) io.err(`${r.rule}: warning RC420: no log file under ${location ?? "the location"} for the time window (Athena query ${r.queryId ?? "?"}: ${r.noFiles}); no events, no matches\n`);
    if (r.outcome === "SUCCEEDED" || r.outcome === "NOT RUN") continue;
    if (r.outcome === "CANCELLED" && (result.cancelled || result.fatal !== undefined)) continue;
    if (r.reason !== undefined && result.fatal?.includes(r.reason)) continue; // said once, above
    io.err(`${r.rule}: error RC503: Athena query ${r.queryId ?? "(not started)"} ${r.outcome === "ERROR" ? "could not run" : r.outcome.toLowerCase()}: ${r.reason ?? "no reason given"}\n`);
    setStatus(1);
  }
  if (result.fatal === undefined || result.matches.length > 0) io.out(formatMatches(result.matches, opts.format));
  io.err(formatSummary(result.reports, result.wallMs, result.matches.length, engine));
  if (result.cancelled) {
    io.err("rulec: interrupted: the running queries were stopped (StopQueryExecution)\n");
    setStatus(130);
  }
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
