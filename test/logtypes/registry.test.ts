import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { checkLogType, checkRegistry, type Sample } from "../../src/logtypes/check.js";
import { LOG_TYPES, PANTHER_LOG_TYPES, type LogTypeData } from "../../src/logtypes/registry.js";
import { schemaFor } from "../../src/schema/schema.js";
import { indexSource, LOGTYPES_DIR, logTypeFolders, readFolders } from "../../scripts/logtypes.js";

/**
 * The log-type registry: every folder of src/logtypes is valid data (its JSON schema, then the
 * checks the JSON schema cannot make), the generated index lists exactly the folders, and every
 * name of Panther's list is known.
 */

type AjvClass = (typeof import("ajv/dist/2020.js"))["default"];
const Ajv = ((Ajv2020 as unknown as { default?: AjvClass }).default ?? Ajv2020) as AjvClass;
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(JSON.parse(readFileSync(new URL("logtype.schema.json", LOGTYPES_DIR), "utf8")) as object);

const folders = readFolders();

describe("the log-type registry", () => {
  it("src/logtypes/index.ts lists every folder (npm run logtypes rewrites it)", () => {
    expect(readFileSync(new URL("index.ts", LOGTYPES_DIR), "utf8")).toBe(indexSource());
    expect(LOG_TYPES.map((d) => d.logType.toLowerCase()).sort()).toEqual(logTypeFolders());
  });

  for (const { folder, data, samples } of folders) {
    describe(folder, () => {
      it("validates against logtype.schema.json", () => {
        const ok = validate(data);
        expect(ok ? [] : validate.errors).toEqual([]);
      });

      it("passes the registry's checks: paths, profiles, Sigma names, shapes, samples", () => {
        expect(samples, "samples.json").toBeDefined();
        expect(checkLogType(data as LogTypeData, folder, samples as Sample[])).toEqual([]);
      });
    });
  }

  it("has no two log types with one name or one Sigma logsource", () => {
    expect(checkRegistry(LOG_TYPES)).toEqual([]);
  });

  it("knows every name of Panther's list (typed, or free-form) and keeps its source", () => {
    expect(PANTHER_LOG_TYPES.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(PANTHER_LOG_TYPES.names.length).toBeGreaterThan(150);
    for (const n of PANTHER_LOG_TYPES.names) expect(schemaFor(n), n).toBeDefined();
    for (const d of LOG_TYPES) expect(PANTHER_LOG_TYPES.names, d.logType).toContain(d.logType);
    expect(schemaFor("Okta.Nope")).toBeUndefined();
  });

  it("its checks find what the JSON schema cannot: a sample of the wrong shape, a path of no field, a clashing Sigma name", () => {
    const ct = LOG_TYPES.find((d) => d.logType === "AWS.CloudTrail")!;
    const broken: LogTypeData = {
      ...ct,
      time: "eventTimes",
      sigma: { logsource: ct.sigma!.logsource, fields: { eventName: "eventSource", "x.y": "nope.nope" } },
      sources: { ...ct.sources, shapes: [{ when: "eventNam exists" }] },
    };
    const samples = [{ name: "odd", event: { eventName: 5, EventSource: "x", other: 1 } }];
    expect(checkLogType(broken, "aws.cloudtrail", samples)).toEqual([
      "AWS.CloudTrail: time: 'eventTimes' is not a field of the schema",
      "AWS.CloudTrail: sigma.fields: the Sigma name 'eventName' is also a field of the schema (an import could not tell them apart)",
      "AWS.CloudTrail: sigma.fields: 'x.y' -> 'nope.nope', which is not a field of the schema",
      expect.stringMatching(/^AWS.CloudTrail: sources.shapes\[0\]: 'eventNam exists': unknown field 'eventNam'/),
      "AWS.CloudTrail: sample 'odd': eventName: number, the schema says string",
      "AWS.CloudTrail: sample 'odd': EventSource: the schema spells it eventSource",
      "AWS.CloudTrail: sample 'odd': other: not a field of the schema",
      "AWS.CloudTrail: sample 'odd' is recognised as no log type by the sources' shapes",
    ]);
    expect(checkLogType(ct, "aws.cloud_trail", undefined)).toEqual(["AWS.CloudTrail: the folder is 'aws.cloud_trail', it must be the log type in lower case ('aws.cloudtrail')"]);
  });

  it("checks the Sentinel table profile: documented columns, fields of the schema, columns that hold them, entities", () => {
    const ct = LOG_TYPES.find((d) => d.logType === "AWS.CloudTrail")!;
    const s = ct.sentinel!;
    const broken: LogTypeData = {
      ...ct,
      sentinel: {
        ...s,
        fields: {
          ...s.fields,
          "userIdentity.nope": { column: "UserIdentityArn", holds: "string" },
          eventName: { column: "EventNames", holds: "string" },
          readOnly: { column: "EventSource", holds: "bool" },
        },
        entities: { Host: { HostName: "sharedEventID.x" } },
      },
    };
    expect(checkLogType(broken, "aws.cloudtrail", undefined)).toEqual([
      "AWS.CloudTrail: sentinel.fields: 'eventName' -> 'EventNames', which is not a documented column of AWSCloudTrail",
      "AWS.CloudTrail: sentinel.fields: 'eventSource' and 'readOnly' share the column 'EventSource'",
      "AWS.CloudTrail: sentinel.fields: 'readOnly' (boolean) is held as bool in the string column 'EventSource'",
      "AWS.CloudTrail: sentinel.fields: 'userIdentity.arn' and 'userIdentity.nope' share the column 'UserIdentityArn'",
      "AWS.CloudTrail: sentinel.fields: 'userIdentity.nope' is not a field of the schema",
      "AWS.CloudTrail: sentinel.entities: Host.HostName -> 'sharedEventID.x', which has no column",
    ]);
  });
});
