// The queue's ring buffer against an Array model, over random sequences of every operation.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Deque } from "../src/deque.js";

const operation = fc.oneof(
  fc.record({ op: fc.constant("pushBack" as const), value: fc.integer() }),
  fc.record({ op: fc.constant("pushFront" as const), value: fc.integer() }),
  fc.record({ op: fc.constant("shift" as const) }),
  fc.record({ op: fc.constant("take" as const), count: fc.nat({ max: 40 }) }),
  fc.record({ op: fc.constant("unshiftAll" as const), values: fc.array(fc.integer(), { maxLength: 40 }) }),
);

describe("Deque", () => {
  it("behaves like an array used as a double-ended queue", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 200 }), (operations) => {
        const deque = new Deque<number>();
        const model: number[] = [];
        for (const step of operations) {
          switch (step.op) {
            case "pushBack":
              deque.pushBack(step.value);
              model.push(step.value);
              break;
            case "pushFront":
              deque.pushFront(step.value);
              model.unshift(step.value);
              break;
            case "shift":
              expect(deque.shift()).toBe(model.shift());
              break;
            case "take":
              expect(deque.take(step.count)).toEqual(model.splice(0, step.count));
              break;
            case "unshiftAll":
              deque.unshiftAll(step.values);
              model.unshift(...step.values);
              break;
          }
          expect(deque.length).toBe(model.length);
        }
        expect(deque.take(deque.length)).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });
});
