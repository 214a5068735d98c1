// The deterministic domain-event generator: what happens inside each simulated deployment, as the
// domain objects a real deployment hands its emitter (proposal outcomes and rollout results, full of
// free text, ids and exact times that the anonymiser must drop). No HTTP here, so tests and
// benchmarks can replay exactly what a fleet run sends.
import {
  ALTITUDES,
  RULE_THRESHOLDS,
  createAnonymizationContext,
  anonymizeDecision,
  anonymizeRollout,
  isBuiltinRule,
  type AnonymizedEvent,
  type ImprovementProposal,
  type ProposalOutcome,
  type RegressionVerdict,
  type RolloutOutcome,
  type RolloutResult,
} from "@synthorg/schema";
import type { AnalyticsEmitter } from "@synthorg/emitter";
import { createRandom, deriveSeed, type Random } from "./random.js";
import type { DeploymentProfile, FleetPlan, RuleUsage } from "./plan.js";
import {
  HISTORY_DAYS,
  LATEST_DECISION_DAYS_AGO,
  MANUAL_PROPOSAL_RATE,
  MISSING_CONFIDENCE_RATE,
  OBSERVATION_HOURS_RANGE,
  ROLLOUT_RATE,
} from "./profiles.js";

export type FleetAction =
  | {
      readonly kind: "decision";
      readonly outcome: ProposalOutcome;
      readonly proposal: ImprovementProposal;
    }
  | {
      readonly kind: "rollout";
      readonly result: RolloutResult;
      readonly proposal: ImprovementProposal;
    };

/** The SDK version the simulated deployments report. */
export const DEMO_SDK_VERSION = "synthorg-demo/0.1.0";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const FAILED_ROLLOUT_HOURS = 2;
const CONFIDENCE_SPREAD = 0.15;

const FAILURE_OUTCOMES: readonly (readonly [Exclude<RolloutOutcome, "success">, number])[] = [
  ["regressed", 0.35],
  ["rolled_back", 0.25],
  ["failed", 0.15],
  ["inconclusive", 0.25],
];

const OPERATORS = ["maria.k", "j.okafor", "lin.wei", "sam.p", "ops-bot"] as const;
const REJECTION_REASONS = [
  "Too noisy for our traffic pattern",
  "Would page the on-call team twice as often",
  "Conflicts with the Q3 cost plan",
] as const;

function verdictFor(random: Random, outcome: RolloutOutcome): RegressionVerdict | null {
  switch (outcome) {
    case "success":
      return random.chance(0.9) ? "no_regression" : null;
    case "regressed":
      return random.chance(0.5) ? "threshold_breach" : "statistical_regression";
    case "rolled_back":
      return "threshold_breach";
    case "inconclusive":
      return "insufficient_data";
    case "failed":
      return null;
  }
}

function proposalId(random: Random): string {
  const hex = () => random.int(0, 0xffff).toString(16).padStart(4, "0");
  return `${hex()}${hex()}-${hex()}-4${hex().slice(1)}-a${hex().slice(1)}-${hex()}${hex()}${hex()}`;
}

function describe(rule: string | null): string {
  if (rule === null) return "Manual proposal: rebalance the review queue";
  const threshold = isBuiltinRule(rule) ? RULE_THRESHOLDS[rule] : undefined;
  return threshold
    ? `Adjust ${threshold.metricName} (currently ${threshold.defaultValue})`
    : `Tune ${rule} for the ${rule.split("_")[0]} team`;
}

/** Every action of one deployment, in time order; exactly `profile.eventCount` wire events. */
export function* deploymentActions(plan: FleetPlan, profile: DeploymentProfile): Generator<FleetAction> {
  const random = createRandom(deriveSeed(plan.seed, "actions", profile.index));
  const end = plan.referenceDate.getTime() - LATEST_DECISION_DAYS_AGO * DAY_MS;
  const span = (HISTORY_DAYS - LATEST_DECISION_DAYS_AGO) * DAY_MS;
  const start = end - span;
  const total = profile.eventCount;
  const weighted = profile.rules.map((rule) => [rule, rule.weight] as const);
  let emitted = 0;

  while (emitted < total) {
    const usage: RuleUsage | null =
      weighted.length === 0 || random.chance(MANUAL_PROPOSAL_RATE) ? null : random.weighted(weighted);
    const rule = usage?.rule ?? null;
    const altitude = usage ? random.pick(usage.altitudes) : ALTITUDES[0];
    const confidence =
      Math.round(
        Math.min(
          1,
          Math.max(0, (usage?.confidence ?? 0.5) + random.between(-CONFIDENCE_SPREAD, CONFIDENCE_SPREAD)),
        ) * 100,
      ) / 100;
    const proposal: ImprovementProposal = Object.freeze({
      id: proposalId(random),
      title: `${profile.name}: ${describe(rule)}`,
      description: `Raised by ${rule ?? "an operator"} after last week's review of ${profile.name}.`,
      altitude,
      sourceRule: rule,
      confidence,
    });
    // Spread decisions evenly over the window, in order, with a little jitter inside each slot.
    const decidedAt = new Date(start + Math.floor(span * ((emitted + random.next()) / Math.max(1, total))));
    const approved = random.chance(usage?.approval ?? 0.5);
    yield {
      kind: "decision",
      proposal,
      outcome: Object.freeze({
        proposalId: proposal.id,
        title: proposal.title,
        decision: approved ? "approved" : "rejected",
        confidenceAtDecision: random.chance(MISSING_CONFIDENCE_RATE) ? null : confidence,
        decidedAt,
        decidedBy: `${random.pick(OPERATORS)}@${profile.name}.example`,
        decisionReason: approved ? null : random.pick(REJECTION_REASONS),
        altitude,
        sourceRule: rule,
      }),
    };
    emitted += 1;

    if (!approved || emitted >= total || !random.chance(ROLLOUT_RATE)) continue;
    const outcome: RolloutOutcome = random.chance(usage?.success ?? 0.5)
      ? "success"
      : random.weighted(FAILURE_OUTCOMES);
    const hours =
      outcome === "failed" ? null : Math.round(random.between(...OBSERVATION_HOURS_RANGE) * 2) / 2;
    yield {
      kind: "rollout",
      proposal,
      result: Object.freeze({
        proposalId: proposal.id,
        outcome,
        regressionVerdict: verdictFor(random, outcome),
        observationHoursElapsed: hours,
        completedAt: new Date(decidedAt.getTime() + (hours ?? FAILED_ROLLOUT_HOURS) * HOUR_MS),
        details: `${profile.name} p95 latency moved during observation (${outcome})`,
      }),
    };
    emitted += 1;
  }
}

/**
 * The wire events a fleet run sends, computed with the same anonymiser the emitter uses. Handy for
 * benchmarks that need realistic events without HTTP; the end-to-end test captures the emitter's
 * own output instead.
 */
export function fleetWireEvents(plan: FleetPlan, sdkVersion = DEMO_SDK_VERSION): AnonymizedEvent[] {
  const events: AnonymizedEvent[] = [];
  for (const profile of plan.deployments) {
    const ctx = createAnonymizationContext({
      config: { deployment_id_salt: profile.salt, industry_tag: profile.industryTag ?? undefined },
      altitudes: profile.altitudes,
      sdkVersion,
    });
    for (const action of deploymentActions(plan, profile)) {
      events.push(
        action.kind === "decision"
          ? anonymizeDecision(action.outcome, ctx)
          : anonymizeRollout(action.result, action.proposal, ctx),
      );
    }
  }
  return events;
}

/** Hand one domain action to an emitter, as the deployment's own code would. */
export function emitAction(emitter: AnalyticsEmitter, action: FleetAction): void {
  if (action.kind === "decision") emitter.emitDecision(action.outcome, action.proposal);
  else emitter.emitRollout(action.result, action.proposal);
}
