import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCatalog, type Catalog, type CatalogRule } from "../../src/catalog/index.js";
import { CHROMIUM, fileUrl, HAVE_CHROMIUM, launchChromium, type Browser } from "./browser.js";
import { FAKE_TARGETS, SEED, shippedLibrary } from "./fixtures.js";

/**
 * End to end: the generated site opened from file:// in Debian's chromium (playwright-core), with
 * the network off. Skipped, with a message, only where /usr/bin/chromium is missing.
 */

if (!HAVE_CHROMIUM) console.log(`catalog browser tests skipped: ${CHROMIUM} is missing (install it with: bash scripts/setup-browser.sh)`);

const library = shippedLibrary();
let site = "";
let catalog: Catalog;
let browser: Browser | undefined;

/** A page of the site as a file:// URL; a ?query or #fragment is kept as such. */
const url = (path: string) => {
  const at = path.search(/[?#]/);
  return at < 0 ? fileUrl(join(site, path)) : fileUrl(join(site, path.slice(0, at))) + path.slice(at);
};
const ruleById = (id: string): CatalogRule => catalog.rules.find((r) => r.ruleId === id)!;

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  const rendered = renderCatalog({ rules: library.rules, sources: library.sources, targets: FAKE_TARGETS }, "html");
  catalog = rendered.catalog;
  site = mkdtempSync(join(tmpdir(), "rulec-site-"));
  for (const f of rendered.files) {
    mkdirSync(dirname(join(site, f.path)), { recursive: true });
    writeFileSync(join(site, f.path), f.content);
  }
  browser = await launchChromium();
  await browser.context.grantPermissions(["clipboard-read", "clipboard-write"]);
});

afterAll(async () => {
  await browser?.close();
  if (site !== "") rmSync(site, { recursive: true, force: true });
});

async function open(path: string) {
  const page = await browser!.context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(url(path));
  return { page, requests, errors };
}

const rows = (page: Awaited<ReturnType<typeof open>>["page"]) => page.locator("#rules tbody tr");

describe.skipIf(!HAVE_CHROMIUM)("catalog site in chromium", () => {
  it("index: searches by text, loads nothing but local files, raises no script error", async () => {
    const { page, requests, errors } = await open("index.html");
    const total = catalog.rules.length;
    await expect.poll(() => page.locator("#count").textContent()).toBe(`${total} of ${total} rules shown`);
    await expect.poll(() => page.locator("#filters").isVisible()).toBe(true);

    await page.getByLabel("Search").fill("sending enabled");
    await expect.poll(() => rows(page).filter({ visible: true }).count()).toBe(1);
    await expect.poll(() => page.locator("#count").textContent()).toBe(`1 of ${total} rules shown`);
    await expect.poll(() => page.getByRole("link", { name: "AWS CloudTrail SES Check SES Sending Enabled" }).isVisible()).toBe(true);

    // an indicator value finds its rules; words are ANDed
    await page.getByLabel("Search").fill("getaccountsendingenabled");
    await expect.poll(() => rows(page).filter({ visible: true }).count()).toBe(1);
    await page.getByLabel("Search").fill("zzz-no-such-rule");
    await expect.poll(() => rows(page).filter({ visible: true }).count()).toBe(0);
    await expect.poll(() => page.locator("#no-match").isVisible()).toBe(true);

    await page.getByRole("button", { name: "Clear" }).click();
    await expect.poll(() => rows(page).filter({ visible: true }).count()).toBe(total);
    expect(requests.every((r) => r.startsWith("file://"))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("index: filters by severity, tag and MITRE technique (also from the URL), and combines them", async () => {
    const { page } = await open("index.html");
    const high = catalog.rules.filter((r) => r.severity === "High");
    await page.getByLabel("Severity").selectOption("High");
    await expect.poll(() => rows(page).filter({ visible: true }).count()).toBe(high.length);
    const shown = await rows(page).filter({ visible: true }).locator("code.rule-id").allTextContents();
    expect(shown.sort()).toEqual(high.map((r) => r.ruleId).sort());

    const technique = "T1562.008";
    const both = catalog.rules.filter((r) => r.severity === "High" && r.mitre.some((m) => m.technique === technique));
    await page.getByLabel("MITRE technique").selectOption(technique);
    await expect.poll(() => rows(page).filter({ visible: true }).count()).toBe(both.length);
    await page.close();

    // a tag link on a rule page opens the index filtered by that tag
    const tagged = await open("index.html?tag=SES");
    await expect.poll(() => tagged.page.getByLabel("Tag").inputValue()).toBe("SES");
    const ses = catalog.rules.filter((r) => r.tags.includes("SES"));
    await expect.poll(() => rows(tagged.page).filter({ visible: true }).count()).toBe(ses.length);
    await tagged.page.close();
  });

  it("index: sorts by severity and back", async () => {
    const { page } = await open("index.html");
    const severityHeader = page.locator("th", { has: page.getByRole("button", { name: "Severity" }) });
    await page.getByRole("button", { name: "Severity" }).click();
    await expect.poll(() => severityHeader.getAttribute("aria-sort")).toBe("ascending");
    await expect.poll(() => rows(page).first().locator(".sev").textContent()).toBe("Info");
    await page.getByRole("button", { name: "Severity" }).click();
    await expect.poll(() => severityHeader.getAttribute("aria-sort")).toBe("descending");
    const top = catalog.rules.map((r) => r.severity).includes("Critical") ? "Critical" : "High";
    await expect.poll(() => rows(page).first().locator(".sev").textContent()).toBe(top);
    await page.close();
  });

  it("rule page: tabs switch panels (click and arrow keys), the not-expressible panel, the copy button", async () => {
    const seed = ruleById(SEED);
    const { page, errors } = await open(seed.page);
    await expect.poll(() => page.locator("h1").textContent()).toBe("AWS CloudTrail SES Check SES Sending Enabled");
    const tabs = page.getByRole("tab");
    await expect.poll(() => tabs.allTextContents()).toEqual(["Panther", "Athena", "Sigma"]);
    await expect.poll(() => page.getByRole("tab", { name: "Panther" }).getAttribute("aria-selected")).toBe("true");
    await expect.poll(() => page.locator("#out-panther").isVisible()).toBe(true);
    await expect.poll(() => page.locator("#out-athena").isVisible()).toBe(false);

    await page.getByRole("tab", { name: "Sigma" }).click();
    await expect.poll(() => page.locator("#out-sigma").isVisible()).toBe(true);
    await expect.poll(() => page.locator("#out-panther").isVisible()).toBe(false);
    await expect.poll(() => page.locator("#out-sigma .not-expressible").textContent()).toBe(
      "Not expressible in Sigma: Sigma has no <field-to-field> comparison & no 'ieq' on fields",
    );
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => page.locator("#out-athena").isVisible()).toBe(true);
    await expect.poll(() => page.getByRole("tab", { name: "Athena" }).evaluate((el) => el === (el as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement)).toBe(true);

    // copy the Athena SQL
    const panel = page.locator("#out-athena");
    await panel.getByRole("button", { name: `Copy athena/${seed.name}.sql` }).click();
    await expect.poll(() => panel.getByRole("status").first().textContent()).toBe("Copied");
    await expect.poll(() => page.evaluate("navigator.clipboard.readText()")).toBe(`SELECT * FROM cloudtrail_logs -- ${SEED}\n`);

    // the condition is highlighted
    await expect.poll(() => page.locator(".condition .tok-op").textContent()).toBe("eq");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("rule page: a corpus link leads to the other rules with the same indicator", async () => {
    const rule = catalog.rules.find((r) => r.indicators.some((i) => i.otherRules.length >= 2))!;
    const ind = rule.indicators.find((i) => i.otherRules.length >= 2)!;
    const other = ruleById(ind.otherRules[0]!);
    const { page } = await open(rule.page);
    const row = page.locator(`tr#${ind.anchor}`);
    await row.locator("summary").click();
    await row.getByRole("link", { name: other.displayName, exact: true }).click();
    await page.waitForURL(url(other.page)).catch((e: unknown) => {
      throw new Error(`${String(e)}: at ${page.url()}`);
    });
    await expect.poll(() => page.locator("h1").textContent()).toContain(other.displayName);
    // the same indicator is on the other rule's page, and counts the first rule among its others
    const back = page.locator(`tr#${ind.anchor}`);
    await back.locator("summary").click();
    await expect.poll(() => back.getByRole("link", { name: rule.displayName, exact: true }).isVisible()).toBe(true);

    // the value links to the indicators page, where the row lists every rule that has it
    await back.locator("td").nth(2).getByRole("link").click();
    await page.waitForURL(url(`indicators.html#${ind.anchor}`));
    const entry = page.locator(`tr#${ind.anchor}`);
    await expect.poll(() => entry.locator("td.num").textContent()).toBe(String(ind.otherRules.length + 1));
    await expect.poll(() => entry.getByRole("link").count()).toBe(ind.otherRules.length + 1);
    await page.close();
  });
});

describe.skipIf(!HAVE_CHROMIUM)("catalog site without JavaScript", () => {
  let noJs: Browser | undefined;
  afterAll(async () => noJs?.close());

  it("shows every tab panel and every rule; the filters stay hidden", async () => {
    noJs = await launchChromium({ javaScriptEnabled: false });
    const page = await noJs.context.newPage();
    await page.goto(url(ruleById(SEED).page));
    for (const t of FAKE_TARGETS.map((x) => x.name)) await expect.poll(() => page.locator(`#out-${t}`).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole("tab").count()).toBe(0);
    await expect.poll(() => page.getByRole("heading", { name: "Sigma", level: 3 }).isVisible()).toBe(true);
    await page.goto(url("index.html"));
    await expect.poll(() => page.locator("#filters").isVisible()).toBe(false);
    await expect.poll(() => rows(page).filter({ visible: true }).count()).toBe(catalog.rules.length);
    await page.close();
  });
});
