import fc from "fast-check";
import jsYaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { dumpYaml, writeDocument } from "../../src/targets/panther/yaml.js";

/**
 * yaml.ts writes the block structure itself and has js-yaml spell (or, for plain words, skips
 * js-yaml for) each scalar; the result must be byte for byte `jsYaml.dump(doc, options)`. Checked
 * on generated documents full of YAML's edge cases (ambiguous words, numbers as strings, dates,
 * indicators, control and non-BMP characters, line breaks, keys over 1024 characters, -0, NaN,
 * empty collections) and on every short word over the alphabet the plain-word test accepts.
 */

const OPTIONS: jsYaml.DumpOptions = { lineWidth: -1, noRefs: true, noCompatMode: false };
const reference = (doc: unknown) => jsYaml.dump(doc, OPTIONS);

const SPECIAL = [
  "", " ", "true", "True", "TRUE", "yes", "no", "on", "Off", "y", "n", "N", "null", "Null", "~", "1", "1.0", "-0", "0x1F", "0o7",
  "1e3", ".inf", "-.nan", "2024-01-01", "2001-12-14t21:59:43.10-05:00", "1:20", "190:20:30", "<<", "=", "- a", "a: b", "a #b",
  "#x", "'q'", '"d"', "a\nb", "a\n", "\n", "x\r\ny", "tab\t", "\u0085", "\u2028", "\ufeff", "😀", "\ud800", "ΟΔΟΣ", "@x", "`x",
  "%x", "!x", "&x", "*x", "|", ">", "?", "? x", ":x", "x:", "[a]", "{a}", ",", "a,b", " lead", "trail ", "x".repeat(1024),
  "x".repeat(1025), "y".repeat(1100) + "\n" + " z", "  indented\nnext", "\u0000", "\u007f", "a\u0007b",
  "arn:aws:iam::123456789012:role/x", "AWS::S3::Bucket", "Benchmark rule 0 (DisableKey)", "a:b", "a :b", "a  b", "a (b)",
];

/** Text over lines: words, blank lines, leading spaces, trailing line feeds (descriptions, runbooks). */
const multiline = fc
  .tuple(
    fc.array(fc.oneof(fc.constantFrom("", " ", "  x", "word", "two words", "a: b", "#c", "- item", "tab\there", "\u0085", "é"), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 5 }),
    fc.constantFrom("", "\n", "\n\n", " ", "\n "),
  )
  .map(([lines, end]) => lines.join("\n") + end)
  .filter((s) => s.includes("\n"));

const str = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 2, arbitrary: multiline },
  { weight: 2, arbitrary: fc.string({ maxLength: 12, unit: "binary" }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
);
const num = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1, -1, 0.1, 1e21, -1e21, 1e-7, 5e-324, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity),
);
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    { weight: 4, arbitrary: fc.oneof(str, num, fc.boolean(), fc.constant(null)) },
    { weight: 2, arbitrary: fc.array(tie("v"), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.dictionary(str, tie("v"), { maxKeys: 4 }) },
  ),
})).v;

describe("panther yaml: dumpYaml is js-yaml's dump", () => {
  it("on 5,000 generated documents (seeded)", () => {
    for (const doc of fc.sample(fc.dictionary(str, value, { maxKeys: 6 }), { seed: 42, numRuns: 5000 })) {
      expect(dumpYaml(doc), JSON.stringify(doc)).toBe(reference(doc));
    }
  });

  it("on every word of up to 3 characters over the plain-word alphabet and its neighbours", () => {
    const words = (alphabet: string, max: number): string[] => {
      const out = [""];
      let last = [""];
      for (let len = 1; len <= max; len++) {
        last = last.flatMap((w) => [...alphabet].map((c) => w + c));
        for (const w of last) out.push(w);
      }
      return out;
    };
    const all = [...words("aNy0_./:()@ -#'\"!&*?,[]{}|>%`=~", 3), ...words("aN0 :.-#", 5)];
    const ambiguous = ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"];
    all.push(...ambiguous, "null", "Null", "NULL", "nULL", "true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "fALSE");
    let mismatches = 0;
    for (const w of all) {
      const doc = { [w]: w, k: [w, { [w]: [w] }] };
      if (dumpYaml(doc) !== reference(doc)) {
        mismatches++;
        expect(dumpYaml(doc), JSON.stringify(w)).toBe(reference(doc));
      }
    }
    expect(all.length).toBeGreaterThan(40_000);
    expect(mismatches).toBe(0);
  });

  it("writes multi-line strings itself, at every level", () => {
    const text = "An API call came from the AWS CLI.\nThese distributions are rare.\n";
    const docs: Record<string, unknown>[] = [
      { Description: text, Runbook: "Ask the owner.\n" },
      { Tests: [{ Name: "n", Log: { a: { b: [text, { c: text }] } } }], Z: "x\n\n", Y: "  lead\nx", X: "a\nb" },
      { S: [text, [text]], T: "one\n\n\ntwo\n" },
    ];
    for (const doc of docs) {
      expect(writeDocument(doc)).toBeDefined();
      expect(dumpYaml(doc)).toBe(reference(doc));
    }
    for (const s of fc.sample(multiline, { seed: 7, numRuns: 2000 })) {
      const doc = { k: s, l: [s, { m: [s] }] };
      expect(dumpYaml(doc), JSON.stringify(s)).toBe(reference(doc));
    }
  });

  it("on nested and empty collections, -0 and non-JSON values", () => {
    const docs: Record<string, unknown>[] = [
      { a: [[1, [2, []]], {}, [{}], [{ x: [] }]], b: { c: { d: [] } }, e: [] },
      { "": null, x: [null, -0, [-0]], y: -0 },
      { u: undefined, v: 1 },
      { d: new Date(0) },
      { h: [1, , 3] },
      { o: Object.create(null) as object },
    ];
    for (const doc of docs) expect(dumpYaml(doc)).toBe(reference(doc));
  });
});
