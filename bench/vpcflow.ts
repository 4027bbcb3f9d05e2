/**
 * `rulec hunt` on VPC Flow Logs as AWS writes them to S3: one gzipped file of N records (default
 * 1,000,000) in a custom field order (a version 5 header line), hunted with every VPC Flow rule of
 * rules/ (10), streamed as the CLI streams a large file. Run in its own process (bench/run.ts spawns
 * it) so that its peak RSS is its own; prints one JSON line. The matches are checked against the
 * reference evaluator on the records rulec's reader reads from the same lines.
 *
 *   tsx bench/vpcflow.ts [records] [dir]
 */
import { createReadStream, createWriteStream, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createGunzip, createGzip } from "node:zlib";
import { compileCondition } from "../dist/eval/evaluate.js";
import { TextLines } from "../dist/events/text.js";
import { hunt } from "../dist/hunt/hunt.js";
import { loadRuleFiles } from "../dist/rules/load.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const RECORDS = Number(process.argv[2] ?? 1_000_000);
const DIR = process.argv[3] ?? process.env.BENCH_DIR ?? "/tmp/rulec-bench";

/** A custom format (version 5 fields) in an order of its own, as a flow log created with --log-format writes it. */
const HEADER =
  "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status flow-direction traffic-path pkt-dst-aws-service";

/**
 * Seeded records shaped like a VPC's traffic: mostly HTTPS and HTTP, DNS to the VPC resolver,
 * some rejected scans from the internet, a little of everything the rules look for (mining-pool,
 * Tor, IRC and SMB ports, exposed databases, large transfers), 2% NODATA records with `-` fields.
 */
async function generate(file: string, n: number): Promise<void> {
  let seed = 20261207;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const priv = () => `10.20.${Math.floor(rnd() * 64)}.${1 + Math.floor(rnd() * 250)}`;
  const pub = () => `${pick([3, 13, 18, 34, 52, 54, 104, 142, 151, 172, 185, 198, 203])}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 250)}`;
  const rare = [3333, 14444, 9001, 6667, 445, 5432, 6379, 22, 3389, 53];
  function* lines(): Generator<string> {
    yield HEADER;
    for (let i = 0; i < n; i++) {
      const t = 1731488400 + Math.floor(i / 200);
      const eni = `eni-0a1b2c3d4e5f6${(i % 997).toString().padStart(4, "0")}`;
      if (rnd() < 0.02) {
        yield `5 vpc-0a1b2c3d subnet-0123456789 - ${eni} 111122223333 - - - - - - - - - - ${t} ${t + 60} - - NODATA - - -`;
        continue;
      }
      const r = rnd();
      let src: string, dst: string, dport: number, proto = 6, action = "ACCEPT", flags = 19, packets = 2 + Math.floor(rnd() * 400), dir = "egress";
      if (r < 0.55) [src, dst, dport] = [priv(), pub(), pick([443, 443, 443, 80])];
      else if (r < 0.7) [src, dst, dport, proto] = [priv(), "10.20.0.2", 53, 17];
      else if (r < 0.85) [src, dst, dport, dir] = [pub(), priv(), pick([443, 80]), "ingress"];
      else if (r < 0.97) {
        [src, dst, dport, dir, action, flags, packets] = [pub(), priv(), pick([22, 23, 3389, 8080, 5900, 1433, 445, 8443, 9200]), "ingress", "REJECT", 2, 1];
      } else [src, dst, dport] = rnd() < 0.5 ? [priv(), pub(), pick(rare)] : [pub(), priv(), pick(rare)];
      const bytes = packets * (40 + Math.floor(rnd() * 1400)) * (rnd() < 0.0005 ? 100000 : 1);
      const service = dst.startsWith("52.") ? "S3" : "-";
      yield `5 vpc-0a1b2c3d subnet-0123456789 i-0123456789abcdef0 ${eni} 111122223333 IPv4 ${src} ${dst} ${1024 + Math.floor(rnd() * 60000)} ${dport} ${src} ${dst} ${proto} ${bytes} ${packets} ${t} ${t + 60} ${action} ${proto === 6 ? flags : 0} OK ${dir} ${dir === "egress" ? 1 : "-"} ${service}`;
    }
  }
  async function* chunks(): AsyncGenerator<string> {
    let batch: string[] = [];
    for (const l of lines()) {
      batch.push(l);
      if (batch.length === 10_000) {
        yield batch.join("\n") + "\n";
        batch = [];
      }
    }
    if (batch.length > 0) yield batch.join("\n") + "\n";
  }
  await pipeline(chunks(), createGzip(), createWriteStream(file));
}

mkdirSync(DIR, { recursive: true });
const file = join(DIR, `vpcflow-${RECORDS}.log.gz`);
await generate(file, RECORDS);
const rules = loadRuleFiles([join(ROOT, "rules")]).rules.filter((r) => r.logTypes.length === 1 && r.logTypes[0] === "AWS.VPCFlow");

const before = process.memoryUsage().rss;
const cpu0 = process.cpuUsage();
const start = performance.now();
const result = await hunt(rules, [
  {
    name: file,
    size: statSync(file).size,
    open: () => createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(createGunzip()),
  },
]);
const totalMs = performance.now() - start;
const cpu = process.cpuUsage(cpu0);
const peakRssMb = process.resourceUsage().maxRSS / 1024;
if (result.events !== RECORDS) throw new Error(`hunt loaded ${result.events} records, expected ${RECORDS} (${JSON.stringify(result.problems.slice(0, 3))})`);
if (result.ruleErrors.length > 0) throw new Error(`rule errors: ${JSON.stringify(result.ruleErrors)}`);

// The reference: the evaluator on the records rulec's reader reads from the same lines, streamed.
const predicates = rules.map((r) => compileCondition(r.condition));
const reader = new TextLines();
let evaluatorMatches = 0;
for await (const line of createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })) {
  const r = reader.line(line);
  if (!r.record) continue;
  for (const p of predicates) if (p(r.record)) evaluatorMatches++;
}

console.log(
  JSON.stringify({
    records: RECORDS,
    rules: rules.length,
    fileMb: statSync(file).size / 2 ** 20,
    loadMs: result.loadMs,
    queryMs: result.queryMs,
    totalMs,
    // CPU time of the process (all DuckDB threads and the main thread) during the hunt.
    cpuMs: (cpu.user + cpu.system) / 1000,
    recordsPerSecond: RECORDS / (totalMs / 1000),
    matches: result.matches.length,
    evaluatorMatches,
    peakRssMb,
    baselineRssMb: before / 2 ** 20,
  }),
);
