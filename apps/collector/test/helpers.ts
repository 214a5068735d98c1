// A real collector on 127.0.0.1:0 with fresh keys, a silent logger and a clock the test moves.
import {
  parseAnalyticsBlock,
  trpcTransformer,
  type AnalyticsConfig,
  type AnalyticsConfigInput,
} from "@synthorg/schema";
import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import { pino } from "pino";
import { createApiKey } from "../src/auth.js";
import type { AppRouter } from "../src/router.js";
import { startCollector, type RunningCollector, type StartCollectorOptions } from "../src/server.js";

export const SALT = "a-test-salt-that-is-long-enough";

export interface TestCollector extends RunningCollector {
  readonly config: AnalyticsConfig;
  readonly keys: {
    readonly read: string;
    readonly write: string;
    readonly both: string;
    readonly unknown: string;
  };
  /** Moves the collector's clock (rate limits, ingest rate, uptime). */
  advance(ms: number): void;
}

export type CollectorBlock = NonNullable<AnalyticsConfigInput["collector"]>;

export function testConfig(
  collector: CollectorBlock = {},
  block: AnalyticsConfigInput = {},
): AnalyticsConfig {
  return parseAnalyticsBlock({
    enabled: true,
    collector_enabled: true,
    collector_url: "http://127.0.0.1:8787/api/meta/analytics",
    deployment_id_salt: SALT,
    ...block,
    collector: { host: "127.0.0.1", port: 0, ...collector },
  });
}

export async function startTestCollector(
  collector: CollectorBlock = {},
  options: Partial<StartCollectorOptions> & { block?: AnalyticsConfigInput } = {},
): Promise<TestCollector> {
  const read = createApiKey("reader", ["read"]);
  const write = createApiKey("writer", ["write"]);
  const both = createApiKey("admin", ["read", "write"]);
  const config = testConfig(
    { ...collector, api_keys: [read.entry, write.entry, both.entry, ...(collector.api_keys ?? [])] },
    options.block,
  );
  let now = Date.UTC(2026, 3, 16, 12);
  const running = await startCollector({
    config,
    logger: pino({ level: "silent" }),
    now: () => now,
    defaultMetrics: false,
    ...options,
  });
  return {
    ...running,
    close: () => running.close(),
    config,
    keys: {
      read: read.token,
      write: write.token,
      both: both.token,
      unknown: createApiKey("x", ["read"]).token,
    },
    advance(ms) {
      now += ms;
    },
  };
}

export function auth(token: string | null, extra: Record<string, string> = {}): Record<string, string> {
  return token === null ? extra : { authorization: `Bearer ${token}`, ...extra };
}

/** The typed client exactly as the emitter builds it. */
export function trpcClient(
  collector: RunningCollector,
  token: string | null,
  extra: Record<string, string> = {},
): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${collector.baseUrl}/trpc`,
        transformer: trpcTransformer,
        headers: () => auth(token, extra),
      }),
    ],
  });
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await readBody(response) };
}

export async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, body: await readBody(response) };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
