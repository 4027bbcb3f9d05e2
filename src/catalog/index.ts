/** The rule catalog: rules + compiled outputs in, a static site or JSON out. Pure: no fs. */
export { buildCatalog, parseMitre, TACTICS, CATALOG_FORMAT_VERSION } from "./model.js";
export type { Catalog, CatalogRule, CatalogIndicator, CatalogIndicatorEntry, CatalogOutput, CatalogInput, MitreEntry } from "./model.js";
export { extractIndicators, buildCorpus, otherRules, indicatorText, valueText } from "./indicators.js";
export type { Indicator, IndicatorOp, IndicatorValue, CorpusEntry } from "./indicators.js";
export { renderSite } from "./site.js";
export type { SiteFile, SiteInput } from "./site.js";
export { renderJson } from "./json.js";
export { highlightCondition } from "./highlight.js";
export { escapeHtml, safeHref } from "./html.js";
export { renderCatalog, CATALOG_JSON } from "./render.js";
export type { CatalogFormat } from "./render.js";
