// Measures what one emitDecision call costs the caller: anonymise + validate + enqueue, with the
// logger at info (debug off, as in production). Run: `pnpm --filter @synthorg/emitter bench:emit`.
// Calls are timed in blocks (a clock read per call would cost as much as the call); the figure is
// the median over blocks of (block time / calls per block), after a warm-up. p10 and p90 show how
// much the machine's other load moved it.
import { createAnonymizationContext, anonymizeDecision, loadAnalyticsConfig } from "@synthorg/schema";
import { pino } from "pino";
import { createAnalyticsEmitter } from "../src/index.js";
import { decision, proposal } from "../test/fixtures.js";

const CALLS_PER_BLOCK = 1_000;
const WARMUP_BLOCKS = 100;
const MEASURED_BLOCKS = 500;

const config = loadAnalyticsConfig({
  self_improvement: {
    cross_deployment_analytics: {
      enabled: true,
      // Never contacted: the loop below never yields, so no delivery round starts.
      collector_url: "http://127.0.0.1:9/api/meta/analytics",
      deployment_id_salt: "bench-salt-0123456789",
      industry_tag: "technology",
      collector_api_key: "sak_bench",
    },
  },
});

interface Spread {
  readonly p10: number;
  readonly median: number;
  readonly p90: number;
}

function nsPerCall(run: () => void): Spread {
  const samples: number[] = [];
  for (let block = 0; block < WARMUP_BLOCKS + MEASURED_BLOCKS; block++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < CALLS_PER_BLOCK; i++) run();
    const elapsed = Number(process.hrtime.bigint() - start);
    if (block >= WARMUP_BLOCKS) samples.push(elapsed / CALLS_PER_BLOCK);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => Math.round(samples[Math.floor(samples.length * q)] ?? Number.NaN);
  return { p10: at(0.1), median: at(0.5), p90: at(0.9) };
}

const outcome = decision();
const theProposal = proposal();
const altitudes = { config_tuning: true, architecture: true } as const;
const emitter = createAnalyticsEmitter({ config, altitudes, logger: pino({ level: "info" }) });
if (emitter === null) throw new Error("emitter disabled");
const ctx = createAnonymizationContext({ config, altitudes });

const anonymiseOnly = nsPerCall(() => anonymizeDecision(outcome, ctx));
const emit = nsPerCall(() => emitter.emitDecision(outcome, theProposal));
const stats = emitter.stats();
await emitter.close({ timeoutMs: 0 });

console.log(
  JSON.stringify({
    node: process.version,
    calls: (WARMUP_BLOCKS + MEASURED_BLOCKS) * CALLS_PER_BLOCK,
    anonymize_decision_ns: anonymiseOnly,
    emit_decision_ns: emit,
    // The queue was full (max_pending) for most calls: the figure includes dropping the oldest.
    pending: stats.pending,
    dropped_overflow: stats.dropped_overflow,
  }),
);
