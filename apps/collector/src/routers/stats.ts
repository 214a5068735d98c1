// What a dashboard shows besides patterns: store fill, ingest rate, uptime and the server's clock.
import type { StatsSummary } from "../api-schemas.js";
import { readProcedure, router } from "../trpc.js";

const MS_PER_SECOND = 1000;

export const statsRouter = router({
  summary: readProcedure.query(async ({ ctx }): Promise<StatsSummary> => {
    const { config, store, ingestRate, now, startedAt } = ctx.services;
    const stats = await store.stats();
    const time = now();
    return {
      store: { kind: store.kind, ...stats },
      ingest_rate_per_second: ingestRate.perSecond(),
      uptime_seconds: Math.max(0, (time - startedAt) / MS_PER_SECOND),
      server_time: new Date(time),
      min_deployments_for_pattern: config.min_deployments_for_pattern,
      recommendation_min_observations: config.recommendation_min_observations,
    };
  }),
});
