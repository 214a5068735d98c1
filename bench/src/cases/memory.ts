// Case 5: memory per stored event in the memory store at 1 000 000 events, against an array of the
// same events as plain objects. Each holder is measured in its own fresh process with --expose-gc,
// so neither inherits the other's garbage or JIT state.
import { resolve } from "node:path";
import { runJsonChild } from "../child.js";
import { measurement, type BenchCase, type CaseResult } from "../harness.js";
import type { MemoryChildResult } from "./memory-child.js";

const EVENTS = 1_000_000;
const BYTES_PER_EVENT_GOAL = 64;
const CHILD = resolve(import.meta.dirname, "memory-child.ts");

export const memoryCase: BenchCase = {
  id: "5",
  title: "memory per event, 1 000 000 events",
  async run({ quick, repetitions }): Promise<CaseResult> {
    // Heap after a full GC barely varies between runs; one repetition is enough in --quick.
    const rounds = quick ? 1 : Math.min(repetitions, 3);
    const store: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < rounds; i++) {
      for (const holder of ["store", "plain"] as const) {
        const result = await runJsonChild<MemoryChildResult>(
          CHILD,
          [holder, String(EVENTS)],
          ["--expose-gc"],
        );
        (holder === "store" ? store : plain).push(result.bytesPerEvent);
      }
    }
    const subject = measurement("memory store", "bytes/event", store);
    const baseline = measurement("array of plain objects", "bytes/event", plain);
    const fraction = subject.value / baseline.value;
    return {
      rows: [
        {
          caseId: "5",
          title: "memory per event, 1 000 000 events",
          subject,
          baseline,
          ratio: { value: fraction, text: `${fraction.toFixed(2)}× plain objects` },
          goals: [{ text: `≤ ${BYTES_PER_EVENT_GOAL} B/event`, met: subject.value <= BYTES_PER_EVENT_GOAL }],
          note: "heapUsed + arrayBuffers after a full GC, fresh process per holder, 1000 deployments",
        },
      ],
    };
  },
};
