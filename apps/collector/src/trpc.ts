// The one tRPC instance: context, error shape, middlewares and the procedure builders every router
// uses. Auth, the rate limit and the store-outage mapping are middlewares, never per-handler code.
import type { IncomingHttpHeaders } from "node:http";
import { trpcTransformer, type AnalyticsConfig, type ApiScope } from "@synthorg/schema";
import { initTRPC } from "@trpc/server";
import type { Logger } from "pino";
import { bearerToken, type ApiKeyVerifier, type VerifiedKey } from "./auth.js";
import { collectorError, describeError } from "./errors.js";
import type { CollectorMetrics } from "./metrics.js";
import type { Clock, RateLimiter } from "./rate-limit.js";
import type { RateWindow } from "./rate-window.js";
import { StoreUnavailableError, type AnalyticsStore } from "./store/types.js";

/** What every request can reach: built once per collector. */
export interface CollectorServices {
  readonly config: AnalyticsConfig;
  readonly store: AnalyticsStore;
  readonly verifier: ApiKeyVerifier;
  readonly rateLimiter: RateLimiter;
  readonly metrics: CollectorMetrics;
  /** Accepted events per second over the last minute (stats.summary). */
  readonly ingestRate: RateWindow;
  readonly logger: Logger;
  readonly now: Clock;
  readonly startedAt: number;
}

/** Per request, from its headers alone, for both transports (tRPC adapter and REST routes). */
export interface CollectorContext {
  readonly services: CollectorServices;
  readonly authorization: string | undefined;
  /** The raw Idempotency-Key header; validated by the procedures that use it. */
  readonly idempotencyKey: string | undefined;
}

export function createContext(services: CollectorServices, headers: IncomingHttpHeaders): CollectorContext {
  const idempotencyKey = headers["idempotency-key"];
  return {
    services,
    authorization: headers.authorization,
    idempotencyKey: Array.isArray(idempotencyKey) ? idempotencyKey.join(",") : idempotencyKey,
  };
}

const t = initTRPC.context<CollectorContext>().create({
  transformer: trpcTransformer,
  // Never put stack traces in responses, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error }) {
    const described = describeError(error);
    return {
      code: shape.code,
      message: described.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        issues: described.issues,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** A store outage becomes 503 + Retry-After on every procedure, whichever store threw it. */
const storeAvailability = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof StoreUnavailableError) {
    const cause = result.error.cause;
    throw collectorError("SERVICE_UNAVAILABLE", "the store is unavailable; retry later", {
      retryAfterSeconds: cause.retryAfterSeconds,
      reason: "unavailable",
    });
  }
  return result;
});

function requireScope(scope: ApiScope) {
  return t.middleware(async ({ ctx, next }) => {
    const token = bearerToken(ctx.authorization);
    if (token === null) throw collectorError("UNAUTHORIZED", "missing bearer API key");
    const key: VerifiedKey | null = await ctx.services.verifier.verify(token);
    if (key === null)
      throw collectorError("UNAUTHORIZED", "unknown API key", { bearerError: "invalid_token" });
    if (!key.scopes.has(scope)) throw collectorError("FORBIDDEN", `this API key lacks the ${scope} scope`);
    return next({ ctx: { key } });
  });
}

/** Auth, then the rate limit, which is per verified key id. */
function scopedProcedure(scope: ApiScope) {
  return publicProcedure.use(requireScope(scope)).use(({ ctx, next }) => {
    const decision = ctx.services.rateLimiter.take(ctx.key.id);
    if (!decision.allowed) {
      throw collectorError("TOO_MANY_REQUESTS", "rate limit exceeded for this API key", {
        retryAfterSeconds: decision.retryAfterSeconds,
      });
    }
    return next();
  });
}

export const publicProcedure = t.procedure.use(storeAvailability);
export const readProcedure = scopedProcedure("read");
export const writeProcedure = scopedProcedure("write");
