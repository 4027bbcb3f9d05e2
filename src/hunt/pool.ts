import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { compiledWorker } from "../workers.js";
import type { LogInput, ShapedLog, TableSpec } from "./logs.js";
import type { ShapeReply, ShapeTask } from "./worker.js";

/**
 * A pool of worker threads that decode, parse and shape log files (worker.ts), so that the main
 * thread only feeds DuckDB. Results come back per file; the caller awaits them in file order, so
 * rows and matches keep the order of a hunt without workers.
 */

/** The compiled worker next to this module (dist/hunt/worker.js); undefined from the TypeScript sources. */
export function workerScript(): URL | undefined {
  return compiledWorker("./worker.js", import.meta.url);
}

/** Below this many bytes of logs, starting workers costs more than it saves. */
export const WORKER_MIN_BYTES = 4 * 1024 * 1024;

/** Workers for a hunt over these inputs: 0 (shape on the main thread) unless the logs are large and there are cores to spare. */
export function defaultWorkers(inputs: readonly (LogInput | { readonly size: number; readonly open: unknown })[]): number {
  let bytes = 0;
  // Streamed files are read on the main thread: only the others count.
  for (const i of inputs) if ("bytes" in i) bytes += i.size ?? i.bytes.length;
  if (bytes < WORKER_MIN_BYTES || inputs.length < 2) return 0;
  return Math.min(inputs.length, Math.max(0, availableParallelism()), 4);
}

export interface ShapePool {
  /** The file's rows and problems; undefined when its worker failed (the caller then shapes it itself). */
  shape(input: LogInput): Promise<ShapedLog | undefined>;
  close(): Promise<void>;
}

interface Job {
  readonly task: ShapeTask;
  readonly resolve: (r: ShapedLog | undefined) => void;
}

/** `tables`: the hunt's tables (logs.ts tableSpecs); `forced`: every record is of that table's log type. */
export function shapePool(size: number, tables: readonly TableSpec[], script: URL, forced?: number): ShapePool {
  const live = new Set<Worker>();
  const idle: Worker[] = [];
  const waiting: Job[] = [];
  const running = new Map<Worker, Job>();
  let nextId = 0;

  const start = (w: Worker, job: Job): void => {
    running.set(w, job);
    w.postMessage(job.task);
  };
  const settle = (w: Worker, result: ShapedLog | undefined): void => {
    const job = running.get(w);
    running.delete(w);
    job?.resolve(result);
    if (!live.has(w)) return;
    const next = waiting.shift();
    if (next) start(w, next);
    else idle.push(w);
  };
  const lose = (w: Worker): void => {
    if (!live.delete(w)) return;
    const i = idle.indexOf(w);
    if (i >= 0) idle.splice(i, 1);
    settle(w, undefined);
    // No worker left: the files still waiting are shaped by the caller.
    if (live.size === 0) for (const job of waiting.splice(0)) job.resolve(undefined);
  };

  for (let i = 0; i < size; i++) {
    const w = new Worker(script);
    live.add(w);
    idle.push(w);
    w.on("message", (m: ShapeReply) => settle(w, "failed" in m ? undefined : { rows: m.rows, problems: m.problems }));
    w.on("error", () => lose(w));
    w.on("exit", () => lose(w));
  }

  return {
    shape(input) {
      return new Promise((resolve) => {
        if (live.size === 0) return resolve(undefined);
        const job: Job = { task: { id: nextId++, name: input.name, bytes: input.bytes, tables, ...(forced === undefined ? {} : { forced }) }, resolve };
        const w = idle.shift();
        if (w) start(w, job);
        else waiting.push(job);
      });
    },
    async close() {
      const all = [...live];
      live.clear();
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
