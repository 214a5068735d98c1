// events.ingest: the write path. One validation pass (the compiled wire validator), masking, one
// store call; nothing here runs per event except the masking check.
import {
  IDEMPOTENCY_KEY_HEADER,
  issuesFromZod,
  parseEventBatch,
  type EventBatch,
  type EventBatchInput,
  type ValidationIssue,
} from "@synthorg/schema";
import { idempotencyKeySchema, type IngestResult } from "../api-schemas.js";
import { collectorError } from "../errors.js";
import { maskUnknownRules } from "../mask.js";
import { router, writeProcedure } from "../trpc.js";

export { IDEMPOTENCY_KEY_HEADER };
/** A response names at most this many issues (a 1000-event batch could have thousands). */
export const MAX_REPORTED_ISSUES = 100;

function describeRejection(issues: readonly ValidationIssue[]): string {
  const first = issues[0];
  const head =
    first === undefined ? "invalid event batch" : `invalid event batch: ${first.path}: ${first.message}`;
  return issues.length > 1 ? `${head} (and ${issues.length - 1} more)` : head;
}

function parseBatch(raw: unknown): EventBatch {
  const result = parseEventBatch(raw);
  if (result.ok) return result.batch;
  throw collectorError("BAD_REQUEST", describeRejection(result.issues), {
    issues: result.issues.slice(0, MAX_REPORTED_ISSUES),
  });
}

/**
 * The batch parser as tRPC sees it. At runtime a plain function (tRPC calls it once, before the
 * handler); the `_input`/`_output` markers only tell tRPC's type inference that a client may send
 * the wire input shape (schema_version and enabled_altitudes optional) and the handler gets the
 * parsed shape, as with a zod schema.
 */
export const eventBatchParser = parseBatch as typeof parseBatch & {
  readonly _input: EventBatchInput;
  readonly _output: EventBatch;
};

const ingestProcedure = writeProcedure.use(({ ctx, next }) => {
  const key = ctx.idempotencyKey;
  if (key !== undefined) {
    const checked = idempotencyKeySchema.safeParse(key);
    if (!checked.success) {
      throw collectorError("BAD_REQUEST", `invalid ${IDEMPOTENCY_KEY_HEADER} header`, {
        issues: issuesFromZod(checked.error, IDEMPOTENCY_KEY_HEADER),
      });
    }
  }
  return next({ ctx: { batchKey: key ?? null } });
});

export const eventsRouter = router({
  ingest: ingestProcedure.input(eventBatchParser).mutation(async ({ ctx, input }): Promise<IngestResult> => {
    const { store, metrics, ingestRate } = ctx.services;
    const { events, masked } = maskUnknownRules(input.events);
    const outcome = await store.ingest({ events, writerId: ctx.key.id, batchKey: ctx.batchKey });
    if (outcome.kind === "deployment_cap") {
      throw collectorError(
        "FORBIDDEN",
        `this API key may report at most ${outcome.limit} distinct deployment ids`,
        { reason: "deployment_cap" },
      );
    }
    if (outcome.duplicate) {
      metrics.duplicates.inc();
    } else {
      metrics.ingested.inc(outcome.ingested);
      if (masked > 0) metrics.maskedRules.inc(masked);
      ingestRate.record(outcome.ingested);
    }
    return { ingested: outcome.ingested, duplicate: outcome.duplicate };
  }),
});
