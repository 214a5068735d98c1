// What the fault tests share: keys and config for a collector, emitter settings that make faults
// cheap (short timeouts, millisecond backoff), the fault mix, and a small read client.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BASE_PATH, createApiKey } from "@synthorg/collector";
import {
  diffPatterns,
  diffRecommendations,
  naivePatterns,
  naiveRecommendations,
} from "@synthorg/collector/testing";
import type { EmitterOptions } from "@synthorg/emitter";
import {
  DEFAULT_RECOMMENDATION_MIN_OBSERVATIONS,
  loadAnalyticsConfig,
  patternSchema,
  recommendationSchema,
  type AnonymizedEvent,
  type AnalyticsConfig,
  type AnalyticsConfigInput,
  type ApiKeyEntry,
  type CollectorConfig,
} from "@synthorg/schema";
import { request } from "undici";
import { pino } from "pino";
import { createFleet, type Fleet } from "../src/fleet.js";
import type { FleetPlan } from "../src/plan.js";
import { seededSchedule, type FaultSchedule } from "./proxy.js";

export const LOOPBACK = "127.0.0.1";
/** k for pattern comparisons: the smallest the config allows, so the most groups are compared. */
export const PATTERN_K = 2;
/** Where tests leave their figures for RELIABILITY.md (git-ignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL("../test-artifacts/faults/", import.meta.url));

/**
 * Emitter settings under which every fault costs little wall time: the shortest http timeout the
 * config allows (a held answer costs 1 s), small batches (many requests, so many faults), and
 * millisecond backoff; Retry-After is honoured but capped at a fraction of a second.
 */
export const FAULT_EMITTER_CONFIG = {
  batch_size: 5,
  http_timeout_seconds: 1,
  flush_interval_seconds: 1,
} as const satisfies Partial<AnalyticsConfigInput>;
export const FAST_RETRIES = {
  retryBaseMs: 5,
  retryCapMs: 50,
  retryAfterCapMs: 200,
} as const satisfies Partial<EmitterOptions>;

/** How long a fleet's close() may keep retrying what the faults held back. */
export const FAULT_CLOSE_TIMEOUT_MS = 90_000;

/**
 * A fleet of real emitters, tuned for faults and silent, sending `plan` to the collector behind
 * `origin` (a fault proxy); every event an emitter sends is also pushed onto `sent`.
 */
export function faultFleet(options: {
  readonly plan: FleetPlan;
  readonly origin: string;
  readonly keys: FleetKeys;
  readonly sent: AnonymizedEvent[];
}): Fleet {
  return createFleet({
    plan: options.plan,
    collectorUrl: options.origin + BASE_PATH,
    writeKeys: options.keys.write,
    emitterConfig: FAULT_EMITTER_CONFIG,
    emitterOptions: { ...FAST_RETRIES, logger: pino({ level: "silent" }) },
    tee: (event) => options.sent.push(event),
  });
}

/** Every fault the proxy knows, equally likely, on about a third of the ingest requests. */
export function mixedFaults(seed: number, faultRate = 0.35): FaultSchedule {
  return seededSchedule({
    seed,
    faultRate,
    weights: { delay: 1, reset_before: 1, reset_after: 1, respond_429: 1, respond_503: 1, timeout_after: 1 },
    delayMs: 30,
    retryAfterSeconds: 1,
  });
}

export interface FleetKeys {
  /** Write key tokens, one per deployment. */
  readonly write: readonly string[];
  readonly read: string;
  readonly entries: readonly ApiKeyEntry[];
}

/** One write key per deployment (a key may claim only a few deployment ids) and one read key. */
export function fleetKeys(deployments: number): FleetKeys {
  const writers = Array.from({ length: deployments }, (_, i) => createApiKey(`deployment-${i}`, ["write"]));
  const reader = createApiKey("reader", ["read"]);
  return {
    write: writers.map((key) => key.token),
    read: reader.token,
    entries: [...writers.map((key) => key.entry), reader.entry],
  };
}

/**
 * A collector's config document (`self_improvement.cross_deployment_analytics` with a `collector:`
 * block). The emitter-side keys are required once enabled but unused by a collector.
 */
export function collectorDocument(
  collector: Partial<Omit<CollectorConfig, "store">> & { store?: Partial<CollectorConfig["store"]> },
): Record<string, unknown> {
  return {
    self_improvement: {
      cross_deployment_analytics: {
        enabled: true,
        collector_enabled: true,
        collector_url: `http://${LOOPBACK}/api/meta/analytics`,
        deployment_id_salt: "fault-tests-collector-side-salt",
        min_deployments_for_pattern: PATTERN_K,
        collector: { host: LOOPBACK, port: 0, ...collector },
      },
    },
  };
}

export function collectorConfig(collector: Parameters<typeof collectorDocument>[0]): AnalyticsConfig {
  return loadAnalyticsConfig(collectorDocument(collector));
}

/** GET a read route under the collector's base path and return its JSON. */
export async function readJson(origin: string, path: string, token: string): Promise<unknown> {
  const response = await request(`${origin}${BASE_PATH}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body: unknown = await response.body.json();
  if (response.statusCode !== 200)
    throw new Error(`GET ${path}: ${response.statusCode} ${JSON.stringify(body)}`);
  return body;
}

export interface AnswerCheck {
  readonly patterns: number;
  readonly recommendations: number;
  /** One line per difference from the naive reference; empty when the collector agrees. */
  readonly differences: readonly string[];
}

/**
 * The collector's pattern and recommendation tables, read over REST, against the naive reference
 * computed from the events it should hold.
 */
export async function checkAnswers(
  origin: string,
  token: string,
  expected: readonly AnonymizedEvent[],
): Promise<AnswerCheck> {
  const patternBody = (await readJson(origin, `/patterns?min_deployments=${PATTERN_K}`, token)) as {
    patterns?: unknown;
  };
  const recommendationBody = (await readJson(origin, "/recommendations", token)) as {
    recommendations?: unknown;
  };
  const patterns = patternSchema.array().parse(patternBody.patterns);
  const recommendations = recommendationSchema.array().parse(recommendationBody.recommendations);
  return {
    patterns: patterns.length,
    recommendations: recommendations.length,
    differences: [
      ...diffPatterns(patterns, naivePatterns(expected, { minDeployments: PATTERN_K })),
      ...diffRecommendations(
        recommendations,
        naiveRecommendations(expected, {
          min_deployments_for_pattern: PATTERN_K,
          recommendation_min_observations: DEFAULT_RECOMMENDATION_MIN_OBSERVATIONS,
        }),
      ),
    ],
  };
}

/** Leaves a test's figures where RELIABILITY.md's numbers come from. */
export function recordFigures(name: string, figures: unknown): void {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  writeFileSync(join(ARTIFACTS_DIR, `${name}.json`), `${JSON.stringify(figures, null, 2)}\n`);
}
