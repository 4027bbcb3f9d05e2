import type { Catalog } from "./model.js";

/**
 * `rulec catalog --format json`: the catalog's data as one JSON document (the same data the site
 * shows; its shape is the `Catalog` type, documented in docs/catalog.md). Deterministic: keys in
 * a fixed order, rules and indicators sorted.
 */
export function renderJson(catalog: Catalog): string {
  return JSON.stringify(catalog, null, 2) + "\n";
}
