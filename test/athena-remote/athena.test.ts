import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { registerHunt, type HuntDeps } from "../../src/cli/hunt.js";
import { bufferOutput } from "../../src/cli/output.js";
import { formatMatches } from "../../src/hunt/format.js";
import { planAthenaHunt } from "../../src/hunt/athena/index.js";
import { loadRuleFiles } from "../../src/rules/load.js";
import { athenaTarget } from "../../src/targets/athena/index.js";
import { serverName, startAthenaServers, type AthenaServer, type Proxy } from "./servers.js";

/**
 * `rulec hunt --engine athena` against an Athena server over HTTP: the project's Athena stand-in
 * (standin.ts; moto's Athena with RULEC_ATHENA_SERVER=moto) behind a loopback proxy. The server
 * records every StartQueryExecution (the SQL, database, workgroup, result location) and serves
 * seeded results; the proxy adds what the server does not do: FAILED queries, throttling answers,
 * DataScannedInBytes, and GetQueryResults paging (the server ignores MaxResults/NextToken).
 */

const SERVER = serverName();

const ROOT = "rules/aws_console_root_login.yml";
const USER = "rules/aws_iam_user_created.yml";
const TRAIL = "rules/aws_cloudtrail_logging_stopped.yml";

let server: AthenaServer;
let proxy: Proxy;
const dir = mkdtempSync(join(tmpdir(), "rulec-athena-"));

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
});

const FAST: NonNullable<HuntDeps["athenaTuning"]> = {
  poll: { firstMs: 5, factor: 2, maxMs: 40 },
  retry: { attempts: 5, baseMs: 20, maxMs: 200 },
  random: () => 0.5,
};

async function hunt(args: string[], extra: Partial<HuntDeps> = {}, region: string[] = ["--region", "us-east-1"]) {
  const io = bufferOutput();
  let status = 0;
  const program = new Command("rulec").exitOverride().option("--config <file>");
  registerHunt(program, {
    io,
    setStatus: (s) => (status = Math.max(status, s)),
    color: () => ({ enabled: false }),
    loadRules: loadRuleFiles,
    athenaTuning: FAST,
    ...extra,
  });
  await program.parseAsync(["node", "rulec", "hunt", ...args, "--engine", "athena", "--endpoint", proxy.url, ...region]);
  return { stdout: io.stdout, stderr: io.stderr, status };
}

interface Execution {
  QueryExecutionId: string;
  Query: string;
  WorkGroup: string | null;
  QueryExecutionContext?: { Database?: string };
  ResultConfiguration?: { OutputLocation?: string };
  Status: { State: string };
}

/** What the server recorded: every query execution, in submission order. */
async function executions(): Promise<Execution[]> {
  const list = await server.athena<{ QueryExecutionIds: string[] }>("ListQueryExecutions", {});
  const out: Execution[] = [];
  for (const id of list.QueryExecutionIds) out.push((await server.athena<{ QueryExecution: Execution }>("GetQueryExecution", { QueryExecutionId: id })).QueryExecution);
  return out;
}

const col = (Name: string, Type: string) => ({ CatalogName: "hive", SchemaName: "", TableName: "", Name, Label: Name, Type, Precision: 0, Scale: 0, Nullable: "UNKNOWN", CaseSensitive: Type === "varchar" });
const row = (...values: (string | null)[]) => ({ Data: values.map((v) => (v === null ? {} : { VarCharValue: v })) });
const calls = (op: string) => proxy.calls.filter((c) => c.op === op);
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);

describe(`rulec hunt --engine athena on ${SERVER}`, () => {
  it("submits each rule's compiled Athena query (partition-pruned) with database, workgroup and result location", async () => {
    const out = await hunt([ROOT, USER, "--profile", "cloudtrail_logs_pp", "--from", "2024-11-01", "--to", "2024-11-08", "--database", "security", "--table", "trail", "--workgroup", "primary", "--output-location", "s3://results-bucket/rulec/"]);
    expect(out.stderr).toContain("0 matches, 2 queries (2 succeeded)");
    expect(out.status).toBe(0);
    const ex = await executions();
    expect(ex).toHaveLength(2);
    const lib = loadRuleFiles([ROOT, USER]);
    const options = { profile: "cloudtrail_logs_pp", from: "2024-11-01", to: "2024-11-08", database: "security", table: "trail" };
    const plan = planAthenaHunt(lib.rules, options);
    expect(ex.map((e) => e.Query).sort()).toEqual(plan.queries.map((q) => q.sql).sort());
    for (const e of ex) {
      expect(e.WorkGroup).toBe("primary");
      expect(e.QueryExecutionContext).toEqual({ Database: "security" });
      expect(e.ResultConfiguration?.OutputLocation).toBe(`s3://results-bucket/rulec/${e.QueryExecutionId}.csv`); // the server appends <id>.csv
      expect(e.Status.State).toBe("SUCCEEDED");
    }
    // The exact text of one, and that it is the Athena target's query plus the S3 object column.
    const root = ex.find((e) => e.Query.includes("RootLogin"))!.Query;
    expect(root).toBe(
      [
        "-- AWS.CloudTrail.Console.RootLogin: AWS Console Login By The Root User",
        "-- Severity High. Hunt by rulec from aws_console_root_login; table profile cloudtrail_logs_pp.",
        "SELECT",
        '  "$path",',
        '  useridentity.arn AS "userIdentity.arn",',
        '  sourceipaddress AS "sourceIPAddress",',
        '  useragent AS "userAgent",',
        "  json_extract(additionaleventdata, '$.MFAUsed') AS \"additionalEventData.MFAUsed\",",
        '  recipientaccountid AS "recipientAccountId"',
        "FROM security.trail",
        "WHERE \"timestamp\" >= '2024/10/31'",
        "  AND \"timestamp\" <= '2024/11/09'", // CloudTrail files land under the delivery day: one day of slack
        "  AND from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp('2024-11-01T00:00:00Z')",
        "  AND from_iso8601_timestamp(eventtime) < from_iso8601_timestamp('2024-11-08T00:00:00Z')",
        "  AND useridentity.type = 'Root'",
        "  AND eventname = 'ConsoleLogin'",
        "  AND json_exists(responseelements, 'lax $[*][*][*].ConsoleLogin[*][*][*] ? (@ == \"Success\")')",
      ].join("\n"),
    );
    const built = athenaTarget.compile(lib.rules.find((r) => r.name === "aws_console_root_login")!, options).files[0]!.content;
    const body = (sql: string) => sql.split("\n").filter((l) => !l.startsWith("--") && l !== '  "$path",' && l !== "");
    expect(body(root)).toEqual(body(built));
  });

  it("pages GetQueryResults and types values by ResultSetMetadata, in every output format", async () => {
    await server.seedResults([
      {
        column_info: [col("$path", "varchar"), col("useridentity.arn", "varchar"), col("sourceipaddress", "varchar"), col("useragent", "varchar"), col("additionaleventdata.mfaused", "json"), col("recipientaccountid", "varchar"), col("n", "bigint"), col("ok", "boolean"), col("ratio", "double"), col("tags", "array(varchar)")],
        rows: [
          row("$path", "useridentity.arn", "sourceipaddress", "useragent", "additionaleventdata.mfaused", "recipientaccountid", "n", "ok", "ratio", "tags"),
          row("s3://trail/AWSLogs/1/CloudTrail/us-east-1/2024/11/07/a.json.gz", "arn:aws:iam::1:root", "203.0.113.9", "Mozilla", '"No"', "111122223333", "42", "true", "0.5", "[a, b]"),
          row("s3://trail/b.json.gz", "arn:aws:iam::2:root", "198.51.100.7", null, "null", "222233334444", "9007199254740993", "false", "1e3", "[]"),
          row("s3://trail/c.json.gz", "arn:aws:iam::3:root", "192.0.2.1", "curl", '{"a":[1,2]}', null, "-7", null, "NaN", null),
          row("s3://trail/d.json.gz", "arn:aws:iam::4:root", "192.0.2.2", "x,y", null, "4", "0", "true", "-2.25", "[c]"),
          row("s3://trail/e.json.gz", "arn:aws:iam::5:root", "192.0.2.3", 'q"t', '"Yes"', "5", "1", "false", "3", "[d]"),
        ],
      },
    ]);
    proxy.paging = true;
    const out = await hunt([ROOT, "--format", "json"], { athenaTuning: { ...FAST, pageSize: 2 } });
    expect(out.status).toBe(0);
    expect(calls("GetQueryResults").map((c) => [c.body.MaxResults, c.body.NextToken])).toEqual([
      [2, undefined],
      [2, "page-2"],
      [2, "page-4"],
    ]);
    const matches = JSON.parse(out.stdout) as { rule: string; ruleId: string; severity: string; file: string; record: number; fields: Record<string, unknown> }[];
    expect(matches.map((m) => [m.file, m.record])).toEqual([
      ["s3://trail/AWSLogs/1/CloudTrail/us-east-1/2024/11/07/a.json.gz", 0],
      ["s3://trail/b.json.gz", 1],
      ["s3://trail/c.json.gz", 2],
      ["s3://trail/d.json.gz", 3],
      ["s3://trail/e.json.gz", 4],
    ]);
    expect(matches[0]).toEqual({
      rule: "aws_console_root_login",
      ruleId: "AWS.CloudTrail.Console.RootLogin",
      severity: "High",
      file: "s3://trail/AWSLogs/1/CloudTrail/us-east-1/2024/11/07/a.json.gz",
      record: 0,
      // The rule's spelling comes back although Athena lower-cases result columns.
      fields: { "userIdentity.arn": "arn:aws:iam::1:root", sourceIPAddress: "203.0.113.9", userAgent: "Mozilla", "additionalEventData.MFAUsed": "No", recipientAccountId: "111122223333", n: 42, ok: true, ratio: 0.5, tags: "[a, b]" },
    });
    expect(matches.slice(1).map((m) => m.fields)).toEqual([
      { "userIdentity.arn": "arn:aws:iam::2:root", sourceIPAddress: "198.51.100.7", userAgent: null, "additionalEventData.MFAUsed": null, recipientAccountId: "222233334444", n: "9007199254740993", ok: false, ratio: 1000, tags: "[]" },
      { "userIdentity.arn": "arn:aws:iam::3:root", sourceIPAddress: "192.0.2.1", userAgent: "curl", "additionalEventData.MFAUsed": { a: [1, 2] }, recipientAccountId: null, n: -7, ok: null, ratio: "NaN", tags: null },
      { "userIdentity.arn": "arn:aws:iam::4:root", sourceIPAddress: "192.0.2.2", userAgent: "x,y", "additionalEventData.MFAUsed": null, recipientAccountId: "4", n: 0, ok: true, ratio: -2.25, tags: "[c]" },
      { "userIdentity.arn": "arn:aws:iam::5:root", sourceIPAddress: "192.0.2.3", userAgent: 'q"t', "additionalEventData.MFAUsed": "Yes", recipientAccountId: "5", n: 1, ok: false, ratio: 3, tags: "[d]" },
    ]);
    // The other formats are the local hunt's formatter over the same matches.
    for (const format of ["table", "ndjson", "csv"] as const) {
      await server.reset();
      await server.seedResults([{ column_info: [col("$path", "varchar"), col("n", "bigint")], rows: [row("$path", "n"), row("s3://x/1.json.gz", "1")] }]);
      const o = await hunt([ROOT, "--format", format]);
      expect(o.stdout).toBe(formatMatches([{ rule: "aws_console_root_login", ruleId: "AWS.CloudTrail.Console.RootLogin", severity: "High", file: "s3://x/1.json.gz", record: 0, fields: { n: 1 } }], format));
    }
  });

  it("a failed query reports rule, query id and Athena's reason; the other rules still run; exit 1", async () => {
    // The server has no FAILED state: the proxy rewrites the answers for the root-login query.
    proxy.edits.push((call, answer) => {
      const ex = answer.QueryExecution as { Query: string; Status: Record<string, unknown> } | undefined;
      if (call.op === "GetQueryExecution" && ex?.Query.includes("RootLogin")) {
        ex.Status = { State: "FAILED", StateChangeReason: "GENERIC_INTERNAL_ERROR: Access Denied (Service: Amazon S3; Status Code: 403)" };
      }
    });
    await server.seedResults([0, 1, 2].map(() => ({ column_info: [col("$path", "varchar")], rows: [row("$path"), row("s3://t/x.json.gz")] })));
    const out = await hunt([ROOT, USER, TRAIL, "--format", "ndjson", "--max-concurrency", "1"]);
    const failedId = (await executions()).find((e) => e.Query.includes("RootLogin"))!.QueryExecutionId;
    expect(out.stderr).toContain(`aws_console_root_login: error RC503: Athena query ${failedId} failed: GENERIC_INTERNAL_ERROR: Access Denied (Service: Amazon S3; Status Code: 403)`);
    expect(out.stdout.trimEnd().split("\n").map((l) => (JSON.parse(l) as { rule: string }).rule).sort()).toEqual(["aws_cloudtrail_logging_stopped", "aws_iam_user_created"]);
    expect(out.stderr).toMatch(/2 matches, 3 queries \(2 succeeded, 1 failed\)/);
    expect(out.status).toBe(1);
    noStack(out.stderr);
  });

  it("a query cancelled outside rulec is reported as cancelled with its reason", async () => {
    proxy.edits.push((call, answer) => {
      const ex = answer.QueryExecution as { Query: string; Status: Record<string, unknown> } | undefined;
      if (call.op === "GetQueryExecution" && ex?.Query.includes("UserCreated")) ex.Status = { State: "CANCELLED", StateChangeReason: "Query cancelled by user" };
    });
    const out = await hunt([ROOT, USER]);
    expect(out.stderr).toMatch(/aws_iam_user_created: error RC503: Athena query [0-9a-f-]{36} cancelled: Query cancelled by user/);
    expect(out.status).toBe(1);
  });

  it("a missing table is one clear message and no further queries are started", async () => {
    proxy.edits.push((call, answer) => {
      const ex = answer.QueryExecution as { Status: Record<string, unknown> } | undefined;
      if (call.op === "GetQueryExecution" && ex) ex.Status = { State: "FAILED", StateChangeReason: "TABLE_NOT_FOUND: line 9:6: Table 'awsdatacatalog.default.cloudtrail_logs' does not exist" };
    });
    const out = await hunt([ROOT, USER, TRAIL, "--max-concurrency", "1"]);
    expect(out.stderr).toContain("rulec: athena: the table is not there: TABLE_NOT_FOUND: line 9:6: Table 'awsdatacatalog.default.cloudtrail_logs' does not exist. Create it (docs/athena.md)");
    expect(out.stderr.match(/does not exist/g)).toHaveLength(1);
    expect(calls("StartQueryExecution")).toHaveLength(1);
    expect(out.stdout).toBe("");
    expect(out.status).toBe(1);
    noStack(out.stderr);
  });

  it("an unknown workgroup is one clear message (the server's own answer), whichever call refuses it", async () => {
    // Athena refuses an unknown workgroup on GetWorkGroup and on StartQueryExecution ("WorkGroup is
    // not found"), as the stand-in does; moto answers GetWorkGroup with no workgroup and refuses the
    // query ("WorkGroup does not exist"). --athena-engine skips GetWorkGroup: the query is refused.
    for (const engine of [[], ["--athena-engine", "trino"]]) {
      proxy.clear();
      const out = await hunt([ROOT, USER, "--workgroup", "nope", ...engine]);
      expect(out.stderr).toMatch(/rulec: athena: workgroup 'nope' is not usable in us-east-1: WorkGroup (is not found|does not exist)\. Pass --workgroup or set athena\.workgroup in rulec\.config\.yml\n/);
      expect(out.stderr.match(/WorkGroup (is not found|does not exist)/g)).toHaveLength(1);
      expect(proxy.calls.filter((c) => c.status === 400).length).toBeGreaterThan(0);
      expect(calls("StartQueryExecution").every((c) => c.status === 400)).toBe(true);
      if (engine.length > 0) expect(calls("StartQueryExecution").length).toBeGreaterThan(0);
      expect(await executions()).toEqual([]);
      expect(out.status).toBe(1);
      noStack(out.stderr);
    }
    // A workgroup that exists is used.
    await server.athena("CreateWorkGroup", { Name: "security", Configuration: {} });
    proxy.clear();
    expect((await hunt([ROOT, "--workgroup", "security"])).status).toBe(0);
    expect((await executions())[0]!.WorkGroup).toBe("security");
  });

  it("missing credentials are one clear message, before any call reaches the server", async () => {
    const keys = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"];
    const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
    try {
      for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) delete process.env[k];
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, "no-credentials");
      process.env.AWS_CONFIG_FILE = join(dir, "no-config");
      const out = await hunt([ROOT, USER]);
      expect(out.stderr).toContain("rulec: athena: no AWS credentials found. Set AWS_PROFILE");
      expect(proxy.calls).toHaveLength(0);
      expect(out.status).toBe(1);
      noStack(out.stderr);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it("a missing region is one clear message; --region or AWS_REGION supplies it", async () => {
    const keys = ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_PROFILE"];
    const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
    try {
      for (const k of keys) delete process.env[k];
      process.env.AWS_CONFIG_FILE = join(dir, "no-config");
      const out = await hunt([ROOT], {}, []);
      expect(out.stderr).toContain("rulec: athena: no AWS region. Pass --region, set athena.region in rulec.config.yml, or set AWS_REGION\n");
      expect(out.status).toBe(1);
      noStack(out.stderr);
      expect(proxy.calls).toHaveLength(0);
      process.env.AWS_REGION = "us-east-1";
      expect((await hunt([ROOT], {}, [])).status).toBe(0);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it("retries ThrottlingException and TooManyRequestsException with jittered backoff", async () => {
    let throttled = 0;
    proxy.hooks.push((call) => {
      if (call.op === "StartQueryExecution" && throttled === 0) {
        throttled++;
        return { status: 400, body: { __type: "ThrottlingException", message: "Rate exceeded" } };
      }
      if (call.op === "GetQueryExecution" && throttled === 1) {
        throttled++;
        return { status: 400, body: { __type: "TooManyRequestsException", message: "Rate exceeded", Reason: "CONCURRENT_QUERY_LIMIT_EXCEEDED" } };
      }
      return undefined;
    });
    const waits: number[] = [];
    const out = await hunt([ROOT, "--format", "json"], { athenaTuning: { ...FAST, random: () => (waits.push(0), 0.25) } });
    expect(out.status).toBe(0);
    expect(throttled).toBe(2);
    expect(waits).toHaveLength(2);
    expect(proxy.calls.map((c) => `${c.op} ${c.status}`)).toEqual([
      // The workgroup's engine decides the SQL sent.
      "GetWorkGroup 200",
      "StartQueryExecution 400",
      "StartQueryExecution 200",
      "GetQueryExecution 400",
      "GetQueryExecution 200",
      "GetQueryResults 200",
    ]);
    expect((await executions()).map((e) => e.Status.State)).toEqual(["SUCCEEDED"]);
  });

  it("gives up on a call still throttled after the last attempt: that rule fails, exit 1", async () => {
    proxy.hooks.push((call) => (call.op === "StartQueryExecution" && String(call.body.QueryString).includes("RootLogin") ? { status: 400, body: { __type: "ThrottlingException", message: "Rate exceeded" } } : undefined));
    const out = await hunt([ROOT, USER]);
    expect(calls("StartQueryExecution").filter((c) => c.status === 400)).toHaveLength(5);
    expect(out.stderr).toContain("aws_console_root_login: error RC503: Athena query (not started) could not run: ThrottlingException: Rate exceeded");
    expect(out.stderr).toMatch(/1 succeeded, 1 error/);
    expect(out.status).toBe(1);
  });

  it("summarises data scanned, run time and approximate cost per query and in total", async () => {
    const scanned: Record<string, [number, number]> = { RootLogin: [1_500_000_000_000, 61_000], UserCreated: [123_456, 1_200], LoggingStopped: [0, 300] };
    proxy.edits.push((call, answer) => {
      const ex = answer.QueryExecution as { Query: string; Statistics: Record<string, number> } | undefined;
      if (call.op !== "GetQueryExecution" || !ex) return;
      const key = Object.keys(scanned).find((k) => ex.Query.includes(k))!;
      ex.Statistics = { ...ex.Statistics, DataScannedInBytes: scanned[key]![0], TotalExecutionTimeInMillis: scanned[key]![1] };
    });
    const out = await hunt([ROOT, USER, TRAIL, "--max-concurrency", "2"]);
    expect(out.status).toBe(0);
    const ids = new Map((await executions()).map((e) => [Object.keys(scanned).find((k) => e.Query.includes(k))!, e.QueryExecutionId]));
    const lines = out.stderr.trimEnd().split("\n").filter((l) => !l.startsWith("rulec: time window"));
    expect(lines[0]).toMatch(/^rule +query id +state +scanned +time +rows$/);
    const line = (rule: string, key: string, bytes: string, time: string) => new RegExp(`^${rule} +${ids.get(key)} +SUCCEEDED +${bytes} +${time} +0$`);
    expect(lines.slice(1, 4).sort()).toEqual(expect.arrayContaining([expect.stringMatching(line("aws_console_root_login", "RootLogin", "1\\.36 TB", "61\\.0 s"))]));
    expect(lines.some((l) => line("aws_iam_user_created", "UserCreated", "121 KB", "1\\.2 s").test(l))).toBe(true);
    expect(lines.some((l) => line("aws_cloudtrail_logging_stopped", "LoggingStopped", "0 B", "0\\.3 s").test(l))).toBe(true);
    // 1.5 TB + two 10 MB minimums: (1_500_000_000_000 rounded up to MB + 2 * 10 MB) * $5 / 10^12 = $7.5002...
    expect(lines[4]).toMatch(/^0 matches, 3 queries \(3 succeeded\), 1\.36 TB scanned, ~\$7\.50 at \$5\/TB, \d+\.\d s in all$/);
  });

  it("draws a progress bar on standard error when it is a terminal, and erases it", async () => {
    const io = bufferOutput();
    const program = new Command("rulec").exitOverride();
    registerHunt(program, { io: { ...io, out: io.out, err: io.err, interactive: true }, setStatus: () => {}, color: () => ({ enabled: false }), loadRules: loadRuleFiles, athenaTuning: FAST });
    await program.parseAsync(["node", "rulec", "hunt", ROOT, USER, "--engine", "athena", "--endpoint", proxy.url, "--region", "us-east-1", "--format", "json"]);
    const frames = io.stderr.split("\r").filter((f) => f.startsWith("running rules"));
    expect(frames).toEqual(["running rules [..............................] 0%", "running rules [###############...............] 50%", "running rules [##############################] 100%"]);
    expect(io.stderr).toMatch(/\r {40,}\r/);
    expect(JSON.parse(io.stdout)).toEqual([]);
  });

  it("Ctrl-C stops the running queries (StopQueryExecution) and exits 130", async () => {
    await server.holdQueries(true); // executions stay QUEUED
    let interrupt: (() => void) | undefined;
    const started: string[] = [];
    const out = await hunt([ROOT, USER, TRAIL, "--max-concurrency", "2"], {
      onInterrupt: (h) => {
        interrupt = h;
        return () => (interrupt = undefined);
      },
      athenaTuning: {
        ...FAST,
        onStarted: (_rule, id) => {
          started.push(id);
          if (started.length === 2) setTimeout(() => interrupt?.(), 50);
        },
      },
    });
    expect(out.status).toBe(130);
    expect(interrupt).toBeUndefined(); // unhooked
    expect(calls("StopQueryExecution").map((c) => c.body.QueryExecutionId).sort()).toEqual([...started].sort());
    await server.holdQueries(false);
    const ex = await executions();
    expect(ex).toHaveLength(2); // the third rule was never submitted
    expect(ex.map((e) => e.Status.State)).toEqual(["CANCELLED", "CANCELLED"]);
    expect(out.stderr).toContain("rulec: interrupted: the running queries were stopped (StopQueryExecution)");
    expect(out.stderr).toMatch(/3 queries \(2 cancelled, 1 not run\)/);
  });

  it("a real SIGINT to the rulec process stops the queries before it exits", async () => {
    await server.holdQueries(true);
    const child = spawn(process.execPath, ["--import", "tsx", "test/athena-remote/cli-entry.ts", "hunt", ROOT, USER, "--engine", "athena", "--endpoint", proxy.url, "--region", "us-east-1"], {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    const deadline = Date.now() + 30_000;
    while (calls("GetQueryExecution").length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(calls("StopQueryExecution")).toHaveLength(2);
    await server.holdQueries(false);
    expect((await executions()).map((e) => e.Status.State)).toEqual(["CANCELLED", "CANCELLED"]);
    expect(stderr).toContain("rulec: interrupted: stopping the running Athena queries...");
  });

  it("reads database, table, workgroup, result location and window from rulec.config.yml; flags win", async () => {
    const lib = join(dir, "lib");
    const rules = join(lib, "rules");
    await import("node:fs").then((fs) => {
      fs.mkdirSync(rules, { recursive: true });
      fs.copyFileSync(ROOT, join(rules, "root.yml"));
    });
    writeFileSync(join(lib, "rulec.config.yml"), "athena:\n  database: audit\n  table: ct\n  workgroup: analysts\n  outputLocation: s3://cfg-results/\n  since: 7d\n  maxConcurrency: 2\n");
    await server.athena("CreateWorkGroup", { Name: "analysts", Configuration: {} });
    const out = await hunt([rules]);
    expect(out.status).toBe(0);
    let [e] = await executions();
    expect(e!.Query).toContain("FROM audit.ct\nWHERE concat(year, '/', month, '/', day) >= date_format(current_timestamp - INTERVAL '7' DAY - INTERVAL '1' DAY, '%Y/%m/%d')");
    expect([e!.WorkGroup, e!.QueryExecutionContext?.Database, e!.ResultConfiguration?.OutputLocation]).toEqual(["analysts", "audit", `s3://cfg-results/${e!.QueryExecutionId}.csv`]);
    await server.reset();
    const flags = await hunt([rules, "--table", "other", "--workgroup", "primary", "--from", "2024-01-02"]);
    expect(flags.status).toBe(0);
    [e] = await executions();
    expect(e!.Query).toContain("FROM audit.other\nWHERE concat(year, '/', month, '/', day) >= '2024/01/01'\n  AND from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp('2024-01-02T00:00:00Z')\n");
    expect(e!.Query).not.toContain("INTERVAL '7' DAY");
    expect(e!.WorkGroup).toBe("primary");
  });
});
