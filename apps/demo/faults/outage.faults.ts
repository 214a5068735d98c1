// The collector is down for an hour of a busy deployment's traffic. The hour is simulated: 3 600
// one-second ticks run about a millisecond each, and the emitter's retry schedule is compressed by
// the same factor (base 1 s → 1 ms, cap 30 s → 30 ms), so it goes through the attempts of a real hour
// in seconds. The queue never grows past max_pending, every drop is counted, and when the collector
// comes back on the same address everything still queued arrives exactly once.
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { startCollector, type MemoryStore, type RunningCollector } from "@synthorg/collector";
import { createAnalyticsEmitter, DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_CAP_MS } from "@synthorg/emitter";
import { BASE_PATH } from "@synthorg/collector";
import { parseAnalyticsBlock, type AnonymizedEvent } from "@synthorg/schema";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_SDK_VERSION, deploymentActions, emitAction, fleetWireEvents } from "../src/actions.js";
import { planFleet } from "../src/plan.js";
import { diffEvents } from "./exactly.js";
import { LOOPBACK, collectorConfig, fleetKeys, recordFigures } from "./scenario.js";

const SIMULATED_SECONDS = 3_600;
const EVENTS_PER_SECOND = 5;
const EVENTS = SIMULATED_SECONDS * EVENTS_PER_SECOND;
const MAX_PENDING = 1_000;
const BATCH_SIZE = 50;
/** Real time per simulated second, and the factor the retry schedule is compressed by to match. */
const TICK_MS = 1;
const COMPRESSION = 1_000;
const SEED = 3;

let collector: RunningCollector | undefined;
afterAll(async () => {
  await collector?.close();
});

/** A loopback port nothing listens on (until the collector comes back on it). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("the collector down for a simulated hour", () => {
  it("bounds the queue by max_pending, counts every drop, and delivers what is left once", async () => {
    const keys = fleetKeys(1);
    const port = await deadPort();
    const plan = planFleet({ deployments: 1, events: EVENTS, seed: SEED });
    const profile = plan.deployments[0]!;
    const emitter = createAnalyticsEmitter({
      config: parseAnalyticsBlock({
        enabled: true,
        collector_url: `http://${LOOPBACK}:${port}${BASE_PATH}`,
        deployment_id_salt: profile.salt,
        industry_tag: profile.industryTag ?? undefined,
        max_pending: MAX_PENDING,
        batch_size: BATCH_SIZE,
        http_timeout_seconds: 1,
      }),
      altitudes: profile.altitudes,
      sdkVersion: DEMO_SDK_VERSION,
      apiKey: keys.write[0],
      logger: pino({ level: "silent" }),
      retryBaseMs: DEFAULT_RETRY_BASE_MS / COMPRESSION,
      retryCapMs: DEFAULT_RETRY_CAP_MS / COMPRESSION,
    })!;

    const emitted: AnonymizedEvent[] = fleetWireEvents(plan);
    const actions = deploymentActions(plan, profile);
    let maxPending = 0;
    for (let second = 0; second < SIMULATED_SECONDS; second++) {
      for (let i = 0; i < EVENTS_PER_SECOND; i++) {
        const next = actions.next();
        if (next.done === true) throw new Error("the plan ran out of events");
        emitAction(emitter, next.value);
        maxPending = Math.max(maxPending, emitter.stats().pending);
      }
      await sleep(TICK_MS);
    }

    const down = emitter.stats();
    expect(maxPending).toBe(MAX_PENDING);
    expect(down).toMatchObject({
      queued: EVENTS,
      sent: 0,
      pending: MAX_PENDING,
      dropped_overflow: EVENTS - MAX_PENDING,
      dropped_rejected: 0,
      dropped_invalid: 0,
      last_status: "network_error",
    });
    expect(down.retries).toBeGreaterThan(0);

    // The collector comes back where the emitter has been knocking all along.
    collector = await startCollector({
      config: collectorConfig({ api_keys: [...keys.entries] }),
      port,
      logger: pino({ level: "silent" }),
      defaultMetrics: false,
    });
    const closed = await emitter.close({ timeoutMs: 30_000 });
    expect(closed).toEqual({ sent: MAX_PENDING, dropped: EVENTS - MAX_PENDING, pending: 0 });

    // What arrived is what was still queued, once: the newest events (an attempt in flight when the
    // queue overflowed may have kept up to one batch of older ones in place of newer ones).
    const held = (collector.store as MemoryStore).events();
    expect(held).toHaveLength(MAX_PENDING);
    expect(diffEvents(emitted, held)).toEqual({ lost: EVENTS - MAX_PENDING, duplicated: 0, unexpected: 0 });
    expect(diffEvents(emitted.slice(-(MAX_PENDING - BATCH_SIZE)), held).lost).toBe(0);
    expect(await collector.store.stats()).toMatchObject({ size: MAX_PENDING, ingested_total: MAX_PENDING });

    recordFigures("outage", {
      simulated_seconds: SIMULATED_SECONDS,
      compression: COMPRESSION,
      events_emitted: EVENTS,
      max_pending: MAX_PENDING,
      max_queue_seen: maxPending,
      dropped_overflow: down.dropped_overflow,
      retries_while_down: down.retries,
      delivered_after_recovery: closed.sent,
      held_by_collector: held.length,
    });
  });
});
