import type { Condition } from "../ast/nodes.js";
import { SEVERITIES } from "../rules/types.js";
import { CATALOG_CSS, CATALOG_JS } from "./assets.js";
import { highlightCondition } from "./highlight.js";
import { escapeHtml, page, safeHref } from "./html.js";
import { compareText, valueText, type Indicator } from "./indicators.js";
import { severityRank, targetLabel, type Catalog, type CatalogOutput, type CatalogRule, type MitreEntry } from "./model.js";

/**
 * The static site: index.html (every rule; search, filters and sorting with a little JS),
 * rules/<name>.html (one page per rule), indicators.html (every indicator and the rules that look
 * for it) and assets/. Relative links only, no CDN: it works from file://. Without JS every
 * section, and every tab panel, is shown.
 */

export interface SiteFile {
  readonly path: string;
  readonly content: string;
}

export interface SiteInput {
  readonly catalog: Catalog;
  /** The condition ASTs by RuleID, for highlighting (a rule without one is shown plain). */
  readonly conditions?: ReadonlyMap<string, Condition>;
  /** The site's title. */
  readonly title?: string;
}

export function renderSite(input: SiteInput): SiteFile[] {
  const { catalog } = input;
  const title = input.title ?? "Detection catalog";
  const byId = new Map(catalog.rules.map((r) => [r.ruleId, r]));
  const files: SiteFile[] = [
    { path: "assets/catalog.css", content: CATALOG_CSS },
    { path: "assets/catalog.js", content: CATALOG_JS },
    { path: "index.html", content: renderIndex(catalog, title) },
    { path: "indicators.html", content: renderIndicators(catalog, byId, title) },
  ];
  for (const rule of catalog.rules) files.push({ path: rule.page, content: renderRule(rule, byId, catalog, title, input.conditions?.get(rule.ruleId)) });
  return files.sort((a, b) => compareText(a.path, b.path));
}

const e = escapeHtml;

// ---------------------------------------------------------------------------------------------
// Index

function renderIndex(catalog: Catalog, title: string): string {
  const rules = catalog.rules;
  const logTypes = unique(rules.flatMap((r) => r.logTypes));
  const tags = unique(rules.flatMap((r) => r.tags));
  const techniques = unique(rules.flatMap((r) => r.mitre.flatMap((m) => (m.technique ? [m.technique] : []))));
  const severities = SEVERITIES.filter((s) => rules.some((r) => r.severity === s));
  const options = (values: readonly string[]) => [`<option value="">Any</option>`, ...values.map((v) => `<option value="${e(v)}">${e(v)}</option>`)].join("");
  const targets = catalog.targets.length === 0 ? "no targets registered" : catalog.targets.map(targetLabel).join(", ");

  const rows = rules.map((r) => {
    const techniquesOf = unique(r.mitre.flatMap((m) => (m.technique ? [m.technique] : [])));
    const search = [r.displayName, r.ruleId, r.description ?? "", r.file, ...r.tags, ...r.logTypes, r.severity, ...r.mitre.map((m) => m.raw), ...r.indicators.map(indicatorSearchText)]
      .join("\n")
      .toLowerCase();
    return `<tr data-search="${e(search)}" data-severity="${e(r.severity)}" data-logtypes="${e(bar(r.logTypes))}" data-tags="${e(bar(r.tags))}" data-techniques="${e(bar(techniquesOf))}">
<td data-value="${e(r.displayName.toLowerCase())}"><a href="${e(r.page)}">${e(r.displayName)}</a>${r.enabled ? "" : ' <span class="badge">disabled</span>'}<br><code class="rule-id">${e(r.ruleId)}</code></td>
<td data-value="${severityRank(r.severity)}">${severityBadge(r.severity)}</td>
<td>${r.logTypes.map((t) => `<span class="chip">${e(t)}</span>`).join(" ")}</td>
<td>${r.tags.map((t) => `<span class="chip">${e(t)}</span>`).join(" ")}</td>
<td>${techniquesOf.map((t) => `<span class="chip">${e(t)}</span>`).join(" ")}</td>
<td class="num" data-value="${r.indicators.length}">${r.indicators.length}</td>
</tr>`;
  });

  const body = `<h1>${e(title)}</h1>
<p>${rules.length} ${rules.length === 1 ? "rule" : "rules"}, ${catalog.indicators.length} distinct indicators. Compiled outputs: ${e(targets)}.</p>
<noscript><p class="note">Search, filters and sorting need JavaScript; every rule is listed below.</p></noscript>
<form id="filters" class="filters" role="search" aria-label="Filter rules" hidden>
<div class="field field-wide"><label for="f-q">Search</label><input id="f-q" name="q" type="search" autocomplete="off" placeholder="title, RuleID, tag, field or value"></div>
<div class="field"><label for="f-severity">Severity</label><select id="f-severity" name="severity">${options(severities)}</select></div>
<div class="field"><label for="f-logtype">Log type</label><select id="f-logtype" name="logtype">${[`<option value="">Any</option>`, ...logTypes.map((v) => `<option value="${e(v)}">${e(v)} (${rules.filter((r) => r.logTypes.includes(v)).length})</option>`)].join("")}</select></div>
<div class="field"><label for="f-tag">Tag</label><select id="f-tag" name="tag">${options(tags)}</select></div>
<div class="field"><label for="f-technique">MITRE technique</label><select id="f-technique" name="technique">${options(techniques)}</select></div>
<div class="field"><button type="reset">Clear</button></div>
</form>
<p id="count" class="count" role="status">${rules.length} of ${rules.length} rules shown</p>
<table id="rules" class="rules">
<caption class="visually-hidden">Rules</caption>
<thead><tr>
<th scope="col" data-sort="text" aria-sort="ascending">Rule</th>
<th scope="col" data-sort="num">Severity</th>
<th scope="col">Log types</th>
<th scope="col">Tags</th>
<th scope="col">MITRE ATT&amp;CK</th>
<th scope="col" class="num" data-sort="num">Indicators</th>
</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
<p id="no-match" class="note" hidden>No rule matches these filters.</p>`;
  return page({ title, root: "", body, current: "rules" });
}

function indicatorSearchText(i: Indicator): string {
  return `${i.field} ${valueText(i.value)}`;
}

/** `|a|b|`: a list in one attribute, matched by `|value|` in the script. */
function bar(values: readonly string[]): string {
  return values.length === 0 ? "" : `|${values.join("|")}|`;
}

// ---------------------------------------------------------------------------------------------
// A rule's page

function renderRule(rule: CatalogRule, byId: ReadonlyMap<string, CatalogRule>, catalog: Catalog, title: string, condition: Condition | undefined): string {
  const root = "../";
  const href = safeHref(rule.reference);
  const index = (param: string, value: string) => `${root}index.html?${param}=${encodeURIComponent(value)}`;
  const chips = (param: string, values: readonly string[]) =>
    values.length === 0 ? '<span class="none">none</span>' : values.map((v) => `<a class="chip" href="${e(index(param, v))}">${e(v)}</a>`).join(" ");
  const meta: [string, string][] = [
    ["RuleID", `<code>${e(rule.ruleId)}</code>`],
    ["Severity", severityBadge(rule.severity)],
    ["Enabled", rule.enabled ? "yes" : "no"],
    ["Log types", chips("logtype", rule.logTypes)],
    ["Tags", chips("tag", rule.tags)],
  ];
  if (rule.mitre.length > 0) meta.push(["MITRE ATT&amp;CK", rule.mitre.map((m) => mitreHtml(m, root)).join("<br>")]);
  for (const [key, values] of Object.entries(rule.reports)) meta.push([e(key), values.map((v) => `<span class="chip">${e(v)}</span>`).join(" ")]);
  meta.push(["Reference", rule.reference === undefined ? '<span class="none">none</span>' : href ? `<a href="${e(href)}" rel="noreferrer">${e(rule.reference)}</a>` : e(rule.reference)]);
  meta.push(["Source file", `<code>${e(rule.file)}</code>`]);
  if (rule.runbook !== undefined) meta.push(["Runbook", e(rule.runbook)]);
  if (rule.alertTitle !== undefined) meta.push(["Alert title", `<code>${e(rule.alertTitle)}</code>`]);
  if (rule.dedupFields.length > 0) meta.push(["Dedup fields", rule.dedupFields.map((f) => `<code>${e(f)}</code>`).join(", ")]);
  if (rule.dedupPeriodMinutes !== undefined) meta.push(["Dedup period", `${rule.dedupPeriodMinutes} minutes`]);
  if (rule.threshold !== undefined) meta.push(["Threshold", String(rule.threshold)]);
  if (rule.createAlert !== undefined) meta.push(["Create alert", rule.createAlert ? "yes" : "no"]);
  meta.push(["Tests", String(rule.tests)]);

  const conditionHtml = condition ? highlightCondition(rule.condition, condition) : e(rule.condition);
  const body = `<nav class="crumbs" aria-label="Breadcrumb"><a href="${root}index.html">All rules</a></nav>
<h1>${e(rule.displayName)}${rule.enabled ? "" : ' <span class="badge">disabled</span>'}</h1>
<dl class="meta">
${meta.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("\n")}
</dl>
<section aria-labelledby="h-description">
<h2 id="h-description">Description</h2>
${rule.description === undefined ? '<p class="none">No description.</p>' : paragraphs(rule.description)}
</section>
<section aria-labelledby="h-source">
<h2 id="h-source">Rule body</h2>
<p class="note">The rule file <code>${e(rule.file)}</code>.</p>
<pre class="code" data-copy="rule file" tabindex="0"><code>${e(rule.source)}</code></pre>
</section>
<section aria-labelledby="h-condition">
<h2 id="h-condition">Condition</h2>
<pre class="code condition" data-copy="condition" tabindex="0"><code>${conditionHtml}</code></pre>
</section>
<section aria-labelledby="h-indicators">
<h2 id="h-indicators">Indicators</h2>
${indicatorsTable(rule, byId, root)}
</section>
<section aria-labelledby="h-fields">
<h2 id="h-fields">Output fields</h2>
${rule.outputFields.length === 0 ? '<p class="none">No output fields.</p>' : `<ul class="fields">${rule.outputFields.map((f) => `<li><code>${e(f)}</code></li>`).join("")}</ul>`}
</section>
<section aria-labelledby="h-outputs">
<h2 id="h-outputs">Compiled outputs</h2>
${outputsHtml(rule, catalog)}
</section>`;
  return page({ title: `${rule.displayName} · ${title}`, root, body });
}

function indicatorsTable(rule: CatalogRule, byId: ReadonlyMap<string, CatalogRule>, root: string): string {
  if (rule.indicators.length === 0) return '<p class="none">No indicators.</p>';
  const rows = rule.indicators.map((i) => {
    const others = i.otherRules.map((id) => byId.get(id)).filter((r): r is CatalogRule => r !== undefined);
    const value = valueHtml(i);
    const valueCell = others.length > 0 ? `<a href="${root}indicators.html#${i.anchor}" title="every rule that looks for this">${value}</a>` : value;
    const corpus =
      others.length === 0
        ? ""
        : `<details><summary><span class="visually-hidden">Other rules: </span>${others.length}</summary><ul class="others">${others
            .map((o) => `<li><a href="${root}${e(o.page)}">${e(o.displayName)}</a></li>`)
            .join("")}</ul></details>`;
    return `<tr id="${i.anchor}"><td><code>${e(i.field)}</code>${i.within !== undefined ? `<br><small>same element of <code>${e(i.within)}</code></small>` : ""}</td>
<td>${opHtml(i)}</td>
<td>${valueCell}</td>
<td class="num">${corpus}</td></tr>`;
  });
  return `<table class="indicators">
<caption>What the rule looks for, one row per field, operator and value. <em>Other rules</em>: how many other rules of the library look for the same; blank when none (the indicator is specific to this rule).</caption>
<thead><tr><th scope="col">Field</th><th scope="col">Operator</th><th scope="col">Value</th><th scope="col">Other rules</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}

function opHtml(i: Indicator): string {
  return `${i.negated ? '<span class="neg">not</span> ' : ""}<code>${e(i.op)}</code>`;
}

function valueHtml(i: Indicator): string {
  switch (i.value.kind) {
    case "none":
      return '<span class="none">(no value)</span>';
    case "field":
      return `field <code>${e(i.value.field)}</code>`;
    default:
      return `<code>${e(valueText(i.value))}</code>`;
  }
}

function outputsHtml(rule: CatalogRule, catalog: Catalog): string {
  if (catalog.targets.length === 0) return '<p class="none">No targets are registered in this build of rulec.</p>';
  const panels = rule.outputs.map((o) => {
    const id = `out-${slug(o.target)}`;
    return `<section class="tab-panel" id="${id}" aria-labelledby="${id}-h">
<h3 id="${id}-h">${e(targetLabel(o.target))}</h3>
${panelBody(o)}
</section>`;
  });
  return `<div class="tabs" data-tabs="Compiled outputs">
${panels.join("\n")}
</div>`;
}

function panelBody(o: CatalogOutput): string {
  if (!o.expressible) return `<p class="not-expressible"><strong>Not expressible in ${e(targetLabel(o.target))}:</strong> ${e(o.reason)}</p>`;
  const warnings = o.warnings.map((w) => `<p class="note">Warning: ${e(w)}</p>`).join("\n");
  const files = o.files.map(
    (f) => `<figure class="file">
<figcaption><code>${e(f.path)}</code> <span class="lang">${e(language(f.path))}</span></figcaption>
<pre class="code" data-copy="${e(f.path)}" tabindex="0"><code>${e(f.content)}</code></pre>
</figure>`,
  );
  return [warnings, ...files].filter((s) => s !== "").join("\n");
}

function language(path: string): string {
  if (/\.py$/i.test(path)) return "Python";
  if (/\.sql$/i.test(path)) return "SQL";
  if (/\.ya?ml$/i.test(path)) return "YAML";
  if (/\.json$/i.test(path)) return "JSON";
  return "text";
}

function mitreHtml(m: MitreEntry, root: string): string {
  const parts: string[] = [];
  if (m.tactic !== undefined) parts.push(`<abbr title="${e(m.tacticName ?? "tactic")}">${e(m.tactic)}</abbr>${m.tacticName ? ` ${e(m.tacticName)}` : ""}`);
  if (m.technique !== undefined) {
    const path = m.technique.replace(".", "/");
    parts.push(
      `<a class="chip" href="${e(`${root}index.html?technique=${encodeURIComponent(m.technique)}`)}">${e(m.technique)}</a> <a href="https://attack.mitre.org/techniques/${e(path)}/" rel="noreferrer">(ATT&amp;CK)</a>`,
    );
  }
  return parts.length === 0 ? e(m.raw) : parts.join(": ");
}

function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => `<p>${e(p)}</p>`)
    .join("\n");
}

function severityBadge(s: string): string {
  return `<span class="sev sev-${e(s.toLowerCase())}">${e(s)}</span>`;
}

// ---------------------------------------------------------------------------------------------
// Indicators page

function renderIndicators(catalog: Catalog, byId: ReadonlyMap<string, CatalogRule>, title: string): string {
  const rows = catalog.indicators.map((i) => {
    const rules = i.rules.map((id) => byId.get(id)).filter((r): r is CatalogRule => r !== undefined);
    return `<tr id="${i.anchor}"><td><code>${e(i.field)}</code></td><td>${opHtml(i)}</td><td>${valueHtml(i)}</td><td class="num">${rules.length}</td>
<td><ul class="others">${rules.map((r) => `<li><a href="${e(r.page)}#${i.anchor}">${e(r.displayName)}</a></li>`).join("")}</ul></td></tr>`;
  });
  const body = `<h1>Indicators</h1>
<p>Every (field, operator, value) that a rule of the library looks for, the most widely used first. Negated indicators (under <code>not</code>, or written <code>ne</code>/<code>ine</code>) are listed apart from positive ones; field names compare case-insensitively, values exactly.</p>
<table class="indicators corpus">
<caption class="visually-hidden">Indicators and the rules that look for them</caption>
<thead><tr><th scope="col">Field</th><th scope="col">Operator</th><th scope="col">Value</th><th scope="col">Rules</th><th scope="col">Which rules</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
  return page({ title: `Indicators · ${title}`, root: "", body, current: "indicators" });
}

// ---------------------------------------------------------------------------------------------

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort((a, b) => compareText(a.toLowerCase(), b.toLowerCase()) || compareText(a, b));
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, "_");
}

