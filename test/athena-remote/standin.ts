import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The project's own Athena stand-in: a loopback HTTP server speaking Athena's JSON 1.1 protocol
 * (POST, `x-amz-target: AmazonAthena.<Operation>`, `application/x-amz-json-1.1`) for the calls
 * rulec makes (GetWorkGroup, StartQueryExecution, GetQueryExecution, GetQueryResults,
 * StopQueryExecution) and the ones the tests make to set up and assert (CreateWorkGroup,
 * ListQueryExecutions). It runs no SQL: a query's result set is whatever the test seeded.
 *
 * It follows moto's Athena (moto/athena/models.py, responses.py; the moto_api state manager), so the
 * same tests run against either, and Athena's API reference where moto's answer is not Athena's:
 * - every StartQueryExecution takes the next seeded result set (if any), kept for that execution;
 *   an execution without one has an empty result set (no rows, no columns);
 * - an execution is QUEUED when started and SUCCEEDED the first time its state is read
 *   (GetQueryExecution, GetQueryResults), unless queries are held: then it stays QUEUED until
 *   stopped (CANCELLED) or released;
 * - Statistics are all zero (the proxy in front plays scanned bytes and run time); the result
 *   location is the OutputLocation sent, plus `<id>.csv`;
 * - GetQueryResults before SUCCEEDED is InvalidRequestException "Query has not yet finished.
 *   Current state: QUEUED" (moto's text); MaxResults and NextToken are not applied (the proxy pages);
 * - a DuckDB workgroup is a workgroup whose EngineVersion says so: its queries behave as any other;
 * - an unknown workgroup is InvalidRequestException "WorkGroup is not found" (Athena's text for
 *   StartQueryExecution; given to GetWorkGroup too, which Athena also refuses) where moto answers
 *   GetWorkGroup with `{"WorkGroup": null}` and StartQueryExecution with "WorkGroup does not exist";
 * - StopQueryExecution cancels a QUEUED or RUNNING execution and leaves a finished one as it is
 *   (Athena's CANCELLED: user input interrupted the execution; moto marks any execution
 *   CANCELLED); an unknown query id is InvalidRequestException (moto: an HTML 500 page).
 *
 * Requests are not authenticated: the SigV4 Authorization header is neither required nor verified
 * (the tests' credentials are fake, and credential errors are rulec's own, before any call).
 */

export interface SeededResult {
  readonly rows: readonly { readonly Data: readonly { readonly VarCharValue?: string }[] }[];
  readonly column_info: readonly Record<string, unknown>[];
}

type State = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";

interface Execution {
  readonly id: string;
  readonly query: string;
  readonly context?: Record<string, unknown>;
  readonly resultConfiguration?: Record<string, unknown>;
  readonly workgroup: string;
  state: State;
  readonly submitted: number;
  completed?: number;
  readonly result?: SeededResult;
}

interface WorkGroup {
  readonly name: string;
  readonly description: string;
  readonly configuration: Record<string, unknown>;
  readonly created: number;
}

export interface StandIn {
  readonly url: string;
  /** Forgets executions, seeded results and workgroups but `primary` (queries stay held or not). */
  reset(): void;
  /** Queues result sets: each StartQueryExecution takes the next one. */
  seedResults(results: readonly SeededResult[]): void;
  /** Keeps new and queued executions QUEUED, or lets them succeed when next read. */
  holdQueries(hold: boolean): void;
  close(): Promise<void>;
}

/** An AWS JSON error: `__type` names the exception; the SDK reads `Message` (Athena's shapes) or `message`. */
class AthenaError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new AthenaError("InvalidRequestException", message);

const now = () => Date.now() / 1000;

function workgroupOf(name: string, configuration: Record<string, unknown>, description = ""): WorkGroup {
  // The defaults moto and Athena fill in for a workgroup created without them.
  return {
    name,
    description,
    created: now(),
    configuration: {
      EnableMinimumEncryptionConfiguration: false,
      EnforceWorkGroupConfiguration: true,
      EngineVersion: { SelectedEngineVersion: "AUTO", EffectiveEngineVersion: "Athena engine version 3" },
      PublishCloudWatchMetricsEnabled: false,
      RequesterPaysEnabled: false,
      ...configuration,
    },
  };
}

function str(body: Record<string, unknown>, key: string, required = true): string | undefined {
  const v = body[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== "string" || v === "") throw invalid(`${key} is required`);
  return v;
}

function obj(body: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = body[key];
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

const DDL = /^(ALTER|CREATE|DESCRIBE|DROP|MSCK|SHOW)/i;

export async function startStandIn(): Promise<StandIn> {
  const workgroups = new Map<string, WorkGroup>();
  const executions = new Map<string, Execution>();
  const queue: SeededResult[] = [];
  let hold = false;

  const reset = () => {
    workgroups.clear();
    executions.clear();
    queue.length = 0;
    workgroups.set("primary", workgroupOf("primary", { ResultConfiguration: {}, EnforceWorkGroupConfiguration: false }));
  };
  reset();

  /** Reading a state moves an unheld execution on to its end, as moto's immediate transitions do. */
  const stateOf = (e: Execution): State => {
    if (!hold && (e.state === "QUEUED" || e.state === "RUNNING")) {
      e.state = "SUCCEEDED";
      e.completed = now();
    }
    return e.state;
  };

  const execution = (body: Record<string, unknown>): Execution => {
    const id = str(body, "QueryExecutionId")!;
    const e = executions.get(id);
    if (!e) throw invalid(`QueryExecution ${id} was not found`);
    return e;
  };

  const workgroup = (name: string): WorkGroup => {
    const wg = workgroups.get(name);
    if (!wg) throw invalid("WorkGroup is not found");
    return wg;
  };

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    CreateWorkGroup(body) {
      const name = str(body, "Name")!;
      if (workgroups.has(name)) throw invalid("WorkGroup already exists");
      workgroups.set(name, workgroupOf(name, obj(body, "Configuration") ?? {}, typeof body.Description === "string" ? body.Description : ""));
      return {};
    },
    GetWorkGroup(body) {
      const wg = workgroup(str(body, "WorkGroup")!);
      return { WorkGroup: { Name: wg.name, State: "ENABLED", Configuration: wg.configuration, Description: wg.description, CreationTime: wg.created } };
    },
    StartQueryExecution(body) {
      const query = str(body, "QueryString")!;
      const wg = workgroup(str(body, "WorkGroup", false) ?? "primary");
      const id = randomUUID();
      const config = obj(body, "ResultConfiguration");
      const location = typeof config?.OutputLocation === "string" ? config.OutputLocation : undefined;
      const context = obj(body, "QueryExecutionContext");
      const result = queue.shift();
      executions.set(id, {
        id,
        query,
        workgroup: wg.name,
        state: "QUEUED",
        submitted: now(),
        ...(context ? { context } : {}),
        ...(config ? { resultConfiguration: { ...config, ...(location !== undefined ? { OutputLocation: `${location.endsWith("/") ? location : `${location}/`}${id}.csv` } : {}) } } : {}),
        ...(result ? { result } : {}),
      });
      return { QueryExecutionId: id };
    },
    GetQueryExecution(body) {
      const e = execution(body);
      const state = stateOf(e);
      return {
        QueryExecution: {
          QueryExecutionId: e.id,
          Query: e.query,
          StatementType: DDL.test(e.query) ? "DDL" : "DML",
          ...(e.resultConfiguration ? { ResultConfiguration: e.resultConfiguration } : {}),
          ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: false } },
          ...(e.context ? { QueryExecutionContext: e.context } : {}),
          Status: { State: state, SubmissionDateTime: e.submitted, ...(e.completed !== undefined ? { CompletionDateTime: e.completed } : {}) },
          Statistics: {
            EngineExecutionTimeInMillis: 0,
            DataScannedInBytes: 0,
            TotalExecutionTimeInMillis: 0,
            QueryQueueTimeInMillis: 0,
            ServicePreProcessingTimeInMillis: 0,
            QueryPlanningTimeInMillis: 0,
            ServiceProcessingTimeInMillis: 0,
            ResultReuseInformation: { ReusedPreviousResult: false },
          },
          WorkGroup: e.workgroup,
        },
      };
    },
    GetQueryResults(body) {
      const e = execution(body);
      const state = stateOf(e);
      if (state !== "SUCCEEDED") throw invalid(`Query has not yet finished. Current state: ${state}`);
      return { ResultSet: { Rows: e.result?.rows ?? [], ResultSetMetadata: { ColumnInfo: e.result?.column_info ?? [] } } };
    },
    StopQueryExecution(body) {
      const e = execution(body);
      if (e.state === "QUEUED" || e.state === "RUNNING") {
        e.state = "CANCELLED";
        e.completed = now();
      }
      return {};
    },
    ListQueryExecutions(body) {
      const wg = str(body, "WorkGroup", false);
      return { QueryExecutionIds: [...executions.values()].filter((e) => wg === undefined || e.workgroup === wg).map((e) => e.id) };
    },
  };

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() });
    res.end(JSON.stringify(body));
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        const target = String(req.headers["x-amz-target"] ?? "");
        const op = target.startsWith("AmazonAthena.") ? target.slice("AmazonAthena.".length) : undefined;
        const handler = op !== undefined && Object.hasOwn(operations, op) ? operations[op] : undefined;
        if (req.method !== "POST" || !handler) throw new AthenaError("UnknownOperationException", `unknown operation ${target || "(no x-amz-target)"}`);
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
        } catch {
          throw new AthenaError("SerializationException", "the request body is not JSON");
        }
        if (body === null || typeof body !== "object" || Array.isArray(body)) throw new AthenaError("SerializationException", "the request body is not a JSON object");
        answer(res, 200, handler(body as Record<string, unknown>));
      } catch (e) {
        if (e instanceof AthenaError) answer(res, e.status, { __type: e.type, Message: e.message });
        else answer(res, 500, { __type: "InternalServerException", Message: String(e) });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reset,
    seedResults: (results) => void queue.push(...results),
    holdQueries: (h) => void (hold = h),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
