import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/eval/evaluate.js";
import { hunt, parseLog, type LogInput } from "../../src/hunt/hunt.js";
import { recordSorter } from "../../src/hunt/records.js";
import { LOG_TYPES, logTypeData } from "../../src/logtypes/registry.js";
import { loadRuleFiles } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";
import { renderLines, renderRegexLine } from "../helpers/text-lines.js";

/**
 * `rulec hunt` on each typed log type's files as the vendor exports them: the Tests of the
 * log type's rules in rules/ written in each export format (API pages, NDJSON, envelopes, gzip),
 * all in one hunt with every rule of rules/. Each record must reach its own log type's table, in
 * the form Panther has it, and the matches must be the evaluator's on that record; a rule never
 * matches a record of another log type.
 */

const enc = (s: string) => new TextEncoder().encode(s);
const ndjson = (xs: readonly unknown[]) => xs.map((x) => JSON.stringify(x)).join("\n") + "\n";
const library = loadRuleFiles(["rules"]);
const eventsOf = (logType: string): Record<string, unknown>[] =>
  library.rules.filter((r) => r.logTypes[0] === logType).flatMap((r) => r.tests.map((t) => t.log as Record<string, unknown>));

/** A Google Workspace event (Panther's flattened form) as the Reports API returns its activity. */
function reportsActivity(e: Record<string, unknown>): Record<string, unknown> {
  const { type, name, parameters, ...activity } = e;
  const params = Object.entries((parameters ?? {}) as Record<string, unknown>).map(([k, v]) =>
    typeof v === "boolean"
      ? { name: k, boolValue: v }
      : Array.isArray(v)
        ? { name: k, multiValue: v }
        : v === null
          ? { name: k }
          : { name: k, value: v },
  );
  return { ...activity, events: [{ type, name, ...(parameters === undefined ? {} : { parameters: params }) }] };
}

/**
 * VPC Flow Logs as the service writes them to S3: a header line naming the fields of the flow log's
 * format (all of versions 2 to 5, in AWS's order or another), one record per line, `-` for no value.
 */
function flowLogFile(es: readonly Record<string, unknown>[], order: "aws" | "custom"): string {
  const layout = logTypeData("AWS.VPCFlow")!.sources.text!;
  const fields = order === "aws" ? layout.fields : [...layout.fields].reverse();
  const lines = es.map((e) => renderLines(layout, fields, e));
  return [lines[0]!.header, ...lines.map((l) => l.line)].join("\n") + "\n";
}

/** The export formats of each log type: files holding `events` (in that order) as the vendor writes them. */
const EXPORTS: Record<string, (events: Record<string, unknown>[]) => { name: string; bytes: Uint8Array }[]> = {
  "AWS.CloudTrail": (es) => [{ name: "AWSLogs/123456789012/CloudTrail/us-east-1/2024/11/13/trail.json.gz", bytes: gzipSync(JSON.stringify({ Records: es })) }],
  "Okta.SystemLog": (es) => [
    { name: "okta/api-page.json", bytes: enc(JSON.stringify(es)) },
    {
      name: "okta/eventbridge.ndjson.gz",
      bytes: gzipSync(ndjson(es.map((e, i) => ({ version: "0", id: `eb-${i}`, "detail-type": "SystemLog", source: "aws.partner/okta.com/acme/okta-logs", account: "123456789012", time: "2024-11-13T08:12:45Z", region: "us-east-1", resources: [], detail: e })))),
    },
  ],
  "GitHub.Audit": (es) => [
    { name: "github/2024/11/13/08/stream.json.gz", bytes: gzipSync(ndjson(es)) },
    { name: "github/export.json", bytes: enc(JSON.stringify(es)) },
  ],
  "GCP.AuditLog": (es) => [
    { name: "cloudaudit.googleapis.com/activity/2024/11/13/08:00:00_08:59:59_S0.json", bytes: enc(ndjson(es)) },
    { name: "gcloud-logging-read.json", bytes: enc(JSON.stringify(es)) },
  ],
  "Amazon.EKS.Audit": (es) => [
    {
      // CloudWatch Logs subscription data as Firehose delivers it: gzipped envelopes written back to back.
      name: "eks/2024/11/13/08/firehose.gz",
      bytes: gzipSync(
        es
          .map((e, i) => JSON.stringify({ messageType: "DATA_MESSAGE", owner: "123456789012", logGroup: "/aws/eks/prod/cluster", logStream: "kube-apiserver-audit-0a1b", subscriptionFilters: ["to-firehose"], logEvents: [{ id: String(i), timestamp: 1731485565000, message: JSON.stringify(e) }] }))
          .join(""),
      ),
    },
    { name: "kube-apiserver/audit.log", bytes: enc(ndjson(es)) },
  ],
  "Azure.MonitorActivity": (es) => [
    { name: "insights-activity-logs/resourceId=/SUBSCRIPTIONS/X/y=2024/m=11/d=13/h=09/m=00/PT1H.json", bytes: enc(ndjson(es)) },
    { name: "eventhub-message.json", bytes: enc(JSON.stringify({ records: es })) },
  ],
  "Azure.Audit": (es) => [
    { name: "insights-logs-auditlogs/tenantId=X/y=2024/m=11/d=13/h=09/m=00/PT1H.json", bytes: enc(ndjson(es)) },
    { name: "entra-eventhub.json", bytes: enc(JSON.stringify({ records: es })) },
  ],
  "GSuite.ActivityEvent": (es) => [
    { name: "reports-api-page.json", bytes: enc(JSON.stringify({ kind: "admin#reports#activities", etag: '"x"', items: es.map(reportsActivity), nextPageToken: "A:1" })) },
    { name: "workspace-events.ndjson", bytes: enc(ndjson(es)) },
  ],
  "Slack.AuditLogs": (es) => [{ name: "slack-audit-page.json", bytes: enc(JSON.stringify({ entries: es, response_metadata: { next_cursor: "" } })) }],
  "Auth0.Events": (es) => [
    { name: "auth0-stream-batch.json", bytes: enc(JSON.stringify(es)) },
    // The Management API's /api/v2/logs: the events alone (rulec wraps them under data again).
    { name: "auth0-management-api.json", bytes: enc(JSON.stringify(es.map((e) => e.data))) },
  ],
  "AWS.WAFWebACL": (es) => [{ name: "AWSLogs/111122223333/WAFLogs/us-east-1/shop-prod/2024/11/13/08/05/111122223333_waflogs_us-east-1_shop-prod_20241113T0805Z_1a2b3c4d.log.gz", bytes: gzipSync(ndjson(es)) }],
  "AWS.VPCDns": (es) => [{ name: "AWSLogs/111122223333/vpcdnsquerylogs/vpc-0a1b2c3d4e5f60789/2024/11/13/vpc-0a1b2c3d4e5f60789_vpcdnsquerylogs_111122223333_20241113T0905Z_1a2b3c4d.log.gz", bytes: gzipSync(ndjson(es)) }],
  "AWS.GuardDuty": (es) => [
    { name: "AWSLogs/111122223333/GuardDuty/us-east-1/2024/11/13/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9.jsonl.gz", bytes: gzipSync(ndjson(es)) },
    {
      name: "eventbridge-guardduty.ndjson",
      bytes: enc(ndjson(es.map((e, i) => ({ version: "0", id: `gd-${i}`, "detail-type": "GuardDuty Finding", source: "aws.guardduty", account: "111122223333", time: "2024-11-13T10:05:47Z", region: "us-east-1", resources: [], detail: e })))),
    },
  ],
  "AWS.ALB": (es) => [
    {
      name: "AWSLogs/111122223333/elasticloadbalancing/us-east-1/2024/11/13/111122223333_elasticloadbalancing_us-east-1_app.shop-prod-alb.5d1e8c3f0a6b2e47_20241113T0915Z_10.20.0.5_1a2b3c4d.log.gz",
      bytes: gzipSync(es.map((e) => renderRegexLine(logTypeData("AWS.ALB")!.sources.text!, e)).join("\n") + "\n"),
    },
  ],
  "AWS.S3ServerAccess": (es) => [
    {
      name: "access-logs/111122223333/us-east-1/acme-prod-data/2024/11/13/2024-11-13-09-15-00-0A1B2C3D4E5F6071",
      bytes: enc(es.map((e) => renderRegexLine(logTypeData("AWS.S3ServerAccess")!.sources.text!, e)).join("\n") + "\n"),
    },
  ],
  "AWS.VPCFlow": (es) => [
    { name: "AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/11/13/111122223333_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f60789_20241113T0905Z_1a2b3c4d.log.gz", bytes: gzipSync(flowLogFile(es, "aws")) },
    { name: "vpcflowlogs-custom-format.log", bytes: enc(flowLogFile(es, "custom")) },
  ],
  "OCSF.NetworkActivity": (es) => [{ name: "ocsf/network_activity/2024/11/13/network_activity_0.ndjson.gz", bytes: gzipSync(ndjson(es)) }],
  "Databricks.Audit": (es) => [{ name: "audit-logs/workspaceId=1234567890123456/date=2024-11-13/auditlogs_0.json", bytes: enc(ndjson(es)) }],
};

describe("rulec hunt on the vendors' export formats", () => {
  it("knows an export format for every typed log type", () => {
    expect(Object.keys(EXPORTS).sort()).toEqual(LOG_TYPES.map((d) => d.logType).sort());
  });

  for (const d of LOG_TYPES) {
    it(`${d.logType}: each export holds the rules' Test events, recognised and normalised as Panther has them`, () => {
      const events = eventsOf(d.logType);
      expect(events.length).toBeGreaterThan(8);
      const sorter = recordSorter(LOG_TYPES.map((x) => x.logType), undefined);
      for (const file of EXPORTS[d.logType]!(events)) {
        const { records, problems } = parseLog(file);
        expect(problems, file.name).toEqual([]);
        const got: { table: number; record: unknown }[] = [];
        for (const r of records) sorter(r, (table, record) => got.push({ table, record }));
        expect(got.map((g) => LOG_TYPES[g.table]?.logType), file.name).toEqual(events.map(() => d.logType));
        expect(got.map((g) => g.record), file.name).toEqual(events);
      }
    });
  }

  it("one hunt over every export of every log type (and a file mixing them) finds exactly what the evaluator finds", async () => {
    const inputs: LogInput[] = [];
    const expected = new Set<string>();
    const add = (file: { name: string; bytes: Uint8Array }, events: { logType: string; event: unknown }[]) => {
      inputs.push(file);
      for (const r of library.rules as Rule[]) events.forEach((e, i) => (r.logTypes[0] === e.logType && evaluate(r.condition, e.event) ? expected.add(`${r.name} ${file.name}#${i}`) : undefined));
    };
    for (const d of LOG_TYPES) {
      const events = eventsOf(d.logType);
      for (const file of EXPORTS[d.logType]!(events)) add(file, events.map((event) => ({ logType: d.logType, event })));
    }
    const mixed = LOG_TYPES.flatMap((d) => eventsOf(d.logType).slice(0, 3).map((event) => ({ logType: d.logType, event })));
    add({ name: "mixed.ndjson", bytes: enc(ndjson(mixed.map((m) => m.event))) }, mixed);
    const result = await hunt(library.rules, inputs);
    expect(result.ruleErrors).toEqual([]);
    expect(result.problems).toEqual([]);
    const got = new Set(result.matches.map((m) => `${m.rule} ${m.file}#${m.record}`));
    expect([...got].sort()).toEqual([...expected].sort());
    expect(expected.size).toBeGreaterThan(150);
    console.log(`hunt on vendor exports: ${inputs.length} files, ${result.events} records, ${library.rules.length} rules, ${got.size} matches = evaluator`);
  });

  it("records of no log type the rules read are skipped and counted; --log-type takes every record as one log type", async () => {
    const okta = library.rules.filter((r) => r.logTypes[0] === "Okta.SystemLog");
    const github = library.rules.filter((r) => r.logTypes[0] === "GitHub.Audit");
    const file = { name: "mixed.ndjson", bytes: enc(ndjson([...eventsOf("Okta.SystemLog").slice(0, 2), ...eventsOf("Slack.AuditLogs").slice(0, 2), { hello: "world" }])) };
    const r = await hunt([...okta, ...github], [file]);
    expect(r.problems).toEqual([{ file: "mixed.ndjson", message: "3 records are of none of the rules' log types (Okta.SystemLog, GitHub.Audit) and were skipped", fatal: false }]);
    expect(r.events).toBe(2);
    const forced = await hunt([...okta, ...github], [file], { logType: "Okta.SystemLog" });
    expect(forced.problems).toEqual([]);
    expect(forced.events).toBe(5);
  });
});
