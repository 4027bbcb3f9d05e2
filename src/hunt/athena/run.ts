import type { HuntMatch } from "../hunt.js";
import { classifyError, missingTable, type AthenaApi, type ClassifiedError, type StartInput } from "./api.js";
import type { PlannedQuery } from "./plan.js";
import { isHeaderRow, rowsToMatches, type AthenaColumn } from "./results.js";

/**
 * Runs planned queries on Athena: at most `maxConcurrency` at once, each started, polled with
 * backoff until it ends, its results paged; throttling retried with jittered backoff; a failed query
 * is that rule's failure, the others go on; an abort (Ctrl-C) stops every running query.
 */

export interface RunOptions {
  readonly workgroup: string;
  readonly database?: string;
  readonly outputLocation?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly maxConcurrency?: number;
  readonly signal?: AbortSignal;
  /** Rows per GetQueryResults page (Athena's maximum is 1000). */
  readonly pageSize?: number;
  /** Polling GetQueryExecution: first wait, growth factor, longest wait (ms). */
  readonly poll?: { readonly firstMs: number; readonly factor: number; readonly maxMs: number };
  /** Retrying throttled calls: attempts in all, base and longest wait (ms), full jitter. */
  readonly retry?: { readonly attempts: number; readonly baseMs: number; readonly maxMs: number };
  readonly random?: () => number;
  readonly onProgress?: (p: { readonly phase: "rules"; readonly done: number; readonly total: number }) => void;
  /** Called when a query is submitted (tests, verbose output). */
  readonly onStarted?: (rule: string, queryId: string) => void;
}

export type Outcome = "SUCCEEDED" | "FAILED" | "CANCELLED" | "ERROR" | "NOT RUN";

export interface QueryReport {
  readonly rule: string;
  readonly ruleId: string;
  readonly queryId?: string;
  readonly outcome: Outcome;
  /** Athena's reason for a failed or cancelled query, or the error of a call. */
  readonly reason?: string;
  /**
   * A DuckDB read of the log files that found no file for the window (DuckDB fails such a read):
   * the query is taken as succeeded with no rows, and this is DuckDB's message.
   */
  readonly noFiles?: string;
  readonly scannedBytes: number;
  readonly runMs: number;
  readonly rows: number;
}

export interface AthenaRunResult {
  readonly matches: readonly HuntMatch[];
  readonly reports: readonly QueryReport[];
  /** Set when the hunt could not go on (credentials, workgroup, missing table): one message. */
  readonly fatal?: string;
  readonly cancelled: boolean;
  readonly wallMs: number;
}

export const DEFAULT_MAX_CONCURRENCY = 5;
const DEFAULT_POLL = { firstMs: 250, factor: 1.6, maxMs: 5000 };
const DEFAULT_RETRY = { attempts: 8, baseMs: 250, maxMs: 15000 };

/** DuckDB's failure of a read whose path pattern matches no file. */
const NO_FILES = /No files found that match the pattern/i;

class Fatal extends Error {}
class Aborted extends Error {}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export async function runAthenaHunt(api: AthenaApi, queries: readonly PlannedQuery[], options: RunOptions): Promise<AthenaRunResult> {
  const t0 = performance.now();
  const poll = options.poll ?? DEFAULT_POLL;
  const retry = options.retry ?? DEFAULT_RETRY;
  const random = options.random ?? Math.random;
  const pageSize = options.pageSize ?? 1000;
  const limit = Math.max(1, options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY);
  const signal = options.signal;
  const context = { workgroup: options.workgroup, region: options.region, endpoint: options.endpoint };

  const reports: (QueryReport | undefined)[] = queries.map(() => undefined);
  const matches: HuntMatch[][] = queries.map(() => []);
  const running = new Map<number, string>();
  let fatal: string | undefined;
  let done = 0;
  // One controller for "stop everything": Ctrl-C, or a fatal error.
  const halt = new AbortController();
  const onAbort = () => halt.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) halt.abort();

  /** One call, retried while throttled; a fatal error stops the hunt. */
  async function call<T>(fn: () => Promise<T>, interruptible = true): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (interruptible && halt.signal.aborted) throw new Aborted();
      let c: ClassifiedError;
      try {
        return await fn();
      } catch (e) {
        c = classifyError(e, context);
      }
      if (c.kind === "fatal") {
        fatal ??= c.message;
        halt.abort();
        throw new Fatal(c.message);
      }
      if (c.kind === "rule" || attempt >= retry.attempts) throw new Error(c.message);
      // Full jitter: a random wait up to an exponentially growing cap.
      await sleep(Math.floor(random() * Math.min(retry.maxMs, retry.baseMs * 2 ** (attempt - 1))), interruptible ? halt.signal : undefined);
    }
  }

  async function runOne(i: number): Promise<void> {
    const q = queries[i]!;
    const base = { rule: q.rule.name, ruleId: q.rule.ruleId };
    const t = performance.now();
    let queryId: string | undefined;
    let scannedBytes = 0;
    let athenaMs: number | undefined;
    const report = (outcome: Outcome, reason?: string, rows = 0, noFiles?: string) => {
      reports[i] = { ...base, queryId, outcome, reason, scannedBytes, runMs: athenaMs ?? performance.now() - t, rows, ...(noFiles !== undefined ? { noFiles } : {}) };
    };
    try {
      const input: StartInput = { sql: q.sql, database: options.database, workgroup: options.workgroup, outputLocation: options.outputLocation };
      queryId = await call(() => api.start(input));
      running.set(i, queryId);
      options.onStarted?.(q.rule.name, queryId);
      let wait = poll.firstMs;
      for (;;) {
        await sleep(wait, halt.signal);
        if (halt.signal.aborted) throw new Aborted();
        const s = await call(() => api.status(queryId!));
        scannedBytes = s.scannedBytes;
        athenaMs = s.runMs;
        if (s.state === "SUCCEEDED") break;
        if (s.state === "FAILED" || s.state === "CANCELLED") {
          running.delete(i);
          const reason = s.reason ?? (s.state === "CANCELLED" ? "cancelled outside rulec" : "no reason given");
          if (s.state === "FAILED" && q.files !== undefined && NO_FILES.test(reason)) {
            // The window's days hold no log file: no event, so no match.
            report("SUCCEEDED", undefined, 0, reason);
            return;
          }
          if (s.state === "FAILED" && missingTable(reason)) {
            fatal ??= `the table is not there: ${reason}. Create it (docs/athena.md) or pass --database and --table (athena.database, athena.table in rulec.config.yml)`;
            halt.abort();
          }
          report(s.state, reason);
          return;
        }
        wait = Math.min(poll.maxMs, Math.round(wait * poll.factor));
      }
      running.delete(i);
      let columns: readonly AthenaColumn[] = [];
      let token: string | undefined;
      let first = true;
      let rows = 0;
      do {
        const page = await call(() => api.results(queryId!, token, pageSize));
        if (first) columns = page.columns;
        let pageRows = page.rows;
        if (first && pageRows.length > 0 && isHeaderRow(pageRows[0]!, columns)) pageRows = pageRows.slice(1);
        matches[i]!.push(...rowsToMatches(q, columns, pageRows, rows));
        rows += pageRows.length;
        token = page.nextToken;
        first = false;
      } while (token !== undefined);
      report("SUCCEEDED", undefined, rows);
    } catch (e) {
      if (e instanceof Aborted || e instanceof Fatal) {
        if (queryId === undefined) report("NOT RUN");
        else report("CANCELLED", fatal === undefined ? "stopped by rulec (interrupted)" : "stopped by rulec after a fatal error");
      } else {
        report("ERROR", (e as Error).message);
      }
    } finally {
      done++;
      options.onProgress?.({ phase: "rules", done, total: queries.length });
    }
  }

  options.onProgress?.({ phase: "rules", done: 0, total: queries.length });
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, queries.length) }, async () => {
    while (next < queries.length && !halt.signal.aborted) await runOne(next++);
  });
  await Promise.all(workers);

  // Every query still marked running was interrupted: stop it on Athena before returning.
  if (running.size > 0) {
    await Promise.all(
      [...running.values()].map(async (id) => {
        try {
          await call(() => api.stop(id), false);
        } catch {
          // Best effort: the report already says the query was cancelled.
        }
      }),
    );
  }
  signal?.removeEventListener("abort", onAbort);
  const final = queries.map((q, i) => reports[i] ?? { rule: q.rule.name, ruleId: q.rule.ruleId, outcome: "NOT RUN" as const, scannedBytes: 0, runMs: 0, rows: 0 });
  return { matches: matches.flat(), reports: final, fatal, cancelled: signal?.aborted === true, wallMs: performance.now() - t0 };
}
