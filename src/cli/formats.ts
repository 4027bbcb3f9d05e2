import { CODES, type Diagnostic } from "../diagnostics.js";

/** Machine-readable forms of diagnostics: SARIF 2.1.0 for code scanning, GitHub workflow commands. */

export function toSarif(diagnostics: readonly Diagnostic[], version: string): object {
  const used = [...new Set(diagnostics.map((d) => d.code))].sort();
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "rulec",
            version,
            informationUri: "https://github.com/rulec/rulec",
            rules: used.map((code) => ({
              id: code,
              name: CODES[code].title.replace(/(?:^|\s+)(\w)/g, (_, c: string) => c.toUpperCase()).replace(/\W/g, ""),
              shortDescription: { text: CODES[code].title },
              defaultConfiguration: { level: CODES[code].severity },
            })),
          },
        },
        results: diagnostics.map((d) => ({
          ruleId: d.code,
          ruleIndex: used.indexOf(d.code),
          level: d.severity,
          message: { text: d.message },
          ...(d.file === undefined
            ? {}
            : {
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: d.file.split("\\").join("/") },
                      ...(d.span
                        ? {
                            region: {
                              startLine: d.span.start.line,
                              startColumn: d.span.start.col,
                              endLine: d.span.end.line,
                              endColumn: Math.max(d.span.end.col, d.span.start.line === d.span.end.line ? d.span.start.col + 1 : 1),
                            },
                          }
                        : {}),
                    },
                  },
                ],
              }),
        })),
      },
    ],
  };
}

function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** `::error file=...,line=...,col=...::message` lines, one per diagnostic. */
export function toGithub(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const props = [
        ...(d.file === undefined ? [] : [`file=${escapeProperty(d.file)}`]),
        ...(d.span
          ? [`line=${d.span.start.line}`, `col=${d.span.start.col}`, `endLine=${d.span.end.line}`, `endColumn=${d.span.end.col}`]
          : []),
        `title=${escapeProperty(`${d.code} ${CODES[d.code].title}`)}`,
      ];
      return `::${d.severity} ${props.join(",")}::${escapeData(d.message)}\n`;
    })
    .join("");
}
