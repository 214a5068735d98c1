// What the collector answers: patterns across deployments and threshold recommendations.
import { z } from "zod";
import { altitudeSchema } from "./enums.js";

export const patternSchema = z.strictObject({
  source_rule: z.string(),
  altitude: altitudeSchema,
  deployment_count: z.number().int().min(0),
  total_events: z.number().int().min(0),
  decision_count: z.number().int().min(0),
  rollout_count: z.number().int().min(0),
  approval_rate: z.number().min(0).max(1),
  success_rate: z.number().min(0).max(1),
  avg_confidence: z.number().min(0).max(1),
  avg_observation_hours: z.number().nullable(),
  /** `[tag, event count]` for tags seen in at least k deployments of the group. */
  industry_breakdown: z.array(z.tuple([z.string(), z.number().int().min(0)])),
});

export const RECOMMENDATION_DIRECTIONS = ["fire_more", "fire_less"] as const;

export const recommendationSchema = z.strictObject({
  rule_name: z.string(),
  altitude: altitudeSchema,
  metric_name: z.string(),
  current_default: z.number(),
  recommended_value: z.number(),
  direction: z.enum(RECOMMENDATION_DIRECTIONS),
  confidence: z.number().min(0).max(1),
  based_on_deployments: z.number().int().min(0),
  based_on_observations: z.number().int().min(0),
  rationale: z.string(),
});

export type Pattern = z.output<typeof patternSchema>;
export type Recommendation = z.output<typeof recommendationSchema>;
export type RecommendationDirection = (typeof RECOMMENDATION_DIRECTIONS)[number];
