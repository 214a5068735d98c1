// The emitter's logger and its event vocabulary. Every line carries `event`; none carries an event
// payload, the salt or the API key (the canary tests hold this).
import { pino, type Logger } from "pino";

/** The logger name the privacy policy tells operators to enable DEBUG for. */
export const LOGGER_NAME = "synthorg.meta.telemetry";
/** Without a logger from the host application, the emitter logs at this level to stderr. */
export const DEFAULT_LOG_LEVEL = "info";

export const LOG_EVENTS = Object.freeze({
  /** debug: event_type, pending */
  queued: "cross_deployment.event.queued",
  /** warn: an emit call whose input could not become a valid wire event (field names only). */
  invalid: "cross_deployment.event.invalid",
  /** warn: the oldest pending event was dropped to make room (logged once per overflow episode). */
  overflow: "cross_deployment.queue.overflow",
  /** info: event_count, status, duplicate */
  flushed: "cross_deployment.batch.flushed",
  /** warn: event_count, attempt, delay_ms, reason, requeued */
  retrying: "cross_deployment.batch.retrying",
  /** error: event_count, status, error */
  dropped: "cross_deployment.batch.dropped",
  /** error: problem, hint (once per change of state) */
  configError: "cross_deployment.config.error",
  /** info: after a configuration error, the collector accepted a batch again. */
  configRecovered: "cross_deployment.config.recovered",
  /** info: sent, dropped, pending */
  closed: "cross_deployment.emitter.closed",
} as const);

/** A child of the host's logger named for the policy, or a stderr logger of our own. */
export function telemetryLogger(parent: Logger | undefined): Logger {
  if (parent !== undefined) return parent.child({ name: LOGGER_NAME });
  return pino({ name: LOGGER_NAME, level: DEFAULT_LOG_LEVEL }, pino.destination(2));
}
