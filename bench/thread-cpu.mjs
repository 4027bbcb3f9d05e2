// Preloaded (`node --import`) into a process whose CPU time is to be split by thread (Linux only):
// each worker thread notes its thread id beside RULEC_THREAD_CPU, and the main thread, as the
// process exits, writes every thread's user and system time (clock ticks, from /proc) there as
// JSON: { pid, ticksPerSecond, threads: [{ tid, user, system, worker }] }.
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

const out = process.env.RULEC_THREAD_CPU;
const self = () => readlinkSync("/proc/thread-self").split("/").pop();

if (out && existsSync("/proc/thread-self")) {
  if (!isMainThread) writeFileSync(`${out}.worker-${self()}`, "");
  else
    process.on("exit", () => {
      const workers = new Set();
      const dir = out.slice(0, out.lastIndexOf("/") + 1) || "./";
      const base = out.slice(out.lastIndexOf("/") + 1);
      for (const f of readdirSync(dir)) if (f.startsWith(`${base}.worker-`)) workers.add(f.slice(base.length + 8));
      const threads = [];
      for (const tid of readdirSync("/proc/self/task")) {
        let stat;
        try {
          stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
        } catch {
          continue;
        }
        // Fields after the command name: state is the first, utime the 12th, stime the 13th.
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        threads.push({ tid, user: Number(f[11]), system: Number(f[12]), worker: workers.has(tid) });
      }
      // Linux's USER_HZ is 100 on every architecture Node runs on.
      writeFileSync(out, JSON.stringify({ pid: String(process.pid), ticksPerSecond: 100, threads }));
    });
}
