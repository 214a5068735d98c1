// Case 6: the emitter. (a) What emitDecision costs the host per call — anonymise + enqueue — with the
// queue large enough and drained between samples, against anonymizeDecision alone (its floor).
// (b) Events per second from emitDecision to the collector's store over loopback: the emitter's own
// delivery loop (one request in flight, batches of 1000, typed tRPC), against JSON.parse alone.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { BASE_PATH } from "@synthorg/collector";
import { createAnalyticsEmitter, type AnalyticsEmitter } from "@synthorg/emitter";
import {
  ALTITUDES,
  BUILTIN_RULES,
  DECISIONS,
  MAX_BATCH_EVENTS,
  anonymizeDecision,
  createAnonymizationContext,
  parseAnalyticsBlock,
  type EnabledAltitudeFlags,
  type ImprovementProposal,
  type ProposalOutcome,
} from "@synthorg/schema";
import { pino } from "pino";
import { parseOnly } from "../baselines.js";
import { startCollectorProcess } from "../collector-process.js";
import { batchBodies, deploymentIds, prng } from "../events.js";
import {
  fractionOf,
  interleave,
  measurement,
  throughput,
  type BenchCase,
  type BenchRow,
  type CaseResult,
} from "../harness.js";
import { median } from "../stats.js";

const EMIT_GOAL_MICROS = 2;
/** Calls timed together: long enough for the clock, short enough that one GC pause is one sample. */
const CALLS_PER_CHUNK = 1000;
const OUTCOME_POOL = 1000;
const SALT_BYTES = 24;
const ALTITUDE_FLAGS: EnabledAltitudeFlags = { config_tuning: true, architecture: true, prompt_tuning: true };
/** Decisions in the pool were made within this many ms before the run. */
const RECENT_MS = 60_000;

/** Domain objects as a host hands them over, with the free text the anonymiser must drop. */
function outcomes(count: number): { outcome: ProposalOutcome; proposal: ImprovementProposal }[] {
  const random = prng(6);
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const altitude = ALTITUDES[i % ALTITUDES.length]!;
    const sourceRule = i % 7 === 0 ? "my_own_rule" : BUILTIN_RULES[i % BUILTIN_RULES.length]!;
    const proposal: ImprovementProposal = {
      id: `proposal-${i}`,
      title: `Proposal ${i}`,
      description: "Lower the threshold a little",
      altitude,
      sourceRule,
      confidence: random(),
    };
    const outcome: ProposalOutcome = {
      proposalId: proposal.id,
      title: proposal.title,
      decision: DECISIONS[i % DECISIONS.length]!,
      confidenceAtDecision: Math.round(random() * 1000) / 1000,
      // A host emits when the decision is made: decidedAt is a moment ago, not a random past day.
      decidedAt: new Date(now - Math.floor(random() * RECENT_MS)),
      decidedBy: "operator@example.org",
      decisionReason: "looks right",
      altitude,
      sourceRule,
    };
    return { outcome, proposal };
  });
}

function emitterFor(collectorUrl: string, apiKey: string, maxPending: number): AnalyticsEmitter {
  const config = parseAnalyticsBlock({
    enabled: true,
    collector_url: collectorUrl,
    deployment_id_salt: randomBytes(SALT_BYTES).toString("base64url"),
    industry_tag: "technology",
    batch_size: MAX_BATCH_EVENTS,
    max_pending: maxPending,
    // Only full batches and flush() send: the timer never fires inside a measurement.
    flush_interval_seconds: 300,
  });
  const logger = pino({ level: "warn" }, pino.destination(2));
  const emitter = createAnalyticsEmitter({ config, altitudes: ALTITUDE_FLAGS, apiKey, logger });
  if (emitter === null) throw new Error("the emitter is disabled");
  return emitter;
}

function assertDelivered(emitter: AnalyticsEmitter, expectedSent: number): void {
  const stats = emitter.stats();
  const dropped = stats.dropped_overflow + stats.dropped_rejected + stats.dropped_invalid;
  if (stats.sent !== expectedSent || dropped > 0) {
    throw new Error(
      `emitter sent ${stats.sent} of ${expectedSent}, dropped ${dropped}, last status ${stats.last_status}`,
    );
  }
}

export const emitterCase: BenchCase = {
  id: "6",
  title: "emitter",
  async run({ quick, repetitions }): Promise<CaseResult> {
    const chunksPerSample = quick ? 20 : 50;
    const endToEndEvents = quick ? 50_000 : 200_000;
    const baselineMs = quick ? 300 : 1000;
    const pool = outcomes(OUTCOME_POOL);
    const ctx = createAnonymizationContext({
      config: {
        deployment_id_salt: randomBytes(SALT_BYTES).toString("base64url"),
        industry_tag: "technology",
      },
      altitudes: ALTITUDE_FLAGS,
    });
    const collector = await startCollectorProcess();
    const url = collector.origin + BASE_PATH;
    const emitter = emitterFor(
      url,
      collector.writeToken,
      Math.max(endToEndEvents, chunksPerSample * CALLS_PER_CHUNK),
    );
    let expectedSent = 0;
    let next = 0;

    /** µs per call: the median over chunks of CALLS_PER_CHUNK calls. */
    const perCall = (call: (item: (typeof pool)[number]) => void) => {
      const chunks: number[] = [];
      for (let c = 0; c < chunksPerSample; c++) {
        const t0 = performance.now();
        for (let i = 0; i < CALLS_PER_CHUNK; i++) call(pool[next++ % OUTCOME_POOL]!);
        chunks.push(((performance.now() - t0) / CALLS_PER_CHUNK) * 1000);
      }
      return median(chunks);
    };
    const bodies = batchBodies(8, MAX_BATCH_EVENTS, { deployments: deploymentIds(1), seed: 6 });
    const parse = parseOnly(bodies, MAX_BATCH_EVENTS);

    try {
      const samples = await interleave(repetitions, {
        anonymize: () => perCall(({ outcome }) => anonymizeDecision(outcome, ctx)),
        emit: async () => {
          const micros = perCall(({ outcome, proposal }) => emitter.emitDecision(outcome, proposal));
          // Drain, so the next sample starts from an empty queue and no delivery overlaps it.
          expectedSent += chunksPerSample * CALLS_PER_CHUNK;
          await emitter.flush();
          assertDelivered(emitter, expectedSent);
          return micros;
        },
        parse: () => throughput(parse, baselineMs),
        endToEnd: async () => {
          const t0 = performance.now();
          for (let i = 0; i < endToEndEvents; i++) {
            const { outcome, proposal } = pool[next++ % OUTCOME_POOL]!;
            emitter.emitDecision(outcome, proposal);
          }
          await emitter.flush();
          const seconds = (performance.now() - t0) / 1000;
          expectedSent += endToEndEvents;
          assertDelivered(emitter, expectedSent);
          return endToEndEvents / seconds;
        },
      });
      const floor = measurement("anonymizeDecision", "µs", samples.anonymize);
      const emit = measurement("emitDecision", "µs", samples.emit);
      const overhead = emit.value / floor.value;
      const parseBaseline = measurement("JSON.parse", "events/s", samples.parse);
      const endToEnd = measurement("emitDecision → collector store", "events/s", samples.endToEnd);
      const rows: BenchRow[] = [
        {
          caseId: "6a",
          title: "emitDecision per call",
          subject: emit,
          baseline: floor,
          ratio: { value: overhead, text: `${overhead.toFixed(2)}× anonymizeDecision` },
          goals: [{ text: `≤ ${EMIT_GOAL_MICROS} µs`, met: emit.value <= EMIT_GOAL_MICROS }],
          note: `median of ${chunksPerSample} chunks of ${CALLS_PER_CHUNK} calls per repetition; queue drained between repetitions`,
        },
        {
          caseId: "6b",
          title: "emitter → collector, end to end",
          subject: endToEnd,
          baseline: parseBaseline,
          ratio: fractionOf(endToEnd, parseBaseline),
          goals: [],
          note: `${endToEndEvents} emitDecision calls then flush(); batches of ${MAX_BATCH_EVENTS}, one request in flight, typed tRPC over loopback`,
        },
      ];
      return { rows };
    } finally {
      await emitter.close({ timeoutMs: 5000 });
      await collector.stop();
    }
  },
};
