// Preloaded (`node --import`) into a command whose peak memory is to be known: as the process
// exits, its main thread writes process.resourceUsage().maxRSS (KiB; the process's peak resident
// set, every thread included) to the file RULEC_PEAK_RSS names.
import { writeFileSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

const out = process.env.RULEC_PEAK_RSS;
if (out && isMainThread) process.on("exit", () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
