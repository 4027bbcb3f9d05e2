import { Option, type Command } from "commander";
import { nearest } from "../diagnostics.js";
import { detailText, fieldRows, freeFormNames, listText, summaries } from "../logtypes/describe.js";
import { logTypeData, PANTHER_LOG_TYPES } from "../logtypes/registry.js";
import { knownLogTypeNames, schemaFor } from "../schema/schema.js";
import type { Output } from "./output.js";

/** `rulec logtypes [logType]`: the log types LogTypes accepts, and one log type's fields. */

export interface LogTypesDeps {
  readonly io: Output;
  readonly setStatus: (s: number) => void;
}

export function registerLogTypes(program: Command, deps: LogTypesDeps): void {
  program
    .command("logtypes")
    .description("list the log types (typed ones with their fields, Sigma logsource and Athena tables; Panther's others free-form)")
    .argument("[logType]", "one log type: its fields, Sigma logsource and mapping, Athena tables")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .addHelpText("after", "\nExamples:\n  rulec logtypes\n  rulec logtypes Okta.SystemLog\n  rulec logtypes GCP.AuditLog --format json | jq '.fields[].path'")
    .action((logType: string | undefined, opts: { format: "text" | "json" }) => {
      const { io, setStatus } = deps;
      if (logType === undefined) {
        if (opts.format === "json") io.out(JSON.stringify({ typed: summaries(), freeForm: freeFormNames(), source: { url: PANTHER_LOG_TYPES.source, commit: PANTHER_LOG_TYPES.commit } }, null, 2) + "\n");
        else io.out(listText());
        return;
      }
      const d = logTypeData(logType);
      if (!d) {
        if (schemaFor(logType)) {
          io.out(`${logType}: one of Panther's log types, without a typed schema in rulec: every path is accepted as free-form JSON (no field checks, warning RC316); its Athena table is the generic layout.\n`);
          return;
        }
        const near = nearest(logType, knownLogTypeNames(), 1)[0];
        io.err(`rulec: unknown log type '${logType}'${near ? ` (did you mean '${near}'?)` : ""}: 'rulec logtypes' lists the log types\n`);
        setStatus(2);
        return;
      }
      if (opts.format === "json") io.out(JSON.stringify({ ...summaries().find((s) => s.logType === logType), description: d.description, references: d.references, fields: fieldRows(d.fields), sigma: d.sigma ?? null }, null, 2) + "\n");
      else io.out(detailText(d));
    });
}
