import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatRuleText } from "../../src/format/rulefile.js";
import { rulec } from "../helpers/cli.js";

const RULE = (condition: string, extra = "") =>
  `# a comment above everything\nRuleID: T.Fmt   # trailing comment\nDisplayName: 'Quoted  display'\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nCondition: ${condition}\n${extra}Tests: []\n`;

function fmt(text: string): string {
  const r = formatRuleText(text);
  if (!r.ok) throw new Error(r.reason);
  return r.text;
}

describe("formatting a rule file", () => {
  it("rewrites only the condition, in its own YAML style", () => {
    expect(fmt(RULE('eventName   eq "A"  and (awsRegion eq "x")'))).toBe(RULE('eventName eq "A" and awsRegion eq "x"'));
    expect(fmt(RULE("'eventName  eq \"A\"'"))).toBe(RULE("'eventName eq \"A\"'"));
    expect(fmt(RULE('"eventName  eq \\"A\\""'))).toBe(RULE('"eventName eq \\"A\\""'));
  });

  it("keeps a block scalar's header and indentation, one operand per line when long", () => {
    const src = RULE(
      '|\n    eventSource eq "iam.amazonaws.com" and eventName in ["CreateUser", "DeleteUser", "UpdateUser"] and not errorCode exists\n',
    );
    expect(fmt(src)).toBe(RULE('|\n    eventSource eq "iam.amazonaws.com"\n    and eventName in ["CreateUser", "DeleteUser", "UpdateUser"]\n    and not errorCode exists\n'));
  });

  it("keeps comments, each before the operand that follows it", () => {
    const src = RULE('|\n  a eq 1 # first\n  and (b eq 2 or\n  # why c\n  c eq 3)\n');
    const out = fmt(src);
    expect(out).toContain("# first");
    expect(out).toContain("# why c");
    expect(fmt(out)).toBe(out);
  });

  it("turns a folded block with comments into a literal block (a fold would swallow the lines after a comment)", () => {
    const out = fmt(RULE(">\n  a eq 1\n  and b eq 2 # note\n"));
    expect(out).toContain("Condition: |\n  a eq 1\n  and b eq 2\n  # note\n");
  });

  it("is idempotent on the shipped library, which is already formatted", () => {
    const dir = new URL("../../rules/", import.meta.url);
    for (const f of readdirSync(dir)) {
      const text = readFileSync(new URL(f, dir), "utf8");
      const r = formatRuleText(text);
      expect(r.ok && !r.changed, f).toBe(true);
    }
  });

  it("refuses a file whose condition has errors", () => {
    expect(formatRuleText(RULE("a eq")).ok).toBe(false);
  });
});

describe("rulec fmt", () => {
  it("--check passes on rules/ and fails on an unformatted file; fmt fixes it in place", () => {
    expect(rulec(["fmt", "--check", "rules"]).status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "rulec-fmt-"));
    cpSync("rules/aws_cloudtrail_ses_check_ses_sending_enabled.yml", join(dir, "seed.yml"));
    writeFileSync(join(dir, "messy.yml"), RULE("eventName   eq   \"A\""));
    const check = rulec(["fmt", "--check", dir]);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain("not formatted: ");
    expect(check.stdout).toContain("messy.yml");
    expect(rulec(["fmt", dir]).status).toBe(0);
    expect(readFileSync(join(dir, "messy.yml"), "utf8")).toBe(RULE('eventName eq "A"'));
    expect(rulec(["fmt", "--check", dir]).status).toBe(0);
  });
});
