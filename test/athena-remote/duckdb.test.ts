import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { registerHunt, type HuntDeps } from "../../src/cli/hunt.js";
import { bufferOutput } from "../../src/cli/output.js";
import { planAthenaHunt } from "../../src/hunt/athena/index.js";
import { loadRuleFiles } from "../../src/rules/load.js";
import { athenaTarget } from "../../src/targets/athena/index.js";
import { serverName, startAthenaServers, type AthenaServer, type Proxy } from "./servers.js";

/**
 * `rulec hunt --engine athena` on a workgroup of Athena's DuckDB engine, against the Athena server
 * (the stand-in, or moto) behind the loopback proxy: the hunt reads the workgroup's engine
 * (GetWorkGroup) and submits the DuckDB statements the Athena target writes (over the table, or
 * over the log files with --location). A DuckDB workgroup accepts any text (StartQueryExecution
 * succeeds even for invalid SQL): the failure comes from polling GetQueryExecution, which the proxy
 * plays with DuckDB's messages (a parser error after the query was queued, a missing table, a
 * window without files).
 */

const SERVER = serverName();

const ROOT = "rules/aws_console_root_login.yml";
const USER = "rules/aws_iam_user_created.yml";
const LOCATION = "s3://my-trail-bucket/AWSLogs/111122223333/CloudTrail/us-east-1/";

let server: AthenaServer;
let proxy: Proxy;
const dir = mkdtempSync(join(tmpdir(), "rulec-athena-duckdb-"));

beforeAll(async () => {
  ({ server, proxy } = await startAthenaServers());
});

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await server.reset();
  await server.holdQueries(false);
  proxy.clear();
  // A workgroup of the DuckDB engine, as AWS's CLI creates it (EngineVersion.SelectedEngineVersion).
  await server.athena("CreateWorkGroup", { Name: "duck", Configuration: { EngineVersion: { SelectedEngineVersion: "DuckDB" } } });
  // Athena reports the engine queries run on as the effective version.
  proxy.edits.push((call, answer) => {
    const wg = answer.WorkGroup as { Name: string; Configuration: { EngineVersion: Record<string, string> } } | null;
    if (call.op === "GetWorkGroup" && wg?.Name === "duck") wg.Configuration.EngineVersion = { SelectedEngineVersion: "DuckDB", EffectiveEngineVersion: "DuckDB" };
  });
});

const FAST: NonNullable<HuntDeps["athenaTuning"]> = {
  poll: { firstMs: 5, factor: 2, maxMs: 40 },
  retry: { attempts: 5, baseMs: 20, maxMs: 200 },
  random: () => 0.5,
};

async function hunt(args: string[]) {
  const io = bufferOutput();
  let status = 0;
  const program = new Command("rulec").exitOverride().option("--config <file>");
  registerHunt(program, { io, setStatus: (s) => (status = Math.max(status, s)), color: () => ({ enabled: false }), loadRules: loadRuleFiles, athenaTuning: FAST });
  await program.parseAsync(["node", "rulec", "hunt", ...args, "--engine", "athena", "--endpoint", proxy.url, "--region", "us-east-1"]);
  return { stdout: io.stdout, stderr: io.stderr, status };
}

interface Execution {
  QueryExecutionId: string;
  Query: string;
  WorkGroup: string | null;
}

async function executions(): Promise<Execution[]> {
  const list = await server.athena<{ QueryExecutionIds: string[] }>("ListQueryExecutions", {});
  const out: Execution[] = [];
  for (const id of list.QueryExecutionIds) out.push((await server.athena<{ QueryExecution: Execution }>("GetQueryExecution", { QueryExecutionId: id })).QueryExecution);
  return out;
}

const col = (Name: string, Type: string) => ({ CatalogName: "hive", SchemaName: "", TableName: "", Name, Label: Name, Type, Precision: 0, Scale: 0, Nullable: "UNKNOWN", CaseSensitive: Type === "varchar" });
const row = (...values: (string | null)[]) => ({ Data: values.map((v) => (v === null ? {} : { VarCharValue: v })) });
const calls = (op: string) => proxy.calls.filter((c) => c.op === op);
/** The statement without its comment lines. */
const body = (sql: string) => sql.split("\n").filter((l) => !l.startsWith("--")).join("\n").trimEnd();

describe(`rulec hunt --engine athena on a DuckDB workgroup (${SERVER})`, () => {
  it("reads the workgroup's engine and submits the DuckDB statements the Athena target writes", async () => {
    const out = await hunt([ROOT, USER, "--workgroup", "duck", "--from", "2024-11-01", "--to", "2024-11-08"]);
    expect(out.status).toBe(0);
    expect(out.stderr).toContain("rulec: workgroup duck runs DuckDB: sending the DuckDB statements");
    expect(calls("GetWorkGroup").map((c) => c.body.WorkGroup)).toEqual(["duck"]);
    const ex = await executions();
    expect(ex).toHaveLength(2);
    const lib = loadRuleFiles([ROOT, USER]);
    const plan = planAthenaHunt(lib.rules, { from: "2024-11-01", to: "2024-11-08", engine: "duckdb" });
    expect(ex.map((e) => e.Query).sort()).toEqual(plan.queries.map((q) => q.sql).sort());
    for (const e of ex) expect(e.WorkGroup).toBe("duck");
    // Exactly `athena/<name>.duckdb.sql` of the Athena target for the same window (no path column: a table read by DuckDB has none).
    for (const rule of lib.rules) {
      const built = athenaTarget.compile(rule, { engine: "duckdb", from: "2024-11-01", to: "2024-11-08" }).files.find((f) => f.path.endsWith(".duckdb.sql"))!.content;
      const sent = ex.find((e) => e.Query.includes(`from ${rule.name};`))!.Query;
      expect(body(sent)).toBe(body(built));
      expect(sent).toContain("concat(year, '/', month, '/', day) >= '2024/10/31'");
      expect(sent).not.toMatch(/json_exists|any_match|from_iso8601_timestamp/);
    }
  });

  it("--location reads the CloudTrail files; each match names its file", async () => {
    await server.seedResults([
      {
        column_info: [col("$path", "varchar"), col("userIdentity.arn", "varchar"), col("sourceIPAddress", "varchar"), col("userAgent", "varchar"), col("additionalEventData.MFAUsed", "json"), col("recipientAccountId", "varchar")],
        rows: [row("$path", "userIdentity.arn", "sourceIPAddress", "userAgent", "additionalEventData.MFAUsed", "recipientAccountId"), row(`${LOCATION}2024/11/07/111122223333_CloudTrail_us-east-1_20241107T0000Z_a.json.gz`, "arn:aws:iam::111122223333:root", "203.0.113.9", "Mozilla", '"No"', "111122223333")],
      },
    ]);
    const out = await hunt([ROOT, "--workgroup", "duck", "--since", "7d", "--location", LOCATION, "--format", "json"]);
    expect(out.status).toBe(0);
    const [e] = await executions();
    expect(e!.Query).toContain(`filename AS "$path"`);
    expect(e!.Query).toContain(`read_json('${LOCATION}' || `);
    const matches = JSON.parse(out.stdout) as { file: string; fields: Record<string, unknown> }[];
    expect(matches.map((m) => m.file)).toEqual([`${LOCATION}2024/11/07/111122223333_CloudTrail_us-east-1_20241107T0000Z_a.json.gz`]);
    expect(matches[0]!.fields["additionalEventData.MFAUsed"]).toBe("No");
  });

  it("accepted but invalid: StartQueryExecution succeeds, polling finds the failure; that rule fails, the other runs", async () => {
    // The root-login query is queued twice, then fails as DuckDB rejects it.
    const polls = new Map<string, number>();
    proxy.edits.push((call, answer) => {
      const x = answer.QueryExecution as { QueryExecutionId: string; Query: string; Status: Record<string, unknown> } | undefined;
      if (call.op !== "GetQueryExecution" || !x?.Query.includes("RootLogin")) return;
      const n = (polls.get(x.QueryExecutionId) ?? 0) + 1;
      polls.set(x.QueryExecutionId, n);
      x.Status =
        n <= 2
          ? { State: "QUEUED" }
          : { State: "FAILED", AthenaError: { ErrorCategory: 2, ErrorType: 1001, Retryable: false, ErrorMessage: 'Parser Error: syntax error at or near "FROM"' } };
    });
    // Each StartQueryExecution takes the next seeded result: the root-login query the first.
    await server.seedResults([0, 1].map(() => ({ column_info: [col("eventName", "varchar")], rows: [row("eventName"), row("CreateUser")] })));
    const out = await hunt([ROOT, USER, "--workgroup", "duck", "--max-concurrency", "1", "--format", "ndjson"]);
    expect(calls("StartQueryExecution").map((c) => c.status)).toEqual([200, 200]);
    const failed = (await executions()).find((e) => e.Query.includes("RootLogin"))!.QueryExecutionId;
    expect(polls.get(failed)).toBe(3);
    expect(out.stderr).toContain(`aws_console_root_login: error RC503: Athena query ${failed} failed: Parser Error: syntax error at or near "FROM"`);
    expect(out.stdout.trimEnd().split("\n").map((l) => (JSON.parse(l) as { rule: string }).rule)).toEqual(["aws_iam_user_created"]);
    expect(out.stderr).toMatch(/1 matches, 2 queries \(1 succeeded, 1 failed\), 0 B scanned, DuckDB engine: billed by the compute used \(DPUs\), not estimated here/);
    expect(out.status).toBe(1);
  });

  it("DuckDB's missing table is one clear message, and no further query starts", async () => {
    proxy.edits.push((call, answer) => {
      const x = answer.QueryExecution as { Status: Record<string, unknown> } | undefined;
      if (call.op === "GetQueryExecution" && x) x.Status = { State: "FAILED", StateChangeReason: "Catalog Error: Table with name cloudtrail_logs does not exist!\nDid you mean \"cloudtrail\"?" };
    });
    const out = await hunt([ROOT, USER, "--workgroup", "duck", "--max-concurrency", "1"]);
    expect(out.stderr).toContain("rulec: athena: the table is not there: Catalog Error: Table with name cloudtrail_logs does not exist!");
    expect(calls("StartQueryExecution")).toHaveLength(1);
    expect(out.status).toBe(1);
  });

  it("a window whose days hold no log file: no matches, a warning, exit 0", async () => {
    proxy.edits.push((call, answer) => {
      const x = answer.QueryExecution as { Status: Record<string, unknown> } | undefined;
      if (call.op === "GetQueryExecution" && x) x.Status = { State: "FAILED", StateChangeReason: `IO Error: No files found that match the pattern "${LOCATION}2025/03/0[1-3]/*.json.gz"` };
    });
    const out = await hunt([ROOT, "--workgroup", "duck", "--from", "2025-03-01", "--to", "2025-03-02", "--location", LOCATION]);
    expect(out.stderr).toMatch(/aws_console_root_login: warning RC420: no log file under s3:\/\/my-trail-bucket\/AWSLogs\/111122223333\/CloudTrail\/us-east-1\/ for the time window/);
    expect(out.stderr).toMatch(/0 matches, 1 query \(1 succeeded\)/);
    expect(out.status).toBe(0);
  });

  it("--athena-engine names the SQL without asking the workgroup", async () => {
    const out = await hunt([ROOT, "--workgroup", "duck", "--athena-engine", "trino"]);
    expect(out.status).toBe(0);
    expect(calls("GetWorkGroup")).toHaveLength(0);
    expect((await executions())[0]!.Query).toContain("json_exists(");
    proxy.clear();
    await server.reset();
    const duck = await hunt([ROOT, "--athena-engine", "duckdb"]);
    expect(duck.status).toBe(0);
    expect(calls("GetWorkGroup")).toHaveLength(0);
    expect((await executions())[0]!.Query).not.toContain("json_exists(");
  });

  it("an engine v3 workgroup gets the Trino queries; --location there is a usage error", async () => {
    const out = await hunt([ROOT, "--workgroup", "primary"]);
    expect(out.status).toBe(0);
    expect(out.stderr).not.toContain("DuckDB");
    expect((await executions())[0]!.Query).toContain("json_exists(");
    const bad = await hunt([ROOT, "--workgroup", "primary", "--location", LOCATION]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--location is read by Athena's DuckDB engine; workgroup primary runs Athena engine version 3");
  });

  it("GetWorkGroup refused: one clear message naming the permission", async () => {
    proxy.hooks.push((call) => (call.op === "GetWorkGroup" ? { status: 400, body: { __type: "AccessDeniedException", message: "User is not authorized to perform: athena:GetWorkGroup" } } : undefined));
    const out = await hunt([ROOT, "--workgroup", "duck"]);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain("allow it, or name the engine with --athena-engine");
    expect(calls("StartQueryExecution")).toHaveLength(0);
  });

  it("--dry-run asks nothing: athena.engine in rulec.config.yml chooses the SQL printed", async () => {
    const lib = join(dir, "lib");
    rmSync(lib, { recursive: true, force: true });
    const { mkdirSync, copyFileSync } = await import("node:fs");
    mkdirSync(lib, { recursive: true });
    copyFileSync(ROOT, join(lib, "root.yml"));
    writeFileSync(join(lib, "rulec.config.yml"), `athena:\n  engine: duckdb\n  location: ${LOCATION}\n`);
    const out = await hunt([lib, "--dry-run", "--since", "24h"]);
    expect(out.status).toBe(0);
    expect(proxy.calls).toHaveLength(0);
    expect(out.stdout).toContain("engine DuckDB");
    expect(out.stdout).toContain(`-- files read: '${LOCATION}' || `);
    expect(out.stdout).toContain("read_json(");
  });
});
