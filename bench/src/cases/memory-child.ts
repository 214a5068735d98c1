// Run by case 5 as `node --expose-gc --import tsx memory-child.ts <store|plain> <events>`: fills
// one holder with events decoded from JSON bodies (as ingest receives them) and prints the bytes
// per event it retains after a full GC: V8 heap plus ArrayBuffer memory (the store's columns live
// outside the JS heap, so heapUsed alone would flatter it).
import { createMemoryStore } from "@synthorg/collector";
import type { AnonymizedEvent } from "@synthorg/schema";
import { fleetBatches } from "../fleet.js";

export interface MemoryChildResult {
  readonly holder: "store" | "plain";
  readonly events: number;
  readonly bytesPerEvent: number;
  readonly heapBytes: number;
  readonly arrayBufferBytes: number;
}

/** A fleet of this many deployments: their ids are the strings every event repeats. */
const DEPLOYMENTS = 1000;
/**
 * Distinct bodies generated (one per writer key of the fleet), then decoded again and again: each
 * JSON.parse makes fresh objects and strings, as separate requests would, without paying the
 * generator for a million events.
 */
const DISTINCT_EVENTS = 250_000;
const GC_ROUNDS = 3;

function settledMemory(): { heap: number; buffers: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  for (let i = 0; i < GC_ROUNDS; i++) gc();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, buffers: usage.arrayBuffers };
}

/** In its own frame, so no temporary of the generator stays reachable while memory is measured. */
function fleetBodies(events: number): { writerId: string; body: string }[] {
  const bodies: { writerId: string; body: string }[] = [];
  for (const batch of fleetBatches(events, DEPLOYMENTS, 5)) {
    bodies.push({ writerId: batch.writerId, body: JSON.stringify({ events: batch.events }) });
  }
  return bodies;
}

async function main(): Promise<void> {
  const [holder, countText] = process.argv.slice(2);
  const count = Number(countText);
  if ((holder !== "store" && holder !== "plain") || !Number.isInteger(count) || count < 1) {
    throw new Error("usage: memory-child.ts <store|plain> <events>");
  }
  const bodies = fleetBodies(Math.min(count, DISTINCT_EVENTS));
  const before = settledMemory();
  const store = holder === "store" ? createMemoryStore({ maxEvents: count }) : null;
  const plain: AnonymizedEvent[] = [];
  for (let held = 0, next = 0; held < count; next = (next + 1) % bodies.length) {
    const { writerId, body } = bodies[next]!;
    const decoded = (JSON.parse(body) as { events: AnonymizedEvent[] }).events.slice(0, count - held);
    held += decoded.length;
    if (store) {
      const outcome = await store.ingest({ events: decoded, writerId, batchKey: null });
      if (outcome.kind !== "stored") throw new Error(`store refused a batch: ${outcome.kind}`);
    } else {
      for (const event of decoded) plain.push(event);
    }
  }
  const after = settledMemory();
  // The bodies were there in `before`: keep them reachable so their release is not counted.
  if (bodies.length === 0) throw new Error("no bodies");
  const retained = store ? (await store.stats()).size : plain.length;
  if (retained !== count) throw new Error(`holds ${retained} events, expected ${count}`);
  const heapBytes = after.heap - before.heap;
  const arrayBufferBytes = after.buffers - before.buffers;
  const result: MemoryChildResult = {
    holder,
    events: count,
    bytesPerEvent: (heapBytes + arrayBufferBytes) / count,
    heapBytes,
    arrayBufferBytes,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
