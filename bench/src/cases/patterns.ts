// Case 4: a pattern query over 100 000 stored events. The memory store keeps per-group aggregates
// as events arrive, so a query reads O(groups) numbers; the baseline recomputes the same patterns
// from the events, as a store without aggregates would have to.
import { buildPatterns, createMemoryStore } from "@synthorg/collector";
import { naivePatterns } from "@synthorg/collector/testing";
import { DEFAULT_MIN_DEPLOYMENTS_FOR_PATTERN, type AnonymizedEvent } from "@synthorg/schema";
import { isDeepStrictEqual } from "node:util";
import { fleetBatches } from "../fleet.js";
import {
  interleave,
  measurement,
  speedupOver,
  timePerAsyncCall,
  timePerCall,
  type BenchCase,
  type CaseResult,
} from "../harness.js";

const STORED_EVENTS = 100_000;
const DEPLOYMENTS = 200;
const SPEEDUP_GOAL = 100;
const QUERY_GOAL_MS = 0.5;

export const patternQueryCase: BenchCase = {
  id: "4",
  title: "pattern query, 100 000 events",
  async run({ quick, repetitions }): Promise<CaseResult> {
    const minMs = quick ? 300 : 1000;
    const k = DEFAULT_MIN_DEPLOYMENTS_FOR_PATTERN;
    const store = createMemoryStore({ maxEvents: STORED_EVENTS });
    const events: AnonymizedEvent[] = [];
    for (const batch of fleetBatches(STORED_EVENTS, DEPLOYMENTS, 4)) {
      const outcome = await store.ingest({ events: batch.events, writerId: batch.writerId, batchKey: null });
      if (outcome.kind !== "stored") throw new Error(`store refused a batch: ${outcome.kind}`);
      events.push(...batch.events);
    }
    const query = async () => buildPatterns(await store.groupAggregates(), k);
    // Both sides must answer the same before their speeds mean anything.
    const expected = roundFloats(naivePatterns(events, { minDeployments: k }));
    if (
      !isDeepStrictEqual(roundFloats(await query()), expected) ||
      !isDeepStrictEqual(roundFloats(await rescanPatterns(events, k)), expected)
    ) {
      throw new Error("incremental, rescan and naive patterns differ");
    }
    const samples = await interleave(repetitions, {
      naive: () => timePerCall(() => naivePatterns(events, { minDeployments: k }), minMs),
      rescan: () => timePerAsyncCall(() => rescanPatterns(events, k), minMs),
      incremental: () => timePerAsyncCall(query, minMs),
    });
    await store.close();
    const naive = measurement("naivePatterns", "ms", samples.naive);
    const rescan = measurement("one-pass rescan", "ms", samples.rescan);
    const subject = measurement("groupAggregates → buildPatterns", "ms", samples.incremental);
    const overRescan = speedupOver(subject, rescan);
    const overNaive = speedupOver(subject, naive);
    return {
      rows: [
        {
          caseId: "4",
          title: "pattern query, 100 000 events",
          subject,
          baseline: rescan,
          ratio: overRescan,
          goals: [
            { text: `≥ ${SPEEDUP_GOAL}× faster`, met: overRescan.value >= SPEEDUP_GOAL },
            { text: `< ${QUERY_GOAL_MS} ms`, met: subject.value < QUERY_GOAL_MS },
          ],
          note:
            `memory store, ${DEPLOYMENTS} deployments, k = ${k}; the goal is judged against a linear ` +
            "rescan (the store's own aggregation run over all events per query), the fairest recompute",
        },
        {
          caseId: "4b",
          title: "vs the naive reference",
          subject,
          baseline: naive,
          ratio: overNaive,
          goals: [],
          note: "naivePatterns (@synthorg/collector/testing) is the tests' obviously-correct reference, quadratic on purpose",
        },
      ],
    };
  },
};

/**
 * What a store without kept aggregates pays per query: one linear pass over every event (through
 * the memory store's own aggregation, so no second implementation of the pattern rules).
 */
async function rescanPatterns(events: readonly AnonymizedEvent[], k: number) {
  const scratch = createMemoryStore({
    maxEvents: events.length,
    maxDeploymentsPerKey: Number.MAX_SAFE_INTEGER,
  });
  await scratch.ingest({ events, writerId: "rescan", batchKey: null });
  return buildPatterns(await scratch.groupAggregates(), k);
}

/** Incremental float sums may differ from a fresh sum in the last bits. */
function roundFloats(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" ? Number(v.toPrecision(12)) : v)),
  );
}
