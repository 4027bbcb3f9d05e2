import type { Condition, Path } from "../ast/nodes.js";

export const SEVERITIES = ["Info", "Low", "Medium", "High", "Critical"] as const;
export type RuleSeverity = (typeof SEVERITIES)[number];

export interface RuleTest {
  readonly name: string;
  readonly expectedResult: boolean;
  /** The event, as the YAML gives it (a JSON value). */
  readonly log: unknown;
  /** Which of the rule's LogTypes the event is, when the test says (Panther's test `LogType`). */
  readonly logType?: string;
}

/** A piece of an AlertTitle: literal text or a `{path}` placeholder. */
export type TitlePart = { readonly kind: "text"; readonly text: string } | { readonly kind: "field"; readonly path: Path; readonly source: string };

/**
 * A loaded, checked rule: the metadata of its YAML file and its condition as an AST (field paths
 * already rewritten to the schema's spelling).
 */
export interface Rule {
  /** The file as named on the command line (or found under a directory). */
  readonly file: string;
  /** The file's stem: it names every output of the rule. */
  readonly name: string;
  readonly ruleId: string;
  readonly displayName: string;
  readonly enabled: boolean;
  readonly logTypes: readonly string[];
  readonly severity: RuleSeverity;
  /** Severity as the file spells it, when that is not `severity` (`HIGH`): the Panther output keeps it. */
  readonly severityText?: string;
  readonly createAlert?: boolean;
  readonly description?: string;
  readonly reference?: string;
  readonly runbook?: string;
  readonly tags?: readonly string[];
  /** Panther's form: framework -> ids, each a string or a number (`CIS: [3.5]`), as written. */
  readonly reports?: Readonly<Record<string, readonly (string | number)[]>>;
  readonly dedupPeriodMinutes?: number;
  readonly threshold?: number;
  /** The condition text as written (after YAML decoding). */
  readonly conditionText: string;
  readonly condition: Condition;
  readonly outputFields?: readonly Path[];
  readonly alertTitle?: { readonly template: string; readonly parts: readonly TitlePart[] };
  readonly dedupFields?: readonly Path[];
  readonly tests: readonly RuleTest[];
  /**
   * Keys of Panther's rule YAML that rulec carries to the Panther output as written (Status,
   * SummaryAttributes, InlineFilters that filter nothing, ...), in the order of the file.
   */
  readonly panther?: Readonly<Record<string, unknown>>;
}
