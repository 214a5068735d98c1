// The database goes away mid-run (a private cluster, crashed with pg_ctl -m immediate while batches
// are in flight) and comes back. While it is gone the collector answers 503 with Retry-After and
// /readyz says not ready; senders that retry each batch under its Idempotency-Key, as the emitter
// does, get every batch stored exactly once, none half-written.
import type { AnonymizedEvent } from "@synthorg/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPatterns } from "../src/patterns.js";
import { createPostgresStore, type PostgresStore } from "../src/store/postgres/index.js";
import { diffPatterns, naivePatterns } from "../src/testing/index.js";
import { eventStream } from "./fixtures.js";
import { startTestCollector, type TestCollector } from "./helpers.js";
import {
  HAVE_PGBIN,
  createTestDatabase,
  startPrivateCluster,
  type PgCluster,
  type TestDatabase,
} from "./pg-cluster.js";
import { aggregateDrift, sql } from "./postgres-oracle.js";

const SENDERS = 6;
const BATCHES_PER_SENDER = 8;
const BATCH_SIZE = 25;
const RETRY_AFTER_SECONDS = 1;
/** Senders give up on a batch after this long: a bound on the test, far above what it needs. */
const SEND_DEADLINE_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!HAVE_PGBIN)("PostgreSQL outage", () => {
  let cluster: PgCluster;
  let database: TestDatabase;
  let store: PostgresStore;
  let collector: TestCollector;

  beforeAll(async () => {
    cluster = await startPrivateCluster();
    database = await createTestDatabase(cluster.url);
    store = await createPostgresStore({
      url: database.url,
      maxDeploymentsPerKey: 1_000,
      idempotencyTtlHours: 24,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
      pool: { connectionTimeoutMillis: 2_000 },
    });
    collector = await startTestCollector({ rate_limit_per_minute: 100_000 }, { store });
  }, 30_000);

  afterAll(async () => {
    await collector?.close();
    await store?.close();
    await cluster?.destroy();
  });

  const readyStatus = async (): Promise<number> => (await fetch(`${collector.url}/readyz`)).status;

  interface Sent {
    readonly statuses: number[];
    readonly retryAfter: (string | null)[];
  }

  /** One emitter: sends its batches in order, each retried under its key until it is stored. */
  async function sender(id: number, batches: readonly AnonymizedEvent[][], sent: Sent, landed: () => void) {
    for (const [index, events] of batches.entries()) {
      const started = Date.now();
      for (;;) {
        const response = await fetch(`${collector.baseUrl}/events`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${collector.keys.write}`,
            "idempotency-key": `sender-${id}-batch-${index}`,
          },
          body: JSON.stringify({ events }),
        });
        await response.arrayBuffer();
        sent.statuses.push(response.status);
        if (response.status === 200) break;
        sent.retryAfter.push(response.headers.get("retry-after"));
        if (Date.now() - started > SEND_DEADLINE_MS) throw new Error(`batch ${id}/${index} never landed`);
        await sleep(Number(response.headers.get("retry-after") ?? RETRY_AFTER_SECONDS) * 1000);
      }
      landed();
    }
  }

  it("answers 503 + Retry-After while the database is down, and loses nothing once it is back", async () => {
    const events = eventStream(SENDERS * BATCHES_PER_SENDER * BATCH_SIZE, { seed: 41, deployments: 10 });
    const batchesOf = (sender: number) =>
      Array.from({ length: BATCHES_PER_SENDER }, (_, i) => {
        const from = (sender * BATCHES_PER_SENDER + i) * BATCH_SIZE;
        return events.slice(from, from + BATCH_SIZE);
      });
    const sent: Sent = { statuses: [], retryAfter: [] };
    let landed = 0;
    let outage: () => void = () => undefined;
    const outageStarted = new Promise<void>((resolve) => (outage = resolve));
    const senders = Promise.all(
      Array.from({ length: SENDERS }, (_, id) =>
        sender(id, batchesOf(id), sent, () => {
          landed += 1;
          if (landed === SENDERS) outage();
        }),
      ),
    );

    // Crash the database once a batch per sender has landed, with the next ones in flight.
    await outageStarted;
    await cluster.stop("immediate");
    const landedBeforeOutage = landed;
    while (!sent.statuses.includes(503)) await sleep(20);
    expect(await readyStatus()).toBe(503);
    await sleep(RETRY_AFTER_SECONDS * 1000);
    await cluster.start();
    await senders;

    expect(landedBeforeOutage).toBeLessThan(SENDERS * BATCHES_PER_SENDER);
    expect(new Set(sent.statuses)).toEqual(new Set([200, 503]));
    expect(sent.retryAfter.every((value) => value === String(RETRY_AFTER_SECONDS))).toBe(true);
    expect(await readyStatus()).toBe(200);
    await expect(store.stats()).resolves.toMatchObject({
      size: events.length,
      ingested_total: events.length,
    });
    const [row] = await sql<{ count: number }>(database.url, "SELECT count(*)::int AS count FROM events");
    expect(row?.count).toBe(events.length);
    expect(await aggregateDrift(database.url)).toEqual([]);
    const patterns = buildPatterns(await store.groupAggregates(), 2);
    expect(diffPatterns(patterns, naivePatterns(events, { minDeployments: 2 }))).toEqual([]);
  }, 60_000);
});
