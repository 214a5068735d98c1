// Case 7: the PostgreSQL store, when a database is available (SYNTHORG_TEST_DATABASE_URL or
// DATABASE_URL). Everything happens in a fresh database created for this run and dropped after it.
// Baselines, on the same server in the same run:
//   ingest — one multi-row INSERT per batch of the same events into a bare, unindexed table: what
//            getting 1000 rows into PostgreSQL costs at least;
//   query  — one GROUP BY scan over that table (counts, distinct deployments, industry breakdown):
//            what a store without kept aggregates would run per pattern query.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { buildPatterns, createPostgresStore, type PostgresStore } from "@synthorg/collector";
import {
  DEFAULT_IDEMPOTENCY_TTL_HOURS,
  DEFAULT_MAX_DEPLOYMENTS_PER_KEY,
  DEFAULT_MIN_DEPLOYMENTS_FOR_PATTERN,
  type AnonymizedEvent,
} from "@synthorg/schema";
import pg from "pg";
import { fleetBatches } from "../fleet.js";
import {
  fractionOf,
  measurement,
  speedupOver,
  timePerAsyncCall,
  type BenchCase,
  type CaseResult,
} from "../harness.js";
import { formatNumber } from "../table.js";

export const DATABASE_URL_ENVS = ["SYNTHORG_TEST_DATABASE_URL", "DATABASE_URL"] as const;
const FULL_EVENTS = 1_000_000;
const QUICK_EVENTS = 100_000;
const DEPLOYMENTS = 200;

const RAW_TABLE_SQL = `CREATE TABLE bench_raw_events (
  deployment_id text, event_type text, day date, altitude text, source_rule text, decision text,
  confidence float8, rollout_outcome text, regression_verdict text, observation_hours float8,
  enabled_altitudes text[], industry_tag text, sdk_version text)`;

const RAW_INSERT_SQL = `INSERT INTO bench_raw_events SELECT d, t, day, a, r, dec, c, o, v, h, ea::text[], i, s FROM unnest(
  $1::text[], $2::text[], $3::date[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::text[],
  $9::text[], $10::float8[], $11::text[], $12::text[], $13::text[]) AS e(d, t, day, a, r, dec, c, o, v, h, ea, i, s)`;

// enabled_altitudes go in as one text each ('{a,b}' literals): unnest flattens a 2-D array.
function rawColumns(events: readonly AnonymizedEvent[]): unknown[] {
  const col = <T>(pick: (event: AnonymizedEvent) => T) => events.map(pick);
  return [
    col((e) => e.deployment_id),
    col((e) => e.event_type),
    col((e) => e.timestamp),
    col((e) => e.altitude),
    col((e) => e.source_rule),
    col((e) => e.decision),
    col((e) => e.confidence),
    col((e) => e.rollout_outcome),
    col((e) => e.regression_verdict),
    col((e) => e.observation_hours),
    col((e) => `{${e.enabled_altitudes.join(",")}}`),
    col((e) => e.industry_tag),
    col((e) => e.sdk_version),
  ];
}

const SCAN_GROUPS_SQL = `SELECT source_rule, altitude, count(*) AS total, count(DISTINCT deployment_id) AS deployments,
  count(*) FILTER (WHERE event_type = 'proposal_decision') AS decisions,
  count(*) FILTER (WHERE decision = 'approved') AS approved, avg(confidence) AS confidence,
  count(*) FILTER (WHERE event_type = 'rollout_result') AS rollouts,
  count(*) FILTER (WHERE rollout_outcome = 'success') AS successes, avg(observation_hours) AS hours
FROM bench_raw_events WHERE source_rule IS NOT NULL GROUP BY 1, 2 HAVING count(DISTINCT deployment_id) >= $1`;

const SCAN_INDUSTRIES_SQL = `SELECT source_rule, altitude, industry_tag, count(*) AS events
FROM bench_raw_events WHERE source_rule IS NOT NULL AND industry_tag IS NOT NULL
GROUP BY 1, 2, 3 HAVING count(DISTINCT deployment_id) >= $1`;

function databaseUrl(): string | undefined {
  for (const name of DATABASE_URL_ENVS) {
    const value = process.env[name];
    if (value) return value;
  }
  return undefined;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export const postgresCase: BenchCase = {
  id: "7",
  title: "PostgreSQL store",
  async run({ quick, repetitions, log }): Promise<CaseResult> {
    const url = databaseUrl();
    if (url === undefined) {
      return {
        skipped: {
          caseId: "7",
          title: "PostgreSQL store",
          reason: `set ${DATABASE_URL_ENVS.join(" or ")} to run it`,
        },
      };
    }
    const total = quick ? QUICK_EVENTS : FULL_EVENTS;
    const title = `PostgreSQL store, ${formatNumber(total)} events${quick ? " (--quick)" : ""}`;
    const database = `synthorg_bench_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const benchUrl = withDatabase(url, database);
    const raw = new pg.Client({ connectionString: benchUrl });
    let store: PostgresStore | undefined;
    try {
      await raw.connect();
      await raw.query(RAW_TABLE_SQL);
      store = await createPostgresStore({
        url: benchUrl,
        maxDeploymentsPerKey: DEFAULT_MAX_DEPLOYMENTS_PER_KEY,
        idempotencyTtlHours: DEFAULT_IDEMPOTENCY_TTL_HOURS,
      });
      // Fill both in `repetitions` segments, alternating, so both see the same server conditions.
      const segmentEvents = Math.ceil(total / repetitions);
      const rawRates: number[] = [];
      const storeRates: number[] = [];
      let rawMs = 0;
      let storeMs = 0;
      let segmentCount = 0;
      for (const batch of fleetBatches(total, DEPLOYMENTS, 7)) {
        let t0 = performance.now();
        await raw.query(RAW_INSERT_SQL, rawColumns(batch.events));
        rawMs += performance.now() - t0;
        t0 = performance.now();
        const outcome = await store.ingest({
          events: batch.events,
          writerId: batch.writerId,
          batchKey: randomBytes(8).toString("hex"),
        });
        storeMs += performance.now() - t0;
        if (outcome.kind !== "stored" || outcome.duplicate)
          throw new Error(`store refused a batch: ${outcome.kind}`);
        segmentCount += batch.events.length;
        if (segmentCount >= segmentEvents) {
          rawRates.push((segmentCount / rawMs) * 1000);
          storeRates.push((segmentCount / storeMs) * 1000);
          log(`  7: ${storeRates.length}/${repetitions} segments stored`);
          segmentCount = rawMs = storeMs = 0;
        }
      }
      if (segmentCount > 0) {
        rawRates.push((segmentCount / rawMs) * 1000);
        storeRates.push((segmentCount / storeMs) * 1000);
      }
      await raw.query("ANALYZE bench_raw_events");

      const k = DEFAULT_MIN_DEPLOYMENTS_FOR_PATTERN;
      const minMs = quick ? 500 : 2000;
      const pgStore = store;
      const query = async () => buildPatterns(await pgStore.groupAggregates(), k);
      const scan = async () =>
        Promise.all([raw.query(SCAN_GROUPS_SQL, [k]), raw.query(SCAN_INDUSTRIES_SQL, [k])]);
      const patterns = await query();
      const scanned = (await scan())[0].rowCount;
      if (patterns.length !== scanned)
        throw new Error(`store found ${patterns.length} patterns, the scan ${scanned}`);
      const queryMs: number[] = [];
      const scanMs: number[] = [];
      for (let i = 0; i < repetitions; i++) {
        scanMs.push(await timePerAsyncCall(scan, minMs));
        queryMs.push(await timePerAsyncCall(query, minMs));
      }

      const ingest = measurement("store.ingest", "events/s", storeRates);
      const insert = measurement("bare INSERT … unnest", "events/s", rawRates);
      const read = measurement("groupAggregates → buildPatterns", "ms", queryMs);
      const groupBy = measurement("GROUP BY scan", "ms", scanMs);
      return {
        rows: [
          {
            caseId: "7a",
            title: `${title}: ingest, batch 1000`,
            subject: ingest,
            baseline: insert,
            ratio: fractionOf(ingest, insert),
            goals: [],
            note: "one transaction per batch: batch key, deployment claims, event rows, aggregate deltas",
          },
          {
            caseId: "7b",
            title: `${title}: pattern query`,
            subject: read,
            baseline: groupBy,
            ratio: speedupOver(read, groupBy),
            goals: [],
            note: `${patterns.length} patterns at k = ${k}, ${DEPLOYMENTS} deployments`,
          },
        ],
      };
    } finally {
      await store?.close();
      await raw.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
      await admin.end();
    }
  },
};
