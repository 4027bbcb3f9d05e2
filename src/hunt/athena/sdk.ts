import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetWorkGroupCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import type { AthenaApi, QueryState } from "./api.js";

/**
 * AthenaApi over the AWS SDK for JavaScript v3. Region and credentials come from the SDK's own
 * default chain (env, shared config and SSO profiles, container and instance roles) unless a region
 * is given; `endpoint` points the client elsewhere (tests: a loopback Athena server). The SDK's own retries are
 * off: run.ts retries throttled calls with jittered backoff, so every retry is visible and tested.
 */
export function sdkAthena(config: { readonly region?: string; readonly endpoint?: string } = {}): AthenaApi & { readonly client: AthenaClient } {
  const client = new AthenaClient({
    ...(config.region !== undefined ? { region: config.region } : {}),
    ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
    maxAttempts: 1,
  });
  return {
    client,
    async workgroupEngine(workgroup) {
      const out = await client.send(new GetWorkGroupCommand({ WorkGroup: workgroup }));
      const v = out.WorkGroup?.Configuration?.EngineVersion;
      return { ...(v?.SelectedEngineVersion ? { selected: v.SelectedEngineVersion } : {}), ...(v?.EffectiveEngineVersion ? { effective: v.EffectiveEngineVersion } : {}) };
    },
    async start(input) {
      const out = await client.send(
        new StartQueryExecutionCommand({
          QueryString: input.sql,
          WorkGroup: input.workgroup,
          ...(input.database !== undefined ? { QueryExecutionContext: { Database: input.database } } : {}),
          ...(input.outputLocation !== undefined ? { ResultConfiguration: { OutputLocation: input.outputLocation } } : {}),
        }),
      );
      if (!out.QueryExecutionId) throw new Error("StartQueryExecution returned no QueryExecutionId");
      return out.QueryExecutionId;
    },
    async status(queryId) {
      const out = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId }));
      const e = out.QueryExecution;
      const s = e?.Status;
      const reason = s?.StateChangeReason ?? s?.AthenaError?.ErrorMessage;
      const stats = e?.Statistics;
      return {
        state: (s?.State ?? "QUEUED") as QueryState,
        ...(reason !== undefined ? { reason } : {}),
        scannedBytes: stats?.DataScannedInBytes ?? 0,
        ...(stats?.TotalExecutionTimeInMillis ? { runMs: stats.TotalExecutionTimeInMillis } : {}),
      };
    },
    async results(queryId, nextToken, pageSize) {
      const out = await client.send(new GetQueryResultsCommand({ QueryExecutionId: queryId, MaxResults: pageSize, ...(nextToken ? { NextToken: nextToken } : {}) }));
      const info = out.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      return {
        columns: info.map((c) => ({ name: c.Name ?? c.Label ?? "", type: c.Type ?? "varchar" })),
        rows: (out.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue)),
        ...(out.NextToken ? { nextToken: out.NextToken } : {}),
      };
    },
    async stop(queryId) {
      await client.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId }));
    },
  };
}
