import { LOG_TYPES, type ContainerData } from "../logtypes/registry.js";

/**
 * Envelopes that hold records, as the log-type registry lists them (each log type's
 * `sources.containers`): CloudTrail's {"Records": [...]}, an Azure storage blob's {"records": [...]},
 * a Reports API page's items, a Slack audit page's entries, a CloudWatch Logs subscription's
 * logEvents (each record JSON text in `message`), an EventBridge event's detail. Pure.
 */

/** Every log type's envelopes: they never clash (each names its key and the only keys beside it). */
const CONTAINERS: readonly ContainerData[] = LOG_TYPES.flatMap((d) => d.sources.containers ?? []);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The envelope a value is, if any. */
function containerOf(v: Record<string, unknown>): ContainerData | undefined {
  for (const c of CONTAINERS) {
    const inner = v[c.key];
    if (inner === undefined || (c.single ? !isObject(inner) : !Array.isArray(inner))) continue;
    let ok = true;
    for (const k in v) if (k !== c.key && !(c.siblings ?? []).includes(k)) ok = false;
    if (ok) return c;
  }
  return undefined;
}

/**
 * The records a parsed value holds, pushed onto `out`: a top-level array is a list of records,
 * envelopes are opened (nested ones too). A record kept as JSON text that does not parse is counted
 * in `broken`.
 */
export function openEnvelopes(value: unknown, out: unknown[], broken: { count: number }): void {
  if (Array.isArray(value)) for (const v of value) openOne(v, out, broken);
  else openOne(value, out, broken);
}

function openOne(value: unknown, out: unknown[], broken: { count: number }): void {
  const c = isObject(value) ? containerOf(value) : undefined;
  if (!c) {
    out.push(value);
    return;
  }
  const inner = (value as Record<string, unknown>)[c.key];
  for (const el of c.single ? [inner] : (inner as unknown[])) {
    if (c.parse === undefined) {
      openOne(el, out, broken);
      continue;
    }
    const text = isObject(el) ? el[c.parse] : undefined;
    let parsed: unknown;
    try {
      parsed = typeof text === "string" ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined) broken.count++;
    else openOne(parsed, out, broken);
  }
}
