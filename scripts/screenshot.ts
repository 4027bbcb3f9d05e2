/**
 * Screenshots of the catalog for docs/: the page of the seed rule (AWS.CloudTrail.SES.CheckSESSendingEnabled)
 * and the index, rendered from rules/ with the registered targets and opened in Debian's chromium.
 *
 *   bash scripts/setup-browser.sh && npx tsx scripts/screenshot.ts
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderCatalog } from "../src/catalog/render.js";
import { loadLibrary } from "../src/cli/library.js";
import { TARGET_NAMES, TARGETS } from "../src/targets/index.js";
import type { Target } from "../src/targets/types.js";
import { fileUrl, HAVE_CHROMIUM, launchChromium } from "../test/catalog/browser.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SEED = "AWS.CloudTrail.SES.CheckSESSendingEnabled";
const SHOTS = join(ROOT, "docs/screenshots");

/** The registry; while it is still empty, each target's own module (src/targets/<name>/index.ts). */
async function targets(): Promise<readonly Target[]> {
  if (TARGETS.length > 0) return TARGETS;
  const found: Target[] = [];
  for (const name of TARGET_NAMES) {
    try {
      const mod = (await import(`../src/targets/${name}/index.js`)) as Record<string, unknown>;
      const t = Object.values(mod).find((v): v is Target => typeof v === "object" && v !== null && (v as Target).name === name && typeof (v as Target).compile === "function");
      if (t) found.push(t);
    } catch {
      // not written yet
    }
  }
  console.log(`screenshot: the target registry is empty; using the target modules found: ${found.map((t) => t.name).join(", ") || "none"}`);
  return found;
}

async function main(): Promise<number> {
  if (!HAVE_CHROMIUM) {
    console.error("screenshot: /usr/bin/chromium is missing; run `bash scripts/setup-browser.sh` first");
    return 1;
  }
  const lib = loadLibrary([join(ROOT, "rules")]);
  const { catalog, files } = renderCatalog({ rules: lib.rules, sources: lib.sources, targets: await targets() }, "html");
  const seed = catalog.rules.find((r) => r.ruleId === SEED);
  if (!seed) {
    console.error(`screenshot: rule ${SEED} not found in rules/`);
    return 1;
  }
  const site = mkdtempSync(join(tmpdir(), "rulec-site-"));
  for (const f of files) {
    mkdirSync(dirname(join(site, f.path)), { recursive: true });
    writeFileSync(join(site, f.path), f.content);
  }
  mkdirSync(SHOTS, { recursive: true });
  const browser = await launchChromium({ viewport: { width: 1200, height: 900 } });
  try {
    const page = await browser.context.newPage();
    await page.goto(fileUrl(join(site, seed.page)));
    await page.screenshot({ path: join(SHOTS, `${SEED}.png`), fullPage: true });
    await page.goto(fileUrl(join(site, "index.html")));
    await page.screenshot({ path: join(SHOTS, "index.png"), fullPage: false });
  } finally {
    await browser.close();
    rmSync(site, { recursive: true, force: true });
  }
  console.log(`screenshot: wrote docs/screenshots/${SEED}.png and docs/screenshots/index.png`);
  return 0;
}

process.exitCode = await main();
