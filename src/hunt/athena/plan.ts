import type { Rule } from "../../rules/types.js";
import { TRINO } from "../../targets/athena/dialect.js";
import { buildQuery, outputLabels, resolveProfile, type QueryOptions } from "../../targets/athena/query.js";

/**
 * The queries of an Athena hunt: each rule's Athena query (the Athena target's printer, TRINO
 * dialect, partition pruning on), plus the S3 object of each row (`"$path"`). Pure: no AWS, no clock.
 */

export type AthenaHuntOptions = Pick<QueryOptions, "profile" | "database" | "table" | "since" | "from" | "to">;

export interface PlannedQuery {
  readonly rule: Rule;
  /** The table profile the query was written for. */
  readonly profile: string;
  /** The statement as submitted to StartQueryExecution (no trailing semicolon). */
  readonly sql: string;
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
  for (const rule of rules) {
    // One query per table the rule's log types live in (a rule over several log types in different tables: several).
    const seen = new Set<string>();
    for (const logType of rule.logTypes.length > 0 ? rule.logTypes : [undefined]) {
      const { profile, error } = resolveProfile(logType, options);
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
      const pruned = buildQuery(input, options, TRINO, { partitions: true, select: [PATH_COLUMN], profile });
      if (!pruned.sql) {
        ruleErrors.push({ rule: rule.name, message: pruned.errors.join("; ") });
        continue;
      }
      const plain = buildQuery(input, options, TRINO, { partitions: false, select: [PATH_COLUMN], profile });
      const labels = [...outputLabels(logType, rule.outputFields)];
      queries.push({
        rule,
        profile: profile.name,
        sql: pruned.sql.trimEnd(),
        partitions: partitionPredicates(pruned.sql, plain.sql ?? ""),
        labels,
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
    out.push(`-- rule ${q.rule.name} (${q.rule.ruleId}), table profile ${q.profile}, workgroup ${target.workgroup}${target.outputLocation ? `, results to ${target.outputLocation}` : ""}`);
    if (q.partitions.length === 0) out.push("-- partition predicates: none (no time window, or the table has no partitions): every partition is scanned");
    else for (const p of q.partitions) out.push(`-- partition predicate: ${p}`);
    out.push(`${q.sql};`, "");
  }
  return out.join("\n");
}
