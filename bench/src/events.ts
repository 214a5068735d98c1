// Deterministic, realistic wire events for every case: a mix of decisions and rollouts over all
// altitudes, built-in and custom rules, a few industries, from a chosen set of deployments. The
// same seed gives the same bodies, so runs are comparable.
import {
  ALTITUDES,
  BUILTIN_RULES,
  CUSTOM_RULE,
  DECISIONS,
  DEFAULT_SDK_VERSION,
  MAX_BATCH_EVENTS,
  REGRESSION_VERDICTS,
  ROLLOUT_OUTCOMES,
  deploymentIdFromSalt,
  parseEventBatch,
  utcDay,
  type AnonymizedEvent,
} from "@synthorg/schema";

const DAY_MS = 86_400_000;
/** Events are spread over this many recent days. */
const DAYS_SPREAD = 60;
const INDUSTRIES = ["technology", "finance", "healthcare", "retail", null] as const;
/** One rule slot in this many is the operator's own (sent as "custom"), one in as many is null. */
const RULES: readonly (string | null)[] = [...BUILTIN_RULES, CUSTOM_RULE, null];

/** mulberry32: a tiny, fast, seedable PRNG; quality is ample for picking enum values. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `count` deployment ids, derived like the emitter does (SHA-256 of a salt). */
export function deploymentIds(count: number, prefix = "bench-deployment"): string[] {
  return Array.from({ length: count }, (_, i) => deploymentIdFromSalt(`${prefix}-${i}`));
}

export interface EventMix {
  readonly deployments: readonly string[];
  readonly seed: number;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function makeEvents(count: number, mix: EventMix): AnonymizedEvent[] {
  const random = prng(mix.seed);
  const today = Date.now();
  const industryOf = new Map(mix.deployments.map((id, i) => [id, INDUSTRIES[i % INDUSTRIES.length]!]));
  const events: AnonymizedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const deployment_id = pick(random, mix.deployments);
    const common = {
      schema_version: "1" as const,
      deployment_id,
      timestamp: utcDay(new Date(today - Math.floor(random() * DAYS_SPREAD) * DAY_MS)),
      altitude: pick(random, ALTITUDES),
      source_rule: pick(random, RULES),
      enabled_altitudes: ALTITUDES.slice(0, 1 + Math.floor(random() * ALTITUDES.length)),
      industry_tag: industryOf.get(deployment_id) ?? null,
      sdk_version: DEFAULT_SDK_VERSION,
    };
    events.push(
      random() < 0.6
        ? {
            ...common,
            event_type: "proposal_decision",
            decision: pick(random, DECISIONS),
            confidence: random() < 0.9 ? Math.round(random() * 1000) / 1000 : null,
            rollout_outcome: null,
            regression_verdict: null,
            observation_hours: null,
          }
        : {
            ...common,
            event_type: "rollout_result",
            decision: null,
            confidence: null,
            rollout_outcome: pick(random, ROLLOUT_OUTCOMES),
            regression_verdict: random() < 0.8 ? pick(random, REGRESSION_VERDICTS) : null,
            observation_hours: random() < 0.9 ? Math.round(random() * 2000) / 10 : null,
          },
    );
  }
  return events;
}

/**
 * `batches` JSON request bodies of `batchSize` events each, as an emitter sends them. Each is
 * checked once with parseEventBatch, so no case ever measures the rejection path by mistake.
 */
export function batchBodies(batches: number, batchSize: number, mix: EventMix): string[] {
  if (batchSize > MAX_BATCH_EVENTS) throw new RangeError(`batch size ${batchSize} > ${MAX_BATCH_EVENTS}`);
  const events = makeEvents(batches * batchSize, mix);
  return Array.from({ length: batches }, (_, b) => {
    const body = JSON.stringify({ events: events.slice(b * batchSize, (b + 1) * batchSize) });
    const check = parseEventBatch(JSON.parse(body));
    if (!check.ok) throw new Error(`generated batch is invalid: ${JSON.stringify(check.issues[0])}`);
    return body;
  });
}
