import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config.js";
import { loadRuleText } from "../../src/rules/load.js";
import type { Rule } from "../../src/rules/types.js";
import { athenaTarget, MAX_QUERY_BYTES } from "../../src/targets/athena/index.js";
import { checkAthenaOptions } from "../../src/targets/athena/options.js";
import { profileFor, registerProfile } from "../../src/targets/athena/profile.js";
import { rulec } from "../helpers/cli.js";
import { libraryRules, readsFiles } from "./proof.js";

/**
 * The Athena target with the DuckDB engine: golden statements (over the table, over the log
 * files), the options and their diagnostics, and `rulec build --athena-engine duckdb` writing
 * `athena/<name>.duckdb.sql` beside each `athena/<name>.sql`.
 */

const FIXTURES = new URL("../fixtures/", import.meta.url);
const LOCATION = "s3://my-trail-bucket/AWSLogs/111122223333/CloudTrail/us-east-1/";
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fixture(name: string): Rule {
  const r = loadRuleText(readFileSync(new URL(`${name}/rule.yml`, FIXTURES), "utf8"), `rules/${name}.yml`);
  expect(r.rule, JSON.stringify(r.diagnostics)).toBeDefined();
  return r.rule!;
}

function duckdb(rule: Rule, options: Record<string, string> = {}): string {
  const out = athenaTarget.compile(rule, { engine: "duckdb", ...options });
  expect(out.diagnostics).toEqual([]);
  expect(out.files.map((f) => f.path)).toEqual([`athena/${rule.name}.sql`, `athena/${rule.name}.duckdb.sql`]);
  // The Trino query beside it is the one written without the engine option.
  const trino = athenaTarget.compile(rule, Object.fromEntries(Object.entries(options).filter(([k]) => k !== "location")));
  expect(out.files[0]).toEqual(trino.files[0]);
  return out.files[1]!.content;
}

describe("golden DuckDB statements", () => {
  const variants: [string, string, Record<string, string>][] = [
    ["athena_profiles", "expected.duckdb.sql", {}],
    ["athena_profiles", "expected.duckdb.pp.sql", { profile: "cloudtrail_logs_pp", since: "7d" }],
    ["athena_profiles", "expected.duckdb.files.sql", { location: LOCATION, since: "24h" }],
    ["athena_profiles", "expected.duckdb.files-window.sql", { location: LOCATION, from: "2024-11-01", to: "2024-11-08" }],
    ["athena_seed_ses", "expected.duckdb.sql", {}],
    ["athena_cidr", "expected.duckdb.sql", {}],
  ];
  it.each(variants)("%s/%s", async (name, file, options) => {
    const sql = duckdb(fixture(name), options);
    await expect(sql).toMatchFileSnapshot(fileURLToPath(new URL(`${name}/${file}`, FIXTURES)));
    expect(duckdb(fixture(name), options)).toBe(sql);
  });
});

describe("every rule of the library", () => {
  it("has a DuckDB statement over the table (and one over the files where its log type has a file layout), each one statement within Athena's size limit", () => {
    for (const r of libraryRules()) {
      const files = readsFiles(r) ? [{ location: LOCATION, since: "24h" }] : [];
      for (const options of [{}, ...files] as Record<string, string>[]) {
        const sql = duckdb(r, options);
        expect(Buffer.byteLength(sql)).toBeLessThan(MAX_QUERY_BYTES);
        expect(sql.trimEnd().endsWith(";")).toBe(false);
        expect(sql).not.toMatch(/\brc_(root|step|leaves|exists|empty|strings|numbers|booleans|lower|ipv4|ipv6\w*|unwrap|member)\(/);
      }
    }
  });
});

describe("options", () => {
  const rule = fixture("athena_seed_ses");
  it.each([
    [{ engine: "presto" }, "RC502", /'engine' must be trino or duckdb/],
    [{ location: LOCATION }, "RC502", /read by the DuckDB engine only/],
    [{ engine: "duckdb", location: "my-bucket/AWSLogs/" }, "RC502", /must be an S3 URI/],
    [{ engine: "duckdb", location: LOCATION, profile: "generic" }, "RC401", /the table profile 'generic' has no file layout/],
  ])("%j", (options, code, message) => {
    const out = athenaTarget.compile(rule, options);
    const d = out.diagnostics.find((x) => x.code === code);
    expect(d?.message).toMatch(message);
    expect(out.files.some((f) => f.path.endsWith(".duckdb.sql"))).toBe(false);
  });

  it("a table profile that says engine: duckdb asks for the DuckDB statement itself", () => {
    // Profiles are data (src/logtypes/<type>/logtype.json); one of them saying `engine: duckdb`, for this test only.
    const undo = registerProfile("AWS.CloudTrail", { ...profileFor("AWS.CloudTrail", "cloudtrail_logs")!, name: "test_duckdb", engine: "duckdb" });
    try {
      const out = athenaTarget.compile(rule, { profile: "test_duckdb" });
      expect(out.diagnostics).toEqual([]);
      expect(out.files.map((f) => f.path)).toEqual([`athena/${rule.name}.sql`, `athena/${rule.name}.duckdb.sql`]);
      // The option overrides the profile.
      expect(athenaTarget.compile(rule, { profile: "test_duckdb", engine: "trino" }).files.map((f) => f.path)).toEqual([`athena/${rule.name}.sql`]);
      // A location needs no engine option then.
      expect(checkAthenaOptions({ profile: "test_duckdb", location: LOCATION })).toEqual([]);
    } finally {
      undo();
    }
  });

  it("the configuration checks engine and location", () => {
    expect(checkAthenaOptions({ engine: "duckdb", location: LOCATION })).toEqual([]);
    expect(checkAthenaOptions({ engine: "v3" }).map((p) => p.key)).toEqual(["engine"]);
    expect(checkAthenaOptions({ location: LOCATION }).map((p) => p.message)).toEqual([`athena.location is read by the DuckDB engine only: set athena.engine to duckdb`]);
    const { diagnostics } = parseConfig(`athena:\n  engine: duckdb\n  location: "bucket/x"\n`, "rulec.config.yml");
    expect(diagnostics.map((d) => [d.code, d.span?.start.line, d.message])).toEqual([["RC502", 3, "athena.location must be an S3 URI (s3://bucket/AWSLogs/<account>/CloudTrail/<region>/) or an absolute path"]]);
  });
});

describe("rulec build --athena-engine duckdb", () => {
  function library(config?: string): string {
    const dir = mkdtempSync(join(tmpdir(), "rulec-duckdb-build-"));
    dirs.push(dir);
    cpSync("rules", join(dir, "rules"), { recursive: true });
    if (config !== undefined) writeFileSync(join(dir, "rules", "rulec.config.yml"), config);
    return dir;
  }

  it("writes each rule's DuckDB statement beside its Trino query", () => {
    const dir = library();
    const n = readdirSync("rules").filter((f) => f.endsWith(".yml") && f !== "rulec.config.yml").length;
    const r = rulec(["build", "rules", "--target", "athena", "--athena-engine", "duckdb"], { cwd: dir });
    expect(r.stderr).toContain(`${n} rules, ${2 * n} files written`);
    expect(r.status).toBe(0);
    const files = readdirSync(join(dir, "out/athena")).sort();
    expect(files.filter((f) => f.endsWith(".duckdb.sql"))).toHaveLength(n);
    expect(files.filter((f) => !f.endsWith(".duckdb.sql"))).toEqual(readdirSync("out/athena").sort());
    const name = "aws_console_root_login";
    const rule = loadRuleText(readFileSync(`rules/${name}.yml`, "utf8"), `rules/${name}.yml`).rule!;
    expect(readFileSync(join(dir, `out/athena/${name}.duckdb.sql`), "utf8")).toBe(duckdb(rule));
    expect(readFileSync(join(dir, `out/athena/${name}.sql`), "utf8")).toBe(readFileSync(`out/athena/${name}.sql`, "utf8"));
    // Without the engine the DuckDB statements are no output any more.
    const again = rulec(["build", "rules", "--target", "athena"], { cwd: dir });
    expect(again.stderr).toContain(`${n} rules, 0 files written, ${n} unchanged, ${n} removed`);
  });

  it("reads athena.engine and athena.location from rulec.config.yml", () => {
    const dir = library(`athena:\n  engine: duckdb\n  location: ${LOCATION}\n  since: 24h\n`);
    const r = rulec(["build", "rules", "--target", "athena"], { cwd: dir });
    expect(r.status).toBe(0);
    const sql = readFileSync(join(dir, "out/athena/aws_console_root_login.duckdb.sql"), "utf8");
    expect(sql).toContain(`read_json('${LOCATION}' || `);
  });

  it("--athena-engine without the athena target, or with an unknown engine, is a usage error", () => {
    const dir = library();
    const r = rulec(["build", "rules", "--target", "sigma", "--athena-engine", "duckdb"], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--athena-engine applies to the athena target");
    const bad = rulec(["build", "rules", "--athena-engine", "presto"], { cwd: dir });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/Allowed choices are trino, duckdb/);
  });
});
