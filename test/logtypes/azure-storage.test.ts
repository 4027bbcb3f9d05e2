import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCondition } from "../../src/check/check.js";
import { evaluate } from "../../src/eval/evaluate.js";
import { rootType, schemaFor } from "../../src/schema/schema.js";
import { parseCondition } from "../../src/syntax/ast.js";
import { profilesOf } from "../../src/targets/athena/profile.js";
import { pantherTarget } from "../../src/targets/panther/index.js";
import { DuckRunner } from "../athena/duck.js";
import { samplesOf } from "../helpers/logtype-arbitraries.js";
import { checkSource, PythonRunner } from "../panther/harness.js";
import { ruleFor } from "../panther/rules.js";

/**
 * Azure.MonitorActivity holds activity log records and resource log records. Azure Storage's
 * resource logs (StorageRead, StorageWrite, StorageDelete) carry top-level fields of their own
 * (statusCode as a JSON number, statusText, uri, protocol, schemaVersion) and an identity of their
 * own (type, tokenHash, requester, and authorization as a list of objects where the activity log
 * has one object): docs/logtypes/azure.monitoractivity.md. Each case's verdicts on the log type's
 * samples (two activity records with identity.authorization an object, one without it, a
 * StorageWrite with an OAuth requester and a list authorization, a StorageRead refused with 409) are
 * what a detection engineer expects; the evaluator, the Panther Python and the DuckDB SQL on every
 * table profile of the log type must give them.
 */

const LOG_TYPE = "Azure.MonitorActivity";
const samples = samplesOf(LOG_TYPE);
const names = samples.map((_, i) => i);

const CASES: { readonly condition: string; readonly matches: readonly number[] }[] = [
  // activity log: identity.authorization is an object
  { condition: 'identity.authorization.action ieq "Microsoft.Authorization/roleAssignments/write"', matches: [0] },
  { condition: 'identity.authorization.evidence.role eq "Owner"', matches: [0] },
  // storage resource log: identity.authorization is a list of objects; a path through it reaches any element
  { condition: 'identity.authorization.action eq "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"', matches: [3] },
  { condition: 'identity.authorization[type eq "RBAC" and result eq "Granted"]', matches: [3] },
  { condition: 'identity.authorization.principals.type eq "User"', matches: [3] },
  { condition: "identity.authorization exists", matches: [0, 1, 3] },
  // the storage request's outcome: statusCode a number, statusText a text
  { condition: 'category eq "StorageRead" and statusCode eq 409 and statusText ieq "BlobUsesCustomerSpecifiedEncryption"', matches: [4] },
  { condition: "statusCode ge 400", matches: [4] },
  { condition: "statusCode in [200, 201, 202, 206]", matches: [3] },
  { condition: 'statusCode eq "409"', matches: [] },
  { condition: 'uri contains "sig=" and protocol eq "HTTPS"', matches: [4] },
  { condition: 'schemaVersion eq "1.0"', matches: [3, 4] },
  // how the storage request was authenticated
  { condition: 'identity.type eq "SAS" and identity.tokenHash contains "SasSignature("', matches: [4] },
  { condition: 'identity.type eq "OAuth" and identity.requester.upn iendswith "@example.com"', matches: [3] },
  { condition: 'identity.requester.audience startswith "https://storage.azure.com"', matches: [3] },
  // the activity log's claims stay where they were
  { condition: 'identity.claims.name eq "Jane Doe"', matches: [0] },
];

const py = new PythonRunner();
let duck: DuckRunner;
beforeAll(async () => {
  duck = await DuckRunner.open();
});
afterAll(() => {
  py.close();
  duck.close();
});

describe("Azure.MonitorActivity: activity log records and Azure Storage's resource logs in one schema", () => {
  const schema = schemaFor(LOG_TYPE)!;
  const parsed = CASES.map((c) => {
    const p = parseCondition(c.condition);
    const checked = checkCondition(p.ast!, { text: c.condition, schema: rootType(schema) });
    return { ...c, checked, expected: names.map((i) => c.matches.includes(i)) };
  });

  it("has the samples the cases are written for", () => {
    expect(samples.length).toBe(5);
    const storage = samples.slice(3) as { category: string; statusCode: unknown }[];
    expect(storage.map((s) => s.category)).toEqual(["StorageWrite", "StorageRead"]);
    expect(storage.map((s) => typeof s.statusCode)).toEqual(["number", "number"]);
  });

  it("checks every condition against the schema without an error", () => {
    for (const c of parsed) expect(c.checked.diagnostics.filter((d) => d.severity === "error"), c.condition).toEqual([]);
  });

  it("the evaluator gives the expected verdicts", () => {
    for (const c of parsed) expect(samples.map((e) => evaluate(c.checked.condition, e)), c.condition).toEqual(c.expected);
  });

  it("the Panther Python gives them", async () => {
    for (const c of parsed) {
      const rule = ruleFor(c.checked.condition, "azure_storage", { logTypes: [LOG_TYPE] });
      const src = pantherTarget.compile(rule).files.find((f) => f.path.endsWith(".py"))!.content;
      const r = await checkSource(py, src, samples);
      expect(r.error, c.condition).toBeUndefined();
      expect(r.results, c.condition).toEqual(c.expected);
    }
  }, 60_000);

  it("the DuckDB SQL gives them on every table profile of the log type", async () => {
    const profiles = profilesOf(LOG_TYPE);
    expect(profiles.map((p) => p.name)).toEqual(["azure_activity", "panther", "generic"]);
    for (const profile of profiles) {
      const results = await duck.run(
        parsed.map((c) => ({ condition: c.checked.condition, events: samples })),
        profile,
      );
      parsed.forEach((c, i) => expect(results[i], `${profile.name}: ${c.condition}`).toEqual(c.expected));
    }
  }, 60_000);
});
