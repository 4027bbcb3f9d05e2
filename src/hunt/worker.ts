import { parentPort } from "node:worker_threads";
import { huntProfile, shapeLog } from "./logs.js";

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
  readonly profile?: string;
  /** The table columns to shape (table.ts Projection); undefined: all. */
  readonly columns?: readonly string[];
}

export type ShapeReply =
  | { readonly id: number; readonly rows: string[]; readonly problems: ReturnType<typeof shapeLog>["problems"] }
  | { readonly id: number; readonly failed: string };

parentPort?.on("message", (task: ShapeTask) => {
  let reply: ShapeReply;
  try {
    const { profile, error } = huntProfile(task.profile);
    if (!profile) throw new Error(error);
    const { rows, problems } = shapeLog({ name: task.name, bytes: task.bytes }, profile, task.columns);
    reply = { id: task.id, rows, problems };
  } catch (e) {
    reply = { id: task.id, failed: String((e as Error)?.message ?? e) };
  }
  parentPort!.postMessage(reply);
});
