// The anonymiser: pure functions from domain objects to frozen wire events. A strict allowlist —
// every output key is written here explicitly, so a field added to a domain type can never leak.
import { createHash } from "node:crypto";
import { utcDay } from "./day.js";
import {
  ALTITUDES,
  WIRE_SCHEMA_VERSION,
  type Altitude,
  type Decision,
  type RegressionVerdict,
  type RolloutOutcome,
} from "./enums.js";
import type { AnalyticsConfig } from "./config.js";
import type { DecisionEvent, RolloutEvent } from "./event.js";
import { describeIssues, type ValidationIssue } from "./issues.js";
import { BUILTIN_RULES, classifyRule } from "./rules.js";
import { parseEvent } from "./validate.js";

/** The SDK version reported when the embedding application names none. */
export const DEFAULT_SDK_VERSION = "synthorg-analytics-ts/0.1.0";

export interface ImprovementProposal {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly altitude: Altitude;
  readonly sourceRule: string | null;
  readonly confidence: number;
}

export interface ProposalOutcome {
  readonly proposalId: string;
  readonly title: string;
  readonly decision: Decision;
  readonly confidenceAtDecision: number | null;
  readonly decidedAt: Date;
  readonly decidedBy: string;
  readonly decisionReason: string | null;
  readonly altitude: Altitude;
  readonly sourceRule: string | null;
}

export interface RolloutResult {
  readonly proposalId: string;
  readonly outcome: RolloutOutcome;
  readonly regressionVerdict: RegressionVerdict | null;
  readonly observationHoursElapsed: number | null;
  readonly completedAt: Date;
  readonly details: string | null;
}

/** Which proposal altitudes this deployment has switched on; a missing key means off. */
export type EnabledAltitudeFlags = { readonly [A in Altitude]?: boolean };

/** Everything the anonymiser needs, computed once per emitter (the hash is not redone per event). */
export interface AnonymizationContext {
  readonly deploymentId: string;
  readonly industryTag: string | null;
  readonly enabledAltitudes: readonly Altitude[];
  readonly builtinRules: ReadonlySet<string>;
  readonly sdkVersion: string;
}

export interface AnonymizationContextOptions {
  readonly config: Pick<AnalyticsConfig, "deployment_id_salt" | "industry_tag">;
  readonly altitudes: EnabledAltitudeFlags;
  readonly builtinRules?: readonly string[];
  readonly sdkVersion?: string;
}

/** A domain object that cannot become a valid wire event; names each bad field. */
export class AnonymizationError extends Error {
  override readonly name = "AnonymizationError";
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(`cannot anonymise: ${describeIssues(issues)}`);
  }
}

/** `hex(SHA-256(utf8(text)))`: deployment ids here, API key hashes in the collector. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** `hex(SHA-256(utf8(salt)))` — the policy's non-reversible deployment identifier. */
export function deploymentIdFromSalt(salt: string): string {
  return sha256Hex(salt);
}

export function createAnonymizationContext(options: AnonymizationContextOptions): AnonymizationContext {
  const salt = options.config.deployment_id_salt;
  if (!salt) {
    throw new AnonymizationError([{ path: "deployment_id_salt", message: "is required to anonymise" }]);
  }
  return Object.freeze({
    deploymentId: deploymentIdFromSalt(salt),
    industryTag: options.config.industry_tag ?? null,
    enabledAltitudes: Object.freeze(ALTITUDES.filter((altitude) => options.altitudes[altitude] === true)),
    builtinRules: new Set(options.builtinRules ?? BUILTIN_RULES),
    sdkVersion: options.sdkVersion ?? DEFAULT_SDK_VERSION,
  });
}

function coarsen(date: Date, field: string): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new AnonymizationError([{ path: field, message: "must be a valid Date" }]);
  }
  return utcDay(date);
}

function checked<T extends DecisionEvent | RolloutEvent>(event: T): Readonly<T> {
  const result = parseEvent(event);
  if (!result.ok) throw new AnonymizationError(result.issues);
  return Object.freeze(event);
}

export function anonymizeDecision(
  outcome: ProposalOutcome,
  ctx: AnonymizationContext,
): Readonly<DecisionEvent> {
  return checked<DecisionEvent>({
    schema_version: WIRE_SCHEMA_VERSION,
    deployment_id: ctx.deploymentId,
    event_type: "proposal_decision",
    timestamp: coarsen(outcome.decidedAt, "decidedAt"),
    altitude: outcome.altitude,
    source_rule: classifyRule(outcome.sourceRule, ctx.builtinRules),
    decision: outcome.decision,
    confidence: outcome.confidenceAtDecision ?? null,
    rollout_outcome: null,
    regression_verdict: null,
    observation_hours: null,
    enabled_altitudes: ctx.enabledAltitudes as Altitude[],
    industry_tag: ctx.industryTag,
    sdk_version: ctx.sdkVersion,
  });
}

/** Rollouts carry no altitude or rule of their own: both come from the proposal. */
export function anonymizeRollout(
  result: RolloutResult,
  proposal: ImprovementProposal,
  ctx: AnonymizationContext,
): Readonly<RolloutEvent> {
  return checked<RolloutEvent>({
    schema_version: WIRE_SCHEMA_VERSION,
    deployment_id: ctx.deploymentId,
    event_type: "rollout_result",
    timestamp: coarsen(result.completedAt, "completedAt"),
    altitude: proposal.altitude,
    source_rule: classifyRule(proposal.sourceRule, ctx.builtinRules),
    decision: null,
    confidence: null,
    rollout_outcome: result.outcome,
    regression_verdict: result.regressionVerdict ?? null,
    observation_hours: result.observationHoursElapsed ?? null,
    enabled_altitudes: ctx.enabledAltitudes as Altitude[],
    industry_tag: ctx.industryTag,
    sdk_version: ctx.sdkVersion,
  });
}
