export {
  createPostgresStore,
  DEFAULT_MAINTENANCE_INTERVAL_MS,
  type PostgresStore,
  type PostgresStoreOptions,
} from "./store.js";
export {
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_POOL_MAX,
  DEFAULT_RETRY_AFTER_SECONDS,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  type PoolOptions,
} from "./db.js";
export { DEFAULT_RETENTION_CHUNK } from "./retention.js";
export { MIGRATIONS_DIR, loadMigrations, migrate } from "./migrate.js";
