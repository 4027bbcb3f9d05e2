import { parentPort } from "node:worker_threads";
import { shapeLog, tablesOf, type TableSpec } from "./logs.js";

/**
 * The worker of pool.ts: decodes, parses and shapes one log file per message (logs.ts shapeLog,
 * the same function the main thread runs without workers) and posts the rows back. An unexpected
 * failure is posted as a message: the main thread then shapes that file itself, so it ends exactly
 * as a hunt without workers would (problems, or the same exception).
 */

export interface ShapeTask {
  readonly id: number;
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The hunt's tables (log type, profile, loaded columns), by name. */
  readonly tables: readonly TableSpec[];
  /** Every record is of this table's log type. */
  readonly forced?: number;
}

export type ShapeReply =
  | { readonly id: number; readonly rows: string[][]; readonly problems: ReturnType<typeof shapeLog>["problems"] }
  | { readonly id: number; readonly failed: string };

parentPort?.on("message", (task: ShapeTask) => {
  let reply: ShapeReply;
  try {
    const { rows, problems } = shapeLog({ name: task.name, bytes: task.bytes }, tablesOf(task.tables), task.forced);
    reply = { id: task.id, rows, problems };
  } catch (e) {
    reply = { id: task.id, failed: String((e as Error)?.message ?? e) };
  }
  parentPort!.postMessage(reply);
});
