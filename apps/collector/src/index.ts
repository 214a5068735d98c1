// @synthorg/collector: the collector's programmatic API. Typed clients import only `type AppRouter`.
export type { AppRouter } from "./router.js";
export { appRouter, createCaller } from "./router.js";
export { BASE_PATH, TRPC_PATH, createApp, type CreateAppOptions, type Lifecycle } from "./app.js";
export {
  startCollector,
  DEFAULT_SHUTDOWN_GRACE_MS,
  type RunningCollector,
  type StartCollectorOptions,
} from "./server.js";
export { createServices, defaultLogger, LOGGER_NAME, type ServiceOptions } from "./services.js";
export {
  API_KEY_PREFIX,
  bearerToken,
  createApiKey,
  createSha256Verifier,
  sha256Hex,
  type ApiKeyVerifier,
  type VerifiedKey,
} from "./auth.js";
export { createRateLimiter, type Clock, type RateLimiter, type RateDecision } from "./rate-limit.js";
export { buildPatterns, effectiveMinDeployments } from "./patterns.js";
export { buildRecommendations, recommend, roundRecommendation } from "./recommendations.js";
export { maskUnknownRules } from "./mask.js";
export * from "./api-schemas.js";
export { buildOpenApiDocument } from "./openapi.js";
export { IDEMPOTENCY_KEY_HEADER, MAX_REPORTED_ISSUES, eventBatchParser } from "./routers/events.js";
export {
  AUTH_REALM,
  collectorError,
  describeError,
  type DescribedError,
  type ErrorCode,
  type RestErrorBody,
} from "./errors.js";
export type { CollectorContext, CollectorServices } from "./trpc.js";
export { createCollectorMetrics, type CollectorMetrics, type RejectionReason } from "./metrics.js";
export * from "./store/index.js";
