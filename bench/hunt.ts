import { readFileSync } from "node:fs";
import { hunt } from "../dist/hunt/hunt.js";
import type { Rule } from "../dist/rules/types.js";

/** `rulec hunt` on DuckDB over the events file, end to end (read, load, every rule's query). */
export async function benchHunt(rules: readonly Rule[], eventFiles: readonly string[], events: number) {
  const start = performance.now();
  const result = await hunt(
    rules,
    eventFiles.map((name) => ({ name, bytes: readFileSync(name) })),
  );
  const totalMs = performance.now() - start;
  if (result.events !== events) throw new Error(`hunt loaded ${result.events} events, expected ${events}`);
  return {
    events: result.events,
    rules: result.rules,
    matches: result.matches.length,
    loadMs: result.loadMs,
    queryMs: result.queryMs,
    totalMs,
    eventsPerSecond: events / (totalMs / 1000),
    ruleErrors: result.ruleErrors.length,
  };
}
