import type { HuntMatch } from "../hunt.js";
import type { PlannedQuery } from "./plan.js";

/**
 * Athena result rows -> typed values -> HuntMatch. Athena returns every value as text
 * (VarCharValue, absent for NULL); ResultSetMetadata.ColumnInfo[].Type says what it is.
 */

export interface AthenaColumn {
  readonly name: string;
  readonly type: string;
}

/** One value from its text and its Athena (Trino) type. */
export function typedValue(text: string | undefined, type: string): unknown {
  if (text === undefined) return null;
  const t = type.toLowerCase().replace(/\(.*$/, "").trim();
  switch (t) {
    case "boolean":
      return text === "true" ? true : text === "false" ? false : text;
    case "tinyint":
    case "smallint":
    case "integer":
    case "int":
    case "bigint": {
      const n = Number(text);
      // Beyond 2^53 a number would silently change: keep the exact text.
      return /^-?\d+$/.test(text) && Number.isSafeInteger(n) ? n : text;
    }
    case "double":
    case "float":
    case "real":
    case "decimal": {
      const n = Number(text);
      return text.trim() !== "" && Number.isFinite(n) ? n : text;
    }
    case "json":
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    default:
      // varchar, char, date, timestamp, and arrays/maps/rows (Athena prints those as `[a, b]`, not JSON).
      return text;
  }
}

/** Athena repeats the column names as the first row of a SELECT's first page. */
export function isHeaderRow(row: readonly (string | undefined)[], columns: readonly AthenaColumn[]): boolean {
  return row.length === columns.length && columns.every((c, i) => row[i] === c.name);
}

/**
 * Rows of one rule's results as matches: `file` is the S3 object (`$path`), `record` the row's
 * position in the rule's results (Athena has no record number). Field names are given back the
 * rule's spelling: Athena lower-cases result column names.
 */
export function rowsToMatches(q: PlannedQuery, columns: readonly AthenaColumn[], rows: readonly (readonly (string | undefined)[])[], first: number): HuntMatch[] {
  const byLower = new Map(q.labels.map((l) => [l.toLowerCase(), l]));
  const pathAt = columns.findIndex((c) => c.name === "$path");
  const out: HuntMatch[] = [];
  rows.forEach((row, i) => {
    const fields: Record<string, unknown> = {};
    columns.forEach((c, j) => {
      if (j === pathAt) return;
      fields[byLower.get(c.name.toLowerCase()) ?? c.name] = typedValue(row[j], c.type);
    });
    out.push({
      rule: q.rule.name,
      ruleId: q.rule.ruleId,
      severity: q.rule.severity,
      file: pathAt >= 0 ? (row[pathAt] ?? "") : "",
      record: first + i,
      fields,
    });
  });
  return out;
}
