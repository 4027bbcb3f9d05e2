import {
  AthenaClient,
  CreateWorkGroupCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetWorkGroupCommand,
  ListQueryExecutionsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { serverKind, serverName, startAthenaServers, type AthenaServer, type Proxy } from "./servers.js";

/**
 * The Athena server the athena-remote suites use, through the AWS SDK rulec itself uses: what the
 * suites rely on (seeded results per execution, the states, the fields of an execution, the
 * workgroups). Run with RULEC_ATHENA_SERVER=moto, the same cases hold for moto's Athena, which is
 * how the stand-in is checked against moto; the last case pins the answers where the stand-in
 * follows Athena and moto does not.
 */

const SERVER = serverName();
const MOTO = serverKind() === "moto";

let server: AthenaServer;
let proxy: Proxy;
let client: AthenaClient;

beforeAll(async () => {
  ({ server, proxy } = await startAthenaServers());
  client = new AthenaClient({ endpoint: server.url, region: "us-east-1", maxAttempts: 1 });
});

afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await server?.stop();
});

beforeEach(async () => {
  await server.reset();
  await server.holdQueries(false);
});

const start = async (QueryString: string, extra: Record<string, unknown> = {}) => (await client.send(new StartQueryExecutionCommand({ QueryString, WorkGroup: "primary", ...extra }))).QueryExecutionId!;
const execution = async (QueryExecutionId: string) => (await client.send(new GetQueryExecutionCommand({ QueryExecutionId }))).QueryExecution!;
const results = async (QueryExecutionId: string) => (await client.send(new GetQueryResultsCommand({ QueryExecutionId }))).ResultSet!;
/** The SDK's error for a call: its name and message. */
async function refusal(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, ...(err.$metadata?.httpStatusCode !== undefined ? { status: err.$metadata.httpStatusCode } : {}) };
  }
  throw new Error("the call succeeded");
}
/** A raw call, signed as the SDK signs (moto routes by the credential scope): HTTP status and body text. */
async function raw(target: string | undefined, body: string): Promise<{ status: number; text: string }> {
  const authorization = "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/athena/aws4_request, SignedHeaders=host, Signature=x";
  const r = await fetch(server.url, { method: "POST", body, headers: { "content-type": "application/x-amz-json-1.1", authorization, ...(target ? { "x-amz-target": target } : {}) } });
  return { status: r.status, text: await r.text() };
}

const seeded = (n: number) => ({ column_info: [{ Name: "n", Label: "n", Type: "integer" }], rows: [{ Data: [{ VarCharValue: "n" }] }, { Data: [{ VarCharValue: String(n) }] }] });

describe(`the Athena server the suites use: ${SERVER}`, () => {
  it("has the primary workgroup on engine version 3 (AUTO); a created workgroup keeps the engine it was given", async () => {
    const primary = (await client.send(new GetWorkGroupCommand({ WorkGroup: "primary" }))).WorkGroup!;
    expect([primary.Name, primary.State, primary.Configuration?.EngineVersion]).toEqual(["primary", "ENABLED", { SelectedEngineVersion: "AUTO", EffectiveEngineVersion: "Athena engine version 3" }]);
    await client.send(new CreateWorkGroupCommand({ Name: "duck", Configuration: { EngineVersion: { SelectedEngineVersion: "DuckDB" } } }));
    const duck = (await client.send(new GetWorkGroupCommand({ WorkGroup: "duck" }))).WorkGroup!;
    expect([duck.Name, duck.Configuration?.EngineVersion]).toEqual(["duck", { SelectedEngineVersion: "DuckDB" }]);
    await client.send(new CreateWorkGroupCommand({ Name: "plain" }));
    expect((await client.send(new GetWorkGroupCommand({ WorkGroup: "plain" }))).WorkGroup!.Configuration?.EngineVersion).toEqual({ SelectedEngineVersion: "AUTO", EffectiveEngineVersion: "Athena engine version 3" });
    expect(await refusal(client.send(new CreateWorkGroupCommand({ Name: "duck" })))).toMatchObject({ name: "InvalidRequestException", message: "WorkGroup already exists", status: 400 });
    // A query on the DuckDB workgroup is an execution like any other: no SQL is run.
    const id = await start("not even SQL", { WorkGroup: "duck" });
    expect([(await execution(id)).Status?.State, (await execution(id)).WorkGroup]).toEqual(["SUCCEEDED", "duck"]);
  });

  it("each StartQueryExecution takes the next seeded result set, whenever its results are read; then empty ones", async () => {
    await server.seedResults([seeded(1), seeded(2)]);
    const [a, b, c] = [await start("SELECT 1"), await start("SELECT 2"), await start("SELECT 3")];
    await server.seedResults([seeded(4)]); // taken by the next query started, not by c
    const d = await start("SELECT 4");
    for (const id of [d, c, b, a]) await execution(id);
    const values = async (id: string) => (await results(id)).Rows!.map((r) => r.Data!.map((x) => x.VarCharValue));
    expect(await values(c)).toEqual([]);
    expect((await results(c)).ResultSetMetadata?.ColumnInfo).toEqual([]);
    expect(await values(b)).toEqual([["n"], ["2"]]);
    expect(await values(a)).toEqual([["n"], ["1"]]);
    expect(await values(a)).toEqual([["n"], ["1"]]); // read again: the same
    expect(await values(d)).toEqual([["n"], ["4"]]);
    expect((await results(a)).ResultSetMetadata?.ColumnInfo).toEqual([{ Name: "n", Label: "n", Type: "integer" }]);
  });

  it("an execution records the query, database, workgroup and result location, and succeeds when first read", async () => {
    const id = await start("SELECT 1", { QueryExecutionContext: { Database: "security" }, ResultConfiguration: { OutputLocation: "s3://results/rulec" } });
    const e = await execution(id);
    expect(e).toMatchObject({
      QueryExecutionId: id,
      Query: "SELECT 1",
      StatementType: "DML",
      QueryExecutionContext: { Database: "security" },
      ResultConfiguration: { OutputLocation: `s3://results/rulec/${id}.csv` },
      WorkGroup: "primary",
      Status: { State: "SUCCEEDED" },
      Statistics: { DataScannedInBytes: 0, TotalExecutionTimeInMillis: 0, EngineExecutionTimeInMillis: 0, QueryQueueTimeInMillis: 0 },
    });
    expect(e.Status?.SubmissionDateTime).toBeInstanceOf(Date);
    expect((await execution(await start("CREATE EXTERNAL TABLE t (a int)"))).StatementType).toBe("DDL");
  });

  it("held queries stay QUEUED, their results are refused, StopQueryExecution cancels them; released ones succeed", async () => {
    await server.holdQueries(true);
    const [a, b] = [await start("SELECT 1"), await start("SELECT 2")];
    expect((await execution(a)).Status?.State).toBe("QUEUED");
    expect((await execution(a)).Status?.State).toBe("QUEUED");
    expect(await refusal(results(a))).toMatchObject({ name: "InvalidRequestException", message: "Query has not yet finished. Current state: QUEUED", status: 400 });
    await client.send(new StopQueryExecutionCommand({ QueryExecutionId: a }));
    expect((await execution(a)).Status?.State).toBe("CANCELLED");
    await server.holdQueries(false);
    expect((await execution(a)).Status?.State).toBe("CANCELLED");
    expect((await execution(b)).Status?.State).toBe("SUCCEEDED");
    expect(await refusal(results(a))).toMatchObject({ name: "InvalidRequestException", message: "Query has not yet finished. Current state: CANCELLED" });
  });

  it("lists executions in submission order, all or by workgroup; reset forgets executions, results and workgroups", async () => {
    await client.send(new CreateWorkGroupCommand({ Name: "other" }));
    const ids = [await start("SELECT 1"), await start("SELECT 2", { WorkGroup: "other" }), await start("SELECT 3")];
    expect((await client.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds).toEqual(ids);
    expect((await client.send(new ListQueryExecutionsCommand({ WorkGroup: "other" }))).QueryExecutionIds).toEqual([ids[1]]);
    await server.seedResults([seeded(9)]);
    await server.reset();
    expect((await client.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds).toEqual([]);
    const id = await start("SELECT 1");
    await execution(id);
    expect((await results(id)).Rows).toEqual([]);
    expect(await refusal(start("SELECT 1", { WorkGroup: "other" }))).toMatchObject({ name: "InvalidRequestException", status: 400 });
  });

  it("where the stand-in answers as Athena does and moto does not", async () => {
    // An unknown workgroup: Athena (and the stand-in) refuse GetWorkGroup and StartQueryExecution
    // with "WorkGroup is not found"; moto answers GetWorkGroup with no workgroup.
    const unknown = await client.send(new GetWorkGroupCommand({ WorkGroup: "nope" })).then(
      (out) => ({ workgroup: out.WorkGroup ?? null }),
      (e: Error) => ({ name: e.name, message: e.message }),
    );
    expect(unknown).toEqual(MOTO ? { workgroup: null } : { name: "InvalidRequestException", message: "WorkGroup is not found" });
    expect(await refusal(start("SELECT 1", { WorkGroup: "nope" }))).toEqual({ name: "InvalidRequestException", message: MOTO ? "WorkGroup does not exist" : "WorkGroup is not found", status: 400 });
    // Stopping a query that has finished leaves it as it was in Athena; moto marks it CANCELLED.
    const done = await start("SELECT 1");
    await execution(done);
    await client.send(new StopQueryExecutionCommand({ QueryExecutionId: done }));
    expect((await execution(done)).Status?.State).toBe(MOTO ? "CANCELLED" : "SUCCEEDED");
    // An unknown query id or operation is an AWS error (400), not moto's HTML page (500).
    const missing = await raw("AmazonAthena.GetQueryExecution", JSON.stringify({ QueryExecutionId: "nope" }));
    const op = await raw("AmazonAthena.NoSuchOperation", "{}");
    if (MOTO) {
      expect([missing.status, op.status]).toEqual([500, 500]);
    } else {
      expect([missing.status, JSON.parse(missing.text)]).toEqual([400, { __type: "InvalidRequestException", Message: "QueryExecution nope was not found" }]);
      expect([op.status, JSON.parse(op.text).__type]).toEqual([400, "UnknownOperationException"]);
      expect([(await raw(undefined, "{}")).status, (await raw("AmazonAthena.GetWorkGroup", "{not json")).status]).toEqual([400, 400]);
    }
  });
});
