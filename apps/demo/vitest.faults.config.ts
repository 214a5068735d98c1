// `pnpm test:faults`: the fault, fuzz and outage proofs (issue 8). Kept out of the plain `test` run
// because they take minutes, not seconds; CI runs both. Files are `faults/*.faults.ts` so the default
// vitest include (`*.test.ts`) never picks them up.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["faults/**/*.faults.ts"],
    // Each file starts its own collectors, proxies and PostgreSQL clusters on port 0: safe in parallel,
    // but two cores are shared with the collector child processes, so keep it to two files at a time.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
