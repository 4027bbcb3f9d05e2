import { describe, expect, it } from "vitest";
import type { Condition } from "../../src/ast/nodes.js";
import { buildCorpus, extractIndicators, indicatorText, otherRules, type Indicator } from "../../src/catalog/indicators.js";
import { parseCondition } from "../../src/syntax/ast.js";

function parse(text: string): Condition {
  const r = parseCondition(text);
  if (!r.ast) throw new Error(`${text}: ${JSON.stringify(r.diagnostics)}`);
  return r.ast;
}

/** The indicators of a condition, one line each. */
function rows(text: string): string[] {
  return extractIndicators(parse(text)).map(indicatorText);
}

function key(text: string): string {
  const all = extractIndicators(parse(text));
  expect(all).toHaveLength(1);
  return all[0]!.key;
}

describe("indicator extraction", () => {
  it("one row per field, operator and value", () => {
    expect(rows('eventName eq "GetAccountSendingEnabled"')).toEqual(['eventName eq "GetAccountSendingEnabled"']);
    expect(rows('eventSource eq "s3.amazonaws.com" and (a gt 10 or b.c startswith "x")')).toEqual([
      'eventSource eq "s3.amazonaws.com"',
      "a gt 10",
      'b.c startswith "x"',
    ]);
  });

  it("expands list operands to their values; in/iin are eq/ieq per value", () => {
    expect(rows('eventName in ["StopLogging", "DeleteTrail"]')).toEqual(['eventName eq "StopLogging"', 'eventName eq "DeleteTrail"']);
    expect(rows('userAgent icontains ["trufflehog", "pacu"]')).toEqual(['userAgent icontains "trufflehog"', 'userAgent icontains "pacu"']);
    expect(rows('u iin ["A", 1, true]')).toEqual(['u ieq "A"', "u ieq 1", "u ieq true"]);
    expect(key('eventName in ["X"]')).toBe(key('eventName eq "X"'));
    expect(rows('ip cidr ["10.0.0.0/8", "2001:db8::/32"]')).toEqual(['ip cidr "10.0.0.0/8"', 'ip cidr "2001:db8::/32"']);
  });

  it("notes negation: not, ne and ine; double negation is positive", () => {
    expect(rows('not errorCode exists and a ne "x" and b ine "y"')).toEqual(["not errorCode exists", 'not a eq "x"', 'not b ieq "y"']);
    expect(rows('not (a eq 1 or not b eq 2)')).toEqual(["not a eq 1", "b eq 2"]);
    expect(rows('not a ne "x"')).toEqual(['a eq "x"']);
    expect(rows('not not c eq 3')).toEqual(["c eq 3"]);
    expect(rows('not d in ["p", "q"]')).toEqual(['not d eq "p"', 'not d eq "q"']);
    const positive = key('a eq "x"');
    expect(key('not a eq "x"')).not.toBe(positive);
    expect(key('a ne "x"')).toBe(key('not a eq "x"'));
    expect(key('a ine "x"')).toBe(key('not a ieq "x"'));
    expect(key('a ieq "x"')).not.toBe(positive);
  });

  it("keeps exists and empty as indicators without a value", () => {
    const [e, m] = extractIndicators(parse("errorCode empty and not userIdentity.arn exists"));
    expect(e).toMatchObject({ field: "errorCode", op: "empty", negated: false, value: { kind: "none" } });
    expect(m).toMatchObject({ field: "userIdentity.arn", op: "exists", negated: true, value: { kind: "none" } });
    expect(key("x empty")).not.toBe(key("not x exists"));
  });

  it("field-to-field: the value is the other field, in one order for eq/ieq and turned round for gt/ge/lt/le", () => {
    const [i] = extractIndicators(parse("userIdentity.accountId ne recipientAccountId"));
    expect(i).toMatchObject({ field: "recipientAccountId", op: "eq", negated: true, value: { kind: "field", field: "userIdentity.accountId" } });
    expect(key("a eq b")).toBe(key("b eq a"));
    expect(key("a ieq b")).toBe(key("B ieq A"));
    expect(key("a gt b")).toBe(key("b lt a"));
    expect(key("a ge b")).toBe(key("b le a"));
    expect(rows("b lt a")).toEqual(["a gt field b"]);
    expect(key("a gt b")).not.toBe(key("a lt b"));
    // contains is not symmetric: a contains b is not b contains a
    expect(key("a contains b")).not.toBe(key("b contains a"));
    // a field is not the string with the same name
    expect(key("a eq b")).not.toBe(key('a eq "b"'));
  });

  it("path[cond]: inner paths on both sides are prefixed by the array path and remember it", () => {
    const inds = extractIndicators(parse('resources[type eq "AWS::S3::Bucket" and ARN endswith "-prod" and owner ne account]'));
    expect(inds.map(indicatorText)).toEqual([
      'resources.type eq "AWS::S3::Bucket" (same element of resources)',
      'resources.ARN endswith "-prod" (same element of resources)',
      "not resources.account eq field resources.owner (same element of resources)",
    ]);
    expect(inds.every((i) => i.within === "resources")).toBe(true);
    // nested arrays: the innermost array is remembered, the prefix is the whole path
    const [n] = extractIndicators(parse("a.items[ranges[cidrIp eq \"0.0.0.0/0\"]]"));
    expect(n).toMatchObject({ field: "a.items.ranges.cidrIp", within: "a.items.ranges" });
    // the same field and value as the plain existential form: the same indicator in the corpus
    expect(key('a.items[port eq 22]')).toBe(key("a.items.port eq 22"));
    // negation outside the brackets reaches inside
    expect(rows('not r[t eq "x"]')).toEqual(['not r.t eq "x" (same element of r)']);
  });

  it("lists an indicator once per rule, in order of first appearance", () => {
    expect(rows('(e eq "ec2" and n eq "A") or (e eq "ec2" and n in ["B", "A"])')).toEqual(['e eq "ec2"', 'n eq "A"', 'n eq "B"']);
  });

  it("compares field names case-insensitively and values exactly (typed)", () => {
    expect(key('EventName eq "X"')).toBe(key('eventname eq "X"'));
    expect(key('e eq "X"')).not.toBe(key('e eq "x"'));
    expect(key("e eq 1")).toBe(key("e eq 1.0"));
    expect(key("e eq 1")).not.toBe(key('e eq "1"'));
    expect(key("e eq true")).not.toBe(key('e eq "true"'));
    // a backtick segment with a dot is not two segments
    expect(key('`a.b` eq 1')).not.toBe(key("a.b eq 1"));
  });

  it("prints paths that need backticks with them", () => {
    expect(rows('requestParameters.`x-amz-server-side-encryption` ne "aws:kms"')).toEqual(['not requestParameters.`x-amz-server-side-encryption` eq "aws:kms"']);
  });
});

describe("corpus counts", () => {
  const library: { id: string; condition: string }[] = [
    { id: "R1", condition: 'eventSource eq "iam.amazonaws.com" and eventName in ["CreateUser", "CreateAccessKey"] and not errorCode exists' },
    { id: "R2", condition: 'EVENTSOURCE eq "iam.amazonaws.com" and eventName eq "CreateUser" and errorCode empty' },
    { id: "R3", condition: 'eventSource eq "IAM.amazonaws.com" and eventName ne "CreateUser" and not errorCode exists' },
    { id: "R4", condition: "a.items[port eq 22] and userIdentity.accountId ne recipientAccountId" },
    { id: "R5", condition: "a.items.port eq 22 and recipientAccountId ne userIdentity.accountId and not (not errorCode exists)" },
  ];
  const rules = library.map((r) => ({ id: r.id, indicators: extractIndicators(parse(r.condition)) }));
  const corpus = buildCorpus(rules);
  const count = (id: string, text: string) => {
    const ind = rules.find((r) => r.id === id)!.indicators.find((i) => indicatorText(i) === text);
    if (!ind) throw new Error(`${id} has no indicator ${text}`);
    return otherRules(corpus, ind.key, id);
  };

  it("counts the OTHER rules with the same field (any case), operator, polarity and value", () => {
    expect(count("R1", 'eventSource eq "iam.amazonaws.com"')).toEqual(["R2"]);
    expect(count("R2", 'EVENTSOURCE eq "iam.amazonaws.com"')).toEqual(["R1"]);
    // values compare exactly
    expect(count("R3", 'eventSource eq "IAM.amazonaws.com"')).toEqual([]);
  });

  it("expands lists and keeps negated indicators apart from positive ones", () => {
    expect(count("R1", 'eventName eq "CreateUser"')).toEqual(["R2"]);
    expect(count("R1", 'eventName eq "CreateAccessKey"')).toEqual([]);
    expect(count("R3", 'not eventName eq "CreateUser"')).toEqual([]);
    expect(count("R1", "not errorCode exists")).toEqual(["R3"]);
    expect(count("R5", "errorCode exists")).toEqual([]);
    expect(count("R2", "errorCode empty")).toEqual([]);
  });

  it("matches path[cond] with the plain path, and field-to-field comparisons in either order", () => {
    expect(count("R4", "a.items.port eq 22 (same element of a.items)")).toEqual(["R5"]);
    expect(count("R5", "a.items.port eq 22")).toEqual(["R4"]);
    expect(count("R4", "not recipientAccountId eq field userIdentity.accountId")).toEqual(["R5"]);
  });

  it("keeps the first spelling and every rule once, in library order", () => {
    const entry = [...corpus.values()].find((e) => e.indicator.field.toLowerCase() === "eventsource" && e.indicator.value.kind === "string" && e.indicator.value.value === "iam.amazonaws.com")!;
    expect(entry.indicator.field).toBe("eventSource");
    expect(entry.rules).toEqual(["R1", "R2"]);
  });

  it("is one linear pass: 20,000 rules index in well under a second per 10,000", () => {
    const many: { id: string; indicators: Indicator[] }[] = [];
    const base = rules.map((r) => r.indicators);
    for (let i = 0; i < 20_000; i++) many.push({ id: `X${i}`, indicators: base[i % base.length]! });
    const t0 = performance.now();
    const big = buildCorpus(many);
    const ms = performance.now() - t0;
    const first = rules[0]!.indicators[0]!;
    expect(big.get(first.key)!.rules).toHaveLength(8_000);
    expect(otherRules(big, first.key, "X0")).toHaveLength(7_999);
    // A pairwise comparison of 20,000 rules would be 2e8 pairs; the index takes milliseconds.
    expect(ms).toBeLessThan(2_000);
  });
});
