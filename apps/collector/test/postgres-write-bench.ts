// Measures, against a real PostgreSQL, what POSTGRES.md reports:
//  1. Writing a batch to the events table: one multi-row INSERT over unnest(arrays) vs COPY FROM
//     STDIN (text format, pg-copy-streams), each batch in its own transaction, alternating rounds.
//  2. The whole ingest path (store.ingest: key, claims, events, aggregates), sequential and concurrent.
//  3. groupAggregates() once the store holds --events events (default 1 000 000).
// Run: SYNTHORG_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:55432/synthorg_test \
//        npx tsx test/postgres-write-bench.ts [--events 1000000] [--rounds 5]
// It creates and drops a database of its own. Not a test: the figures depend on the machine.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { createPostgresStore } from "../src/store/postgres/index.js";
import { insertEvents } from "../src/store/postgres/events.js";
import { EVENT_COLUMNS, toEventRow, type EventRow } from "../src/store/postgres/rows.js";
import type { AnonymizedEvent } from "@synthorg/schema";
import { deploymentId, eventStream } from "./fixtures.js";
import { createTestDatabase, TEST_DATABASE_URL } from "./pg-cluster.js";

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    rounds: { type: "string", default: "5" },
  },
});
const TOTAL_EVENTS = Number(args.events);
const ROUNDS = Number(args.rounds);
const BATCH_SIZES = [50, 200, 1000];
const EVENTS_PER_ROUND = 20_000;
const AGGREGATE_QUERIES = 200;
const CONCURRENCY = 4;

// COPY text format: backslash escapes, \N for NULL.
const copyText = (value: string | number | null): string =>
  value === null
    ? "\\N"
    : String(value).replace(
        /[\\\t\n\r]/g,
        (char) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[char] ?? char,
      );

async function copyEvents(client: pg.PoolClient, rows: readonly EventRow[]): Promise<void> {
  const lines =
    rows.map((row) => EVENT_COLUMNS.map(([name]) => copyText(row[name])).join("\t")).join("\n") + "\n";
  const stream = client.query(
    copyFrom(`COPY events (${EVENT_COLUMNS.map(([name]) => name).join(", ")}) FROM STDIN`),
  );
  await pipeline(Readable.from([lines]), stream);
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const percentile = (values: number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;
const fmt = (n: number, digits = 0): string => n.toLocaleString("en-US", { maximumFractionDigits: digits });

async function timeBatches(
  pool: pg.Pool,
  batches: readonly EventRow[][],
  write: (client: pg.PoolClient, rows: readonly EventRow[]) => Promise<void>,
): Promise<number[]> {
  const client = await pool.connect();
  const times: number[] = [];
  try {
    for (const rows of batches) {
      const start = performance.now();
      await client.query("BEGIN");
      await write(client, rows);
      await client.query("COMMIT");
      times.push(performance.now() - start);
    }
  } finally {
    client.release();
  }
  return times;
}

async function main(): Promise<void> {
  if (TEST_DATABASE_URL === undefined) throw new Error("set SYNTHORG_TEST_DATABASE_URL (see the header)");
  const database = await createTestDatabase(TEST_DATABASE_URL, "synthorg_bench");
  try {
    // Migrations come with the store; the raw write comparison uses its own pool on the same tables.
    const setup = await createPostgresStore({
      url: database.url,
      maxDeploymentsPerKey: 1e9,
      idempotencyTtlHours: 24,
    });
    await setup.close();
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });

    console.log(`# 1. events-table write, one transaction per batch (${ROUNDS} alternating rounds)`);
    for (const size of BATCH_SIZES) {
      const rows = eventStream(EVENTS_PER_ROUND, { seed: size, deployments: 50 }).map(toEventRow);
      const batches = Array.from({ length: EVENTS_PER_ROUND / size }, (_, i) =>
        rows.slice(i * size, (i + 1) * size),
      );
      const times = { insert: [] as number[], copy: [] as number[] };
      await timeBatches(pool, batches.slice(0, 5), insertEvents); // warm up: prepared statement, caches
      await timeBatches(pool, batches.slice(0, 5), copyEvents);
      for (let round = 0; round < ROUNDS; round++) {
        times.insert.push(...(await timeBatches(pool, batches, insertEvents)));
        times.copy.push(...(await timeBatches(pool, batches, copyEvents)));
      }
      for (const [method, samples] of Object.entries(times)) {
        const total = samples.reduce((sum, ms) => sum + ms, 0);
        console.log(
          `batch ${String(size).padStart(4)}  ${method.padEnd(6)}  median ${fmt(median(samples), 2)} ms/batch` +
            `  p95 ${fmt(percentile(samples, 0.95), 2)} ms  ${fmt((samples.length * size) / (total / 1000))} events/s`,
        );
      }
    }
    await pool.query("TRUNCATE events");
    await pool.end();

    console.log(`\n# 2. store.ingest (the whole transaction), batches with keys`);
    const store = await createPostgresStore({
      url: database.url,
      maxDeploymentsPerKey: 1e9,
      idempotencyTtlHours: 24,
      pool: { max: CONCURRENCY },
    });
    let batchNo = 0;
    const ingestAll = async (batches: AnonymizedEvent[][], concurrency: number): Promise<number> => {
      const start = performance.now();
      for (let i = 0; i < batches.length; i += concurrency) {
        await Promise.all(
          batches
            .slice(i, i + concurrency)
            .map((events) => store.ingest({ events, writerId: "bench", batchKey: `b${batchNo++}` })),
        );
      }
      return (performance.now() - start) / 1000;
    };
    const shapes = [
      // What an emitter sends: batch_size (50) events of one deployment.
      { name: "50 events, 1 deployment     ", size: 50, deploymentsPerBatch: 1, count: 400 },
      { name: "1000 events, 200 deployments", size: 1000, deploymentsPerBatch: 200, count: 20 },
    ];
    for (const shape of shapes) {
      for (const concurrency of [1, CONCURRENCY]) {
        // Single-deployment batches come from 100 deployments in turn, as from a fleet of emitters.
        const batches = Array.from({ length: shape.count }, (_, i) => {
          const events = eventStream(shape.size, {
            seed: batchNo + i,
            deployments: shape.deploymentsPerBatch,
          });
          if (shape.deploymentsPerBatch > 1) return events;
          const deployment_id = deploymentId(`bench-${i % 100}`);
          return events.map((event) => ({ ...event, deployment_id }));
        });
        const seconds = await ingestAll(batches, concurrency);
        console.log(
          `${shape.name}  concurrency ${concurrency}  ${fmt((shape.count * shape.size) / seconds)} events/s` +
            `  ${fmt((seconds * 1000 * concurrency) / shape.count, 1)} ms per batch`,
        );
      }
    }

    const seeded = (await store.stats()).size;
    console.log(
      `(seeding to ${fmt(TOTAL_EVENTS)} events: 1000-event batches of 200 deployments, ${CONCURRENCY} at a time)`,
    );
    const seedStart = performance.now();
    for (let done = seeded; done < TOTAL_EVENTS; done += 100_000) {
      const events = eventStream(Math.min(100_000, TOTAL_EVENTS - done), { seed: done, deployments: 200 });
      const batches = Array.from({ length: Math.ceil(events.length / 1000) }, (_, i) =>
        events.slice(i * 1000, (i + 1) * 1000),
      );
      await ingestAll(batches, CONCURRENCY);
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;
    if (seeded < TOTAL_EVENTS)
      console.log(
        `seeded ${fmt(TOTAL_EVENTS - seeded)} events in ${fmt(seedSeconds, 1)} s: ` +
          `${fmt((TOTAL_EVENTS - seeded) / seedSeconds)} events/s`,
      );

    console.log(`\n# 3. groupAggregates() at ${fmt((await store.stats()).size)} events`);
    const groups = (await store.groupAggregates()).length;
    const samples: number[] = [];
    for (let i = 0; i < AGGREGATE_QUERIES; i++) {
      const start = performance.now();
      await store.groupAggregates();
      samples.push(performance.now() - start);
    }
    console.log(
      `${groups} groups: median ${fmt(median(samples), 2)} ms, p95 ${fmt(percentile(samples, 0.95), 2)} ms`,
    );
    await store.close();
  } finally {
    await database.drop();
  }
}

await main();
