// The PostgreSQL store: several collectors share one database. A batch, its idempotency key, the
// writer's new deployment claims and the aggregate deltas are one transaction (ingest.ts), so a
// batch is stored whole or not at all, and exactly once per (writer, key) however many collectors
// receive it. This file: startup (migrations), availability, retention scheduling, reads.
import type { Logger } from "pino";
import type { AnalyticsStore, GroupAggregate, IngestOutcome, IngestRequest, StoreStats } from "../types.js";
import { readGroupAggregates } from "./aggregates.js";
import type { Totals } from "./counters.js";
import {
  DEFAULT_RETRY_AFTER_SECONDS,
  createPool,
  describeError,
  idempotentQuery,
  inTransaction,
  isUnavailableError,
  storeError,
  type PoolOptions,
} from "./db.js";
import { ingestBatch, prepareBatch } from "./ingest.js";
import { loadMigrations, migrate } from "./migrate.js";
import { DEFAULT_RETENTION_CHUNK, runRetention, trimAfterIngest, type RetentionPolicy } from "./retention.js";

/** How often retention_days, a lowered max_events and expired batch keys are applied. */
export const DEFAULT_MAINTENANCE_INTERVAL_MS = 60_000;

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (collector.store.url or env DATABASE_URL). */
  readonly url: string;
  /** Keep at most this many events (oldest deleted first); undefined = no cap. */
  readonly maxEvents?: number;
  /** Delete events that arrived more than this many days ago; undefined = keep. */
  readonly retentionDays?: number;
  readonly maxDeploymentsPerKey: number;
  /** A batch key is remembered at least this long. */
  readonly idempotencyTtlHours: number;
  readonly logger?: Logger;
  readonly pool?: PoolOptions;
  /** Retry-After of the StoreUnavailableError thrown while the database is unreachable. */
  readonly retryAfterSeconds?: number;
  readonly maintenanceIntervalMs?: number;
  /** Events deleted per retention transaction. */
  readonly retentionChunk?: number;
}

export interface PostgresStore extends AnalyticsStore {
  readonly kind: "postgres";
  /** Run retention and the batch-key purge now (they also run on a timer); returns what was deleted. */
  maintain(): Promise<{ events: number; keys: number }>;
}

/** Where the store connects, for logs and errors: never the password. */
function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return "(unparsable url)";
  }
}

export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const log = options.logger?.child({ component: "store.postgres" });
  const retryAfter = options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
  const policy: RetentionPolicy = {
    maxEvents: options.maxEvents,
    retentionDays: options.retentionDays,
    chunk: options.retentionChunk ?? DEFAULT_RETENTION_CHUNK,
  };
  const target = describeTarget(options.url);
  const pool = createPool(options.url, options.pool ?? {}, log);

  try {
    const applied = await migrate(pool, await loadMigrations(), log);
    log?.info(
      { event: "store.postgres.ready", target, migrationsApplied: applied },
      "PostgreSQL store ready",
    );
  } catch (error) {
    await pool.end().catch(() => undefined);
    const failure = storeError(error, retryAfter);
    failure.message = `cannot open the PostgreSQL store at ${target}: ${failure.message}`;
    throw failure;
  }

  // Logged once per change, not once per failed request.
  let available = true;
  const noteAvailability = (now: boolean, error?: unknown): void => {
    if (now === available) return;
    available = now;
    if (now) log?.info({ event: "store.postgres.recovered", target }, "PostgreSQL reachable again");
    else
      log?.warn(
        { event: "store.postgres.unavailable", target, ...describeError(error) },
        "PostgreSQL unreachable: answering 503 until it returns",
      );
  };

  /** Runs a database step: unavailability becomes StoreUnavailableError; no driver detail escapes. */
  async function guarded<T>(step: () => Promise<T>): Promise<T> {
    try {
      const value = await step();
      noteAvailability(true);
      return value;
    } catch (error) {
      if (isUnavailableError(error)) noteAvailability(false, error);
      throw storeError(error, retryAfter);
    }
  }

  let closed = false;
  /** The last maintenance pass (settled or not); passes run one after another. */
  let maintenance: Promise<unknown> = Promise.resolve();
  let passesPending = 0;

  /** A pass that starts after any pass in flight, so it sees everything committed before the call. */
  function maintain(): Promise<{ events: number; keys: number }> {
    passesPending += 1;
    const pass = maintenance
      .then(() => guarded(() => runRetention(pool, policy, options.idempotencyTtlHours)))
      .finally(() => {
        passesPending -= 1;
      });
    maintenance = pass.catch(() => undefined);
    return pass;
  }

  function maintainInBackground(): void {
    if (closed || passesPending > 0) return;
    maintain().then(
      (deleted) => {
        if (deleted.events > 0 || deleted.keys > 0)
          log?.info({ event: "store.postgres.retention", deleted }, "old events and batch keys deleted");
      },
      (error: unknown) => {
        // Unavailability is logged once by guarded(); the next pass retries.
        if (!isUnavailableError(error))
          log?.error(
            { event: "store.postgres.retention_failed", ...describeError(error) },
            "retention failed",
          );
      },
    );
  }

  const timer = setInterval(
    maintainInBackground,
    options.maintenanceIntervalMs ?? DEFAULT_MAINTENANCE_INTERVAL_MS,
  );
  timer.unref();
  maintainInBackground();

  async function ingest(request: IngestRequest): Promise<IngestOutcome> {
    if (closed) throw new Error("the PostgreSQL store is closed");
    const batch = prepareBatch(request);
    const { outcome, size } = await guarded(() =>
      inTransaction(pool, (tx) => ingestBatch(tx, batch, options)),
    );
    if (policy.maxEvents !== undefined && size > policy.maxEvents) {
      // The batch is committed whatever happens here; a failed trim is redone by the next one.
      await trimAfterIngest(pool, policy).catch((error: unknown) =>
        log?.warn(
          { event: "store.postgres.trim_failed", ...describeError(error) },
          "trimming to max_events failed",
        ),
      );
    }
    return outcome;
  }

  return {
    kind: "postgres",
    ingest,

    groupAggregates(): Promise<GroupAggregate[]> {
      return guarded(() => readGroupAggregates(pool));
    },

    async stats(): Promise<StoreStats> {
      const { rows } = await guarded(() =>
        idempotentQuery<Totals & { deployments: number }>(pool, {
          name: "store_stats",
          text: `SELECT sum(ingested)::float8 AS ingested, sum(evicted)::float8 AS evicted,
                        (SELECT count(*) FROM deployments)::float8 AS deployments
                 FROM store_counters`,
        }),
      );
      const { ingested = 0, evicted = 0, deployments = 0 } = rows[0] ?? {};
      return {
        size: ingested - evicted,
        capacity: policy.maxEvents ?? null,
        ingested_total: ingested,
        evicted_total: evicted,
        deployments,
      };
    },

    async ready(): Promise<boolean> {
      if (closed) return false;
      try {
        await guarded(() => idempotentQuery(pool, { text: "SELECT 1" }));
        return true;
      } catch {
        return false;
      }
    },

    maintain,

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await maintenance;
      await pool.end();
    },
  };
}
