// End to end over real HTTP on loopback: three deployments' emitters → a proxy that loses some
// responses after the collector has stored the batch → the real collector. Every event emitted must
// be stored exactly once: the emitter resends a batch whose answer was lost, with the same
// Idempotency-Key, and the collector answers the resend as a duplicate without storing it again.
import { once } from "node:events";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApiKey, startCollector, type RunningCollector } from "@synthorg/collector";
import { createAnalyticsEmitter, type AnalyticsEmitter } from "@synthorg/emitter";
import {
  ALTITUDES,
  BUILTIN_RULES,
  loadAnalyticsConfig,
  type ImprovementProposal,
  type ProposalOutcome,
  type RolloutResult,
} from "@synthorg/schema";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const DEPLOYMENTS = 3;
const PROPOSALS_PER_DEPLOYMENT = 40;
/** Every third response the proxy forwards is lost on the way back to the emitter. */
const LOSE_EVERY = 3;

let collector: RunningCollector;
let proxy: Server;
let proxyUrl: string;
let writeKey: string;
let forwarded = 0;
let lost = 0;

async function readBody(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Forwards each request to the collector; loses some answers after the collector handled them. */
function startLossyProxy(target: URL): Promise<Server> {
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          void readBody(answer).then((payload) => {
            forwarded++;
            if (forwarded % LOSE_EVERY === 0) {
              lost++;
              res.socket?.resetAndDestroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(payload);
          });
        },
      );
      upstream.on("error", () => res.socket?.destroy());
      upstream.end(body);
    });
  });
  server.listen(0, "127.0.0.1");
  return once(server, "listening").then(() => server);
}

beforeAll(async () => {
  const key = createApiKey("fleet-writer", ["write"]);
  writeKey = key.token;
  const config = loadAnalyticsConfig({
    self_improvement: {
      cross_deployment_analytics: {
        collector_enabled: true,
        collector: { host: "127.0.0.1", port: 0, api_keys: [key.entry] },
      },
    },
  });
  collector = await startCollector({ config, logger: pino({ level: "silent" }), defaultMetrics: false });
  proxy = await startLossyProxy(new URL(collector.url));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  proxy.closeAllConnections();
  proxy.close();
  await collector.close();
});

function emitterFor(deployment: number): AnalyticsEmitter {
  const config = loadAnalyticsConfig({
    self_improvement: {
      cross_deployment_analytics: {
        enabled: true,
        collector_url: `${proxyUrl}/api/meta/analytics`,
        deployment_id_salt: `e2e-deployment-salt-${deployment}-0123456789`,
        industry_tag: "technology",
        batch_size: 7,
      },
    },
  });
  const emitter = createAnalyticsEmitter({
    config,
    altitudes: { config_tuning: true },
    apiKey: writeKey,
    logger: pino({ level: process.env.E2E_LOG ?? "silent" }),
    retryBaseMs: 2,
    retryCapMs: 10,
  });
  if (emitter === null) throw new Error("emitter unexpectedly disabled");
  return emitter;
}

/** Emits a decision for every proposal and a rollout for the approved ones; returns the count. */
function emitWorkload(emitter: AnalyticsEmitter, deployment: number): Map<string, number> {
  const perGroup = new Map<string, number>();
  const count = (rule: string, altitude: string) => {
    const group = `${rule}/${altitude}`;
    perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
  };
  for (let i = 0; i < PROPOSALS_PER_DEPLOYMENT; i++) {
    const rule = BUILTIN_RULES[i % BUILTIN_RULES.length] ?? "quality_declining";
    const altitude = ALTITUDES[(i + deployment) % ALTITUDES.length] ?? "config_tuning";
    const proposal: ImprovementProposal = {
      id: `d${deployment}-p${i}`,
      title: "t",
      description: "d",
      altitude,
      sourceRule: rule,
      confidence: 0.5,
    };
    const approved = i % 3 !== 0;
    const outcome: ProposalOutcome = {
      proposalId: proposal.id,
      title: "t",
      decision: approved ? "approved" : "rejected",
      confidenceAtDecision: 0.5,
      decidedAt: new Date(),
      decidedBy: "someone",
      decisionReason: null,
      altitude,
      sourceRule: rule,
    };
    emitter.emitDecision(outcome, proposal);
    count(rule, altitude);
    if (approved) {
      const result: RolloutResult = {
        proposalId: proposal.id,
        outcome: "success",
        regressionVerdict: "no_regression",
        observationHoursElapsed: 24,
        completedAt: new Date(),
        details: null,
      };
      emitter.emitRollout(result, proposal);
      count(rule, altitude);
    }
  }
  return perGroup;
}

describe("emitter → collector", () => {
  it("stores everything sent exactly once, although some answers are lost and batches resent", async () => {
    const expected = new Map<string, number>();
    const emitters = Array.from({ length: DEPLOYMENTS }, (_, d) => emitterFor(d));
    let emitted = 0;
    emitters.forEach((emitter, d) => {
      for (const [group, n] of emitWorkload(emitter, d)) {
        expected.set(group, (expected.get(group) ?? 0) + n);
        emitted += n;
      }
    });
    const results = await Promise.all(emitters.map((emitter) => emitter.close({ timeoutMs: 20_000 })));

    expect(results.reduce((sum, r) => sum + r.sent, 0)).toBe(emitted);
    expect(results.every((r) => r.pending === 0 && r.dropped === 0)).toBe(true);
    expect(lost).toBeGreaterThan(0);
    expect(emitters.reduce((sum, e) => sum + e.stats().retries, 0)).toBeGreaterThanOrEqual(lost);

    const stats = await collector.store.stats();
    expect(stats.ingested_total).toBe(emitted);
    expect(stats.deployments).toBe(DEPLOYMENTS);
    const stored = new Map(
      (await collector.store.groupAggregates()).map((g) => [
        `${g.source_rule}/${g.altitude}`,
        g.total_events,
      ]),
    );
    expect(stored).toEqual(expected);
  });
});
