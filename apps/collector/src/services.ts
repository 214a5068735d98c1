// Builds the per-collector services every request reaches (see CollectorServices in trpc.ts).
import type { AnalyticsConfig } from "@synthorg/schema";
import { pino, type Logger } from "pino";
import { createSha256Verifier, type ApiKeyVerifier } from "./auth.js";
import { createCollectorMetrics, type CollectorMetrics } from "./metrics.js";
import { createRateLimiter, type Clock } from "./rate-limit.js";
import { RateWindow } from "./rate-window.js";
import type { AnalyticsStore } from "./store/types.js";
import type { CollectorServices } from "./trpc.js";

export const LOGGER_NAME = "synthorg.collector";

export interface ServiceOptions {
  readonly config: AnalyticsConfig;
  readonly store: AnalyticsStore;
  /** JSON logs; default: pino to stderr at info. */
  readonly logger?: Logger;
  /** Default: SHA-256 hashes from collector.api_keys. */
  readonly verifier?: ApiKeyVerifier;
  /** The clock for rate limits, the ingest rate and uptime (tests move it instead of waiting). */
  readonly now?: Clock;
  /** Default true; process-wide default metrics (CPU, memory, event loop) in this collector's registry. */
  readonly defaultMetrics?: boolean;
  readonly metrics?: CollectorMetrics;
}

export function defaultLogger(): Logger {
  return pino({ name: LOGGER_NAME, level: process.env.LOG_LEVEL ?? "info" }, pino.destination(2));
}

export function createServices(options: ServiceOptions): CollectorServices {
  const now = options.now ?? Date.now;
  const { config, store } = options;
  return {
    config,
    store,
    verifier: options.verifier ?? createSha256Verifier(config.collector.api_keys),
    rateLimiter: createRateLimiter(config.collector.rate_limit_per_minute, now),
    metrics:
      options.metrics ??
      createCollectorMetrics(
        store,
        options.defaultMetrics === undefined ? {} : { defaultMetrics: options.defaultMetrics },
      ),
    ingestRate: new RateWindow(now),
    logger: options.logger ?? defaultLogger(),
    now,
    startedAt: now(),
  };
}
