// What to do after each delivery attempt, as pure functions of the attempt's result: the emitter
// owns the queue and the timers, this module owns the rules (which statuses are retried, how long to
// wait, what counts as a configuration problem).
import type { Delivery } from "./transport.js";

/** First retry delay (before jitter); doubles with each consecutive failure of a batch. */
export const DEFAULT_RETRY_BASE_MS = 1_000;
/** Longest backoff between two attempts of a batch. */
export const DEFAULT_RETRY_CAP_MS = 30_000;
/** A server's Retry-After is honoured up to this long; beyond it we assume a misconfigured proxy. */
export const DEFAULT_RETRY_AFTER_CAP_MS = 300_000;
/**
 * Attempts a batch gets within one flush round. After that it goes back to the front of the queue
 * (keeping its idempotency key) and the next round (the interval, a full batch, flush() or close())
 * tries again, so a long outage is ridden out without an unbounded loop inside one flush() call.
 */
export const ATTEMPTS_PER_ROUND = 4;

/** Statuses that mean "this batch itself is bad": resending it unchanged can never succeed. */
const REJECTED_STATUSES = new Set([400, 413, 422]);
/** Statuses that mean "the request was fine, try again later". */
const RETRYABLE_CLIENT_STATUSES = new Set([408, 429]);
/** TLS failures are a trust configuration problem (ca_file), not a transient network error. */
const TLS_ERROR_CODE =
  /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_)/;

export interface BackoffOptions {
  readonly baseMs: number;
  readonly capMs: number;
  /** A uniform random number in [0, 1). */
  readonly random: () => number;
}

/**
 * Exponential backoff with "equal jitter": half the exponential delay is fixed, the other half is
 * random. The random half spreads a fleet of deployments that all saw the same outage; the fixed
 * half keeps a flapping collector from being hit again at once.
 */
export function backoffDelayMs(failures: number, options: BackoffOptions): number {
  const exponent = Math.max(0, failures - 1);
  // 2 ** 31 keeps the product finite for any failure count; the cap applies right after.
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(exponent, 31));
  return Math.round(ceiling / 2 + (ceiling / 2) * options.random());
}

/**
 * A Retry-After header (RFC 9110: delay-seconds or an HTTP-date) in milliseconds from `now`, clamped
 * to [0, capMs]; undefined when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | null, now: number, capMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  let delay: number;
  if (/^\d+$/.test(text)) {
    delay = Number(text) * 1000;
  } else if (/[A-Za-z]/.test(text)) {
    // Every HTTP-date form names its month; this keeps Date.parse from reading "-5" as a year.
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    delay = at - now;
  } else {
    return undefined;
  }
  return Math.min(capMs, Math.max(0, delay));
}

export type Verdict =
  /** The collector stored the batch (or had already: a duplicate). */
  | { readonly kind: "sent" }
  /** The collector refused the batch's content: drop it. */
  | { readonly kind: "rejected"; readonly status: number; readonly message: string }
  /**
   * Our configuration is wrong (key, scope, URL, trust). Keep the events: fixing the configuration
   * on either side recovers them. `problem` identifies the state for once-per-change logging.
   */
  | { readonly kind: "misconfigured"; readonly problem: string; readonly hint: string }
  /** Transient: try again after a backoff (or what the server asked for). */
  | { readonly kind: "retry"; readonly retryAfterMs: number | undefined }
  /** close() ran out of time and cancelled the request. */
  | { readonly kind: "aborted" };

export function classifyDelivery(delivery: Delivery, now: number, retryAfterCapMs: number): Verdict {
  switch (delivery.kind) {
    case "accepted":
      return { kind: "sent" };
    case "aborted":
      return { kind: "aborted" };
    case "timeout":
      return { kind: "retry", retryAfterMs: undefined };
    case "network_error":
      return TLS_ERROR_CODE.test(delivery.code)
        ? {
            kind: "misconfigured",
            problem: `tls:${delivery.code}`,
            hint: "the collector's certificate is not trusted: set ca_file to the PEM of its CA",
          }
        : { kind: "retry", retryAfterMs: undefined };
    case "http_error":
      return classifyStatus(
        delivery.status,
        parseRetryAfterMs(delivery.retryAfter, now, retryAfterCapMs),
        delivery.message,
      );
  }
}

function classifyStatus(status: number, retryAfterMs: number | undefined, message: string): Verdict {
  if (REJECTED_STATUSES.has(status)) return { kind: "rejected", status, message };
  if (status === 401) {
    return {
      kind: "misconfigured",
      problem: "http:401",
      hint: "the collector does not know this write key: check collector_api_key / SYNTHORG_ANALYTICS_API_KEY",
    };
  }
  if (status === 403) {
    return {
      kind: "misconfigured",
      problem: "http:403",
      hint: "the collector refused this key: it needs the write scope (or it has claimed too many deployment ids)",
    };
  }
  // 3xx is retried, never followed: following would resend the bearer key to another origin.
  // A 2xx that is not a valid tRPC answer (an intercepting proxy) is retried too.
  if (status < 400 || status >= 500 || RETRYABLE_CLIENT_STATUSES.has(status)) {
    return { kind: "retry", retryAfterMs };
  }
  return {
    kind: "misconfigured",
    problem: `http:${status}`,
    hint: "the collector did not accept the request: check collector_url (it should end in /api/meta/analytics)",
  };
}
