import { patternsInputSchema, type PatternList } from "../api-schemas.js";
import { buildPatterns, effectiveMinDeployments } from "../patterns.js";
import { readProcedure, router } from "../trpc.js";

export const patternsRouter = router({
  list: readProcedure.input(patternsInputSchema).query(async ({ ctx, input }): Promise<PatternList> => {
    const { config, store } = ctx.services;
    const k = effectiveMinDeployments(input?.minDeployments, config.min_deployments_for_pattern);
    return { min_deployments: k, patterns: buildPatterns(await store.groupAggregates(), k) };
  }),
});
