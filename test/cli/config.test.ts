import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config.js";
import { rulec } from "../helpers/cli.js";

describe("rulec.config.yml", () => {
  it("reads every setting", () => {
    const { config, diagnostics } = parseConfig(
      "out: build\ntargets: [athena]\nathena:\n  database: security\n  table: trail\n  profile: cloudtrail_logs\n  since: 24h\nsigma:\n  author: Detection Team\n  status: test\n  date: '2026-01-31'\n",
      "rulec.config.yml",
    );
    expect(diagnostics).toEqual([]);
    expect(config).toEqual({
      out: "build",
      targets: ["athena"],
      athena: { database: "security", table: "trail", profile: "cloudtrail_logs", since: "24h" },
      sigma: { author: "Detection Team", status: "test", date: "2026-01-31" },
    });
  });

  it("reports unknown and mistyped settings with positions", () => {
    const { diagnostics } = parseConfig("out: [x]\nathena:\n  tabel: t\nsigma:\n  status: draft\nextra: 1\n", "c.yml");
    expect(diagnostics.map((d) => `${d.span?.start.line}:${d.span?.start.col} ${d.message}`)).toEqual([
      "1:6 out must be a string",
      "3:3 unknown setting 'athena.tabel' (did you mean 'table'?)",
      "6:1 unknown setting 'extra'",
      "5:11 sigma.status 'draft' is not one of stable, test, experimental, deprecated, unsupported",
    ]);
  });

  it("a broken config found in the library's parent stops the build with exit 2 and a position", () => {
    const dir = mkdtempSync(join(tmpdir(), "rulec-config-"));
    mkdirSync(join(dir, "rules"));
    writeFileSync(join(dir, "rulec.config.yml"), "sigma:\n  autor: me\n");
    const r = rulec(["build", join(dir, "rules")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("rulec.config.yml:2:3: error RC502: unknown setting 'sigma.autor' (did you mean 'author'?)");
  });
});

describe("rulec.config.yml reaches the targets", () => {
  it("sigma author/status/date and the athena database/table shape the outputs; flags override out", () => {
    const dir = mkdtempSync(join(tmpdir(), "rulec-config-"));
    mkdirSync(join(dir, "rules"));
    writeFileSync(
      join(dir, "rules", "seed.yml"),
      'RuleID: T.Seed\nDisplayName: Seed\nLogTypes: [AWS.CloudTrail]\nSeverity: Info\nCondition: eventName eq "A"\nTests:\n  - Name: yes\n    ExpectedResult: true\n    Log: {eventName: A}\n  - Name: no\n    ExpectedResult: false\n    Log: {eventName: B}\n',
    );
    writeFileSync(
      join(dir, "rulec.config.yml"),
      "out: compiled\nathena:\n  database: security\n  table: trail\nsigma:\n  author: Detection Team\n  status: test\n  date: '2026-01-31'\n",
    );
    const r = rulec(["build", "rules"], { cwd: dir });
    expect(r.status).toBe(0);
    const sigma = readFileSync(join(dir, "compiled/sigma/seed.yml"), "utf8");
    expect(sigma).toContain("status: test");
    expect(sigma).toContain("author: Detection Team");
    expect(sigma).toContain('date: "2026-01-31"');
    expect(readFileSync(join(dir, "compiled/athena/seed.sql"), "utf8")).toContain("FROM security.trail");
    expect(rulec(["build", "rules", "--out", "elsewhere", "--target", "panther"], { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(dir, "elsewhere/panther/seed.py"), "utf8")).toContain('return event.get("eventName") == "A"');
  });
});
