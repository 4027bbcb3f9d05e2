import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import type { Condition } from "../../src/ast/nodes.js";
import { printCondition } from "../../src/ast/print.js";
import { checkCondition } from "../../src/check/check.js";
import { evaluate } from "../../src/eval/evaluate.js";
import { importDetection } from "../../src/import/sigma/detection.js";
import { LOG_TYPES, PANTHER_FIELDS, type TextData } from "../../src/logtypes/registry.js";
import { loadRuleFiles } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";
import { rootType, type LogSchema } from "../../src/schema/schema.js";
import { parseCondition } from "../../src/syntax/ast.js";
import { TRINO } from "../../src/targets/athena/dialect.js";
import { profilesOf, type Profile } from "../../src/targets/athena/profile.js";
import { buildQuery } from "../../src/targets/athena/query.js";
import { Unsupported } from "../../src/targets/athena/sql.js";
import { pantherTarget } from "../../src/targets/panther/index.js";
import { sigmaFields } from "../../src/targets/sigma/data/logsources.js";
import { NotSayable, toDetection } from "../../src/targets/sigma/detection.js";
import { dumpSigma } from "../../src/targets/sigma/index.js";
import { DuckRunner } from "../athena/duck.js";
import { trinoErrors } from "../athena/trino.js";
import { LogTypeGenerator, samplesOf, type LogTypeCase } from "../helpers/logtype-arbitraries.js";
import { checkSource, PythonRunner } from "../panther/harness.js";
import { ruleFor } from "../panther/rules.js";
import { wrap } from "../sigma/harness.js";
import { fieldsFor, readBack, readBackRegex, renderLines } from "../helpers/text-lines.js";

/**
 * The proof, per typed log type: the evaluator = the Panther Python (on the PantherEvent stand-in)
 * = the DuckDB SQL on each of the log type's table profiles (the table shaped from the events as
 * Athena's SerDe reads them) = the Sigma rule read back by the importer (with the log type's field
 * mapping), on the Tests of the log type's rules in rules/ and on seeded generated conditions x
 * events drawn from its schema. What a target cannot express (RC401) is counted, never compared.
 *
 * A text log type (VPC Flow Logs) is proven on its lines: each event is written as the vendor's line
 * and read back with rulec's reader, and every target is compared on that raw record; its delimited
 * tables are loaded from the lines themselves as Hive's LazySimpleSerDe reads them (DuckRunner.runLines).
 */

const CONDITIONS = Number(process.env.LOGTYPE_CONDITIONS ?? 300);
const EVENTS = 4;

const py = new PythonRunner();
let duck: DuckRunner;
beforeAll(async () => {
  duck = await DuckRunner.open();
});
afterAll(() => {
  py.close();
  duck.close();
});

const library = loadRuleFiles([new URL("../../rules", import.meta.url).pathname]);
const PANTHER_ONLY: ReadonlySet<string> = new Set(Object.keys(PANTHER_FIELDS));

interface Tally {
  compared: number;
  rejected: number;
  disagreements: string[];
}
const tally = (): Tally => ({ compared: 0, rejected: 0, disagreements: [] });

/** Conditions with their events (a rule's Tests, or generated cases). */
interface Batch {
  readonly label: string;
  readonly condition: Condition;
  readonly events: readonly unknown[];
  /** The verdicts the events must get (a rule's ExpectedResult), besides the evaluator's. */
  readonly expected?: readonly boolean[];
}

async function python(logType: string, batches: readonly Batch[], t: Tally): Promise<void> {
  for (const b of batches) {
    const rule = ruleFor(b.condition, "generated", { logTypes: [logType] });
    const src = pantherTarget.compile(rule).files.find((f) => f.path.endsWith(".py"))!.content;
    const r = await checkSource(py, src, b.events);
    if (r.error) {
      t.disagreements.push(`${b.label}: python error ${r.error}`);
      continue;
    }
    b.events.forEach((e, i) => {
      t.compared++;
      const want = evaluate(b.condition, e);
      if (r.results![i] !== want) t.disagreements.push(`${b.label} on ${JSON.stringify(e)}: evaluator ${want}, python ${JSON.stringify(r.results![i])}`);
    });
  }
}

async function duckdb(profile: Profile, batches: readonly Batch[], t: Tally, layout?: TextData): Promise<void> {
  if (layout && profile.ddl?.fieldsTerminatedBy !== undefined) return duckdbLines(profile, batches, t, layout, profile.ddl.fieldsTerminatedBy);
  if (layout?.kind === "regex" && profile.ddl?.serdeProperties?.["input.regex"] === layout.pattern) return duckdbRegex(profile, batches, t, layout);
  const ok: Batch[] = [];
  for (const b of batches) {
    try {
      DuckRunner.predicate(b.condition, profile);
      ok.push(b);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      t.rejected++;
    }
  }
  const results = await duck.run(ok, profile);
  ok.forEach((b, i) =>
    b.events.forEach((e, j) => {
      t.compared++;
      const want = evaluate(b.condition, e);
      if (results[i]![j] !== want) t.disagreements.push(`${profile.name}: ${b.label} on ${JSON.stringify(e)}: evaluator ${want}, duckdb ${results[i]![j]}`);
    }),
  );
}

/** A delimited text table: the events written as lines in the table's column order, the table loaded from the lines. */
async function duckdbLines(profile: Profile, batches: readonly Batch[], t: Tally, layout: TextData, separator: string): Promise<void> {
  const fields = fieldsFor(layout, Object.keys(profile.columns ?? {}));
  const ok: { b: Batch; lines: string[]; records: unknown[] }[] = [];
  for (const b of batches) {
    try {
      DuckRunner.predicate(b.condition, profile);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      t.rejected++;
      continue;
    }
    // The record read from the table's own line (a table without a column has no such field).
    ok.push({ b, lines: b.events.map((e) => renderLines(layout, fields, e).line), records: b.events.map((e) => readBack(layout, fields, e)) });
  }
  const results = await duck.runLines(
    ok.map((x) => ({ condition: x.b.condition, lines: x.lines })),
    profile,
    separator,
  );
  ok.forEach((x, i) =>
    x.records.forEach((e, j) => {
      t.compared++;
      const want = evaluate(x.b.condition, e);
      if (results[i]![j] !== want) t.disagreements.push(`${profile.name}: ${x.b.label} on the line ${JSON.stringify(x.lines[j])}: evaluator ${want}, duckdb ${results[i]![j]}`);
    }),
  );
}

/** A RegexSerDe table: the events written as the vendor's lines, the table loaded from the lines. */
async function duckdbRegex(profile: Profile, batches: readonly Batch[], t: Tally, layout: TextData): Promise<void> {
  const ok: Batch[] = [];
  for (const b of batches) {
    try {
      DuckRunner.predicate(b.condition, profile);
      ok.push(b);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      t.rejected++;
    }
  }
  // The record the evaluator judges is the one rulec reads from the very line the table is loaded from.
  const read = ok.map((b) => b.events.map((e) => readBackRegex(layout, e)));
  const lines = read.map((xs) => xs.map((x) => x.line));
  const results = await duck.runRegexLines(
    ok.map((b, i) => ({ condition: b.condition, lines: lines[i]! })),
    profile,
    layout.pattern!,
  );
  ok.forEach((b, i) =>
    read[i]!.forEach((x, j) => {
      if (!x.record) throw new Error(`the line of a record read back does not read: ${x.line}`);
      t.compared++;
      const want = evaluate(b.condition, x.record);
      if (results[i]![j] !== want) t.disagreements.push(`${profile.name}: ${b.label} on the line ${JSON.stringify(lines[i]![j])}: evaluator ${want}, duckdb ${results[i]![j]}`);
    }),
  );
}

function sigma(logType: string, schema: LogSchema, batches: readonly Batch[], t: Tally): void {
  const fields = sigmaFields(logType);
  for (const b of batches) {
    let det;
    try {
      det = toDetection(b.condition, schema, fields, PANTHER_ONLY);
    } catch (e) {
      if (!(e instanceof NotSayable)) throw e;
      t.rejected++;
      continue;
    }
    const doc = YAML.parse(dumpSigma(wrap({ ...det.selections, condition: det.condition })), { version: "1.1" }) as Record<string, unknown>;
    const imported = importDetection(doc.detection, schema, fields);
    const text = printCondition(imported);
    const parsed = parseCondition(text);
    const checked = parsed.ast ? checkCondition(parsed.ast, { text, schema: rootType(schema) }) : undefined;
    if (!checked || checked.diagnostics.some((d) => d.severity === "error")) {
      t.disagreements.push(`${b.label}: the imported condition does not check: ${text}`);
      continue;
    }
    b.events.forEach((e) => {
      t.compared++;
      const want = evaluate(b.condition, e);
      if (evaluate(checked.condition, e) !== want) t.disagreements.push(`${b.label} -> ${text} on ${JSON.stringify(e)}: evaluator ${want}`);
    });
  }
}

const summary: string[] = [];
afterAll(() => console.log(`log-type differential suites:\n${summary.join("\n")}`));

for (const d of LOG_TYPES) {
  const logType = d.logType;
  describe(logType, () => {
    const gen = new LogTypeGenerator(logType, samplesOf(logType));
    const seed = [...logType].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 20261127);
    const generated: LogTypeCase[] = gen.cases(seed, CONDITIONS, EVENTS);
    const rules: Rule[] = library.rules.filter((r) => r.logTypes.length === 1 && r.logTypes[0] === logType);
    // A text log type's events are the records read back from its lines (all its fields, in the layout's order).
    const layout = d.sources.text;
    // A regex layout's line may not match as a whole when a generated value breaks another field's
    // group: rulec reads no record there (the SerDe a row of NULLs); such events are counted, not compared.
    let unreadable = 0;
    const raw = (e: unknown): unknown => (layout ? readBack(layout, layout.fields, e) : e);
    const readable = (e: unknown): unknown[] => {
      if (layout?.kind !== "regex") return [raw(e)];
      const r = readBackRegex(layout, e);
      if (r.record) return [r.record];
      unreadable++;
      return [];
    };
    const tests: Batch[] = rules.map((r) => ({ label: `rule ${r.name}`, condition: r.condition, events: r.tests.map((x) => raw(x.log)), expected: r.tests.map((x) => x.expectedResult) }));
    const cases: Batch[] = generated.map((c) => ({ label: c.text, condition: c.condition, events: c.events.flatMap(readable) }));
    const line: string[] = [];
    if (unreadable > 0) line.push(`${unreadable} generated events make no line the pattern reads (not compared)`);

    it("rule Tests: the evaluator gives each Test's ExpectedResult", () => {
      const wrong = tests.flatMap((b) => b.events.flatMap((e, i) => (evaluate(b.condition, e) === b.expected![i] ? [] : [`${b.label} test ${i}`])));
      expect(wrong).toEqual([]);
    });

    it("Panther Python = evaluator, on rule Tests and generated cases", async () => {
      const t = tally();
      await python(logType, [...tests, ...cases], t);
      expect(t.disagreements.slice(0, 5)).toEqual([]);
      expect(t.compared).toBeGreaterThan(CONDITIONS * EVENTS * 0.6);
      line.push(`python ${t.compared}`);
    }, 300_000);

    for (const profile of profilesOf(logType)) {
      it(`DuckDB SQL on the ${profile.name} layout = evaluator, on rule Tests and generated cases`, async () => {
        const t = tally();
        await duckdb(profile, [...tests, ...cases], t, layout);
        expect(t.disagreements.slice(0, 5)).toEqual([]);
        // Every layout reads most generated conditions (the vendor's table has no p_ columns).
        expect(t.compared).toBeGreaterThan(CONDITIONS * EVENTS * 0.5);
        line.push(`duckdb/${profile.name} ${t.compared} (${t.rejected} RC401)`);
      }, 300_000);
    }

    it("the Trino text of generated conditions on the default layout passes the Trino grammar", () => {
      const profile = profilesOf(logType)[0]!;
      let checked = 0;
      for (const c of generated.slice(0, 80)) {
        const q = buildQuery({ name: "g", logType, condition: c.condition }, {}, TRINO, { profile });
        if (!q.sql) continue;
        checked++;
        expect(trinoErrors(q.sql), `${c.text}\n${q.sql}`).toEqual([]);
      }
      expect(checked).toBeGreaterThan(25);
    });

    it("Sigma round trip (with the log type's field mapping) = evaluator, on rule Tests and generated cases", () => {
      const t = tally();
      sigma(logType, gen.schema, [...tests, ...cases], t);
      expect(t.disagreements.slice(0, 5)).toEqual([]);
      expect(t.compared).toBeGreaterThan(CONDITIONS * EVENTS * 0.15);
      line.push(`sigma ${t.compared} (${t.rejected} RC401)`);
    });

    afterAll(() => summary.push(`  ${logType}: ${rules.length} rules, ${generated.length} generated conditions x ${EVENTS} events; ${line.join(", ")}; 0 disagreements`));
  });
}
