// Prometheus metrics, one registry per collector (several can share a process, as in tests).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AnalyticsStore, StoreStats } from "./store/types.js";

const PREFIX = "synthorg_collector_";
/** Request duration buckets (seconds): ingest of 1000 events sits in the low milliseconds. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export type RejectionReason =
  | "invalid"
  | "unauthorized"
  | "forbidden"
  | "deployment_cap"
  | "rate_limited"
  | "too_large"
  | "unavailable"
  | "internal";

export interface CollectorMetrics {
  readonly registry: Registry;
  readonly ingested: Counter;
  readonly rejected: Counter<"reason">;
  readonly duplicates: Counter;
  readonly maskedRules: Counter;
  readonly requestDuration: Histogram<"method" | "route" | "status">;
}

export function createCollectorMetrics(
  store: AnalyticsStore,
  options: { defaultMetrics?: boolean } = {},
): CollectorMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: PREFIX });

  // One scrape reads the store's stats once, however many metrics are filled from them.
  let pending: Promise<StoreStats> | null = null;
  const stats = (): Promise<StoreStats> => {
    pending ??= store.stats().finally(() => {
      pending = null;
    });
    return pending;
  };

  let evictedSeen = 0;
  new Counter({
    name: `${PREFIX}events_evicted_total`,
    help: "Events evicted from the store to stay within its capacity.",
    registers: [registry],
    async collect() {
      const { evicted_total } = await stats();
      if (evicted_total > evictedSeen) this.inc(evicted_total - evictedSeen);
      evictedSeen = Math.max(evictedSeen, evicted_total);
    },
  });
  new Gauge({
    name: `${PREFIX}store_events`,
    help: "Events retained in the store.",
    registers: [registry],
    async collect() {
      this.set((await stats()).size);
    },
  });
  new Gauge({
    name: `${PREFIX}store_capacity_events`,
    help: "The store's capacity in events (-1 when unbounded).",
    registers: [registry],
    async collect() {
      this.set((await stats()).capacity ?? -1);
    },
  });
  new Gauge({
    name: `${PREFIX}store_deployments`,
    help: "Distinct deployment ids among the retained events.",
    registers: [registry],
    async collect() {
      this.set((await stats()).deployments);
    },
  });

  return {
    registry,
    ingested: new Counter({
      name: `${PREFIX}events_ingested_total`,
      help: "Events accepted and stored.",
      registers: [registry],
    }),
    rejected: new Counter({
      name: `${PREFIX}batches_rejected_total`,
      help: "Ingest requests rejected, by reason.",
      labelNames: ["reason"],
      registers: [registry],
    }),
    duplicates: new Counter({
      name: `${PREFIX}batches_duplicate_total`,
      help: "Ingest requests answered from the idempotency memory (nothing stored).",
      registers: [registry],
    }),
    maskedRules: new Counter({
      name: `${PREFIX}rules_masked_total`,
      help: 'Events whose unknown source_rule was stored as "custom".',
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: "HTTP request durations by method, route and status.",
      labelNames: ["method", "route", "status"],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
  };
}

/** The metrics label for a rejected ingest, from the error code it was answered with. */
export function rejectionReason(code: string, reason?: string): RejectionReason {
  if (reason === "deployment_cap") return reason;
  switch (code) {
    case "BAD_REQUEST":
    case "PARSE_ERROR":
    case "UNSUPPORTED_MEDIA_TYPE":
      return "invalid";
    case "UNAUTHORIZED":
      return "unauthorized";
    case "FORBIDDEN":
      return "forbidden";
    case "TOO_MANY_REQUESTS":
      return "rate_limited";
    case "PAYLOAD_TOO_LARGE":
      return "too_large";
    case "SERVICE_UNAVAILABLE":
      return "unavailable";
    default:
      return "internal";
  }
}
