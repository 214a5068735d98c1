// The dashboard: one HTML page, its stylesheet and its bundled script, served by the collector at
// `/`. The page talks to the collector only through the typed tRPC client with a read key.
import { readFileSync } from "node:fs";
import { ANALYTICS_BASE_PATH, TRPC_ENDPOINT } from "@synthorg/schema";
import { Router, type Response } from "express";
import { HIGH_RATE, LOW_APPROVAL_RATE } from "../recommendations.js";
import { dashboardScript } from "./bundle.js";

/** Where the tRPC endpoint is, relative to the dashboard's mount point. */
export const DASHBOARD_TRPC_PATH = `${ANALYTICS_BASE_PATH.slice(1)}${TRPC_ENDPOINT}`;
/** How often the page polls; the read rate limit is per minute, so 3 queries / 5 s is far below it. */
export const DASHBOARD_REFRESH_MS = 5000;
export const DASHBOARD_SCRIPT_PATH = "/dashboard/app.js";
export const DASHBOARD_STYLES_PATH = "/dashboard/styles.css";
export const DASHBOARD_ICON_PATH = "/dashboard/favicon.svg";

/**
 * The page holds no inline script or style, so the policy can be strict: everything from this
 * origin only, no framing, no plugins, no form posts elsewhere.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const DASHBOARD_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Content-Security-Policy": DASHBOARD_CSP,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
});

export interface DashboardOptions {
  readonly refreshMs?: number;
  /** The tRPC endpoint relative to where the router is mounted. */
  readonly trpcPath?: string;
}

const readAsset = (name: string) => readFileSync(new URL(name, import.meta.url), "utf8");

const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  '"': "&quot;",
  "<": "&lt;",
  ">": "&gt;",
};
const escapeAttribute = (value: string) =>
  value.replace(/[&"<>]/g, (char) => ATTRIBUTE_ESCAPES[char] ?? char);

function renderPage(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`dashboard page needs a value for {{${name}}}`);
    return escapeAttribute(String(value));
  });
}

function send(res: Response, contentType: string, body: string): void {
  res.set(DASHBOARD_SECURITY_HEADERS);
  res.set("Cache-Control", "no-cache");
  res.type(contentType).send(body);
}

/** Mount at `/`: serves GET / (the page) and its assets under /dashboard/. */
export function createDashboardRouter(options: DashboardOptions = {}): Router {
  const page = renderPage(readAsset("./page.html"), {
    trpcPath: options.trpcPath ?? DASHBOARD_TRPC_PATH,
    refreshMs: options.refreshMs ?? DASHBOARD_REFRESH_MS,
    highRate: HIGH_RATE,
    lowRate: LOW_APPROVAL_RATE,
  });
  const styles = readAsset("./styles.css");
  const icon = readAsset("./favicon.svg");
  const router = Router();
  router.get("/", (_req, res) => send(res, "text/html; charset=utf-8", page));
  router.get(DASHBOARD_STYLES_PATH, (_req, res) => send(res, "text/css; charset=utf-8", styles));
  router.get(DASHBOARD_ICON_PATH, (_req, res) => send(res, "image/svg+xml", icon));
  router.get(DASHBOARD_SCRIPT_PATH, async (_req, res) => {
    send(res, "text/javascript; charset=utf-8", await dashboardScript());
  });
  return router;
}
