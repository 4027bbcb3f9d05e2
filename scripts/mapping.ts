// The per-target mapping table of docs/language.md, generated from the targets themselves:
// one example per operator and construct, compiled through each target. `tsx scripts/mapping.ts`
// rewrites the table; test/cli/mapping.test.ts fails when it is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadRuleText } from "../src/rules/load.js";
import { targetByName } from "../src/targets/index.js";
import { IPV6_HEX, IPV6_QUAD, kqlString } from "../src/targets/sentinel/kql.js";

export const EXAMPLES: readonly (readonly [string, string])[] = [
  ["eq", 'eventName eq "ConsoleLogin"'],
  ["ne", 'userIdentity.type ne "Root"'],
  ["gt ge lt le", "eventVersion ge 1.08"],
  ["contains", 'userAgent contains "boto3"'],
  ["startswith", 'eventName startswith "Delete"'],
  ["endswith", 'userIdentity.arn endswith ":root"'],
  ["like", 'userIdentity.arn like "arn:aws:iam::*:role/admin-*"'],
  ["matches", "recipientAccountId matches '^\\d{12}$'"],
  ["in", 'eventName in ["StopLogging", "DeleteTrail"]'],
  ["cidr", 'sourceIPAddress cidr ["10.0.0.0/8", "192.168.0.0/16"]'],
  ["cidr (IPv6)", 'sourceIPAddress cidr "2001:db8::/32"'],
  ["ieq", 'userIdentity.type ieq "root"'],
  ["icontains", 'userAgent icontains ["trufflehog", "pacu"]'],
  ["istartswith", 'userAgent istartswith "aws-cli"'],
  ["iendswith", 'userIdentity.arn iendswith "-prod"'],
  ["ilike", 'userAgent ilike "*kali*"'],
  ["imatches", "userAgent imatches 'kali|parrot'"],
  ["iin", 'awsRegion iin ["US-EAST-1", "EU-WEST-1"]'],
  ["exists", "errorCode exists"],
  ["empty", "errorCode empty"],
  ["JSON text", 'requestParameters.bucketName eq "logs"'],
  ["not", "not errorCode exists"],
  ["field to field", "userIdentity.accountId ne recipientAccountId"],
  ["field to field, JSON text", "requestParameters.policyDocument contains recipientAccountId"],
  ["path[cond]", 'resources[type eq "AWS::S3::Bucket" and ARN endswith "-prod"]'],
];

function rule(condition: string): string {
  return `RuleID: Mapping.Example
DisplayName: Mapping example
LogTypes: [AWS.CloudTrail]
Severity: Low
Condition: ${JSON.stringify(condition)}
`;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ").replace(/\(\s+/g, "(").replace(/\s+\)/g, ")").trim();
}

function cell(s: string): string {
  return "`" + s.replace(/\|/g, "\\|").replace(/`/g, "'") + "`";
}

/**
 * The query's operators between the table and the output columns, on one line: the `where` alone
 * when it is all; a run of the same `mv-expand` (one per array level) shown once with its count.
 */
function sentinelCell(text: string): string {
  const query = (/\nquery: \|-?\n((?: {2}.*\n)+)/.exec(text)?.[1] ?? text).replaceAll(kqlString(IPV6_HEX), "<IPv6 hex forms>").replaceAll(kqlString(IPV6_QUAD), "<IPv6 dotted-quad forms>");
  const lines = query.split("\n").map((l) => l.slice(2)).filter((l) => l.trim() !== "");
  const ops = lines.slice(1).filter((l) => !/^\| (extend|project) /.test(l)).map((l) => l.trim());
  if (ops.length === 1) return ops[0]!.replace(/^\| where /, "");
  const out: { text: string; key: string; n: number }[] = [];
  for (const l of ops) {
    const key = l.replace(/^\| /, "");
    const last = out[out.length - 1];
    if (last && last.key === key) last.n++;
    else out.push({ text: l, key, n: 1 });
  }
  return out.map((o) => (o.n > 1 ? `${o.text} (${o.n} times)` : o.text)).join(" ");
}

function compiled(target: string, condition: string): string {
  const loaded = loadRuleText(rule(condition), "mapping_example.yml");
  if (!loaded.rule) throw new Error(`example does not load: ${condition}: ${JSON.stringify(loaded.diagnostics)}`);
  const t = targetByName(target);
  if (!t) return "(target not registered)";
  const result = t.compile(loaded.rule, {});
  const error = result.diagnostics.find((d) => d.severity === "error");
  if (error) return `not expressible (RC401): ${error.message.replace(/^(Sigma|Sentinel): /, "")}`;
  const text = result.files[0]!.content;
  if (target === "panther") {
    const body = /def rule\(event\):\n([\s\S]*?)(?:\n\n\n|$)/.exec(text)?.[1] ?? text;
    return cell(oneLine(body.replace(/^\s*return\s*/, "")));
  }
  if (target === "athena") return cell(oneLine(/\nWHERE ([\s\S]*)$/.exec(text)?.[1] ?? text));
  if (target === "sentinel") return cell(sentinelCell(text));
  const detection = /\ndetection:\n([\s\S]*?)\n(?:fields|level|falsepositives):/.exec(text)?.[1] ?? text;
  return cell(oneLine(detection.replace(/\n\s+/g, "; ")));
}

export function mappingTable(): string {
  const rows = EXAMPLES.map(([op, condition]) => `| ${op} | ${cell(condition)} | ${compiled("panther", condition)} | ${compiled("athena", condition)} | ${compiled("sigma", condition)} | ${compiled("sentinel", condition)} |`);
  return ["| operator | condition | Panther (`rule`) | Athena (`WHERE`) | Sigma (`detection`) | Sentinel (KQL `where`) |", "| --- | --- | --- | --- | --- | --- |", ...rows].join("\n");
}

export const DOC = fileURLToPath(new URL("../docs/language.md", import.meta.url));
const START = "<!-- mapping:start -->";
const END = "<!-- mapping:end -->";

export function withTable(doc: string): string {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < 0) throw new Error("docs/language.md has no mapping markers");
  return `${doc.slice(0, a + START.length)}\n${mappingTable()}\n${doc.slice(b)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(DOC, withTable(readFileSync(DOC, "utf8")));
  console.log("wrote the mapping table of docs/language.md");
}
