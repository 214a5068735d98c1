// The server around the app: graceful shutdown and native HTTPS.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trpcTransformer } from "@synthorg/schema";
import { createTRPCClient, httpLink } from "@trpc/client";
import { Agent, fetch as undiciFetch, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../src/router.js";
import { createMemoryStore } from "../src/store/memory.js";
import type { AnalyticsStore, IngestOutcome, IngestRequest } from "../src/store/types.js";
import { sampleDecisionEvent } from "@synthorg/schema/testing";
import { batch } from "./fixtures.js";
import { auth, getJson, postJson, startTestCollector } from "./helpers.js";

/** A real memory store whose ingest waits at a gate the test opens, so a request is provably in flight. */
function gatedStore() {
  const inner = createMemoryStore();
  let entered!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((resolve) => (entered = resolve));
  const gate = new Promise<void>((resolve) => (open = resolve));
  const store: AnalyticsStore = {
    kind: inner.kind,
    async ingest(request: IngestRequest): Promise<IngestOutcome> {
      entered();
      await gate;
      return inner.ingest(request);
    },
    groupAggregates: () => inner.groupAggregates(),
    stats: () => inner.stats(),
    ready: () => inner.ready(),
    close: () => inner.close(),
  };
  return { store, reached, open };
}

describe("graceful shutdown", () => {
  it("finishes in-flight requests, refuses new connections, then resolves", async () => {
    const { store, reached, open } = gatedStore();
    const collector = await startTestCollector({}, { store, shutdownGraceMs: 60_000 });
    // A finished keep-alive connection must not hold shutdown up.
    expect((await getJson(`${collector.url}/healthz`)).status).toBe(200);
    const inFlight = postJson(
      `${collector.baseUrl}/events`,
      batch(sampleDecisionEvent()),
      auth(collector.keys.write),
    );
    await reached;
    let closed = false;
    const closing = collector.close().then(() => {
      closed = true;
    });
    await expect(fetch(`${collector.url}/healthz`)).rejects.toThrow();
    expect(closed).toBe(false);
    open();
    await expect(inFlight).resolves.toMatchObject({ status: 200, body: { ingested: 1, duplicate: false } });
    await closing;
    expect(closed).toBe(true);
    // The store was passed in, so it is the caller's to close; it holds the event.
    await expect(store.stats()).resolves.toMatchObject({ size: 1 });
  });

  it("cuts connections still open after the grace period", async () => {
    const { store, reached, open } = gatedStore();
    const collector = await startTestCollector({}, { store, shutdownGraceMs: 20 });
    const stuck = postJson(
      `${collector.baseUrl}/events`,
      batch(sampleDecisionEvent()),
      auth(collector.keys.write),
    );
    await reached;
    await collector.close();
    await expect(stuck).rejects.toThrow();
    open();
  });

  it("closes the store it created itself", async () => {
    const collector = await startTestCollector();
    await collector.close();
    await expect(collector.store.ready()).resolves.toBe(false);
    await expect(collector.close()).resolves.toBeUndefined();
  });
});

describe("HTTPS", () => {
  let dir: string;
  let ca: Buffer;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "collector-tls-"));
    execFileSync(
      "/usr/bin/openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    ca = execFileSync("cat", [join(dir, "cert.pem")]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("serves REST and tRPC over TLS when collector.tls is set", async () => {
    const collector = await startTestCollector({
      tls: { cert_file: join(dir, "cert.pem"), key_file: join(dir, "key.pem") },
    });
    const dispatcher = new Agent({ connect: { ca } });
    try {
      expect(collector.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const rest = await request(`${collector.baseUrl}/events`, {
        method: "POST",
        dispatcher,
        headers: { "content-type": "application/json", ...auth(collector.keys.write) },
        body: JSON.stringify(batch(sampleDecisionEvent())),
      });
      expect(rest.statusCode).toBe(200);
      expect(await rest.body.json()).toEqual({ ingested: 1, duplicate: false });
      const client = createTRPCClient<AppRouter>({
        links: [
          httpLink({
            url: `${collector.baseUrl}/trpc`,
            transformer: trpcTransformer,
            headers: () => auth(collector.keys.both),
            fetch: (url, init) =>
              undiciFetch(url as string, { ...(init as object), dispatcher }) as unknown as Promise<Response>,
          }),
        ],
      });
      await expect(client.events.ingest.mutate(batch(sampleDecisionEvent()))).resolves.toEqual({
        ingested: 1,
        duplicate: false,
      });
      await expect(client.stats.summary.query()).resolves.toMatchObject({ store: { size: 2 } });
      // Without trusting the certificate, a client refuses it.
      await expect(request(`${collector.url}/healthz`)).rejects.toThrow();
    } finally {
      await dispatcher.close();
      await collector.close();
    }
  });
});
