// Real Chromium for browser tests: Debian's package driven by playwright-core (never a downloaded
// browser build). Recipe and flags from TOOLCHAIN.md.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_ENV = "SYNTHORG_CHROMIUM";
export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  // /dev/shm is small in containers (and mounted twice here, which confuses Debian's wrapper).
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Where the browser binary should be: $SYNTHORG_CHROMIUM, else Debian's path. */
export function expectedChromiumPath(): string {
  return process.env[CHROMIUM_ENV] || DEFAULT_CHROMIUM_PATH;
}

/** The browser binary to use, or null when there is none on this machine. */
export function chromiumPath(): string | null {
  const path = expectedChromiumPath();
  return existsSync(path) ? path : null;
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** One loud line, so a skipped browser test is never mistaken for a passing one. */
export function announceSkip(reason: string): void {
  console.warn(`\n!!! SKIPPING BROWSER TESTS: ${reason} !!!\n`);
}
