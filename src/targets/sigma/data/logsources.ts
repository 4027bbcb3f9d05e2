/** Log types <-> Sigma logsource (product/service/category), one row per log type. */
export interface LogSource {
  readonly logType: string;
  readonly product: string;
  readonly service?: string;
  readonly category?: string;
}

export const LOGSOURCES: readonly LogSource[] = [{ logType: "AWS.CloudTrail", product: "aws", service: "cloudtrail" }];

export function logSourceFor(logType: string): LogSource | undefined {
  return LOGSOURCES.find((l) => l.logType === logType);
}

/** The log type of a Sigma logsource: product and service must both match (case-insensitively). */
export function logTypeOf(src: { product?: unknown; service?: unknown; category?: unknown }): string | undefined {
  const norm = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : undefined);
  return LOGSOURCES.find(
    (l) => norm(src.product) === l.product && norm(src.service) === l.service && norm(src.category) === l.category,
  )?.logType;
}
