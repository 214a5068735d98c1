// Wire enums are stored as smallint: their index in the schema's vocabularies (enums.ts keeps the
// order stable for exactly this reason). Unknown values are a bug upstream, so they throw.
import {
  ALTITUDES,
  DECISIONS,
  EVENT_TYPES,
  REGRESSION_VERDICTS,
  ROLLOUT_OUTCOMES,
  type Altitude,
} from "@synthorg/schema";

function codeIn<T extends string>(vocabulary: readonly T[], value: T): number {
  const code = vocabulary.indexOf(value);
  if (code < 0) throw new RangeError(`not a known value: ${value}`);
  return code;
}

export const eventTypeCode = (value: (typeof EVENT_TYPES)[number]): number => codeIn(EVENT_TYPES, value);
export const altitudeCode = (value: Altitude): number => codeIn(ALTITUDES, value);
export const decisionCode = (value: (typeof DECISIONS)[number]): number => codeIn(DECISIONS, value);
export const rolloutOutcomeCode = (value: (typeof ROLLOUT_OUTCOMES)[number]): number =>
  codeIn(ROLLOUT_OUTCOMES, value);
export const regressionVerdictCode = (value: (typeof REGRESSION_VERDICTS)[number]): number =>
  codeIn(REGRESSION_VERDICTS, value);

export function altitudeOf(code: number): Altitude {
  const altitude = ALTITUDES[code];
  if (altitude === undefined) throw new RangeError(`not an altitude code: ${code}`);
  return altitude;
}

/** The enabled altitudes as a bit set: bit i = ALTITUDES[i] (the wire list holds distinct altitudes). */
export function altitudeMask(altitudes: readonly Altitude[]): number {
  let mask = 0;
  for (const altitude of altitudes) mask |= 1 << altitudeCode(altitude);
  return mask;
}

export const DECISION_EVENT = eventTypeCode("proposal_decision");
export const ROLLOUT_EVENT = eventTypeCode("rollout_result");
export const APPROVED = decisionCode("approved");
export const SUCCESS = rolloutOutcomeCode("success");
