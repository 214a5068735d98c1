import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../src/store/memory.js";
import { describeStoreContract } from "./store-contract.js";
import { eventStream } from "./fixtures.js";

describeStoreContract("memory", (options) =>
  createMemoryStore({ maxEvents: options.maxEvents, maxDeploymentsPerKey: options.maxDeploymentsPerKey }),
);

describe("memory store specifics", () => {
  it("retains exactly the newest max_events events, every field intact", async () => {
    const store = createMemoryStore({ maxEvents: 40, maxDeploymentsPerKey: 100 });
    const events = eventStream(130, { seed: 11, deployments: 9 });
    for (let i = 0; i < events.length; i += 13) {
      await store.ingest({ events: events.slice(i, i + 13), writerId: "w", batchKey: null });
    }
    expect(store.events()).toEqual(events.slice(-40));
  });

  it("forgets a batch key after the TTL, and the oldest keys past the bound", async () => {
    let now = 0;
    const store = createMemoryStore({ idempotencyTtlHours: 24, idempotencyMaxKeys: 2, now: () => now });
    const events = eventStream(1, { seed: 12, deployments: 1 });
    const ingest = (key: string) => store.ingest({ events, writerId: "w", batchKey: key });
    await ingest("a");
    now += 24 * 3_600_000 - 1;
    await expect(ingest("a")).resolves.toMatchObject({ duplicate: true });
    now += 1;
    await expect(ingest("a")).resolves.toMatchObject({ duplicate: false });
    await ingest("b");
    await ingest("c"); // bound of 2: "a" (the oldest) goes
    await expect(ingest("c")).resolves.toMatchObject({ duplicate: true });
    await expect(ingest("b")).resolves.toMatchObject({ duplicate: true });
    await expect(ingest("a")).resolves.toMatchObject({ duplicate: false });
  });

  it("stores every calendar day exactly (leap years, month ends, century rules)", async () => {
    const DAY_MS = 86_400_000;
    const first = Date.UTC(2000, 0, 1);
    const days = 366 * 60;
    const [template] = eventStream(1, { seed: 14, deployments: 1 });
    if (template === undefined) throw new Error("no template event");
    const events = Array.from({ length: days }, (_, i) => ({
      ...template,
      timestamp: new Date(first + i * DAY_MS).toISOString().slice(0, 10),
    }));
    const store = createMemoryStore({ maxEvents: days });
    for (let i = 0; i < events.length; i += 1000) {
      await store.ingest({ events: events.slice(i, i + 1000), writerId: "w", batchKey: null });
    }
    expect(store.events().map((event) => event.timestamp)).toEqual(events.map((event) => event.timestamp));
  });

  it("frees interned deployment ids when their last event is evicted", async () => {
    const store = createMemoryStore({ maxEvents: 5, maxDeploymentsPerKey: 10_000 });
    const events = eventStream(2_000, { seed: 13, deployments: 1_000 });
    for (let i = 0; i < events.length; i += 50) {
      await store.ingest({ events: events.slice(i, i + 50), writerId: "w", batchKey: null });
    }
    const stats = await store.stats();
    expect(stats.deployments).toBe(new Set(events.slice(-5).map((event) => event.deployment_id)).size);
  });
});
