// A collector for the demo and the tests: memory store on loopback, one fresh read key, and one
// fresh write key per deployment (the collector caps how many deployment ids one key may claim).
import {
  TRPC_PATH,
  createApiKey,
  startCollector,
  type AppRouter,
  type RunningCollector,
} from "@synthorg/collector";
import { parseAnalyticsBlock, type AnalyticsConfigInput } from "@synthorg/schema";
import { trpcTransformer } from "@synthorg/schema/transport";
import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import { pino, type Logger } from "pino";

export const DEMO_HOST = "127.0.0.1";
export const READ_KEY_ID = "demo-reader";
export const writeKeyId = (index: number) => `demo-writer-${String(index + 1).padStart(2, "0")}`;

export interface DemoCollectorOptions {
  /** How many write keys to mint: one per deployment. */
  readonly writers: number;
  readonly port?: number;
  readonly logger?: Logger;
  /** Overrides for the `collector:` block (store size, rate limit, …). */
  readonly collector?: AnalyticsConfigInput["collector"];
}

export interface DemoCollector {
  readonly collector: RunningCollector;
  /** The dashboard, served by the collector at `/`. */
  readonly dashboardUrl: string;
  /** Secret tokens, shown to the person running the demo and handed to the fleet; never logged. */
  readonly readKey: string;
  readonly writeKeys: readonly string[];
  /** A typed client holding the read key, for patterns, recommendations and stats. */
  readonly reader: TRPCClient<AppRouter>;
  close(): Promise<void>;
}

export function createReader(collectorUrl: string, readKey: string): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: collectorUrl + TRPC_PATH,
        transformer: trpcTransformer,
        headers: () => ({ authorization: `Bearer ${readKey}` }),
      }),
    ],
  });
}

export async function startDemoCollector(options: DemoCollectorOptions): Promise<DemoCollector> {
  const read = createApiKey(READ_KEY_ID, ["read"]);
  const writes = Array.from({ length: options.writers }, (_, index) =>
    createApiKey(writeKeyId(index), ["write"]),
  );
  const config = parseAnalyticsBlock({
    collector: {
      ...options.collector,
      store: { kind: "memory", ...options.collector?.store },
      api_keys: [read.entry, ...writes.map((key) => key.entry)],
    },
  });
  const collector = await startCollector({
    config,
    host: DEMO_HOST,
    port: options.port ?? 0,
    logger: options.logger ?? pino({ level: "warn" }, pino.destination(2)),
  });
  return {
    collector,
    dashboardUrl: `${collector.url}/`,
    readKey: read.token,
    writeKeys: writes.map((key) => key.token),
    reader: createReader(collector.url, read.token),
    close: () => collector.close(),
  };
}
