import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * A private PostgreSQL cluster for one test file: initdb in a temporary directory, the server on a
 * Unix socket in that directory (no TCP port), run as an unprivileged user (the `postgres` account
 * when the tests run as root, else the current user), stopped and removed in afterAll.
 *
 * scripts/setup-postgres.sh (npm pretest) installs Debian's `postgresql` package. Where PostgreSQL
 * cannot be found or started, the suites skip with a loud message; under CI=true they fail instead.
 */

export const CI = process.env.CI === "true";

/** The newest installed server's bin directory (Debian: /usr/lib/postgresql/<major>/bin). */
export function findPostgres(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((d) => /^\d+$/.test(d) && Number(d) >= 15 && existsSync(join(root, d, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length > 0 ? join(root, majors[0]!, "bin") : undefined;
}

export interface Cluster {
  readonly client: pg.Client;
  readonly version: string;
  stop(): Promise<void>;
}

function runAs(): { uid: number; gid: number; wrap: (cmd: string[]) => string[] } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (id.status !== 0) throw new Error("running as root and there is no `postgres` account to run the server as");
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()), wrap: (cmd) => ["runuser", "-u", "postgres", "--", ...cmd] };
}

export async function startCluster(bin: string): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), "rulec-pg-"));
  const user = runAs();
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, "data");
  const wrap = user?.wrap ?? ((cmd: string[]) => cmd);
  const run = (cmd: string[]) => {
    const [exe, ...args] = wrap(cmd);
    return spawnSync(exe!, args, { encoding: "utf8", cwd: dir });
  };
  const init = run([join(bin, "initdb"), "-D", data, "-U", "rulec", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
  const [exe, ...args] = wrap([
    join(bin, "postgres"), "-D", data, "-k", dir, "-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
    "-c", "full_page_writes=off", "-c", "max_connections=10", "-c", "jit=off",
  ]);
  const server: ChildProcess = spawn(exe!, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  server.stderr!.on("data", (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    run([join(bin, "pg_ctl"), "-D", data, "stop", "-m", "fast", "-w"]);
    if (server.exitCode === null) await new Promise((r) => server.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  };
  const onExit = () => {
    if (!stopped) run([join(bin, "pg_ctl"), "-D", data, "stop", "-m", "immediate"]);
  };
  process.once("exit", onExit);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) {
      await stop();
      throw new Error(`postgres exited (${server.exitCode}): ${log}`);
    }
    const client = new pg.Client({ host: dir, user: "rulec", database: "postgres" });
    try {
      await client.connect();
      const version = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
      return {
        client,
        version,
        stop: async () => {
          process.removeListener("exit", onExit);
          await client.end().catch(() => undefined);
          await stop();
        },
      };
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`postgres did not accept connections within 30 s: ${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
