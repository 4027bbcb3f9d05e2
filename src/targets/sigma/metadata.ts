import { createHash } from "node:crypto";
import type { RuleSeverity } from "../../rules/types.js";
import { tacticById } from "./data/tactics.js";

/** The namespace of rulec's Sigma rule ids (a fixed random UUID; never change it: ids must stay stable). */
export const SIGMA_ID_NAMESPACE = "3f5b2c1e-8d4a-4e7b-9c6f-1a2b3c4d5e6f";

/** RFC 4122 version 5 (SHA-1, name-based) UUID of `name` in `namespace`. */
export function uuidV5(name: string, namespace = SIGMA_ID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  const hash = createHash("sha1").update(ns).update(Buffer.from(name, "utf8")).digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
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
export function attackTags(reports: Readonly<Record<string, readonly string[]>> | undefined): { tags: string[]; unknown: string[] } {
  const tactics: string[] = [];
  const techniques: string[] = [];
  const unknown: string[] = [];
  const entries = reports?.["MITRE ATT&CK"] ?? [];
  for (const entry of entries) {
    for (const part of entry.split(":").map((p) => p.trim()).filter((p) => p !== "")) {
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
