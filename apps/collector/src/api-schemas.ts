// The shapes procedures answer with (and the REST routes return as they are). The OpenAPI document
// is generated from these and from the wire schemas; procedure results are typed by them.
import {
  IDEMPOTENCY_KEY_PATTERN,
  MIN_MIN_DEPLOYMENTS_FOR_PATTERN,
  patternSchema,
  recommendationSchema,
} from "@synthorg/schema";
import { z } from "zod";

/** The Idempotency-Key header: 1–128 of [A-Za-z0-9_-]. */
export const idempotencyKeySchema = z
  .string()
  .regex(IDEMPOTENCY_KEY_PATTERN, "must be 1–128 of [A-Za-z0-9_-]");

export const ingestResultSchema = z.strictObject({
  ingested: z.number().int().min(0),
  duplicate: z.boolean(),
});

export const patternsInputSchema = z
  .strictObject({
    minDeployments: z.number().int().min(1).optional(),
  })
  .optional();

/** REST spelling of the same query: `?min_deployments=N`. */
export const patternsQuerySchema = z.object({
  min_deployments: z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, "must be a positive integer")
    .transform(Number)
    .optional(),
});

export const patternListSchema = z.strictObject({
  /** The k the patterns were built at: max(requested, min_deployments_for_pattern). */
  min_deployments: z.number().int().min(MIN_MIN_DEPLOYMENTS_FOR_PATTERN),
  patterns: z.array(patternSchema),
});

export const recommendationListSchema = z.strictObject({
  recommendations: z.array(recommendationSchema),
});

export const storeStatsSchema = z.strictObject({
  kind: z.enum(["memory", "postgres"]),
  size: z.number().int().min(0),
  capacity: z.number().int().min(1).nullable(),
  ingested_total: z.number().int().min(0),
  evicted_total: z.number().int().min(0),
  deployments: z.number().int().min(0),
});

export const statsSummarySchema = z.strictObject({
  store: storeStatsSchema,
  /** Accepted events per second, averaged over the last minute. */
  ingest_rate_per_second: z.number().min(0),
  uptime_seconds: z.number().min(0),
  server_time: z.date(),
  min_deployments_for_pattern: z.number().int(),
  recommendation_min_observations: z.number().int(),
});

export const validationIssueSchema = z.strictObject({ path: z.string(), message: z.string() });

export const restErrorSchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    issues: z.array(validationIssueSchema),
  }),
});

export type IngestResult = z.output<typeof ingestResultSchema>;
export type PatternList = z.output<typeof patternListSchema>;
export type RecommendationList = z.output<typeof recommendationListSchema>;
export type StatsSummary = z.output<typeof statsSummarySchema>;
