import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { registerHunt } from "../../src/cli/hunt.js";
import { bufferOutput } from "../../src/cli/output.js";
import {
  billedBytes,
  classifyError,
  costUsd,
  engineOf,
  formatDryRun,
  formatBytes,
  formatUsd,
  isHeaderRow,
  missingTable,
  planAthenaHunt,
  runAthenaHunt,
  typedValue,
  workgroupSql,
  type AthenaApi,
} from "../../src/hunt/athena/index.js";
import { loadRuleFiles, loadRuleText } from "../../src/rules/load.js";
import { defaultProfile } from "../../src/targets/athena/profile.js";
import { trinoErrors } from "../athena/trino.js";

/** The pure parts of an Athena hunt (no AWS, no Athena server): planning, typing, cost, errors, the CLI's checks. */

const dir = mkdtempSync(join(tmpdir(), "rulec-athena-plan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROOT = "rules/aws_console_root_login.yml";

async function cli(args: string[]) {
  const io = bufferOutput();
  let status = 0;
  const program = new Command("rulec").exitOverride().option("--config <file>").configureOutput({ writeOut: io.out, writeErr: io.err });
  registerHunt(program, { io, setStatus: (s) => (status = Math.max(status, s)), color: () => ({ enabled: false }), loadRules: loadRuleFiles });
  try {
    await program.parseAsync(["node", "rulec", ...args]);
  } catch (e) {
    return { stdout: io.stdout, stderr: io.stderr, status: 2, error: e };
  }
  return { stdout: io.stdout, stderr: io.stderr, status };
}

describe("planAthenaHunt: partition predicates of each layout", () => {
  const rules = loadRuleFiles([ROOT]).rules;
  const day = "concat(year, '/', month, '/', day)";
  it.each([
    [{ since: "24h" }, [`${day} >= date_format(current_timestamp - INTERVAL '24' HOUR - INTERVAL '1' DAY, '%Y/%m/%d')`]],
    [{ since: "2w" }, [`${day} >= date_format(current_timestamp - INTERVAL '14' DAY - INTERVAL '1' DAY, '%Y/%m/%d')`]],
    [{ from: "2024-11-01", to: "2024-11-08" }, [`${day} >= '2024/10/31'`, `${day} <= '2024/11/09'`]],
    [{ to: "2024-11-08T12:00:00Z" }, [`${day} <= '2024/11/09'`]],
    [{ profile: "cloudtrail_logs_pp", since: "90m" }, [`"timestamp" >= date_format(current_timestamp - INTERVAL '90' MINUTE - INTERVAL '1' DAY, '%Y/%m/%d')`]],
    [{ profile: "cloudtrail_logs_pp", from: "2024-01-01" }, [`"timestamp" >= '2023/12/31'`]],
    [{ profile: "panther", since: "24h" }, []],
    [{}, []],
  ])("%j", (options, predicates) => {
    const plan = planAthenaHunt(rules, options);
    expect(plan.ruleErrors).toEqual([]);
    const q = plan.queries[0]!;
    expect(q.partitions).toEqual(predicates);
    for (const p of predicates) expect(q.sql).toContain(p);
    expect(q.sql).toContain('SELECT\n  "$path",\n');
    expect(q.sql.endsWith(";")).toBe(false);
  });

  it("an unusable window or layout is that rule's error", () => {
    expect(planAthenaHunt(rules, { profile: "generic", since: "24h" }).ruleErrors).toEqual([{ rule: "aws_console_root_login", message: "the table profile 'generic' has no time column for a time window" }]);
    expect(planAthenaHunt(rules, { since: "yesterday" }).ruleErrors[0]!.message).toMatch(/^invalid --since 'yesterday'/);
    expect(planAthenaHunt(rules, { profile: "no_such_layout" }).ruleErrors[0]!.message).toMatch(/^unknown table profile 'no_such_layout'/);
  });

  it("a layout another log type has leaves a rule on its own log type's default table", () => {
    const okta = loadRuleText('RuleID: Okta.Test\nDisplayName: Okta test\nLogTypes: [Okta.SystemLog]\nSeverity: Low\nCondition: eventType eq "user.session.start"\n', "rules/okta_test.yml").rule!;
    const plan = planAthenaHunt([okta, rules[0]!], { profile: "cloudtrail_logs_pp", since: "24h" });
    expect(plan.ruleErrors).toEqual([]);
    expect(plan.queries.map((q) => q.profile)).toEqual([defaultProfile("Okta.SystemLog").name, "cloudtrail_logs_pp"]);
    expect(plan.queries[0]!.sql).toContain('FROM "default".okta_systemlog');
  });

  it("every shipped rule's hunt query is valid Trino SQL (strict grammar), in every partitioned layout", () => {
    const all = loadRuleFiles(["rules"]).rules;
    for (const options of [{ since: "24h" }, { profile: "cloudtrail_logs_pp", from: "2024-11-01", to: "2024-11-08T12:00:00Z" }, { profile: "panther", since: "7d" }]) {
      const plan = planAthenaHunt(all, options);
      expect(plan.queries.length + plan.ruleErrors.length).toBe(all.length);
      for (const q of plan.queries) expect(trinoErrors(q.sql), `${q.rule.name} ${JSON.stringify(options)}`).toEqual([]);
    }
    expect(planAthenaHunt(all, { since: "24h" }).queries).toHaveLength(all.length);
  });

  it("database and table override the profile's", () => {
    expect(planAthenaHunt(rules, { database: "sec", table: "Trail-1" }).queries[0]!.sql).toContain('\nFROM sec."Trail-1"\n');
  });
});

describe("typed values from ResultSetMetadata", () => {
  it.each([
    ["true", "boolean", true],
    ["false", "boolean", false],
    ["42", "integer", 42],
    ["-9", "bigint", -9],
    ["9007199254740993", "bigint", "9007199254740993"],
    ["7", "tinyint", 7],
    ["1.5", "double", 1.5],
    ["2.50", "decimal(10,2)", 2.5],
    ["Infinity", "double", "Infinity"],
    ["3.25", "real", 3.25],
    ['{"a":[1,"x"]}', "json", { a: [1, "x"] }],
    ["not json", "json", "not json"],
    ["[a, b]", "array(varchar)", "[a, b]"],
    ["2024-11-07 09:00:00.000", "timestamp(3)", "2024-11-07 09:00:00.000"],
    ["0123", "varchar", "0123"],
    [undefined, "varchar", null],
    [undefined, "bigint", null],
  ] as const)("%s as %s", (text, type, want) => {
    expect(typedValue(text, type)).toEqual(want);
  });

  it("recognises Athena's header row", () => {
    const cols = [{ name: "$path", type: "varchar" }, { name: "n", type: "bigint" }];
    expect(isHeaderRow(["$path", "n"], cols)).toBe(true);
    expect(isHeaderRow(["s3://x", "n"], cols)).toBe(false);
  });
});

describe("cost and sizes", () => {
  it("bills $5/TB, rounded up to the MB, 10 MB minimum; failed queries are free", () => {
    expect(billedBytes({ outcome: "SUCCEEDED", scannedBytes: 0 })).toBe(10 * 1024 * 1024);
    expect(billedBytes({ outcome: "SUCCEEDED", scannedBytes: 20 * 1024 * 1024 + 1 })).toBe(21 * 1024 * 1024);
    expect(billedBytes({ outcome: "FAILED", scannedBytes: 5e9 })).toBe(0);
    expect(billedBytes({ outcome: "CANCELLED", scannedBytes: 2e12 })).toBe(Math.ceil(2e12 / 1048576) * 1048576);
    expect(costUsd(1e12)).toBe(5);
    expect(formatUsd(costUsd(10 * 1024 * 1024))).toBe("<$0.0001");
    expect(formatUsd(costUsd(1e9))).toBe("$0.0050");
    expect(formatUsd(12.345)).toBe("$12.35");
    expect([0, 999, 1024, 1536, 10 * 1048576, 1.5e12].map(formatBytes)).toEqual(["0 B", "999 B", "1.00 KB", "1.50 KB", "10.0 MB", "1.36 TB"]);
  });
});

describe("classifyError", () => {
  const ctx = { workgroup: "wg", region: "eu-west-1" };
  const err = (name: string, message: string, extra: object = {}) => Object.assign(new Error(message), { name }, extra);
  it.each([
    [err("ThrottlingException", "Rate exceeded"), "retry"],
    [err("TooManyRequestsException", "Rate exceeded"), "retry"],
    [err("InternalServerException", "oops"), "retry"],
    [err("Whatever", "bad gateway", { $metadata: { httpStatusCode: 503 } }), "retry"],
    [err("CredentialsProviderError", "Could not load credentials from any providers"), "fatal"],
    [err("Error", "Region is missing"), "fatal"],
    [err("InvalidRequestException", "WorkGroup wg is not found."), "fatal"],
    [err("UnrecognizedClientException", "The security token included in the request is invalid."), "fatal"],
    [err("AccessDeniedException", "not authorized to perform: athena:StartQueryExecution"), "fatal"],
    [err("TypeError", "fetch failed", { code: "ECONNREFUSED" }), "fatal"],
    [err("InvalidRequestException", "Query string too long"), "rule"],
  ])("%s -> %s", (e, kind) => {
    expect(classifyError(e, ctx).kind).toBe(kind);
  });

  it("recognises a missing table, schema or database in Athena's reasons", () => {
    expect(missingTable("TABLE_NOT_FOUND: line 9:6: Table 'awsdatacatalog.default.cloudtrail_logs' does not exist")).toBe(true);
    expect(missingTable("SCHEMA_NOT_FOUND: line 1:15: Schema 'security' does not exist")).toBe(true);
    expect(missingTable("SYNTAX_ERROR: line 1:15: Table awsdatacatalog.default.x does not exist")).toBe(true);
    expect(missingTable("GENERIC_INTERNAL_ERROR: Access Denied")).toBe(false);
    expect(missingTable("COLUMN_NOT_FOUND: line 3:3: Column 'x' cannot be resolved")).toBe(false);
  });
});

describe("runAthenaHunt on an in-memory Athena", () => {
  it("never runs more than --max-concurrency queries at once, and polls until each ends", async () => {
    let inFlight = 0;
    let peak = 0;
    const polls = new Map<string, number>();
    let n = 0;
    const api: AthenaApi = {
      async start() {
        inFlight++;
        peak = Math.max(peak, inFlight);
        const id = `q${n++}`;
        polls.set(id, 0);
        return id;
      },
      async status(id) {
        const k = polls.get(id)! + 1;
        polls.set(id, k);
        if (k < 3) return { state: k === 1 ? "QUEUED" : "RUNNING", scannedBytes: 0 };
        inFlight--;
        return { state: "SUCCEEDED", scannedBytes: 100, runMs: 5 };
      },
      async results() {
        return { columns: [{ name: "$path", type: "varchar" }], rows: [["$path"], ["s3://x"]] };
      },
      async stop() {},
    };
    const rules = loadRuleFiles(["rules"]).rules;
    const plan = planAthenaHunt(rules, { since: "1d" });
    const progress: number[] = [];
    const result = await runAthenaHunt(api, plan.queries, { workgroup: "primary", maxConcurrency: 3, poll: { firstMs: 1, factor: 2, maxMs: 4 }, onProgress: (p) => progress.push(p.done) });
    expect(peak).toBe(3);
    expect([...polls.values()].every((k) => k === 3)).toBe(true);
    expect(result.reports.map((r) => r.outcome)).toEqual(plan.queries.map(() => "SUCCEEDED"));
    expect(result.matches).toHaveLength(plan.queries.length);
    expect(progress.at(-1)).toBe(plan.queries.length);
    expect(plan.queries.length).toBeGreaterThan(20);
  });
});

describe("rulec hunt: engines and flags", () => {
  it("--engine athena --dry-run prints every rule's partition-pruned query without AWS or credentials", async () => {
    const saved = process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_ACCESS_KEY_ID;
    try {
      const out = await cli(["hunt", "rules", "--engine", "athena", "--dry-run", "--since", "24h", "--endpoint", "http://127.0.0.1:9"]);
      const rules = loadRuleFiles(["rules"]).rules;
      expect(out.status).toBe(0);
      expect(out.stdout.match(/^-- rule /gm)).toHaveLength(rules.length);
      // CloudTrail's default table is partitioned by year/month/day, most others by a projected date;
      // AWS's documented tables for GuardDuty, Route 53 Resolver, VPC Flow, ALB and S3 access logs, and
      // Security Lake's OCSF table, are not (filtered on time only).
      const cloudtrail = rules.filter((r) => r.logTypes[0] === "AWS.CloudTrail").length;
      const unpartitioned = rules.filter((r) => defaultProfile(r.logTypes[0]).partitions.kind === "none").length;
      expect(unpartitioned).toBe(rules.filter((r) => ["AWS.GuardDuty", "AWS.VPCDns", "AWS.VPCFlow", "AWS.ALB", "AWS.S3ServerAccess", "OCSF.NetworkActivity"].includes(r.logTypes[0]!)).length);
      expect(out.stdout.match(/^-- partition predicate: concat\(year, '\/', month, '\/', day\) >= date_format\(current_timestamp - INTERVAL '24' HOUR - INTERVAL '1' DAY, '%Y\/%m\/%d'\)$/gm)).toHaveLength(cloudtrail);
      expect(out.stdout.match(/^-- partition predicate: "?(dt|date)"? >= date_format\(current_timestamp - INTERVAL '24' HOUR - INTERVAL '1' DAY, '[^']*'\)$/gm)).toHaveLength(rules.length - cloudtrail - unpartitioned);
      expect(out.stdout.match(/;\n/g)).toHaveLength(rules.length);
      expect(out.stderr).toBe(`${rules.length} queries for Athena (workgroup primary); dry run: nothing was submitted\n`);
    } finally {
      if (saved !== undefined) process.env.AWS_ACCESS_KEY_ID = saved;
    }
  });

  it("without a window an Athena hunt covers the last 24h, and says so", async () => {
    const out = await cli(["hunt", ROOT, "--engine", "athena", "--dry-run", "--workgroup", "wg", "--output-location", "s3://b/p/"]);
    expect(out.stdout).toContain(
      "-- rule aws_console_root_login (AWS.CloudTrail.Console.RootLogin), table profile cloudtrail_logs, workgroup wg, results to s3://b/p/\n-- partition predicate: concat(year, '/', month, '/', day) >= date_format(current_timestamp - INTERVAL '24' HOUR - INTERVAL '1' DAY, '%Y/%m/%d')\n",
    );
    expect(out.stderr).toContain("rulec: time window: the last 24h (the default for Athena; --since, --from and --to choose another)\n");
    // A layout without partitions is scanned whole within the window; the dry run says so.
    const panther = await cli(["hunt", ROOT, "--engine", "athena", "--dry-run", "--profile", "panther", "--since", "7d"]);
    expect(panther.stdout).toContain("-- partition predicates: none (no time window, or the table has no partitions): every partition is scanned\n");
    expect(panther.stdout).toContain("WHERE p_event_time >= current_timestamp - INTERVAL '7' DAY\n");
  });

  it("--logs is required only for duckdb; athena flags need --engine athena", async () => {
    expect(await cli(["hunt", ROOT])).toMatchObject({ status: 2, stderr: "rulec: --logs <files...> is required with the duckdb engine (the default); to hunt in S3 use --engine athena\n" });
    expect(await cli(["hunt", ROOT, "--logs", "x.json", "--dry-run", "--workgroup", "w"])).toMatchObject({ status: 2, stderr: "rulec: --dry-run, --workgroup only apply with --engine athena\n" });
    expect(await cli(["hunt", ROOT, "--engine", "athena", "--logs", "x.json"])).toMatchObject({ status: 2 });
    expect(await cli(["hunt", ROOT, "--engine", "bigquery"])).toMatchObject({ status: 2, stderr: expect.stringContaining("argument 'bigquery' is invalid. Allowed choices are duckdb, athena") });
  });

  it("bad window, concurrency and result location are one usage error", async () => {
    expect(await cli(["hunt", "rules", "--engine", "athena", "--dry-run", "--since", "soon"])).toMatchObject({
      status: 2,
      stdout: "",
      stderr: "rulec: --since 'soon' is not a window: a number and m, h, d or w (90m, 24h, 7d, 2w)\n",
    });
    expect(await cli(["hunt", ROOT, "--engine", "athena", "--max-concurrency", "0"])).toMatchObject({ status: 2, stderr: "rulec: --max-concurrency must be a whole number from 1 to 999, not '0'\n" });
    expect(await cli(["hunt", ROOT, "--engine", "athena", "--output-location", "/tmp/x"])).toMatchObject({ status: 2, stderr: "rulec: the output location must be an S3 URI (s3://bucket/prefix/), not '/tmp/x'\n" });
  });

  it("uses rulec.config.yml's athena section, reports its errors with a position, and flags win", async () => {
    const lib = join(dir, "lib");
    mkdirSync(join(lib, "rules"), { recursive: true });
    writeFileSync(join(lib, "rules", "r.yml"), "RuleID: T.1\nDisplayName: t\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nCondition: 'eventName eq \"X\"'\n");
    writeFileSync(join(lib, "rulec.config.yml"), "athena:\n  profile: cloudtrail_logs_pp\n  database: audit\n  workgroup: sec\n  from: '2024-05-02'\n");
    const out = await cli(["hunt", join(lib, "rules"), "--engine", "athena", "--dry-run"]);
    expect(out.stdout).toContain("table profile cloudtrail_logs_pp, workgroup sec\n-- partition predicate: \"timestamp\" >= '2024/05/01'\n");
    expect(out.stdout).toContain("FROM audit.cloudtrail_logs_pp\n");
    const flags = await cli(["hunt", join(lib, "rules"), "--engine", "athena", "--dry-run", "--profile", "cloudtrail_logs", "--since", "1h", "--workgroup", "other"]);
    expect(flags.stdout).toContain("table profile cloudtrail_logs, workgroup other\n-- partition predicate: concat(year, '/', month, '/', day) >= date_format(current_timestamp - INTERVAL '1' HOUR");
    expect(flags.stdout).not.toContain("2024-05-02");
    writeFileSync(join(lib, "rulec.config.yml"), "athena:\n  maxConcurrency: many\n");
    const bad = await cli(["hunt", join(lib, "rules"), "--engine", "athena", "--dry-run"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("rulec.config.yml:2:19: error RC502: athena.maxConcurrency must be a whole number above 0");
  });
});

describe("Athena's DuckDB engine: planning and running", () => {
  const rules = loadRuleFiles([ROOT]).rules;
  const LOCATION = "s3://trail/AWSLogs/111122223333/CloudTrail/us-east-1/";

  it("a workgroup's engine version decides the SQL: DuckDB, or Trino for anything else", () => {
    expect(engineOf({ selected: "DuckDB", effective: "DuckDB" })).toBe("duckdb");
    expect(engineOf({ selected: "DuckDB" })).toBe("duckdb");
    expect(engineOf({ selected: "AUTO", effective: "Athena engine version 3" })).toBe("trino");
    expect(engineOf({ selected: "DuckDB", effective: "Athena engine version 3" })).toBe("trino");
    expect(engineOf({})).toBe("trino");
  });

  it("plans the DuckDB statement over the table (partition filters, no path column) or over the files (filename as the path)", () => {
    const table = planAthenaHunt(rules, { engine: "duckdb", from: "2024-11-01", to: "2024-11-08" });
    expect(table.ruleErrors).toEqual([]);
    const q = table.queries[0]!;
    expect(q.engine).toBe("duckdb");
    expect(q.sql).not.toContain('"$path"');
    expect(q.partitions).toEqual(["concat(year, '/', month, '/', day) >= '2024/10/31'", "concat(year, '/', month, '/', day) <= '2024/11/09'"]);
    const files = planAthenaHunt(rules, { engine: "duckdb", from: "2024-11-01", to: "2024-11-08", location: LOCATION }).queries[0]!;
    expect(files.sql).toContain(`filename AS "$path"`);
    expect(files.files).toBe(`'${LOCATION}2024/1[01]/[03][1-9]/*.json.gz'`);
    expect(files.partitions).toEqual([]);
    expect(formatDryRun({ queries: [files], ruleErrors: [] }, { workgroup: "duck" })).toContain(`engine DuckDB\n-- files read: '${LOCATION}2024/1[01]/[03][1-9]/*.json.gz' (the days of the time window)\n`);
    expect(planAthenaHunt(rules, { location: LOCATION }).ruleErrors[0]!.message).toMatch(/read only by Athena's DuckDB engine/);
  });

  it("DuckDB's messages: a missing table ends the hunt; a window without files is no match", async () => {
    expect(missingTable("Catalog Error: Table with name cloudtrail_logs does not exist!")).toBe(true);
    expect(missingTable("Catalog Error: Schema with name security does not exist!")).toBe(true);
    expect(missingTable("Binder Error: Referenced column \"x\" not found")).toBe(false);
    const plan = planAthenaHunt(rules, { engine: "duckdb", since: "1d", location: LOCATION });
    const api: AthenaApi = {
      async start() {
        return "q1";
      },
      async status() {
        return { state: "FAILED", reason: `IO Error: No files found that match the pattern "${LOCATION}2024/11/0[12]/*.json.gz"`, scannedBytes: 0 };
      },
      async results() {
        throw new Error("no results for a failed query");
      },
      async stop() {},
    };
    const result = await runAthenaHunt(api, plan.queries, { workgroup: "duck", poll: { firstMs: 1, factor: 2, maxMs: 4 } });
    expect(result.reports.map((r) => [r.outcome, r.rows, r.noFiles])).toEqual([["SUCCEEDED", 0, `IO Error: No files found that match the pattern "${LOCATION}2024/11/0[12]/*.json.gz"`]]);
    expect(result.matches).toEqual([]);
    // Over the table the same message is a failure of that query (not a missing table).
    const tablePlan = planAthenaHunt(rules, { engine: "duckdb", since: "1d" });
    const failed = await runAthenaHunt(api, tablePlan.queries, { workgroup: "duck", poll: { firstMs: 1, factor: 2, maxMs: 4 } });
    expect(failed.reports.map((r) => r.outcome)).toEqual(["FAILED"]);
  });

  it("the workgroup's engine is asked once; throttling is retried; other failures are fatal with the reason", async () => {
    let asked = 0;
    const api = (fail: (n: number) => Error | undefined): AthenaApi => ({
      async workgroupEngine() {
        asked++;
        const e = fail(asked);
        if (e) throw e;
        return { selected: "DuckDB", effective: "DuckDB" };
      },
      async start() {
        return "";
      },
      async status() {
        return { state: "SUCCEEDED", scannedBytes: 0 };
      },
      async results() {
        return { columns: [], rows: [] };
      },
      async stop() {},
    });
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    expect(await workgroupSql(api((n) => (n < 3 ? throttled : undefined)), { workgroup: "duck" }, 1)).toEqual({ engine: "duckdb", name: "DuckDB" });
    expect(asked).toBe(3);
    const denied = Object.assign(new Error("User is not authorized to perform: athena:GetWorkGroup"), { name: "AccessDeniedException" });
    const r = await workgroupSql(api(() => denied), { workgroup: "duck" }, 1);
    expect("fatal" in r && r.fatal).toMatch(/AccessDeniedException.*allow it, or name the engine with --athena-engine/);
  });
});
