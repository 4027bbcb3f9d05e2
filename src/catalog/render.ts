import type { Condition } from "../ast/nodes.js";
import { renderJson } from "./json.js";
import { buildCatalog, type Catalog, type CatalogInput } from "./model.js";
import { renderSite, type SiteFile } from "./site.js";

export type CatalogFormat = "html" | "json";

/** JSON's one file. */
export const CATALOG_JSON = "catalog.json";

/** Rules in, the files of the site (or the one JSON file) out, sorted by path. */
export function renderCatalog(input: CatalogInput, format: CatalogFormat, title?: string): { catalog: Catalog; files: SiteFile[] } {
  const catalog = buildCatalog(input);
  if (format === "json") return { catalog, files: [{ path: CATALOG_JSON, content: renderJson(catalog) }] };
  const conditions = new Map<string, Condition>(input.rules.map((r) => [r.ruleId, r.condition]));
  return { catalog, files: renderSite({ catalog, conditions, ...(title === undefined ? {} : { title }) }) };
}
