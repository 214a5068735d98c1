// The root router: small routers composed. Its type is what typed clients (the emitter) import.
import { eventsRouter } from "./routers/events.js";
import { patternsRouter } from "./routers/patterns.js";
import { recommendationsRouter } from "./routers/recommendations.js";
import { statsRouter } from "./routers/stats.js";
import { createCallerFactory, router } from "./trpc.js";

export const appRouter = router({
  events: eventsRouter,
  patterns: patternsRouter,
  recommendations: recommendationsRouter,
  stats: statsRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
