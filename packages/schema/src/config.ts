// The one config loader. YAML in the policy's shape:
//   self_improvement:
//     cross_deployment_analytics: { enabled, collector_url, deployment_id_salt, …, collector: {…} }
// Every default is a named constant below; unknown keys are errors; every error names its full path.
import { existsSync, readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { z } from "zod";
import { MAX_BATCH_EVENTS, MAX_INDUSTRY_TAG_LENGTH, wireTextSchema } from "./event.js";
import { describeIssues, issuesFromZod, type ValidationIssue } from "./issues.js";

export const CONFIG_PATH = "self_improvement.cross_deployment_analytics";

export const DEFAULT_BATCH_SIZE = 50;
export const DEFAULT_FLUSH_INTERVAL_SECONDS = 30;
export const MAX_FLUSH_INTERVAL_SECONDS = 300;
export const DEFAULT_HTTP_TIMEOUT_SECONDS = 10;
export const MAX_HTTP_TIMEOUT_SECONDS = 60;
export const DEFAULT_MIN_DEPLOYMENTS_FOR_PATTERN = 3;
/** Below 2 a "pattern" could describe a single deployment. */
export const MIN_MIN_DEPLOYMENTS_FOR_PATTERN = 2;
export const DEFAULT_RECOMMENDATION_MIN_OBSERVATIONS = 10;
export const MIN_RECOMMENDATION_MIN_OBSERVATIONS = 3;
export const DEFAULT_MAX_PENDING = 10_000;
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 30;
export const MIN_SALT_LENGTH = 16;
/** The policy's own examples: anyone who copied them shares a deployment id with everyone else who did. */
export const EXAMPLE_SALTS: readonly string[] = ["your-secret-salt-string", "salt"];
export const API_KEY_ENV = "SYNTHORG_ANALYTICS_API_KEY";

export const DEFAULT_COLLECTOR_HOST = "127.0.0.1";
export const DEFAULT_COLLECTOR_PORT = 8787;
export const DEFAULT_STORE_MAX_EVENTS = 100_000;
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;
export const DEFAULT_MAX_DEPLOYMENTS_PER_KEY = 4;
export const DEFAULT_BODY_LIMIT_BYTES = 2 * 1024 * 1024;
export const DEFAULT_IDEMPOTENCY_TTL_HOURS = 24;
export const DEFAULT_IDEMPOTENCY_MAX_KEYS = 100_000;

export const API_SCOPES = ["read", "write"] as const;
export type ApiScope = (typeof API_SCOPES)[number];

const LOOPBACK_HOSTS = new Set(["localhost", "[::1]", "::1"]);

/** Plain http is only allowed to this machine: 127.0.0.0/8, localhost, ::1. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

const collectorUrlSchema = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: "custom", message: "must be an absolute URL" });
    return;
  }
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return;
  ctx.addIssue({ code: "custom", message: "must use https (plain http only for loopback hosts)" });
});

const positiveInt = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);

export const apiKeyEntrySchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1–64 of [A-Za-z0-9_.-]"),
  scopes: z.array(z.enum(API_SCOPES)).min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be the 64-hex-character SHA-256 of the key"),
});

export const storeConfigSchema = z.strictObject({
  kind: z.enum(["memory", "postgres"]).default("memory"),
  /** Events kept, oldest evicted first. Memory: DEFAULT_STORE_MAX_EVENTS when absent; PostgreSQL: unbounded. */
  max_events: positiveInt(1).optional(),
  /** PostgreSQL connection string; env DATABASE_URL when absent. */
  url: z.string().min(1).optional(),
  /** PostgreSQL only: delete events older than this many days. */
  retention_days: positiveInt(1).optional(),
  /** PostgreSQL only: connections per collector process. */
  pool_max: positiveInt(1, 1000).optional(),
  /** PostgreSQL only: per-statement timeout, so a stuck query fails fast (503) instead of hanging ingest. */
  statement_timeout_ms: positiveInt(100, 600_000).optional(),
});

export const collectorConfigSchema = z.strictObject({
  host: z.string().min(1).default(DEFAULT_COLLECTOR_HOST),
  port: positiveInt(0, 65_535).default(DEFAULT_COLLECTOR_PORT),
  tls: z.strictObject({ cert_file: z.string().min(1), key_file: z.string().min(1) }).optional(),
  store: storeConfigSchema.prefault({}),
  api_keys: z.array(apiKeyEntrySchema).default([]),
  rate_limit_per_minute: positiveInt(1).default(DEFAULT_RATE_LIMIT_PER_MINUTE),
  max_deployments_per_key: positiveInt(1).default(DEFAULT_MAX_DEPLOYMENTS_PER_KEY),
  body_limit_bytes: positiveInt(1024).default(DEFAULT_BODY_LIMIT_BYTES),
  idempotency_ttl_hours: positiveInt(24).default(DEFAULT_IDEMPOTENCY_TTL_HOURS),
  idempotency_max_keys: positiveInt(1).default(DEFAULT_IDEMPOTENCY_MAX_KEYS),
});

export const analyticsConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    collector_url: collectorUrlSchema.optional(),
    deployment_id_salt: z.string().optional(),
    industry_tag: wireTextSchema(MAX_INDUSTRY_TAG_LENGTH).optional(),
    collector_enabled: z.boolean().default(false),
    batch_size: positiveInt(1, MAX_BATCH_EVENTS).default(DEFAULT_BATCH_SIZE),
    flush_interval_seconds: z
      .number()
      .min(1)
      .max(MAX_FLUSH_INTERVAL_SECONDS)
      .default(DEFAULT_FLUSH_INTERVAL_SECONDS),
    http_timeout_seconds: z
      .number()
      .min(1)
      .max(MAX_HTTP_TIMEOUT_SECONDS)
      .default(DEFAULT_HTTP_TIMEOUT_SECONDS),
    min_deployments_for_pattern: positiveInt(MIN_MIN_DEPLOYMENTS_FOR_PATTERN).default(
      DEFAULT_MIN_DEPLOYMENTS_FOR_PATTERN,
    ),
    recommendation_min_observations: positiveInt(MIN_RECOMMENDATION_MIN_OBSERVATIONS).default(
      DEFAULT_RECOMMENDATION_MIN_OBSERVATIONS,
    ),
    collector_api_key: z.string().min(1).optional(),
    max_pending: positiveInt(1).default(DEFAULT_MAX_PENDING),
    shutdown_timeout_seconds: z.number().min(0).max(3600).default(DEFAULT_SHUTDOWN_TIMEOUT_SECONDS),
    ca_file: z.string().min(1).optional(),
    collector: collectorConfigSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    if (config.deployment_id_salt !== undefined) {
      if (config.deployment_id_salt.length < MIN_SALT_LENGTH) {
        ctx.addIssue({
          code: "custom",
          path: ["deployment_id_salt"],
          message: `must be at least ${MIN_SALT_LENGTH} characters`,
        });
      } else if (EXAMPLE_SALTS.includes(config.deployment_id_salt)) {
        ctx.addIssue({
          code: "custom",
          path: ["deployment_id_salt"],
          message: "is the policy's example value: choose your own secret",
        });
      }
    }
    if (!config.enabled) return;
    for (const key of ["collector_url", "deployment_id_salt"] as const) {
      if (config[key] === undefined)
        ctx.addIssue({ code: "custom", path: [key], message: "is required when enabled" });
    }
  });

export const configDocumentSchema = z.strictObject({
  self_improvement: z
    .strictObject({ cross_deployment_analytics: analyticsConfigSchema.prefault({}) })
    .prefault({}),
});

export type AnalyticsConfig = z.output<typeof analyticsConfigSchema>;
export type AnalyticsConfigInput = z.input<typeof analyticsConfigSchema>;
export type CollectorConfig = z.output<typeof collectorConfigSchema>;
export type StoreConfig = z.output<typeof storeConfigSchema>;
export type ApiKeyEntry = z.output<typeof apiKeyEntrySchema>;

/** The config is invalid; `issues` names every bad key by its full path. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(`invalid analytics config:\n${describeIssues(issues)}`);
  }
}

const YAML_FILE = /\.(ya?ml|json)$/i;

function readSource(source: string | object): unknown {
  if (typeof source !== "string") return source;
  const looksLikePath = !source.includes("\n") && (YAML_FILE.test(source.trim()) || existsSync(source));
  let text = source;
  if (looksLikePath) {
    try {
      text = readFileSync(source, "utf8");
    } catch (error) {
      throw new ConfigError([
        { path: "(file)", message: `cannot read ${source}: ${(error as Error).message}` },
      ]);
    }
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((error) => ({ path: "(yaml)", message: error.message })));
  }
  return doc.toJS() ?? {};
}

/**
 * Load the analytics config from YAML text, a path to a YAML file, or a plain object (already
 * parsed YAML). Returns the typed `cross_deployment_analytics` block with every default filled in.
 */
export function loadAnalyticsConfig(source: string | object): AnalyticsConfig {
  const result = configDocumentSchema.safeParse(readSource(source));
  if (!result.success) throw new ConfigError(issuesFromZod(result.error));
  return result.data.self_improvement.cross_deployment_analytics;
}

/** The analytics block alone (no `self_improvement` wrapper), errors still named by full path. */
export function parseAnalyticsBlock(block: AnalyticsConfigInput): AnalyticsConfig {
  const result = analyticsConfigSchema.safeParse(block);
  if (!result.success) throw new ConfigError(issuesFromZod(result.error, CONFIG_PATH));
  return result.data;
}
