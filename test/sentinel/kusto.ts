import { createRequire } from "node:module";
import type { SentinelData } from "../../src/logtypes/registry.js";

/**
 * Microsoft's Kusto language service (@kusto/language-service-next, the Bridge.NET build of
 * Kusto.Language): parses a query and runs its semantic analysis against a table schema. A test
 * dependency only: the target does not load it (it takes a second to load).
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

let kusto: Any;

function load(): Any {
  if (kusto) return kusto;
  const require = createRequire(import.meta.url);
  require("@kusto/language-service-next/bridge.js");
  require("@kusto/language-service-next/Kusto.Language.Bridge.js");
  kusto = (globalThis as Any).Kusto;
  return kusto;
}

/** A syntax node of the language service's tree (the properties the KQL evaluator reads). */
export interface KNode {
  readonly ChildCount: number;
  GetChild(i: number): KNode | null;
  readonly IsToken: boolean;
  readonly Text: string;
  readonly LiteralValue: unknown;
  readonly constructor: { readonly $$name: string };
}

export interface Analysed {
  readonly syntax: KNode;
  /** Error diagnostics (parse and semantic), as `message at offset`. */
  readonly errors: string[];
}

const globalsCache = new Map<string, Any>();

function scalarType(K: Any, t: string): Any {
  const S = K.Language.Symbols.ScalarTypes;
  const map: Record<string, Any> = {
    string: S.String,
    bool: S.Bool,
    long: S.Long,
    int: S.Int,
    real: S.Real,
    datetime: S.DateTime,
    dynamic: S.Dynamic,
    guid: S.Guid,
    timespan: S.TimeSpan,
    decimal: S.Decimal,
  };
  const s = map[t];
  if (!s) throw new Error(`no Kusto type ${t}`);
  return s;
}

/** The language service's global state with one database holding the table and its documented columns. */
function globalsFor(table: string, columns: Readonly<Record<string, string>>): Any {
  const key = JSON.stringify([table, columns]);
  let g = globalsCache.get(key);
  if (g) return g;
  const K = load();
  const S = K.Language.Symbols;
  const cols = Object.entries(columns).map(([name, type]) => new S.ColumnSymbol(name, scalarType(K, type), null, null, null, null));
  const t = new S.TableSymbol.$ctor4(table, cols);
  const db = new S.DatabaseSymbol.ctor("db", [t]);
  g = K.Language.GlobalState.Default.WithCluster(new S.ClusterSymbol.ctor("cluster", [db])).WithDatabase(db);
  globalsCache.set(key, g);
  return g;
}

/** Parses and analyses a query against a Sentinel table profile. */
export function analyse(query: string, data: Pick<SentinelData, "table" | "columns">): Analysed {
  const K = load();
  const code = K.Language.KustoCode.ParseAndAnalyze(query, globalsFor(data.table, data.columns));
  const d = code.GetDiagnostics();
  const errors: string[] = [];
  for (let i = 0; i < d.Count; i++) {
    const x = d.getItem(i);
    if (String(x.Severity) === "Error") errors.push(`${x.Message} at ${x.Start}`);
  }
  return { syntax: code.Syntax as KNode, errors };
}

/** The class name of a node without its namespace: `BinaryExpression`, `SyntaxToken+KindToken`. */
export function nodeKind(n: KNode): string {
  return n.constructor.$$name.replace(/^Kusto\.Language\.Syntax\./, "").replace(/\$1\$.*$/, "");
}
