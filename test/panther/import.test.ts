import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PythonProcess, importPanther } from "../../src/cli/import-panther.js";
import { evaluate } from "../../src/eval/evaluate.js";
import { generateEvents, reasonKind } from "../../src/import/panther/index.js";
import { loadRuleText } from "../../src/rules/load.js";
import { schemaFor } from "../../src/schema/schema.js";
import { profilesOf } from "../../src/targets/athena/profile.js";
import { openEngine, type Engine } from "../athena-duckdb/engine.js";
import { StatementCheck } from "../athena-duckdb/proof.js";
import { usePostgres } from "../athena-pg/setup.js";
import { loadImported, onDuckdb, onPostgres, summary, type EngineOutcome } from "./targets.js";

/**
 * `rulec import panther`: each Python idiom and the condition it becomes (translated by python3's
 * ast), and the vendored subset of panther-analysis imported end to end with its proof; the rules it
 * imports then go through the Athena target's engines (the Trino query on PostgreSQL, the statement
 * for Athena's DuckDB engine on DuckDB) on their Tests, against the evaluator.
 */

const VENDOR = new URL("../fixtures/vendor/panther-analysis-python/", import.meta.url).pathname;

let py: PythonProcess;
beforeAll(async () => {
  py = new PythonProcess();
  await py.request({ setup: { helpers: {}, helpersDir: [], dataModels: { "AWS.CloudTrail": { mappings: [{ Name: "actor", Path: "$.userIdentity.arn" }], module: null } } } });
});
afterAll(() => py.close());

async function translate(body: string, logType = "AWS.CloudTrail", events: unknown[] = []): Promise<string> {
  const schema = schemaFor(logType);
  const r = await py.request<{ condition?: string; refuse?: string; line?: number }>({
    translate: { name: "t", source: body, file: "t.py", logType, schema: schema && !schema.freeForm ? schema.fields : null, events },
  });
  return r.condition ?? `REFUSED: ${r.refuse}${r.line ? ` (line ${r.line})` : ""}`;
}

const rule = (expr: string, pre = "") => `${pre}\ndef rule(event):\n    return ${expr}\n`;

describe("Python idioms -> conditions (typed schema: AWS.CloudTrail)", () => {
  it.each([
    ['event.get("eventName") == "ConsoleLogin"', 'eventName eq "ConsoleLogin"'],
    ['event.get("eventName") != "ConsoleLogin"', 'not eventName eq "ConsoleLogin"'],
    ['event.deep_get("userIdentity", "type") == "Root"', 'userIdentity.type eq "Root"'],
    ['event.get("userIdentity", {}).get("type") == "Root"', 'userIdentity.type eq "Root"'],
    ['event.get("eventName") in ["A", "B"]', 'eventName in ["A", "B"]'],
    ['event.get("eventName") in NAMES', 'eventName in ["A", "B"]', 'NAMES = {"B", "A"}'],
    ['event.get("eventName", "").startswith(("Get", "List"))', 'eventName startswith ["Get", "List"]'],
    ['event.get("eventName", "").endswith("Policy")', 'eventName endswith "Policy"'],
    ['"admin" in event.get("userAgent", "")', 'userAgent contains "admin"'],
    ['event.get("userAgent", "").lower() == "boto3"', 'userAgent ieq "boto3"'],
    ['event.get("userAgent", "").lower() == "Boto3"', "REFUSED: the rule is never true"],
    ['event.get("eventName", "").upper() == "GETOBJECT"', "eventName matches '^[Gg][Ee][Tt][Oo][Bb][Jj][Ee][Cc][Tt]$'"],
    ['bool(re.match(r"Get.*", event.get("eventName", "")))', "eventName matches '^(?:Get.*)'", "import re"],
    ['re.search(r"Get", event.get("eventName", "")) is not None', "eventName matches 'Get'", "import re"],
    ['bool(re.fullmatch(r"Get\\w+", event.get("eventName", "")))', "eventName matches '^(?:Get\\w+)$'", "import re"],
    ['bool(re.search("get", event.get("eventName", ""), re.IGNORECASE))', "eventName imatches 'get'", "import re"],
    // Panther's rule() must return a bool: a match object is an error, so no alert
    ['re.search(r"Get", event.get("eventName", ""))', "REFUSED: the rule is never true", "import re"],
    ['len(re.findall(r"Get", event.get("eventName", ""))) > 0', "eventName matches 'Get'", "import re"],
    ['bool(re.findall(r"Get", event.get("eventName", "")))', "REFUSED: re.findall (line 3)", "import re"],
    ['event.deep_walk("userIdentity", "type") == "Root"', 'userIdentity.type eq "Root"'],
    ['event.get("userIdentity", {}).get("arn", "").split("/")[-1] == "admin"', 'userIdentity.arn eq "admin" or userIdentity.arn endswith "/admin"'],
    ['event.get("eventName", "").split(":")[0] == "x"', 'eventName eq "x" or eventName startswith "x:"'],
    ['fnmatch(event.get("eventName", ""), "Get*Policy?")', 'eventName like "Get*Policy?"', "from fnmatch import fnmatch"],
    ['event.get("userIdentity", {}).get("accountId") == event.get("recipientAccountId")', "userIdentity.accountId eq recipientAccountId or not userIdentity.accountId exists and not recipientAccountId exists"],
    ['str(event.get("eventVersion")) == "5"', 'eventVersion eq "5"'],
    ['not event.get("errorCode")', "errorCode empty"],
    ['event.get("errorCode") is None', "not errorCode exists"],
    ['event.get("readOnly") is True', "readOnly eq true"],
    ['any(x in event.get("userAgent", "") for x in ["kali", "parrot"])', 'userAgent contains "kali" or userAgent contains "parrot"'],
    ['all([event.get("eventName") == "A", event.get("eventSource") == "s"])', 'eventName eq "A" and eventSource eq "s"'],
    ['event.udm("actor") == "x"', 'userIdentity.arn eq "x"'],
    ['deep_get(event, "userIdentity", "type") == "Root"', 'userIdentity.type eq "Root"', "from panther_base_helpers import deep_get"],
    ['event["eventName"] == "A"', 'eventName eq "A"'],
    ['event.get("eventName") == "A" and not event.get("errorCode")', 'eventName eq "A" and errorCode empty'],
    ['event.get("resources", [1]) == []', "resources exists and resources empty"],
    ['event.get("resources") != []', "not (resources exists and resources empty)"],
  ])("%s", async (expr, expected, pre = "") => {
    expect(await translate(rule(expr, pre))).toBe(expected);
  });

  it("early returns, local variables, if chains and helpers inlined", async () => {
    const src = `
def ok(event):
    if event.get("errorCode", "") or event.get("errorMessage", ""):
        return False
    return True

def rule(event):
    name = event.get("eventName")
    if not ok(event):
        return False
    if name == "A":
        return True
    elif name == "B":
        return event.get("eventSource") == "s"
    return False
`;
    expect(await translate(src)).toBe('errorCode empty and errorMessage empty and (eventName eq "A" or eventName eq "B" and eventSource eq "s")');
  });

  it("a for loop over CONST.items() with `if ...: continue` is unrolled", async () => {
    const src = `
PATTERNS = {"iam": ["Get", "List"], "s3": ["Put"]}
def rule(event):
    for source, names in PATTERNS.items():
        if not event.get("eventSource", "").startswith(source):
            continue
        if any(event.get("eventName", "").startswith(n) for n in names):
            return True
    return False
`;
    // (the element after "iam" is tried too where "iam" found no name: an equivalent, longer form)
    expect(await translate(src)).toBe('not eventSource startswith "iam" and eventSource startswith "s3" and eventName startswith "Put" or eventSource startswith "iam" and (eventName startswith "Get" or eventName startswith "List" or eventSource startswith "s3" and eventName startswith "Put")');
  });
  it("a, b = helper(event) where every return is a pair; a, b = x, y", async () => {
    const src = `
def names(event):
    if event.get("eventSource") == "iam.amazonaws.com":
        return event.get("eventName"), "iam"
    return event.get("eventName"), None
def rule(event):
    name, kind = names(event)
    first, _ = "A", 1
    return kind == "iam" and name == first
`;
    // name is read in each branch of names(): an equivalent, longer form
    expect(await translate(src)).toBe('eventSource eq "iam.amazonaws.com" and (eventSource eq "iam.amazonaws.com" and eventName eq "A" or not eventSource eq "iam.amazonaws.com" and eventName eq "A")');
  });
  it("a for loop over constants is unrolled", async () => {
    const src = `
PREFIXES = ["Get", "List"]
def rule(event):
    for p in PREFIXES:
        if event.get("eventName", "").startswith(p):
            return True
    return False
`;
    expect(await translate(src)).toBe('eventName startswith "Get" or eventName startswith "List"');
  });
});

describe("values chosen by conditions: helpers with several returns, `or` values, dict lookups with a key from the event", () => {
  it("a constant dict looked up with a field: each key the field may equal, else the default", async () => {
    const src = `
LEVELS = {"high": "H", "low": "L"}
def rule(event):
    return LEVELS.get(event.get("eventName"), "none") == "H"
`;
    expect(await translate(src)).toBe('eventName eq "high"');
    const dflt = `
LEVELS = {"high": "H", "low": "L"}
def rule(event):
    return LEVELS.get(event.get("eventName"), "none") == "none"
`;
    expect(await translate(dflt)).toBe('not eventName in ["high", "low"]');
  });
  it("a helper's returned value compared with a constant: the value of each return", async () => {
    const src = `
def kind(event):
    if event.get("eventSource") == "iam.amazonaws.com":
        return "iam"
    if event.get("eventSource") == "s3.amazonaws.com":
        return "s3"
    return None
def rule(event):
    return kind(event) == "s3"
`;
    expect(await translate(src)).toBe('not eventSource eq "iam.amazonaws.com" and eventSource eq "s3.amazonaws.com"');
    expect(await translate(src.replace('kind(event) == "s3"', "kind(event) is not None"))).toBe('eventSource eq "iam.amazonaws.com" or eventSource eq "s3.amazonaws.com"');
  });
  it("`a or b` as a value: a when a is truthy, else b", async () => {
    expect(await translate(rule('(event.get("eventName") or event.get("eventSource")) == "x"'))).toBe('not eventName empty and eventName eq "x" or eventName empty and eventSource eq "x"');
  });
  it("a for loop over a dict lookup: the loop over each of its values", async () => {
    const src = `
SIGS = {"nc": ["-e", "-c"], "ncat": ["--exec"]}
def rule(event):
    for sig in SIGS.get(event.get("eventName"), []):
        if sig in event.get("userAgent", ""):
            return True
    return False
`;
    expect(await translate(src)).toBe('eventName eq "nc" and (userAgent contains "-e" or userAgent contains "-c") or eventName eq "ncat" and userAgent contains "--exec"');
  });
  it("a constant dict subscripted with a field: a key it does not hold raises KeyError (no alert)", async () => {
    const src = `
REGIONS = {"111": ["us-east-1"], "222": ["eu-west-1", "us-east-1"]}
def rule(event):
    return event.get("awsRegion") not in REGIONS[event.get("recipientAccountId")]
`;
    expect(await translate(src)).toBe('recipientAccountId eq "111" and not awsRegion eq "us-east-1" or recipientAccountId eq "222" and not awsRegion in ["eu-west-1", "us-east-1"]');
  });
  it("event.get(key, default=...) as event.get(key, ...)", async () => {
    expect(await translate(rule('event.get("eventName", default="").endswith("Policy")'))).toBe('eventName endswith "Policy"');
  });
  it("float() of a field the typed schema fixes as a number; of anything else refused (float() parses strings)", async () => {
    expect(await translate(rule('7.0 <= float(event.get("severity", 0)) <= 8.9'), "AWS.GuardDuty")).toBe("severity ge 7.0 and (severity le 8.9 or not severity exists)");
    expect(await translate(rule('float(event.get("eventName", 0)) > 1'))).toMatch(/^REFUSED: float\(\) of eventName, which the log type's schema does not fix as a number/);
  });
  it("isinstance(x, (str, bytes)): JSON holds no bytes", async () => {
    expect(await translate(rule('isinstance(event.get("eventName"), (str, bytes))'))).toBe('eventName like "*"');
  });
  it("'k' in event: the key is there (a typed field, or free-form where the Tests show no null)", async () => {
    expect(await translate(rule('"errorCode" not in event'))).toBe("not errorCode exists");
    expect(await translate(rule('"x" in event'), "Asana.Audit", [{ x: null }])).toMatch(/^REFUSED: 'x' in the event, where the Tests show x as null/);
  });
  it("'k' in event for a key the typed schema does not have: never there (the event holds the schema's fields only)", async () => {
    expect(await translate(rule('"events" not in event and event.get("eventName") == "A"'))).toBe('eventName eq "A"');
    expect(await translate(rule('"events" in event'))).toBe("REFUSED: the rule is never true");
  });
  it("the event itself is truthy (Panther's events always carry p_log_type and the other p_ fields)", async () => {
    const src = `
def find(event):
    if event.get("eventName") == "A":
        return event
    return {}

def rule(event):
    return bool(find(event))
`;
    expect(await translate(src)).toBe('eventName eq "A"');
  });
  it("arithmetic on constants", async () => {
    expect(await translate(rule('event.get("severity", 0) > LIMIT', "LIMIT = 3 * 2 + 1"), "AWS.GuardDuty")).toBe("severity gt 7");
    expect(await translate(rule('event.get("eventName", "") + "x" == "ax"'))).toBe("REFUSED: Python construct BinOp (Add of the field eventName and a constant str) (line 3)");
  });
  it("a helper that loops over constant paths with f(*path); a None it may return is an error only where the path lets it through", async () => {
    const src = `
PATHS = [("userIdentity", "userName"), ("userIdentity", "arn")]
def who(event):
    for p in PATHS:
        v = event.deep_get(*p)
        if v:
            return v
    return None
def rule(event):
    name = who(event)
    if not name:
        return False
    return "admin" in name.lower()
`;
    expect(await translate(src)).toBe('not (userIdentity.userName empty and userIdentity.arn empty) and (not userIdentity.userName empty and userIdentity.userName icontains "admin" or userIdentity.userName empty and not userIdentity.arn empty and userIdentity.arn icontains "admin")');
  });
  it("isinstance(x, Mapping) is isinstance(x, dict); deep_get with a computed default", async () => {
    expect(await translate(rule('isinstance(event.get("requestParameters"), Mapping)', "from collections.abc import Mapping"), "AWS.CloudTrail", [{ requestParameters: { a: 1 } }])).toBe("requestParameters exists");
    expect(await translate(rule('deep_get(event, "userIdentity", "userName", default=event.get("eventSource")) == "x"', "from panther_base_helpers import deep_get"))).toBe('userIdentity.userName exists and userIdentity.userName eq "x" or not userIdentity.userName exists and eventSource eq "x"');
  });
  it("ip_network(x).subnet_of(N) and .network_address.version of a field typed ip", async () => {
    const src = 'from ipaddress import ip_network\nNETS = {ip_network("10.0.0.0/8")}\ndef rule(event):\n    n = ip_network(event.get("remoteip"))\n    return not any(n.subnet_of(a) for a in NETS)\n';
    // an IPv6 address raises TypeError in subnet_of an IPv4 network: no alert
    expect(await translate(src, "AWS.S3ServerAccess", [{ remoteip: "10.0.0.1" }])).toBe('not (remoteip cidr ["0.0.0.0/0", "::/0"] and not (remoteip cidr ["0.0.0.0/0", "::/0"] and remoteip cidr "::/0") and remoteip cidr "10.0.0.0/8") and remoteip cidr ["0.0.0.0/0", "::/0"] and not (remoteip cidr ["0.0.0.0/0", "::/0"] and remoteip cidr "::/0")');
    expect(await translate(src.replace("n.subnet_of(a)", "n.network_address.version == 6"), "AWS.S3ServerAccess", [{ remoteip: "10.0.0.1" }])).toBe('not (remoteip cidr ["0.0.0.0/0", "::/0"] and remoteip cidr "::/0") and remoteip cidr ["0.0.0.0/0", "::/0"]');
  });
  it("ipaddress over a field typed ip: cidr; ValueError where the value is no address (no alert)", async () => {
    const pre = "import ipaddress\nfrom ipaddress import ip_address, ip_network";
    expect(await translate(rule('ip_address(event.get("sourceIPAddress")) in ip_network("10.0.0.0/8")', pre))).toBe('sourceIPAddress cidr ["0.0.0.0/0", "::/0"] and sourceIPAddress cidr "10.0.0.0/8"');
    const priv = await translate(rule('ip_address(event.get("sourceIPAddress")).is_private', pre));
    // python3's ipaddress lists, an IPv4-mapped IPv6 address private as its IPv4 address is
    expect(priv).toMatch(/^sourceIPAddress cidr \["0\.0\.0\.0\/0", "::\/0"\] and sourceIPAddress cidr \["0\.0\.0\.0\/8", "10\.0\.0\.0\/8", /);
    expect(priv).toContain('"fc00::/7"');
    expect(priv).toContain('"::ffff:a00:0/104"');
    const glob = await translate(rule('not ip_address(event.get("sourceIPAddress")).is_global', pre));
    expect(glob).toContain('"100.64.0.0/10"');
    // in rule() itself, `try: ip_address(x) except ValueError: return False` guards the rest
    expect(await translate("import ipaddress\ndef rule(event):\n    try:\n        ipaddress.ip_address(event.get('sourceIPAddress'))\n    except ValueError:\n        return False\n    return event.get('eventName') == 'A'\n")).toBe('sourceIPAddress cidr ["0.0.0.0/0", "::/0"] and eventName eq "A"');
    expect(await translate(rule('ip_address(event.get("eventName")).is_private', pre))).toBe("REFUSED: ipaddress.ip_address() of eventName, which the log type's schema does not type as ip (line 4)");
  });
  it("Python's `$` also matches before a final newline", async () => {
    expect(await translate(rule('re.match(r"^a/b$", event.get("eventName", "")) is not None', "import re"))).toBe("eventName matches '^(?:^a/b(?:\\n?$))'");
  });
});

describe("Python's meaning where no typed schema fixes a field (free-form Asana.Audit)", () => {
  it.each([
    // 0, False and "" are all falsy; 1 == True
    ['not event.get("x")', 'x empty or x eq 0 or x eq false'],
    ['event.get("x") == True', 'x in [true, 1]'],
    ['event.get("x") == 0', 'x in [false, 0]'],
    // "a" > 1 raises in Python: only numbers (and booleans, as 0 and 1) compare
    ['event.get("x") > 5', 'x gt 5 and not x like "*" and (x ge 0 or x lt 0)'],
    // .lower() on a number raises: an error is no alert, also under `not`
    ['not event.get("x", "").lower() == "a"', 'not x ieq "a" and not (x exists and not x like "*")'],
  ])("%s", async (expr, expected) => {
    expect(await translate(rule(expr), "Asana.Audit")).toBe(expected);
  });
  it("'k' in x where the typed schema makes x an object: k is a field of it and present", async () => {
    expect(await translate(rule('"arn" not in event.get("userIdentity", {})'))).toBe("not userIdentity.arn exists");
    expect(await translate(rule('"notAField" in event.get("userIdentity", {})'))).toBe("REFUSED: the rule is never true");
  });
  it("an f-string of constants is a constant; one that formats a field is refused by name", async () => {
    expect(await translate(rule('event.get("eventName") == f"{VERB}{NOUN!s:>6}"', 'VERB = "Get"\nNOUN = "Key"'))).toBe('eventName eq "Get   Key"');
    expect(await translate(rule('event.get("userIdentity", {}).get("arn", "").endswith(f"/{event.get(\'eventName\')}")'))).toBe("REFUSED: an f-string that formats the field eventName (line 3)");
  });
  it("any() over constants where every element raises alike stays linear: `a or (not a and b)` is `a or b`, `e and not e` false", async () => {
    expect(await translate(rule('any(w in event.get("x", "").lower() for w in ["a", "b", "c"])'), "Asana.Audit", [{ x: "s" }])).toBe('x icontains "a" or not (x exists and not x like "*") and x icontains "b" or not (x exists and not x like "*") and x icontains "c"');
  });
  it("two free-form fields compared: Python's True == 1 and False == 0 as well", async () => {
    expect(await translate(rule('event.get("a") != event.get("b")'), "Asana.Audit", [{ a: 1, b: true }])).toBe("not (a eq b or a eq true and b eq 1 or a eq false and b eq 0 or b eq true and a eq 1 or b eq false and a eq 0 or not a exists and not b exists)");
  });
  it("str(x).lower() against lower-case strings: the i-forms, and a boolean by what it prints", async () => {
    expect(await translate(rule('"oauth" in str(event.get("x", "")).lower()'), "Asana.Audit", [{ x: "s" }])).toBe('x icontains "oauth"');
    expect(await translate(rule('"ru" in str(event.get("x", "")).lower()'), "Asana.Audit", [{ x: "s" }])).toBe('x icontains "ru" or x eq true');
    expect(await translate(rule('"1" in str(event.get("x", "")).lower()'), "Asana.Audit", [{ x: "s" }])).toBe("REFUSED: str(...).lower() of x compared with '1', which a number may print (line 3)");
  });
  it("'c' in x.split(sep): x is c, or starts, ends with or holds c next to the separator", async () => {
    expect(await translate(rule('"cl" in event.get("eventName", "").split(" ")'))).toBe('eventName eq "cl" or eventName startswith "cl " or eventName endswith " cl" or eventName contains " cl "');
    expect(await translate(rule('"a b" in event.get("eventName", "").split(" ")'))).toBe("REFUSED: the rule is never true");
  });
  it("a for loop over a dict's .get() that may be None: iterating None raises (no alert)", async () => {
    const pre = 'TOOLS = {"a": ["x"], "b": ["y"]}';
    const body = `${pre}\ndef rule(event):\n    for w in TOOLS.get(event.get("eventName")):\n        if w == event.get("eventSource"):\n            return True\n    return False\n`;
    expect(await translate(body)).toBe('eventName eq "a" and eventSource eq "x" or eventName eq "b" and eventSource eq "y"');
  });
  it("x.endswith(y) with y computed from another field is refused by name", async () => {
    expect(await translate(rule('event.get("eventName", "").endswith(event.get("eventSource", "@").split("@")[-1])'))).toBe("REFUSED: .endswith() of a field with a part of the field eventSource (the language compares a field with another only as it is) (line 3)");
  });
  it("int(x) == c: a number truncating to c, the boolean for 0 or 1, a string int() parses (any script's digits, _ between them, whitespace around)", async () => {
    const c = await translate(rule('int(event.get("x")) == 0'), "Asana.Audit", [{ x: "0" }]);
    expect(c).toMatch(/^x matches "\^\[[\s\S]*\]\*\[\+-\]\?\[0٠۰߀०[\s\S]*\]\(\?:_\?\[0٠[\s\S]*\]\)\*\[[\s\S]*\]\*\$" or not x like "\*" and x gt -1 and x lt 1 or x eq false$/);
    expect(await translate(rule('int(event.get("x")) < 0'), "Asana.Audit", [{ x: "0" }])).toBe("REFUSED: lt over int() of a field (line 3)");
    // int(x) > 9: more significant digits than 9 has, or as many and greater; a number at least 10
    const gt = await translate(rule('int(event.get("x")) > 9'), "Asana.Audit", [{ x: "0" }]);
    expect(gt).toMatch(/^x matches "\^[\s\S]*\\\\\+\?\(\?:\[0٠[\s\S]*\]_\?\)\*\(\?:\[1٠?[\s\S]*\]\(\?:_\?\[[\s\S]*\]\)\{1,\}\)[\s\S]*\$" or not x like "\*" and x ge 10$/);
  });
  it("int(x if x else 0) > c: a conditional expression as a value is a choice; int() of each value", async () => {
    const c = await translate(rule('int(event.get("x") if event.get("x") else 0) > 9'), "Asana.Audit", [{ x: "0" }]);
    expect(c).toMatch(/^not x empty and not x eq 0 and not x eq false and \(x matches "[\s\S]*" or not x like "\*" and x ge 10\)$/);
  });
  it("bool(str(x)): only \"\" prints empty (None prints \"None\", 0 prints \"0\")", async () => {
    expect(await translate(rule('bool(str(event.get("x", "d")))'), "Asana.Audit", [{ x: "a" }])).toBe('not x eq "" or not x exists');
    expect(await translate(rule('bool(str(event.get("x")))'), "Asana.Audit", [{ x: ["a"] }])).toBe("REFUSED: truthy over str() of a field (line 3)");
  });
  it("x.strip() and x.split(sep)[0].strip() against constants: a regular expression with str.isspace()'s whitespace", async () => {
    const ws = "[\\\\t\\\\n\\u000b\\u000c\\\\r\\u001c\\u001d\\u001e\\u001f \\u0085" + String.fromCharCode(0xa0, 0x1680, ...Array.from({ length: 11 }, (_, k) => 0x2000 + k), 0x2028, 0x2029, 0x202f, 0x205f, 0x3000) + "]*";
    expect(await translate(rule('event.get("x", "").split("-")[0].strip() == "a b"'), "Asana.Audit", [{ x: "a" }])).toBe(`x matches "^${ws}a b${ws}(?:\\\\-|$)"`);
    expect(await translate(rule('event.get("x", "").strip() == "a"'), "Asana.Audit", [{ x: "a" }])).toBe(`x matches "^${ws}a${ws}$"`);
    expect(await translate(rule('event.get("x", "").strip() == " a"'), "Asana.Audit", [{ x: "a" }])).toBe("REFUSED: the rule is never true");
    expect(await translate(rule('event.get("x", "").split("-")[1].strip() == "a"'), "Asana.Audit", [{ x: "a" }])).toMatch(/^REFUSED: the method \.strip\(\) of a part of a split field other than the first/);
  });
  it("x.lower().replace(a, b).split(b)[-1]: the part after the last a or b", async () => {
    expect(await translate(rule('event.get("x", "").lower().replace("/", "\\\\").split("\\\\")[-1] == "p.exe"'), "AWS.CloudTrail")).toBe('x ieq "p.exe" or x iendswith "\\\\p.exe" or x iendswith "/p.exe"');
    expect(await translate(rule('event.get("x", "").replace("a", "b").split("b")[-1] == "c"'), "Asana.Audit", [{ x: "a" }])).toBe("REFUSED: .replace() of a letter (or of a character by itself) (line 3)");
    expect(await translate(rule('event.get("x", "").replace("/", "-") == "c"'), "Asana.Audit", [{ x: "a" }])).toBe("REFUSED: a .replace()d field used other than split at the replacement (line 3)");
  });
  it("x == [] where the Tests show x always as a list; where it is a list in some and an object in others, a lone object is one element for x[...]", async () => {
    expect(await translate(rule('event.get("x") == []'), "Asana.Audit", [{ x: ["a"] }])).toBe("x exists and x empty");
    expect(await translate(rule('event.get("x") == []'), "Asana.Audit", [{ x: ["a"] }, { x: { a: 1 } }])).toBe('x exists and x empty and not x eq "" and not x[_ empty or not _ empty]');
    expect(await translate(rule('event.get("x") == {}'), "Asana.Audit", [{ x: ["a"] }, { x: { a: 1 } }])).toBe('x exists and x empty and not x eq "" and x[_ empty or not _ empty]');
    expect(await translate(rule('event.get("x") == []'), "Asana.Audit", [{ x: "a" }, { x: { a: 1 } }])).toBe("REFUSED: x == []: the Tests do not show x as always a list (line 3)");
  });
  it("x == \"\" where the Tests show x as a string and as a list: `empty` tells \"\" from a list that holds it", async () => {
    expect(await translate(rule('event.get("x") == ""'), "Asana.Audit", [{ x: "" }, { x: ["a"] }])).toBe('x eq "" and x empty');
    expect(await translate(rule('event.get("x") != ""'), "Asana.Audit", [{ x: "" }, { x: ["a"] }])).toBe('not (x eq "" and x empty)');
    expect(await translate(rule('event.get("x") == "a"'), "Asana.Audit", [{ x: "" }, { x: ["a"] }])).toMatch(/^REFUSED: == or 'in' a constant collection on x, which holds a list in the Tests/);
  });
  it("set(x) of a list field intersected with constant strings: some element is one of them; set(None) raises", async () => {
    const ev = [{ p: ["a", "b"] }];
    expect(await translate(rule('len(set(["A", "B"]).intersection(set(event.get("p")))) > 0'), "Asana.Audit", ev)).toBe('p exists and p in ["A", "B"]');
    expect(await translate(rule('bool(set(event.get("p", [])) & {"A"})'), "Asana.Audit", ev)).toBe('p exists and p eq "A"');
    expect(await translate(rule('len(set(event.get("p", [])) & {"A"}) == 0'), "Asana.Audit", ev)).toBe('not (p exists and p eq "A")');
    expect(await translate(rule('len(set(event.get("p", []))) > 1'), "Asana.Audit", ev)).toBe("REFUSED: len() of a set compared other than with 0 (distinct elements cannot be counted) (line 3)");
    // set() of a string is its characters, of an object its keys: the Tests must show a list
    expect(await translate(rule('bool(set(event.get("q", [])) & {"A"})'), "Asana.Audit", ev)).toBe("REFUSED: set() of q, which the Tests do not show as a list (line 3)");
  });
  it("an assignment expression (:=) binds its name for what follows; one that runs only on some paths is refused", async () => {
    expect(await translate("def rule(event):\n    if x := event.get('a'):\n        return x == 'v'\n    return event.get('b') == 'w'\n", "Asana.Audit", [{ a: "x" }])).toBe('not a empty and not a eq 0 and not a eq false and a eq "v" or (a empty or a eq 0 or a eq false) and b eq "w"');
    expect(await translate("def rule(event):\n    if event.get('c') and (x := event.get('a')):\n        return x == 'v'\n    return False\n", "Asana.Audit", [{ a: "x" }])).toBe("REFUSED: an assignment expression (:=) that runs only on some paths (line 2)");
  });
  it("len(x) of a string field compared with a whole number: how many characters, as a regular expression", async () => {
    expect(await translate(rule('len(event.get("u", "")) < 3'), "Asana.Audit", [{ u: "abc" }])).toBe("not (u exists and not u like \"*\") and (u exists and not u matches '^(?:.|\\n){3}' or not u exists)");
    expect(await translate(rule('len(event.get("u", [])) > 1'), "Asana.Audit", [{ u: ["abc"] }])).toBe("REFUSED: len() of u, which the Tests do not show as a string (len() of a list counts its elements) (line 3)");
  });
  it("isinstance(x, Mapping) where the Tests show x as a string and as an object: neither a string, a number nor a boolean", async () => {
    const src = "from collections.abc import Mapping\ndef rule(event):\n    x = event.get('it', 'd')\n    if isinstance(x, Mapping):\n        return x.get('value') == 'a'\n    return x == 'a'\n";
    expect(await translate(src, "Asana.Audit", [{ it: "a" }, { it: { value: "a" } }])).toBe('it exists and not it like "*" and not (it ge 0 or it lt 0) and not (it eq true or it eq false) and not (not it exists or it like "*" or it ge 0 or it lt 0 or it eq true or it eq false) and it.value eq "a" or (not it exists or it like "*" or it ge 0 or it lt 0 or it eq true or it eq false) and it eq "a"');
  });
  it("an expression statement: its value is dropped, its error counts", async () => {
    expect(await translate("def rule(event):\n    event.deep_get('a', default='')\n    return event.get('b') == 'x'\n", "Asana.Audit", [{ a: "x" }])).toBe('b eq "x"');
    expect(await translate("def rule(event):\n    event.get('a', '').lower()\n    return event.get('b') == 'x'\n", "Asana.Audit", [{ a: "x" }])).toBe('not (a exists and not a like "*") and b eq "x"');
  });
  it("'k' in x where the Tests show x (free-form) only as an object: k is a key of it", async () => {
    expect(await translate(rule('"owner" in event.get("rp", {})'), "Asana.Audit", [{ rp: { a: 1 } }])).toBe("rp.owner exists");
    expect(await translate(rule('"owner" in event.get("rp", {})'), "Asana.Audit", [{ rp: { owner: null } }])).toBe("REFUSED: 'owner' in rp, where the Tests show rp.owner as null (present, but the language's exists is false) (line 3)");
  });
  it("a helper's value with a loop over a list that returns True, and `helper(event) is True`", async () => {
    const src = `
def cross(event):
    a = event.get("head")
    b = event.get("base")
    if a and b:
        return a != b
    for p in event.get("prs", []):
        if p.get("h") == "x":
            return True
    return False
def rule(event):
    return cross(event) is True
`;
    expect(await translate(src, "Asana.Audit", [{ head: "x", base: "y", prs: [{ h: "a" }] }])).toBe(
      "not head empty and not head eq 0 and not head eq false and not base empty and not base eq 0 and not base eq false and not (head eq base or head eq true and base eq 1 or head eq false and base eq 0 or base eq true and head eq 1 or base eq false and head eq 0 or not head exists and not base exists) or (head empty or head eq 0 or head eq false or base empty or base eq 0 or base eq false) and prs[h eq \"x\"]",
    );
  });
  it("'in' on a field is substring or membership as the Tests show the field", async () => {
    expect(await translate(rule('"a" in event.get("x", "")'), "Asana.Audit", [{ x: "abc" }])).toBe('x contains "a"');
    expect(await translate(rule('"a" in event.get("x", [])'), "Asana.Audit", [{ x: ["a"] }])).toBe('x eq "a"');
    expect(await translate(rule('"a" in event.get("x", "")'), "Asana.Audit")).toMatch(/^REFUSED: 'a' in x: the Tests do not show whether x is a string or a list/);
  });
});

describe("lists: deep_walk to a list, loops with guards, sequences of fields (free-form GCP.AuditLog)", () => {
  const gcp = "GCP.AuditLog";
  const auth = [{ protoPayload: { authorizationInfo: [{ permission: "p", granted: true }] } }];
  it("deep_walk ending at a list is the list; an empty list reads as the default", async () => {
    const src = `
def rule(event):
    info = event.deep_walk("protoPayload", "authorizationInfo")
    if not info:
        return False
    for auth in info:
        if auth.get("permission") == "p" and auth.get("granted") is True:
            return True
    return False
`;
    expect(await translate(src, gcp, auth)).toBe('not protoPayload.authorizationInfo empty and protoPayload.authorizationInfo[permission eq "p" and granted eq true]');
    // no guard: iterating the default None (missing, null or an empty list) raises: no alert either way
    const bare = src.replace("    if not info:\n        return False\n", "");
    expect(await translate(bare, gcp, auth)).toBe('protoPayload.authorizationInfo[permission eq "p" and granted eq true]');
  });
  it("a loop over another event list inside a loop over a list: decided outside, its cases filled into the element's condition", async () => {
    const src = `
def rule(event):
    info = event.deep_walk("protoPayload", "authorizationInfo")
    if not info:
        return False
    containers = event.deep_walk("protoPayload", "response", "containers")
    for auth in info:
        if auth.get("permission") == "p":
            for c in containers:
                if c.get("privileged") is True:
                    return True
    return False
`;
    const ev = [{ protoPayload: { authorizationInfo: [{ permission: "p", granted: true }], response: { containers: [{ privileged: true }] } } }];
    // iterating containers when deep_walk finds none (None) raises at the first element with permission p: no alert
    expect(await translate(src, gcp, ev)).toBe('not protoPayload.authorizationInfo empty and protoPayload.response.containers[privileged eq true] and not protoPayload.response.containers empty and protoPayload.authorizationInfo[permission eq "p"]');
    expect(await translate(src.replace("for c in containers:", 'for c in containers:\n                if auth.get("x"):\n                    continue'), gcp, ev)).toBe("REFUSED: a loop over an event list inside a loop over a list, reading the outer loop's element (line 9)");
  });
  it("a loop body with guards and continue: some element for which the body returns True", async () => {
    const src = `
def rule(event):
    for d in event.deep_get("protoPayload", "deltas", default=[]):
        if d.get("action") != "ADD":
            continue
        if d.get("member") == "allUsers":
            return True
    return event.get("severity") == "ERROR"
`;
    const ev = [{ protoPayload: { deltas: [{ action: "ADD", member: "allUsers" }] } }];
    expect(await translate(src, gcp, ev)).toBe('protoPayload.deltas[action eq "ADD" and member eq "allUsers"] or severity eq "ERROR"');
  });
  it("isinstance(elem, (Mapping, dict)) of an element of a list of objects is true; 'k' in elem is k exists", async () => {
    const src = `
from collections.abc import Mapping
def rule(event):
    for d in event.deep_get("protoPayload", "deltas", default=[]):
        if not isinstance(d, (Mapping, dict)):
            continue
        if d.get("member") == "allUsers":
            flag = "role" in d
            return True
    return False
`;
    const ev = [{ protoPayload: { deltas: [{ action: "ADD", member: "allUsers" }] } }];
    expect(await translate(src, gcp, ev)).toBe('protoPayload.deltas[member eq "allUsers"]');
    expect(await translate(src.replace("if not isinstance(d, (Mapping, dict))", "if isinstance(d, str)"), gcp, ev)).toBe('protoPayload.deltas[member eq "allUsers"]');
    // Panther's read-only mapping is not a dict (a raw one, from deep_walk, is)
    expect(await translate(src.replace("(Mapping, dict)", "dict"), gcp, ev)).toMatch(/^REFUSED: isinstance\(\.\.\., dict\) of a list element/);
    expect(await translate(src.replace('flag = "role" in d\n            return True', 'if "role" in d:\n                return True'), gcp, ev)).toBe('protoPayload.deltas[member eq "allUsers" and role exists]');
  });
  it("a loop body that may stop at an element (return False, raise, break) is refused: Python's answer depends on the order", async () => {
    const ev = [{ protoPayload: { deltas: [{ action: "ADD", member: "allUsers" }] } }];
    const stop = `
def rule(event):
    for d in event.deep_get("protoPayload", "deltas", default=[]):
        if d.get("action") != "ADD":
            return False
        if d.get("member") == "allUsers":
            return True
    return False
`;
    expect(await translate(stop, gcp, ev)).toMatch(/^REFUSED: a loop over a list field whose body may return something other than True/);
    expect(await translate(stop.replace("return False\n        if", "break\n        if"), gcp, ev)).toMatch(/^REFUSED: break in a loop over a list field/);
    const raises = `
def rule(event):
    for d in event.deep_get("protoPayload", "deltas", default=[]):
        if d.get("member", "").lower() == "allusers":
            return True
    return False
`;
    expect(await translate(raises, gcp, ev)).toMatch(/^REFUSED: a test over list elements that may raise/);
  });
  it("a list of fields, or of compiled regexes, is unrolled (typed AWS.CloudTrail)", async () => {
    const src = `
import re
PATTERNS = [re.compile(p, re.IGNORECASE) for p in [r"a\\d", r"b"]]
def check(text):
    if not text:
        return False
    return any(p.search(text) for p in PATTERNS)
def rule(event):
    for field in [event.get("eventName"), event.get("userAgent")]:
        if check(field):
            return True
    return False
`;
    expect(await translate(src)).toBe(
      "not eventName empty and (eventName imatches 'a\\d' or eventName exists and eventName imatches 'b') or (eventName empty or eventName exists) and not userAgent empty and (userAgent imatches 'a\\d' or userAgent exists and userAgent imatches 'b')",
    );
  });
  it("for a, b in CONST.items() with continue", async () => {
    const src = `
from fnmatch import fnmatch
MAP = {"bucket-*": ["role-a*", "role-b*"]}
def rule(event):
    for bucket, roles in MAP.items():
        if not fnmatch(event.get("bucket", ""), bucket):
            continue
        if not any(fnmatch(event.get("requester", ""), r) for r in roles):
            return True
    return False
`;
    expect(await translate(src, "AWS.S3ServerAccess")).toBe('bucket like "bucket-*" and not (requester like "role-a*" or requester like "role-b*")');
  });
  it("deep_walk through a list: its values read as a list (isinstance normalization, any(), all(), loops, is None)", async () => {
    const ev = [{ protoPayload: { authorizationInfo: [{ permission: "p", granted: true }] } }];
    // any(w) if isinstance(w, list) else bool(w): some found value is truthy; none found: the default []
    expect(await translate(rule('any(g) if isinstance(g, list) else bool(g)', '').replace("return", 'g = event.deep_walk("protoPayload", "authorizationInfo", "granted", default=[])\n    return'), gcp, ev)).toBe(
      // granted is a boolean in the typed schema
      "protoPayload.authorizationInfo[granted exists] and protoPayload.authorizationInfo[granted exists and granted eq true]",
    );
    const norm = `
def rule(event):
    perms = event.deep_walk("protoPayload", "authorizationInfo", "permission", default="none")
    if not isinstance(perms, list):
        perms = [perms]
    for p in perms:
        if p == "iam.create":
            return True
    return False
`;
    // an element without a permission gives the default "none"; with no element found, [default]
    expect(await translate(norm, gcp, ev)).toBe('not protoPayload.authorizationInfo empty and protoPayload.authorizationInfo[permission eq "iam.create"]');
    const selectors = `
def rule(event):
    includes = event.deep_walk("protoPayload", "authorizationInfo", "granted")
    if includes is None:
        includes = []
    if not isinstance(includes, list):
        includes = [includes]
    return not all(includes)
`;
    expect(await translate(selectors, gcp, ev)).toBe(
      "protoPayload.authorizationInfo[granted exists] and not (protoPayload.authorizationInfo[granted exists] and not protoPayload.authorizationInfo[granted exists and not granted eq true])",
    );
  });
  it("deep_walk through a list == a constant: every element's value is the constant", async () => {
    const ev = [{ protoPayload: { status: { details: [{ reason: "DENIED" }] } } }];
    expect(await translate(rule('event.deep_walk("protoPayload", "status", "details", "reason", default="") == "DENIED"'), gcp, ev)).toBe(
      'not protoPayload.status.details empty and not protoPayload.status.details[not reason eq "DENIED"]',
    );
  });
  it("if isinstance(w, list): ... else: ... over a deep_walk through a list: one condition over the values when both branches give it", async () => {
    const ev = [{ protoPayload: { authorizationInfo: [{ permission: "p" }] } }];
    const src = `
def rule(event):
    w = event.deep_walk("protoPayload", "authorizationInfo", "permission", default="")
    if isinstance(w, list):
        return "p" in w
    return "p" == w
`;
    expect(await translate(src, gcp, ev)).toBe('not protoPayload.authorizationInfo empty and protoPayload.authorizationInfo[permission eq "p"]');
    // several values: the list holds "p"; one value: it starts with "p" (not the same question)
    expect(await translate(src.replace('return "p" == w', 'return w.startswith("p")'), gcp, ev)).toMatch(/^REFUSED: /);
    expect(await translate(src.replace('return "p" == w', 'return w == "q"'), gcp, ev)).toMatch(/^REFUSED: isinstance\(\) of event\.deep_walk through protoPayload\.authorizationInfo, which holds a list .*: the branches for one value and for several differ/);
  });
  it("deep_walk through a list: what the language cannot say is refused", async () => {
    const ev = [{ target: [{ displayName: "Okta Admin Console" }] }];
    // a substring test when one distinct value is found, membership when several
    expect(await translate(rule('"Admin" in event.deep_walk("target", "displayName", default="")'), "Okta.SystemLog", ev)).toMatch(/^REFUSED: comparison In between a constant str and event\.deep_walk through target, which holds a list \(one value when one distinct value is found, a list when several\)/);
    expect(await translate(rule('"Admin" in event.deep_walk("target", "displayName", default="", return_val="first")'), "Okta.SystemLog", ev)).toMatch(/^REFUSED: event\.deep_walk through target, which holds a list, with return_val='first'/);
    expect(await translate(rule('isinstance(event.deep_walk("target", "displayName"), list)'), "Okta.SystemLog", ev)).toMatch(/^REFUSED: /);
  });
  it("len() of a split field and a part other than the first or the last: regexes over the parts", async () => {
    const src = `
def rule(event):
    parts = event.get("eventSource", "").split("/")
    if len(parts) >= 4 and parts[2] == "namespaces":
        return parts[3] in ["kube-system", "gke-system"]
    return False
`;
    expect(await translate(src)).toBe(
      "eventSource exists and eventSource matches '^(?:[^/]*/){3}' and eventSource matches '^(?:[^/]*/){2}namespaces(?:/|$)' and eventSource matches '^(?:[^/]*/){3}(?:gke-system|kube-system)(?:/|$)'",
    );
    // != is the negation of == (a missing field reads as "", one part)
    expect(await translate(rule('len(event.get("eventSource", "").split("/")) != 3'))).toBe("not (eventSource exists and eventSource matches '^(?:[^/]*/){2}' and not eventSource matches '^(?:[^/]*/){3}')");
    // parts[1] with fewer parts raises IndexError: no alert
    expect(await translate(rule('event.get("eventSource", "").split("@")[1].lower() == "example.com"'))).toBe("eventSource imatches '^(?:[^@]*@){1}example\\.com(?:@|$)'");
  });
  it("a loop over a list of strings with assignments: a disjunction of the element's own tests", async () => {
    const src = `
def rule(event):
    for s in event.get("tags", []):
        name = s.split("/")[-1].lower()
        if name in ["admin", "root"]:
            return True
    return False
`;
    expect(await translate(src, "Asana.Audit", [{ tags: ["scope/x"] }])).toBe('tags ieq "admin" or tags iendswith "/admin" or tags ieq "root" or tags iendswith "/root"');
  });
  it("a tuple of fields in a constant set of tuples: some tuple equal position by position", async () => {
    const src = `
PAIRS = {("a", "b"), ("c", "d"), ("e",)}
def rule(event):
    return (event.get("eventName"), event.get("eventSource")) in PAIRS
`;
    expect(await translate(src)).toBe('eventName eq "a" and eventSource eq "b" or eventName eq "c" and eventSource eq "d"');
  });
  it("x if isinstance(x, list) else [x] over a deep_walk to a list: the list (the other branch never runs)", async () => {
    const src = `
def rule(event):
    info = event.deep_walk("protoPayload", "authorizationInfo", default=[])
    info = info if isinstance(info, list) else [info]
    for auth in info:
        if auth.get("permission") == "p":
            return True
    return False
`;
    expect(await translate(src, gcp, [{ protoPayload: { authorizationInfo: [{ permission: "p" }] } }])).toBe('protoPayload.authorizationInfo[permission eq "p"]');
  });
  it("re.MULTILINE changes nothing where the pattern has no ^ or $; with them it is refused", async () => {
    expect(await translate(rule('bool(re.search(r"a\\$b", event.get("eventName", ""), re.MULTILINE))', "import re"))).toBe("eventName matches 'a\\$b'");
    expect(await translate(rule('bool(re.search(r"^a", event.get("eventName", ""), re.MULTILINE))', "import re"))).toMatch(/^REFUSED: re\.MULTILINE with \^ or \$/);
  });
});

describe("refusals", () => {
  it.each([
    ['"x" in event.deep_walk("resources", "ARN")', /^REFUSED: comparison In between a constant str and event\.deep_walk through resources, which holds a list/],
    ['event.get("eventName", "").split("::")[1] == "x"', /^REFUSED: a part of a split field other than the first/],
    // Python builds the list first: event["eventName"] raises there, before any element is tested
    ['any(x == "a" for x in [event.get("eventSource"), event["eventName"]])', /^REFUSED: a list of values read from the event, one of which may raise when the list is built/],
    ['int(event.get("eventVersion")) < 5', /^REFUSED: lt over int\(\) of a field/],
    ['event.get("resources") == event.get("eventSource")', /^REFUSED: a comparison of two fields where resources holds a list or an object/],
    ['len(event.get("resources", [])) > 1', /^REFUSED: len\(\) of resources, which the Tests do not show as a string/],
    ['fnmatch(event.get("eventName", ""), "Get[A-Z]*")', /^REFUSED: an fnmatch pattern with a \[set\]/],
  ])("%s", async (expr, expected) => {
    expect(await translate(rule(expr, "from fnmatch import fnmatch"))).toMatch(expected);
  });
  it("try: in rule() itself with handlers that return no True it is transparent (an error is no alert either way); elsewhere refused", async () => {
    expect(await translate("def rule(event):\n    try:\n        return event['eventName'] == 'A'\n    except KeyError:\n        return False\n")).toBe('eventName eq "A"');
    expect(await translate("def rule(event):\n    try:\n        return event['eventName'] == 'A'\n    except KeyError:\n        return True\n")).toBe("REFUSED: a try statement whose handler does more than return a value that is not True (line 4)");
    // a handler that passes on to statements that never return True: transparent too
    expect(await translate("def rule(event):\n    try:\n        if event['eventName'] == 'A':\n            return True\n    except KeyError:\n        pass\n    return False\n")).toBe('eventName eq "A"');
    expect(await translate("def rule(event):\n    try:\n        if event['eventName'] == 'A':\n            return True\n    except KeyError:\n        pass\n    return event.get('eventSource') == 'x'\n")).toBe("REFUSED: a try statement whose handler does more than return a value that is not True (line 5)");
    const helper = "import json\ndef parse(event):\n    try:\n        return json.loads(event.get('x'))\n    except ValueError:\n        return {}\ndef rule(event):\n    return parse(event).get('a') == 1\n";
    expect(await translate(helper)).toBe("REFUSED: a try statement in a helper around json.loads() (its handler's value would be used) (line 3)");
  });
  it("a builtin or a class that is not modelled is named as such", async () => {
    expect(await translate(rule('next(iter([event.get("eventName")])) == "A"'))).toBe("REFUSED: the builtin next() (line 3)");
    expect(await translate(rule("C(event).ok()", "class C:\n    pass"))).toBe("REFUSED: the class C (classes are not translated) (line 4)");
  });
  it("statements other than assignments, if, return, try and for over constants", async () => {
    expect(await translate("def rule(event):\n    with open('x'):\n        return True\n")).toBe("REFUSED: the statement With (line 2)");
  });
});

describe("generated events", () => {
  it("at least 200 distinct events, the same on every run, flipping each literal and dropping each field", () => {
    const reads = { [JSON.stringify(["eventName"])]: [JSON.stringify("ConsoleLogin")], [JSON.stringify(["userIdentity", "type"])]: [JSON.stringify("Root")] };
    const base = [{ eventName: "ConsoleLogin", userIdentity: { type: "Root" } }];
    const a = generateEvents(base, reads, "AWS.CloudTrail", "r");
    const b = generateEvents(base, reads, "AWS.CloudTrail", "r");
    expect(a.length).toBeGreaterThanOrEqual(200);
    expect(new Set(a.map((e) => JSON.stringify(e))).size).toBe(a.length);
    expect(a).toEqual(b);
    const s = a.map((e) => JSON.stringify(e));
    expect(s).toContain(JSON.stringify({ userIdentity: { type: "Root" } }));
    expect(s).toContain(JSON.stringify({ eventName: "CONSOLELOGIN", userIdentity: { type: "Root" } }));
    expect(s).toContain(JSON.stringify({ eventName: "ConsoleLogin", userIdentity: { type: "Rootx" } }));
  });
  it("a field the Tests show only as a list stays a list where a Test event lacks it", () => {
    const reads = { [JSON.stringify(["p", "ids"])]: [JSON.stringify("a")] };
    const s = generateEvents([{ p: { ids: ["b"] } }, { q: 1 }], reads, "Asana.Audit", "r").map((e) => JSON.stringify(e));
    expect(s).toContain(JSON.stringify({ q: 1, p: { ids: ["a"] } }));
    expect(s).not.toContain(JSON.stringify({ q: 1, p: { ids: "a" } }));
  });
  it("a free-form field also takes other scalar types and null where the Tests show null", () => {
    const reads = { [JSON.stringify(["x"])]: [JSON.stringify("a")] };
    const s = generateEvents([{ x: "a", y: null }, { x: null }], reads, "Asana.Audit", "r").map((e) => JSON.stringify(e));
    expect(s).toContain(JSON.stringify({ x: 0, y: null }));
    expect(s).toContain(JSON.stringify({ x: true, y: null }));
    expect(s).toContain(JSON.stringify({ x: null, y: null }));
  });
});

describe("the vendored panther-analysis subset", () => {
  const out = mkdtempSync(join(tmpdir(), "rulec-import-panther-"));
  const report = join(out, "report.json");
  const rulesDir = join(out, "rules");
  const io = { out: () => {}, err: () => {} };
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("imports each rule or says why not; the imported ones agree with the original on their Tests and at least 200 generated events", async () => {
    const status = await importPanther([VENDOR], { out: rulesDir, report, force: false }, io, false);
    expect(status).toBe(1); // some rules are refused, on purpose
    const rep = JSON.parse(readFileSync(report, "utf8")) as {
      rules: { ruleId: string; file: string; outcome: { imported: boolean; reason?: string; file?: string; output?: string; perLogType?: { logType: string; output?: string }[] }; tests?: { total: number; original: number; evaluator: number; panther: number }; generated?: number }[];
      totals: { rules: number; imported: number; disagreements: number };
    };
    const summary = Object.fromEntries(rep.rules.map((r) => [r.ruleId, r.outcome.imported ? "imported" : `not imported: ${reasonKind(r.outcome.reason!)}`]));
    await expect(JSON.stringify(summary, Object.keys(summary).sort(), 2) + "\n").toMatchFileSnapshot("./import-expected.json");
    for (const r of rep.rules) {
      if (!r.outcome.imported) {
        expect(r.outcome.reason).toBeTruthy();
        expect(r.outcome.file).toBeTruthy();
        continue;
      }
      expect(r.generated).toBeGreaterThanOrEqual(200);
      // the condition decides each Test as the original does, on the evaluator and on the Panther target
      expect(r.tests!.evaluator).toBe(r.tests!.original);
      expect(r.tests!.panther).toBe(r.tests!.original);
      const files = r.outcome.perLogType ? r.outcome.perLogType.flatMap((p) => (p.output ? [p.output] : [])) : [r.outcome.output!];
      for (const file of files) {
        const loaded = loadRuleText(readFileSync(file, "utf8"), file);
        expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        // where the original passes its own Tests, the imported rule passes them on the evaluator
        if (r.tests!.original === r.tests!.total) for (const t of loaded.rule!.tests) expect(evaluate(loaded.rule!.condition, t.log), `${r.ruleId}: ${t.name}`).toBe(t.expectedResult);
      }
    }
    expect(rep.totals.imported).toBeGreaterThanOrEqual(20);
  }, 300_000);

  // The imported rules on the Athena target's engines (test/panther/targets.ts): every Test of every
  // imported rule, on every table profile of its log type, must get the evaluator's verdict.
  const pg = usePostgres();
  let engine: Engine | undefined;
  afterAll(() => engine?.close());

  /** Every rule x profile x Test is compared, refused by the target, or outside the contract (and counted). */
  function expectAccounted(o: EngineOutcome, rules: ReturnType<typeof loadImported>["rules"]): void {
    const all = rules.reduce((n, r) => n + r.tests.length * profilesOf(r.logTypes[0]).length, 0);
    const refusedTests = o.refused.reduce((n, line) => n + rules.find((r) => line.split(":")[0]!.endsWith(` ${r.name}`))!.tests.length, 0);
    expect(o.compared + o.outside.length + o.leftOut + refusedTests).toBe(all);
  }

  /**
   * What the targets refuse (RC401) and which Test events are outside the contract, as decided in
   * docs/import-panther.md: statements for Athena's DuckDB engine longer than Athena's 262,144 bytes;
   * a Test that holds a string where the typed schema has a number, on a typed table.
   */
  const outsideExpected = ["entra_id", "panther"].flatMap((p) =>
    ["Account Lockout Error 50053", "Different Error Code", "Microsoft Corporate ASN Excluded"].map((t) => `${p} azure_excessive_account_lockouts: ${t}`),
  );

  /** What both engines must show: no disagreement, the expected events outside the contract, every Test accounted for. */
  function expectProven(o: EngineOutcome, rules: ReturnType<typeof loadImported>["rules"]): void {
    expect(o.problems.slice(0, 5)).toEqual([]);
    expect(o.outside.map((x) => x.split(": ").slice(0, 2).join(": ")).sort()).toEqual([...outsideExpected].sort());
    // okta_idp_create_modify and okta_user_account_locked: Tests that spell eventType as eventtype
    expect(o.respelled).toBeGreaterThanOrEqual(6);
    expectAccounted(o, rules);
    expect(o.compared).toBeGreaterThan(700);
  }

  it("the imported rules' Tests: the Athena query (Trino) translated to PostgreSQL gives the evaluator's verdict on every table profile", async (ctx) => {
    const runner = pg.need(ctx);
    const started = performance.now();
    const { rules, problems } = loadImported(rulesDir);
    expect(problems).toEqual([]);
    const o = await onPostgres(runner, rules);
    console.log(summary("PostgreSQL (the Trino query)", rules.length, o, (performance.now() - started) / 1000));
    expect(o.refused).toEqual([]);
    expectProven(o, rules);
  }, 120_000);

  it("the imported rules' Tests: the statement for Athena's DuckDB engine, run on DuckDB, gives the evaluator's verdict on every table profile", async () => {
    engine = await openEngine();
    const started = performance.now();
    const { rules, problems } = loadImported(rulesDir);
    expect(problems).toEqual([]);
    const o = await onDuckdb(engine, new StatementCheck(engine), rules);
    console.log(summary("DuckDB (the DuckDB-engine statement)", rules.length, o, (performance.now() - started) / 1000));
    expect(o.refused.every((r) => /RC401 .*Athena refuses a query longer than 262,144 bytes$/.test(r)), o.refused.join("\n")).toBe(true);
    expect(o.refused.length).toBe(6);
    expectProven(o, rules);
  }, 180_000);

  it("a rule whose log types give different conditions: one rule per log type, each with its own Tests", async () => {
    const a = loadRuleText(readFileSync(join(rulesDir, "aws_vpc_healthy_log_status_aws_vpcflow.yml"), "utf8"), "a.yml").rule!;
    const b = loadRuleText(readFileSync(join(rulesDir, "aws_vpc_healthy_log_status_ocsf_networkactivity.yml"), "utf8"), "b.yml").rule!;
    expect([a.ruleId, a.logTypes, a.tests.map((t) => t.name)]).toEqual(["AWS.VPC.HealthyLogStatus.AWS.VPCFlow", ["AWS.VPCFlow"], ["Healthy Log Status", "Unhealthy Log Status"]]);
    expect([b.ruleId, b.logTypes, b.tests.map((t) => t.name)]).toEqual(["AWS.VPC.HealthyLogStatus.OCSF.NetworkActivity", ["OCSF.NetworkActivity"], ["Healthy Log Status - OCSF", "Unhealthy Log Status - OCSF"]]);
    expect(readdirSync(rulesDir).filter((f) => f.startsWith("aws_vpc_healthy_log_status"))).toHaveLength(2);
  });

  it("a log type for which the rule is never true gets no rule, after the original is run on its events; a Test without p_log_type stops the split", async () => {
    const repo = join(out, "split");
    mkdirSync(join(repo, "rules"), { recursive: true });
    mkdirSync(join(repo, "global_helpers"));
    const yml = (id: string, tests: string) =>
      `AnalysisType: rule\nFilename: ${id.toLowerCase().replace(".", "_")}.py\nRuleID: "${id}"\nDisplayName: "${id}"\nEnabled: true\nLogTypes:\n  - AWS.CloudTrail\n  - Okta.SystemLog\nSeverity: Low\nTests:\n${tests}`;
    const tests = `  - Name: ct\n    ExpectedResult: true\n    Log: { "eventName": "A", "p_log_type": "AWS.CloudTrail" }\n  - Name: okta\n    ExpectedResult: false\n    Log: { "eventType": "A", "p_log_type": "Okta.SystemLog" }\n`;
    const py = `def rule(event):\n    return "eventName" in event and event.get("eventName") == "A"\n`;
    writeFileSync(join(repo, "rules", "split_one.yml"), yml("Split.One", tests));
    writeFileSync(join(repo, "rules", "split_one.py"), py);
    writeFileSync(join(repo, "rules", "split_two.yml"), yml("Split.Two", tests + `  - Name: no log type\n    ExpectedResult: false\n    Log: { "eventName": "B" }\n`));
    writeFileSync(join(repo, "rules", "split_two.py"), py);
    const splitOut = join(out, "split-rules");
    const splitReport = join(out, "split-report.json");
    await importPanther([repo], { out: splitOut, report: splitReport, force: false }, io, false);
    const rep = JSON.parse(readFileSync(splitReport, "utf8")) as { rules: { ruleId: string; outcome: { imported: boolean; reason?: string; perLogType?: unknown[] } }[] };
    const one = rep.rules.find((r) => r.ruleId === "Split.One")!;
    expect(one.outcome.reason).toBeUndefined();
    expect(one.outcome.imported).toBe(true);
    expect(one.outcome.perLogType).toEqual([{ logType: "AWS.CloudTrail", output: join(splitOut, "split_one_aws_cloudtrail.yml"), condition: 'eventName exists and eventName eq "A"' }, { logType: "Okta.SystemLog", neverTrue: true }]);
    expect(readdirSync(splitOut)).toEqual(["split_one_aws_cloudtrail.yml"]);
    const two = rep.rules.find((r) => r.ruleId === "Split.Two")!;
    expect(two.outcome.reason).toBe(`the rule's LogTypes give different conditions, and its Test "no log type" names no p_log_type (which log type's rule would hold it?)`);
  }, 300_000);

  it("reads data models and helpers in subfolders of data_models/ as panther_analysis_tool does", async () => {
    const repo = join(out, "nested");
    cpSync(VENDOR, repo, { recursive: true });
    const models = join(repo, "data_models");
    mkdirSync(join(models, "edr_data_models"));
    for (const f of readdirSync(models).filter((f) => f !== "edr_data_models")) renameSync(join(models, f), join(models, "edr_data_models", f));
    const nestedReport = join(out, "nested-report.json");
    await importPanther([repo], { out: join(out, "nested-rules"), report: nestedReport, force: false }, io, false);
    const outcomes = (file: string) =>
      Object.fromEntries((JSON.parse(readFileSync(file, "utf8")) as { rules: { ruleId: string; outcome: { imported: boolean; reason?: string } }[] }).rules.map((r) => [r.ruleId, r.outcome.imported ? "imported" : reasonKind(r.outcome.reason!)]));
    expect(outcomes(nestedReport)).toEqual(outcomes(report));
  }, 300_000);

  it("re-running changes nothing; a file that differs is kept unless --force", async () => {
    const files = readdirSync(rulesDir).sort();
    const before = files.map((f) => readFileSync(join(rulesDir, f), "utf8"));
    await importPanther([VENDOR], { out: rulesDir, force: false }, io, false);
    expect(readdirSync(rulesDir).sort()).toEqual(files);
    expect(files.map((f) => readFileSync(join(rulesDir, f), "utf8"))).toEqual(before);
    const edited = join(rulesDir, files[0]!);
    writeFileSync(edited, before[0] + "# edited\n");
    let err = "";
    await importPanther([VENDOR], { out: rulesDir, force: false }, { out: () => {}, err: (s) => (err += s) }, false);
    expect(readFileSync(edited, "utf8")).toBe(before[0] + "# edited\n");
    expect(err).toContain("exists and differs: not overwritten (use --force)");
    await importPanther([VENDOR], { out: rulesDir, force: true }, io, false);
    expect(readFileSync(edited, "utf8")).toBe(before[0]);
  }, 480_000);
});
