import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { shapeLog, tableSpecs, type LogInput } from "../../src/hunt/logs.js";
import { shapePool, workerScript } from "../../src/hunt/pool.js";
import { shapeRecord, SOURCE_COLUMNS } from "../../src/hunt/table.js";
import { loadRuleFiles } from "../../src/rules/load.js";
import { allProfiles, columnName, profileFor, type ColumnType, type Profile } from "../../src/targets/athena/profile.js";

/**
 * Shaping records into rows (table.ts writes the row's JSON text directly) and shaping them in
 * worker threads (pool.ts, worker.ts): the same rows as the plain definition, in file order.
 */

const dir = mkdtempSync(join(tmpdir(), "rulec-hunt-shape-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// The definition: build the row as an object, then JSON.stringify it (what shapeRecord did before
// it wrote the text directly).

const hasOwn = Object.prototype.hasOwnProperty;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const wellFormed = (s: string): string => {
  const w = s as unknown as { isWellFormed(): boolean; toWellFormed(): string };
  return w.isWellFormed() ? s : w.toWellFormed();
};

function lookup(obj: Record<string, unknown>, key: string): unknown {
  if (hasOwn.call(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

function shapeValue(t: ColumnType, v: unknown, top: boolean): unknown {
  switch (t.type) {
    case "string": {
      // A text log's column keeps the no-value text where the record has none, and the quotes of a quoted field.
      const text = v === undefined || v === null ? undefined : typeof v === "string" ? wellFormed(v) : JSON.stringify(v);
      if (text === undefined) return t.null;
      return t.quoted ? `"${text}"` : text;
    }
    case "json":
      return v === undefined || v === null ? undefined : JSON.stringify(v);
    case "boolean":
      return typeof v === "boolean" ? v : undefined;
    case "number":
      return typeof v !== "number" ? undefined : Number.isFinite(v) || !top ? v : String(v);
    case "struct": {
      if (!isObject(v)) return undefined;
      const out: Record<string, unknown> = {};
      const byColumn = new Map<string, [string, ColumnType]>();
      for (const [k, f] of Object.entries(t.fields)) byColumn.set(columnName(k, f), [k, f]);
      for (const [col, [k, f]] of byColumn) out[col] = shapeValue(f, lookup(v, k), false);
      return out;
    }
    case "array":
      return Array.isArray(v) ? v.map((x) => shapeValue(t.items, x, false)) : undefined;
  }
}

/** `projection`: the columns loaded (case-insensitively); undefined: all. */
function definition(profile: Profile, record: unknown, file: string, index: number, projection?: readonly string[]): string {
  const loaded = (col: string) => projection === undefined || projection.some((c) => c.toLowerCase() === col.toLowerCase());
  const row: Record<string, unknown> = { [SOURCE_COLUMNS.file]: wellFormed(file), [SOURCE_COLUMNS.record]: index };
  if (profile.root) {
    if (loaded(profile.root.column)) row[profile.root.column] = record === undefined ? undefined : JSON.stringify(record);
  } else if (isObject(record)) {
    const seen = new Set<string>();
    for (const [k, t] of Object.entries(profile.columns ?? {})) {
      const col = columnName(k, t);
      if (seen.has(col)) continue;
      seen.add(col);
      if (loaded(col)) row[col] = shapeValue(t, lookup(record, k), true);
    }
  }
  return JSON.stringify(row);
}

/** Column sets to load: some of the profiles' columns, in other cases, and names of no column. */
const projections: readonly (readonly string[])[] = [
  [],
  ["event"],
  ["eventname", "useridentity", "resources"],
  ["EVENTNAME", "readOnly", "requestparameters", "nosuchcolumn"],
  ["eventtime", "eventsource", "eventname", "awsregion", "sourceipaddress", "useridentity", "recipientaccountid", "errorcode", "managementevent"],
];

// ---------------------------------------------------------------------------------------------

const shipped = loadRuleFiles(["rules"]).rules.flatMap((r) => r.tests.map((t) => t.log));

/** Keys of the profiles in other cases, unknown keys, and values of every JSON type (and some JSON cannot hold). */
const keys = fc.constantFrom("eventName", "EVENTNAME", "eventname", "userIdentity", "useridentity", "type", "arn", "resources", "ARN", "readOnly", "requestParameters", "x", "0", "1", "__proto__");
const leaf = fc.oneof(
  fc.string(),
  fc.constantFrom("\ud800", "a\udc00b", "İΣ", "", "null"),
  fc.double(),
  fc.constantFrom(Infinity, -Infinity, NaN, -0, 1e21, 2 ** 53 + 2),
  fc.boolean(),
  fc.constant(null),
);
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(keys, tie("v"), { maxKeys: 4 })),
})).v;
const record = fc.dictionary(keys, value, { maxKeys: 8 });

describe("shapeRecord", () => {
  it("writes what JSON.stringify writes of the shaped row, for every profile (the shipped rules' test events)", () => {
    for (const profile of allProfiles()) {
      shipped.forEach((e, i) => expect(shapeRecord(profile, e, "f.json", i)).toBe(definition(profile, e, "f.json", i)));
    }
  });

  it("writes only the loaded columns of a projection, for every profile", () => {
    for (const profile of allProfiles()) {
      for (const p of projections) shipped.forEach((e, i) => expect(shapeRecord(profile, e, "f.json", i, p)).toBe(definition(profile, e, "f.json", i, p)));
    }
    fc.assert(
      fc.property(record, fc.constantFrom(...allProfiles()), fc.constantFrom(...projections), (r, profile, p) => {
        expect(shapeRecord(profile, r, "f.json", 7, p)).toBe(definition(profile, r, "f.json", 7, p));
      }),
      { numRuns: 300 },
    );
  });

  it("and for generated records: keys in other cases, lone surrogates, non-finite numbers, nesting", () => {
    fc.assert(
      fc.property(record, fc.constantFrom(...allProfiles()), fc.constantFrom("f.json", "\ud800.json", 'q"uote'), (r, profile, file) => {
        expect(shapeRecord(profile, r, file, 7)).toBe(definition(profile, r, file, 7));
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Workers. From the TypeScript sources hunt() shapes on the main thread (workerScript() is
// undefined here); the compiled worker is tested directly when the package is built (npm test
// builds first), and end to end through the built CLI in test/cli/hunt-workers.test.ts.

const compiled = pathToFileURL(fileURLToPath(new URL("../../dist/hunt/worker.js", import.meta.url)));
const enc = (s: string) => new TextEncoder().encode(s);

function inputs(): LogInput[] {
  const third = Math.ceil(shipped.length / 3);
  return [
    { name: "a.json.gz", bytes: gzipSync(JSON.stringify({ Records: shipped.slice(0, third) })) },
    { name: "bad.json", bytes: enc("{not json") },
    { name: "b.ndjson", bytes: enc(shipped.slice(third, 2 * third).map((e) => JSON.stringify(e)).join("\n") + "\n{oops\n42\n") },
    { name: "bin", bytes: new Uint8Array([0xff, 0xfe, 0x00]) },
    { name: "c.json", bytes: enc(JSON.stringify(shipped.slice(2 * third))) },
  ];
}

describe("shapePool", () => {
  it("is not used from the TypeScript sources", () => {
    expect(workerScript()).toBeUndefined();
  });

  it.skipIf(!existsSync(fileURLToPath(compiled)))("the compiled worker shapes each file as shapeLog does", async () => {
    for (const [profileName, projection] of [
      [undefined, undefined],
      ["generic", undefined],
      [undefined, projections[2]],
      ["generic", []],
    ] as const) {
      const profile = profileName === undefined ? profileFor(undefined, "cloudtrail_logs")! : profileFor(undefined, profileName)!;
      const tables = [{ logType: "AWS.CloudTrail", profile, ...(projection === undefined ? {} : { projection }) }];
      const pool = shapePool(2, tableSpecs(tables), compiled);
      try {
        const got = await Promise.all(inputs().map((i) => pool.shape(i)));
        expect(got).toEqual(inputs().map((i) => shapeLog(i, tables)));
        if (projection !== undefined) expect(got).not.toEqual(inputs().map((i) => shapeLog(i, [{ logType: "AWS.CloudTrail", profile }])));
      } finally {
        await pool.close();
      }
    }
  });

  it("answers undefined when a worker dies (the caller then shapes the file itself)", async () => {
    const script = join(dir, "dies.mjs");
    writeFileSync(script, 'throw new Error("boom");\n');
    const pool = shapePool(2, [{ logType: "AWS.CloudTrail", profile: "cloudtrail_logs" }], pathToFileURL(script));
    try {
      expect(await Promise.all(inputs().map((i) => pool.shape(i)))).toEqual(inputs().map(() => undefined));
    } finally {
      await pool.close();
    }
  });

  it("answers undefined for a file its worker could not shape", async () => {
    const script = join(dir, "fails.mjs");
    writeFileSync(script, 'import { parentPort } from "node:worker_threads";\nparentPort.on("message", (t) => parentPort.postMessage({ id: t.id, failed: "no" }));\n');
    const pool = shapePool(1, [{ logType: "AWS.CloudTrail", profile: "cloudtrail_logs" }], pathToFileURL(script));
    try {
      expect(await pool.shape(inputs()[0]!)).toBeUndefined();
    } finally {
      await pool.close();
    }
  });
});
