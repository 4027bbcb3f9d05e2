// rulec catalog: search, filters and sorting on the index; tabs and copy buttons on rule pages.
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
      var words = fields.q.value.toLowerCase().split(/\s+/).filter(Boolean);
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
