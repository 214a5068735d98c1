import type { RecommendationList } from "../api-schemas.js";
import { buildPatterns } from "../patterns.js";
import { buildRecommendations } from "../recommendations.js";
import { readProcedure, router } from "../trpc.js";

export const recommendationsRouter = router({
  list: readProcedure.query(async ({ ctx }): Promise<RecommendationList> => {
    const { config, store } = ctx.services;
    const patterns = buildPatterns(await store.groupAggregates(), config.min_deployments_for_pattern);
    return { recommendations: buildRecommendations(patterns, config) };
  }),
});
