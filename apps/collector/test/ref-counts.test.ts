// The open-addressing reference-count table against a Map: random adds and drops over a key space
// wide enough to make it grow, shrink, collide and wrap around its end.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RefCounts } from "../src/store/ref-counts.js";

type Op = { readonly add: boolean; readonly slot: number; readonly tag: number; readonly deployment: number };

const opArbitrary: fc.Arbitrary<Op> = fc.record({
  add: fc.boolean(),
  slot: fc.integer({ min: 0, max: 40 }),
  tag: fc.integer({ min: 0, max: 3 }),
  deployment: fc.integer({ min: 0, max: 30 }),
});

describe("RefCounts", () => {
  it("answers new/last exactly as a Map of counts does, through growth and shrinking", () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { minLength: 1, maxLength: 6_000 }), (ops) => {
        const table = new RefCounts();
        const model = new Map<string, number>();
        for (const op of ops) {
          const key = `${op.slot}/${op.tag}/${op.deployment}`;
          const count = model.get(key) ?? 0;
          if (op.add) {
            expect(table.add(op.slot, op.tag, op.deployment)).toBe(count === 0);
            model.set(key, count + 1);
          } else if (count > 0) {
            expect(table.drop(op.slot, op.tag, op.deployment)).toBe(count === 1);
            if (count === 1) model.delete(key);
            else model.set(key, count - 1);
          }
        }
        expect(table.size).toBe(model.size);
        // Draining every key must report each one's last reference exactly once.
        for (const [key, count] of model) {
          const [slot, tag, deployment] = key.split("/").map(Number) as [number, number, number];
          for (let left = count; left > 0; left--) expect(table.drop(slot, tag, deployment)).toBe(left === 1);
        }
        expect(table.size).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it("grows past thousands of keys and shrinks back once they are dropped", () => {
    const table = new RefCounts();
    for (let deployment = 0; deployment < 50_000; deployment++) table.add(deployment % 60, 0, deployment);
    expect(table.size).toBe(50_000);
    for (let deployment = 0; deployment < 50_000; deployment++) {
      expect(table.drop(deployment % 60, 0, deployment)).toBe(true);
    }
    expect(table.size).toBe(0);
    expect(() => table.drop(0, 0, 0)).toThrow(RangeError);
  });
});
