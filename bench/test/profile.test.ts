import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeProfile, mainThreadProfile, phaseShares } from "../src/profile.js";

/** root → express handler → parseEventBatch → validate20, and root → (idle), with sample times. */
const profile = {
  nodes: [
    { id: 1, callFrame: { functionName: "(root)", url: "" }, children: [2, 5, 6] },
    {
      id: 2,
      callFrame: { functionName: "handle", url: "file:///x/express@5.3.0/lib/application.js" },
      children: [3],
    },
    {
      id: 3,
      callFrame: { functionName: "parseEventBatch", url: "file:///x/packages/schema/src/validate.ts" },
      children: [4],
    },
    { id: 4, callFrame: { functionName: "validate20", url: "" } },
    { id: 5, callFrame: { functionName: "(idle)", url: "" } },
    { id: 6, callFrame: { functionName: "(garbage collector)", url: "" } },
  ],
  samples: [4, 4, 2, 5, 6],
  timeDeltas: [10, 20, 10, 1000, 10],
};

describe("phaseShares", () => {
  it("charges each sample to its innermost phase and leaves idle time out", () => {
    expect(phaseShares(profile)).toEqual([
      { phase: "validation (parseEventBatch)", busyShare: 0.6 },
      { phase: "express", busyShare: 0.2 },
      { phase: "garbage collection", busyShare: 0.2 },
    ]);
  });
});

describe("describeProfile", () => {
  const dir = mkdtempSync(join(tmpdir(), "bench-profile-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the largest profile in the folder (the main thread's)", () => {
    writeFileSync(join(dir, "loader.cpuprofile"), JSON.stringify({ nodes: [], samples: [], timeDeltas: [] }));
    writeFileSync(join(dir, "main.cpuprofile"), JSON.stringify(profile));
    expect(mainThreadProfile(dir)).toBe(join(dir, "main.cpuprofile"));
    expect(describeProfile(dir)).toContain(" 60.0%  validation (parseEventBatch)");
  });
});
