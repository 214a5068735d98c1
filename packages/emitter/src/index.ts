export {
  createAnalyticsEmitter,
  type AnalyticsEmitter,
  type CloseResult,
  type EmitterOptions,
  type EmitterStats,
  type LastStatus,
} from "./emitter.js";
export {
  ATTEMPTS_PER_ROUND,
  DEFAULT_RETRY_AFTER_CAP_MS,
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_RETRY_CAP_MS,
  backoffDelayMs,
  parseRetryAfterMs,
} from "./retry-policy.js";
export { IDEMPOTENCY_KEY_HEADER, TRPC_ENDPOINT } from "@synthorg/schema";
export { LOGGER_NAME, LOG_EVENTS } from "./log.js";
