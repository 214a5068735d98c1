// A collector in its own process, started through its real CLI (`serve --config FILE --port 0`),
// with a config made for load: a rate limit and deployment cap the bench never reaches.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BASE_PATH, createApiKey } from "@synthorg/collector";
import { loadAnalyticsConfig, type AnalyticsConfigInput } from "@synthorg/schema";
import { COLLECTOR_CLI } from "./paths.js";
import { startServerProcess, type ServerProcess } from "./server-process.js";

/** Far above any request rate the bench reaches: the limiter must never answer 429 here. */
export const BENCH_RATE_LIMIT_PER_MINUTE = 1_000_000_000;
/** The bench's fleet is larger than the per-key default of 4 deployments. */
export const BENCH_MAX_DEPLOYMENTS_PER_KEY = 10_000;
const SALT_BYTES = 24;

export interface CollectorProcess extends ServerProcess {
  /** The bearer token of a key with the `write` scope. */
  readonly writeToken: string;
  readonly readToken: string;
}

export interface CollectorProcessOptions {
  readonly store?: NonNullable<AnalyticsConfigInput["collector"]>["store"];
  /** Write a V8 CPU profile of the collector into this folder when it stops. */
  readonly profileDir?: string | null;
}

export async function startCollectorProcess(
  options: CollectorProcessOptions = {},
): Promise<CollectorProcess> {
  const writer = createApiKey("bench-writer", ["write"]);
  const reader = createApiKey("bench-reader", ["read"]);
  const document = {
    self_improvement: {
      cross_deployment_analytics: {
        // `serve` refuses a config that is not enabled, and enabled needs a URL and a salt.
        enabled: true,
        collector_enabled: true,
        collector_url: `http://127.0.0.1${BASE_PATH}`,
        deployment_id_salt: randomBytes(SALT_BYTES).toString("base64url"),
        collector: {
          host: "127.0.0.1",
          port: 0,
          store: options.store ?? { kind: "memory" },
          api_keys: [writer.entry, reader.entry],
          rate_limit_per_minute: BENCH_RATE_LIMIT_PER_MINUTE,
          max_deployments_per_key: BENCH_MAX_DEPLOYMENTS_PER_KEY,
        },
      },
    },
  };
  // Fail here, naming the key, rather than in the child.
  loadAnalyticsConfig(document);
  const dir = mkdtempSync(join(tmpdir(), "synthorg-bench-"));
  const configFile = join(dir, "collector.json");
  writeFileSync(configFile, JSON.stringify(document), { mode: 0o600 });
  // A profile folder holds this run's profiles only (the summary reads the largest file in it).
  if (options.profileDir) rmSync(options.profileDir, { recursive: true, force: true });
  try {
    const server = await startServerProcess({
      entry: COLLECTOR_CLI,
      args: ["serve", "--config", configFile, "--port", "0"],
      profileDir: options.profileDir ?? null,
    });
    return {
      origin: server.origin,
      cpuSeconds: () => server.cpuSeconds(),
      writeToken: writer.token,
      readToken: reader.token,
      stop: async () => {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
