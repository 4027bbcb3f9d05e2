import { existsSync, readdirSync, readFileSync } from "node:fs";
import { expect } from "vitest";
import type { Condition } from "../../src/ast/nodes.js";
import { evaluate } from "../../src/eval/evaluate.js";
import { loadRuleText } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";
import { sqlString } from "../../src/targets/athena/escape.js";
import { defaultProfile } from "../../src/targets/athena/profile.js";
import type { Engine } from "./engine.js";
import { CaseTable, parse, trailLocation, userMacros, writeTrail } from "./engine.js";

/**
 * The proof of the statements for Athena's DuckDB engine: each statement, exactly as the Athena
 * target writes it, run on the local engine (engine.ts) over events whose verdict the reference
 * evaluator gives. Which events a statement matched is read from its own output: a case's events
 * carry a marker in a field the statement selects and the condition never reads (`eventTime`, one
 * of the default output fields; `rc_event` on a layout without them), or, where the statement's
 * output is the rule's own, each event runs alone.
 */

/** One condition (a rule, a conformance case, a generated condition) and its events. */
export interface Item {
  readonly label: string;
  readonly condition: Condition;
  /** The events; `marked` when each carries its index in `eventTime` (see markEvents). */
  readonly events: readonly unknown[];
  readonly marked: boolean;
  /** The verdicts the rule's Tests expect, when they say. */
  readonly expected?: readonly boolean[];
}

export interface Outcome {
  compared: number;
  problems: string[];
  statements: number;
}

/** The marker of event j, in the field `eventTime` the default output fields select. */
export const marker = (j: number): string => `rc-${j}`;

/** Events with their index in `eventTime` (only for conditions that never read eventTime). */
export function markEvents(events: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return events.map((e, j) => ({ ...e, eventTime: marker(j) }));
}

/** A condition's text never names eventTime (so a marker there cannot change its verdict). */
export function markable(text: string, events: readonly unknown[]): boolean {
  return !/eventtime/i.test(text) && events.every((e) => typeof e === "object" && e !== null && !Array.isArray(e) && !Object.keys(e).some((k) => k.toLowerCase() === "eventtime"));
}

/**
 * A value as a UTF-8 file can hold it: a lone surrogate (in a key or a string) becomes U+FFFD, as a
 * JSON encoder writing UTF-8 must write it. `changed` counts the values that differ.
 */
export function wellFormed(value: unknown): unknown {
  if (typeof value === "string") return (value as unknown as { toWellFormed(): string }).toWellFormed();
  if (Array.isArray(value)) return value.map(wellFormed);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [wellFormed(k) as string, wellFormed(v)]));
  return value;
}

/** Words before a parenthesis that are SQL syntax, not functions. */
const SYNTAX = new Set(["cast", "try_cast", "coalesce", "in", "exists", "and", "or", "not", "when", "then", "else", "case", "as", "from", "select", "where", "lambda", "over", "filter", "like", "ilike", "between", "is", "distinct", "interval"]);

/** The names a statement's text calls (an identifier before `(`, outside string literals, quoted names and comments). */
export function calledNames(sql: string): Set<string> {
  let text = "";
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === c && sql[j + 1] !== c)) j += sql[j] === c ? 2 : 1;
      text += " ";
      i = j + 1;
    } else if (c === "-" && sql[i + 1] === "-") {
      while (i < sql.length && sql[i] !== "\n") i++;
    } else {
      text += c;
      i++;
    }
  }
  const names = new Set<string>();
  for (const m of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
    const name = m[1]!.toLowerCase();
    if (!SYNTAX.has(name)) names.add(name);
  }
  return names;
}

/** Functions DuckDB's parse tree names for syntax: `[...]`, `{...}`, LIKE ... ESCAPE. */
const SYNTAX_FUNCTIONS = new Set(["list_value", "row", "struct_pack", "like_escape", "not_like_escape", "ilike_escape", "not_ilike_escape"]);

/**
 * Runs statements as Athena's engine takes them, and checks each on the way: DuckDB's parser finds
 * exactly one statement, a SELECT (prepared, so bound: every function it calls exists on the
 * engine); every name it calls is one of the engine's own functions (built in, none defined by
 * anyone); it defines nothing.
 */
export class StatementCheck {
  readonly functions = new Set<string>();
  count = 0;

  constructor(private readonly engine: Engine) {}

  async run(sql: string, label: string): Promise<{ rows: unknown[][]; names: string[] }> {
    const extracted = await this.engine.connection.extractStatements(sql);
    expect(extracted.count, `${label}: one statement`).toBe(1);
    const prepared = await extracted.prepare(0);
    expect(prepared.statementType, `${label}: a SELECT`).toBe(1 /* StatementType.SELECT */);
    expect(sql).not.toMatch(/\bCREATE\s+(OR\s+REPLACE\s+)?(TEMP\s+|TEMPORARY\s+)?(MACRO|FUNCTION)\b/i);
    for (const f of calledNames(sql)) this.functions.add(f);
    this.count++;
    const r = await prepared.runAndReadAll();
    return { rows: r.getRowsJson() as unknown[][], names: r.columnNames() };
  }

  /**
   * The functions called that the engine does not have built in (DuckDB's own functions, some of
   * them its internal macros such as nullif and list_max), or that only the local library has.
   */
  async foreign(): Promise<string[]> {
    const rows = (await this.engine.connection.runAndReadAll("SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE internal")).getRows();
    const builtIn = new Set(rows.map((r) => String(r[0])));
    return [...this.functions].filter((f) => !builtIn.has(f) || f === "sql_auto_complete").sort();
  }

  /** The function names DuckDB's own parse tree of a statement holds must all be among those the text shows. */
  async crossCheck(sql: string): Promise<void> {
    const parsed = await parse(this.engine.connection, sql);
    expect(parsed.error).toBeUndefined();
    const text = calledNames(sql);
    expect([...parsed.functions].filter((f) => !text.has(f) && !SYNTAX_FUNCTIONS.has(f) && !/^[^a-z]/.test(f))).toEqual([]);
  }
}

function compareVerdicts(item: Item, matched: readonly boolean[], outcome: Outcome): void {
  item.events.forEach((e, j) => {
    outcome.compared++;
    const want = evaluate(item.condition, e);
    if (matched[j] !== want) outcome.problems.push(`${item.label} on ${JSON.stringify(e)}: evaluator ${want}, duckdb ${matched[j]}`);
    else if (item.expected && item.expected[j] !== want) outcome.problems.push(`${item.label} on ${JSON.stringify(e)}: the test expects ${item.expected[j]}`);
  });
}

/** The markers a result holds in its column `column` (JSON text or a number). */
function markers(rows: readonly (readonly unknown[])[], names: readonly string[], column: string): Set<string> {
  const at = names.indexOf(column);
  expect(at, `the statement selects ${column}`).toBeGreaterThanOrEqual(0);
  return new Set(
    rows.map((r) => {
      const v = r[at];
      if (typeof v === "string") {
        try {
          return String(JSON.parse(v));
        } catch {
          return v;
        }
      }
      return String(v);
    }),
  );
}

/**
 * Runs items over the table (one case per item, already loaded in `table` in the same order).
 * `sql(i)` is item i's statement; `markerColumn`: where a marked case's markers come back.
 */
export async function runOnTable(
  engine: Engine,
  table: CaseTable,
  items: readonly Item[],
  sql: (i: number) => string,
  check: StatementCheck,
  markerColumn = "eventTime",
): Promise<Outcome> {
  const outcome: Outcome = { compared: 0, problems: [], statements: 0 };
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const text = sql(i);
    const matched: boolean[] = [];
    try {
      if (item.marked) {
        await table.show(i);
        const r = await check.run(text, item.label);
        outcome.statements++;
        const found = markers(r.rows, r.names, markerColumn);
        item.events.forEach((_, j) => matched.push(found.has(markerColumn === "eventTime" ? marker(j) : String(j))));
      } else {
        for (let j = 0; j < item.events.length; j++) {
          await table.show(i, j);
          matched.push((await check.run(text, item.label)).rows.length > 0);
          outcome.statements++;
        }
      }
    } catch (e) {
      outcome.problems.push(`${item.label}: DuckDB error ${(e as Error).message.split("\n")[0]}\n${text}`);
      continue;
    }
    compareVerdicts(item, matched, outcome);
  }
  return outcome;
}

/**
 * Runs items over CloudTrail files: each case (or, unmarked, each event) in a trail folder of its
 * own under `root`, its events in one gzipped file of the day `day`; `sql(i, location)` is item
 * i's statement for that folder.
 */
export async function runOnFiles(
  engine: Engine,
  root: string,
  suite: string,
  items: readonly Item[],
  sql: (i: number, location: string) => string,
  check: StatementCheck,
  day = "2024/11/01",
): Promise<Outcome> {
  const outcome: Outcome = { compared: 0, problems: [], statements: 0 };
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const matched: boolean[] = [];
    const run = async (location: string, records: readonly unknown[]): Promise<{ rows: unknown[][]; names: string[] }> => {
      writeTrail(location, [{ day, records }]);
      const r = await check.run(sql(i, location), item.label);
      outcome.statements++;
      return r;
    };
    try {
      if (item.marked) {
        const { rows, names } = await run(trailLocation(root, `${suite}-${i}`), item.events);
        const found = markers(rows, names, "eventTime");
        item.events.forEach((_, j) => matched.push(found.has(marker(j))));
      } else {
        for (let j = 0; j < item.events.length; j++) {
          const { rows } = await run(trailLocation(root, `${suite}-${i}-${j}`), [item.events[j]]);
          matched.push(rows.length > 0);
        }
      }
    } catch (e) {
      outcome.problems.push(`${item.label}: DuckDB error ${(e as Error).message.split("\n")[0]}`);
      continue;
    }
    compareVerdicts(item, matched, outcome);
  }
  return outcome;
}

/** No macro is defined on the engine (before and after the statements ran). */
export async function expectNoMacros(engine: Engine): Promise<void> {
  expect(await userMacros(engine.connection)).toEqual([]);
}

const RULES = new URL("../../rules/", import.meta.url);
const FIXTURES = new URL("../fixtures/", import.meta.url);

/** Every rule of rules/ and of the Athena golden fixtures, loaded. */
export function libraryRules(): Rule[] {
  const lib = existsSync(RULES) ? readdirSync(RULES).filter((f) => f.endsWith(".yml")).map((f) => ({ file: new URL(f, RULES), name: f.replace(/\.yml$/, "") })) : [];
  const fixtures = readdirSync(FIXTURES)
    .filter((d) => d.startsWith("athena_") && existsSync(new URL(`${d}/rule.yml`, FIXTURES)))
    .map((d) => ({ file: new URL(`${d}/rule.yml`, FIXTURES), name: d }));
  return [...lib, ...fixtures]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map(({ file, name }) => {
      const r = loadRuleText(readFileSync(file, "utf8"), `rules/${name}.yml`);
      expect(r.rule, JSON.stringify(r.diagnostics)).toBeDefined();
      return r.rule!;
    });
}

/** Whether a rule's log type has a layout of files in S3 its DuckDB statement can read directly. */
export function readsFiles(r: Rule): boolean {
  return defaultProfile(r.logTypes[0]).files !== undefined;
}

/** The number of rules from rules/ itself. */
export function shippedRuleCount(): number {
  return existsSync(RULES) ? readdirSync(RULES).filter((f) => f.endsWith(".yml")).length : 0;
}

/** A SQL string literal (for messages and checks). */
export const lit = sqlString;
