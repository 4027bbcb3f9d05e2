import type { SentinelData } from "../../src/logtypes/registry.js";
import type { Row, Value } from "./kql-eval.js";

/**
 * A log event as the row Sentinel's AWS S3 connector writes to the table: each field into its
 * column (the log type's `sentinel.fields`), every other column empty. A string column holds the
 * text, and "" for a missing or null field (Kusto strings have no null); a bool column the JSON
 * boolean, null when missing; a JSON-text column the field's JSON, "" when missing; a converted
 * column the converted value (CloudTrail's "true"/"false" as a bool, a date-time as its text).
 *
 * Throws for an event that does not conform to the column types (a number where the column
 * holds text) or to the schema (`""` in a field the schema marks `nonEmpty`): the connector's handling of such values is not documented, and the suites feed
 * only conforming events (as the Athena typed-layout suites do).
 */
export class NonConforming extends Error {}

function at(event: unknown, path: string): unknown {
  let v: unknown = event;
  for (const k of path.split(".")) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

export function eventToRow(event: unknown, data: SentinelData): Row {
  const row: Record<string, Value> = {};
  for (const [column, type] of Object.entries(data.columns)) row[column] = type === "string" ? "" : null;
  for (const [path, f] of Object.entries(data.fields)) {
    const v = at(event, path);
    switch (f.holds) {
      case "string":
        if (v === undefined || v === null) row[f.column] = "";
        else if (typeof v === "string" && v === "" && f.nonEmpty) throw new NonConforming(`${path} is "", which the log type's schema says the vendor never writes`);
        else if (typeof v === "string") row[f.column] = v;
        else throw new NonConforming(`${path} is ${JSON.stringify(v)}, not text`);
        break;
      case "bool":
        if (v === undefined || v === null) row[f.column] = null;
        else if (typeof v === "boolean") row[f.column] = v;
        else throw new NonConforming(`${path} is ${JSON.stringify(v)}, not a boolean`);
        break;
      case "json":
        row[f.column] = v === undefined || v === null ? "" : JSON.stringify(v);
        break;
      case "converted":
        row[f.column] = data.columns[f.column] === "bool" ? (v === "true" ? true : v === "false" ? false : null) : typeof v === "string" ? v : null;
        break;
    }
  }
  return row;
}
