import { existsSync, readFileSync, readdirSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateRule, rng } from "../../bench/generate.js";
import { loadRuleFiles, loadRuleText } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";
import { schemaFor } from "../../src/schema/schema.js";
import { NotSayable, toDetection } from "../../src/targets/sigma/detection.js";
import { sigmaDocument } from "../../src/targets/sigma/index.js";
import { uuidV5 } from "../../src/targets/sigma/metadata.js";
import { dumpDirect, dumpSigma, dumpWithLibrary, libraryTagTests, MAYBE_OTHER_TAG, otherTagTests } from "../../src/targets/sigma/yaml.js";
import { generateCases } from "../helpers/arbitraries.js";
import { wrap } from "./harness.js";

/**
 * The direct YAML writer (src/targets/sigma/yaml.ts) must write exactly the bytes of the `yaml`
 * library wherever it writes at all: on every document the target builds (shipped rules, fixtures,
 * generated libraries and detections) and on adversarial documents. Each check also asserts that
 * the direct writer did take most documents (a writer that always declined would pass vacuously).
 */

const FIXTURES = new URL("../fixtures/", import.meta.url);
const OPTIONS = [{}, { author: "rulec tests", date: "2025-01-15", status: "test" }, { author: "a: b #c", date: "2025-01-15" }];

/** Compares the two writers on `doc`; true when the direct writer took it. */
function same(doc: unknown): boolean {
  const direct = dumpDirect(doc);
  const library = dumpWithLibrary(doc);
  if (direct !== undefined) expect(direct).toBe(library);
  expect(dumpSigma(doc)).toBe(library);
  return direct !== undefined;
}

function compareRules(rules: readonly Rule[]): { docs: number; direct: number } {
  let docs = 0;
  let direct = 0;
  for (const rule of rules) {
    for (const options of OPTIONS) {
      const { doc } = sigmaDocument(rule, options);
      if (doc === undefined) continue;
      docs++;
      if (same(doc)) direct++;
    }
  }
  return { docs, direct };
}

describe("the direct YAML writer writes the library's bytes", () => {
  it("shipped rules and fixtures", () => {
    const { rules } = loadRuleFiles([new URL("../../rules", import.meta.url).pathname]);
    const fixtures = readdirSync(FIXTURES)
      .filter((d) => existsSync(new URL(`${d}/rule.yml`, FIXTURES)))
      .map((d) => loadRuleText(readFileSync(new URL(`${d}/rule.yml`, FIXTURES), "utf8"), `test/fixtures/${d}/rule.yml`).rule)
      .filter((r): r is Rule => r !== undefined);
    const { docs, direct } = compareRules([...rules, ...fixtures]);
    expect(docs).toBeGreaterThan(3 * 30);
    // Fixtures with control characters in field names or values are meant for the library.
    expect(direct).toBeGreaterThan(docs * 0.9);
  });

  it("2,000 generated benchmark rules", () => {
    const r = rng(424242);
    const rules: Rule[] = [];
    for (let i = 0; i < 2000; i++) {
      const g = generateRule(r, i);
      const loaded = loadRuleText(g.text, `${g.name}.yml`);
      expect(loaded.rule).toBeDefined();
      rules.push(loaded.rule!);
    }
    const { docs, direct } = compareRules(rules);
    expect(docs).toBeGreaterThan(2000);
    expect(direct).toBe(docs);
  });

  it("detections of 3,000 generated conditions", () => {
    const schema = schemaFor("AWS.CloudTrail");
    let docs = 0;
    let direct = 0;
    for (const c of generateCases(9090, 3000, 0)) {
      for (const s of [undefined, schema]) {
        let det;
        try {
          det = toDetection(c.condition, s);
        } catch (e) {
          if (e instanceof NotSayable) continue;
          throw e;
        }
        docs++;
        if (same(wrap({ ...det.selections, condition: det.condition }))) direct++;
      }
    }
    expect(docs).toBeGreaterThan(1000);
    expect(direct).toBeGreaterThan(docs * 0.9);
  });

  // Characters and words that change how YAML writes a scalar.
  const UNITS = [
    ..."aZ09.-+_: \t\n\r#'\"\\*?&!|><%@`,[]{}=~xeEobynNYTtf/",
    "\u0000", "\u0007", "\u000b", "\u001b", "\u007f", "\u0085", "\u009f", "\u00a0", "\u2028", "\u2029", "é", "😀", "\ud800", "\udc00",
    "yes", "No", "on", "OFF", "null", "Null", "~", ".inf", "-.Inf", ".NaN", "0x1F", "0b101", "017", "1_000", "12:30", "1:20.5",
    "2024-01-01", "2024-1-1 10:00:00", "1e3", ".5", "<<", "---", "...", "%YAML", "- ", "? ", ": ", " #",
  ];
  // The same without what the direct writer always leaves to the library, so that it is exercised.
  const DIRECT_UNITS = UNITS.filter((u) => !/[\x7f-\x9f\u2028\u2029\ud800-\udfff]|<<|^(---|\.\.\.)/.test(u));
  const text = fc.oneof(
    { weight: 8, arbitrary: fc.string({ unit: fc.constantFrom(...DIRECT_UNITS), maxLength: 6 }) },
    { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...UNITS), maxLength: 6 }) },
    { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...UNITS), minLength: 10, maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom("a", " ", "\n", "\u0001", "\""), minLength: 200, maxLength: 1100 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
  );
  const scalar = fc.oneof(
    { weight: 6, arbitrary: text },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e21, 1.5e-7, 0.1, -1, NaN, Infinity, -Infinity, true, false, null, undefined) },
  );
  const value: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { weight: 5, arbitrary: scalar },
      { weight: 2, arbitrary: fc.array(scalar, { maxLength: 4 }) },
      { weight: 2, arbitrary: fc.dictionary(text, tie("value"), { maxKeys: 4, depthIdentifier: "doc" }) },
    ),
  })).value;

  it("adversarial documents (fast-check, 4,000 runs)", () => {
    let direct = 0;
    fc.assert(
      fc.property(fc.dictionary(text, value, { minKeys: 1, maxKeys: 6 }), (doc) => {
        if (same(doc)) direct++;
      }),
      { numRuns: 4000, seed: 20261127 },
    );
    expect(direct).toBeGreaterThan(250);
  });

  it("documents of the target's shape (fast-check, 4,000 runs)", () => {
    const word = fc.string({ unit: fc.constantFrom(...DIRECT_UNITS), maxLength: 8 });
    const leaf = fc.oneof({ weight: 6, arbitrary: word }, { weight: 1, arbitrary: fc.constantFrom(0, -0, 1.5, -7, 1e21, true, false, null) });
    const values = fc.oneof(leaf, fc.array(leaf, { minLength: 1, maxLength: 3 }));
    const selection = fc.dictionary(word.filter((w) => w !== ""), values, { minKeys: 1, maxKeys: 3 });
    const doc = fc.record({
      title: word,
      tags: fc.array(word, { minLength: 1, maxLength: 3 }),
      detection: fc.record({ selection, filter: selection, condition: word }),
      level: word,
    });
    let direct = 0;
    fc.assert(
      fc.property(doc, (d) => {
        if (same(d)) direct++;
      }),
      { numRuns: 4000, seed: 4711 },
    );
    expect(direct).toBeGreaterThan(2000);
  });

  it("text that starts with '%' (a directive's indicator): quoted, anywhere", () => {
    const texts = ["%", "%2e%2e%2f", "%YAML 1.1", "%TAG ! x", "%2e%2e/", '%"a"', "%'a'", "%a'\"", "%\n", "%a\nb", "%" + "x".repeat(50) + "\ny", "% #", "%:", "%: a", "%\t"];
    let direct = 0;
    for (const s of texts) {
      for (const doc of [{ [s]: s }, { k: [s, s] }, { m: { [s]: { n: s } } }, { detection: { selection: { "c-uri|contains": ["../", s] }, condition: "selection" } }]) {
        if (same(doc)) direct++;
      }
    }
    expect(direct).toBeGreaterThan(40);
  });

  it("adversarial strings, one per document (fast-check, 4,000 runs)", () => {
    let direct = 0;
    fc.assert(
      fc.property(text, (s) => {
        if (same({ [s]: s, k: [s, s], m: { [`f|${s}`]: s } })) direct++;
      }),
      { numRuns: 4000, seed: 1127 },
    );
    expect(direct).toBeGreaterThan(2000);
  });
});

describe("uuidV5", () => {
  it("matches the Buffer-based derivation, non-ASCII and lone surrogates included", async () => {
    const { createHash } = await import("node:crypto");
    const reference = (name: string, namespace: string) => {
      const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
      const b = createHash("sha1").update(ns).update(Buffer.from(name, "utf8")).digest().subarray(0, 16);
      b[6] = (b[6]! & 0x0f) | 0x50;
      b[8] = (b[8]! & 0x3f) | 0x80;
      const h = b.toString("hex");
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    };
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), fc.constantFrom("3f5b2c1e-8d4a-4e7b-9c6f-1a2b3c4d5e6f", "6ba7b810-9dad-11d1-80b4-00c04fd430c8"), (name, ns) => {
        expect(uuidV5(name, ns)).toBe(reference(name, ns));
      }),
      { numRuns: 3000, seed: 7 },
    );
    expect(uuidV5("a\ud800b")).toBe(reference("a\ud800b", "3f5b2c1e-8d4a-4e7b-9c6f-1a2b3c4d5e6f"));
  });
});

describe("the pre-test before the schema's tag tests", () => {
  it("is made for exactly these tests of the yaml library's YAML 1.1 schema", () => {
    expect(otherTagTests().map((t) => t.source)).toEqual([
      "^(?:~|[Nn]ull|NULL)?$",
      "^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$",
      "^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$",
      "^[-+]?0b[0-1_]+$",
      "^[-+]?0[0-7_]+$",
      "^[-+]?[0-9][0-9_]*$",
      "^[-+]?0x[0-9a-fA-F_]+$",
      "^(?:[-+]?\\.(?:inf|Inf|INF)|\\.nan|\\.NaN|\\.NAN)$",
      "^[-+]?(?:[0-9][0-9_]*)?(?:\\.[0-9_]*)?[eE][-+]?[0-9]+$",
      "^[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*$",
      "^<<$",
      "^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$",
      "^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*$",
      "^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|T|[ \\t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\\.[0-9]+)?)(?:[ \\t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$",
    ]);
  });

  it("are the library's own, flags included (the writer holds a copy so as not to load the library)", () => {
    const own = (rs: readonly RegExp[]) => rs.map((r) => `/${r.source}/${r.flags}`);
    expect(own(otherTagTests())).toEqual(own(libraryTagTests()));
  });

  it("lets through every text one of them matches", () => {
    const tests = otherTagTests();
    const samples = ["", "~", "null", "NULL", "y", "N", "Yes", "off", "ON", "0b1_0", "-017", "+1_000", "0xFF", ".inf", "-.Inf", ".NaN", "1e5", ".5E-3", "e0", "E+17", "1.", "-.5", "<<", "1:20", "-1_0:59.5", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-1-1 1:2:3 Z"];
    for (const s of samples) {
      expect(tests.some((t) => t.test(s)), s).toBe(true);
      expect(MAYBE_OTHER_TAG.test(s), s).toBe(true);
    }
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[-+.0-9~<:_eExXbBoOa-fA-FtTzZ \t]{0,12}$/), fc.constantFrom("yes", "No", "True", "oN", "nULL", "Off")), (s) => {
        if (tests.some((t) => t.test(s))) expect(MAYBE_OTHER_TAG.test(s), JSON.stringify(s)).toBe(true);
      }),
      { numRuns: 20_000, seed: 7 },
    );
  });
});
