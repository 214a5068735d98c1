import { describe, expect, it } from "vitest";
import { MAX_BATCH_EVENTS, parseEventBatch } from "@synthorg/schema";
import { batchBodies, deploymentIds, makeEvents } from "../src/events.js";
import { fleetBatches } from "../src/fleet.js";
import { fractionOf, interleave, measurement, speedupOver, type BenchRow } from "../src/harness.js";
import { median, relativeSpread, roundSignificant } from "../src/stats.js";
import { formatNumber, renderTable, resultsJson, type RunRecord } from "../src/table.js";

const machine = { cpu: "test cpu", cores: 2, memory_gb: 4, os: "Linux", node: "v20", load_at_start: 0.5 };

describe("stats", () => {
  it("takes the median of odd and even sample counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it("reports the spread relative to the median", () => {
    expect(relativeSpread([90, 100, 110])).toBeCloseTo(0.2);
  });

  it("rounds to three significant digits", () => {
    expect(roundSignificant(123_456)).toBe(123_000);
    expect(roundSignificant(0.012345)).toBe(0.0123);
    expect(roundSignificant(0)).toBe(0);
  });
});

describe("harness", () => {
  it("interleaves variants after one unrecorded warm-up round", async () => {
    const calls: string[] = [];
    let a = 0;
    let b = 100;
    const samples = await interleave(2, {
      a: () => (calls.push("a"), ++a),
      b: async () => (calls.push("b"), Promise.resolve(++b)),
    });
    expect(calls).toEqual(["a", "b", "a", "b", "a", "b"]);
    expect(samples).toEqual({ a: [2, 3], b: [102, 103] });
  });

  it("states ratios in the direction of the goal", () => {
    const fast = measurement("fast", "ms", [1]);
    const slow = measurement("slow", "ms", [250]);
    expect(speedupOver(fast, slow)).toEqual({ value: 250, text: "250× faster than slow" });
    const part = measurement("ingest", "events/s", [40]);
    const ceiling = measurement("JSON.parse", "events/s", [100]);
    expect(fractionOf(part, ceiling)).toEqual({ value: 0.4, text: "0.40× JSON.parse" });
  });
});

describe("events", () => {
  it("generates valid batches from the chosen deployments only", () => {
    const ids = deploymentIds(3);
    const [body] = batchBodies(1, MAX_BATCH_EVENTS, { deployments: ids, seed: 1 });
    const parsed = parseEventBatch(JSON.parse(body!));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.batch.events).toHaveLength(MAX_BATCH_EVENTS);
    expect(new Set(parsed.batch.events.map((event) => event.deployment_id))).toEqual(new Set(ids));
  });

  it("is deterministic for a seed", () => {
    const mix = { deployments: deploymentIds(2), seed: 9 };
    expect(makeEvents(50, mix)).toEqual(makeEvents(50, mix));
  });

  it("gives each writer at most the default number of deployments", () => {
    const batches = [...fleetBatches(2500, 10, 1)];
    expect(batches.map((batch) => batch.events.length)).toEqual([1000, 1000, 500]);
    const perWriter = new Map<string, Set<string>>();
    for (const batch of batches) {
      const seen = perWriter.get(batch.writerId) ?? new Set();
      for (const event of batch.events) seen.add(event.deployment_id);
      perWriter.set(batch.writerId, seen);
    }
    for (const seen of perWriter.values()) expect(seen.size).toBeLessThanOrEqual(4);
  });
});

describe("table", () => {
  const row: BenchRow = {
    caseId: "1",
    title: "REST ingest",
    subject: measurement("POST /events", "events/s", [150_000, 160_000, 170_000]),
    baseline: measurement("JSON.parse", "events/s", [400_000]),
    ratio: { value: 0.4, text: "0.40× JSON.parse" },
    goals: [{ text: "≥ 0.35×", met: true }],
    note: "2 connections",
  };
  const record: RunRecord = {
    run_date: "2026-12-04",
    mode: "quick",
    machine,
    rows: [row, { ...row, caseId: "2", goals: [{ text: "≥ 0.5×", met: false }], note: undefined }],
    skipped: [{ caseId: "7", title: "PostgreSQL store", reason: "no database" }],
    failed: [],
  };

  it("formats numbers for people", () => {
    expect(formatNumber(1_234_567)).toBe("1.23 M");
    expect(formatNumber(160_000)).toBe("160 k");
    expect(formatNumber(523.4)).toBe("523");
    expect(formatNumber(0.0339)).toBe("0.0339");
  });

  it("prints every row with its goal status, and why a case was skipped", () => {
    const text = renderTable(record);
    expect(text).toContain("pnpm bench --quick  2026-12-04");
    expect(text).toMatch(/1 REST ingest .*160 k events\/s .*0\.40× JSON\.parse .*≥ 0\.35× +ok/);
    expect(text).toMatch(/2 REST ingest .*MISSED/);
    expect(text).toContain("7: skipped: no database");
    expect(text).toContain("1: 2 connections");
  });

  it("writes results.json rounded, with the run date as its only time field", () => {
    const json = JSON.parse(resultsJson(record)) as Record<string, unknown> & {
      results: { subject: { median: number } }[];
    };
    expect(Object.keys(json)).toEqual(["run_date", "mode", "machine", "results", "skipped", "failed"]);
    expect(json.results[0]!.subject.median).toBe(160_000);
  });
});
