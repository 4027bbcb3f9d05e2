import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { compileCondition as compile } from "../../src/eval/evaluate.js";
import { parseEvents } from "../../src/events/parse.js";
import { TextLines, textReaderFor } from "../../src/events/text.js";
import { hunt, type LogStream } from "../../src/hunt/hunt.js";
import { loadRuleFiles } from "../../src/rules/load.js";

/**
 * Text logs (src/events/text.ts): VPC Flow Logs read by their header line, in any field order,
 * `-` as no value, numbers as Hive reads them into the table's int and bigint columns; hunting a
 * flow log file streamed in chunks that cut lines anywhere gives what the whole file gives.
 */

const DEFAULT = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
const flow = [
  DEFAULT,
  "2 111122223333 eni-0a1b 203.0.113.77 10.20.1.15 40112 22 6 1 44 1731488400 1731488460 REJECT OK",
  "2 111122223333 eni-0f9e - - - - - - - 1731488400 1731488460 - NODATA",
  "srcaddr dstaddr dstport action flow-direction tcp-flags",
  "198.51.100.9 10.20.4.7 5432 ACCEPT ingress 19",
  "this line is not a flow record",
  "198.51.100.9 10.20.4.7 99999999999 ACCEPT ingress +2",
].join("\n");

describe("text logs: VPC Flow Logs", () => {
  it("reads records by the header line, with `-` as no value and a later header switching the order", () => {
    const { events, errors } = parseEvents(flow);
    expect(events).toEqual([
      { version: 2, account: "111122223333", interfaceId: "eni-0a1b", srcAddr: "203.0.113.77", dstAddr: "10.20.1.15", srcPort: 40112, dstPort: 22, protocol: 6, packets: 1, bytes: 44, start: 1731488400, end: 1731488460, action: "REJECT", status: "OK" },
      { version: 2, account: "111122223333", interfaceId: "eni-0f9e", start: 1731488400, end: 1731488460, status: "NODATA" },
      { srcAddr: "198.51.100.9", dstAddr: "10.20.4.7", dstPort: 5432, action: "ACCEPT", flowDirection: "ingress", tcpFlags: 19 },
      // dstPort out of Hive's int range is no value, as the table's int column reads it (NULL); +2 is 2.
      { srcAddr: "198.51.100.9", dstAddr: "10.20.4.7", action: "ACCEPT", flowDirection: "ingress", tcpFlags: 2 },
    ]);
    expect(errors).toEqual([{ line: 6, message: "the line does not fit the AWS.VPCFlow text layout" }]);
  });

  it("reads a file without a header as the default format, and tells no other text as a flow log", () => {
    expect(textReaderFor("2 111122223333 eni-0a1b 203.0.113.77 10.20.1.15 40112 22 6 1 44 1731488400 1731488460 REJECT OK")?.header).toBe(false);
    expect(textReaderFor(DEFAULT)?.header).toBe(true);
    expect(textReaderFor("hello world")).toBeUndefined();
    expect(textReaderFor("2 a b c d e f g h i j k l")).toBeUndefined();
    const r = new TextLines();
    expect(r.line("not a log").error).toBe("not JSON, and no text log layout reads it");
  });

  it("hunts a flow log streamed in chunks that cut its lines as the whole file, on the delimited table", async () => {
    const rules = loadRuleFiles(["rules"]).rules.filter((x) => x.logTypes[0] === "AWS.VPCFlow");
    const text = flow + "\n" + Array.from({ length: 300 }, (_, i) => `198.51.100.${i % 250} 10.20.4.7 ${[5432, 22, 443][i % 3]} ${i % 2 ? "ACCEPT" : "REJECT"} ingress ${i % 4 === 0 ? 2 : 19}`).join("\n") + "\n";
    const bytes = new TextEncoder().encode(text);
    const whole = await hunt(rules, [{ name: "flow.log.gz", bytes: gzipSync(text) }]);
    const stream: LogStream = {
      name: "flow.log.gz",
      size: bytes.length,
      async *open() {
        for (let i = 0; i < bytes.length; i += 97) yield bytes.subarray(i, i + 97);
      },
    };
    const streamed = await hunt(rules, [stream]);
    const key = (r: typeof whole) => r.matches.map((m) => `${m.rule}#${m.record}`).sort();
    expect(whole.events).toBe(304);
    expect(streamed.events).toBe(304);
    expect(key(streamed)).toEqual(key(whole));
    expect(whole.problems).toEqual([{ file: "flow.log.gz", line: 6, message: "the line does not fit the AWS.VPCFlow text layout", fatal: false }]);
    expect(streamed.problems).toEqual(whole.problems);
    // The evaluator on the records rulec's reader reads: the same matches.
    const records = parseEvents(text).events;
    const want = rules.flatMap((r) => records.flatMap((e, i) => (compile(r.condition)(e) ? [`${r.name}#${i}`] : []))).sort();
    expect(key(whole)).toEqual(want);
    expect(want.length).toBeGreaterThan(50);
  });
});
