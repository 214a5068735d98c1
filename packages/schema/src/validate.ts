// The hot-path validator. schema-check.ts compiles the JSON Schema that zod generates from
// eventBatchSchema, so the rules have one source. Accepted input is what zod would accept (a
// differential property test holds them equal); on a rejection zod itself produces the issues, so
// messages are zod's too, and whatever the compiled check declines to judge, zod judges.
import { z } from "zod";
import { isWireDay } from "./day.js";
import {
  WIRE_DAY_FORMAT,
  eventBatchSchema,
  eventSchema,
  type AnonymizedEvent,
  type EventBatch,
} from "./event.js";
import { issuesFromZod, type ValidationIssue } from "./issues.js";
import { compileCheck, type CheckOptions } from "./schema-check.js";

export type ParseResult<T> =
  | { readonly ok: true; readonly batch: T }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/** JSON Schema of a wire object as a sender writes it (optional keys with defaults not required). */
export function wireJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: "input",
    override: (ctx) => {
      // Pick the oneOf branch by event_type instead of trying both, and say the event is an
      // object, so a non-object event (`{"events":[false]}`) cannot slip past the discriminator.
      if (ctx.zodSchema === eventSchema) {
        ctx.jsonSchema.type = "object";
        ctx.jsonSchema.discriminator = { propertyName: "event_type" };
      }
    },
  });
}

const FORMATS: CheckOptions["formats"] = { [WIRE_DAY_FORMAT]: (value) => isWireDay(value) };

// A batch repeats its strings event after event, so its check remembers what passed; an event
// arrives alone (the anonymiser checks each one it makes), where remembering would only cost.
const fastBatch = compileCheck(wireJsonSchema(eventBatchSchema), { formats: FORMATS, rememberStrings: true });
const fastEvent = compileCheck(wireJsonSchema(eventSchema), { formats: FORMATS, rememberStrings: false });

/** The compiled check's raw verdict (exported for the differential test; use parseEventBatch). */
export function fastBatchVerdict(input: unknown): boolean {
  return fastBatch(input);
}

/** The compiled check's raw verdict on one event (exported for the differential test; use parseEvent). */
export function fastEventVerdict(input: unknown): boolean {
  return fastEvent(input);
}

/**
 * Validate a decoded JSON body as an event batch. On success the returned batch is the input object
 * itself with defaults filled in (no copy: this is the ingest hot path).
 */
export function parseEventBatch(input: unknown): ParseResult<EventBatch> {
  if (fastBatch(input)) return { ok: true, batch: input as EventBatch };
  return fromZod(eventBatchSchema.safeParse(input));
}

/** The same for a single event. */
export function parseEvent(input: unknown): ParseResult<AnonymizedEvent> {
  if (fastEvent(input)) return { ok: true, batch: input as AnonymizedEvent };
  return fromZod(eventSchema.safeParse(input));
}

function fromZod<T>(result: z.ZodSafeParseResult<T>): ParseResult<T> {
  return result.success
    ? { ok: true, batch: result.data }
    : { ok: false, issues: issuesFromZod(result.error) };
}
