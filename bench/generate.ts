/**
 * Deterministic, seeded generators for the benchmarks: rule libraries of CloudTrail-style rules
 * (lists, nested paths, negations, like/matches/cidr, arrays) and CloudTrail events with a
 * realistic mix of services, identities, errors and sizes.
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import jsYaml from "js-yaml";

/** mulberry32: a small, fast, seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;

/** Deep merge of plain objects (b wins). */
function merge(a: Record<string, unknown>, b: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(b)) {
    const prior = a[k];
    if (typeof prior === "object" && prior !== null && !Array.isArray(prior) && typeof v === "object" && v !== null && !Array.isArray(v)) {
      merge(prior as Record<string, unknown>, v as Record<string, unknown>);
    } else a[k] = v;
  }
}
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const pickN = <T>(r: Rand, xs: readonly T[], n: number): T[] => {
  const out = new Set<T>();
  while (out.size < Math.min(n, xs.length)) out.add(pick(r, xs));
  return [...out];
};

export const SERVICES: Record<string, readonly string[]> = {
  "iam.amazonaws.com": ["CreateUser", "DeleteUser", "AttachUserPolicy", "PutUserPolicy", "CreateAccessKey", "CreateLoginProfile", "UpdateAssumeRolePolicy", "AddUserToGroup", "ListUsers", "GetUser"],
  "s3.amazonaws.com": ["PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl", "GetObject", "PutObject", "ListBuckets", "DeleteBucketPublicAccessBlock", "PutBucketVersioning"],
  "ec2.amazonaws.com": ["RunInstances", "DescribeInstances", "AuthorizeSecurityGroupIngress", "ModifyInstanceAttribute", "ImportKeyPair", "ModifySnapshotAttribute", "CreateRoute"],
  "cloudtrail.amazonaws.com": ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors", "LookupEvents"],
  "sts.amazonaws.com": ["AssumeRole", "GetCallerIdentity", "GetSessionToken"],
  "kms.amazonaws.com": ["Decrypt", "Encrypt", "ScheduleKeyDeletion", "DisableKey", "GenerateDataKey"],
  "signin.amazonaws.com": ["ConsoleLogin"],
  "guardduty.amazonaws.com": ["DeleteDetector", "UpdateDetector", "ListDetectors"],
  "secretsmanager.amazonaws.com": ["GetSecretValue", "ListSecrets"],
  "ses.amazonaws.com": ["GetAccountSendingEnabled", "GetSendQuota"],
};
const SERVICE_NAMES = Object.keys(SERVICES);
const REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1"];
const AGENTS = ["aws-cli/2.15.0 Python/3.11.6 Linux/6.1", "console.amazonaws.com", "Boto3/1.34.0 Python/3.12", "aws-sdk-go-v2/1.24.0", "Terraform/1.7.0", "TruffleHog", "pacu/1.5", "Mozilla/5.0 (X11; Kali Linux x86_64)"];
const IDENTITY_TYPES = ["IAMUser", "AssumedRole", "Root", "AWSService", "FederatedUser"];
const ERRORS = ["AccessDenied", "NoSuchEntity", "ThrottlingException", "UnauthorizedOperation"];

function account(r: Rand): string {
  return String(100000000000 + Math.floor(r() * 899999999999));
}

/** Bumped when generateRule changes, so that cached libraries are generated again. */
export const RULES_VERSION = "2";

/** One rule file (YAML text) of varied size. */
export function generateRule(r: Rand, i: number): { name: string; text: string } {
  const service = pick(r, SERVICE_NAMES);
  const names = pickN(r, SERVICES[service]!, 1 + Math.floor(r() * 4));
  const clauses: string[] = [`eventSource eq "${service}"`, names.length === 1 ? `eventName eq "${names[0]}"` : `eventName in [${names.map((n) => `"${n}"`).join(", ")}]`];
  // Each extra clause comes with what a matching event holds, so the positive test is true by construction.
  type Extra = () => [string, Record<string, unknown>];
  const role = pick(r, ["admin", "ci", "deploy", "ops"]);
  const type = pick(r, IDENTITY_TYPES);
  const extras: Extra[] = [
    () => ["not errorCode exists", {}],
    () => ["errorCode empty", {}],
    () => [`userIdentity.type eq "${type}"`, { userIdentity: { type, arn: `arn:aws:iam::123456789012:role/${role}-x` } }],
    () => [`userIdentity.arn like "arn:aws:iam::*:role/${role}-*"`, { userIdentity: { type, arn: `arn:aws:iam::123456789012:role/${role}-x` } }],
    () => [`userAgent icontains ["trufflehog", "pacu"]`, { userAgent: "TruffleHog/3.0" }],
    () => [`not sourceIPAddress cidr ["10.0.0.0/8", "192.168.0.0/16"]`, {}],
    () => [`recipientAccountId matches '^\\d{12}$'`, {}],
    () => [`requestParameters.userName ne userIdentity.userName`, { requestParameters: { userName: "victim" } }],
    () => [`resources[type eq "AWS::S3::Bucket" and ARN endswith "-prod"]`, { resources: [{ ARN: "arn:aws:s3:::data-prod", type: "AWS::S3::Bucket" }] }],
    () => [`awsRegion in ["us-east-1", "eu-west-1", "ap-southeast-1"]`, { awsRegion: "eu-west-1" }],
    () => [`requestParameters.maxCount gt ${1 + Math.floor(r() * 20)}`, { requestParameters: { maxCount: 50 } }],
    () => [`(userIdentity.sessionContext.attributes.mfaAuthenticated eq "false" or additionalEventData.MFAUsed ieq "no")`, { additionalEventData: { MFAUsed: "No" } }],
    () => [`requestParameters.policyArn endswith "/AdministratorAccess"`, { requestParameters: { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" } }],
    () => [`responseElements.ConsoleLogin eq "Failure"`, { responseElements: { ConsoleLogin: "Failure" } }],
  ];
  // The positive test is a whole CloudTrail record (as rules in the wild carry them), with what the
  // clauses need patched in; the negative one is the same record with another eventName.
  const positive = generateEvent(r, i);
  delete positive.errorCode;
  delete positive.errorMessage;
  Object.assign(positive, { eventSource: service, eventName: names[0], awsRegion: "eu-west-1", sourceIPAddress: "198.51.100.7", recipientAccountId: "123456789012" });
  for (const make of pickN(r, extras, Math.floor(r() * 5))) {
    const [clause, patch] = make();
    clauses.push(clause);
    merge(positive, patch);
  }
  const name = `bench_${String(i).padStart(6, "0")}_${service.split(".")[0]}`;
  const condition = clauses.join("\n  and ");
  const log = (record: Record<string, unknown>) =>
    jsYaml
      .dump(record, { lineWidth: -1, noRefs: true })
      .trimEnd()
      .split("\n")
      .map((l) => `      ${l}`)
      .join("\n");
  // Zero to two more negative tests, each another whole record (rules carry two to five tests).
  const others: string[] = [];
  for (let k = Math.floor(r() * 3); k > 0; k--) {
    others.push(`  - Name: Unrelated activity ${k}\n    ExpectedResult: false\n    Log:\n${log({ ...generateEvent(r, i + 1_000_000 * k), eventName: "NoSuchEvent" })}\n`);
  }
  const text = `RuleID: Bench.${i}.${names[0]}
DisplayName: Benchmark rule ${i} (${names.join(", ")})
Enabled: true
LogTypes: [AWS.CloudTrail]
Severity: ${pick(r, ["Info", "Low", "Medium", "High", "Critical"])}
Description: >
  Generated rule ${i} for the benchmarks: ${names.join(", ")} on ${service}, with the
  conditions below. Real rules explain here what the activity means and why it matters,
  in two or three sentences like these.
Reference: https://docs.aws.amazon.com/${service.split(".")[0]}/latest/APIReference/API_${names[0]}.html
Runbook: >
  Check whether the principal is expected to call ${names[0]}. If not, review its other
  activity in the same hour and rotate its credentials.
Tags: [AWS CloudTrail, Benchmark]
Reports:
  MITRE ATT&CK:
    - ${pick(r, ["TA0007:T1526", "TA0004:T1098", "TA0005:T1562", "TA0003:T1136"])}
DedupPeriodMinutes: 60
Condition: |
  ${condition}
OutputFields: [eventName, eventSource, awsRegion, sourceIPAddress, userIdentity.arn]
AlertTitle: "${names[0]} by {userIdentity.arn}"
DedupFields: [userIdentity.arn]
Tests:
  - Name: ${names[0]} by a principal
    ExpectedResult: true
    Log:
${log(positive)}
  - Name: Another event
    ExpectedResult: false
    Log:
${log({ ...positive, eventName: "NoSuchEvent" })}
${others.join("")}`;
  return { name, text };
}

/** One CloudTrail record. */
export function generateEvent(r: Rand, i: number): Record<string, unknown> {
  const service = r() < 0.3 ? "s3.amazonaws.com" : pick(r, SERVICE_NAMES);
  const eventName = pick(r, SERVICES[service]!);
  const acct = r() < 0.8 ? "123456789012" : account(r);
  const type = pick(r, IDENTITY_TYPES);
  const user = `user${Math.floor(r() * 500)}`;
  const role = pick(r, ["admin-ops", "ci-runner", "deploy-prod", "readonly", "ops-oncall"]);
  const arn = type === "AssumedRole" ? `arn:aws:sts::${acct}:assumed-role/${role}/${user}` : type === "Root" ? `arn:aws:iam::${acct}:root` : `arn:aws:iam::${acct}:user/${user}`;
  const ip = r() < 0.1 ? "AWS Internal" : r() < 0.05 ? "2001:db8::" + Math.floor(r() * 65535).toString(16) : `${pick(r, [10, 172, 192, 203, 198, 54])}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`;
  const e: Record<string, unknown> = {
    eventVersion: "1.09",
    userIdentity: {
      type,
      principalId: `AIDA${i.toString(36).toUpperCase().padStart(12, "X")}`,
      arn,
      accountId: acct,
      accessKeyId: `ASIA${Math.floor(r() * 1e12).toString(36).toUpperCase()}`,
      ...(type === "IAMUser" ? { userName: user } : {}),
      ...(type === "AssumedRole"
        ? {
            sessionContext: {
              sessionIssuer: { type: "Role", principalId: "AROAEXAMPLE", arn: `arn:aws:iam::${acct}:role/${role}`, accountId: acct, userName: role },
              attributes: { creationDate: "2026-11-01T10:00:00Z", mfaAuthenticated: r() < 0.5 ? "true" : "false" },
            },
          }
        : {}),
    },
    eventTime: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: service,
    eventName,
    awsRegion: pick(r, REGIONS),
    sourceIPAddress: ip,
    userAgent: pick(r, AGENTS),
    requestParameters:
      r() < 0.2
        ? null
        : {
            bucketName: `bucket-${Math.floor(r() * 100)}${r() < 0.1 ? "-prod" : ""}`,
            userName: r() < 0.5 ? user : `other${Math.floor(r() * 50)}`,
            maxCount: Math.floor(r() * 30),
            ...(r() < 0.1 ? { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" } : {}),
            ...(r() < 0.1 ? { instancesSet: { items: [{ instanceId: `i-${Math.floor(r() * 1e8).toString(16)}` }, { instanceId: "i-0abc" }] } } : {}),
          },
    responseElements: eventName === "ConsoleLogin" ? { ConsoleLogin: r() < 0.2 ? "Failure" : "Success" } : null,
    additionalEventData: eventName === "ConsoleLogin" ? { MFAUsed: r() < 0.5 ? "Yes" : "No" } : undefined,
    requestID: `${i.toString(16)}-req`,
    eventID: `${i.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`,
    readOnly: eventName.startsWith("Get") || eventName.startsWith("List") || eventName.startsWith("Describe"),
    resources: service === "s3.amazonaws.com" ? [{ ARN: `arn:aws:s3:::bucket-${Math.floor(r() * 100)}${r() < 0.1 ? "-prod" : ""}`, accountId: acct, type: "AWS::S3::Bucket" }] : undefined,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: "123456789012",
    eventCategory: "Management",
    ...(r() < 0.08 ? { errorCode: pick(r, ERRORS), errorMessage: "User is not authorized to perform this operation" } : {}),
    tlsDetails: { tlsVersion: "TLSv1.3", cipherSuite: "TLS_AES_128_GCM_SHA256", clientProvidedHostHeader: `${service.split(".")[0]}.us-east-1.amazonaws.com` },
  };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  return e;
}

export function generateEvents(seed: number, count: number): Record<string, unknown>[] {
  const r = rng(seed);
  const out: Record<string, unknown>[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = generateEvent(r, i);
  return out;
}

// ---------------------------------------------------------------------------------------------
// A library over every typed log type (the registry's folders), for `npm run bench`'s mixed build.

/** Bumped when generateMixedRule changes. */
export const MIXED_RULES_VERSION = "1";

interface LogTypeSamples {
  readonly logType: string;
  readonly events: readonly Record<string, unknown>[];
}

let mixedCache: LogTypeSamples[] | undefined;

/** Every typed log type with its sample events (src/logtypes/<name>/samples.json). */
function typedLogTypes(): LogTypeSamples[] {
  if (!mixedCache) {
    const dir = new URL("../src/logtypes/", import.meta.url);
    mixedCache = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(new URL(`${d.name}/samples.json`, dir)))
      .map((d) => {
        const logType = (JSON.parse(readFileSync(new URL(`${d.name}/logtype.json`, dir), "utf8")) as { logType: string }).logType;
        const events = (JSON.parse(readFileSync(new URL(`${d.name}/samples.json`, dir), "utf8")) as { event: Record<string, unknown> }[]).map((s) => s.event);
        return { logType, events };
      })
      .sort((a, b) => (a.logType < b.logType ? -1 : 1));
  }
  return mixedCache;
}

/** The string leaves of an event (objects walked, arrays skipped), with plain identifier paths only. */
function stringLeaves(v: unknown, path: string[] = [], out: [string[], string][] = []): [string[], string][] {
  if (typeof v === "string" && v !== "" && v.length < 120 && path.every((s) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s))) out.push([path, v]);
  else if (typeof v === "object" && v !== null && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) stringLeaves(x, [...path, k], out);
  return out;
}

function setPath(e: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let o = e;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[path[path.length - 1]!] = value;
}

const q = (s: string) => JSON.stringify(s);

/**
 * One rule file over the i-th typed log type (round robin): clauses on the string fields of one of
 * its sample events (eq, ieq, in, istartswith, contains, a negation), the sample as the positive
 * Test and the sample with the first clause's field changed as the negative one, as whole records.
 */
export function generateMixedRule(r: Rand, i: number): { name: string; text: string } {
  const types = typedLogTypes();
  const { logType, events } = types[i % types.length]!;
  const event = structuredClone(pick(r, events));
  const leaves = stringLeaves(event);
  const chosen = pickN(r, leaves, 2 + Math.floor(r() * 3));
  const clauses: string[] = [];
  chosen.forEach(([path, value], k) => {
    const p = path.join(".");
    const form = k === 0 ? 0 : Math.floor(r() * 5);
    if (form === 0) clauses.push(`${p} eq ${q(value)}`);
    else if (form === 1) clauses.push(`${p} ieq ${q(value.toUpperCase())}`);
    else if (form === 2) clauses.push(`${p} in [${q(value)}, ${q(`${value}-other`)}]`);
    else if (form === 3) clauses.push(`${p} istartswith ${q(value.slice(0, Math.max(1, Math.floor(value.length / 2))))}`);
    else clauses.push(`not ${p} contains ${q(`${value}-never-${i}`)}`);
  });
  const [firstPath] = chosen[0]!;
  const negative = structuredClone(event);
  setPath(negative, firstPath, "changed-value");
  const log = (record: Record<string, unknown>) =>
    jsYaml
      .dump(record, { lineWidth: -1, noRefs: true })
      .trimEnd()
      .split("\n")
      .map((l) => `      ${l}`)
      .join("\n");
  const slug = logType.toLowerCase().replace(/[^a-z0-9]+/g, "_");
  const name = `mixed_${String(i).padStart(6, "0")}_${slug}`;
  const fields = chosen.map(([path]) => path.join("."));
  const text = `RuleID: Bench.Mixed.${i}
DisplayName: Benchmark rule ${i} over ${logType}
Enabled: true
LogTypes: [${logType}]
Severity: ${pick(r, ["Info", "Low", "Medium", "High", "Critical"])}
Description: >
  Generated rule ${i} for the mixed benchmark library: ${chosen.length} clauses on fields of a
  ${logType} event. Real rules explain here what the activity means and why it matters,
  in two or three sentences like these.
Reference: https://example.com/detections/${slug}/${i}
Runbook: >
  Check whether the actor is expected to do this. If not, review its other activity in the
  same hour and revoke its sessions.
Tags: [${logType}, Benchmark]
Reports:
  MITRE ATT&CK:
    - ${pick(r, ["TA0007:T1526", "TA0004:T1098", "TA0005:T1562", "TA0003:T1136"])}
DedupPeriodMinutes: 60
Condition: |
  ${clauses.join("\n  and ")}
OutputFields: [${fields.join(", ")}]
AlertTitle: "Benchmark rule ${i}: {${fields[0]}}"
DedupFields: [${fields[0]}]
Tests:
  - Name: The sample event
    ExpectedResult: true
    Log:
${log(event)}
  - Name: Another value
    ExpectedResult: false
    Log:
${log(negative)}
`;
  return { name, text };
}
