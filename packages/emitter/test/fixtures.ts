// Domain objects, configs, a log capture and the per-test fake collector for the emitter tests.
import { Writable } from "node:stream";
import {
  loadAnalyticsConfig,
  type AnalyticsConfig,
  type AnalyticsConfigInput,
  type ImprovementProposal,
  type ProposalOutcome,
  type RolloutResult,
} from "@synthorg/schema";
import { pino, type Logger } from "pino";
import { afterEach, beforeEach } from "vitest";
import { createAnalyticsEmitter, type AnalyticsEmitter, type EmitterOptions } from "../src/index.js";
import { FakeCollector } from "./fake-collector.js";

export const SALT = "fixture-salt-0123456789";
export const API_KEY = "sak_fixture_write_key";
/** Retry timings for tests: milliseconds instead of seconds. */
export const FAST_RETRY = { retryBaseMs: 2, retryCapMs: 8, retryAfterCapMs: 20 } as const;

export function analyticsConfig(url: string, overrides: Partial<AnalyticsConfigInput> = {}): AnalyticsConfig {
  return loadAnalyticsConfig({
    self_improvement: {
      cross_deployment_analytics: {
        enabled: true,
        collector_url: url,
        deployment_id_salt: SALT,
        industry_tag: "technology",
        batch_size: 50,
        // Long enough that only the interval test ever sees the timer fire.
        flush_interval_seconds: 300,
        ...overrides,
      },
    },
  });
}

export function proposal(overrides: Partial<ImprovementProposal> = {}): ImprovementProposal {
  return {
    id: "proposal-1",
    title: "Lower the coordination overhead threshold",
    description: "Observed overhead stays below 20 %",
    altitude: "config_tuning",
    sourceRule: "coordination_overhead",
    confidence: 0.8,
    ...overrides,
  };
}

export function decision(overrides: Partial<ProposalOutcome> = {}): ProposalOutcome {
  return {
    proposalId: "proposal-1",
    title: "Lower the coordination overhead threshold",
    decision: "approved",
    confidenceAtDecision: 0.8,
    decidedAt: new Date("2026-04-16T13:45:00Z"),
    decidedBy: "alice",
    decisionReason: "looks right",
    altitude: "config_tuning",
    sourceRule: "coordination_overhead",
    ...overrides,
  };
}

export function rollout(overrides: Partial<RolloutResult> = {}): RolloutResult {
  return {
    proposalId: "proposal-1",
    outcome: "success",
    regressionVerdict: "no_regression",
    observationHoursElapsed: 48,
    completedAt: new Date("2026-04-18T08:00:00Z"),
    details: "all metrics stable",
    ...overrides,
  };
}

export interface LogLine {
  readonly level: number;
  readonly name?: string;
  readonly event?: string;
  readonly msg?: string;
  readonly [key: string]: unknown;
}

/** A pino logger at `level` whose every line is kept, raw and parsed. */
export function captureLogs(level = "trace"): { logger: Logger; raw: string[]; lines: LogLine[] } {
  const raw: string[] = [];
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line === "") continue;
        raw.push(line);
        lines.push(JSON.parse(line) as LogLine);
      }
      callback();
    },
  });
  return { logger: pino({ level }, sink), raw, lines };
}

export function eventsNamed(lines: readonly LogLine[], event: string): LogLine[] {
  return lines.filter((line) => line.event === event);
}

/**
 * createAnalyticsEmitter for an enabled config with millisecond retries, a fixed jitter and a silent
 * logger unless the test passes its own; fails the test instead of returning null.
 */
export function emitterFor(options: EmitterOptions): AnalyticsEmitter {
  const emitter = createAnalyticsEmitter({
    random: () => 0.5,
    logger: pino({ level: "silent" }),
    ...FAST_RETRY,
    ...options,
  });
  if (emitter === null) throw new Error("expected an enabled emitter");
  return emitter;
}

/** Emits `count` decisions whose confidence encodes their order (0.000, 0.001, …). */
export function emitNumbered(emitter: AnalyticsEmitter, count: number, first = 0): void {
  for (let i = first; i < first + count; i++) {
    emitter.emitDecision(decision({ confidenceAtDecision: i / 1000 }), proposal());
  }
}

export function confidences(events: readonly Record<string, unknown>[]): unknown[] {
  return events.map((event) => event.confidence);
}

export interface FakeCollectorFixture {
  /** The running test's collector: a fresh one for every test. */
  readonly collector: FakeCollector;
  /** emitterFor, closed without waiting once the test ends. */
  emitter(options: EmitterOptions): AnalyticsEmitter;
  /** A fixture emitter for this collector: the write key, no altitudes, every log line captured. */
  loggedEmitter(
    config?: Partial<AnalyticsConfigInput>,
    options?: Partial<EmitterOptions>,
  ): { emitter: AnalyticsEmitter } & ReturnType<typeof captureLogs>;
}

/**
 * Registers hooks that start a FakeCollector before each test and, after it, close the emitters the
 * test made through the fixture and then the collector. Call at the top level of a test file.
 */
export function useFakeCollector(): FakeCollectorFixture {
  let current: FakeCollector | undefined;
  const emitters: AnalyticsEmitter[] = [];
  beforeEach(async () => {
    current = await FakeCollector.start();
  });
  afterEach(async () => {
    for (const emitter of emitters.splice(0)) await emitter.close({ timeoutMs: 0 });
    await current?.close();
    current = undefined;
  });
  const fixture: FakeCollectorFixture = {
    get collector() {
      if (current === undefined) throw new Error("useFakeCollector: the collector only exists inside a test");
      return current;
    },
    emitter(options) {
      const emitter = emitterFor(options);
      emitters.push(emitter);
      return emitter;
    },
    loggedEmitter(config = {}, options = {}) {
      const logs = captureLogs();
      const emitter = fixture.emitter({
        config: analyticsConfig(fixture.collector.url, config),
        altitudes: {},
        apiKey: API_KEY,
        logger: logs.logger,
        ...options,
      });
      return { emitter, ...logs };
    },
  };
  return fixture;
}
