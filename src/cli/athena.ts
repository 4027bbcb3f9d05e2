import { Option, type Command } from "commander";
import { formatDiagnostic, hasErrors, type Diagnostic } from "../diagnostics.js";
import { runAthenaCheck, type CheckOptions, type FunctionVerdict } from "../hunt/athena/check.js";
import { workgroupSql } from "../hunt/athena/index.js";
import type { Rule } from "../rules/types.js";
import { functionsUsed, TRINO_FUNCTIONS } from "../targets/athena/functions.js";
import { DUCKDB_FUNCTIONS, duckdbFunctionsUsed } from "../targets/athena/functions-duckdb.js";
import { athenaTarget } from "../targets/athena/index.js";
import { profileNames } from "../targets/athena/profile.js";
import { loadConfig } from "./config.js";
import type { Output } from "./output.js";

/**
 * `rulec athena check [rules...]`: the first step on a new workgroup. One query runs every Trino
 * function the Athena SQL uses (json_exists, json_query, any_match, ...); each one the workgroup's
 * engine lacks, or answers differently, is named with the rules that use it. Exit status 1 when a
 * rule uses such a function. On a workgroup of Athena's DuckDB engine (GetWorkGroup), the DuckDB
 * functions of the rules' DuckDB statements are probed instead.
 */

export interface AthenaDeps {
  readonly io: Output;
  readonly setStatus: (s: number) => void;
  readonly color: () => { enabled: boolean };
  readonly loadRules: (paths: readonly string[]) => {
    readonly rules: readonly Rule[];
    readonly diagnostics: readonly Diagnostic[];
    readonly sources: ReadonlyMap<string, string>;
  };
  /** Polling knobs (tests make them fast). */
  readonly poll?: CheckOptions["poll"];
}

interface CheckOpts {
  workgroup?: string;
  database?: string;
  outputLocation?: string;
  region?: string;
  profile?: string;
  athenaEngine?: string;
  endpoint?: string;
  format: "table" | "json";
}

export function registerAthena(program: Command, deps: AthenaDeps): void {
  const athena = program.command("athena").description("Amazon Athena: check that a workgroup runs the SQL rulec writes");
  athena
    .command("check")
    .description("run one query that exercises every Trino function the rules' Athena SQL uses; name each one the workgroup lacks, with the rules that use it")
    .argument("[rules...]", "rule files or directories", ["rules"])
    .option("--workgroup <name>", "the workgroup (default: primary)")
    .option("--database <name>", "the database the query runs in (default: the workgroup's)")
    .option("--output-location <s3-uri>", "where Athena writes results (default: the workgroup's)")
    .option("--region <region>", "AWS region (default: the AWS SDK's chain: AWS_REGION, the profile)")
    .addOption(new Option("--profile <name>", "table layout the rules are compiled for").choices(profileNames()))
    .addOption(new Option("--format <format>", "output format").choices(["table", "json"]).default("table"))
    .addOption(new Option("--athena-engine <engine>", "the workgroup's engine (default: read with GetWorkGroup)").choices(["trino", "duckdb"]))
    .addOption(new Option("--endpoint <url>", "endpoint override (tests)").hideHelp())
    .addHelpText("after", "\nExamples:\n  rulec athena check rules\n  rulec athena check rules --workgroup security --output-location s3://my-athena-results/rulec/")
    .action(async (paths: string[], opts: CheckOpts) => {
      await check(program, deps, paths, opts);
    });
}

async function check(program: Command, deps: AthenaDeps, paths: string[], opts: CheckOpts): Promise<void> {
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
  const target = {
    workgroup: str(opts.workgroup, "workgroup") ?? "primary",
    database: str(opts.database, "database"),
    outputLocation: str(opts.outputLocation, "outputLocation"),
    region: str(opts.region, "region"),
    profile: str(opts.profile, "profile"),
  };
  if (target.outputLocation !== undefined && !/^s3:\/\/[^/]+/.test(target.outputLocation)) {
    io.err(`rulec: the output location must be an S3 URI (s3://bucket/prefix/), not '${target.outputLocation}'\n`);
    setStatus(2);
    return;
  }
  if (target.profile !== undefined && !profileNames().includes(target.profile)) {
    io.err(`rulec: unknown table profile '${target.profile}' (known: ${profileNames().join(", ")})\n`);
    setStatus(2);
    return;
  }

  // The workgroup's engine decides the SQL, and so the functions to probe.
  const { sdkAthena } = await import("../hunt/athena/sdk.js"); // the AWS SDK loads only for Athena work
  const api = sdkAthena({ ...(target.region !== undefined ? { region: target.region } : {}), ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}) });
  let duckdb = opts.athenaEngine === "duckdb";
  if (opts.athenaEngine === undefined) {
    const found = await workgroupSql(api, { workgroup: target.workgroup, ...(target.region !== undefined ? { region: target.region } : {}), ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}) });
    if ("fatal" in found) {
      io.err(`rulec: athena: ${found.fatal}\n`);
      setStatus(1);
      return;
    }
    duckdb = found.engine === "duckdb";
  }
  const functions = duckdb ? DUCKDB_FUNCTIONS : TRINO_FUNCTIONS;

  // Which rules use which function: the rules' own Athena SQL, as `rulec build` writes it.
  const lib = deps.loadRules(paths);
  for (const d of lib.diagnostics) if (d.severity === "error") io.err(formatDiagnostic(d, { sources: lib.sources, color }) + "\n");
  if (hasErrors(lib.diagnostics)) setStatus(1);
  const users = new Map<string, string[]>(functions.map((f) => [f.name, []]));
  for (const rule of lib.rules) {
    const out = athenaTarget.compile(rule, { ...(target.profile !== undefined ? { profile: target.profile } : {}), ...(duckdb ? { engine: "duckdb" } : {}) });
    const sql = out.files.find((f) => f.path.endsWith(duckdb ? ".duckdb.sql" : `${rule.name}.sql`))?.content;
    if (sql === undefined) continue;
    for (const f of duckdb ? duckdbFunctionsUsed(sql) : functionsUsed(sql)) users.get(f.name)!.push(rule.name);
  }

  const result = await runAthenaCheck(api, functions, {
    workgroup: target.workgroup,
    ...(target.database !== undefined ? { database: target.database } : {}),
    ...(target.outputLocation !== undefined ? { outputLocation: target.outputLocation } : {}),
    ...(target.region !== undefined ? { region: target.region } : {}),
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
    ...(deps.poll ? { poll: deps.poll } : {}),
  });
  if (result.fatal !== undefined) {
    io.err(`rulec: athena: ${result.fatal}\n`);
    setStatus(1);
    return;
  }
  const failing = result.verdicts.filter((v) => v.status !== "supported" && users.get(v.fn.name)!.length > 0);
  if (opts.format === "json") {
    io.out(
      JSON.stringify(
        {
          workgroup: target.workgroup,
          engine: duckdb ? "duckdb" : "trino",
          queries: result.queries,
          functions: result.verdicts.map((v) => ({
            name: v.fn.name,
            status: v.status,
            ...(v.status === "unsupported" || v.status === "unknown" ? { reason: v.reason } : {}),
            ...(v.status === "differs" ? { expected: v.fn.expected, got: v.got ?? null } : {}),
            rules: users.get(v.fn.name),
          })),
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    io.out(`Athena workgroup ${target.workgroup}: ${result.verdicts.length} ${duckdb ? "DuckDB" : "Trino"} functions checked in ${result.queries.length} ${result.queries.length === 1 ? "query" : "queries"}\n`);
    for (const v of result.verdicts) io.out(line(v, users.get(v.fn.name)!) + "\n");
    io.out(
      failing.length === 0
        ? `\nevery function the ${lib.rules.length} rules use is supported\n`
        : `\n${failing.length} ${failing.length === 1 ? "function" : "functions"} the rules use ${failing.length === 1 ? "is" : "are"} missing or different: those rules' queries would fail or answer differently on this workgroup\n`,
    );
  }
  if (failing.length > 0) setStatus(1);
}

function line(v: FunctionVerdict, rules: readonly string[]): string {
  const used = rules.length === 0 ? "used by no rule" : `used by ${rules.length} ${rules.length === 1 ? "rule" : "rules"}: ${rules.slice(0, 8).join(", ")}${rules.length > 8 ? ", ..." : ""}`;
  switch (v.status) {
    case "supported":
      return `  ok            ${v.fn.name} (${used})`;
    case "unsupported":
      return `  UNSUPPORTED   ${v.fn.name}: ${v.reason}\n                ${v.fn.why}; ${used}`;
    case "differs":
      return `  DIFFERENT     ${v.fn.name}: expected ${JSON.stringify(v.fn.expected)}, got ${v.got === undefined ? "NULL" : JSON.stringify(v.got)}\n                ${v.fn.why}; ${used}`;
    case "unknown":
      return `  NOT CHECKED   ${v.fn.name}: the probe query failed: ${v.reason}\n                ${used}`;
  }
}
