// Privacy: secrets and free text planted in every input field must never show up in a log line (at
// trace level, through every success and failure path) or in a request — except the write key,
// which appears exactly in the Authorization header.
import { describe, expect, it } from "vitest";
import { fail, ok, reset } from "./fake-collector.js";
import { analyticsConfig, captureLogs, decision, proposal, rollout, useFakeCollector } from "./fixtures.js";

const CANARY = {
  salt: "CANARY-salt-7f3a9c-secret",
  key: "sak_CANARY_key_51d2e8",
  decidedBy: "CANARY-decider-Mallory",
  reason: "CANARY-reason-confidential-merger",
  outcomeTitle: "CANARY-outcome-title",
  proposalTitle: "CANARY-proposal-title",
  description: "CANARY-description-internal",
  outcomeId: "CANARY-outcome-id-9a8b",
  proposalId: "CANARY-proposal-id-4c5d",
  details: "CANARY-details-p99-latency",
  customRule: "canary_rule_acme_fraud",
} as const;

const secretProposal = proposal({
  id: CANARY.proposalId,
  title: CANARY.proposalTitle,
  description: CANARY.description,
  sourceRule: CANARY.customRule,
});

function secretDecision(overrides: Parameters<typeof decision>[0] = {}) {
  return decision({
    proposalId: CANARY.outcomeId,
    title: CANARY.outcomeTitle,
    decidedBy: CANARY.decidedBy,
    decisionReason: CANARY.reason,
    sourceRule: CANARY.customRule,
    ...overrides,
  });
}

const secretRollout = rollout({ proposalId: CANARY.outcomeId, details: CANARY.details });

const fake = useFakeCollector();

function leaks(text: string, allowed: readonly string[] = []): string[] {
  return Object.values(CANARY).filter((canary) => !allowed.includes(canary) && text.includes(canary));
}

describe("canaries", () => {
  it("appear in no log line and no request, through success, rejection, auth, retry and bad input", async () => {
    fake.collector
      .reply(ok, fail(400), fail(401), fail(503, "0"), reset, {
        kind: "redirect",
        status: 302,
        location: "/x",
      })
      .otherwise(ok);
    const { logger, raw } = captureLogs("trace");
    const emitter = fake.emitter({
      config: analyticsConfig(fake.collector.url, {
        deployment_id_salt: CANARY.salt,
        batch_size: 1,
        max_pending: 3,
      }),
      altitudes: { config_tuning: true },
      apiKey: CANARY.key,
      logger,
    });
    for (let i = 0; i < 3; i++) {
      emitter.emitDecision(secretDecision(), secretProposal);
      emitter.emitRollout(secretRollout, secretProposal);
      await emitter.flush();
    }
    // Bad input of every kind, still carrying the canaries.
    emitter.emitDecision(secretDecision({ decidedAt: new Date("nope") }), secretProposal);
    emitter.emitDecision(secretDecision({ confidenceAtDecision: 2 }), secretProposal);
    emitter.emitRollout(
      rollout({ details: CANARY.details, completedAt: "2026-01-01" as unknown as Date }),
      secretProposal,
    );
    // Overflow (max_pending 3) while the collector accepts again.
    for (let i = 0; i < 5; i++) emitter.emitDecision(secretDecision(), secretProposal);
    await emitter.close({ timeoutMs: 1_000 });

    const stats = emitter.stats();
    expect(stats.dropped_rejected).toBeGreaterThan(0);
    expect(stats.retries).toBeGreaterThan(0);
    expect(stats.dropped_invalid).toBe(3);
    expect(stats.dropped_overflow).toBeGreaterThan(0);
    expect(stats.sent).toBeGreaterThan(0);

    expect(raw.length).toBeGreaterThan(20);
    for (const line of raw) expect(leaks(line), line).toEqual([]);

    expect(fake.collector.requests.length).toBeGreaterThan(5);
    for (const request of fake.collector.requests) {
      expect(leaks(request.body), request.body).toEqual([]);
      const headers = request.rawHeaders.join("\n");
      expect(leaks(headers, [CANARY.key])).toEqual([]);
      expect(request.headers.authorization).toBe(`Bearer ${CANARY.key}`);
      const withoutAuthorization = request.rawHeaders.filter((_, i, all) => {
        const name = i % 2 === 0 ? all[i] : all[i - 1];
        return name?.toLowerCase() !== "authorization";
      });
      expect(withoutAuthorization.join("\n")).not.toContain(CANARY.key);
    }
  });
});
