// A fleet of simulated deployments, each feeding the real emitter, which talks to a real collector
// over HTTP. Reusable by benchmarks and fault tests: give it a collector URL and write keys.
import { Writable } from "node:stream";
import { createAnalyticsEmitter, type AnalyticsEmitter, type EmitterOptions } from "@synthorg/emitter";
import { parseAnalyticsBlock, type AnalyticsConfigInput, type AnonymizedEvent } from "@synthorg/schema";
import { pino } from "pino";
import { DEMO_SDK_VERSION, deploymentActions, emitAction, type FleetAction } from "./actions.js";
import { planFleet, type DeploymentProfile, type FleetPlan, type FleetPlanOptions } from "./plan.js";
import type { FleetProgress } from "./progress.js";

/** Actions handed to one emitter before yielding to I/O: keeps every deployment sending at once. */
export const EMIT_CHUNK = 25;
/** How often progress is reported while emitters drain. */
export const PROGRESS_INTERVAL_MS = 100;
/** How long close() may drain each emitter before giving up on what is left. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;

export interface FleetOptions extends FleetPlanOptions {
  /** The collector's base URL, e.g. `http://127.0.0.1:8787/api/meta/analytics`. */
  readonly collectorUrl: string;
  /**
   * Write keys; deployment i uses `writeKeys[i % writeKeys.length]`. The collector lets one key
   * claim only a few deployment ids (max_deployments_per_key), so give one key per deployment.
   */
  readonly writeKeys: readonly string[];
  /** A plan made earlier (planFleet); wins over deployments/events/seed/referenceDate. */
  readonly plan?: FleetPlan;
  /** Overrides for every emitter's analytics block (batch_size, flush_interval_seconds, …). */
  readonly emitterConfig?: Partial<AnalyticsConfigInput>;
  /** Extra emitter options (logger, retry timings, …). */
  readonly emitterOptions?: Partial<Omit<EmitterOptions, "config" | "altitudes" | "apiKey" | "dryRun">>;
  /**
   * Sees every wire event exactly as the emitters send it: each deployment also feeds a dry-run
   * emitter (same anonymiser, same context) whose output lands here.
   */
  readonly tee?: (event: AnonymizedEvent, deployment: DeploymentProfile) => void;
}

export interface FleetRunOptions {
  readonly onProgress?: (progress: FleetProgress) => void;
  readonly closeTimeoutMs?: number;
}

export interface DeploymentResult {
  readonly deployment: DeploymentProfile;
  readonly sent: number;
  readonly dropped: number;
  readonly pending: number;
}

export interface FleetResult {
  readonly emitted: number;
  readonly sent: number;
  readonly dropped: number;
  /** Events still undelivered when close() gave up. */
  readonly pending: number;
  readonly durationMs: number;
  readonly deployments: readonly DeploymentResult[];
}

export interface Fleet {
  readonly plan: FleetPlan;
  /** Emit every planned event, then flush and close every emitter. Runs once. */
  run(options?: FleetRunOptions): Promise<FleetResult>;
}

interface Member {
  readonly profile: DeploymentProfile;
  readonly emitter: AnalyticsEmitter;
  readonly tee: AnalyticsEmitter | null;
  readonly actions: Iterator<FleetAction>;
  done: boolean;
}

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A stream that turns the dry-run emitter's JSON lines back into events for the tee. */
function teeStream(onEvent: (event: AnonymizedEvent) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      for (const line of chunk.toString().split("\n")) {
        if (line !== "") onEvent(JSON.parse(line) as AnonymizedEvent);
      }
      callback();
    },
  });
}

function requireEmitter(emitter: AnalyticsEmitter | null): AnalyticsEmitter {
  if (emitter === null) throw new Error("analytics is disabled in the fleet's emitter config");
  return emitter;
}

export function createFleet(options: FleetOptions): Fleet {
  const plan = options.plan ?? planFleet(options);
  if (options.writeKeys.length === 0) throw new Error("createFleet needs at least one write key");
  const logger = options.emitterOptions?.logger ?? pino({ level: "warn" }, pino.destination(2));
  const { tee } = options;

  const members: Member[] = plan.deployments.map((profile) => {
    const config = parseAnalyticsBlock({
      ...options.emitterConfig,
      enabled: true,
      collector_url: options.collectorUrl,
      deployment_id_salt: profile.salt,
      industry_tag: profile.industryTag ?? undefined,
    });
    const shared = { config, altitudes: profile.altitudes, sdkVersion: DEMO_SDK_VERSION };
    return {
      profile,
      emitter: requireEmitter(
        createAnalyticsEmitter({
          ...options.emitterOptions,
          ...shared,
          logger,
          apiKey: options.writeKeys[profile.index % options.writeKeys.length],
        }),
      ),
      tee: tee
        ? requireEmitter(
            createAnalyticsEmitter({
              ...shared,
              logger,
              dryRun: teeStream((event) => tee(event, profile)),
            }),
          )
        : null,
      actions: deploymentActions(plan, profile),
      done: false,
    };
  });

  let started = false;
  return {
    plan,
    async run(runOptions = {}) {
      if (started) throw new Error("a fleet runs once; create another for a second run");
      started = true;
      const begin = performance.now();
      let emitted = 0;
      const progress = (): FleetProgress => {
        let sent = 0;
        let dropped = 0;
        for (const { emitter } of members) {
          const stats = emitter.stats();
          sent += stats.sent;
          dropped += stats.dropped_overflow + stats.dropped_rejected + stats.dropped_invalid;
        }
        return { emitted, sent, dropped, total: plan.totalEvents };
      };
      const report = () => runOptions.onProgress?.(progress());
      const ticker = runOptions.onProgress ? setInterval(report, PROGRESS_INTERVAL_MS) : undefined;
      try {
        // Round-robin in small chunks, yielding between rounds, so all deployments send concurrently
        // the way a real fleet does instead of one after another.
        let active = members.length;
        while (active > 0) {
          for (const member of members) {
            if (member.done) continue;
            for (let i = 0; i < EMIT_CHUNK; i += 1) {
              const next = member.actions.next();
              if (next.done === true) {
                member.done = true;
                active -= 1;
                break;
              }
              emitAction(member.emitter, next.value);
              if (member.tee) emitAction(member.tee, next.value);
              emitted += 1;
            }
          }
          await yieldToIo();
        }
        const timeoutMs = runOptions.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
        const closed = await Promise.all(
          members.map(async (member): Promise<DeploymentResult> => {
            await member.emitter.flush();
            const result = await member.emitter.close({ timeoutMs });
            await member.tee?.close();
            return { deployment: member.profile, ...result };
          }),
        );
        report();
        const sum = (pick: (result: DeploymentResult) => number) =>
          closed.reduce((total, result) => total + pick(result), 0);
        return {
          emitted,
          sent: sum((r) => r.sent),
          dropped: sum((r) => r.dropped),
          pending: sum((r) => r.pending),
          durationMs: performance.now() - begin,
          deployments: closed,
        };
      } catch (error) {
        // Leave nothing sending in the background of a failed run.
        await Promise.allSettled(members.map((member) => member.emitter.close({ timeoutMs: 0 })));
        throw error;
      } finally {
        clearInterval(ticker);
      }
    },
  };
}
