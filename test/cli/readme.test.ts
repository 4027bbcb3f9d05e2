import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("README", () => {
  const readme = readFileSync("README.md", "utf8");

  it("starts with the two commands", () => {
    const head = readme.split("\n").slice(0, 15).join("\n");
    expect(head).toContain("npm ci && npx rulec build rules");
    expect(head).toContain("npm ci && npm test");
    expect(readFileSync(".ci/run", "utf8")).toContain("npm ci && npm test");
  });

  it("shows the seed rule's outputs exactly as out/ has them", () => {
    const blocks = [...readme.matchAll(/<!-- file: (\S+) -->\n```\w+\n([\s\S]*?)```/g)];
    expect(blocks.map((b) => b[1])).toEqual([
      "out/panther/aws_cloudtrail_ses_check_ses_sending_enabled.py",
      "out/athena/aws_cloudtrail_ses_check_ses_sending_enabled.sql",
      "out/sigma/aws_cloudtrail_ses_check_ses_sending_enabled.yml",
      "out/sentinel/aws_cloudtrail_ses_check_ses_sending_enabled.yaml",
    ]);
    for (const [, file, content] of blocks) expect(content!.replace(/\n$/, "")).toBe(readFileSync(file!, "utf8").replace(/\n$/, ""));
  });
});
