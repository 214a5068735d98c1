// Filling a store the way a fleet would: each writer key sends batches for its own ≤ 4 deployments.
import { DEFAULT_MAX_DEPLOYMENTS_PER_KEY, MAX_BATCH_EVENTS, type AnonymizedEvent } from "@synthorg/schema";
import { deploymentIds, makeEvents } from "./events.js";

export interface FleetBatch {
  readonly writerId: string;
  readonly events: AnonymizedEvent[];
}

/**
 * `totalEvents` events from `deployments` deployments, as batches of ≤ 1000 per writer, writers
 * taking turns. Batches are produced lazily so a million events never sit in memory at once.
 */
export function* fleetBatches(totalEvents: number, deployments: number, seed: number): Generator<FleetBatch> {
  const ids = deploymentIds(deployments);
  const writers: string[][] = [];
  for (let i = 0; i < ids.length; i += DEFAULT_MAX_DEPLOYMENTS_PER_KEY) {
    writers.push(ids.slice(i, i + DEFAULT_MAX_DEPLOYMENTS_PER_KEY));
  }
  let sent = 0;
  for (let round = 0; sent < totalEvents; round++) {
    const writer = round % writers.length;
    const size = Math.min(MAX_BATCH_EVENTS, totalEvents - sent);
    yield {
      writerId: `writer-${writer}`,
      events: makeEvents(size, { deployments: writers[writer]!, seed: seed + round }),
    };
    sent += size;
  }
}
