/**
 * The site's stylesheet and script, written out as assets/catalog.css and assets/catalog.js.
 * The script only enhances: without it every rule, section and tab panel is shown. Colours keep a
 * contrast of at least 4.5:1 against their background (WCAG AA for body text).
 */

export const CATALOG_CSS = `:root {
  --fg: #1f2328;
  --muted: #4d5560;
  --bg: #ffffff;
  --panel: #f6f8fa;
  --border: #d0d7de;
  --link: #0550ae;
  --focus: #0969da;
}
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); line-height: 1.5; }
body { margin: 0; }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible, pre:focus-visible, [role="tab"]:focus-visible, [role="tabpanel"]:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
.skip { position: absolute; left: -10000px; top: 0; background: var(--bg); padding: 0.5rem; }
.skip:focus { left: 0.5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
header.site { background: #24292f; padding: 0.6rem 1.5rem; }
header.site a { color: #ffffff; margin-right: 1.2rem; font-weight: 600; text-decoration: none; }
header.site a[aria-current="page"] { text-decoration: underline; }
main { max-width: 78rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
footer.site { color: var(--muted); font-size: 0.85rem; text-align: center; padding: 1rem; border-top: 1px solid var(--border); }
h1 { font-size: 1.7rem; margin: 0.6rem 0 1rem; }
h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid var(--border); padding-bottom: 0.3rem; }
h3 { font-size: 1.1rem; }
.note, .none { color: var(--muted); }
.crumbs { font-size: 0.9rem; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.35rem 1.2rem; margin: 0; }
.meta dt { font-weight: 600; }
.meta dd { margin: 0; }
.chip { display: inline-block; background: var(--panel); border: 1px solid var(--border); border-radius: 1rem; padding: 0 0.55rem; font-size: 0.85rem; margin: 0.1rem 0; color: var(--fg); text-decoration: none; }
a.chip { color: var(--link); }
.badge { display: inline-block; background: #eaeef2; color: #24292f; border-radius: 0.3rem; padding: 0 0.4rem; font-size: 0.8rem; font-weight: 600; vertical-align: middle; }
.sev { display: inline-block; border-radius: 0.3rem; padding: 0 0.5rem; font-size: 0.85rem; font-weight: 600; border: 1px solid currentColor; }
.sev-info { background: #ddf4ff; color: #0a3069; }
.sev-low { background: #dafbe1; color: #116329; }
.sev-medium { background: #fff8c5; color: #6f4400; }
.sev-high { background: #fff1e5; color: #8a2e00; }
.sev-critical { background: #ffebe9; color: #82071e; }
.rule-id { color: var(--muted); font-size: 0.8rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
caption { text-align: left; color: var(--muted); font-size: 0.9rem; padding-bottom: 0.4rem; }
th, td { text-align: left; vertical-align: top; padding: 0.4rem 0.6rem; border-bottom: 1px solid var(--border); }
thead th { background: var(--panel); }
td.num, th.num { text-align: right; }
tr:target { background: #fff8c5; }
.neg { display: inline-block; font-weight: 700; color: #82071e; font-size: 0.85rem; text-transform: uppercase; }
button { font: inherit; cursor: pointer; }
button.sort { background: none; border: 0; padding: 0; font-weight: 700; color: var(--link); text-decoration: underline; }
th[aria-sort="ascending"] button.sort::after { content: " \\25B2"; }
th[aria-sort="descending"] button.sort::after { content: " \\25BC"; }
.filters { display: flex; flex-wrap: wrap; gap: 0.6rem 1rem; align-items: flex-end; background: var(--panel); border: 1px solid var(--border); border-radius: 0.4rem; padding: 0.8rem; }
.filters[hidden] { display: none; }
.field { display: flex; flex-direction: column; }
.field-wide { flex: 1 1 18rem; }
.field label { font-weight: 600; font-size: 0.9rem; }
.field input, .field select, .field button { padding: 0.3rem 0.45rem; border: 1px solid #8c959f; border-radius: 0.3rem; background: var(--bg); color: var(--fg); }
.count { color: var(--muted); }
pre.code { background: var(--panel); border: 1px solid var(--border); border-radius: 0.4rem; padding: 0.8rem; overflow: auto; max-height: 30rem; white-space: pre; margin: 0.3rem 0 1rem; }
@media print { pre.code { max-height: none; } }
.condition { white-space: pre-wrap; }
.tok-keyword { color: #8250df; font-weight: 700; }
.tok-op { color: #953800; font-weight: 700; }
.tok-field { color: #116329; }
.tok-string { color: #0a3069; }
.tok-number, .tok-boolean { color: #0550ae; }
.tok-comment { color: #57606a; font-style: italic; }
ul.fields { columns: 2 16rem; padding-left: 1.2rem; }
ul.others { margin: 0.2rem 0; padding-left: 1.1rem; text-align: left; }
details summary { cursor: pointer; color: var(--link); font-weight: 600; }
figure.file { margin: 0 0 1rem; }
figcaption { font-size: 0.9rem; }
.lang { color: var(--muted); }
.not-expressible { background: #ffebe9; border: 1px solid #cf222e; color: #82071e; border-radius: 0.4rem; padding: 0.7rem; }
.tab-panel { border-top: 1px solid var(--border); }
.js-tabs .tab-panel { border: 1px solid var(--border); border-radius: 0 0.4rem 0.4rem 0.4rem; padding: 0 0.8rem; }
.js-tabs .tab-panel > h3 { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
[role="tablist"] { display: flex; gap: 0.2rem; }
[role="tab"] { background: var(--panel); border: 1px solid var(--border); border-bottom: 0; border-radius: 0.4rem 0.4rem 0 0; padding: 0.35rem 0.9rem; color: var(--fg); }
[role="tab"][aria-selected="true"] { background: var(--bg); font-weight: 700; box-shadow: inset 0 3px 0 var(--focus); }
.copy-bar { display: flex; gap: 0.6rem; align-items: center; margin-top: 0.6rem; }
.copy-bar button { padding: 0.15rem 0.7rem; border: 1px solid #8c959f; border-radius: 0.3rem; background: var(--bg); color: var(--fg); }
.copy-status { color: var(--muted); font-size: 0.85rem; }
@media print { header.site, .filters, .copy-bar, [role="tablist"] { display: none; } .tab-panel[hidden] { display: block; } }
`;

export const CATALOG_JS = `// rulec catalog: search, filters and sorting on the index; tabs and copy buttons on rule pages.
// Everything works without this script: it only hides and reorders what the page already shows.
(function () {
  "use strict";
  function all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // ----- index: search, filters, sorting
  var form = document.getElementById("filters");
  var table = document.getElementById("rules");
  if (form && table) {
    var rows = all("tbody tr", table);
    var count = document.getElementById("count");
    var noMatch = document.getElementById("no-match");
    var fields = { q: form.elements.namedItem("q"), severity: form.elements.namedItem("severity"), logtype: form.elements.namedItem("logtype"), tag: form.elements.namedItem("tag"), technique: form.elements.namedItem("technique") };
    var params = new URLSearchParams(window.location.search);
    Object.keys(fields).forEach(function (name) {
      var v = params.get(name);
      var el = fields[name];
      if (v === null || !el) return;
      if (el.tagName === "SELECT") {
        if (all("option", el).some(function (o) { return o.value === v; })) el.value = v;
      } else {
        el.value = v;
      }
    });
    var has = function (list, v) { return !v || (list || "").indexOf("|" + v + "|") >= 0; };
    var apply = function () {
      var words = fields.q.value.toLowerCase().split(/\\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (tr) {
        var d = tr.dataset;
        var ok = words.every(function (w) { return d.search.indexOf(w) >= 0; }) &&
          (!fields.severity.value || d.severity === fields.severity.value) &&
          has(d.logtypes, fields.logtype.value) && has(d.tags, fields.tag.value) && has(d.techniques, fields.technique.value);
        tr.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown + " of " + rows.length + " rules shown";
      noMatch.hidden = shown !== 0;
    };
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    form.hidden = false;
    apply();

    var sortable = all("thead th[data-sort]", table);
    sortable.forEach(function (th) {
      var col = th.cellIndex;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        sortable.forEach(function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = th.dataset.sort === "num";
        var sorted = rows.slice().sort(function (a, b) {
          var x = a.cells[col].dataset.value, y = b.cells[col].dataset.value;
          var c = numeric ? Number(x) - Number(y) : (x < y ? -1 : x > y ? 1 : 0);
          if (!ascending) c = -c;
          return c !== 0 ? c : rows.indexOf(a) - rows.indexOf(b);
        });
        var body = table.tBodies[0];
        sorted.forEach(function (tr) { body.appendChild(tr); });
      });
    });
  }

  // ----- rule pages: tabs (WAI-ARIA tabs pattern); without JS every panel shows under its heading
  all("[data-tabs]").forEach(function (box) {
    var panels = all(".tab-panel", box).filter(function (p) { return p.parentNode === box; });
    if (panels.length === 0) return;
    var list = document.createElement("div");
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", box.getAttribute("data-tabs"));
    var tabs = panels.map(function (panel) {
      var heading = panel.querySelector("h3");
      var tab = document.createElement("button");
      tab.type = "button";
      tab.id = panel.id + "-tab";
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panel.id);
      tab.textContent = heading ? heading.textContent : panel.id;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.tabIndex = 0;
      list.appendChild(tab);
      return tab;
    });
    var select = function (i, focus) {
      tabs.forEach(function (t, j) {
        var on = i === j;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        panels[j].hidden = !on;
      });
      if (focus) tabs[i].focus();
    };
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { select(i, false); });
      tab.addEventListener("keydown", function (ev) {
        var n = tabs.length;
        var j = ev.key === "ArrowRight" ? (i + 1) % n : ev.key === "ArrowLeft" ? (i + n - 1) % n : ev.key === "Home" ? 0 : ev.key === "End" ? n - 1 : -1;
        if (j >= 0) { ev.preventDefault(); select(j, true); }
      });
    });
    box.insertBefore(list, box.firstChild);
    box.classList.add("js-tabs");
    var wanted = panels.map(function (p) { return "#" + p.id; }).indexOf(window.location.hash);
    select(wanted >= 0 ? wanted : 0, false);
  });

  // ----- copy buttons
  var fallbackCopy = function (text) {
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  };
  var copyText = function (text) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  };
  all("pre[data-copy]").forEach(function (pre) {
    var bar = document.createElement("div");
    bar.className = "copy-bar";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy " + pre.getAttribute("data-copy"));
    var status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    bar.appendChild(button);
    bar.appendChild(status);
    pre.parentNode.insertBefore(bar, pre);
    button.addEventListener("click", function () {
      copyText(pre.textContent).then(function () { status.textContent = "Copied"; }, function () { status.textContent = "Copy failed: select the text and copy it"; });
    });
  });
})();
`;
