// Batches, deployment ids and reproducible event streams for the collector's tests; single sample
// events come from @synthorg/schema/testing.
import { createHash } from "node:crypto";
import type { AnonymizedEvent, EventBatchInput } from "@synthorg/schema";
import {
  sampleDecisionEvent,
  sampleRolloutEvent,
  type SampleWireEvent as WireEvent,
} from "@synthorg/schema/testing";

/** A deterministic deployment id: hex SHA-256 of a name, as the anonymiser makes them. */
export function deploymentId(name: string | number): string {
  return createHash("sha256").update(`deployment-${name}`).digest("hex");
}

export function batch(...events: WireEvent[]): EventBatchInput {
  return { events } as unknown as EventBatchInput;
}

/** Typed view of fixture events that are valid as written. */
export function asEvents(events: WireEvent[]): AnonymizedEvent[] {
  return events as unknown as AnonymizedEvent[];
}

/** A small deterministic PRNG (mulberry32) so store-contract streams are reproducible. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RULES = ["quality_declining", "coordination_overhead", "custom", "benchmark_regression", null] as const;
const ALTITUDES = ["config_tuning", "architecture", "prompt_tuning"] as const;
const TAGS = ["technology", "finance", "health", null] as const;
const OUTCOMES = ["success", "regressed", "rolled_back", "failed", "inconclusive"] as const;

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

/** A reproducible mix of decisions and rollouts over `deployments` deployment ids. */
export function eventStream(
  count: number,
  options: { seed: number; deployments: number },
): AnonymizedEvent[] {
  const random = seeded(options.seed);
  const out: WireEvent[] = [];
  for (let i = 0; i < count; i++) {
    const common = {
      deployment_id: deploymentId(Math.floor(random() * options.deployments)),
      altitude: pick(random, ALTITUDES),
      source_rule: pick(random, RULES),
      industry_tag: pick(random, TAGS),
    };
    out.push(
      random() < 0.6
        ? sampleDecisionEvent({
            ...common,
            decision: random() < 0.7 ? "approved" : "rejected",
            confidence: random() < 0.9 ? Math.round(random() * 64) / 64 : null,
          })
        : sampleRolloutEvent({
            ...common,
            rollout_outcome: pick(random, OUTCOMES),
            observation_hours: random() < 0.9 ? Math.round(random() * 2000) / 8 : null,
          }),
    );
  }
  return asEvents(out);
}
