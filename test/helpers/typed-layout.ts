import fc from "fast-check";
import type { ColumnType, Profile } from "../../src/targets/athena/profile.js";
import { arbValue, NUMBERS, STRINGS } from "./arbitraries.js";

/**
 * A typed test layout for the SQL suites: columns that are strings, booleans, numbers, structs,
 * arrays of rows, arrays of strings and JSON text at several depths, over the arbitraries' field
 * names; and events that conform to it.
 *
 * Conforming means what the table can hold: a string column holds strings, and an object stored
 * in a struct column is `{}` or has at least one non-null field of the struct (a struct column
 * reads `{}`, an object of unknown keys and an object of nulls alike, as a row of NULLs, which the
 * SQL takes for `{}`; see docs/targets/athena.md).
 */

const s = (): ColumnType => ({ type: "string" });
const inner: ColumnType = { type: "struct", fields: { a: s(), b: { type: "boolean" }, c: { type: "json" }, "x-y": s() } };
export const typedProfile: Profile = {
  name: "typed_test",
  description: "test layout",
  logTypes: ["*"],
  database: "default",
  table: "typed",
  partitions: { kind: "none" },
  columns: {
    a: s(),
    b: { type: "struct", fields: { a: s(), b: { type: "boolean" }, c: { type: "number" }, "x-y": { type: "json" } } },
    c: {
      type: "array",
      items: { type: "struct", fields: { a: s(), b: inner, c: { type: "json" }, "x-y": { type: "array", items: s() } } },
    },
    "x-y": { type: "json", column: "x_y" },
  },
};

const str = fc.constantFrom(...STRINGS);
const num = fc.constantFrom(...NUMBERS.map(Number));

function arbFor(t: ColumnType): fc.Arbitrary<unknown> {
  const orNull = (a: fc.Arbitrary<unknown>) => fc.oneof({ weight: 5, arbitrary: a }, { weight: 1, arbitrary: fc.constant(null) });
  switch (t.type) {
    case "string":
      return orNull(str);
    case "number":
      return orNull(num);
    case "boolean":
      return orNull(fc.boolean());
    case "json":
      return arbValue;
    case "struct": {
      const fields = Object.fromEntries(Object.entries(t.fields).map(([k, f]) => [k, arbFor(f)]));
      const obj = fc.record(fields, { requiredKeys: [] }).filter((o) => Object.values(o).some((v) => v !== null && v !== undefined));
      return fc.oneof({ weight: 5, arbitrary: obj }, { weight: 1, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.constant(null) });
    }
    case "array":
      return orNull(fc.array(arbFor(t.items), { maxLength: 3 }));
  }
}

export const arbTypedEvent = arbFor({ type: "struct", fields: typedProfile.columns! }).filter((e) => e !== null);
