/**
 * ATT&CK enterprise tactics: id -> the tag name SigmaHQ uses (`attack.<name>`), current names
 * (ATT&CK v18: Defense Evasion became Stealth, TA0005, and Defense Impairment, TA0112, was added).
 * `aliases` are older tag names the importer still accepts.
 */
export interface Tactic {
  readonly id: string;
  readonly tag: string;
  readonly aliases?: readonly string[];
}

export const TACTICS: readonly Tactic[] = [
  { id: "TA0043", tag: "reconnaissance" },
  { id: "TA0042", tag: "resource-development", aliases: ["resource_development"] },
  { id: "TA0001", tag: "initial-access", aliases: ["initial_access"] },
  { id: "TA0002", tag: "execution" },
  { id: "TA0003", tag: "persistence" },
  { id: "TA0004", tag: "privilege-escalation", aliases: ["privilege_escalation"] },
  { id: "TA0005", tag: "stealth", aliases: ["defense-evasion", "defense_evasion"] },
  { id: "TA0112", tag: "defense-impairment", aliases: ["defense_impairment"] },
  { id: "TA0006", tag: "credential-access", aliases: ["credential_access"] },
  { id: "TA0007", tag: "discovery" },
  { id: "TA0008", tag: "lateral-movement", aliases: ["lateral_movement"] },
  { id: "TA0009", tag: "collection" },
  { id: "TA0011", tag: "command-and-control", aliases: ["command_and_control"] },
  { id: "TA0010", tag: "exfiltration" },
  { id: "TA0040", tag: "impact" },
];

export function tacticById(id: string): Tactic | undefined {
  const u = id.toUpperCase();
  return TACTICS.find((t) => t.id === u);
}

export function tacticByTag(tag: string): Tactic | undefined {
  const l = tag.toLowerCase();
  return TACTICS.find((t) => t.tag === l || (t.aliases ?? []).includes(l));
}
