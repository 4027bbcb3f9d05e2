import type { AthenaColumn } from "./results.js";

/** The four Athena calls a hunt makes; sdk.ts implements them with @aws-sdk/client-athena. */

export interface StartInput {
  readonly sql: string;
  readonly database?: string;
  readonly workgroup: string;
  readonly outputLocation?: string;
}

export type QueryState = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";

export interface QueryStatus {
  readonly state: QueryState;
  readonly reason?: string;
  readonly scannedBytes: number;
  /** Athena's own run time (queue + planning + engine), when it reports one. */
  readonly runMs?: number;
}

export interface ResultPage {
  readonly columns: readonly AthenaColumn[];
  readonly rows: readonly (readonly (string | undefined)[])[];
  readonly nextToken?: string;
}

/** A workgroup's engine version (GetWorkGroup): the one asked for and the one queries run on. */
export interface WorkgroupEngine {
  readonly selected?: string;
  readonly effective?: string;
}

export interface AthenaApi {
  /** The workgroup's engine version (GetWorkGroup). */
  workgroupEngine?(workgroup: string): Promise<WorkgroupEngine>;
  start(input: StartInput): Promise<string>;
  status(queryId: string): Promise<QueryStatus>;
  results(queryId: string, nextToken: string | undefined, pageSize: number): Promise<ResultPage>;
  stop(queryId: string): Promise<void>;
}

/** What an error from the SDK means for the hunt. */
export type ErrorKind =
  /** Retry with jittered backoff (throttling, 5xx). */
  | "retry"
  /** The whole hunt cannot go on: one clear message, no other query is started. */
  | "fatal"
  /** This rule failed; the others still run. */
  | "rule";

export interface ClassifiedError {
  readonly kind: ErrorKind;
  readonly message: string;
}

const THROTTLING = new Set(["TooManyRequestsException", "ThrottlingException", "Throttling", "ThrottledException", "RequestLimitExceeded", "SlowDown"]);
const TRANSIENT = new Set(["InternalServerException", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException"]);
const AUTH = new Set(["UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "ExpiredToken", "InvalidClientTokenId", "AccessDeniedException", "SignatureDoesNotMatch"]);

/** Classifies an error of an Athena call; `context` names the workgroup, region and endpoint for the message. */
export function classifyError(e: unknown, context: { readonly workgroup: string; readonly region?: string; readonly endpoint?: string }): ClassifiedError {
  const err = e as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
  const name = err?.name ?? "";
  const message = (err?.message ?? String(e)).trim();
  if (THROTTLING.has(name) || /rate exceeded|throttl/i.test(name)) return { kind: "retry", message: `${name}: ${message}` };
  if (TRANSIENT.has(name) || (err?.$metadata?.httpStatusCode ?? 0) >= 500) return { kind: "retry", message: `${name}: ${message}` };
  if (name === "CredentialsProviderError" || /could not load credentials|credential.*(missing|not found)/i.test(message)) {
    return {
      kind: "fatal",
      message:
        "no AWS credentials found. Set AWS_PROFILE (and run `aws sso login` for SSO), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance or task role is available",
    };
  }
  if (/region is missing/i.test(message)) {
    return { kind: "fatal", message: "no AWS region. Pass --region, set athena.region in rulec.config.yml, or set AWS_REGION" };
  }
  if (AUTH.has(name)) return { kind: "fatal", message: `AWS refused the credentials or the call (${name}): ${message}` };
  if (name === "InvalidRequestException" && /work ?group/i.test(message)) {
    return {
      kind: "fatal",
      message: `workgroup '${context.workgroup}' is not usable${context.region ? ` in ${context.region}` : ""}: ${message}. Pass --workgroup or set athena.workgroup in rulec.config.yml`,
    };
  }
  const sys = err?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  if (sys === "ECONNREFUSED" || sys === "ENOTFOUND" || sys === "EAI_AGAIN" || sys === "ECONNRESET") {
    return { kind: "fatal", message: `cannot reach Athena${context.endpoint ? ` at ${context.endpoint}` : ""}${context.region ? ` in ${context.region}` : ""} (${sys})` };
  }
  return { kind: "rule", message: name && !message.startsWith(name) ? `${name}: ${message}` : message };
}

/**
 * A failed query whose reason means every query would fail: the table or database is not there
 * (Trino: TABLE_NOT_FOUND, "Table 'x' does not exist"; DuckDB: "Catalog Error: Table with name x
 * does not exist!").
 */
export function missingTable(reason: string): boolean {
  return (
    /\b(TABLE|SCHEMA|DATABASE)_NOT_FOUND\b/.test(reason) ||
    /\b(table|schema|database) ['"`]?[\w.$"'`-]+['"`]? does not exist/i.test(reason) ||
    /\bCatalog Error: (Table|Schema) with name \S+ does not exist/i.test(reason)
  );
}
