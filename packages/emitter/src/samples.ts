// Three domain objects for `pnpm inspect` without --input: an approved decision on a built-in rule,
// a rejected decision on the operator's own rule (sent as "custom"), and a rollout result. Each
// carries the free text a real one would, so the output shows it all gone.
import type { ImprovementProposal, ProposalOutcome, RolloutResult } from "@synthorg/schema";

export type Sample =
  | { readonly kind: "decision"; readonly outcome: ProposalOutcome; readonly proposal: ImprovementProposal }
  | { readonly kind: "rollout"; readonly result: RolloutResult; readonly proposal: ImprovementProposal };

/** Built relative to `now` so every timestamp is within the wire format's accepted range. */
export function sampleDomainObjects(now: Date = new Date()): Sample[] {
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
  const overhead: ImprovementProposal = {
    id: "6f1c2e0a-3b7d-4d8e-9a51-2c4f7e9b1d30",
    title: "Lower the coordination overhead threshold to 30 %",
    description: "Teams in the platform group stay under 20 % overhead; the alert fires too late.",
    altitude: "config_tuning",
    sourceRule: "coordination_overhead",
    confidence: 0.82,
  };
  const custom: ImprovementProposal = {
    id: "0b9e4d71-58a2-4c3f-8e16-7d2a9f0c4b85",
    title: "Route invoice disputes to the finance agent",
    description: "Our own rule acme_invoice_escalation suggests a new tool.",
    altitude: "tool_creation",
    sourceRule: "acme_invoice_escalation",
    confidence: 0.41,
  };
  return [
    {
      kind: "decision",
      proposal: overhead,
      outcome: {
        proposalId: overhead.id,
        title: overhead.title,
        decision: "approved",
        confidenceAtDecision: 0.82,
        decidedAt: hoursAgo(50),
        decidedBy: "maria.keller@example.com",
        decisionReason: "Matches what we saw in Q3.",
        altitude: overhead.altitude,
        sourceRule: overhead.sourceRule,
      },
    },
    {
      kind: "decision",
      proposal: custom,
      outcome: {
        proposalId: custom.id,
        title: custom.title,
        decision: "rejected",
        confidenceAtDecision: 0.41,
        decidedAt: hoursAgo(26),
        decidedBy: "j.osei",
        decisionReason: "Finance wants a human in the loop.",
        altitude: custom.altitude,
        sourceRule: custom.sourceRule,
      },
    },
    {
      kind: "rollout",
      proposal: overhead,
      result: {
        proposalId: overhead.id,
        outcome: "success",
        regressionVerdict: "no_regression",
        observationHoursElapsed: 48,
        completedAt: hoursAgo(2),
        details: "p95 latency of the platform group unchanged (412 ms → 405 ms).",
      },
    },
  ];
}
