import { Command } from "commander";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { registerAthena } from "../../src/cli/athena.js";
import { bufferOutput } from "../../src/cli/output.js";
import { loadRuleFiles } from "../../src/rules/load.js";
import { failedFunction, functionsUsed, probeQuery, TRINO_FUNCTIONS, withoutLiterals } from "../../src/targets/athena/functions.js";
import { DUCKDB_FUNCTIONS, duckdbFunctionsUsed } from "../../src/targets/athena/functions-duckdb.js";
import { athenaTarget } from "../../src/targets/athena/index.js";
import { openEngine } from "../athena-duckdb/engine.js";
import { calledNames } from "../athena-duckdb/proof.js";
import { trinoErrors } from "../athena/trino.js";
import { serverName, startAthenaServers, type AthenaServer, type Call, type Proxy } from "./servers.js";

/**
 * `rulec athena check`: the probe query (every Trino function the Athena SQL uses, one column
 * each), run against the Athena server (the stand-in, or moto) behind the loopback proxy, which
 * plays an engine that lacks a function (a FAILED query naming it) or answers one differently.
 */

const SERVER = serverName();

describe("the probe query and the functions the SQL uses", () => {
  it("the probe query is one statement of Trino SQL, one line per function", () => {
    const sql = probeQuery(TRINO_FUNCTIONS);
    expect(trinoErrors(sql)).toEqual([]);
    expect(sql.split("\n").slice(1, -1)).toHaveLength(TRINO_FUNCTIONS.length);
  });

  it("every function the shipped rules' SQL calls has a probe", () => {
    const lib = loadRuleFiles(["rules"]);
    const called = new Set<string>();
    for (const r of lib.rules) {
      const sql = athenaTarget.compile(r).files[0]!.content;
      for (const m of withoutLiterals(sql).matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) called.add(m[1]!.toLowerCase());
    }
    const known = new Set(["coalesce", "cast", "try_cast", "array", "in", "and", "or", "not", "where"]);
    const probed = new Set(TRINO_FUNCTIONS.flatMap((f) => [...f.reported, f.name.toLowerCase()]));
    expect([...called].filter((f) => !known.has(f) && !probed.has(f))).toEqual([]);
  });

  it("a rule's title in the comment above the query opens no string", () => {
    const sql = "-- X: the user's key\nSELECT a FROM t WHERE any_match(x, y -> y = 'a')";
    expect(withoutLiterals(sql)).toBe("\nSELECT a FROM t WHERE any_match(x, y -> y = '')");
    expect(functionsUsed(sql).map((f) => f.name)).toEqual(["any_match"]);
  });

  it("says which functions a query uses, not counting rule values", () => {
    const sql = "SELECT a FROM t WHERE json_exists(x, 'lax $.a.type() ? (@ != \"null\")') OR y = 'any_match(' OR COALESCE(contains('10.0.0.0/8', TRY_CAST(z AS IPADDRESS)), FALSE)";
    expect(functionsUsed(sql).map((f) => f.name)).toEqual(["json_exists", "json_exists type()", "IPADDRESS"]);
  });

  it("finds the function a failed probe query names, by name or by line", () => {
    expect(failedFunction("FUNCTION_NOT_FOUND: line 2:8: Function 'json_exists' not registered", TRINO_FUNCTIONS)?.name).toBe("json_exists");
    expect(failedFunction("SYNTAX_ERROR: line 4:3: Unknown type: ipaddress", TRINO_FUNCTIONS)?.name).toBe(TRINO_FUNCTIONS[2]!.name);
    expect(failedFunction("Internal error", TRINO_FUNCTIONS)).toBeUndefined();
  });
});

let server: AthenaServer;
let proxy: Proxy;

beforeAll(async () => {
  ({ server, proxy } = await startAthenaServers());
});

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

beforeEach(async () => {
  await server.reset();
  proxy.clear();
});

async function check(args: string[]) {
  const io = bufferOutput();
  let status = 0;
  const program = new Command("rulec").exitOverride().option("--config <file>");
  registerAthena(program, {
    io,
    setStatus: (s) => (status = Math.max(status, s)),
    color: () => ({ enabled: false }),
    loadRules: loadRuleFiles,
    poll: { firstMs: 5, factor: 2, maxMs: 40 },
  });
  await program.parseAsync(["node", "rulec", "athena", "check", ...args, "--endpoint", proxy.url, "--region", "us-east-1"]);
  return { stdout: io.stdout, stderr: io.stderr, status };
}

const col = (Name: string) => ({ CatalogName: "hive", SchemaName: "", TableName: "", Name, Label: Name, Type: "varchar", Precision: 0, Scale: 0, Nullable: "UNKNOWN", CaseSensitive: true });
const row = (values: readonly string[]) => ({ Data: values.map((v) => ({ VarCharValue: v })) });

/**
 * Seeds the server's answer to the probe query: each function's expected text, or `override`. The
 * server gives each StartQueryExecution the next seeded result, so `after` queries (failed ones)
 * come first.
 */
async function seedAnswers(functions = TRINO_FUNCTIONS, override: Record<string, string> = {}, after = 0) {
  const names = functions.map((_, i) => `p${i}`);
  const answer = { rows: [row(names), row(functions.map((f) => override[f.name] ?? f.expected))], column_info: names.map(col) };
  await server.seedResults([...Array.from({ length: after }, () => ({ rows: [], column_info: [] })), answer]);
}

/** The proxy fails the first query that contains `marker`, with Athena's reason. */
function failQueryWith(marker: string, reason: string) {
  const failed = new Set<string>();
  proxy.hooks.push((call: Call) => {
    if (call.op === "StartQueryExecution" && String(call.body.QueryString).includes(marker) && failed.size === 0) failed.add("pending");
    return undefined;
  });
  proxy.edits.push((call, answer) => {
    if (call.op === "StartQueryExecution" && failed.has("pending")) {
      failed.delete("pending");
      failed.add(String(answer.QueryExecutionId));
    }
    if (call.op === "GetQueryExecution" && failed.has(String(call.body.QueryExecutionId))) {
      const ex = answer.QueryExecution as { Status: Record<string, unknown> };
      ex.Status = { State: "FAILED", StateChangeReason: reason };
    }
  });
}

describe(`rulec athena check on ${SERVER}`, () => {
  it("one query with every probe, on the workgroup; every function supported: exit 0", async () => {
    await seedAnswers();
    const out = await check(["rules", "--workgroup", "primary", "--output-location", "s3://results/rulec/"]);
    expect(out.stderr).toBe("");
    expect(out.status).toBe(0);
    expect(out.stdout).toContain(`Athena workgroup primary: ${TRINO_FUNCTIONS.length} Trino functions checked in 1 query`);
    expect(out.stdout).toMatch(/ok {12}json_exists \(used by \d+ rules: /);
    expect(out.stdout).toMatch(/every function the \d+ rules use is supported/);
    const starts = proxy.calls.filter((c) => c.op === "StartQueryExecution");
    expect(starts).toHaveLength(1);
    expect(starts[0]!.body.QueryString).toBe(probeQuery(TRINO_FUNCTIONS));
    expect(starts[0]!.body.WorkGroup).toBe("primary");
  });

  it("a function the engine lacks: named with the rules that use it, the others still checked; exit 1", async () => {
    failQueryWith("json_exists", "FUNCTION_NOT_FOUND: line 2:8: Function 'json_exists' not registered");
    const rest = TRINO_FUNCTIONS.filter((f) => f.name !== "json_exists");
    await seedAnswers(rest, {}, 1);
    const out = await check(["rules", "--format", "json"]);
    expect(out.status).toBe(1);
    const report = JSON.parse(out.stdout) as { queries: string[]; functions: { name: string; status: string; reason?: string; rules: string[] }[] };
    expect(report.queries).toHaveLength(2);
    const je = report.functions.find((f) => f.name === "json_exists")!;
    expect(je.status).toBe("unsupported");
    expect(je.reason).toMatch(/not registered/);
    const lib = loadRuleFiles(["rules"]);
    const users = lib.rules.filter((r) => /json_exists\(/.test(athenaTarget.compile(r).files[0]!.content)).map((r) => r.name);
    expect(users.length).toBeGreaterThan(0);
    expect(je.rules).toEqual(users);
    expect(report.functions.filter((f) => f.status === "supported")).toHaveLength(TRINO_FUNCTIONS.length - 1);
    // The second query left the missing function out.
    const second = String(proxy.calls.filter((c) => c.op === "StartQueryExecution")[1]!.body.QueryString);
    expect(second).toBe(probeQuery(rest));
  });

  it("a function that answers differently: named, with what it returned; exit 1", async () => {
    await seedAnswers(TRINO_FUNCTIONS, { json_query: "[1,[2]]" });
    const out = await check(["rules"]);
    expect(out.status).toBe(1);
    expect(out.stdout).toContain('DIFFERENT     json_query: expected "[1,2]", got "[1,[2]]"');
    expect(out.stdout).toMatch(/1 function the rules use is missing or different/);
  });

  it("an engine error that names no probe: nothing is claimed for the functions", async () => {
    failQueryWith("SELECT", "INTERNAL_ERROR: something broke");
    const out = await check(["rules"]);
    expect(out.status).toBe(1);
    expect(out.stdout).toContain("NOT CHECKED   json_exists: the probe query failed: INTERNAL_ERROR: something broke");
  });

  it("a workgroup that does not exist: one clear message, no stack", async () => {
    proxy.hooks.push((call) => (call.op === "StartQueryExecution" ? { status: 400, body: { __type: "InvalidRequestException", message: "WorkGroup nope is not found." } } : undefined));
    const out = await check(["rules", "--workgroup", "nope"]);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/^rulec: athena: workgroup 'nope' is not usable in us-east-1/);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("the DuckDB probes (a workgroup of Athena's DuckDB engine)", () => {
  it("every probe gives its expected answer on the local DuckDB (no macro, Athena's built-in extensions)", async () => {
    const engine = await openEngine();
    try {
      const row = (await engine.connection.runAndReadAll(probeQuery(DUCKDB_FUNCTIONS))).getRows()[0]!;
      expect(DUCKDB_FUNCTIONS.map((f, i) => [f.name, String(row[i])])).toEqual(DUCKDB_FUNCTIONS.map((f) => [f.name, f.expected]));
    } finally {
      engine.close();
    }
  });

  it("every function the rules' DuckDB statements call has a probe", () => {
    const lib = loadRuleFiles(["rules"]);
    const called = new Set<string>();
    for (const r of lib.rules) {
      // Reading the files directly is for log types with a file layout (CloudTrail's AWSLogs).
      const files = r.logTypes.every((t) => t === "AWS.CloudTrail") ? [{ location: "s3://b/AWSLogs/1/CloudTrail/us-east-1/", since: "24h" }] : [];
      for (const options of [{}, ...files]) {
        const sql = athenaTarget.compile(r, { ...options, engine: "duckdb" }).files[1]!.content;
        for (const n of calledNames(sql)) called.add(n);
      }
    }
    // Core forms every DuckDB has: len of a list, nullif, the table function itself (json extension), unnest.
    const known = new Set(["len", "nullif", "read_json", "unnest", "list_transform", "list_filter"]);
    const probed = new Set(DUCKDB_FUNCTIONS.flatMap((f) => f.reported));
    expect([...called].filter((f) => !known.has(f) && !probed.has(f)).sort()).toEqual([]);
  });

  it("finds the function DuckDB names in a failed probe query, by name or by line", () => {
    expect(failedFunction("Catalog Error: Scalar Function with name json_valid does not exist!\nDid you mean \"json\"?\n\nLINE 2:   CAST(json_valid(...", DUCKDB_FUNCTIONS)?.name).toBe("json_valid, json");
    expect(failedFunction("Catalog Error: Type with name UHUGEINT does not exist!\n\nLINE 11:   CAST(CAST(...", DUCKDB_FUNCTIONS)?.name).toBe(DUCKDB_FUNCTIONS.find((f) => f.name === "UHUGEINT")!.name);
  });

  it("says which probes a statement needs", () => {
    expect(duckdbFunctionsUsed("SELECT a FROM t WHERE regexp_matches(a, 'json_valid(') AND TRY_CAST(b AS DOUBLE) > 1").map((f) => f.name)).toEqual(["regexp_matches", "TRY_CAST(... AS DOUBLE)"]);
  });
});

describe(`rulec athena check on a DuckDB workgroup (${SERVER})`, () => {
  beforeEach(async () => {
    await server.athena("CreateWorkGroup", { Name: "duck", Configuration: { EngineVersion: { SelectedEngineVersion: "DuckDB", EffectiveEngineVersion: "DuckDB" } } });
  });

  it("reads the engine and probes the DuckDB functions; every one supported: exit 0", async () => {
    await seedAnswers(DUCKDB_FUNCTIONS);
    const out = await check(["rules", "--workgroup", "duck"]);
    expect(out.stdout).toContain(`Athena workgroup duck: ${DUCKDB_FUNCTIONS.length} DuckDB functions checked in 1 query`);
    expect(out.status).toBe(0);
    const sent = String(proxy.calls.find((c) => c.op === "StartQueryExecution")!.body.QueryString);
    expect(sent).toBe(probeQuery(DUCKDB_FUNCTIONS));
    expect(proxy.calls[0]!.op).toBe("GetWorkGroup");
  });

  it("a function the engine lacks is named from DuckDB's message; the rest is checked again without it", async () => {
    failQueryWith("json_valid", 'Catalog Error: Scalar Function with name json_valid does not exist!\nDid you mean "json"?');
    await seedAnswers(DUCKDB_FUNCTIONS.filter((f) => f.name !== "json_valid, json"), {}, 1);
    const out = await check(["rules", "--workgroup", "duck"]);
    expect(out.status).toBe(1);
    expect(out.stdout).toMatch(/UNSUPPORTED {3}json_valid, json: Catalog Error: Scalar Function with name json_valid does not exist!/);
    expect(out.stdout).toMatch(/1 function the rules use is missing or different/);
  });
});
