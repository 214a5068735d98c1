// Soak (not CI): `pnpm --filter @synthorg/demo soak [--minutes 10] [--emitters 50]`.
// N emitters in this process feed a collector child process (`collector serve`, memory store with a
// small max_events so it fills early) for M minutes at a steady rate. Every few seconds it samples the
// collector's RSS (from /proc) and heap (its /metrics), and this process's RSS and heap (the emitters),
// then reports whether the collector's memory stays flat once its store is full.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { BASE_PATH } from "@synthorg/collector";
import { createAnalyticsEmitter } from "@synthorg/emitter";
import { parseAnalyticsBlock } from "@synthorg/schema";
import { pino } from "pino";
import { request } from "undici";
import { DEMO_SDK_VERSION, deploymentActions, emitAction, type FleetAction } from "../src/actions.js";
import { planFleet, type DeploymentProfile, type FleetPlan } from "../src/plan.js";
import { spawnCollector, writeConfigFile, type CollectorProcess } from "../faults/collector-process.js";
import { collectorDocument, fleetKeys } from "../faults/scenario.js";

const DEFAULTS = {
  minutes: 10,
  emitters: 50,
  /** Events per second per emitter. */
  rate: 20,
  /** The collector's store capacity: small, so it is full after the first minute or so. */
  maxEvents: 50_000,
  sampleSeconds: 5,
  seed: 42,
} as const;
/** Events planned per deployment; a deployment that runs out starts its sequence again. */
const PLANNED_EVENTS_PER_DEPLOYMENT = 2_000;
const TICK_MS = 100;
/** Windows over which the post-fill memory floor is taken. */
const FLOOR_WINDOW_SECONDS = 30;
const MIB = 1024 * 1024;
const SOAK_CLOSE_TIMEOUT_MS = 30_000;
const DEFAULT_OUT = resolve(import.meta.dirname, "../test-artifacts/soak.json");

interface Sample {
  readonly t_s: number;
  readonly emitted: number;
  readonly sent: number;
  readonly dropped: number;
  readonly emitters_pending: number;
  readonly store_events: number | null;
  readonly collector_rss_mib: number | null;
  readonly collector_heap_mib: number | null;
  /** V8 heap reserved (used or not) and memory outside it (buffers): what RSS holds besides the heap. */
  readonly collector_heap_total_mib: number | null;
  readonly collector_external_mib: number | null;
  readonly emitters_rss_mib: number;
  readonly emitters_heap_mib: number;
  readonly emitters_heap_total_mib: number;
  readonly emitters_external_mib: number;
}

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** One value of a Prometheus text exposition (no labels), or null. */
function metric(text: string, name: string): number | null {
  const match = new RegExp(`^${name} ([0-9.e+-]+)$`, "m").exec(text);
  return match?.[1] === undefined ? null : Number(match[1]);
}

async function scrape(collector: CollectorProcess): Promise<string> {
  const response = await request(`${collector.origin}/metrics`);
  return response.body.text();
}

/** A deployment's actions, forever: its planned sequence, again and again. */
function* endless(plan: FleetPlan, profile: DeploymentProfile): Generator<FleetAction> {
  for (;;) yield* deploymentActions(plan, profile);
}

const mib = (bytes: number | null): number | null =>
  bytes === null ? null : Math.round((bytes / MIB) * 10) / 10;

/**
 * The lowest value in each window of `windowSeconds`: a garbage-collected heap saws up and down, and
 * it is the floor the sawtooth returns to that a leak would raise.
 */
function floors(points: readonly (readonly [number, number])[], windowSeconds: number): number[] {
  const byWindow = new Map<number, number>();
  for (const [t, value] of points) {
    const window = Math.floor(t / windowSeconds);
    byWindow.set(window, Math.min(value, byWindow.get(window) ?? Infinity));
  }
  return [...byWindow.entries()].sort(([a], [b]) => a - b).map(([, value]) => value);
}

function range(values: readonly number[]): { min: number; max: number } | null {
  return values.length === 0 ? null : { min: Math.min(...values), max: Math.max(...values) };
}

interface SoakOptions {
  readonly minutes: number;
  readonly emitters: number;
  readonly rate: number;
  readonly maxEvents: number;
  readonly sampleSeconds: number;
  readonly out: string;
}

function parseOptions(): SoakOptions {
  const { values } = parseArgs({
    options: {
      minutes: { type: "string" },
      emitters: { type: "string" },
      rate: { type: "string" },
      "max-events": { type: "string" },
      "sample-seconds": { type: "string" },
      out: { type: "string" },
    },
    strict: true,
  });
  const minutes = Number(values.minutes ?? DEFAULTS.minutes);
  if (!(minutes > 0)) throw new Error("--minutes must be a positive number");
  return {
    minutes,
    emitters: positiveInt("emitters", values.emitters, DEFAULTS.emitters),
    rate: positiveInt("rate", values.rate, DEFAULTS.rate),
    maxEvents: positiveInt("max-events", values["max-events"], DEFAULTS.maxEvents),
    sampleSeconds: positiveInt("sample-seconds", values["sample-seconds"], DEFAULTS.sampleSeconds),
    out: resolve(values.out ?? DEFAULT_OUT),
  };
}

async function soak(options: SoakOptions, collector: CollectorProcess, writeKeys: readonly string[]) {
  const plan = planFleet({
    deployments: options.emitters,
    events: options.emitters * PLANNED_EVENTS_PER_DEPLOYMENT,
    seed: DEFAULTS.seed,
  });
  const silent = pino({ level: "silent" });
  const members = plan.deployments.map((profile) => ({
    emitter: createAnalyticsEmitter({
      config: parseAnalyticsBlock({
        enabled: true,
        collector_url: collector.origin + BASE_PATH,
        deployment_id_salt: profile.salt,
        industry_tag: profile.industryTag ?? undefined,
      }),
      altitudes: profile.altitudes,
      sdkVersion: DEMO_SDK_VERSION,
      apiKey: writeKeys[profile.index],
      logger: silent,
    })!,
    actions: endless(plan, profile),
  }));

  const samples: Sample[] = [];
  const begin = performance.now();
  const end = begin + options.minutes * 60_000;
  let emitted = 0;

  const sample = async (): Promise<Sample> => {
    let sent = 0;
    let dropped = 0;
    let pending = 0;
    for (const { emitter } of members) {
      const stats = emitter.stats();
      sent += stats.sent;
      dropped += stats.dropped_overflow + stats.dropped_rejected + stats.dropped_invalid;
      pending += stats.pending;
    }
    const metrics = await scrape(collector);
    const memory = process.memoryUsage();
    const row: Sample = {
      t_s: Math.round((performance.now() - begin) / 1000),
      emitted,
      sent,
      dropped,
      emitters_pending: pending,
      store_events: metric(metrics, "synthorg_collector_store_events"),
      collector_rss_mib: mib(collector.rssBytes()),
      collector_heap_mib: mib(metric(metrics, "synthorg_collector_nodejs_heap_size_used_bytes")),
      collector_heap_total_mib: mib(metric(metrics, "synthorg_collector_nodejs_heap_size_total_bytes")),
      collector_external_mib: mib(metric(metrics, "synthorg_collector_nodejs_external_memory_bytes")),
      emitters_rss_mib: mib(memory.rss)!,
      emitters_heap_mib: mib(memory.heapUsed)!,
      emitters_heap_total_mib: mib(memory.heapTotal)!,
      emitters_external_mib: mib(memory.external)!,
    };
    samples.push(row);
    console.log(
      `t=${String(row.t_s).padStart(4)}s emitted=${row.emitted} sent=${row.sent} dropped=${row.dropped} ` +
        `store=${row.store_events} collector rss=${row.collector_rss_mib} heap=${row.collector_heap_mib}` +
        `/${row.collector_heap_total_mib} ext=${row.collector_external_mib} MiB | emitters rss=` +
        `${row.emitters_rss_mib} heap=${row.emitters_heap_mib}/${row.emitters_heap_total_mib} ` +
        `ext=${row.emitters_external_mib} MiB`,
    );
    return row;
  };

  // A steady rate whatever a tick costs: each emitter is topped up to rate × elapsed seconds.
  let perEmitter = 0;
  let nextSample = begin;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - begin) / 1000) * options.rate);
    const count = due - perEmitter;
    perEmitter = due;
    for (const member of members) {
      for (let i = 0; i < count; i++) emitAction(member.emitter, member.actions.next().value as FleetAction);
    }
    emitted += count * members.length;
    if (performance.now() >= nextSample) {
      nextSample += options.sampleSeconds * 1000;
      await sample();
    }
    await sleep(TICK_MS);
  }
  const closed = await Promise.all(
    members.map(({ emitter }) => emitter.close({ timeoutMs: SOAK_CLOSE_TIMEOUT_MS })),
  );
  const last = await sample();

  // "Flat once full": from the first sample at which the store held max_events.
  const fullAt = samples.findIndex((s) => s.store_events !== null && s.store_events >= options.maxEvents);
  const full = fullAt < 0 ? [] : samples.slice(fullAt);
  const points = (pick: (s: Sample) => number | null) =>
    full.flatMap((s) => {
      const value = pick(s);
      return value === null ? [] : [[s.t_s, value] as const];
    });
  const summary = {
    minutes: options.minutes,
    emitter_count: options.emitters,
    rate_per_emitter: options.rate,
    max_events: options.maxEvents,
    emitted,
    sent: closed.reduce((s, c) => s + c.sent, 0),
    dropped: closed.reduce((s, c) => s + c.dropped, 0),
    pending_at_close: closed.reduce((s, c) => s + c.pending, 0),
    store_full_at_s: fullAt < 0 ? null : samples[fullAt]!.t_s,
    collector_after_full: {
      rss_mib: range(points((s) => s.collector_rss_mib).map(([, y]) => y)),
      heap_mib: range(points((s) => s.collector_heap_mib).map(([, y]) => y)),
      window_seconds: FLOOR_WINDOW_SECONDS,
      rss_floor_per_window_mib: floors(
        points((s) => s.collector_rss_mib),
        FLOOR_WINDOW_SECONDS,
      ),
      heap_floor_per_window_mib: floors(
        points((s) => s.collector_heap_mib),
        FLOOR_WINDOW_SECONDS,
      ),
    },
    emitters: {
      rss_mib: range(samples.map((s) => s.emitters_rss_mib)),
      heap_mib: range(samples.map((s) => s.emitters_heap_mib)),
      heap_floor_per_window_mib: floors(
        samples.map((s) => [s.t_s, s.emitters_heap_mib] as const),
        FLOOR_WINDOW_SECONDS,
      ),
    },
    final: last,
  };
  return { summary, samples };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const keys = fleetKeys(options.emitters);
  const dir = mkdtempSync(join(tmpdir(), "synthorg-soak-"));
  try {
    const configFile = writeConfigFile(
      dir,
      "collector.yaml",
      collectorDocument({
        api_keys: [...keys.entries],
        store: { kind: "memory", max_events: options.maxEvents },
      }),
    );
    const collector = await spawnCollector({ configFile, env: { LOG_LEVEL: "warn" } });
    console.log(
      `soak: ${options.emitters} emitters × ${options.rate} events/s for ${options.minutes} min → collector pid ` +
        `${collector.pid} (${collector.origin}, memory store, max_events ${options.maxEvents})`,
    );
    try {
      const report = await soak(options, collector, keys.write);
      mkdirSync(dirname(options.out), { recursive: true });
      writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
      console.log(JSON.stringify(report.summary, null, 2));
      console.log(`soak: samples written to ${options.out}`);
    } finally {
      await collector.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`soak failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
