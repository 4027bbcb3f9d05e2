import * as crypto from "node:crypto";
import type { Rule, RuleSeverity } from "../../rules/types.js";
import { tacticById } from "./data/tactics.js";

/** The namespace of rulec's Sigma rule ids (a fixed random UUID; never change it: ids must stay stable). */
export const SIGMA_ID_NAMESPACE = "3f5b2c1e-8d4a-4e7b-9c6f-1a2b3c4d5e6f";

/** RFC 4122 version 5 (SHA-1, name-based) UUID of `name` in `namespace`. */
export function uuidV5(name: string, namespace = SIGMA_ID_NAMESPACE): string {
  const ns = namespaceBytes(namespace);
  const input = Buffer.allocUnsafe(ns.length + Buffer.byteLength(name, "utf8"));
  ns.copy(input, 0);
  input.write(name, ns.length, "utf8");
  const h = sha1Hex(input);
  // Version 5 in the high nibble of byte 6; the RFC 4122 variant (10xx) in the high bits of byte 8.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** One-shot `crypto.hash` where Node has it (20.12+), else a Hash object. */
const oneShot = (crypto as { hash?: (algorithm: string, data: Buffer, encoding: "hex") => string }).hash;
const sha1Hex = (data: Buffer): string => (oneShot ? oneShot("sha1", data, "hex") : crypto.createHash("sha1").update(data).digest("hex"));

const NAMESPACES = new Map<string, Buffer>();

function namespaceBytes(namespace: string): Buffer {
  let ns = NAMESPACES.get(namespace);
  if (ns === undefined) {
    ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
    NAMESPACES.set(namespace, ns);
  }
  return ns;
}

export const LEVELS: Readonly<Record<RuleSeverity, string>> = {
  Info: "informational",
  Low: "low",
  Medium: "medium",
  High: "high",
  Critical: "critical",
};

export function severityOfLevel(level: string): RuleSeverity | undefined {
  const l = level.toLowerCase();
  return (Object.keys(LEVELS) as RuleSeverity[]).find((k) => LEVELS[k] === l);
}

/**
 * Panther's `Reports: {MITRE ATT&CK: ["TA0007:T1526"]}` -> Sigma tags, tactics first:
 * `attack.discovery`, `attack.t1526`. Unknown tactic ids are returned for a warning.
 */
export function attackTags(reports: Rule["reports"]): { tags: string[]; unknown: string[] } {
  const tactics: string[] = [];
  const techniques: string[] = [];
  const unknown: string[] = [];
  const entries = reports?.["MITRE ATT&CK"] ?? [];
  for (const entry of entries) {
    for (const part of String(entry).split(":").map((p) => p.trim()).filter((p) => p !== "")) {
      if (/^TA\d{4}$/i.test(part)) {
        const t = tacticById(part);
        if (t) tactics.push(`attack.${t.tag}`);
        else unknown.push(part);
      } else if (/^T\d{4}(\.\d{3})?$/i.test(part)) {
        techniques.push(`attack.${part.toLowerCase()}`);
      } else {
        unknown.push(part);
      }
    }
  }
  const uniq = (xs: string[]) => [...new Set(xs)];
  return { tags: [...uniq(tactics), ...uniq(techniques)], unknown };
}
