#!/usr/bin/env node
// Sums every workspace package's vitest JSON report into the one plain line CI reads:
//   tests: N passed, N failed, N skipped
// `clean` removes stale reports first, so a package whose tests did not run cannot be counted twice.
// `--report FILE --label WORD` sum another suite's reports (pnpm test:faults → "faults: …").
// Exits 1 when a test failed, a test file failed to load, turbo failed, or nothing ran at all.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
};
const REPORT = option("--report", "test-results.json");
const LABEL = option("--label", "tests");
const WORKSPACE_DIRS = ["packages", "apps"];

const root = new URL("..", import.meta.url).pathname;
const reports = WORKSPACE_DIRS.flatMap((dir) => {
  const base = join(root, dir);
  if (!existsSync(base)) return [];
  return readdirSync(base).map((name) => join(base, name, REPORT));
}).filter((file) => existsSync(file));

if (process.argv[2] === "clean") {
  for (const file of reports) rmSync(file);
  process.exit(0);
}

const turboExit = Number((process.argv.find((a) => a.startsWith("--turbo-exit=")) ?? "=0").split("=")[1]);
let passed = 0;
let failed = 0;
let skipped = 0;
let brokenFiles = 0;
for (const file of reports) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A file that fails to import has no tests in it but still means a red run.
  brokenFiles += (report.testResults ?? []).filter(
    (r) => r.status === "failed" && r.assertionResults?.length === 0,
  ).length;
}

if (brokenFiles > 0) console.log(`${brokenFiles} test file(s) failed to load`);
if (turboExit !== 0) console.log(`turbo exited with ${turboExit}`);
console.log(`${LABEL}: ${passed} passed, ${failed + brokenFiles} failed, ${skipped} skipped`);
process.exit(failed + brokenFiles > 0 || passed === 0 || turboExit !== 0 ? 1 : 0);
