import { TrinoSQL } from "dt-sql-parser";

/**
 * Strict validation of generated Athena SQL with a real Trino grammar (dt-sql-parser's TrinoSQL,
 * an ANTLR grammar derived from Trino's SqlBase.g4): no syntax error, and exactly one statement.
 */
const trino = new TrinoSQL();

export function trinoErrors(sql: string): string[] {
  const errors = trino.validate(sql).map((e) => `${e.startLine}:${e.startColumn}: ${e.message}`);
  const statements = trino.splitSQLByStatement(sql) ?? [];
  if (statements.length !== 1) errors.push(`expected one statement, found ${statements.length}`);
  return errors;
}
