// The categorical vocabularies of wire format v1. Order matters where noted: it is the order the
// anonymiser lists enabled altitudes in, and the small-int code the collector stores enums as.
import { z } from "zod";

export const WIRE_SCHEMA_VERSION = "1";

export const EVENT_TYPES = ["proposal_decision", "rollout_result"] as const;
export const ALTITUDES = [
  "config_tuning",
  "architecture",
  "prompt_tuning",
  "code_modification",
  "tool_creation",
] as const;
export const DECISIONS = ["approved", "rejected"] as const;
export const ROLLOUT_OUTCOMES = ["success", "regressed", "rolled_back", "failed", "inconclusive"] as const;
export const REGRESSION_VERDICTS = [
  "no_regression",
  "threshold_breach",
  "statistical_regression",
  "insufficient_data",
] as const;

export const eventTypeSchema = z.enum(EVENT_TYPES);
export const altitudeSchema = z.enum(ALTITUDES);
export const decisionSchema = z.enum(DECISIONS);
export const rolloutOutcomeSchema = z.enum(ROLLOUT_OUTCOMES);
export const regressionVerdictSchema = z.enum(REGRESSION_VERDICTS);

export type EventType = z.infer<typeof eventTypeSchema>;
export type Altitude = z.infer<typeof altitudeSchema>;
export type Decision = z.infer<typeof decisionSchema>;
export type RolloutOutcome = z.infer<typeof rolloutOutcomeSchema>;
export type RegressionVerdict = z.infer<typeof regressionVerdictSchema>;
