import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

/**
 * One long-lived python3 process per test file (test/panther/python/runner.py): requests go over
 * stdin as JSON lines, answers come back in order. Rules run against the PantherEvent stand-in.
 */

const RUNNER = fileURLToPath(new URL("./python/runner.py", import.meta.url));

export type RuleResult = boolean | { error: string; trace?: string };

export class PythonRunner {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly waiting: ((line: string) => void)[] = [];
  private stderr = "";
  private nextId = 0;

  constructor() {
    this.proc = spawn("python3", ["-B", "-X", "utf8", RUNNER], { stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stderr.on("data", (d: Buffer) => (this.stderr += d.toString()));
    const rl = createInterface({ input: this.proc.stdout });
    rl.on("line", (line) => {
      const w = this.waiting.shift();
      if (w) w(line);
    });
    this.proc.on("exit", (code) => {
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ error: `python exited (${code}): ${this.stderr}` }));
    });
  }

  request<T = Record<string, unknown>>(req: unknown): Promise<T> {
    return new Promise((resolve) => {
      this.waiting.push((line) => resolve(JSON.parse(line) as T));
      this.proc.stdin.write(JSON.stringify(req) + "\n");
    });
  }

  /** Loads a module; returns its id, or throws with Python's error. */
  async load(source: string): Promise<number> {
    const id = this.nextId++;
    const r = await this.request<{ ok?: boolean; error?: string }>({ load: id, source });
    if (!r.ok) throw new Error(`python could not load the module: ${r.error}\n${source}`);
    return id;
  }

  async run(id: number, events: readonly unknown[]): Promise<RuleResult[]> {
    const r = await this.request<{ results: RuleResult[] }>({ run: id, events });
    return r.results;
  }

  async call(id: number, fn: string, events: readonly unknown[]): Promise<unknown[]> {
    const r = await this.request<{ results: unknown[] }>({ call: id, function: fn, events });
    return r.results;
  }

  async unload(id: number): Promise<void> {
    await this.request({ unload: id });
  }

  async exec(source: string): Promise<{ result?: unknown; error?: string }> {
    return this.request({ exec: source });
  }

  close(): void {
    this.proc.stdin.end();
  }
}

/** Compiles nothing: runs rule() of `source` (a whole module) on each event in a throw-away module. */
export async function checkSource(py: PythonRunner, source: string, events: readonly unknown[]): Promise<{ results?: RuleResult[]; error?: string }> {
  return py.request({ check: source, events });
}
