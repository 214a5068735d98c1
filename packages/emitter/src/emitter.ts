// The emitter a deployment embeds. emit* anonymise and enqueue synchronously and never throw; one
// delivery loop ("round") at a time moves batches to the collector, retrying with backoff. A batch
// that keeps failing goes back to the front of the queue with its idempotency key, so the collector
// stores it exactly once however many times it is resent.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  API_KEY_ENV,
  AnonymizationError,
  CONFIG_PATH,
  ConfigError,
  MAX_BATCH_EVENTS,
  anonymizeDecision,
  anonymizeRollout,
  createAnonymizationContext,
  type AnalyticsConfig,
  type AnonymizationContext,
  type AnonymizedEvent,
  type EnabledAltitudeFlags,
  type EventType,
  type ImprovementProposal,
  type ProposalOutcome,
  type RolloutResult,
} from "@synthorg/schema";
import type { Logger } from "pino";
import { LOG_EVENTS, telemetryLogger } from "./log.js";
import { Deque } from "./deque.js";
import {
  ATTEMPTS_PER_ROUND,
  DEFAULT_RETRY_AFTER_CAP_MS,
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_RETRY_CAP_MS,
  backoffDelayMs,
  classifyDelivery,
  type BackoffOptions,
} from "./retry-policy.js";
import {
  assertCertificatePem,
  createIngestTransport,
  type Delivery,
  type IngestTransport,
} from "./transport.js";

/** A ref'd timer interval long enough never to fire: it only keeps the process alive. */
const KEEP_ALIVE_INTERVAL_MS = 2 ** 30;
/** Node fires a longer timer after 1 ms instead (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface EmitterOptions {
  /** The analytics block from loadAnalyticsConfig. */
  readonly config: AnalyticsConfig;
  /** Which altitudes this deployment has enabled (sent as categorical names only). */
  readonly altitudes: EnabledAltitudeFlags;
  /** Rule names reported as themselves; any other becomes "custom". Default: BUILTIN_RULES. */
  readonly builtinRules?: readonly string[];
  /** Reported as sdk_version. Default: DEFAULT_SDK_VERSION. */
  readonly sdkVersion?: string;
  /** The collector write key. Default: config.collector_api_key, then env SYNTHORG_ANALYTICS_API_KEY. */
  readonly apiKey?: string;
  /** The host's pino logger; the emitter logs through a child named synthorg.meta.telemetry. */
  readonly logger?: Logger;
  /** Audit mode: write each wire event as one JSON line here and send nothing. */
  readonly dryRun?: NodeJS.WritableStream;
  /** First retry delay before jitter (DEFAULT_RETRY_BASE_MS). Tests use milliseconds. */
  readonly retryBaseMs?: number;
  /** Longest backoff (DEFAULT_RETRY_CAP_MS). */
  readonly retryCapMs?: number;
  /** Longest Retry-After honoured (DEFAULT_RETRY_AFTER_CAP_MS). */
  readonly retryAfterCapMs?: number;
  /** Uniform random source in [0, 1) for jitter (Math.random). */
  readonly random?: () => number;
  /** Wall clock in epoch milliseconds, for Retry-After dates and backoff deadlines (Date.now). */
  readonly now?: () => number;
}

export type LastStatus = number | "timeout" | "network_error" | null;

export interface EmitterStats {
  /** Events accepted into the queue since creation (in dryRun: written). */
  readonly queued: number;
  /** Events the collector acknowledged (in dryRun: written to the dryRun stream). */
  readonly sent: number;
  /** Oldest events dropped because max_pending events were already waiting. */
  readonly dropped_overflow: number;
  /** Events in batches the collector rejected as invalid (400/413/422). */
  readonly dropped_rejected: number;
  /** emit calls whose input could not become a valid wire event. */
  readonly dropped_invalid: number;
  /** Delivery attempts of a batch after its first. */
  readonly retries: number;
  /** Events waiting or in flight (after close: those left undelivered). */
  readonly pending: number;
  /** HTTP status of the last response, "timeout" / "network_error" when there was none. */
  readonly last_status: LastStatus;
}

export interface CloseResult {
  readonly sent: number;
  /** dropped_overflow + dropped_rejected + dropped_invalid. */
  readonly dropped: number;
  /** Events that could not be delivered before the deadline; they are discarded. */
  readonly pending: number;
}

export interface AnalyticsEmitter {
  /** Anonymise and enqueue a proposal decision. Synchronous; never throws; never waits. */
  emitDecision(outcome: ProposalOutcome, proposal: ImprovementProposal): void;
  /** Anonymise and enqueue a rollout result. Synchronous; never throws; never waits. */
  emitRollout(result: RolloutResult, proposal: ImprovementProposal): void;
  /** Resolves when everything queued before the call was acknowledged, or its round failed. */
  flush(): Promise<void>;
  /** Stop accepting, drain until `timeoutMs` (default shutdown_timeout_seconds), then report. */
  close(options?: { readonly timeoutMs?: number }): Promise<CloseResult>;
  stats(): EmitterStats;
}

/** Returns null when analytics is disabled; throws ConfigError when the config cannot work. */
export function createAnalyticsEmitter(options: EmitterOptions): AnalyticsEmitter | null {
  const { config } = options;
  if (!config.enabled) return null;
  const ctx = createAnonymizationContext(options);
  const log = telemetryLogger(options.logger);
  if (options.dryRun !== undefined) return new DryRunEmitter(ctx, log, options.dryRun);

  if (config.collector_url === undefined) {
    throw new ConfigError([{ path: `${CONFIG_PATH}.collector_url`, message: "is required when enabled" }]);
  }
  const apiKey = options.apiKey ?? config.collector_api_key ?? (process.env[API_KEY_ENV] || undefined);
  const transport = createIngestTransport({
    collectorUrl: config.collector_url,
    apiKey,
    caPem: config.ca_file === undefined ? undefined : readCaFile(config.ca_file),
    timeoutMs: config.http_timeout_seconds * 1000,
  });
  const emitter = new QueueingEmitter(ctx, log, transport, options);
  if (apiKey === undefined) {
    emitter.reportConfigProblem(
      "missing_api_key",
      `no write key: set collector_api_key or the ${API_KEY_ENV} environment variable`,
    );
  }
  return emitter;
}

function readCaFile(path: string): string {
  try {
    const pem = readFileSync(path, "utf8");
    assertCertificatePem(pem);
    return pem;
  } catch (error) {
    throw new ConfigError([
      {
        path: `${CONFIG_PATH}.ca_file`,
        message: `cannot use ${path} as a CA certificate: ${(error as Error).message}`,
      },
    ]);
  }
}

/** While a caller awaits flush() or close(), the process must not exit under it. */
async function keepingProcessAlive<T>(work: Promise<T>): Promise<T> {
  const handle = setInterval(() => undefined, KEEP_ALIVE_INTERVAL_MS);
  try {
    return await work;
  } finally {
    clearInterval(handle);
  }
}

/** Field names and rule messages only: the input itself may hold names, reasons and ids. */
function describeInvalid(error: unknown): string[] {
  if (error instanceof AnonymizationError) return error.issues.map((i) => `${i.path}: ${i.message}`);
  // V8's TypeError messages name properties, never values ("Cannot read properties of undefined").
  if (error instanceof TypeError) return [`TypeError: ${error.message}`];
  return [error instanceof Error ? error.name : typeof error];
}

abstract class BaseEmitter implements AnalyticsEmitter {
  protected closed = false;
  protected queuedCount = 0;
  protected sentCount = 0;
  protected droppedOverflow = 0;
  protected droppedRejected = 0;
  protected droppedInvalid = 0;

  constructor(
    protected readonly ctx: AnonymizationContext,
    protected readonly log: Logger,
  ) {}

  emitDecision(outcome: ProposalOutcome, _proposal: ImprovementProposal): void {
    if (this.closed) return;
    let event: AnonymizedEvent;
    try {
      event = anonymizeDecision(outcome, this.ctx);
    } catch (error) {
      this.invalid(error, "proposal_decision");
      return;
    }
    this.acceptSafely(event);
  }

  emitRollout(result: RolloutResult, proposal: ImprovementProposal): void {
    if (this.closed) return;
    let event: AnonymizedEvent;
    try {
      event = anonymizeRollout(result, proposal, this.ctx);
    } catch (error) {
      this.invalid(error, "rollout_result");
      return;
    }
    this.acceptSafely(event);
  }

  abstract flush(): Promise<void>;
  abstract close(options?: { readonly timeoutMs?: number }): Promise<CloseResult>;
  protected abstract accept(event: AnonymizedEvent): void;
  protected abstract pending(): number;
  protected abstract lastStatus(): LastStatus;

  stats(): EmitterStats {
    return {
      queued: this.queuedCount,
      sent: this.sentCount,
      dropped_overflow: this.droppedOverflow,
      dropped_rejected: this.droppedRejected,
      dropped_invalid: this.droppedInvalid,
      retries: this.retriesCount(),
      pending: this.pending(),
      last_status: this.lastStatus(),
    };
  }

  protected retriesCount(): number {
    return 0;
  }

  protected closeResult(): CloseResult {
    return {
      sent: this.sentCount,
      dropped: this.droppedOverflow + this.droppedRejected + this.droppedInvalid,
      pending: this.pending(),
    };
  }

  protected logClosed(result: CloseResult): void {
    this.log.info({ event: LOG_EVENTS.closed, ...result }, "analytics emitter closed");
  }

  private acceptSafely(event: AnonymizedEvent): void {
    // The host's approval path calls us: nothing here may throw into it (a broken log stream, say).
    try {
      this.accept(event);
    } catch (error) {
      this.invalid(error, event.event_type);
    }
  }

  private invalid(error: unknown, eventType: EventType): void {
    this.droppedInvalid++;
    try {
      this.log.warn(
        {
          event: LOG_EVENTS.invalid,
          event_type: eventType,
          issues: describeInvalid(error),
          dropped_invalid: this.droppedInvalid,
        },
        "analytics event dropped: input cannot be anonymised into a valid event",
      );
    } catch {
      // Logging failed too; the counter still records the drop.
    }
  }
}

class DryRunEmitter extends BaseEmitter {
  constructor(
    ctx: AnonymizationContext,
    log: Logger,
    private readonly out: NodeJS.WritableStream,
  ) {
    super(ctx, log);
  }

  protected accept(event: AnonymizedEvent): void {
    this.out.write(`${JSON.stringify(event)}\n`);
    this.queuedCount++;
    this.sentCount++;
  }

  protected pending(): number {
    return 0;
  }

  protected lastStatus(): LastStatus {
    return null;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<CloseResult> {
    if (!this.closed) {
      this.closed = true;
      this.logClosed(this.closeResult());
    }
    return Promise.resolve(this.closeResult());
  }
}

interface Batch {
  readonly key: string;
  readonly events: AnonymizedEvent[];
  /** Consecutive failed attempts; drives the backoff. */
  failures: number;
  /** Epoch ms before which the batch must not be sent (backoff or Retry-After). */
  notBefore: number;
}

/** A batch that failed and went back to the queue: its events are the first `count` in the queue. */
interface HeldBatch {
  readonly key: string;
  count: number;
  failures: number;
  notBefore: number;
}

type RoundResult = "done" | "failed";

function statusOf(delivery: Delivery): LastStatus | undefined {
  switch (delivery.kind) {
    case "accepted":
    case "http_error":
      return delivery.status;
    case "timeout":
      return "timeout";
    case "network_error":
      return "network_error";
    case "aborted":
      return undefined;
  }
}

function reasonOf(delivery: Delivery): string {
  switch (delivery.kind) {
    case "http_error":
    case "accepted":
      return `http_${delivery.status}`;
    case "network_error":
      return `network:${delivery.code}`;
    default:
      return delivery.kind;
  }
}

class QueueingEmitter extends BaseEmitter {
  private readonly queue = new Deque<AnonymizedEvent>();
  private held: HeldBatch | null = null;
  private inFlight = 0;
  private round: Promise<RoundResult> | null = null;
  private roundScheduled = false;
  private closing: Promise<CloseResult> | null = null;
  private readonly abort = new AbortController();
  private readonly interval: NodeJS.Timeout;
  private retries = 0;
  private last: LastStatus = null;
  private overflowing = false;
  private configProblem: string | null = null;

  private readonly maxPending: number;
  private readonly batchSize: number;
  private readonly shutdownTimeoutMs: number;
  private readonly backoff: BackoffOptions;
  private readonly retryAfterCapMs: number;
  private readonly now: () => number;

  constructor(
    ctx: AnonymizationContext,
    log: Logger,
    private readonly transport: IngestTransport,
    options: EmitterOptions,
  ) {
    super(ctx, log);
    const { config } = options;
    this.maxPending = config.max_pending;
    // A batch never exceeds the wire limit, nor what the queue may hold.
    this.batchSize = Math.max(1, Math.min(config.batch_size, MAX_BATCH_EVENTS, config.max_pending));
    this.shutdownTimeoutMs = config.shutdown_timeout_seconds * 1000;
    this.backoff = {
      baseMs: options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS,
      capMs: options.retryCapMs ?? DEFAULT_RETRY_CAP_MS,
      random: options.random ?? Math.random,
    };
    this.retryAfterCapMs = options.retryAfterCapMs ?? DEFAULT_RETRY_AFTER_CAP_MS;
    this.now = options.now ?? Date.now;
    this.interval = setInterval(() => this.onInterval(), config.flush_interval_seconds * 1000);
    this.interval.unref();
  }

  protected accept(event: AnonymizedEvent): void {
    if (this.queue.length + this.inFlight >= this.maxPending) {
      this.droppedOverflow++;
      this.logOverflow();
      // Only when every pending event is in flight (max_pending ≤ one batch) is the newest dropped
      // instead: the oldest are on the wire.
      if (this.queue.length === 0) return;
      this.queue.shift();
      if (this.held !== null && --this.held.count === 0) this.held = null;
    }
    this.queue.pushBack(event);
    this.queuedCount++;
    if (this.log.isLevelEnabled("debug")) {
      this.log.debug(
        { event: LOG_EVENTS.queued, event_type: event.event_type, pending: this.pending() },
        "analytics event queued",
      );
    }
    if (this.queue.length >= this.batchSize) this.scheduleRound();
  }

  protected pending(): number {
    return this.queue.length + this.inFlight;
  }

  protected lastStatus(): LastStatus {
    return this.last;
  }

  protected override retriesCount(): number {
    return this.retries;
  }

  flush(): Promise<void> {
    if (this.closing !== null) return this.closing.then(() => undefined);
    return keepingProcessAlive(this.flushRound());
  }

  close(options: { readonly timeoutMs?: number } = {}): Promise<CloseResult> {
    this.closing ??= keepingProcessAlive(this.shutdown(options.timeoutMs ?? this.shutdownTimeoutMs));
    return this.closing;
  }

  /** Logs a configuration problem once per change of state (not once per failed batch). */
  reportConfigProblem(problem: string, hint: string, status?: number): void {
    if (this.configProblem === problem) return;
    this.configProblem = problem;
    this.log.error(
      { event: LOG_EVENTS.configError, problem, status, hint },
      `ANALYTICS CONFIGURATION ERROR: ${hint}; events are kept and retried`,
    );
  }

  private async flushRound(): Promise<void> {
    const current = this.round;
    if (current !== null && (await current) === "failed") return;
    if (this.pending() > 0) await this.startRound();
  }

  private async shutdown(timeoutMs: number): Promise<CloseResult> {
    this.closed = true;
    clearInterval(this.interval);
    const deadline = setTimeout(() => this.abort.abort(), Math.min(Math.max(0, timeoutMs), MAX_TIMER_MS));
    if (timeoutMs <= 0) this.abort.abort();
    try {
      while (!this.abort.signal.aborted && this.pending() > 0) await this.startRound();
      if (this.round !== null) await this.round;
    } finally {
      clearTimeout(deadline);
    }
    await this.transport.close();
    const result = this.closeResult();
    this.logClosed(result);
    return result;
  }

  private onInterval(): void {
    if (this.round === null && this.pending() > 0) void this.startRound();
  }

  private scheduleRound(): void {
    if (this.round !== null || this.roundScheduled || this.closed) return;
    this.roundScheduled = true;
    // Never start I/O inside the caller's emit: the round begins on the next turn of the loop.
    setImmediate(() => {
      this.roundScheduled = false;
      if (this.round === null && !this.closed && this.queue.length >= this.batchSize) {
        void this.startRound();
      }
    }).unref();
  }

  private startRound(): Promise<RoundResult> {
    if (this.round !== null) return this.round;
    const round = this.runRound().then((result) => {
      this.round = null;
      if (result === "done" && this.queue.length >= this.batchSize) this.scheduleRound();
      return result;
    });
    this.round = round;
    return round;
  }

  /** Sends what was queued when the round began; stops at the first batch that keeps failing. */
  private async runRound(): Promise<RoundResult> {
    let budget = this.queue.length;
    while (budget > 0 && this.queue.length > 0) {
      const batch = this.takeBatch();
      budget -= batch.events.length;
      let delivered = false;
      try {
        delivered = await this.deliver(batch);
      } catch (error) {
        // A bug, not a delivery outcome: keep the events and let the next round try again.
        this.log.error(
          {
            event: LOG_EVENTS.retrying,
            error: error instanceof Error ? error.name : typeof error,
            requeued: true,
          },
          "analytics delivery failed unexpectedly; batch kept",
        );
      }
      if (!delivered) {
        this.putBack(batch);
        return "failed";
      }
      this.inFlight = 0;
    }
    return "done";
  }

  private takeBatch(): Batch {
    const held = this.held;
    this.held = null;
    const batch: Batch =
      held === null
        ? { key: randomUUID(), events: this.queue.take(this.batchSize), failures: 0, notBefore: 0 }
        : { ...held, events: this.queue.take(held.count) };
    this.inFlight = batch.events.length;
    return batch;
  }

  private putBack(batch: Batch): void {
    this.queue.unshiftAll(batch.events);
    this.inFlight = 0;
    const { key, failures, notBefore } = batch;
    this.held = { key, count: batch.events.length, failures, notBefore };
  }

  /** true when the batch is finished with (acknowledged or rejected); false to put it back. */
  private async deliver(batch: Batch): Promise<boolean> {
    const count = batch.events.length;
    for (let attempt = 1; ; attempt++) {
      if (!(await this.sleepUntil(batch.notBefore))) return false;
      if (batch.failures > 0) this.retries++;
      const delivery = await this.transport.send(batch.events, batch.key, this.abort.signal);
      this.last = statusOf(delivery) ?? this.last;
      const verdict = classifyDelivery(delivery, this.now(), this.retryAfterCapMs);
      switch (verdict.kind) {
        case "sent":
          this.sentCount += count;
          this.overflowing = false;
          this.recovered();
          this.log.info(
            {
              event: LOG_EVENTS.flushed,
              event_count: count,
              status: this.last,
              duplicate: delivery.kind === "accepted" && delivery.duplicate,
            },
            "analytics batch delivered",
          );
          return true;
        case "rejected":
          this.droppedRejected += count;
          this.log.error(
            { event: LOG_EVENTS.dropped, event_count: count, status: verdict.status, error: verdict.message },
            `analytics batch rejected by the collector (HTTP ${verdict.status}) and dropped`,
          );
          return true;
        case "aborted":
          return false;
        case "misconfigured":
          this.reportConfigProblem(
            verdict.problem,
            verdict.hint,
            delivery.kind === "http_error" ? delivery.status : undefined,
          );
          this.scheduleRetry(batch, undefined, delivery, true);
          return false;
        case "retry": {
          // While closing, the deadline bounds the attempts instead.
          const requeued = attempt >= ATTEMPTS_PER_ROUND && !this.closed;
          this.scheduleRetry(batch, verdict.retryAfterMs, delivery, requeued);
          if (requeued) return false;
        }
      }
    }
  }

  private scheduleRetry(
    batch: Batch,
    retryAfterMs: number | undefined,
    delivery: Delivery,
    requeued: boolean,
  ): void {
    batch.failures++;
    const delay = retryAfterMs ?? backoffDelayMs(batch.failures, this.backoff);
    batch.notBefore = this.now() + delay;
    this.log.warn(
      {
        event: LOG_EVENTS.retrying,
        event_count: batch.events.length,
        attempt: batch.failures,
        reason: reasonOf(delivery),
        delay_ms: delay,
        retry_after_ms: retryAfterMs,
        requeued,
      },
      requeued
        ? "analytics batch failed; back at the front of the queue"
        : "analytics batch failed; retrying",
    );
  }

  /** Waits (without keeping the process alive) until `at`; false if close() gave up meanwhile. */
  private sleepUntil(at: number): Promise<boolean> {
    const signal = this.abort.signal;
    const delay = at - this.now();
    if (signal.aborted) return Promise.resolve(false);
    if (delay <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(
        () => {
          signal.removeEventListener("abort", onAbort);
          resolve(true);
        },
        Math.min(delay, MAX_TIMER_MS),
      );
      timer.unref();
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  private recovered(): void {
    if (this.configProblem === null) return;
    this.log.info(
      { event: LOG_EVENTS.configRecovered, problem: this.configProblem },
      "analytics configuration problem resolved: the collector accepts batches again",
    );
    this.configProblem = null;
  }

  private logOverflow(): void {
    if (this.overflowing) return;
    this.overflowing = true;
    this.log.warn(
      { event: LOG_EVENTS.overflow, max_pending: this.maxPending, dropped_overflow: this.droppedOverflow },
      "analytics queue full: dropping the oldest events until the collector catches up",
    );
  }
}
