// `pnpm bench [--quick] [--only 1,3] [--profile DIR]`: runs the cases in order, prints the table and
// writes bench/results.json. Each case is loaded on its own, so one broken case is reported as
// failed and the others still run.
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { utcDay } from "@synthorg/schema";
import type { BenchCase, BenchRow, CaseOptions, SkippedCase } from "./harness.js";
import { machineInfo } from "./machine.js";
import { describeProfile } from "./profile.js";
import { renderTable, resultsJson, type FailedCase, type RunRecord } from "./table.js";

const QUICK_REPETITIONS = 3;
const FULL_REPETITIONS = 5;
export const RESULTS_PATH = resolve(import.meta.dirname, "..", "results.json");

const CASES: readonly { readonly id: string; readonly load: () => Promise<BenchCase> }[] = [
  { id: "1", load: async () => (await import("./cases/ingest.js")).restIngestCase },
  { id: "2", load: async () => (await import("./cases/ingest.js")).trpcIngestCase },
  { id: "3", load: async () => (await import("./cases/parse.js")).parseCase },
  { id: "4", load: async () => (await import("./cases/patterns.js")).patternQueryCase },
  { id: "5", load: async () => (await import("./cases/memory.js")).memoryCase },
  { id: "6", load: async () => (await import("./cases/emitter.js")).emitterCase },
  { id: "7", load: async () => (await import("./cases/postgres.js")).postgresCase },
];

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      profile: { type: "string" },
    },
  });
  const only = values.only?.split(",").map((id) => id.trim());
  const options: CaseOptions = {
    quick: values.quick,
    repetitions: values.quick ? QUICK_REPETITIONS : FULL_REPETITIONS,
    profileDir: values.profile ? resolve(values.profile) : null,
    log: (line) => process.stderr.write(`${line}\n`),
  };
  const machine = machineInfo();
  const rows: BenchRow[] = [];
  const skipped: SkippedCase[] = [];
  const failed: FailedCase[] = [];
  for (const entry of CASES) {
    if (only && !only.includes(entry.id)) continue;
    const started = performance.now();
    let title = `case ${entry.id}`;
    try {
      const benchCase = await entry.load();
      title = benchCase.title;
      options.log(`case ${entry.id}: ${title} …`);
      const result = await benchCase.run(options);
      if ("skipped" in result) skipped.push(result.skipped);
      else rows.push(...result.rows);
    } catch (error) {
      failed.push({ caseId: entry.id, title, error: errorText(error) });
      options.log(
        `case ${entry.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
    options.log(`case ${entry.id}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const record: RunRecord = {
    run_date: utcDay(new Date()),
    mode: values.quick ? "quick" : "full",
    machine,
    rows,
    skipped,
    failed,
  };
  process.stdout.write(`${renderTable(record)}\n`);
  if (options.profileDir !== null && existsSync(options.profileDir)) {
    for (const name of readdirSync(options.profileDir).sort()) {
      process.stdout.write(`\n${describeProfile(join(options.profileDir, name))}\n`);
    }
  }
  // A partial run (--only) must not overwrite the record of a whole one.
  if (!only) writeFileSync(RESULTS_PATH, resultsJson(record));
  return failed.length > 0 ? 1 : 0;
}

process.exitCode = await main();
