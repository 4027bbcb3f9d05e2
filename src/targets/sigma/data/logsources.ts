import { LOG_TYPES, logTypeData, type LogSourceData } from "../../../logtypes/registry.js";

/**
 * Log types <-> Sigma logsources and field names, read from the log-type registry (each log type's
 * `sigma` block in src/logtypes/<name>/logtype.json). No log type is named in code.
 */

export interface LogSource extends LogSourceData {
  readonly logType: string;
}

/** The logsource a rule of this log type is written with; undefined when Sigma has none for it. */
export function logSourceFor(logType: string): LogSource | undefined {
  if (SOURCES.has(logType)) return SOURCES.get(logType);
  const s = logTypeData(logType)?.sigma;
  const source = s ? { logType, ...s.logsource } : undefined;
  SOURCES.set(logType, source);
  return source;
}

/** One LogSource object per log type, so that equal logsources are the same object. */
const SOURCES = new Map<string, LogSource | undefined>();

const norm = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : undefined);

function sameSource(src: { product?: unknown; service?: unknown; category?: unknown }, l: LogSourceData): boolean {
  return norm(src.product) === l.product && norm(src.service) === l.service && norm(src.category) === l.category;
}

/**
 * The log type of a Sigma logsource: product, service and category must all match one log type's
 * logsource or one of its `imports` (case-insensitively; a key absent on one side must be absent on
 * the other).
 */
export function logTypeOf(src: { product?: unknown; service?: unknown; category?: unknown }): string | undefined {
  for (const d of LOG_TYPES) {
    const s = d.sigma;
    if (s && (sameSource(src, s.logsource) || (s.imports ?? []).some((l) => sameSource(src, l)))) return d.logType;
  }
  return undefined;
}

/**
 * A log type's two-way Sigma field mapping. `toSigma` names a raw path (segments joined with dots)
 * as the Sigma rule writes it; `fromSigma` reads a Sigma field name back. Both are the identity
 * where the data maps nothing; prefixes (`a.*`) map every path below them.
 */
export interface SigmaFields {
  toSigma(raw: string): string;
  fromSigma(sigma: string): string;
  /** A Sigma field read through a table of values: the raw field, and raw value by Sigma value (lower case). */
  valuesOf?(sigma: string): { readonly field: string; readonly values: ReadonlyMap<string, string> } | undefined;
}

const IDENTITY: SigmaFields = { toSigma: (r) => r, fromSigma: (s) => s };

const CACHE = new Map<string, SigmaFields>();

export function sigmaFields(logType: string | undefined): SigmaFields {
  if (logType === undefined) return IDENTITY;
  let f = CACHE.get(logType);
  if (f) return f;
  const s = logTypeData(logType)?.sigma;
  const both = Object.entries(s?.fields ?? {});
  const aliases = Object.entries(s?.importAliases ?? {});
  const valueTables = new Map(
    Object.entries(s?.importValues ?? {}).map(([sigma, v]) => [sigma, { field: v.field, values: new Map(Object.entries(v.values).map(([k, x]) => [k.toLowerCase(), x])) }]),
  );
  if (both.length === 0 && aliases.length === 0 && valueTables.size === 0) f = IDENTITY;
  else {
    const toSigma = mapper(both.map(([sigma, raw]) => [raw, sigma] as const));
    const fromSigma = mapper([...both, ...aliases].map(([sigma, raw]) => [sigma, raw] as const));
    f = { toSigma, fromSigma, valuesOf: (sigma) => valueTables.get(sigma) };
  }
  CACHE.set(logType, f);
  return f;
}

/** A name mapper from pairs: exact names first, then the longest matching prefix (`a.*` -> `b.*`). */
function mapper(pairs: readonly (readonly [string, string])[]): (name: string) => string {
  const exact = new Map<string, string>();
  const prefixes: [string, string][] = [];
  for (const [from, to] of pairs) {
    if (from.endsWith(".*") && to.endsWith(".*")) prefixes.push([from.slice(0, -1), to.slice(0, -1)]);
    else if (!exact.has(from)) exact.set(from, to);
  }
  prefixes.sort((a, b) => b[0].length - a[0].length);
  return (name) => {
    const e = exact.get(name);
    if (e !== undefined) return e;
    for (const [from, to] of prefixes) if (name.startsWith(from) && name.length > from.length) return to + name.slice(from.length);
    return name;
  };
}
