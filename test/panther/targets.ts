import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { evaluate } from "../../src/eval/evaluate.js";
import { loadRuleText } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";
import { schemaFor, type FieldType } from "../../src/schema/schema.js";
import { athenaTarget } from "../../src/targets/athena/index.js";
import { GENERIC, profilesOf, type Profile } from "../../src/targets/athena/profile.js";
import { CaseTable, type Engine } from "../athena-duckdb/engine.js";
import { runOnTable, StatementCheck, type Item } from "../athena-duckdb/proof.js";
import { pgRepresentable, type PgRunner } from "../athena-pg/runner.js";

/**
 * Imported rules (the output of `rulec import panther`) on the Athena target's engines: each rule's
 * Tests through its Trino query translated to PostgreSQL, and through its statement for Athena's
 * DuckDB engine run on DuckDB, on every table profile of its log type, each verdict compared with
 * the reference evaluator's.
 */

/** Every segment name the condition's paths use (inner paths of `path[cond]` too). */
function segmentNames(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const n of node) segmentNames(n, into);
  else if (typeof node === "object" && node !== null) {
    const o = node as Record<string, unknown>;
    if (Array.isArray(o.segments)) for (const s of o.segments as { name?: unknown }[]) if (typeof s.name === "string") into.add(s.name);
    for (const v of Object.values(o)) segmentNames(v, into);
  }
  return into;
}

function scalarFits(t: FieldType, v: unknown): boolean {
  if (v === null || t.type === "json" || t.type === "object" || t.type === "array") return true;
  if (t.type === "number") return typeof v === "number";
  if (t.type === "boolean") return typeof v === "boolean";
  return typeof v === "string";
}

/**
 * A Test event as the cross-target contract covers it: each key the condition reads, where the
 * event spells it in another case than the (compiled) rule, re-spelled as the rule does
 * (LANGUAGE.md §3: such an event is outside the contract, since no target can match it identically;
 * Athena reads JSON text case-sensitively). `respelled` says whether anything changed (the caller
 * checks that the evaluator's verdict did not); `outside` gives why the event is outside the
 * contract on a typed table: a value of a field the condition reads whose JSON type is not the one
 * the typed schema gives (a string where the schema has a number), which the log type cannot hold
 * and Athena's SerDe reads as the column's type.
 */
export function inContractEvent(r: Rule, event: unknown): { event: unknown; respelled: boolean; outside?: string } {
  const names = segmentNames(r.condition);
  const lower = new Map([...names].map((n) => [n.toLowerCase(), n]));
  let respelled = false;
  let outside: string | undefined;
  const walk = (v: unknown, t: FieldType | undefined): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, t?.type === "array" ? t.items : t));
    if (typeof v !== "object" || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const spelled = lower.get(k.toLowerCase());
      let key = k;
      if (spelled !== undefined && !names.has(k) && !Object.prototype.hasOwnProperty.call(v, spelled)) {
        key = spelled;
        respelled = true;
      }
      let ft: FieldType | undefined;
      if (t?.type === "object") {
        const f = Object.keys(t.fields).find((n) => n.toLowerCase() === k.toLowerCase());
        ft = f !== undefined ? t.fields[f] : undefined;
      }
      if (ft && spelled !== undefined && !scalarFits(ft, x)) outside ??= `${JSON.stringify(k)} holds ${JSON.stringify(x)}, where the log type's schema has a ${ft.type}`;
      out[key] = walk(x, ft);
    }
    return out;
  };
  const schema = schemaFor(r.logTypes[0] ?? "");
  const shaped = walk(event, schema && !schema.freeForm ? { type: "object", fields: schema.fields } : undefined);
  return { event: respelled ? shaped : event, respelled, ...(outside !== undefined ? { outside } : {}) };
}

export interface EngineOutcome {
  /** Rule x profile pairs compiled and run. */
  queries: number;
  /** Events compared (a Test on one profile counts once). */
  compared: number;
  /** Events PostgreSQL text cannot hold (NUL, lone surrogate), left out. */
  leftOut: number;
  /** Events outside the cross-target contract (see inContractEvent), left out: rule x profile x event, with the reason. */
  outside: string[];
  /** Events run with keys re-spelled as the rule spells them (see inContractEvent). */
  respelled: number;
  problems: string[];
  /** Rule x profile pairs the target refused, with the diagnostic. */
  refused: string[];
}

const empty = (): EngineOutcome => ({ queries: 0, compared: 0, leftOut: 0, outside: [], respelled: 0, problems: [], refused: [] });

/** Every rule of a folder of imported rules, loaded (a rule that does not load is a problem). */
export function loadImported(dir: string): { rules: Rule[]; problems: string[] } {
  const rules: Rule[] = [];
  const problems: string[] = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".yml")).sort()) {
    const r = loadRuleText(readFileSync(join(dir, f), "utf8"), `rules/${f}`);
    if (r.rule) rules.push(r.rule);
    else problems.push(`${f}: ${JSON.stringify(r.diagnostics)}`);
  }
  return { rules, problems };
}

function byProfile(rules: readonly Rule[]): Map<Profile, Rule[]> {
  const m = new Map<Profile, Rule[]>();
  for (const r of rules) for (const p of profilesOf(r.logTypes[0])) m.set(p, [...(m.get(p) ?? []), r]);
  return m;
}

/** The rule's Test events inside the contract (re-spelled where needed); those outside are recorded in `o`. */
function inContract(r: Rule, profile: Profile, o: EngineOutcome): unknown[] {
  const events: unknown[] = [];
  for (const t of r.tests) {
    const c = inContractEvent(r, t.log);
    // the generic layout keeps the event's JSON text as it is: only a typed column reads the value as its type
    if (c.outside !== undefined && profile !== GENERIC) o.outside.push(`${profile.name} ${r.name}: ${t.name}: ${c.outside}`);
    else if (c.respelled && evaluate(r.condition, c.event) !== evaluate(r.condition, t.log)) o.outside.push(`${profile.name} ${r.name}: ${t.name}: re-spelling its keys changes the evaluator's verdict`);
    else {
      if (c.respelled) o.respelled++;
      events.push(c.event);
    }
  }
  return events;
}

function refusal(r: Rule, profile: Profile, diagnostics: readonly { code: string; message: string }[]): string {
  return `${profile.name} ${r.name}: ${diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`;
}

function compareOne(label: string, r: Rule, events: readonly unknown[], got: readonly boolean[], o: EngineOutcome, engine: string): void {
  events.forEach((e, j) => {
    o.compared++;
    const want = evaluate(r.condition, e);
    if (got[j] !== want) o.problems.push(`${label} on ${JSON.stringify(e)}: evaluator ${want}, ${engine} ${got[j]}`);
  });
}

/** Each rule's Trino query, translated to PostgreSQL, on every table profile of its log type. */
export async function onPostgres(runner: PgRunner, rules: readonly Rule[]): Promise<EngineOutcome> {
  const o = empty();
  for (const [profile, group] of byProfile(rules)) {
    const kept: { r: Rule; sql: string; events: unknown[] }[] = [];
    for (const r of group) {
      const out = athenaTarget.compile(r, { profile: profile.name });
      if (out.diagnostics.some((d) => d.severity === "error")) {
        o.refused.push(refusal(r, profile, out.diagnostics));
        continue;
      }
      const sql = out.files[0]!.content;
      const all = inContract(r, profile, o);
      const events = all.filter(pgRepresentable);
      o.leftOut += all.length - events.length;
      if (sql.includes("chr(0)") || !(sql as unknown as { isWellFormed(): boolean }).isWellFormed()) {
        o.leftOut += events.length;
        continue;
      }
      if (events.length > 0) kept.push({ r, sql, events });
    }
    const { results } = await runner.run(kept.map((k) => ({ sql: k.sql, events: k.events })), profile);
    kept.forEach((k, i) => {
      o.queries++;
      const res = results[i]!;
      if ("error" in res) o.problems.push(`${profile.name} ${k.r.name}: PostgreSQL error ${res.error}\n${k.sql}`);
      else compareOne(`${profile.name} ${k.r.name}`, k.r, k.events, res, o, "postgres");
    });
  }
  return o;
}

/** Each rule's statement for Athena's DuckDB engine, run on DuckDB, on every table profile of its log type. */
export async function onDuckdb(engine: Engine, check: StatementCheck, rules: readonly Rule[]): Promise<EngineOutcome> {
  const o = empty();
  for (const [profile, group] of byProfile(rules)) {
    const kept: { r: Rule; sql: string; events: unknown[] }[] = [];
    for (const r of group) {
      const out = athenaTarget.compile(r, { profile: profile.name, engine: "duckdb" });
      if (out.diagnostics.some((d) => d.severity === "error")) {
        o.refused.push(refusal(r, profile, out.diagnostics));
        continue;
      }
      const sql = out.files.find((f) => f.path.endsWith(".duckdb.sql"))!.content;
      const events = inContract(r, profile, o);
      if (events.length > 0) kept.push({ r, sql, events });
    }
    const items: Item[] = kept.map((k) => ({ label: `${profile.name} ${k.r.name}`, condition: k.r.condition, events: k.events, marked: false }));
    const table = await CaseTable.create(engine.connection, profile, items);
    const res = await runOnTable(engine, table, items, (i) => kept[i]!.sql, check);
    o.queries += kept.length;
    o.compared += res.compared;
    o.problems.push(...res.problems);
  }
  return o;
}

/** The Tests whose expected result the evaluator does not give (the import keeps a rule whose original fails a Test as it is). */
export function evaluatorVsTests(rules: readonly Rule[]): string[] {
  return rules.flatMap((r) => r.tests.filter((t) => evaluate(r.condition, t.log) !== t.expectedResult).map((t) => `${r.name}: ${t.name}: expects ${t.expectedResult}`));
}

export function summary(name: string, rules: number, o: EngineOutcome, seconds: number): string {
  return `imported rules on ${name}: ${rules} rules, ${o.queries} rule x table profile queries, ${o.compared} Test events compared, ${o.problems.length} disagreements, ${o.refused.length} refused, ${o.respelled} with keys re-spelled as the rule spells them, ${o.outside.length} outside the contract${o.leftOut ? `, ${o.leftOut} left out (NUL or lone surrogate)` : ""}, ${seconds.toFixed(1)} s`;
}
