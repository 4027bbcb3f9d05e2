import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseEvents } from "../../src/events/parse.js";
import { streamRecords } from "../../src/hunt/logs.js";
import { RecordStream } from "../../src/hunt/stream.js";
import { rulec } from "../helpers/cli.js";

/** Large log files are read record by record, with the records a whole-file read finds. */

function streamed(text: string, cut: (n: number) => number[]): { records: unknown[]; lines: number[] } {
  const bytes = Buffer.from(text, "utf8");
  const s = new RecordStream();
  const problems: { line?: number }[] = [];
  const counts = { malformed: 0, notObjects: 0 };
  const records: unknown[] = [];
  let at = 0;
  for (const c of [...cut(bytes.length), bytes.length]) {
    s.push(bytes.subarray(at, c));
    at = c;
    records.push(...streamRecords("f", s.take(), problems as never, counts));
  }
  s.end();
  records.push(...streamRecords("f", s.take(), problems as never, counts));
  return { records, lines: problems.map((p) => p.line!) };
}

const objects = (xs: unknown[]) => xs.filter((r) => typeof r === "object" && r !== null && !Array.isArray(r));

describe("RecordStream", () => {
  const layouts: [string, string][] = [
    ["CloudTrail", JSON.stringify({ Records: [{ eventName: "A", s: "a,b]}{\"" }, { eventName: "B", n: [1, [2]] }, { eventName: "C\\n" }] }, null, 2)],
    ["array", '[{"a": 1}, {"b": "]"}, 3, "x", {"c": {"d": [1, 2]}}]'],
    ["NDJSON", '{"a": 1}\n\n{"b": 2}\r\n[{"c": 3}, {"d": 4}]\n{"Records": [{"e": 5}]}\n{"f": "\\u00e9"}'],
    ["NDJSON with a BOM and no final newline", '\uFEFF{"a": 1}\n{"b": "é"}'],
  ];
  for (const [name, text] of layouts) {
    it(`${name}: the records of a whole-file read, whatever the chunk boundaries`, () => {
      const whole = objects(parseEvents(text.replace(/^\uFEFF/, "")).events);
      fc.assert(
        fc.property(fc.uniqueArray(fc.nat({ max: Buffer.byteLength(text) }), { maxLength: 8 }), (cuts) => {
          expect(streamed(text, () => [...cuts].sort((a, b) => a - b)).records).toEqual(whole);
        }),
        { seed: 7, numRuns: 200 },
      );
      // One byte at a time.
      expect(streamed(text, (n) => Array.from({ length: n }, (_, i) => i)).records).toEqual(whole);
    });
  }

  it("reports a malformed line of NDJSON by its line and reads the others", () => {
    const r = streamed('{"a": 1}\n{not json\n{"b": 2}\n', () => [5, 13]);
    expect(r.records).toEqual([{ a: 1 }, { b: 2 }]);
    expect(r.lines).toEqual([2]);
  });
});

describe("rulec hunt on large files", () => {
  it("streams a large file (NDJSON, CloudTrail, gzip) with the matches of a whole-file read", () => {
    const dir = mkdtempSync(join(tmpdir(), "rulec-stream-"));
    mkdirSync(join(dir, "logs"));
    const events = Array.from({ length: 3000 }, (_, i) => ({
      eventTime: "2026-01-01T00:00:00Z",
      eventSource: "ses.amazonaws.com",
      eventName: i % 7 === 0 ? "GetAccountSendingEnabled" : "ListIdentities",
      recipientAccountId: "123456789012",
      userAgent: `agent-${i}`,
    }));
    writeFileSync(join(dir, "logs/a.ndjson"), events.map((e) => JSON.stringify(e)).join("\n") + "\n");
    writeFileSync(join(dir, "logs/b.json"), JSON.stringify({ Records: events }, null, 1));
    writeFileSync(join(dir, "logs/c.json.gz"), gzipSync(JSON.stringify({ Records: events })));
    const args = ["hunt", "rules/aws_cloudtrail_ses_check_ses_sending_enabled.yml", "--logs", join(dir, "logs"), "--format", "json"];
    const whole = rulec(args);
    const stream = rulec([...args, "--stream-above", "1000"]);
    expect(whole.status).toBe(0);
    expect(stream.status, stream.stderr).toBe(0);
    const matches = JSON.parse(whole.stdout) as unknown[];
    expect(matches.length).toBe(3 * Math.ceil(3000 / 7));
    expect(JSON.parse(stream.stdout)).toEqual(matches);
  });
});
