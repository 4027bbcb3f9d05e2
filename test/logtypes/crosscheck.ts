import { readFileSync } from "node:fs";
import jsYaml from "js-yaml";
import { LOG_TYPES } from "../../src/logtypes/registry.js";
import { conform, describeDeviation } from "../../src/schema/conform.js";
import { schemaFor } from "../../src/schema/schema.js";
import { pantherEvents } from "./panther-events.js";

/**
 * The cross-check of the typed schemas against the sample events of Panther's rule library: per
 * log type, how many events conform, and every deviation with the entry of panther-deviations.yml
 * that explains it. Shared by test/logtypes/crosscheck.test.ts and the docs (scripts/logtypes-docs.ts).
 */

export interface DeviationEntry {
  readonly match: string;
  readonly why: string;
}

export interface CrossCheck {
  readonly logType: string;
  readonly events: number;
  readonly conforming: number;
  /** Per entry (log type's, then "*"), the deviations it explains. */
  readonly explained: { readonly entry: DeviationEntry; readonly section: string; readonly count: number; readonly events: number }[];
  /** Deviations no entry explains: "<file> '<test>': <deviation>". */
  readonly unexplained: string[];
}

export const DEVIATIONS = new URL("panther-deviations.yml", import.meta.url);

export function crossCheck(): { results: CrossCheck[]; unsorted: number; entries: Record<string, DeviationEntry[]> } {
  const entries = jsYaml.load(readFileSync(DEVIATIONS, "utf8")) as Record<string, DeviationEntry[]>;
  const { events, unsorted } = pantherEvents();
  const results: CrossCheck[] = [];
  for (const d of LOG_TYPES) {
    const schema = schemaFor(d.logType)!;
    const own = (entries[d.logType] ?? []).map((entry) => ({ entry, section: d.logType, re: new RegExp(entry.match) }));
    const all = [...own, ...(entries["*"] ?? []).map((entry) => ({ entry, section: "*", re: new RegExp(entry.match) }))];
    const counts = all.map(() => ({ count: 0, events: new Set<number>() }));
    const unexplained: string[] = [];
    let total = 0;
    let conforming = 0;
    events.forEach((e, i) => {
      if (e.logType !== d.logType) return;
      total++;
      const devs = conform(schema, e.event);
      if (devs.length === 0) conforming++;
      for (const dev of devs) {
        const text = describeDeviation(dev);
        const k = all.findIndex((a) => a.re.test(text));
        if (k < 0) unexplained.push(`${e.file} '${e.test}': ${text}`);
        else {
          counts[k]!.count++;
          counts[k]!.events.add(i);
        }
      }
    });
    results.push({
      logType: d.logType,
      events: total,
      conforming,
      explained: all.map((a, k) => ({ entry: a.entry, section: a.section, count: counts[k]!.count, events: counts[k]!.events.size })),
      unexplained,
    });
  }
  return { results, unsorted: unsorted.length, entries };
}
