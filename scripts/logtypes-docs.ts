// The docs of the log types, generated from the registry's data (src/logtypes): one page per typed
// log type and an index under docs/logtypes/, and the per-log-type section of docs/athena.md.
// `npm run logtypes` writes them; test/logtypes/docs.test.ts fails when they are stale.
import { readFileSync } from "node:fs";
import { fieldRows, freeFormNames } from "../src/logtypes/describe.js";
import { LOG_TYPES, PANTHER_FIELDS, PANTHER_LOG_TYPES, type LogTypeData } from "../src/logtypes/registry.js";
import { createTableDdl } from "../src/targets/athena/ddl.js";
import { profilesOf, type Profile } from "../src/targets/athena/profile.js";
import { crossCheck, type CrossCheck } from "../test/logtypes/crosscheck.js";

const ROOT = new URL("../", import.meta.url);

/** Markdown table cell text: pipes escaped, no line breaks. */
function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function code(s: string): string {
  return "`" + s.replace(/`/g, "\\`") + "`";
}

export function pageName(logType: string): string {
  return `${logType.toLowerCase()}.md`;
}

function partitionsText(p: Profile): string {
  const x = p.partitions;
  if (x.kind === "none") return "none (filtered on the time column only)";
  if (x.kind === "ymd") return `${code(x.year)}/${code(x.month)}/${code(x.day)} strings`;
  return `${code(x.column)} projected, spelled ${code(x.format)}`;
}

function timeText(p: Profile): string {
  return p.time ? `${code(p.time.column)} (${p.time.type})` : "none";
}

function sigmaSection(d: LogTypeData): string[] {
  const s = d.sigma;
  if (!s) return ["No Sigma logsource: a rule of this log type is RC401 for the Sigma target, and `rulec import sigma` has no rules to read as it."];
  const ls = (l: { product: string; service?: string; category?: string }) => [`product: ${l.product}`, l.service && `service: ${l.service}`, l.category && `category: ${l.category}`].filter(Boolean).join(", ");
  const out = [`Compiled rules are written with the logsource ${code(ls(s.logsource))}.`];
  if (s.imports && s.imports.length > 0) out.push(`\`rulec import sigma\` also reads rules of ${s.imports.map((l) => code(ls(l))).join(", ")} as this log type.`);
  const fields = Object.entries(s.fields ?? {});
  const aliases = Object.entries(s.importAliases ?? {});
  const values = Object.entries(s.importValues ?? {});
  if (fields.length + aliases.length + values.length === 0) out.push("", "Sigma rules name the fields as the raw records do: no mapping.");
  else {
    out.push("", "| Sigma field | field | direction |", "| --- | --- | --- |");
    for (const [a, b] of fields) out.push(`| ${code(a)} | ${code(b)} | both (compile writes it, import reads it) |`);
    for (const [a, b] of aliases) out.push(`| ${code(a)} | ${code(b)} | import only |`);
    for (const [a, v] of values) out.push(`| ${code(a)} | ${code(v.field)}, values ${Object.entries(v.values).map(([x, y]) => `${code(x)} -> ${code(y)}`).join(", ")} | import only, equality only |`);
    out.push("", "A field the mapping does not name keeps its raw path in both directions.");
  }
  out.push("", "SigmaHQ's rules for these logsources and the share `rulec import sigma` reads: [sigma-import-rates.md](../sigma-import-rates.md).");
  return out;
}

function athenaSection(d: LogTypeData): string[] {
  const out: string[] = [];
  for (const p of profilesOf(d.logType)) {
    out.push(`### ${code(p.name)}${p === profilesOf(d.logType)[0] ? " (default)" : ""}`, "", p.description, "");
    out.push(`Table ${code(`${p.database}.${p.table}`)}; time column ${timeText(p)}; partitions ${partitionsText(p)}.`, "");
    const { ddl } = createTableDdl(p);
    out.push("```sql", `-- rulec athena ddl ${d.logType}${p === profilesOf(d.logType)[0] ? "" : ` --profile ${p.name}`} --location s3://...`, ddl!.trimEnd(), "```", "");
  }
  return out;
}

function huntSection(d: LogTypeData): string[] {
  const s = d.sources;
  const t = s.text;
  const form =
    t === undefined
      ? "JSON, a JSON array or NDJSON, gzipped or not"
      : t.kind === "delimited"
        ? `lines of fields separated by ${t.separator === " " ? "a space" : code(t.separator ?? "")}${t.header ? ", a header line naming them in any order" : ""}${t.null !== undefined ? `, ${code(t.null)} for no value` : ""}; gzipped or not`
        : `lines read with the pattern of AWS's RegexSerDe table, one group per field${t.null !== undefined ? `, ${code(t.null)} for no value` : ""}; gzipped or not`;
  const out = [`\`rulec hunt\` reads these exports as the vendor writes them (${form}):`, "", ...s.exports.map((e) => `- ${e}`), ""];
  if ((s.containers ?? []).length > 0) {
    out.push("Envelopes opened:", "");
    for (const c of s.containers!) out.push(`- ${code(c.key)}${c.single ? " (one record)" : " (a list of records)"}${c.parse ? `, each record as JSON text in ${code(c.parse)}` : ""}${c.siblings && c.siblings.length > 0 ? `, beside ${c.siblings.map(code).join(", ")}` : ""}`);
    out.push("");
  }
  out.push("A record is of this log type when it matches (the first that matches wins; in a hunt over one log type every record is taken as it, normalised by the shape it matches):", "");
  for (const sh of s.shapes) {
    out.push(`- ${code(sh.when)}${(sh.transform ?? []).length > 0 ? `, then ${sh.transform!.map((t) => (t.op === "explode" ? `one record per element of ${code(t.path)}` : t.op === "pairs" ? `${code(t.path)}'s {${t.key}, ${t.values.join(" | ")}} pairs as an object` : `the record under ${code(t.into)}${t.keep && t.keep.length > 0 ? ` (keeping ${t.keep.map(code).join(", ")})` : ""}`)).join(", then ")}` : ""}`);
  }
  out.push("", `Use \`--log-type ${d.logType}\` when every record of the files is of this log type.`);
  return out;
}

function crossCheckSection(r: CrossCheck | undefined): string[] {
  if (!r) return [];
  const out = [
    `The Tests of Panther's rule library (panther-analysis at ${PANTHER_LOG_TYPES.commit.slice(0, 8)}, vendored under test/fixtures/vendor) hold ${r.events} events of this log type: ${r.conforming} conform to the schema.`,
  ];
  const used = r.explained.filter((x) => x.count > 0);
  if (used.length > 0) {
    out.push("", "The others deviate as follows (test/logtypes/panther-deviations.yml):", "", "| deviation (pattern) | events | why |", "| --- | ---: | --- |");
    for (const x of used) out.push(`| ${cell(code(x.entry.match))} | ${x.events} | ${cell(x.entry.why)} |`);
  }
  return out;
}

function page(d: LogTypeData, check: CrossCheck | undefined, sample: unknown): string {
  const rows = fieldRows(d.fields);
  const lines = [
    `# ${d.logType}: ${d.title}`,
    "",
    "<!-- Generated by scripts/logtypes-docs.ts from src/logtypes/" + d.logType.toLowerCase() + " (npm run logtypes): do not edit. -->",
    "",
    d.description,
    "",
    ...d.references.map((r) => `- ${r}`),
    "",
    `In a rule: \`LogTypes: [${d.logType}]\`. Event time: ${d.time ? code(d.time) : "none"}. An Athena query of a rule without OutputFields selects ${(d.outputFields ?? []).map(code).join(", ") || "every column"}.`,
    "",
    ...(d.notes ?? []).flatMap((n) => [n, ""]),
    "## Fields",
    "",
    `${rows.length} fields; a path through an array of objects reaches the field of any element (\`a[cond]\` binds one element). Panther's standard fields (${code("p_log_type")}, ${code("p_any_ip_addresses")}, ...) are part of the schema too: see [the index](README.md#panthers-standard-fields).`,
    "",
    "| field | type | description |",
    "| --- | --- | --- |",
    ...rows.map((r) => `| ${code(r.path)} | ${r.type} | ${cell(r.description)} |`),
    "",
    "## Sigma",
    "",
    ...sigmaSection(d),
    "",
    "## Athena",
    "",
    ...athenaSection(d),
    "## Microsoft Sentinel",
    "",
    ...sentinelSection(d),
    "",
    "## Hunting the vendor's files",
    "",
    ...huntSection(d),
    "",
    "## The schema against Panther's sample events",
    "",
    ...crossCheckSection(check),
    "",
    "## A sample event",
    "",
    "From src/logtypes/" + d.logType.toLowerCase() + "/samples.json:",
    "",
    "```json",
    JSON.stringify(sample, null, 2),
    "```",
    "",
  ];
  return lines.join("\n");
}

function index(results: readonly CrossCheck[]): string {
  const lines = [
    "# Log types",
    "",
    "<!-- Generated by scripts/logtypes-docs.ts from src/logtypes (npm run logtypes): do not edit. -->",
    "",
    "A rule's `LogTypes` names the log types of the events it reads. A log type is data: one folder under",
    "[src/logtypes](../../src/logtypes/README.md) holds its schema, its Sigma logsource and field mapping, its",
    "Athena tables and how its vendor's exports hold records. `rulec logtypes` lists them, `rulec logtypes <type>`",
    "shows one.",
    "",
    "## Typed log types",
    "",
    "Field names and types are checked (an unknown field is an error with the nearest names), the Panther",
    "target relies on the types, and each has Athena tables and a Sigma logsource.",
    "",
    "| log type | fields | Sigma logsource | Athena tables | Panther's sample events conforming |",
    "| --- | ---: | --- | --- | ---: |",
    ...LOG_TYPES.map((d) => {
      const r = results.find((x) => x.logType === d.logType);
      const l = d.sigma?.logsource;
      return `| [${d.logType}](${pageName(d.logType)}) | ${fieldRows(d.fields).length} | ${l ? code([l.product, l.service].filter(Boolean).join("/")) : "none"} | ${profilesOf(d.logType).map((p) => code(p.name)).join(", ")} | ${r ? `${r.conforming}/${r.events}` : ""} |`;
    }),
    "",
    "## Other log types of Panther's list",
    "",
    `Every other name of Panther's list is accepted with a free-form schema: every path is JSON, no field is checked, and the rule gets one warning (RC316). Their Athena table is the generic layout (each event as one JSON text); they have no Sigma logsource. The list (${freeFormNames().length} names here, ${PANTHER_LOG_TYPES.names.length} in all) is src/logtypes/panther-log-types.json, from ${PANTHER_LOG_TYPES.source} at commit ${code(PANTHER_LOG_TYPES.commit)} (${PANTHER_LOG_TYPES.licence}): ${PANTHER_LOG_TYPES.collected}`,
    "",
    freeFormNames().map(code).join(", "),
    "",
    "A name in neither list is an error (RC311) with the nearest known name.",
    "",
    "## Panther's standard fields",
    "",
    "Panther adds these to every event it parses; they are part of every typed schema. The vendor's records do not have them: a rule that reads one runs in Panther and on Panther's data lake table, and is RC401 for the vendor's Athena table and for Sigma.",
    "",
    "| field | type | description |",
    "| --- | --- | --- |",
    ...fieldRows(PANTHER_FIELDS).map((r) => `| ${code(r.path)} | ${r.type} | ${cell(r.description)} |`),
    "",
  ];
  return lines.join("\n");
}

export const ATHENA_BEGIN = "<!-- logtypes:begin (generated by scripts/logtypes-docs.ts: npm run logtypes) -->";
export const ATHENA_END = "<!-- logtypes:end -->";

/** The generated section of docs/athena.md: every log type's tables. */
export function athenaSectionText(): string {
  const lines = [
    ATHENA_BEGIN,
    "| log type | default table (profile) | S3 layout it expects | Panther's data lake | create it |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const d of LOG_TYPES) {
    const [def, ...rest] = profilesOf(d.logType);
    const panther = rest.find((p) => p.name === "panther");
    lines.push(
      `| [${d.logType}](logtypes/${pageName(d.logType)}#athena) | ${code(`${def!.database}.${def!.table}`)} (${code(def!.name)}) | ${code(def!.ddl?.location ?? "")}, partitions ${partitionsText(def!)} | ${panther ? code(`${panther.database}.${panther.table}`) : "-"} | \`rulec athena ddl ${d.logType} --location s3://...\` |`,
    );
  }
  lines.push(ATHENA_END);
  return lines.join("\n");
}

export async function docsPages(): Promise<{ path: string; content: string }[]> {
  const { results } = crossCheck();
  const pages = LOG_TYPES.map((d) => {
    const samples = JSON.parse(readFileSync(new URL(`src/logtypes/${d.logType.toLowerCase()}/samples.json`, ROOT), "utf8")) as { event: unknown }[];
    return { path: `docs/logtypes/${pageName(d.logType)}`, content: page(d, results.find((r) => r.logType === d.logType), samples[0]?.event) };
  });
  const athena = readFileSync(new URL("docs/athena.md", ROOT), "utf8");
  const begin = athena.indexOf(ATHENA_BEGIN);
  const end = athena.indexOf(ATHENA_END);
  const athenaPage = begin >= 0 && end > begin ? athena.slice(0, begin) + athenaSectionText() + athena.slice(end + ATHENA_END.length) : athena;
  return [...pages, { path: "docs/logtypes/README.md", content: index(results) }, { path: "docs/athena.md", content: athenaPage }];
}

/** The Sentinel table profile of a log type, or why its rules are RC401 for Sentinel. */
function sentinelSection(d: LogTypeData): string[] {
  const s = d.sentinel;
  if (!s) return ["No Sentinel table profile: the sentinel target refuses this log type's rules (RC401) until one is added (a `sentinel` block in its logtype.json)."];
  return [
    `Table ${code(s.table)} (${s.reference}), filled by the data connector ${code(s.connector.connectorId)} (data types ${s.connector.dataTypes.map(code).join(", ")}). The sentinel target reads these fields from these columns ([the target](../targets/sentinel.md)):`,
    "",
    "| field | column | type | held as |",
    "| --- | --- | --- | --- |",
    ...Object.entries(s.fields).map(([path, f]) => `| ${code(path)} | ${code(f.column)} | ${s.columns[f.column] ?? "?"} | ${f.holds} |`),
    "",
    `Entities: ${Object.entries(s.entities ?? {}).map(([e, ids]) => `${e} (${Object.entries(ids).map(([id, path]) => `${id} <- ${code(path)}`).join(", ")})`).join("; ") || "none"}. The table's other documented columns: ${Object.keys(s.columns).filter((c) => !Object.values(s.fields).some((f) => f.column === c)).map(code).join(", ")}.`,
  ];
}
