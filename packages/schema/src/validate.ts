// The hot-path validator. ajv compiles the JSON Schema that zod generates from eventBatchSchema, so
// the rules have one source. Accepted input is what zod would accept (a differential property test
// holds them equal); on a rejection zod itself produces the issues, so messages are zod's too.
import { Ajv2020 } from "ajv/dist/2020.js";
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

export type ParseResult<T> =
  | { readonly ok: true; readonly batch: T }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/** JSON Schema of a wire object as a sender writes it (optional keys with defaults not required). */
export function wireJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: "input",
    override: (ctx) => {
      // Let ajv pick the oneOf branch by event_type instead of trying both. ajv's discriminator
      // replaces oneOf but applies to objects only: without `type: "object"` a non-object event
      // (`{"events":[false]}`) would pass unchecked.
      if (ctx.zodSchema === eventSchema) {
        ctx.jsonSchema.type = "object";
        ctx.jsonSchema.discriminator = { propertyName: "event_type" };
      }
    },
  });
}

const ajv = new Ajv2020({
  // Match zod exactly: lengths count code points (ajv's default, as zod 4 does) and regexes run
  // without the `u` flag, as zod's do.
  unicodeRegExp: false,
  discriminator: true,
  // Fill schema_version and enabled_altitudes defaults in place, as zod's output would have them.
  useDefaults: true,
  allErrors: false,
  strict: false,
  formats: { [WIRE_DAY_FORMAT]: (value: string) => isWireDay(value) },
});

type JsonSchemaNode = Record<string, unknown>;

const isNode = (value: unknown): value is JsonSchemaNode =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * zod writes a nullable X as `anyOf: [X, {type: "null"}]`. For ajv that means trying X first and
 * allocating an error object for every null before the second branch passes (about a quarter of
 * the validator's time on realistic batches, pnpm bench case 3). `X` with `type: [T, "null"]` (and
 * null added to an `enum`) accepts exactly the same values — pattern, length and range keywords
 * only constrain values of their own type — and ajv checks it with one typeof.
 */
function nullableAsTypeUnion(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableAsTypeUnion);
  if (!isNode(node)) return node;
  const out: JsonSchemaNode = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, nullableAsTypeUnion(value)]),
  );
  const branches = out.anyOf;
  if (!Array.isArray(branches) || branches.length !== 2) return out;
  const nullAt = branches.findIndex(
    (branch) => isNode(branch) && branch.type === "null" && Object.keys(branch).length === 1,
  );
  const other: unknown = branches[1 - nullAt];
  if (nullAt < 0 || !isNode(other) || typeof other.type !== "string" || "anyOf" in other) return out;
  const { anyOf: _replaced, ...rest } = out;
  return {
    ...rest,
    ...other,
    type: [other.type, "null"],
    ...(Array.isArray(other.enum) ? { enum: [...(other.enum as unknown[]), null] } : {}),
  };
}

const fastBatch = ajv.compile(nullableAsTypeUnion(wireJsonSchema(eventBatchSchema)) as JsonSchemaNode);
const fastEvent = ajv.compile(nullableAsTypeUnion(wireJsonSchema(eventSchema)) as JsonSchemaNode);

/** ajv's raw verdict (exported for the differential test; use parseEventBatch). */
export function fastBatchVerdict(input: unknown): boolean {
  return fastBatch(input);
}

/** ajv's raw verdict on one event (exported for the differential test; use parseEvent). */
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
