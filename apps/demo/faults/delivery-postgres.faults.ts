// Exactly-once delivery on the PostgreSQL store while the collector itself dies: a real `collector
// serve` child process is SIGKILLed twice mid-run (requests in flight, transactions open) and started
// again on the same port; the fleet behind the fault proxy keeps retrying, and the database ends up
// holding exactly the known set — per deployment, per event and per pattern.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { AnonymizedEvent } from "@synthorg/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fleetWireEvents } from "../src/actions.js";
import { planFleet } from "../src/plan.js";
import { spawnCollector, writeConfigFile, type CollectorProcess } from "./collector-process.js";
import { perDeployment } from "./exactly.js";
import {
  POSTGRES_SKIP_LINE,
  TEST_DATABASE_URL,
  createScratchDatabase,
  type ScratchDatabase,
} from "./postgres.js";
import { FAULT_LABELS, startFaultProxy, summarizeExchanges, type FaultProxy } from "./proxy.js";
import {
  FAULT_CLOSE_TIMEOUT_MS,
  FAULT_EMITTER_CONFIG,
  collectorDocument,
  checkAnswers,
  faultFleet,
  fleetKeys,
  mixedFaults,
  readJson,
  recordFigures,
} from "./scenario.js";

const DEPLOYMENTS = 10;
const EVENTS = 2_000;
const SEED = 21;
/** Kill the collector when this share of the batches has been accepted, then again at the next. */
const KILL_AT = [0.3, 0.6] as const;
const POLL_MS = 20;

if (TEST_DATABASE_URL === undefined) console.warn(POSTGRES_SKIP_LINE);

describe.skipIf(TEST_DATABASE_URL === undefined)(
  "a fleet through faults and collector kills, PostgreSQL store",
  () => {
    const keys = fleetKeys(DEPLOYMENTS);
    let dir: string | undefined;
    let database: ScratchDatabase;
    let configFile: string;
    let collector: CollectorProcess | undefined;
    let proxy: FaultProxy;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "synthorg-faults-"));
      database = await createScratchDatabase(TEST_DATABASE_URL!);
      configFile = writeConfigFile(
        dir,
        "collector.yaml",
        collectorDocument({ api_keys: [...keys.entries], store: { kind: "postgres", url: database.url } }),
      );
      collector = await spawnCollector({ configFile });
      proxy = await startFaultProxy({ upstream: collector.origin, schedule: mixedFaults(SEED) });
    });

    afterAll(async () => {
      await proxy?.close();
      await collector?.stop();
      await database?.drop();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    it("delivers every event exactly once across two SIGKILLs and restarts", async () => {
      const plan = planFleet({ deployments: DEPLOYMENTS, events: EVENTS, seed: SEED });
      const sent: AnonymizedEvent[] = [];
      const fleet = faultFleet({ plan, origin: proxy.url, keys, sent });
      const batches = EVENTS / FAULT_EMITTER_CONFIG.batch_size;
      const accepted = () => summarizeExchanges(proxy.records()).accepted;

      let running = true;
      const run = fleet.run({ closeTimeoutMs: FAULT_CLOSE_TIMEOUT_MS }).finally(() => {
        running = false;
      });
      const pids: number[] = [collector!.pid];
      for (const share of KILL_AT) {
        while (running && accepted() < share * batches) await sleep(POLL_MS);
        if (!running) break;
        const { port } = collector!;
        await collector!.kill();
        // Same port: the proxy (a load balancer) keeps its upstream address; until the new process
        // listens, emitters get 502s and retry.
        collector = await spawnCollector({ configFile, port });
        pids.push(collector.pid);
      }
      const result = await run;
      expect(pids).toHaveLength(KILL_AT.length + 1);

      expect(result).toMatchObject({ emitted: EVENTS, sent: EVENTS, dropped: 0, pending: 0 });
      const expected = fleetWireEvents(plan);
      expect(perDeployment(sent)).toEqual(perDeployment(expected));

      // Read back from the database itself, not through the collector.
      const rows = await database.query<{ deployment_id: string }>(
        "SELECT deployment_id FROM events ORDER BY deployment_id",
      );
      expect(rows).toHaveLength(EVENTS);
      expect(perDeployment(rows)).toEqual(perDeployment(expected));
      const projection = (e: {
        deployment_id: string;
        day: string;
        source_rule: string | null;
        confidence: number | null;
        observation_hours: number | null;
        industry_tag: string | null;
        sdk_version: string;
      }) =>
        JSON.stringify([
          e.deployment_id,
          e.day,
          e.source_rule,
          e.confidence,
          e.observation_hours,
          e.industry_tag,
          e.sdk_version,
        ]);
      const stored = await database.query<Parameters<typeof projection>[0]>(
        "SELECT deployment_id, to_char(event_day, 'YYYY-MM-DD') AS day, source_rule, confidence::float8 AS confidence, " +
          "observation_hours::float8 AS observation_hours, industry_tag, sdk_version FROM events",
      );
      expect(stored.map(projection).sort()).toEqual(
        expected.map((e) => projection({ ...e, day: e.timestamp })).sort(),
      );

      // And through the restarted collector's API.
      const stats = (await readJson(collector!.origin, "/stats", keys.read)) as {
        store: Record<string, unknown>;
      };
      expect(stats.store).toMatchObject({ kind: "postgres", size: EVENTS, ingested_total: EVENTS });
      const answers = await checkAnswers(collector!.origin, keys.read, expected);
      expect(answers.differences).toEqual([]);
      expect(answers.patterns).toBeGreaterThan(0);
      expect(answers.recommendations).toBeGreaterThan(0);

      const summary = summarizeExchanges(proxy.records());
      for (const label of FAULT_LABELS) expect(summary.faults[label], label).toBeGreaterThan(0);
      expect(summary.upstreamErrors).toBeGreaterThan(0);
      expect(summary.duplicatesRefused).toBeGreaterThan(0);
      // A batch stored just before a kill is refused as a duplicate without an earlier 2xx on record.
      expect(summary.duplicatesRefused).toBeGreaterThanOrEqual(summary.repeatsReachingCollector);

      recordFigures("delivery-postgres", {
        deployments: DEPLOYMENTS,
        events_sent: EVENTS,
        rows_in_database: rows.length,
        collector_kills: KILL_AT.length,
        patterns_compared: answers.patterns,
        recommendations_compared: answers.recommendations,
        ...summary,
      });
    });
  },
);
