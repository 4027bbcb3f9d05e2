import type { Rule } from "../../rules/types.js";
import { TRINO } from "../../targets/athena/dialect.js";
import { athenaDuckdbDialect } from "../../targets/athena/duckdb-athena.js";
import { FILES_NAME } from "../../targets/athena/files.js";
import { MAX_QUERY_BYTES } from "../../targets/athena/index.js";
import type { AthenaEngine } from "../../targets/athena/profile.js";
import { buildQuery, outputLabels, resolveProfile, type QueryOptions } from "../../targets/athena/query.js";

/**
 * The queries of an Athena hunt: each rule's Athena query, as the Athena target writes it for the
 * workgroup's engine (TRINO for engine v3, partition pruning on; the DuckDB statement for a DuckDB
 * workgroup, over the table or over the log files under `location`), plus the S3 object of each
 * row (`"$path"`; `filename` of the files read by DuckDB; none for a table read by DuckDB). Pure:
 * no AWS, no clock.
 */

export type AthenaHuntOptions = Pick<QueryOptions, "profile" | "database" | "table" | "since" | "from" | "to" | "location"> & {
  /** The workgroup's engine (default trino). */
  readonly engine?: AthenaEngine;
};

export interface PlannedQuery {
  readonly rule: Rule;
  /** The table profile the query was written for. */
  readonly profile: string;
  /** The engine the statement is written for. */
  readonly engine: AthenaEngine;
  /** The statement as submitted to StartQueryExecution (no trailing semicolon). */
  readonly sql: string;
  /** DuckDB over the log files: the path pattern of the files read (SQL text). */
  readonly files?: string;
  /** The partition predicates of the time window (empty: no window, or a layout without partitions). */
  readonly partitions: readonly string[];
  /** Output field labels in the rule's spelling (Athena lower-cases result column names). */
  readonly labels: readonly string[];
}

export interface PlanResult {
  readonly queries: readonly PlannedQuery[];
  readonly ruleErrors: readonly { readonly rule: string; readonly message: string }[];
}

/** The S3 object a row was read from: Athena's hidden column on every S3-backed table. */
export const PATH_COLUMN = '"$path"';

export function planAthenaHunt(rules: readonly Rule[], options: AthenaHuntOptions = {}): PlanResult {
  const queries: PlannedQuery[] = [];
  const ruleErrors: { rule: string; message: string }[] = [];
  const engine = options.engine ?? "trino";
  const { engine: _, ...queryOptions } = options;
  const dialect = () => (engine === "duckdb" ? athenaDuckdbDialect() : TRINO);
  const select = engine === "trino" ? [PATH_COLUMN] : options.location !== undefined ? [`${FILES_NAME} AS ${PATH_COLUMN}`] : [];
  for (const rule of rules) {
    if (options.location !== undefined && engine !== "duckdb") {
      ruleErrors.push({ rule: rule.name, message: "a location (the log files in S3) is read only by Athena's DuckDB engine" });
      continue;
    }
    // One query per table the rule's log types live in (a rule over several log types in different tables: several).
    const seen = new Set<string>();
    for (const logType of rule.logTypes.length > 0 ? rule.logTypes : [undefined]) {
      const { profile, error } = resolveProfile(logType, queryOptions);
      if (!profile) {
        ruleErrors.push({ rule: rule.name, message: error! });
        continue;
      }
      const table = `${options.database ?? profile.database}.${options.table ?? profile.table}`;
      if (seen.has(table)) continue;
      seen.add(table);
      const input = {
        name: rule.name,
        logType,
        condition: rule.condition,
        outputFields: rule.outputFields,
        header: [`${rule.ruleId}: ${rule.displayName}`, `Severity ${rule.severity}. Hunt by rulec from ${rule.name}; table profile ${profile.name}.`],
      };
      const pruned = buildQuery(input, queryOptions, dialect(), { partitions: true, select, profile });
      if (!pruned.sql) {
        ruleErrors.push({ rule: rule.name, message: pruned.errors.join("; ") });
        continue;
      }
      const bytes = Buffer.byteLength(pruned.sql.trimEnd(), "utf8");
      if (bytes > MAX_QUERY_BYTES) {
        ruleErrors.push({ rule: rule.name, message: `the query is ${bytes.toLocaleString("en-US")} bytes, and Athena refuses a query longer than ${MAX_QUERY_BYTES.toLocaleString("en-US")} bytes` });
        continue;
      }
      const plain = buildQuery(input, queryOptions, dialect(), { partitions: false, select, profile });
      queries.push({
        rule,
        profile: profile.name,
        engine,
        sql: pruned.sql.trimEnd(),
        partitions: partitionPredicates(pruned.sql, plain.sql ?? ""),
        ...(pruned.files !== undefined ? { files: pruned.files } : {}),
        labels: [...outputLabels(logType, rule.outputFields)],
      });
    }
  }
  return { queries, ruleErrors };
}

/** The WHERE operands of the pruned query that the unpruned one lacks: the partition filters. */
function partitionPredicates(pruned: string, plain: string): string[] {
  const operands = (sql: string) => {
    const at = sql.indexOf("\nWHERE ");
    if (at < 0) return [];
    return sql
      .slice(at + 1)
      .split("\n")
      .filter((l) => /^(WHERE| {2}AND) /.test(l))
      .map((l) => l.replace(/^(WHERE| {2}AND) /, ""));
  };
  const seen = new Set(operands(plain));
  return operands(pruned).filter((o) => !seen.has(o));
}

/** `--dry-run`: each query as it would be submitted, its partition predicates in a comment above it. */
export function formatDryRun(plan: PlanResult, target: { readonly database?: string; readonly workgroup: string; readonly outputLocation?: string }): string {
  const out: string[] = [];
  for (const q of plan.queries) {
    const engine = q.engine === "duckdb" ? ", engine DuckDB" : "";
    out.push(`-- rule ${q.rule.name} (${q.rule.ruleId}), table profile ${q.profile}, workgroup ${target.workgroup}${engine}${target.outputLocation ? `, results to ${target.outputLocation}` : ""}`);
    if (q.files) out.push(`-- files read: ${q.files} (the days of the time window)`);
    else if (q.partitions.length === 0) out.push("-- partition predicates: none (no time window, or the table has no partitions): every partition is scanned");
    else for (const p of q.partitions) out.push(`-- partition predicate: ${p}`);
    out.push(`${q.sql};`, "");
  }
  return out.join("\n");
}
