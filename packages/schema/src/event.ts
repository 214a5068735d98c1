// Wire format v1: one zod schema per wire object. Types, JSON Schema, OpenAPI and the compiled
// fast validator (validate.ts) are all derived from these.
import { z } from "zod";
import { isWireDay } from "./day.js";
import {
  ALTITUDES,
  WIRE_SCHEMA_VERSION,
  altitudeSchema,
  decisionSchema,
  regressionVerdictSchema,
  rolloutOutcomeSchema,
} from "./enums.js";

export const MAX_BATCH_EVENTS = 1000;
export const MAX_INDUSTRY_TAG_LENGTH = 100;
export const MAX_SDK_VERSION_LENGTH = 64;
export const MAX_OBSERVATION_HOURS = 100_000;
export const DEPLOYMENT_ID_PATTERN = /^[0-9a-f]{64}$/;
export const SOURCE_RULE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
/** "Not blank": at least one character that is not white space. */
const NOT_BLANK = /\S/;
/**
 * Free text on the wire is printable: no control characters (C0, DEL, C1), well-formed UTF-16 (no lone
 * surrogates, which JSON's \uD800 escapes can smuggle in) and no U+FFFD — what HTTP body decoders make
 * of invalid UTF-8 bytes, so a body with invalid UTF-8 can never be stored as text its sender did not
 * send. None of these has a meaning in a tag or a version, and PostgreSQL cannot store U+0000.
 */
const PRINTABLE_TEXT =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /^(?:[^\u0000-\u001f\u007f-\u009f\ud800-\udfff\ufffd]|[\ud800-\udbff][\udc00-\udfff])*$/;

/** A free-text wire field: 1–max characters (code points), not blank, printable. */
export function wireTextSchema(maxLength: number) {
  return z
    .string()
    .min(1)
    .max(maxLength)
    .regex(NOT_BLANK, "must not be blank")
    .regex(PRINTABLE_TEXT, "must be printable UTF-8 text (no control characters, lone surrogates or U+FFFD)");
}
/** JSON Schema `format` name under which validate.ts plugs in isWireDay. */
export const WIRE_DAY_FORMAT = "synthorg-day";

const forbidden = (eventType: string) => z.null({ error: `must be null for ${eventType} events` });

const commonFields = {
  schema_version: z
    .literal(WIRE_SCHEMA_VERSION, { error: `must be the string "${WIRE_SCHEMA_VERSION}"` })
    .default(WIRE_SCHEMA_VERSION),
  deployment_id: z.string().regex(DEPLOYMENT_ID_PATTERN, "must be 64 lowercase hex characters (SHA-256)"),
  timestamp: z
    .string()
    .refine((day) => isWireDay(day), "must be a YYYY-MM-DD calendar date from 2000-01-01 to tomorrow (UTC)")
    .meta({ format: WIRE_DAY_FORMAT }),
  altitude: altitudeSchema,
  source_rule: z
    .string()
    .regex(SOURCE_RULE_PATTERN, "must match ^[a-z][a-z0-9_]{0,63}$ (a rule name, or custom)")
    .nullable(),
  enabled_altitudes: z
    .array(altitudeSchema)
    .max(ALTITUDES.length)
    .refine((list) => new Set(list).size === list.length, "must not repeat an altitude")
    .meta({ uniqueItems: true })
    .default([]),
  industry_tag: wireTextSchema(MAX_INDUSTRY_TAG_LENGTH).nullable(),
  sdk_version: wireTextSchema(MAX_SDK_VERSION_LENGTH),
};

export const decisionEventSchema = z.strictObject({
  ...commonFields,
  event_type: z.literal("proposal_decision"),
  decision: decisionSchema,
  confidence: z.number().min(0).max(1).nullable(),
  rollout_outcome: forbidden("proposal_decision"),
  regression_verdict: forbidden("proposal_decision"),
  observation_hours: forbidden("proposal_decision"),
});

export const rolloutEventSchema = z.strictObject({
  ...commonFields,
  event_type: z.literal("rollout_result"),
  decision: forbidden("rollout_result"),
  confidence: forbidden("rollout_result"),
  rollout_outcome: rolloutOutcomeSchema,
  regression_verdict: regressionVerdictSchema.nullable(),
  observation_hours: z.number().min(0).max(MAX_OBSERVATION_HOURS).nullable(),
});

/** One anonymised event, exactly as it crosses the wire. */
export const eventSchema = z.discriminatedUnion("event_type", [decisionEventSchema, rolloutEventSchema]);

/** `{"events": [...]}`, 0–1000 events, accepted or rejected whole. */
export const eventBatchSchema = z.strictObject({
  events: z.array(eventSchema).max(MAX_BATCH_EVENTS),
});

export type DecisionEvent = z.output<typeof decisionEventSchema>;
export type RolloutEvent = z.output<typeof rolloutEventSchema>;
export type AnonymizedEvent = z.output<typeof eventSchema>;
export type EventBatch = z.output<typeof eventBatchSchema>;
/** What a sender may write: schema_version and enabled_altitudes may be left out. */
export type EventBatchInput = z.input<typeof eventBatchSchema>;

/** The wire keys in canonical order (the order the anonymiser writes them). */
export const EVENT_KEYS = [
  "schema_version",
  "deployment_id",
  "event_type",
  "timestamp",
  "altitude",
  "source_rule",
  "decision",
  "confidence",
  "rollout_outcome",
  "regression_verdict",
  "observation_hours",
  "enabled_altitudes",
  "industry_tag",
  "sdk_version",
] as const satisfies readonly (keyof AnonymizedEvent)[];
