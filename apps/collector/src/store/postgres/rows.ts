// A wire event as one row of the events table, and the columns of it that the aggregates count.
import type { AnonymizedEvent } from "@synthorg/schema";
import {
  altitudeCode,
  altitudeMask,
  decisionCode,
  eventTypeCode,
  regressionVerdictCode,
  rolloutOutcomeCode,
} from "./codes.js";

/** What the aggregates read from an event: all an ingest adds and a deletion subtracts. */
export interface CountedEvent {
  readonly deployment_id: string;
  readonly event_type: number;
  readonly altitude: number;
  readonly source_rule: string | null;
  readonly decision: number | null;
  readonly confidence: number | null;
  readonly rollout_outcome: number | null;
  readonly observation_hours: number | null;
  readonly industry_tag: string | null;
}

export interface EventRow extends CountedEvent {
  readonly schema_version: string;
  readonly event_day: string;
  readonly regression_verdict: number | null;
  readonly enabled_altitudes: number;
  readonly sdk_version: string;
}

/** The events columns in insert order; EventRow keys, so the insert and COPY paths cannot disagree. */
export const EVENT_COLUMNS = [
  ["schema_version", "text"],
  ["deployment_id", "text"],
  ["event_type", "int2"],
  ["event_day", "date"],
  ["altitude", "int2"],
  ["source_rule", "text"],
  ["decision", "int2"],
  ["confidence", "numeric"],
  ["rollout_outcome", "int2"],
  ["regression_verdict", "int2"],
  ["observation_hours", "numeric"],
  ["enabled_altitudes", "int2"],
  ["industry_tag", "text"],
  ["sdk_version", "text"],
] as const satisfies readonly (readonly [keyof EventRow, string])[];

// PostgreSQL text holds neither U+0000 nor lone surrogates, both of which a JSON string can carry.
// They are stored as U+FFFD (what UTF-8 encoding would make of a lone surrogate anyway), here and
// not in the driver, so the keys this store compares in JS are exactly the keys the database holds.
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this must find
const UNSTORABLE = /[\u0000\p{Surrogate}]/gu;
export const storableText = (text: string): string => text.replace(UNSTORABLE, "\uFFFD");

export function toEventRow(event: AnonymizedEvent): EventRow {
  const decision = event.event_type === "proposal_decision";
  return {
    schema_version: event.schema_version,
    deployment_id: event.deployment_id,
    event_type: eventTypeCode(event.event_type),
    event_day: event.timestamp,
    altitude: altitudeCode(event.altitude),
    source_rule: event.source_rule,
    decision: decision ? decisionCode(event.decision) : null,
    confidence: decision ? event.confidence : null,
    rollout_outcome: decision ? null : rolloutOutcomeCode(event.rollout_outcome),
    regression_verdict:
      decision || event.regression_verdict === null ? null : regressionVerdictCode(event.regression_verdict),
    observation_hours: decision ? null : event.observation_hours,
    enabled_altitudes: altitudeMask(event.enabled_altitudes),
    industry_tag: event.industry_tag === null ? null : storableText(event.industry_tag),
    sdk_version: storableText(event.sdk_version),
  };
}
