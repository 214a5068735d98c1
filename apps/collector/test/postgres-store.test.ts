// The PostgreSQL store against a real server: the shared store contract, then what only a shared,
// durable database has: migrations, restarts, several stores on one database, retention, outages of
// single connections. Each store gets a database of its own, dropped afterwards.
import type { AnonymizedEvent } from "@synthorg/schema";
import { afterAll, describe, expect, it } from "vitest";
import { buildPatterns } from "../src/patterns.js";
import {
  createPostgresStore,
  loadMigrations,
  migrate,
  type PostgresStore,
} from "../src/store/postgres/index.js";
import { createPool } from "../src/store/postgres/db.js";
import { StoreUnavailableError, type IngestRequest } from "../src/store/types.js";
import { diffPatterns, naivePatterns } from "../src/testing/index.js";
import { sampleDecisionEvent, sampleRolloutEvent } from "@synthorg/schema/testing";
import { asEvents, deploymentId, eventStream } from "./fixtures.js";
import { HAVE_POSTGRES, createTestDatabase, warnIfNoPostgres, type TestDatabase } from "./pg-cluster.js";
import { aggregateDrift, sql } from "./postgres-oracle.js";
import { describeStoreContract } from "./store-contract.js";

warnIfNoPostgres();

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.splice(0).map((database) => database.drop()));
});

async function freshDatabase(): Promise<string> {
  const database = await createTestDatabase();
  databases.push(database);
  return database.url;
}

type StoreOptions = Omit<Parameters<typeof createPostgresStore>[0], "url">;
const DEFAULTS: StoreOptions = { maxDeploymentsPerKey: 1_000, idempotencyTtlHours: 24 };

function openStore(url: string, options: Partial<StoreOptions> = {}): Promise<PostgresStore> {
  return createPostgresStore({ url, ...DEFAULTS, ...options });
}

function request(
  events: readonly AnonymizedEvent[],
  batchKey: string | null = null,
  writerId = "writer",
): IngestRequest {
  return { events, writerId, batchKey };
}

/** The store's patterns at several k equal the naive reference over `retained`, and no table drifted. */
async function expectExact(
  store: PostgresStore,
  url: string,
  retained: readonly AnonymizedEvent[],
): Promise<void> {
  const aggregates = await store.groupAggregates();
  for (const k of [1, 2, 3]) {
    expect(
      diffPatterns(buildPatterns(aggregates, k), naivePatterns(retained, { minDeployments: k })),
    ).toEqual([]);
  }
  expect(await aggregateDrift(url)).toEqual([]);
}

describe.skipIf(!HAVE_POSTGRES)("PostgreSQL store", { timeout: 20_000 }, () => {
  describeStoreContract("postgres", async (options) => {
    const database = await createTestDatabase();
    const store = await openStore(database.url, {
      maxEvents: options.maxEvents,
      maxDeploymentsPerKey: options.maxDeploymentsPerKey,
    });
    return {
      ...store,
      async close() {
        await store.close();
        await database.drop();
      },
    };
  });

  describe("migrations", () => {
    it("apply once, record a checksum, and let collectors that start together all come up", async () => {
      const url = await freshDatabase();
      const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(url)));
      const ledger = await sql<{ version: number; checksum: string }>(
        url,
        "SELECT version, checksum FROM schema_migrations",
      );
      const migrations = await loadMigrations();
      expect(ledger).toEqual(migrations.map(({ version, checksum }) => ({ version, checksum })));
      await Promise.all(stores.map((store) => store.close()));
    });

    it("refuse a database migrated by a newer collector, or an applied migration that was edited", async () => {
      const url = await freshDatabase();
      const pool = createPool(url, {}, undefined);
      try {
        const migrations = await loadMigrations();
        await expect(migrate(pool, migrations)).resolves.toEqual([1]);
        await expect(migrate(pool, migrations)).resolves.toEqual([]);
        const edited = migrations.map((migration) => ({ ...migration, checksum: "0".repeat(64) }));
        await expect(migrate(pool, edited)).rejects.toThrow(/was changed after it was applied/);
        await sql(
          url,
          "INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'future', 'x')",
        );
        await expect(migrate(pool, migrations)).rejects.toThrow(/9999_future.*newer collector/);
      } finally {
        await pool.end();
      }
    });
  });

  it("keeps everything across a restart: events, aggregates, batch keys and deployment claims", async () => {
    const url = await freshDatabase();
    const events = eventStream(300, { seed: 21, deployments: 3 });
    const first = await openStore(url, { maxDeploymentsPerKey: 3 });
    await first.ingest(request(events.slice(0, 150), "a"));
    await first.ingest(request(events.slice(150), "b"));
    const before = { stats: await first.stats(), aggregates: await first.groupAggregates() };
    await first.close();

    const second = await openStore(url, { maxDeploymentsPerKey: 3 });
    expect(await second.stats()).toEqual(before.stats);
    expect(await second.groupAggregates()).toEqual(before.aggregates);
    await expect(second.ingest(request(events.slice(0, 150), "a"))).resolves.toEqual({
      kind: "stored",
      ingested: 150,
      duplicate: true,
    });
    const fourth = asEvents([sampleDecisionEvent({ deployment_id: deploymentId("fourth") })]);
    await expect(second.ingest(request(fourth))).resolves.toEqual({ kind: "deployment_cap", limit: 3 });
    await expectExact(second, url, events);
    await second.close();
  });

  it("stores each batch exactly once when two stores on one database receive the same batches at once", async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([
      openStore(url, { pool: { max: 4 } }),
      openStore(url, { pool: { max: 4 } }),
    ]);
    const events = eventStream(1_200, { seed: 22, deployments: 9 });
    const batches = Array.from({ length: 24 }, (_, i) => events.slice(i * 50, i * 50 + 50));
    const outcomes = await Promise.all(
      batches.flatMap((batch, i) => [a.ingest(request(batch, `k${i}`)), b.ingest(request(batch, `k${i}`))]),
    );
    expect(outcomes.filter((outcome) => outcome.kind === "stored" && !outcome.duplicate)).toHaveLength(24);
    expect(outcomes.filter((outcome) => outcome.kind === "stored" && outcome.duplicate)).toHaveLength(24);
    expect(outcomes.every((outcome) => outcome.kind === "stored" && outcome.ingested === 50)).toBe(true);
    await expect(a.stats()).resolves.toMatchObject({ size: 1_200, ingested_total: 1_200 });
    await expectExact(b, url, events);
    await Promise.all([a.close(), b.close()]);
  });

  it("keeps a writer within its deployment cap when stores race to claim new deployments", async () => {
    const url = await freshDatabase();
    // The store's transactions must not depend on the server's default isolation level.
    await sql(
      url,
      `ALTER DATABASE ${new URL(url).pathname.slice(1)} SET default_transaction_isolation TO 'repeatable read'`,
    );
    const stores = await Promise.all([0, 1, 2].map(() => openStore(url, { maxDeploymentsPerKey: 2 })));
    const names = ["a", "b", "c", "d", "e", "f"];
    const outcomes = await Promise.all(
      names.map((name, i) =>
        (stores[i % stores.length] as PostgresStore).ingest(
          request(asEvents([sampleDecisionEvent({ deployment_id: deploymentId(name) })]), null, "sybil"),
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.kind === "stored")).toHaveLength(2);
    expect(outcomes.filter((outcome) => outcome.kind === "deployment_cap")).toHaveLength(4);
    const claims = await sql(url, "SELECT deployment_id FROM deployment_claims WHERE writer_id = 'sybil'");
    expect(claims).toHaveLength(2);
    await expect((stores[0] as PostgresStore).stats()).resolves.toMatchObject({ size: 2, deployments: 2 });
    await Promise.all(stores.map((store) => store.close()));
  });

  describe("retention", () => {
    it("deletes events older than retention_days and keeps the aggregates exact", async () => {
      const url = await freshDatabase();
      const store = await openStore(url, { retentionDays: 30 });
      const events = eventStream(400, { seed: 23, deployments: 6 });
      await store.ingest(request(events.slice(0, 250)));
      await store.ingest(request(events.slice(250)));
      // The first 250 arrived 31 days ago (UTC days), the next 50 exactly 30 days ago: kept.
      await sql(url, "UPDATE events SET received_day = received_day - 31 WHERE id <= 250");
      await sql(url, "UPDATE events SET received_day = received_day - 30 WHERE id > 250 AND id <= 300");
      await expect(store.maintain()).resolves.toMatchObject({ events: 250 });
      await expect(store.stats()).resolves.toMatchObject({
        size: 150,
        ingested_total: 400,
        evicted_total: 250,
      });
      await expectExact(store, url, events.slice(250));
      await store.close();
    });

    it("trims to a lowered max_events in bounded chunks on the pass at startup", async () => {
      const url = await freshDatabase();
      const events = eventStream(1_000, { seed: 24, deployments: 8 });
      const roomy = await openStore(url);
      for (let i = 0; i < events.length; i += 200) await roomy.ingest(request(events.slice(i, i + 200)));
      await roomy.close();

      // The pass at startup works the excess off, 250 events per transaction; maintain() waits for it.
      const tight = await openStore(url, { maxEvents: 100, retentionChunk: 250 });
      await tight.maintain();
      await expect(tight.stats()).resolves.toMatchObject({ size: 100, capacity: 100, evicted_total: 900 });
      await expectExact(tight, url, events.slice(-100));
      await tight.close();
    });

    it("keeps sums exact to the last digit when events come and go", async () => {
      const url = await freshDatabase();
      const store = await openStore(url, { maxEvents: 1 });
      const values = [0.1, 0.2, 1e-7, 0.30000000000000004, 1 / 3, 0.7];
      for (const confidence of values)
        await store.ingest(request(asEvents([sampleDecisionEvent({ confidence })])));
      const hours = [0.1, 1e-9, 99_999.99];
      for (const observation_hours of hours)
        await store.ingest(request(asEvents([sampleRolloutEvent({ observation_hours })])));
      await store.ingest(request(asEvents([sampleDecisionEvent({ confidence: 0.7 })])));
      const [group] = await store.groupAggregates();
      expect(group).toMatchObject({
        confidence_sum: 0.7,
        confidence_count: 1,
        observation_hours_sum: 0,
        total_events: 1,
      });
      await store.close();
    });

    it("forgets batch keys after the TTL: the batch is then stored again, and the key row purged", async () => {
      const url = await freshDatabase();
      const store = await openStore(url, { idempotencyTtlHours: 24 });
      const events = eventStream(5, { seed: 25, deployments: 1 });
      await store.ingest(request(events, "old"));
      await store.ingest(request(events, "stale"));
      await sql(
        url,
        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE batch_key = 'old'",
      );
      await expect(store.ingest(request(events, "old"))).resolves.toMatchObject({ duplicate: false });
      await sql(
        url,
        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE batch_key = 'stale'",
      );
      await expect(store.maintain()).resolves.toEqual({ events: 0, keys: 1 });
      expect(await sql(url, "SELECT batch_key FROM idempotency_keys")).toEqual([{ batch_key: "old" }]);
      await store.close();
    });
  });

  it("stores text PostgreSQL cannot hold (U+0000, lone surrogates) as U+FFFD, counted consistently", async () => {
    const url = await freshDatabase();
    const store = await openStore(url, { maxEvents: 2 });
    const odd = asEvents([
      sampleDecisionEvent({ industry_tag: "a\u0000b", sdk_version: "1\ud800" }),
      sampleDecisionEvent({ industry_tag: "a\ufffdb", deployment_id: deploymentId(2) }),
      sampleDecisionEvent({ industry_tag: "emoji \ud83d\ude00" }),
    ]);
    await expect(store.ingest(request(odd))).resolves.toMatchObject({ kind: "stored", ingested: 3 });
    const [group] = await store.groupAggregates();
    expect(group?.industries).toEqual(
      expect.arrayContaining([
        { tag: "a\ufffdb", events: 1, deployments: 1 },
        { tag: "emoji \ud83d\ude00", events: 1, deployments: 1 },
      ]),
    );
    expect(await aggregateDrift(url)).toEqual([]);
    await store.close();
  });

  it("has an oracle that notices a maintained count or sum off by the smallest amount", async () => {
    const url = await freshDatabase();
    const store = await openStore(url);
    await store.ingest(request(eventStream(50, { seed: 28, deployments: 3 })));
    expect(await aggregateDrift(url)).toEqual([]);
    await sql(
      url,
      "UPDATE group_sums SET confidence_sum = confidence_sum + 1e-30 WHERE ctid = (SELECT min(ctid) FROM group_sums)",
    );
    await sql(url, "UPDATE store_counters SET evicted = evicted + 1 WHERE slot = 0");
    const drift = await aggregateDrift(url);
    expect(drift.map(({ table, side }) => `${table}: ${side}`).sort()).toEqual([
      "group_sums: stored only",
      "group_sums: truth only",
      "store_counters: stored only",
    ]);
    await store.close();
  });

  it("survives connections the server drops while idle, and carries on", async () => {
    const url = await freshDatabase();
    const store = await openStore(url);
    await store.ingest(request(eventStream(20, { seed: 26, deployments: 2 })));
    const database = new URL(url).pathname.slice(1);
    const killed = await sql(
      url,
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [database],
    );
    expect(killed.length).toBeGreaterThan(0);
    // The pool's idle clients die with an 'error' event; the store handles it and reconnects.
    await expect(store.ingest(request(eventStream(20, { seed: 27, deployments: 2 })))).resolves.toMatchObject(
      {
        kind: "stored",
      },
    );
    await expect(store.stats()).resolves.toMatchObject({ size: 40 });
    await store.close();
  });

  it("fails to open with StoreUnavailableError naming host and database, never the password", async () => {
    const closedPort = "postgres://collector:s3cret-password@127.0.0.1:9/synthorg";
    const failure = await createPostgresStore({ url: closedPort, ...DEFAULTS, retryAfterSeconds: 7 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as StoreUnavailableError).retryAfterSeconds).toBe(7);
    expect((failure as Error).message).toContain("127.0.0.1:9/synthorg");
    expect((failure as Error).message).not.toContain("s3cret");
  });
});
