// The dashboard in a real Chromium: a collector fed by the demo fleet over HTTP, the page served by
// the collector, a person entering keys. Saves a screenshot for the README.
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFleet, startDemoCollector, CUSTOM_RULE_NAMES, type DemoCollector } from "../src/index.js";
import {
  CHROMIUM_ENV,
  announceSkip,
  chromiumPath,
  expectedChromiumPath,
  launchChromium,
} from "./chromium.js";

const executablePath = chromiumPath();
if (executablePath === null) {
  announceSkip(`no Chromium at ${expectedChromiumPath()} (install Debian's chromium or set ${CHROMIUM_ENV})`);
}

const ARTIFACT = fileURLToPath(new URL("../test-artifacts/dashboard.png", import.meta.url));
const UPDATE_SCREENSHOT_ENV = "SYNTHORG_UPDATE_SCREENSHOT";
const DOCS_SCREENSHOT = fileURLToPath(new URL("../../../docs/dashboard.png", import.meta.url));
const VIEWPORT = { width: 1200, height: 900 };

/** What the assertions read from a table row in the page (this package is typed without the DOM). */
interface TaggedRow {
  readonly dataset: { readonly rule?: string; readonly altitude?: string };
}
const SEED = 42;
/** The dashboard polls every 5 s; allow one missed poll. */
const REFRESH_WAIT_MS = 12_000;

async function openDashboard(
  browser: Browser,
  demo: DemoCollector,
): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  await page.goto(demo.dashboardUrl);
  return { page, problems };
}

async function enterKey(page: Page, key: string): Promise<void> {
  await page.fill("#read-key", key);
  await page.click("#key-submit");
}

describe.skipIf(executablePath === null)("dashboard in Chromium", () => {
  let demo: DemoCollector;
  let browser: Browser;
  let fleetEvents = 0;

  beforeAll(async () => {
    demo = await startDemoCollector({ writers: 12 });
    const result = await createFleet({
      seed: SEED,
      collectorUrl: demo.collector.baseUrl,
      writeKeys: demo.writeKeys,
    }).run();
    expect(result).toMatchObject({ dropped: 0, pending: 0 });
    fleetEvents = result.sent;
    browser = await launchChromium(executablePath as string);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it("serves the page with a strict content security policy", async () => {
    const response = await fetch(demo.dashboardUrl);
    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const script = await fetch(new URL("dashboard/app.js", demo.dashboardUrl));
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
  });

  it("shows the fleet's patterns and recommendations once a read key is entered", async () => {
    const { page, problems } = await openDashboard(browser, demo);
    await expect(page.locator("#dashboard").isHidden()).resolves.toBe(true);
    await enterKey(page, demo.readKey);
    await page.locator("#dashboard").waitFor({ state: "visible" });

    const [{ patterns }, { recommendations }] = await Promise.all([
      demo.reader.patterns.list.query(),
      demo.reader.recommendations.list.query(),
    ]);
    const rowKeys = (selector: string) =>
      page
        .locator(selector)
        .evaluateAll((rows: TaggedRow[]) => rows.map((row) => `${row.dataset.rule}@${row.dataset.altitude}`));

    const patternRows = await rowKeys("#patterns-table tbody tr[data-rule]");
    expect(patternRows).toEqual(patterns.map((p) => `${p.source_rule}@${p.altitude}`));
    expect(patternRows.some((key) => key.startsWith("quality_declining@"))).toBe(true);
    expect(await rowKeys("#chart svg g.row")).toEqual(patternRows);

    expect(recommendations.length).toBeGreaterThan(0);
    expect(await rowKeys("#recommendations-table tbody tr[data-rule]")).toEqual(
      recommendations.map((r) => `${r.rule_name}@${r.altitude}`),
    );
    const firstRecommendation = page.locator("#recommendations-table tbody tr").first();
    await expect(firstRecommendation.textContent()).resolves.toContain(
      `${recommendations[0]?.current_default} → ${recommendations[0]?.recommended_value}`,
    );

    await expect(page.locator("#stat-size").textContent()).resolves.toBe(fleetEvents.toLocaleString("en-US"));
    const text = (await page.locator("body").textContent()) ?? "";
    for (const name of CUSTOM_RULE_NAMES) expect(text).not.toContain(name);

    await mkdir(dirname(ARTIFACT), { recursive: true });
    await page.screenshot({ path: ARTIFACT });
    // The committed copy the README shows changes (it shows the time) on every run, so it is only
    // refreshed on request: SYNTHORG_UPDATE_SCREENSHOT=1 pnpm test.
    if (process.env[UPDATE_SCREENSHOT_ENV] === "1") await page.screenshot({ path: DOCS_SCREENSHOT });
    expect(problems).toEqual([]);
    await page.close();
  }, 30_000);

  it("refuses an unknown key and a key without read scope, with a clear message", async () => {
    const { page, problems } = await openDashboard(browser, demo);
    await enterKey(page, "sak_not-a-key-this-collector-knows");
    await page.locator("#key-error", { hasText: "That key was refused" }).waitFor();
    await expect(page.locator("#dashboard").isHidden()).resolves.toBe(true);

    await enterKey(page, demo.writeKeys[0] as string);
    await page.locator("#key-error", { hasText: "needs read scope" }).waitFor();
    await expect(page.locator("#dashboard").isHidden()).resolves.toBe(true);
    // The browser logs the refused requests (401, 403) as console errors; nothing else may fail.
    expect(problems.filter((problem) => !/\b40[13]\b/.test(problem))).toEqual([]);
    await page.close();
  }, 30_000);

  it("keeps the key for the tab and refreshes itself as new events arrive", async () => {
    const { page } = await openDashboard(browser, demo);
    await enterKey(page, demo.readKey);
    await page.locator("#dashboard").waitFor({ state: "visible" });
    await page.reload();
    await page.locator("#dashboard").waitFor({ state: "visible" });
    await expect(page.locator("#login").isHidden()).resolves.toBe(true);

    const late = await createFleet({
      deployments: 1,
      events: 10,
      seed: SEED + 1,
      collectorUrl: demo.collector.baseUrl,
      writeKeys: [demo.writeKeys[0] as string],
    }).run();
    expect(late.sent).toBe(10);
    await page
      .locator("#stat-size", { hasText: (fleetEvents + late.sent).toLocaleString("en-US") })
      .waitFor({ timeout: REFRESH_WAIT_MS });

    await page.click("#sign-out");
    await page.locator("#login").waitFor({ state: "visible" });
    await page.reload();
    await page.locator("#login").waitFor({ state: "visible" });
    await page.close();
  }, 30_000);
});
