import { describe, expect, it } from "vitest";
import type { Condition } from "../../src/ast/nodes.js";
import { rootType, schemaFor } from "../../src/schema/schema.js";
import { blackStatement } from "../../src/targets/panther/black.js";
import { ConditionCompiler } from "../../src/targets/panther/condition.js";
import { flat, statement, type Py } from "../../src/targets/panther/layout.js";
import { generateCases } from "../helpers/arbitraries.js";

/**
 * layout.statement takes a shortcut for the commonest long `return` (a boolean of three or more
 * operands) instead of running the port of black's splitting; the shortcut must give exactly the
 * lines black gives. Generated conditions, with field names and strings lengthened so that most
 * returns need splitting (and some operands need splitting again), are laid out both ways.
 */

type Mapper = (s: string) => string;

/** The condition with every path segment name and string literal rewritten. */
function rewrite(c: unknown, segment: Mapper, str: Mapper): unknown {
  if (Array.isArray(c)) return c.map((x) => rewrite(x, segment, str));
  if (c === null || typeof c !== "object") return c;
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) o[k] = rewrite(v, segment, str);
  const node = c as { segments?: { name: string }[]; kind?: string; value?: unknown };
  if (Array.isArray(node.segments)) o.segments = node.segments.map((s) => ({ ...(rewrite(s, segment, str) as object), name: segment(s.name) }));
  if (node.kind === "string" && typeof node.value === "string") o.value = str(node.value);
  return o;
}

const plainText = (s: string) => !/[*?\\/[\](){}^$|+.]/.test(s);
const CLOUDTRAIL: Record<string, string> = { a: "userIdentity", b: "requestParameters", c: "eventName", "x-y": "sourceIPAddress" };
const VARIANTS: { name: string; segment: Mapper; str: Mapper; schema: boolean }[] = [
  { name: "long names", segment: (s) => s.repeat(9) + "Field", str: (s) => s, schema: false },
  { name: "long strings", segment: (s) => `${s}_name`, str: (s) => (plainText(s) ? s.repeat(7) : s), schema: false },
  { name: "CloudTrail", segment: (s) => CLOUDTRAIL[s] ?? s, str: (s) => (plainText(s) ? s + "ΟΔΟΣ😀".repeat(5) : s), schema: true },
  { name: "mixed", segment: (s) => s.repeat(4) + "Value", str: (s) => (plainText(s) ? s.repeat(3) : s), schema: false },
];

const CT_SCHEMA = rootType(schemaFor("AWS.CloudTrail")!);

describe("panther layout: the boolean shortcut is black's split", () => {
  const cases = generateCases(20261127, 1500, 0);
  for (const v of VARIANTS) {
    it(v.name, () => {
      let split = 0;
      let shortcut = 0;
      for (const c of cases) {
        const condition = rewrite(c.condition, v.segment, v.str) as Condition;
        let body: Py;
        try {
          body = new ConditionCompiler(v.schema ? CT_SCHEMA : undefined).compile(condition);
        } catch {
          continue; // a rewritten network or pattern that no longer checks
        }
        const one = `    return ${flat(body)}`;
        const lines = statement("return", body, 4);
        if (lines.length === 1 && lines[0] === one) continue;
        split++;
        if (body.k === "bool" && body.items.length >= 3) shortcut++;
        expect(lines, `condition: ${c.text}`).toEqual(blackStatement("return", body, 1));
      }
      // The suite means something only if it splits, and takes the shortcut, often.
      expect(split).toBeGreaterThan(300);
      expect(shortcut).toBeGreaterThan(100);
    });
  }
});
