import { HiveSQL } from "dt-sql-parser";
import { describe, expect, it } from "vitest";
import { LOG_TYPES } from "../../src/logtypes/registry.js";
import { createTableDdl } from "../../src/targets/athena/ddl.js";
import { allProfiles, columnName, profilesOf } from "../../src/targets/athena/profile.js";
import { rulec } from "../helpers/cli.js";

/** `rulec logtypes` and `rulec athena ddl`. */

const hive = new HiveSQL();

describe("rulec logtypes", () => {
  it("lists every typed log type with its fields, Sigma logsource and Athena tables, then Panther's others", () => {
    const r = rulec(["logtypes"]);
    expect(r.status).toBe(0);
    for (const d of LOG_TYPES) expect(r.stdout).toMatch(new RegExp(`^  ${d.logType.replace(/\./g, "\\.")} +\\d+ fields  Sigma `, "m"));
    expect(r.stdout).toContain("accepted free-form");
    expect(r.stdout).toMatch(/ Asana\.Audit\b/);
    const json = JSON.parse(rulec(["logtypes", "--format", "json"]).stdout) as { typed: { logType: string }[]; freeForm: string[] };
    expect(json.typed.map((t) => t.logType)).toEqual(LOG_TYPES.map((d) => d.logType));
    expect(json.freeForm).toContain("Zoom.Operation");
  });

  it("shows one log type's fields, Sigma mapping and tables", () => {
    const r = rulec(["logtypes", "GCP.AuditLog"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^  protoPayload\.methodName +string +The method called/m);
    expect(r.stdout).toContain("gcp.audit.method_name <-> protoPayload.methodName");
    expect(r.stdout).toContain("gcp_auditlog           default.gcp_auditlog: ");
    const json = JSON.parse(rulec(["logtypes", "Okta.SystemLog", "--format", "json"]).stdout) as { fields: { path: string; type: string }[] };
    expect(json.fields).toContainEqual(expect.objectContaining({ path: "client.ipAddress", type: "ip" }));
  });

  it("says what a free-form log type is, and refuses an unknown one with the nearest name", () => {
    expect(rulec(["logtypes", "Zoom.Operation"]).stdout).toMatch(/without a typed schema in rulec/);
    const r = rulec(["logtypes", "Okta.Systemlog"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("rulec: unknown log type 'Okta.Systemlog' (did you mean 'Okta.SystemLog'?): 'rulec logtypes' lists the log types\n");
  });
});

describe("rulec athena ddl", () => {
  it("every table profile's CREATE TABLE passes the Hive DDL grammar and declares exactly the profile's columns", () => {
    for (const p of allProfiles()) {
      const { ddl } = createTableDdl(p, { location: "s3://my-bucket/some/prefix" });
      expect(hive.validate(ddl!), `${p.logTypes[0]} ${p.name}\n${ddl}`).toEqual([]);
      expect(ddl).toContain("LOCATION 's3://my-bucket/some/prefix/'");
      const declared = [...ddl!.matchAll(/^ {2}`([^`]+)` /gm)].map((m) => m[1]);
      const expected = p.root ? [p.root.column] : [...new Set(Object.entries(p.columns ?? {}).map(([k, t]) => columnName(k, t)))];
      expect(declared).toEqual(expected);
    }
  });

  it("prints a log type's default table, or the profile asked for, with the location given", () => {
    const r = rulec(["athena", "ddl", "Okta.SystemLog", "--location", "s3://acme-okta/systemlog"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("CREATE EXTERNAL TABLE IF NOT EXISTS `default`.`okta_systemlog` (");
    expect(r.stdout).toContain("'storage.location.template' = 's3://acme-okta/systemlog/${dt}/'");
    const pp = rulec(["athena", "ddl", "AWS.CloudTrail", "--profile", "cloudtrail_logs_pp", "--table", "trail", "--database", "security"]);
    expect(pp.stdout).toContain("CREATE EXTERNAL TABLE IF NOT EXISTS `security`.`trail` (");
    expect(pp.stdout).toContain("PARTITIONED BY (`timestamp` string)");
    expect(pp.stderr).toContain("replace the placeholder LOCATION");
    expect(rulec(["athena", "ddl", "GitHub.Audit"]).stdout).toContain("'mapping._timestamp' = '@timestamp'");
    for (const d of LOG_TYPES) expect(rulec(["athena", "ddl", d.logType, "--profile", "panther"]).stdout).toContain(`\`panther_logs\`.\`${profilesOf(d.logType).find((p) => p.name === "panther")!.table}\``);
  });

  it("a free-form log type gets the generic table, and says so", () => {
    const r = rulec(["athena", "ddl", "Zoom.Operation", "--location", "s3://acme-logs/zoom/"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("`event` string");
    expect(r.stderr).toContain("Zoom.Operation has no typed schema in rulec");
  });

  it.each([
    [["athena", "ddl", "Okta.SystemLogs"], /unknown log type .Okta.SystemLogs. \(did you mean .Okta.SystemLog.\?\)/],
    [["athena", "ddl", "Okta.SystemLog", "--profile", "cloudtrail_logs"], /has no table profile 'cloudtrail_logs' \(its profiles: okta_systemlog, panther, generic\)/],
    [["athena", "ddl", "Okta.SystemLog", "--location", "https://example.com/x"], /the location must be an S3 URI/],
    [["athena", "ddl", "Okta.SystemLog", "--location", "s3://acme-logs/x'; DROP TABLE y; --"], /the location must be an S3 URI/],
    [["athena", "ddl", "Okta.SystemLog", "--table", "a b"], /--table must be a plain name/],
  ])("usage errors exit 2: %j", (args, message) => {
    const r = rulec(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
  });
});
