// The auth matrix: every route × no key, unknown key, read key, write key, over REST and tRPC.
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createSha256Verifier, bearerToken, sha256Hex } from "../src/auth.js";
import { sampleDecisionEvent } from "@synthorg/schema/testing";
import { batch } from "./fixtures.js";
import { auth, getJson, postJson, startTestCollector, trpcClient, type TestCollector } from "./helpers.js";

let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector({ rate_limit_per_minute: 10_000 });
});
afterAll(() => collector.close());

type Who = "none" | "unknown" | "read" | "write";
const WHO: Who[] = ["none", "unknown", "read", "write"];
const token = (who: Who): string | null => (who === "none" ? null : collector.keys[who]);

/** Expected status per caller: scope-protected routes refuse the other scope, public ones refuse no one. */
function expected(scope: "read" | "write" | "public", who: Who): number {
  if (scope === "public") return 200;
  if (who === "none" || who === "unknown") return 401;
  return who === scope ? 200 : 403;
}

interface Route {
  readonly name: string;
  readonly scope: "read" | "write" | "public";
  call(token: string | null): Promise<{ status: number; headers: Headers; body: unknown }>;
}

const routes: Route[] = [
  {
    name: "POST /api/meta/analytics/events",
    scope: "write",
    call: (t) => postJson(`${collector.baseUrl}/events`, batch(sampleDecisionEvent()), auth(t)),
  },
  {
    name: "GET /api/meta/analytics/patterns",
    scope: "read",
    call: (t) => getJson(`${collector.baseUrl}/patterns`, auth(t)),
  },
  {
    name: "GET /api/meta/analytics/recommendations",
    scope: "read",
    call: (t) => getJson(`${collector.baseUrl}/recommendations`, auth(t)),
  },
  {
    name: "GET /api/meta/analytics/stats",
    scope: "read",
    call: (t) => getJson(`${collector.baseUrl}/stats`, auth(t)),
  },
  {
    name: "GET /api/meta/analytics/openapi.json",
    scope: "public",
    call: (t) => getJson(`${collector.baseUrl}/openapi.json`, auth(t)),
  },
  { name: "GET /healthz", scope: "public", call: (t) => getJson(`${collector.url}/healthz`, auth(t)) },
  { name: "GET /readyz", scope: "public", call: (t) => getJson(`${collector.url}/readyz`, auth(t)) },
  { name: "GET /metrics", scope: "public", call: (t) => getJson(`${collector.url}/metrics`, auth(t)) },
  // The tRPC procedures, over the wire as their HTTP requests.
  {
    name: "tRPC events.ingest",
    scope: "write",
    call: (t) => postJson(`${collector.baseUrl}/trpc/events.ingest`, batch(sampleDecisionEvent()), auth(t)),
  },
  {
    name: "tRPC patterns.list",
    scope: "read",
    call: (t) => getJson(`${collector.baseUrl}/trpc/patterns.list`, auth(t)),
  },
  {
    name: "tRPC recommendations.list",
    scope: "read",
    call: (t) => getJson(`${collector.baseUrl}/trpc/recommendations.list`, auth(t)),
  },
  {
    name: "tRPC stats.summary",
    scope: "read",
    call: (t) => getJson(`${collector.baseUrl}/trpc/stats.summary`, auth(t)),
  },
];

describe("auth matrix", () => {
  const cases = routes.flatMap((route) => WHO.map((who) => [route.name, who, route] as const));
  it.each(cases)("%s with %s key", async (_name, who, route) => {
    const response = await route.call(token(who));
    const status = expected(route.scope, who);
    expect(response.status).toBe(status);
    const rest = !route.name.startsWith("tRPC");
    if (status === 401) {
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="synthorg-analytics"/);
      if (who === "unknown")
        expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
    }
    if (status === 401 || status === 403) {
      const code = status === 401 ? "UNAUTHORIZED" : "FORBIDDEN";
      if (rest) expect(response.body).toMatchObject({ error: { code, issues: [] } });
      else expect(response.body).toMatchObject({ error: { json: { data: { code, httpStatus: status } } } });
      expect(JSON.stringify(response.body)).not.toMatch(/stack|at .*\.ts/);
    }
  });

  it("gives typed clients the same answers", async () => {
    const ingest = (t: string | null) =>
      trpcClient(collector, t).events.ingest.mutate(batch(sampleDecisionEvent()));
    await expect(ingest(collector.keys.write)).resolves.toMatchObject({ ingested: 1 });
    for (const [t, code] of [
      [null, "UNAUTHORIZED"],
      [collector.keys.unknown, "UNAUTHORIZED"],
      [collector.keys.read, "FORBIDDEN"],
    ] as const) {
      const error = await ingest(t).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TRPCClientError);
      expect((error as TRPCClientError<never>).data).toMatchObject({ code });
    }
    await expect(trpcClient(collector, collector.keys.both).patterns.list.query()).resolves.toMatchObject({
      patterns: [],
    });
  });

  it("refuses malformed Authorization headers as a missing key", async () => {
    for (const header of [
      "Basic dXNlcjpwYXNz",
      "Bearer",
      `Bearer ${collector.keys.read} extra`,
      collector.keys.read,
    ]) {
      const response = await getJson(`${collector.baseUrl}/patterns`, { authorization: header });
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ error: { message: "missing bearer API key" } });
    }
  });

  it("accepts the scheme name in any case", async () => {
    const response = await getJson(`${collector.baseUrl}/patterns`, {
      authorization: `bearer ${collector.keys.read}`,
    });
    expect(response.status).toBe(200);
  });
});

describe("API keys", () => {
  it("creates a random token whose SHA-256 is the config entry", () => {
    const { token: secret, entry } = createApiKey("ops", ["read", "write", "read"]);
    expect(entry).toEqual({ id: "ops", scopes: ["read", "write"], sha256: sha256Hex(secret) });
    expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(createApiKey("ops", ["read"]).token).not.toBe(secret);
  });

  it("verifies each token to its own key only", () => {
    const keys = Array.from({ length: 5 }, (_, i) =>
      createApiKey(`k${i}`, i % 2 === 0 ? ["read"] : ["write"]),
    );
    const verifier = createSha256Verifier(keys.map((key) => key.entry));
    for (const key of keys) {
      const verified = verifier.verify(key.token);
      expect(verified).toMatchObject({ id: key.entry.id });
      expect([...(verified as unknown as { scopes: Set<string> }).scopes]).toEqual(key.entry.scopes);
    }
    expect(verifier.verify(createApiKey("other", ["read"]).token)).toBeNull();
    expect(verifier.verify("")).toBeNull();
  });

  it("reads the bearer token from the header", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("BEARER  abc ")).toBe("abc");
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken("Token abc")).toBeNull();
  });
});
