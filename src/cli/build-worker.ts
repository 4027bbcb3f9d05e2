import { parentPort } from "node:worker_threads";
import { compileFile, resolveTargets } from "./compile.js";
import type { CompileReply, CompileRequest } from "./pool.js";

/** A build worker thread (see pool.ts): compiles the chunks of rule files it is sent. */

const port = parentPort;
if (!port) throw new Error("build-worker.js runs as a worker thread");
port.on("message", (request: CompileRequest) => {
  const targets = resolveTargets(request.targets);
  const reply: CompileReply = { start: request.start, results: request.files.map((f) => compileFile(f, targets, request.options)) };
  port.postMessage(reply);
});
