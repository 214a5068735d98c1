// startCollector: the app on a real HTTP(S) server, with graceful shutdown.
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { AnalyticsConfig } from "@synthorg/schema";
import type { Logger } from "pino";
import { BASE_PATH, createApp, type Lifecycle } from "./app.js";
import type { ApiKeyVerifier } from "./auth.js";
import type { Clock } from "./rate-limit.js";
import { createServices, defaultLogger } from "./services.js";
import { createStore } from "./store/index.js";
import type { AnalyticsStore } from "./store/types.js";

/** How long close() lets in-flight requests finish before cutting the remaining connections. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export interface StartCollectorOptions {
  /** From loadAnalyticsConfig; the collector reads config.collector. */
  readonly config: AnalyticsConfig;
  /** Override collector.host / collector.port (port 0 = any free port). */
  readonly host?: string;
  readonly port?: number;
  /** Default: createStore(config). A store passed in is not closed by close(); one made here is. */
  readonly store?: AnalyticsStore;
  readonly logger?: Logger;
  readonly verifier?: ApiKeyVerifier;
  readonly now?: Clock;
  readonly shutdownGraceMs?: number;
  readonly defaultMetrics?: boolean;
}

export interface RunningCollector {
  /** e.g. http://127.0.0.1:8787 (https when collector.tls is set). */
  readonly url: string;
  /** url + "/api/meta/analytics". */
  readonly baseUrl: string;
  readonly port: number;
  readonly store: AnalyticsStore;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), then closes the store. */
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

export async function startCollector(options: StartCollectorOptions): Promise<RunningCollector> {
  const { config } = options;
  const collector = config.collector;
  const host = options.host ?? collector.host;
  const port = options.port ?? collector.port;
  const ownsStore = options.store === undefined;
  const logger = options.logger ?? defaultLogger();
  const store =
    options.store ??
    (await createStore(config, { logger, ...(options.now === undefined ? {} : { now: options.now }) }));
  const services = createServices({
    config,
    store,
    logger,
    ...(options.verifier === undefined ? {} : { verifier: options.verifier }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.defaultMetrics === undefined ? {} : { defaultMetrics: options.defaultMetrics }),
  });
  const lifecycle: Lifecycle = { draining: false };
  const app = createApp({ config, store, services, lifecycle });
  const server =
    collector.tls === undefined
      ? http.createServer(app)
      : https.createServer(
          { cert: readFileSync(collector.tls.cert_file), key: readFileSync(collector.tls.key_file) },
          app,
        );

  // A keep-alive connection whose last request finishes while draining is closed at once, rather
  // than idling until its keep-alive timeout holds shutdown up.
  server.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.once("finish", () => {
      if (lifecycle.draining) setImmediate(() => server.closeIdleConnections());
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    if (ownsStore) await store.close();
    throw error;
  }

  const actualPort = (server.address() as AddressInfo).port;
  const url = `${collector.tls === undefined ? "http" : "https"}://${hostForUrl(host)}:${actualPort}`;
  const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  let closing: Promise<void> | null = null;

  async function shutdown(): Promise<void> {
    lifecycle.draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
    deadline.unref();
    try {
      await closed;
    } finally {
      clearTimeout(deadline);
      if (ownsStore) await store.close();
    }
    services.logger.info("collector.stopped");
  }

  services.logger.info(
    { url, store: store.kind, keys: collector.api_keys.length, max_events: collector.store.max_events },
    "collector.started",
  );
  return {
    url,
    baseUrl: url + BASE_PATH,
    port: actualPort,
    store,
    close: () => (closing ??= shutdown()),
  };
}
