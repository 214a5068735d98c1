// Case 3: the ingest validator. parseEventBatch (compiled from the zod schema's JSON Schema) against zod's
// own safeParse and against JSON.parse alone, each including the JSON.parse of the body, since
// that is what the ingest path pays per request.
import { MAX_BATCH_EVENTS, eventBatchSchema, parseEventBatch } from "@synthorg/schema";
import { parseOnly } from "../baselines.js";
import { batchBodies, deploymentIds } from "../events.js";
import { compareRates, interleave, rates, type BenchCase, type CaseResult } from "../harness.js";

const BODIES = 8;

function validated(bodies: readonly string[], validate: (input: unknown) => boolean): () => number {
  let next = 0;
  return () => {
    const ok = validate(JSON.parse(bodies[next]!));
    next = (next + 1) % bodies.length;
    if (!ok) throw new Error("a generated batch was rejected");
    return MAX_BATCH_EVENTS;
  };
}

export const parseCase: BenchCase = {
  id: "3",
  title: "validate a batch of 1000",
  async run({ quick, repetitions }): Promise<CaseResult> {
    const minMs = quick ? 300 : 1000;
    const bodies = batchBodies(BODIES, MAX_BATCH_EVENTS, { deployments: deploymentIds(4), seed: 3 });
    const parse = parseOnly(bodies, MAX_BATCH_EVENTS);
    const ajv = validated(bodies, (input) => parseEventBatch(input).ok);
    const zod = validated(bodies, (input) => eventBatchSchema.safeParse(input).success);
    const samples = await interleave(repetitions, {
      parse: () => rates(parse, minMs),
      ajv: () => rates(ajv, minMs),
      zod: () => rates(zod, minMs),
    });
    const fast = compareRates("JSON.parse + parseEventBatch", samples.ajv, "JSON.parse", samples.parse);
    const slow = compareRates("JSON.parse + zod safeParse", samples.zod, "JSON.parse", samples.parse);
    const figure = (c: typeof fast) => c.cpu?.subject ?? c.subject;
    return {
      rows: [
        {
          caseId: "3a",
          title: "parseEventBatch (compiled)",
          ...fast,
          goals: [],
          note: `${(figure(fast).value / figure(slow).value).toFixed(1)}× zod safeParse; both include the JSON.parse`,
        },
        { caseId: "3b", title: "zod eventBatchSchema.safeParse", ...slow, goals: [] },
      ],
    };
  },
};
