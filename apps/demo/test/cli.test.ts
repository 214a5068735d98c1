// `pnpm demo` as a person runs it: a child process, real collector, real HTTP.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const CHILD_TIMEOUT_MS = 60_000;

function demo(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", CLI, ...args],
      { encoding: "utf8", timeout: CHILD_TIMEOUT_MS, env: { ...process.env, FORCE_COLOR: "0" } },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

/** The tables and totals, without what differs between runs (port, key, timings). */
function tables(stdout: string): string {
  return stdout
    .split("\n")
    .filter((line) => !/^(Collector|Dashboard|Read key|Done in|Sent)|events\/s|emitted/.test(line))
    .join("\n");
}

describe("pnpm demo", () => {
  it(
    "runs a small fleet, prints the tables, and repeats itself for the same seed",
    async () => {
      const args = ["--deployments", "5", "--events", "600", "--seed", "3"];
      // Two independent runs (each its own collector on its own port), side by side.
      const [first, second] = await Promise.all([demo(...args), demo(...args)]);
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/Sent 600 · dropped 0 · undelivered 0/);
      expect(first.stdout).toMatch(/^rule +altitude +deployments +events +approval/m);
      expect(first.stdout).toMatch(/^Recommendations: \d+/m);
      expect(first.stdout).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/\nRead key: {2}sak_\S+/);
      expect(first.stdout).toContain("Privacy check: no custom rule name reached the collector");
      expect(second.code).toBe(0);
      expect(tables(second.stdout)).toBe(tables(first.stdout));
    },
    2 * CHILD_TIMEOUT_MS,
  );

  it(
    "rejects a bad option with a message naming it and the usage",
    async () => {
      const [run, unknown] = await Promise.all([demo("--events", "lots"), demo("--deploymnets", "3")]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--events must be a non-negative integer/);
      expect(run.stderr).toContain("Usage: pnpm demo");
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/deploymnets/);
    },
    2 * CHILD_TIMEOUT_MS,
  );
});
