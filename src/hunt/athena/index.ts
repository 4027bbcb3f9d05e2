/** `rulec hunt --engine athena`: plan (pure), run (over AthenaApi), the SDK adapter, the summary. */
export { classifyError, missingTable, type AthenaApi, type QueryStatus, type ResultPage, type StartInput, type WorkgroupEngine } from "./api.js";
export { engineName, engineOf, workgroupSql } from "./engine.js";
export { formatDryRun, planAthenaHunt, PATH_COLUMN, type AthenaHuntOptions, type PlannedQuery, type PlanResult } from "./plan.js";
export { isHeaderRow, rowsToMatches, typedValue, type AthenaColumn } from "./results.js";
export { DEFAULT_MAX_CONCURRENCY, runAthenaHunt, type AthenaRunResult, type QueryReport, type RunOptions } from "./run.js";
export { billedBytes, costUsd, formatBytes, formatSummary, formatUsd, USD_PER_TB } from "./summary.js";
