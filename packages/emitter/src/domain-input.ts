// The inspect CLI's input: domain objects as JSON lines, validated with zod so a bad line is
// reported by its number and field. The schemas are typed against the domain interfaces of
// @synthorg/schema, so a field added there fails to compile here until it is handled.
import {
  altitudeSchema,
  decisionSchema,
  issuesFromZod,
  regressionVerdictSchema,
  rolloutOutcomeSchema,
  type ImprovementProposal,
  type ProposalOutcome,
  type RolloutResult,
  type ValidationIssue,
} from "@synthorg/schema";
import { z } from "zod";

/** An instant written as ISO 8601 with a zone ("2026-04-16T13:45:00Z"), read as a Date. */
const instant = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

// Extra keys are allowed (and stripped): a deployment can feed its real objects and see that
// everything beyond these fields is dropped before anything is sent.
export const proposalInputSchema: z.ZodType<ImprovementProposal, unknown> = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  altitude: altitudeSchema,
  sourceRule: z.string().nullable(),
  confidence: z.number(),
});

export const outcomeInputSchema: z.ZodType<ProposalOutcome, unknown> = z.object({
  proposalId: z.string(),
  title: z.string(),
  decision: decisionSchema,
  confidenceAtDecision: z.number().nullable(),
  decidedAt: instant,
  decidedBy: z.string(),
  decisionReason: z.string().nullable(),
  altitude: altitudeSchema,
  sourceRule: z.string().nullable(),
});

export const rolloutInputSchema: z.ZodType<RolloutResult, unknown> = z.object({
  proposalId: z.string(),
  outcome: rolloutOutcomeSchema,
  regressionVerdict: regressionVerdictSchema.nullable(),
  observationHoursElapsed: z.number().nullable(),
  completedAt: instant,
  details: z.string().nullable(),
});

export const domainLineSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("decision"), outcome: outcomeInputSchema, proposal: proposalInputSchema }),
  z.strictObject({ kind: z.literal("rollout"), result: rolloutInputSchema, proposal: proposalInputSchema }),
]);

export type DomainLine = z.output<typeof domainLineSchema>;

export interface LineIssue extends ValidationIssue {
  /** 1-based line number in the input file. */
  readonly line: number;
}

export type ParsedLines =
  | { readonly ok: true; readonly lines: readonly { readonly line: number; readonly value: DomainLine }[] }
  | { readonly ok: false; readonly issues: readonly LineIssue[] };

/** Parses JSON lines (blank lines skipped); collects every bad line's issues rather than the first. */
export function parseDomainLines(text: string): ParsedLines {
  const lines: { line: number; value: DomainLine }[] = [];
  const issues: LineIssue[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      issues.push({ line, path: "(line)", message: `not valid JSON: ${(error as Error).message}` });
      return;
    }
    const result = domainLineSchema.safeParse(json);
    if (result.success) {
      lines.push({ line, value: result.data });
      return;
    }
    for (const issue of issuesFromZod(result.error)) issues.push({ line, ...issue });
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, lines };
}
