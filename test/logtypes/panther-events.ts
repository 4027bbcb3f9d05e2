import { readdirSync, readFileSync } from "node:fs";
import jsYaml from "js-yaml";
import { recognisedAs } from "../../src/logtypes/check.js";
import { schemaFor } from "../../src/schema/schema.js";

/**
 * The sample events of Panther's rule library (the Tests of the vendored panther-analysis rules),
 * each with the log type it is of: the test's LogType, else the rule's only LogType, else (a rule
 * over several log types, whose tests do not say) the event's own p_log_type when it is one of the
 * rule's, else the one typed log type among the rule's that recognises the event by its shapes.
 * Events of rules over several log types that none or several recognise are `unsorted`.
 */

export interface PantherEvent {
  readonly file: string;
  readonly test: string;
  readonly logType: string;
  readonly event: unknown;
}

export const PANTHER_RULES = new URL("../fixtures/vendor/panther-analysis/", import.meta.url);

export function pantherEvents(): { events: PantherEvent[]; unsorted: { file: string; test: string; logTypes: readonly string[] }[] } {
  const files = (readdirSync(PANTHER_RULES, { recursive: true }) as string[]).filter((f) => f.endsWith(".yml")).map((f) => f.replaceAll("\\", "/")).sort();
  const events: PantherEvent[] = [];
  const unsorted: { file: string; test: string; logTypes: readonly string[] }[] = [];
  for (const file of files) {
    const doc = jsYaml.load(readFileSync(new URL(file, PANTHER_RULES), "utf8")) as { LogTypes?: string[]; Tests?: { Name: string; LogType?: string; Log: unknown }[] };
    const logTypes = doc.LogTypes ?? [];
    for (const t of doc.Tests ?? []) {
      let log = t.Log;
      if (typeof log === "string") log = JSON.parse(log) as unknown;
      const labelled = (log as { p_log_type?: unknown } | null)?.p_log_type;
      let logType = t.LogType ?? (logTypes.length === 1 ? logTypes[0] : typeof labelled === "string" && logTypes.includes(labelled) ? labelled : undefined);
      if (logType === undefined) {
        const typed = recognisedAs(log).filter((x) => logTypes.includes(x));
        if (typed.length === 1) logType = typed[0];
      }
      if (logType === undefined) unsorted.push({ file, test: t.Name, logTypes });
      else events.push({ file, test: t.Name, logType, event: log });
    }
  }
  return { events, unsorted };
}

/** The events of the typed log types (those with a schema here that is not free-form). */
export function typedPantherEvents(): PantherEvent[] {
  return pantherEvents().events.filter((e) => schemaFor(e.logType)?.freeForm === false || (schemaFor(e.logType) !== undefined && !schemaFor(e.logType)!.freeForm));
}
