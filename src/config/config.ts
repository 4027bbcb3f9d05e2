import { fileDiagnostic, nearest, type Diagnostic } from "../diagnostics.js";
import { Locator, type KeyPath } from "../rules/locate.js";
import { loadYaml, YamlLimitError } from "../rules/yaml.js";
import { TARGET_NAMES } from "../targets/names.js";
import { checkTargetOptions } from "../targets/option-checks.js";
import type { TargetOptions } from "../targets/types.js";

/**
 * `rulec.config.yml`: library-wide settings (output directory, default targets, Athena and Sigma
 * options). Pure: text in, a validated Config and diagnostics (file:line:col) out.
 */

export { CONFIG_FILE } from "./name.js";

export interface Config {
  readonly out?: string;
  readonly targets?: readonly string[];
  readonly athena?: Readonly<Record<string, string | number>>;
  readonly sigma?: Readonly<Record<string, string>>;
  readonly sentinel?: Readonly<Record<string, string>>;
}

type Kind = "string" | "number" | "string-list";

const SCHEMA: Record<string, Kind | Record<string, Kind>> = {
  out: "string",
  targets: "string-list",
  athena: {
    database: "string",
    table: "string",
    profile: "string",
    since: "string",
    from: "string",
    to: "string",
    workgroup: "string",
    outputLocation: "string",
    region: "string",
    maxConcurrency: "number",
    engine: "string",
    location: "string",
  },
  sigma: {
    author: "string",
    status: "string",
    date: "string",
  },
  sentinel: {
    queryFrequency: "string",
    queryPeriod: "string",
  },
};


export function parseConfig(text: string, file: string): { config: Config; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const locator = new Locator(text);
  const at = (message: string, path: KeyPath, where: "key" | "value" = "value") =>
    diagnostics.push(fileDiagnostic("RC502", message, file, where === "key" ? locator.keySpan(path) : locator.valueSpan(path)));
  let doc: unknown;
  try {
    doc = loadYaml(text);
  } catch (e) {
    const err = e as { reason?: string; mark?: { position: number }; position?: number };
    const position = err.mark?.position ?? err.position;
    const span = position === undefined ? undefined : locator.lines().span(position, position + 1);
    const message = e instanceof YamlLimitError ? `the configuration is too large: ${e.reason}` : `invalid YAML: ${err.reason ?? String(e)}`;
    return { config: {}, diagnostics: [fileDiagnostic("RC502", message, file, span)] };
  }
  if (doc === undefined || doc === null) return { config: {}, diagnostics };
  if (typeof doc !== "object" || Array.isArray(doc)) {
    at("the configuration is a mapping of settings (out, targets, athena, sigma, sentinel)", []);
    return { config: {}, diagnostics };
  }
  const config: Record<string, unknown> = {};
  const check = (value: unknown, kind: Kind, path: KeyPath): unknown => {
    const name = path.join(".");
    if (kind === "string" && typeof value === "string" && value.trim() !== "") return value;
    if (kind === "string" && typeof value === "string") {
      at(`${name} must not be empty`, path);
      return undefined;
    }
    if (kind === "number" && typeof value === "number" && Number.isInteger(value) && value > 0) return value;
    if (kind === "string-list" && Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
    at(`${name} must be ${kind === "string" ? `a string${typeof value === "number" ? " (quote it)" : ""}` : kind === "number" ? "a whole number above 0" : "a list of strings"}`, path);
    return undefined;
  };
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const kind = SCHEMA[key];
    if (kind === undefined) {
      const near = nearest(key, Object.keys(SCHEMA), 1)[0];
      at(`unknown setting '${key}'${near ? ` (did you mean '${near}'?)` : ""}`, [key], "key");
      continue;
    }
    if (typeof kind === "string") {
      const v = check(value, kind, [key]);
      if (v !== undefined) config[key] = v;
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      at(`${key} must be a mapping (${Object.keys(kind).join(", ")})`, [key]);
      continue;
    }
    const section: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const sub = kind[k];
      if (sub === undefined) {
        const near = nearest(k, Object.keys(kind), 1)[0];
        at(`unknown setting '${key}.${k}'${near ? ` (did you mean '${near}'?)` : ""}`, [key, k], "key");
        continue;
      }
      const checked = check(v, sub, [key, k]);
      if (checked !== undefined) section[k] = checked;
    }
    config[key] = section;
  }
  // Each target checks its own option values (a time window, a profile, a date...).
  for (const name of TARGET_NAMES) {
    const section = config[name] as TargetOptions | undefined;
    if (section === undefined) continue;
    for (const problem of checkTargetOptions(name, section)) at(problem.message, [name, problem.key]);
  }
  const targets = config.targets as string[] | undefined;
  targets?.forEach((t, i) => {
    if (!(TARGET_NAMES as readonly string[]).includes(t)) {
      const near = nearest(t, TARGET_NAMES, 1)[0];
      at(`unknown target '${t}' (known: ${TARGET_NAMES.join(", ")})${near ? ` (did you mean '${near}'?)` : ""}`, ["targets", i]);
    }
  });
  return { config: config as Config, diagnostics };
}
