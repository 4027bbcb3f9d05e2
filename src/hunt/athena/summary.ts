import type { QueryReport } from "./run.js";

/**
 * The end-of-hunt summary: per query and in total, data scanned, run time and the approximate
 * cost. Athena bills $5 per TB scanned (10^12 bytes), each query rounded up to the next MB with a
 * 10 MB minimum; failed queries are not billed, cancelled ones are, for what they scanned.
 */

export const USD_PER_TB = 5;
const MB = 1024 * 1024;
const MIN_BILLED = 10 * MB;

export function billedBytes(r: Pick<QueryReport, "outcome" | "scannedBytes">): number {
  if (r.outcome === "FAILED" || r.outcome === "ERROR" || r.outcome === "NOT RUN") return 0;
  if (r.outcome === "CANCELLED" && r.scannedBytes === 0) return 0;
  return Math.max(MIN_BILLED, Math.ceil(r.scannedBytes / MB) * MB);
}

export function costUsd(bytes: number): number {
  return (bytes / 1e12) * USD_PER_TB;
}

export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[u]}`;
}

export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  if (usd < 0.0001) return "<$0.0001";
  return `$${usd < 1 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * One line per query, then the totals; standard error text. Athena's DuckDB engine bills the compute
 * a query uses (DPUs), not the bytes it scans: no cost is estimated for it.
 */
export function formatSummary(reports: readonly QueryReport[], wallMs: number, matches: number, engine: "trino" | "duckdb" = "trino"): string {
  const rows = reports.map((r) => [r.rule, r.queryId ?? "-", r.outcome, formatBytes(r.scannedBytes), seconds(r.runMs), String(r.rows)]);
  const head = ["rule", "query id", "state", "scanned", "time", "rows"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  const out = [line(head), ...rows.map(line)];
  const scanned = reports.reduce((s, r) => s + r.scannedBytes, 0);
  const billed = reports.reduce((s, r) => s + billedBytes(r), 0);
  const count = (o: QueryReport["outcome"]) => reports.filter((r) => r.outcome === o).length;
  const states = (["SUCCEEDED", "FAILED", "CANCELLED", "ERROR", "NOT RUN"] as const)
    .map((o) => [o, count(o)] as const)
    .filter(([, n]) => n > 0)
    .map(([o, n]) => `${n} ${o.toLowerCase()}`)
    .join(", ");
  out.push(
    `${matches} matches, ${reports.length} ${reports.length === 1 ? "query" : "queries"} (${states || "none"}), ${formatBytes(scanned)} scanned, ${engine === "duckdb" ? "DuckDB engine: billed by the compute used (DPUs), not estimated here" : `~${formatUsd(costUsd(billed))} at $${USD_PER_TB}/TB`}, ${seconds(wallMs)} in all`,
  );
  return out.join("\n") + "\n";
}
