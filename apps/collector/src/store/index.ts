// Picks the store the config names. Both kinds implement AnalyticsStore (types.ts).
import { CONFIG_PATH, ConfigError, type AnalyticsConfig } from "@synthorg/schema";
import type { Logger } from "pino";
import type { Clock } from "../rate-limit.js";
import { createMemoryStore, type MemoryStoreOptions } from "./memory.js";
import { createPostgresStore, type PostgresStoreOptions } from "./postgres/index.js";
import type { AnalyticsStore } from "./types.js";

export * from "./types.js";
export { createMemoryStore, type MemoryStore, type MemoryStoreOptions } from "./memory.js";
export { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from "./postgres/index.js";

/** The memory store's options from the `collector:` block. */
export function memoryStoreOptions(config: AnalyticsConfig, now?: Clock): MemoryStoreOptions {
  const collector = config.collector;
  return {
    maxEvents: collector.store.max_events,
    maxDeploymentsPerKey: collector.max_deployments_per_key,
    idempotencyTtlHours: collector.idempotency_ttl_hours,
    idempotencyMaxKeys: collector.idempotency_max_keys,
    ...(now === undefined ? {} : { now }),
  };
}

/** Where the postgres store connects: collector.store.url, else env DATABASE_URL. */
export const DATABASE_URL_ENV = "DATABASE_URL";

/** The PostgreSQL store's options from the `collector:` block. */
export function postgresStoreOptions(
  config: AnalyticsConfig,
  env: NodeJS.ProcessEnv = process.env,
): PostgresStoreOptions {
  const collector = config.collector;
  const url = collector.store.url ?? env[DATABASE_URL_ENV];
  if (url === undefined || url === "") {
    throw new ConfigError([
      {
        path: `${CONFIG_PATH}.collector.store.url`,
        message: `is required for store kind postgres (or set ${DATABASE_URL_ENV})`,
      },
    ]);
  }
  return {
    url,
    maxEvents: collector.store.max_events,
    ...(collector.store.retention_days === undefined
      ? {}
      : { retentionDays: collector.store.retention_days }),
    maxDeploymentsPerKey: collector.max_deployments_per_key,
    idempotencyTtlHours: collector.idempotency_ttl_hours,
    pool: {
      ...(collector.store.pool_max === undefined ? {} : { max: collector.store.pool_max }),
      ...(collector.store.statement_timeout_ms === undefined
        ? {}
        : { statementTimeoutMillis: collector.store.statement_timeout_ms }),
    },
  };
}

export async function createStore(
  config: AnalyticsConfig,
  options: { now?: Clock; logger?: Logger } = {},
): Promise<AnalyticsStore> {
  const kind = config.collector.store.kind;
  if (kind === "memory") return createMemoryStore(memoryStoreOptions(config, options.now));
  return createPostgresStore({
    ...postgresStoreOptions(config),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
}
