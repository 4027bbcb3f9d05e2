import { spawn, spawnSync } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as netServer, type AddressInfo } from "node:net";
import { startStandIn, type SeededResult } from "./standin.js";

/**
 * The Athena server the tests/athena-remote suites run rulec against, and a loopback proxy in front
 * of it for what the server does not do: fail a query, throttle a call, report scanned bytes, page
 * results. The server is the project's own stand-in (standin.ts, in this process) unless
 * RULEC_ATHENA_SERVER=moto asks for moto (`python3 -m moto.server`, one process per test file,
 * started in beforeAll and stopped in afterAll), to compare the stand-in with moto where it is
 * installed. Both take the same control calls: reset, seeded result sets, held queries.
 */

export type ServerKind = "standin" | "moto";

/** Which server RULEC_ATHENA_SERVER asks for: `standin` (the default) or `moto`. */
export function serverKind(): ServerKind {
  const v = (process.env.RULEC_ATHENA_SERVER ?? "").trim().toLowerCase();
  if (v === "" || v === "standin") return "standin";
  if (v === "moto") return "moto";
  throw new Error(`RULEC_ATHENA_SERVER=${process.env.RULEC_ATHENA_SERVER}: expected standin (the default) or moto`);
}

export function motoVersion(): string | undefined {
  const r = spawnSync("python3", ["-c", "import moto, moto.server; print(moto.__version__)"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The server's name for test titles (asks python for moto's version only when moto is asked for). */
export function serverName(): string {
  return serverKind() === "moto" ? `moto ${motoVersion() ?? "(not installed)"}` : "the Athena stand-in";
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface AthenaServer {
  readonly name: string;
  readonly url: string;
  /** Forgets every execution, seeded result and workgroup but `primary`. */
  reset(): Promise<void>;
  /** Queue Athena results: each StartQueryExecution takes the next one. */
  seedResults(results: readonly SeededResult[]): Promise<void>;
  /** Keep executions QUEUED (for cancellation), or back to SUCCEEDED when next read. */
  holdQueries(hold: boolean): Promise<void>;
  /** Calls the Athena JSON API directly (assertions: what the server recorded). */
  athena<T = Record<string, unknown>>(operation: string, body: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

async function callAthena<T>(url: string, operation: string, body: Record<string, unknown>): Promise<T> {
  const r = await fetch(url, {
    method: "POST",
    body: JSON.stringify(body),
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AmazonAthena.${operation}`,
      authorization: "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/athena/aws4_request, SignedHeaders=host, Signature=x",
    },
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${operation}: HTTP ${r.status} ${text}`);
  return JSON.parse(text) as T;
}

export async function startStandInServer(): Promise<AthenaServer> {
  const s = await startStandIn();
  return {
    name: "the Athena stand-in",
    url: s.url,
    reset: async () => s.reset(),
    seedResults: async (results) => s.seedResults(results),
    holdQueries: async (hold) => s.holdQueries(hold),
    athena: (operation, body) => callAthena(s.url, operation, body),
    stop: () => s.close(),
  };
}

export async function startMoto(): Promise<AthenaServer> {
  const version = motoVersion();
  if (!version) throw new Error("RULEC_ATHENA_SERVER=moto, but python3 cannot import moto (pip install 'moto[server]'), or leave RULEC_ATHENA_SERVER unset for the stand-in");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr!.on("data", (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto server exited (${child.exitCode}): ${log}`);
    try {
      const r = await fetch(`${url}/moto-api/`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`moto server did not answer on ${url} within 30 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
  };
  return {
    name: `moto ${version}`,
    url,
    reset: () => post("/moto-api/reset", {}),
    seedResults: (results) => post("/moto-api/static/athena/query-results", { account_id: "123456789012", region: "us-east-1", results }),
    holdQueries: (hold) =>
      hold
        ? post("/moto-api/state-manager/set-transition", { model_name: "athena::execution", transition: { progression: "manual", times: 1_000_000 } })
        : post("/moto-api/state-manager/unset-transition", { model_name: "athena::execution" }),
    athena: (operation, body) => callAthena(url, operation, body),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** One Athena call as the proxy saw it. */
export interface Call {
  readonly op: string;
  readonly body: Record<string, unknown>;
  /** The status the proxy answered with. */
  status: number;
}

/** Rewrites: return a replacement response, or undefined to pass the call to the server unchanged. */
export type Hook = (call: Call) => { status: number; body: unknown } | undefined;
/** Edits the server's JSON answer in place. */
export type Edit = (call: Call, answer: Record<string, unknown>) => void;

export interface Proxy {
  readonly url: string;
  readonly calls: Call[];
  /** Answer before the server sees the call. */
  readonly hooks: Hook[];
  /** Change the server's answer. */
  readonly edits: Edit[];
  /** Serve GetQueryResults in pages of MaxResults with NextToken (the server returns everything at once). */
  paging: boolean;
  clear(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startProxy(upstream: string): Promise<Proxy> {
  const proxy: Proxy = {
    url: "",
    calls: [],
    hooks: [],
    edits: [],
    paging: false,
    clear() {
      proxy.calls.length = 0;
      proxy.hooks.length = 0;
      proxy.edits.length = 0;
      proxy.paging = false;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const raw = await readBody(req);
      const target = String(req.headers["x-amz-target"] ?? "");
      const op = target.replace(/^AmazonAthena\./, "");
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw.toString("utf8") || "{}") as Record<string, unknown>;
      } catch {
        // not JSON: pass through
      }
      const call: Call = { op, body, status: 0 };
      proxy.calls.push(call);
      for (const hook of proxy.hooks) {
        const answer = hook(call);
        if (answer) {
          call.status = answer.status;
          res.writeHead(answer.status, { "content-type": "application/x-amz-json-1.1" });
          res.end(JSON.stringify(answer.body));
          return;
        }
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k !== "host" && k !== "content-length") headers[k] = v;
      let forwarded = raw;
      let page: { offset: number; size: number } | undefined;
      if (op === "GetQueryResults" && proxy.paging) {
        // Ask the server for everything, then cut the page here.
        const size = Number(body.MaxResults ?? 1000);
        const offset = body.NextToken === undefined ? 0 : Number(String(body.NextToken).replace(/^page-/, ""));
        page = { offset, size };
        forwarded = Buffer.from(JSON.stringify({ QueryExecutionId: body.QueryExecutionId }));
      }
      const upstreamAnswer = await fetch(upstream + (req.url ?? "/"), { method: req.method, headers, body: req.method === "GET" || req.method === "HEAD" ? undefined : forwarded });
      let text = await upstreamAnswer.text();
      call.status = upstreamAnswer.status;
      if (upstreamAnswer.ok && (page || proxy.edits.length > 0)) {
        const answer = JSON.parse(text) as Record<string, unknown>;
        if (page) {
          const rs = answer.ResultSet as { Rows: unknown[] };
          const all = rs.Rows;
          rs.Rows = all.slice(page.offset, page.offset + page.size);
          if (page.offset + page.size < all.length) answer.NextToken = `page-${page.offset + page.size}`;
        }
        for (const edit of proxy.edits) edit(call, answer);
        text = JSON.stringify(answer);
      }
      res.writeHead(upstreamAnswer.status, { "content-type": upstreamAnswer.headers.get("content-type") ?? "application/x-amz-json-1.1" });
      res.end(text);
    } catch (e) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ __type: "InternalFailure", message: String(e) }));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  (proxy as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/**
 * The Athena server (the stand-in, or moto with RULEC_ATHENA_SERVER=moto) and the loopback proxy in
 * front of it, with the test credentials and region the AWS SDK reads from the environment (no
 * instance metadata lookups).
 */
export async function startAthenaServers(): Promise<{ server: AthenaServer; proxy: Proxy }> {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_REGION: "us-east-1", AWS_EC2_METADATA_DISABLED: "true" });
  const server = serverKind() === "moto" ? await startMoto() : await startStandInServer();
  return { server, proxy: await startProxy(server.url) };
}
