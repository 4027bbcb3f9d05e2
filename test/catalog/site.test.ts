import { posix } from "node:path";
import { describe, expect, it } from "vitest";
import { buildCatalog, renderCatalog, type Catalog } from "../../src/catalog/index.js";
import { extractIndicators } from "../../src/catalog/indicators.js";
import { highlightCondition } from "../../src/catalog/highlight.js";
import type { SiteFile } from "../../src/catalog/site.js";
import { TARGETS } from "../../src/targets/index.js";
import type { Target } from "../../src/targets/types.js";
import { parseCondition } from "../../src/syntax/ast.js";
import { FAKE_TARGETS, hostileRule, SEED, shippedLibrary } from "./fixtures.js";

const library = shippedLibrary();
const hostile = hostileRule();
const seedRule = library.rules.find((r) => r.ruleId === SEED)!;

function site(targets: readonly Target[] = FAKE_TARGETS, rules = library.rules, sources = library.sources) {
  return renderCatalog({ rules, sources, targets }, "html");
}

function file(files: readonly SiteFile[], path: string): string {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} in ${files.map((x) => x.path).join(", ")}`);
  return f.content;
}

/** Every relative link and anchor of the site points at a file and an id that exist. */
function brokenLinks(files: readonly SiteFile[]): string[] {
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  const broken: string[] = [];
  for (const f of files.filter((x) => x.path.endsWith(".html"))) {
    for (const m of f.content.matchAll(/(?:href|src)="([^"]*)"/g)) {
      const url = m[1]!.replace(/&amp;/g, "&");
      if (/^https?:/.test(url)) continue;
      const [beforeHash, anchor] = url.split("#") as [string, string | undefined];
      const target = beforeHash === "" ? f.path : posix.normalize(posix.join(posix.dirname(f.path), beforeHash.split("?")[0]!));
      const content = byPath.get(target);
      if (content === undefined) broken.push(`${f.path}: ${url} (no file)`);
      else if (anchor !== undefined && anchor !== "" && !content.includes(`id="${anchor}"`)) broken.push(`${f.path}: ${url} (no anchor)`);
    }
  }
  return broken;
}

describe("the site of the shipped library", () => {
  const { catalog, files } = site();

  it("has an index, an indicators page, assets and one page per rule", () => {
    const pages = files.map((f) => f.path);
    expect(pages).toContain("index.html");
    expect(pages).toContain("indicators.html");
    expect(pages).toContain("assets/catalog.css");
    expect(pages).toContain("assets/catalog.js");
    expect(catalog.rules).toHaveLength(library.rules.length);
    for (const r of catalog.rules) expect(pages).toContain(r.page);
    expect(new Set(catalog.rules.map((r) => r.page)).size).toBe(catalog.rules.length);
    const index = file(files, "index.html");
    for (const r of catalog.rules) expect(index).toContain(`href="${r.page}"`);
  });

  it("is deterministic: the same input gives the same bytes, files sorted by path", () => {
    const again = site(FAKE_TARGETS, [...library.rules].reverse());
    expect(again.files).toEqual(files);
    expect(files.map((f) => f.path)).toEqual([...files.map((f) => f.path)].sort());
  });

  it("has no broken relative link or anchor, and nothing from a CDN", () => {
    expect(brokenLinks(files)).toEqual([]);
    for (const f of files.filter((x) => x.path.endsWith(".html"))) {
      for (const m of f.content.matchAll(/(?:src|href)="(https?:[^"]*)"/g)) {
        // external links are references the reader follows, never resources the page loads
        expect(f.content).not.toMatch(new RegExp(`(?:src|rel="stylesheet" href)="${m[1]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`));
      }
      expect(f.content).not.toMatch(/<(?:script|link)[^>]+(?:src|href)="https?:/);
    }
  });

  it("shows every section a rule page promises, in order", () => {
    const seed = catalog.rules.find((r) => r.ruleId === SEED)!;
    const html = file(files, seed.page);
    const order = ["<h1>AWS CloudTrail SES Check SES Sending Enabled", ">Severity<", ">Log types<", ">Tags<", ">Reference<", ">Source file<", ">Description</h2>", ">Rule body</h2>", ">Condition</h2>", ">Indicators</h2>", ">Output fields</h2>", ">Compiled outputs</h2>"];
    const positions = order.map((s) => html.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(html).toContain('<a href="https://stratus-red-team.cloud/attack-techniques/AWS/aws.discovery.ses-enumerate/" rel="noreferrer">');
    expect(html).toContain("<code>rules/aws_cloudtrail_ses_check_ses_sending_enabled.yml</code>");
    expect(html).toContain('<span class="tok-field">eventName</span> <span class="tok-op">eq</span> <span class="tok-string">&quot;GetAccountSendingEnabled&quot;</span>');
    for (const f of ["eventName", "eventSource", "awsRegion", "recipientAccountId", "sourceIPAddress", "userAgent", "userIdentity"]) expect(html).toContain(`<li><code>${f}</code></li>`);
    // the rule body is the file's text
    expect(html).toContain("Tests:\n  - Name: CheckSendingEnabled Event");
  });

  it("counts each indicator's other rules exactly as a comparison of every pair of rules would", () => {
    const all = library.rules.map((r) => ({ id: r.ruleId, inds: extractIndicators(r.condition) }));
    for (const rule of catalog.rules) {
      for (const ind of rule.indicators) {
        const brute = all.filter((o) => o.id !== rule.ruleId && o.inds.some((i) => i.key === ind.key)).map((o) => o.id);
        expect([...ind.otherRules].sort()).toEqual(brute.sort());
      }
    }
    // the library does share indicators (eventSource values, errorCode checks)
    expect(catalog.rules.some((r) => r.indicators.some((i) => i.otherRules.length >= 3))).toBe(true);
    // indicators.html lists the most widely used first
    const counts = catalog.indicators.map((i) => i.rules.length);
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
  });

  it("links each shared value to the other rules from the rule page, readable without JS (<details>)", () => {
    const rule = catalog.rules.find((r) => r.indicators.some((i) => i.otherRules.length > 0))!;
    const ind = rule.indicators.find((i) => i.otherRules.length > 0)!;
    const html = file(files, rule.page);
    const row = html.slice(html.indexOf(`<tr id="${ind.anchor}">`), html.indexOf("</tr>", html.indexOf(`<tr id="${ind.anchor}">`)));
    expect(row).toContain(`href="../indicators.html#${ind.anchor}"`);
    expect(row).toContain(`<summary><span class="visually-hidden">Other rules: </span>${ind.otherRules.length}</summary>`);
    for (const id of ind.otherRules) expect(row).toContain(`href="../${catalog.rules.find((r) => r.ruleId === id)!.page}"`);
    // a rule-specific indicator has a blank corpus cell
    const seed = catalog.rules.find((r) => r.ruleId === SEED)!;
    expect(seed.indicators[0]!.otherRules).toEqual([]);
    expect(file(files, seed.page)).toMatch(/<td class="num"><\/td><\/tr>/);
  });

  it("shows every tab panel without JS: no panel is hidden in the HTML; the filters wait for the script", () => {
    const seed = catalog.rules.find((r) => r.ruleId === SEED)!;
    const html = file(files, seed.page);
    for (const t of FAKE_TARGETS.map((x) => x.name)) expect(html).toContain(`<section class="tab-panel" id="out-${t}" aria-labelledby="out-${t}-h">`);
    expect(html).not.toMatch(/tab-panel[^>]*hidden/);
    expect(file(files, "index.html")).toContain('<form id="filters" class="filters" role="search" aria-label="Filter rules" hidden>');
    expect(file(files, "index.html")).toContain("<noscript>");
  });

  it("labels every form control and gives every page one h1", () => {
    const index = file(files, "index.html");
    for (const m of index.matchAll(/<(?:input|select) id="([^"]+)"/g)) expect(index).toContain(`<label for="${m[1]}">`);
    for (const f of files.filter((x) => x.path.endsWith(".html"))) {
      expect(f.content.match(/<h1[ >]/g)).toHaveLength(1);
      expect(f.content).toContain('<html lang="en">');
    }
  });
});

describe("targets", () => {
  it("one tab per registered target, and a clear panel where a target cannot express the rule", () => {
    const { catalog, files } = site();
    const seed = catalog.rules.find((r) => r.ruleId === SEED)!;
    expect(seed.outputs.map((o) => o.target)).toEqual(FAKE_TARGETS.map((x) => x.name));
    const html = file(files, seed.page);
    expect(html).toContain(
      '<p class="not-expressible"><strong>Not expressible in Sigma:</strong> Sigma has no &lt;field-to-field&gt; comparison &amp; no &#39;ieq&#39; on fields</p>',
    );
    expect(html).toContain("<figcaption><code>panther/aws_cloudtrail_ses_check_ses_sending_enabled.py</code> <span class=\"lang\">Python</span></figcaption>");
    expect(html).toContain("<figcaption><code>athena/aws_cloudtrail_ses_check_ses_sending_enabled.sql</code> <span class=\"lang\">SQL</span></figcaption>");
    // the compiled text is escaped too
    expect(html).toContain("return True  # &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("works with no target registered", () => {
    const { catalog, files } = site([]);
    expect(catalog.targets).toEqual([]);
    const html = file(files, catalog.rules.find((r) => r.ruleId === SEED)!.page);
    expect(html).toContain("No targets are registered in this build of rulec.");
    expect(html).not.toContain("tab-panel");
  });

  it("reports a target that throws instead of failing the catalog", () => {
    const broken: Target = {
      name: "athena",
      compile: () => {
        throw new Error("boom");
      },
    };
    const catalog = buildCatalog({ rules: [seedRule], sources: library.sources, targets: [broken] });
    expect(catalog.rules[0]!.outputs).toEqual([{ target: "athena", expressible: false, reason: "internal error in the athena target: boom" }]);
  });

  it("passes each target its options and shows its warnings", () => {
    const seen: unknown[] = [];
    const warns: Target = {
      name: "sigma",
      compile: (rule, options) => {
        seen.push(options);
        return { files: [{ path: `sigma/${rule.name}.yml`, content: "title: x\n" }], diagnostics: [{ code: "RC401", severity: "warning", message: "approximate <logsource>" }] };
      },
    };
    const { catalog, files } = renderCatalog({ rules: [seedRule], sources: library.sources, targets: [warns], targetOptions: (t) => ({ for: t }) }, "html");
    expect(seen).toEqual([{ for: "sigma" }]);
    expect(catalog.rules[0]!.outputs[0]).toEqual({ target: "sigma", expressible: true, files: [{ path: `sigma/${seedRule.name}.yml`, content: "title: x\n" }], warnings: ["approximate <logsource>"] });
    expect(file(files, catalog.rules[0]!.page)).toContain("Warning: approximate &lt;logsource&gt;");
  });

  it("renders whatever the registry holds (TARGETS): one output per registered target for every rule", () => {
    const catalog = buildCatalog({ rules: library.rules, sources: library.sources, targets: TARGETS });
    expect(catalog.targets).toEqual(TARGETS.map((t) => t.name));
    for (const r of catalog.rules) {
      expect(r.outputs.map((o) => o.target)).toEqual(TARGETS.map((t) => t.name));
      for (const o of r.outputs) {
        if (o.expressible) expect(o.files.length).toBeGreaterThan(0);
        else expect(o.reason).not.toBe("");
      }
    }
  });

  it("shows the Sentinel rule beside the other outputs (its KQL, or why it cannot be written)", () => {
    const { catalog, files } = renderCatalog({ rules: library.rules, sources: library.sources, targets: TARGETS }, "html");
    const seed = catalog.rules.find((r) => r.ruleId === SEED)!;
    const html = file(files, seed.page);
    expect(html).toContain('<section class="tab-panel" id="out-sentinel" aria-labelledby="out-sentinel-h">');
    expect(html).toContain("Microsoft Sentinel</h3>");
    expect(html).toContain("sentinel/aws_cloudtrail_ses_check_ses_sending_enabled.yaml");
    expect(html).toContain("| where EventName == &quot;GetAccountSendingEnabled&quot;");
    const refused = catalog.rules.find((r) => r.outputs.some((o) => o.target === "sentinel" && !o.expressible))!;
    expect(file(files, refused.page)).toMatch(/Not expressible in Microsoft Sentinel:<\/strong> Sentinel: /);
  });
});

describe("escaping", () => {
  const rules = [seedRule, hostile.rule];
  const sources = new Map([...library.sources, [hostile.file, hostile.source]]);
  const { catalog, files } = site(FAKE_TARGETS, rules, sources);

  it("lets nothing from a rule become markup", () => {
    const page = catalog.rules.find((r) => r.ruleId.startsWith("Test."))!.page;
    expect(page).toBe("rules/hostile_script_.html");
    for (const f of files.filter((x) => x.path.endsWith(".html"))) {
      // the one script element of every page is the site's own
      expect(f.content.match(/<script/g)).toHaveLength(1);
      expect(f.content).not.toMatch(/<img|<svg|<b>|<i>|onmouseover="|href="javascript:/);
    }
    const html = file(files, page);
    expect(html).toContain("&lt;/p&gt;&lt;script&gt;alert(&#39;description&#39;)&lt;/script&gt;");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot;");
    // a reference that is not an http(s) URL is shown, not linked
    expect(html).toContain("<dt>Reference</dt><dd>javascript:alert(&#39;reference&#39;)</dd>");
    // the condition keeps its comment and its values, escaped inside the highlighting
    expect(html).toContain('<span class="tok-comment"># &lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(&#39;comment&#39;)&lt;/script&gt;</span>');
    expect(html).toContain('<span class="tok-string">&#39;&lt;svg onload=alert(1)&gt;&#39;</span>');
    const index = file(files, "index.html");
    expect(index).toContain('data-tags="|&lt;i&gt;tag&lt;/i&gt;|x&quot; onmouseover=&quot;alert(1)|"');
  });

  it("matches the golden site of a two-rule library (the seed rule and the hostile one)", async () => {
    for (const f of files) await expect(f.content).toMatchFileSnapshot(`golden/site/${f.path}`);
    const json = renderCatalog({ rules, sources, targets: FAKE_TARGETS }, "json");
    expect(json.files.map((f) => f.path)).toEqual(["catalog.json"]);
    await expect(json.files[0]!.content).toMatchFileSnapshot("golden/catalog.json");
  });
});

describe("--format json", () => {
  it("holds the same data as the site", () => {
    const { files } = renderCatalog({ rules: library.rules, sources: library.sources, targets: FAKE_TARGETS }, "json");
    const data = JSON.parse(files[0]!.content) as Catalog;
    const direct = buildCatalog({ rules: library.rules, sources: library.sources, targets: FAKE_TARGETS });
    expect(data).toEqual(JSON.parse(JSON.stringify(direct)));
    const seed = data.rules.find((r) => r.ruleId === SEED)!;
    expect(seed).toMatchObject({
      severity: "Info",
      logTypes: ["AWS.CloudTrail"],
      tags: ["AWS CloudTrail", "SES"],
      mitre: [{ raw: "TA0007:T1526", tactic: "TA0007", tacticName: "Discovery", technique: "T1526" }],
      outputFields: ["eventName", "eventSource", "awsRegion", "recipientAccountId", "sourceIPAddress", "userAgent", "userIdentity"],
      condition: 'eventName eq "GetAccountSendingEnabled"',
      page: "rules/aws_cloudtrail_ses_check_ses_sending_enabled.html",
    });
    expect(seed.indicators.map((i) => [i.field, i.op, i.negated, i.value])).toEqual([["eventName", "eq", false, { kind: "string", value: "GetAccountSendingEnabled" }]]);
    expect(seed.source).toBe(library.sources.get(seedRule.file));
  });
});

describe("condition highlighting", () => {
  const hl = (text: string) => highlightCondition(text, parseCondition(text).ast!);

  it("colours fields, operators, literals, keywords and comments from the AST", () => {
    expect(hl('not a.`b c` in ["x", 1, true] # note\nor d[e exists]')).toBe(
      '<span class="tok-keyword">not</span> <span class="tok-field">a</span>.<span class="tok-field">`b c`</span> <span class="tok-op">in</span> [<span class="tok-string">&quot;x&quot;</span>, <span class="tok-number">1</span>, <span class="tok-boolean">true</span>] <span class="tok-comment"># note</span>\n<span class="tok-keyword">or</span> <span class="tok-field">d</span>[<span class="tok-field">e</span> <span class="tok-keyword">exists</span>]',
    );
  });

  it("keeps operator names used as fields as fields", () => {
    expect(hl("eq eq exists and empty empty")).toBe(
      '<span class="tok-field">eq</span> <span class="tok-op">eq</span> <span class="tok-field">exists</span> <span class="tok-keyword">and</span> <span class="tok-field">empty</span> <span class="tok-keyword">empty</span>',
    );
  });

  it("falls back to plain escaped text when the spans do not fit the text", () => {
    const ast = parseCondition('a eq "<b>"').ast!;
    expect(highlightCondition("x", ast)).toBe("x");
    expect(highlightCondition("<>", ast)).toBe("&lt;&gt;");
  });
});
