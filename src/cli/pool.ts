import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { compiledWorker } from "../workers.js";
import type { FileResult, TargetOptionsByName } from "./plan.js";

/**
 * Compiling rule files on every core: the main thread and `jobs - 1` worker threads take chunks of
 * files from one queue, so a worker that is still starting costs nothing (the main thread goes on
 * with the next chunk) and no thread waits for another. Results land at their file's index: the
 * order of files decides everything that follows, whichever thread compiled them.
 *
 * Workers run the compiled build-worker.js; where it does not exist (the sources run by the test
 * runner without a build), everything runs on the main thread. Idle workers stay in a pool for the
 * next build of the same process and never keep the process alive.
 */

const WORKER_URL = compiledWorker("./build-worker.js", import.meta.url);
/**
 * Files per chunk: at most 32, and fewer towards the end (a quarter of each thread's share of what
 * is left), so that no thread is left with a long last chunk while the others wait.
 */
const CHUNK = 32;
const MIN_CHUNK = 4;
/** Chunks a worker holds at once: one it compiles, one waiting, so it never idles while the main thread is busy. */
const DEPTH = 2;
/** Below this many files a build stays on the main thread: starting a worker costs about 0.1 s. */
export const PARALLEL_MIN_FILES = 200;
/** A larger young generation than V8's default: a worker allocates much short-lived text. */
const YOUNG_GENERATION_MB = 64;

export interface CompileRequest {
  readonly start: number;
  readonly files: readonly string[];
  readonly targets: readonly string[];
  readonly options: TargetOptionsByName;
}

export interface CompileReply {
  readonly start: number;
  readonly results: readonly FileResult[];
}

/** The default --jobs: every core for a large library, the main thread alone for a small one. */
export function defaultJobs(files: number): number {
  return files < PARALLEL_MIN_FILES ? 1 : availableParallelism();
}

const idle: Worker[] = [];

function spawn(Worker: typeof import("node:worker_threads").Worker, script: URL): Worker {
  const worker = new Worker(script, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  worker.unref();
  return worker;
}

export interface CompileHooks {
  /** Each file's result, in file order, as soon as it and every earlier file are compiled. */
  readonly onResult: (result: FileResult) => void;
  readonly onProgress?: (done: number, total: number) => void;
  /** Awaited before the main thread takes its next chunk (backpressure from the writer). */
  readonly beforeChunk?: () => Promise<void>;
}

export async function compileFiles(
  files: readonly string[],
  targetNames: readonly string[],
  options: TargetOptionsByName,
  jobs: number,
  hooks: CompileHooks,
): Promise<void> {
  if (files.length === 0) return;
  // The compiler (parser, checks, targets) is loaded only when a file is to be compiled: a build the
  // cache answers whole never loads it.
  const { compileFile, resolveTargets } = await import("./compile.js");
  const targets = resolveTargets(targetNames);
  const script = WORKER_URL;
  const helpers = jobs > 1 && script ? jobs - 1 : 0;
  const threads = helpers + 1;
  // Results wait here until every earlier file's result is in.
  const pending = new Array<FileResult | undefined>(files.length);
  let delivered = 0;
  let next = 0;
  let done = 0;
  const take = (): [number, number] | undefined => {
    if (next >= files.length) return undefined;
    const start = next;
    const share = Math.ceil((files.length - next) / (4 * threads));
    next = Math.min(files.length, next + Math.max(MIN_CHUNK, Math.min(CHUNK, share)));
    return [start, next];
  };
  const land = (start: number, results: readonly FileResult[]): void => {
    for (let i = 0; i < results.length; i++) pending[start + i] = results[i];
    for (let r = pending[delivered]; r !== undefined; r = pending[delivered]) {
      pending[delivered++] = undefined;
      hooks.onResult(r);
    }
    done += results.length;
    hooks.onProgress?.(done, files.length);
  };

  const drive = (worker: Worker): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      let inFlight = 0;
      const detach = (): void => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      const feed = (): void => {
        for (let c = inFlight < DEPTH ? take() : undefined; c; c = inFlight < DEPTH ? take() : undefined) {
          const request: CompileRequest = { start: c[0], files: files.slice(c[0], c[1]), targets: targetNames, options };
          worker.postMessage(request);
          inFlight++;
        }
        if (inFlight === 0) {
          detach();
          worker.unref();
          idle.push(worker);
          resolve();
        }
      };
      const onMessage = (reply: CompileReply): void => {
        inFlight--;
        try {
          land(reply.start, reply.results);
        } catch (e) {
          detach();
          idle.push(worker);
          reject(e as Error);
          return;
        }
        feed();
      };
      const onError = (e: Error): void => {
        detach();
        void worker.terminate();
        reject(e);
      };
      const onExit = (code: number): void => {
        detach();
        reject(new Error(`a build worker stopped (exit code ${code})`));
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      worker.ref();
      feed();
    });

  let failure: unknown;
  const running: Promise<void>[] = [];
  const { Worker } = helpers > 0 ? await import("node:worker_threads") : { Worker: undefined };
  for (let i = 0; i < helpers; i++) {
    running.push(
      drive(idle.pop() ?? spawn(Worker!, script!)).catch((e: unknown) => {
        failure ??= e;
      }),
    );
  }
  for (;;) {
    if (hooks.beforeChunk) await hooks.beforeChunk();
    const c = take();
    if (!c || failure !== undefined) break;
    const results: FileResult[] = [];
    for (let i = c[0]; i < c[1]; i++) results.push(compileFile(files[i]!, targets, options));
    land(c[0], results);
    // Let replies in, so the workers get their next chunks.
    if (helpers > 0) await new Promise<void>((r) => setImmediate(r));
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure;
}
