import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Condition } from "../../src/ast/nodes.js";
import { checkCondition } from "../../src/check/check.js";
import { evaluate } from "../../src/eval/evaluate.js";
import { parseCondition } from "../../src/syntax/ast.js";
import { TRINO } from "../../src/targets/athena/dialect.js";
import { sqlString } from "../../src/targets/athena/escape.js";
import { GENERIC } from "../../src/targets/athena/profile.js";
import { buildQuery } from "../../src/targets/athena/query.js";
import { generateCases } from "../helpers/arbitraries.js";
import { conformanceCases } from "../helpers/conformance.js";
import { DuckRunner, type DuckCase } from "./duck.js";
import { trinoErrors } from "./trino.js";

/**
 * The generated SQL, executed: every conformance case and 12,000 property-generated
 * condition x event pairs run through DuckDB (generic layout: the event as one JSON text column)
 * and must equal the reference evaluator; literal values that try to break out of SQL strings stay
 * literals. The Trino text of generated conditions is checked by the Trino grammar.
 */

let duck: DuckRunner;
beforeAll(async () => {
  duck = await DuckRunner.open();
});
afterAll(() => duck.close());

function condition(text: string): Condition {
  const parsed = parseCondition(text);
  if (!parsed.ast) throw new Error(`${text}: ${JSON.stringify(parsed.diagnostics)}`);
  const checked = checkCondition(parsed.ast, { text });
  if (checked.diagnostics.some((d) => d.severity === "error")) throw new Error(`${text}: ${JSON.stringify(checked.diagnostics)}`);
  return checked.condition;
}

/** A double-quoted literal of the condition language (\" \\ \n \r \t \uXXXX escapes only). */
function lit(v: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${v.replace(/[\\"]/g, (m) => "\\" + m).replace(/[\u0000-\u001f\u007f]/g, (c) => ({ "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}

async function disagreements(cases: readonly (DuckCase & { label: string })[]): Promise<{ compared: number; problems: string[] }> {
  const results = await duck.run(cases);
  const problems: string[] = [];
  let compared = 0;
  cases.forEach((c, i) =>
    c.events.forEach((e, j) => {
      compared++;
      const want = evaluate(c.condition, e);
      if (results[i]![j] !== want) problems.push(`${c.label} on ${JSON.stringify(e)}: evaluator ${want}, duckdb ${results[i]![j]}`);
    }),
  );
  return { compared, problems };
}

describe("conformance cases on DuckDB", () => {
  it("every case in the cross-target contract gives the evaluator's verdict", async () => {
    // Keys spelled in another case than the rule's are outside the contract (LANGUAGE.md 3):
    // JSON text is read case-sensitively.
    const all = conformanceCases();
    const cases = all.filter((c) => !c.section.includes("outside the cross-target contract"));
    expect(cases.length).toBeGreaterThan(700);
    const { compared, problems } = await disagreements(cases.map((c) => ({ label: `${c.section} / ${c.name}: ${c.text}`, condition: c.condition, events: [c.event] })));
    expect(problems).toEqual([]);
    expect(cases.every((c) => evaluate(c.condition, c.event) === c.expected)).toBe(true);
    console.log(`athena: ${compared} conformance cases compared on DuckDB (${all.length - cases.length} outside the contract), 0 disagreements`);
  });
});

describe("property: generated conditions x events on DuckDB", () => {
  it("12,000 pairs, zero disagreements", async () => {
    const started = performance.now();
    const generated = [...generateCases(20261127, 1500, 4), ...generateCases(4242, 1500, 4)];
    const { compared, problems } = await disagreements(generated.map((g) => ({ label: g.text, condition: g.condition, events: g.events })));
    expect(problems.slice(0, 5)).toEqual([]);
    expect(compared).toBe(12_000);
    console.log(`athena: ${compared} generated condition x event pairs compared on DuckDB in ${((performance.now() - started) / 1000).toFixed(1)} s, 0 disagreements`);
  });

  it("the Trino text of generated conditions passes the Trino grammar", () => {
    const generic = GENERIC;
    for (const g of generateCases(99, 150, 1)) {
      const q = buildQuery({ name: "g", condition: g.condition }, { profile: generic.name }, TRINO);
      if (!q.sql) {
        // Only keys a Trino JSON path cannot spell are refused, with a reason.
        expect(q.errors.join()).toMatch(/cannot be written in a trino JSON path/);
        continue;
      }
      expect(trinoErrors(q.sql), `${g.text}\n${q.sql}`).toEqual([]);
    }
  });
});

describe("injection safety, executed", () => {
  const hostile = [
    "'; DROP TABLE t; --",
    "it's",
    "''",
    "back\\slash\\",
    "100%_done",
    "%",
    "_",
    "\\%",
    "line1\nline2\r\n",
    "tab\there",
    "nul\u0000byte",
    '"; DROP TABLE t; --',
    "$1 \\1 ${x}",
    "ΟΔΟΣ İstanbul",
    "😀 é",
  ];

  it("hostile literals in eq, contains, startswith, endswith, like, in: values stay literals", async () => {
    const cases: (DuckCase & { label: string })[] = [];
    for (const v of hostile) {
      const l = lit(v);
      for (const op of ["eq", "ne", "contains", "startswith", "endswith", "like", "ieq", "icontains"]) {
        const text = `a ${op} ${l}`;
        cases.push({
          label: text,
          condition: condition(text),
          events: [{ a: v }, { a: `x${v}y` }, { a: v.toUpperCase() }, { a: "plain" }, { a: "'" }, { b: v }],
        });
      }
      cases.push({ label: `a in [${l}, "z"]`, condition: condition(`a in [${l}, "z"]`), events: [{ a: v }, { a: "z" }, { a: "q" }] });
    }
    const { compared, problems } = await disagreements(cases);
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(500);
    const left = (await duck.connection.runAndReadAll("SELECT count(*) AS n FROM t")).getRowObjects();
    expect(Number(left[0]!.n)).toBeGreaterThan(0);
  });

  it("arbitrary strings as literals and keys (fast-check)", async () => {
    const values = fc.sample(fc.string({ unit: "binary", maxLength: 8 }), { seed: 7, numRuns: 300 });
    const cases: (DuckCase & { label: string })[] = values.map((v) => {
      // A backtick segment ends on its line: keys without line breaks.
      const key = v.replace(/[\r\n\u2028\u2029]/g, "") || "k";
      const text = `\`${key.replace(/`/g, "``")}\` eq ${lit(v)} or a contains ${lit(v)}`;
      return { label: text, condition: condition(text), events: [{ [key]: v }, { a: `<${v}>` }, { a: "x" }, { [key]: 1 }] };
    });
    const { problems } = await disagreements(cases);
    expect(problems).toEqual([]);
  });

  it("sqlString keeps any string a literal when DuckDB reads it back", async () => {
    const values = [...hostile, ...fc.sample(fc.string({ unit: "binary", maxLength: 12 }), { seed: 3, numRuns: 200 })];
    const sql = `SELECT [${values.map(sqlString).join(", ")}] AS v`;
    const rows = (await duck.connection.runAndReadAll(sql)).getRowsJson();
    expect(rows[0]![0]).toEqual(values);
  });
});

describe("engine functions against the evaluator", () => {
  it("cidr: IPv4 and IPv6 parsing without extensions matches the evaluator's strict forms", async () => {
    const addresses = [
      "10.1.2.3", "10.0.0.0", "10.255.255.255", "11.0.0.0", "9.255.255.255", "010.1.2.3", "10.1.2", "10.1.2.3.4", "256.1.1.1",
      "1.2.3.-1", " 10.1.2.3", "10.1.2.3 ", "AWS Internal", "", "192.168.1.1", "0.0.0.0", "255.255.255.255",
      "2001:db8::1", "2001:DB8::", "2001:db9::1", "::", "::1", "::2", "1::", "::ffff:10.1.2.3", "2001:db8:0:0:0:0:0:1",
      "2001:db8::0:0:0:0:0:1", "2001:db8:::1", "2001:db8::1::2", "2001:db8:1:2:3:4:5:6:7", "12345::", "g::1",
      "fe80::1%eth0", "2001:db8::10.1.2.3", "2001:db8::1.2.3", "::1.2.3.4", ":", ":::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::",
    ];
    const networks = '["10.0.0.0/8", "192.168.0.0/16", "0.0.0.0/0", "2001:db8::/32", "::1", "::/0", "10.1.2.3", "1::/16"]';
    const cases: (DuckCase & { label: string })[] = [
      { label: `a cidr ${networks}`, condition: condition(`a cidr ${networks}`), events: addresses.map((a) => ({ a })) },
      ...JSON.parse(networks).map((n: string) => ({ label: `a cidr "${n}"`, condition: condition(`a cidr "${n}"`), events: addresses.map((a) => ({ a })) })),
    ];
    const { compared, problems } = await disagreements(cases);
    expect(problems).toEqual([]);
    expect(compared).toBe(addresses.length * 9);
  });

  it("i-forms: lower case as JavaScript's toLowerCase (İ, final sigma)", async () => {
    const words = ["ΟΔΟΣ", "οδος", "Σ", "ΑΣ Β", "ΑΣΣ", "İ", "i̇", "i", "STRASSE", "ǅ", "Ⅻ", "ΌΣΟΣ."];
    const cases = words.map((w) => ({
      label: `a ieq ${JSON.stringify(w.toLowerCase())}`,
      condition: condition(`a ieq ${JSON.stringify(w.toLowerCase())} or a iendswith "ς" or a icontains "i̇"`),
      events: words.map((a) => ({ a })),
    }));
    const { problems } = await disagreements(cases);
    expect(problems).toEqual([]);
  });
});
