// Where the PostgreSQL store's options come from: the collector block, and env DATABASE_URL.
import { ConfigError } from "@synthorg/schema";
import { describe, expect, it } from "vitest";
import { postgresStoreOptions } from "../src/store/index.js";
import { testConfig } from "./helpers.js";

describe("postgresStoreOptions", () => {
  const FROM_ENV = "postgres://env@127.0.0.1:5432/from_env";
  const FROM_CONFIG = "postgres://config@127.0.0.1:5432/from_config";

  it("takes collector.store.url over DATABASE_URL, and the limits from the collector block", () => {
    const config = testConfig({
      store: {
        kind: "postgres",
        url: FROM_CONFIG,
        max_events: 5_000,
        retention_days: 30,
        pool_max: 20,
        statement_timeout_ms: 2_000,
      },
      max_deployments_per_key: 7,
      idempotency_ttl_hours: 48,
    });
    expect(postgresStoreOptions(config, { DATABASE_URL: FROM_ENV })).toEqual({
      url: FROM_CONFIG,
      maxEvents: 5_000,
      retentionDays: 30,
      maxDeploymentsPerKey: 7,
      idempotencyTtlHours: 48,
      pool: { max: 20, statementTimeoutMillis: 2_000 },
    });
  });

  it("leaves the PostgreSQL store unbounded unless max_events is set", () => {
    const options = postgresStoreOptions(testConfig({ store: { kind: "postgres" } }), {
      DATABASE_URL: FROM_ENV,
    });
    expect(options.maxEvents).toBeUndefined();
    expect(options.pool).toEqual({});
  });

  it("falls back to DATABASE_URL, and leaves retention_days out when unset", () => {
    const options = postgresStoreOptions(testConfig({ store: { kind: "postgres" } }), {
      DATABASE_URL: FROM_ENV,
    });
    expect(options.url).toBe(FROM_ENV);
    expect(options).not.toHaveProperty("retentionDays");
  });

  it("refuses a postgres store with no URL anywhere, naming the key", () => {
    const config = testConfig({ store: { kind: "postgres" } });
    expect(() => postgresStoreOptions(config, {})).toThrow(ConfigError);
    expect(() => postgresStoreOptions(config, { DATABASE_URL: "" })).toThrow(
      /cross_deployment_analytics\.collector\.store\.url: is required for store kind postgres \(or set DATABASE_URL\)/,
    );
  });
});
