import { columnName, type ColumnType, type Profile } from "./profile.js";

/**
 * The CREATE TABLE of a table profile, for Athena (Hive DDL): the profile's columns (structs,
 * arrays, JSON text as string), its SerDe and properties, partition columns and projection, and
 * the S3 location. Pure: `rulec athena ddl` prints it.
 */

export interface DdlOptions {
  /** s3://bucket/prefix/ (default: the profile's placeholder location). */
  readonly location?: string;
  readonly database?: string;
  readonly table?: string;
}

/** A Hive DDL string literal: backslash and single quote escaped with a backslash (Hive's DDL has no doubled quotes). */
function hiveString(value: string): string {
  return "'" + value.replace(/[\\']/g, (c) => "\\" + c).replace(/\n/g, "\\n") + "'";
}

/** A Hive identifier, in backticks (a backtick doubled). */
function ident(name: string): string {
  return "`" + name.replace(/`/g, "``") + "`";
}

function hiveType(t: ColumnType): string {
  switch (t.type) {
    case "string":
    case "json":
      return "string";
    case "boolean":
      return "boolean";
    case "number":
      return t.hive ?? "double";
    case "struct":
      return `struct<${Object.entries(t.fields)
        .map(([k, f]) => `${ident(columnName(k, f))}:${hiveType(f)}`)
        .join(",")}>`;
    case "array":
      return `array<${hiveType(t.items)}>`;
  }
}

/** JSON keys whose column name is not the key in lower case: the OpenX SerDe's `mapping.<column>` properties. */
function mappings(columns: Readonly<Record<string, ColumnType>>, out: Map<string, string>): void {
  for (const [k, t] of Object.entries(columns)) {
    const col = columnName(k, t);
    if (col !== k.toLowerCase()) out.set(col, k);
    let e = t;
    while (e.type === "array") e = e.items;
    if (e.type === "struct") mappings(e.fields, out);
  }
}

/** Normalises an S3 location to end with one slash; undefined when it is not an s3:// URI. */
export function s3Location(location: string): string | undefined {
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s'\\]*)?$/.test(location)) return undefined;
  return location.endsWith("/") ? location : `${location}/`;
}

export function createTableDdl(profile: Profile, options: DdlOptions = {}): { ddl?: string; error?: string } {
  const ddl = profile.ddl;
  if (!ddl) return { error: `the table profile '${profile.name}' has no table definition` };
  const location = s3Location(options.location ?? ddl.location);
  if (location === undefined) return { error: `the location must be an S3 URI (s3://bucket/prefix/), not '${options.location}'` };
  const columns: [string, string][] = profile.root
    ? [[profile.root.column, "string"]]
    : Object.entries(profile.columns ?? {}).map(([k, t]) => [columnName(k, t), hiveType(t)]);
  const seen = new Set<string>();
  const lines = columns.filter(([c]) => !seen.has(c) && seen.add(c)).map(([c, t]) => `  ${ident(c)} ${t}`);
  const serdeProperties = new Map<string, string>(Object.entries(ddl.serdeProperties ?? {}));
  if (ddl.serde === "org.openx.data.jsonserde.JsonSerDe") {
    const m = new Map<string, string>();
    mappings(profile.columns ?? {}, m);
    for (const [col, key] of [...m].sort()) serdeProperties.set(`mapping.${col}`, key);
  }
  const props = (entries: Iterable<[string, string]>) => [...entries].map(([k, v]) => `  ${hiveString(k)} = ${hiveString(v)}`).join(",\n");
  const out: string[] = [];
  out.push(`CREATE EXTERNAL TABLE IF NOT EXISTS ${ident(options.database ?? profile.database)}.${ident(options.table ?? profile.table)} (`);
  out.push(lines.join(",\n"));
  out.push(")");
  if (ddl.comment !== undefined) out.push(`COMMENT ${hiveString(ddl.comment)}`);
  if (ddl.partitionColumns && ddl.partitionColumns.length > 0) out.push(`PARTITIONED BY (${ddl.partitionColumns.map((p) => `${ident(p.name)} ${p.type}`).join(", ")})`);
  if (ddl.serde !== undefined) out.push(`ROW FORMAT SERDE ${hiveString(ddl.serde)}`);
  else out.push(`ROW FORMAT DELIMITED\nFIELDS TERMINATED BY ${hiveString(ddl.fieldsTerminatedBy ?? " ")}`);
  if (serdeProperties.size > 0) out.push(`WITH SERDEPROPERTIES (\n${props(serdeProperties)}\n)`);
  if (ddl.inputFormat !== undefined) out.push(`STORED AS INPUTFORMAT ${hiveString(ddl.inputFormat)}\nOUTPUTFORMAT ${hiveString(ddl.outputFormat ?? "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat")}`);
  out.push(`LOCATION ${hiveString(location)}`);
  const tbl = Object.entries(ddl.tableProperties ?? {}).map(([k, v]) => [k, v.replaceAll("{location}", location)] as [string, string]);
  if (tbl.length > 0) out.push(`TBLPROPERTIES (\n${props(tbl)}\n)`);
  return { ddl: out.join("\n") + ";\n" };
}

