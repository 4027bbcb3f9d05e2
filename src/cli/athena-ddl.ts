import type { Command } from "commander";
import { nearest } from "../diagnostics.js";
import { knownLogTypeNames, schemaFor } from "../schema/schema.js";
import { createTableDdl } from "../targets/athena/ddl.js";
import { profilesOf } from "../targets/athena/profile.js";
import type { Output } from "./output.js";

/**
 * `rulec athena ddl <LogType> [--profile P] [--location s3://...]`: the CREATE TABLE of a log
 * type's table profile (its default, or the one named), to run in Athena before hunting or
 * querying. The `athena` command is shared with other Athena subcommands: this file adds `ddl` to
 * it (creating it when it is not there yet).
 */

export interface AthenaDdlDeps {
  readonly io: Output;
  readonly setStatus: (s: number) => void;
}

export function registerAthenaDdl(program: Command, deps: AthenaDdlDeps): void {
  const athena =
    program.commands.find((c) => c.name() === "athena") ?? program.command("athena").description("Athena helpers: the tables the rules' queries read");
  athena
    .command("ddl")
    .description("print the CREATE TABLE of a log type's Athena table (its default layout, or --profile)")
    .argument("<logType>", "a log type (rulec logtypes lists them)")
    .option("--profile <name>", "the table layout (default: the log type's default; rulec logtypes <type> lists its layouts)")
    .option("--location <s3-uri>", "where the table's files are (default: a placeholder to replace)")
    .option("--database <name>", "the database (default: the layout's)")
    .option("--table <name>", "the table (default: the layout's)")
    .addHelpText(
      "after",
      "\nExamples:\n  rulec athena ddl AWS.CloudTrail --profile cloudtrail_logs_pp --location s3://my-trail/AWSLogs/111122223333/CloudTrail/us-east-1/\n  rulec athena ddl Okta.SystemLog --location s3://my-okta-logs/systemlog/",
    )
    .action((logType: string, opts: { profile?: string; location?: string; database?: string; table?: string }) => {
      const { io, setStatus } = deps;
      const usage = (message: string) => {
        io.err(`rulec: ${message}\n`);
        setStatus(2);
      };
      const schema = schemaFor(logType);
      if (!schema) {
        const near = nearest(logType, knownLogTypeNames(), 1)[0];
        return usage(`unknown log type '${logType}'${near ? ` (did you mean '${near}'?)` : ""}: 'rulec logtypes' lists the log types`);
      }
      const profiles = profilesOf(logType);
      const profile = opts.profile === undefined ? profiles[0]! : profiles.find((p) => p.name === opts.profile);
      if (!profile) return usage(`log type ${logType} has no table profile '${opts.profile}' (its profiles: ${profiles.map((p) => p.name).join(", ")})`);
      for (const [key, v] of [["database", opts.database], ["table", opts.table]] as const) {
        if (v !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) return usage(`--${key} must be a plain name (letters, digits, _), not '${v}'`);
      }
      const { ddl, error } = createTableDdl(profile, { ...(opts.location === undefined ? {} : { location: opts.location }), ...(opts.database === undefined ? {} : { database: opts.database }), ...(opts.table === undefined ? {} : { table: opts.table }) });
      if (!ddl) return usage(error!);
      if (schema.freeForm) io.err(`rulec: ${logType} has no typed schema in rulec: its table is the generic layout (each event as one JSON text)\n`);
      if (opts.location === undefined) io.err(`rulec: replace the placeholder LOCATION with your bucket (or pass --location s3://...)\n`);
      io.out(`-- ${logType}, table profile ${profile.name}: ${profile.description}\n${ddl}`);
    });
}
