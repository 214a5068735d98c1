import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_BATCH_SIZE, DEFAULT_MAX_PENDING, loadAnalyticsConfig } from "../src/index.js";

const P = "self_improvement.cross_deployment_analytics";
const GOOD_SALT = "a-long-enough-secret-salt";

function doc(block: Record<string, unknown>) {
  return { self_improvement: { cross_deployment_analytics: block } };
}

function issuesOf(source: string | object): string[] {
  try {
    loadAnalyticsConfig(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error("expected a ConfigError");
}

describe("loadAnalyticsConfig", () => {
  it("is disabled with every default when the block is missing or empty", () => {
    for (const source of [{}, "", doc({})]) {
      const config = loadAnalyticsConfig(source);
      expect(config.enabled).toBe(false);
      expect(config.batch_size).toBe(DEFAULT_BATCH_SIZE);
      expect(config.max_pending).toBe(DEFAULT_MAX_PENDING);
      expect(config.collector.store.max_events).toBeUndefined();
      expect(config.collector.store.kind).toBe("memory");
    }
  });

  it("reads the policy's YAML from text and from a file", () => {
    const yaml = `
self_improvement:
  cross_deployment_analytics:
    enabled: true
    collector_url: "https://collector.example.com/api/meta/analytics"
    deployment_id_salt: "${GOOD_SALT}"
    industry_tag: "technology"  # optional
`;
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const file = join(dir, "synthorg.yaml");
    writeFileSync(file, yaml);
    for (const source of [yaml, file]) {
      const config = loadAnalyticsConfig(source);
      expect(config).toMatchObject({ enabled: true, industry_tag: "technology", flush_interval_seconds: 30 });
    }
  });

  it("names both missing keys when enabled without url and salt", () => {
    expect(issuesOf(doc({ enabled: true }))).toEqual([
      `${P}.collector_url: is required when enabled`,
      `${P}.deployment_id_salt: is required when enabled`,
    ]);
  });

  it("refuses plain http except to loopback", () => {
    const base = { enabled: true, deployment_id_salt: GOOD_SALT };
    expect(issuesOf(doc({ ...base, collector_url: "http://collector.example.com/x" }))).toEqual([
      `${P}.collector_url: must use https (plain http only for loopback hosts)`,
    ]);
    expect(issuesOf(doc({ ...base, collector_url: "http://10.0.0.5/x" }))[0]).toMatch(/must use https/);
    for (const url of [
      "http://127.0.0.1:8787/a",
      "http://localhost/a",
      "http://[::1]:9/a",
      "https://x.example/a",
    ]) {
      expect(loadAnalyticsConfig(doc({ ...base, collector_url: url })).collector_url).toBe(url);
    }
    expect(issuesOf(doc({ ...base, collector_url: "not a url" }))[0]).toMatch(
      /collector_url: must be an absolute URL/,
    );
  });

  it("refuses short salts and the policy's example salts", () => {
    const base = { enabled: true, collector_url: "https://c.example/a" };
    expect(issuesOf(doc({ ...base, deployment_id_salt: "short" }))).toEqual([
      `${P}.deployment_id_salt: must be at least 16 characters`,
    ]);
    expect(issuesOf(doc({ ...base, deployment_id_salt: "salt" }))[0]).toMatch(/deployment_id_salt/);
    expect(issuesOf(doc({ ...base, deployment_id_salt: "your-secret-salt-string" }))).toEqual([
      `${P}.deployment_id_salt: is the policy's example value: choose your own secret`,
    ]);
  });

  it("bounds batch_size to 1–1000", () => {
    expect(issuesOf(doc({ batch_size: 0 }))[0]).toMatch(new RegExp(`^${P}.batch_size: `));
    expect(issuesOf(doc({ batch_size: 1001 }))[0]).toMatch(new RegExp(`^${P}.batch_size: `));
    expect(loadAnalyticsConfig(doc({ batch_size: 1000 })).batch_size).toBe(1000);
  });

  it("names unknown keys at every level, never ignoring them", () => {
    expect(issuesOf(doc({ enabeld: true }))).toEqual([`${P}.enabeld: unknown key`]);
    expect(issuesOf({ self_improvment: {} })).toEqual(["self_improvment: unknown key"]);
    expect(issuesOf(doc({ collector: { store: { kind: "memory", size: 3 } } }))).toEqual([
      `${P}.collector.store.size: unknown key`,
    ]);
  });

  it("lists every bad key at once, with array indices", () => {
    const issues = issuesOf(
      doc({
        min_deployments_for_pattern: 1,
        recommendation_min_observations: 2,
        flush_interval_seconds: 301,
        collector: { api_keys: [{ id: "ops", scopes: ["admin"], sha256: "nope" }] },
      }),
    );
    const paths = issues.map((line) => line.split(": ")[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        `${P}.min_deployments_for_pattern`,
        `${P}.recommendation_min_observations`,
        `${P}.flush_interval_seconds`,
        `${P}.collector.api_keys[0].scopes[0]`,
        `${P}.collector.api_keys[0].sha256`,
      ]),
    );
  });

  it("reports YAML syntax errors and unreadable files as ConfigError", () => {
    expect(issuesOf("self_improvement: [unclosed")[0]).toMatch(/^\(yaml\)/);
    expect(issuesOf("/nonexistent/synthorg.yaml")[0]).toMatch(/cannot read/);
  });

  it("never echoes the salt in an error", () => {
    const secret = "CANARY-secret-salt-value";
    const issues = issuesOf(doc({ enabled: true, deployment_id_salt: secret, collector_url: "ftp://x" }));
    expect(issues.join("\n")).not.toContain(secret);
  });
});
