// Two collector processes (the real CLI: `serve --config FILE --port 0`) on one PostgreSQL database,
// sent the same batches with the same Idempotency-Keys at the same moment, as two load-balanced
// replicas would be by an emitter that retried against the other one: every batch counted once.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { AnonymizedEvent } from "@synthorg/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createApiKey } from "../src/auth.js";
import { diffPatterns, naivePatterns } from "../src/testing/index.js";
import { eventStream } from "./fixtures.js";
import { SALT } from "./helpers.js";
import { HAVE_POSTGRES, createTestDatabase, type TestDatabase } from "./pg-cluster.js";
import { aggregateDrift, sql } from "./postgres-oracle.js";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const LISTENING = /^collector listening on (http:\/\/\S+)$/;
const START_TIMEOUT_MS = 20_000;
const BASE_PATH = "/api/meta/analytics";

interface CollectorProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly stderr: string[];
}

/** Starts `tsx src/cli.ts serve --config FILE --port 0` and waits for its one stdout line. */
function startProcess(configFile: string): Promise<CollectorProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli.ts", "serve", "--config", configFile, "--port", "0"],
    {
      cwd: PACKAGE_DIR,
      env: { ...process.env, NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const stderr: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`collector did not start in ${START_TIMEOUT_MS} ms:\n${stderr.join("")}`));
    }, START_TIMEOUT_MS);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`collector exited with ${code}:\n${stderr.join("")}`));
    });
    createInterface({ input: child.stdout }).on("line", (line) => {
      const match = LISTENING.exec(line);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      resolve({ url: match[1], child, stderr });
    });
  });
}

function stopProcess(collector: CollectorProcess): Promise<void> {
  if (collector.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    collector.child.once("exit", () => resolve());
    collector.child.kill("SIGTERM");
  });
}

describe.skipIf(!HAVE_POSTGRES)(
  "two collector processes on one PostgreSQL database",
  { timeout: 30_000 },
  () => {
    let database: TestDatabase;
    let dir: string;
    let collectors: CollectorProcess[] = [];
    const write = createApiKey("fleet-writer", ["write"]);
    const read = createApiKey("reader", ["read"]);

    beforeAll(async () => {
      database = await createTestDatabase();
      dir = await mkdtemp(join(tmpdir(), "synthorg-collectors-"));
      const configFile = join(dir, "collector.yaml");
      const block = {
        enabled: true,
        collector_enabled: true,
        collector_url: "http://127.0.0.1:8787/api/meta/analytics",
        deployment_id_salt: SALT,
        collector: {
          host: "127.0.0.1",
          port: 0,
          store: { kind: "postgres", url: database.url },
          api_keys: [write.entry, read.entry],
          max_deployments_per_key: 50,
          rate_limit_per_minute: 100_000,
        },
      };
      await writeFile(configFile, stringify({ self_improvement: { cross_deployment_analytics: block } }));
      collectors = await Promise.all([startProcess(configFile), startProcess(configFile)]);
    }, START_TIMEOUT_MS * 2);

    afterAll(async () => {
      await Promise.all(collectors.map(stopProcess));
      await database?.drop();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    async function post(collector: CollectorProcess, events: readonly AnonymizedEvent[], key: string) {
      const response = await fetch(`${collector.url}${BASE_PATH}/events`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${write.token}`,
          "idempotency-key": key,
        },
        body: JSON.stringify({ events }),
      });
      return {
        status: response.status,
        body: (await response.json()) as { ingested?: number; duplicate?: boolean },
      };
    }

    it("stores every batch exactly once and both answer the same patterns", async () => {
      const [a, b] = collectors as [CollectorProcess, CollectorProcess];
      const events = eventStream(1_000, { seed: 31, deployments: 12 });
      const batches = Array.from({ length: 20 }, (_, i) => events.slice(i * 50, i * 50 + 50));
      const answers = await Promise.all(
        batches.flatMap((batch, i) => [post(a, batch, `batch-${i}`), post(b, batch, `batch-${i}`)]),
      );
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
      expect(answers.filter((answer) => answer.body.duplicate === false)).toHaveLength(20);
      expect(answers.filter((answer) => answer.body.duplicate === true)).toHaveLength(20);
      expect(answers.every((answer) => answer.body.ingested === 50)).toBe(true);

      const [{ count }] = (await sql<{ count: number }>(
        database.url,
        "SELECT count(*)::int AS count FROM events",
      )) as [{ count: number }];
      expect(count).toBe(1_000);
      expect(await aggregateDrift(database.url)).toEqual([]);

      const expected = naivePatterns(events, { minDeployments: 3 });
      for (const collector of collectors) {
        const response = await fetch(`${collector.url}${BASE_PATH}/patterns?min_deployments=3`, {
          headers: { authorization: `Bearer ${read.token}` },
        });
        expect(response.status).toBe(200);
        const body = (await response.json()) as { patterns: Parameters<typeof diffPatterns>[0] };
        expect(diffPatterns(body.patterns, expected)).toEqual([]);
      }
    });
  },
);
