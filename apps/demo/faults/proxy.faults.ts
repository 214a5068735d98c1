// The fault proxy itself, against a small real upstream on 127.0.0.1: each fault does what it claims,
// in particular the ambiguous ones reach the upstream before the client is cut off.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  FAULT_LABELS,
  faultLabel,
  scriptedSchedule,
  seededSchedule,
  startFaultProxy,
  summarizeExchanges,
  type FaultAction,
  type FaultProxy,
  type ProxiedRequest,
} from "./proxy.js";

interface Upstream {
  readonly url: string;
  readonly received: { path: string; headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

async function startUpstream(name: string): Promise<Upstream> {
  const received: Upstream["received"] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const key = req.headers["idempotency-key"];
      const duplicate = key !== undefined && received.some((r) => r.headers["idempotency-key"] === key);
      received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { "content-type": "application/json", "x-upstream": name });
      res.end(JSON.stringify({ upstream: name, seen: received.length, duplicate }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let upstream: Upstream;
let proxy: FaultProxy;
let client: Client;

async function post(body: string, headers: Record<string, string> = {}, headersTimeout?: number) {
  const response = await client.request({
    method: "POST",
    path: "/api/meta/analytics/events",
    headers: { "content-type": "application/json", ...headers },
    body,
    ...(headersTimeout === undefined ? {} : { headersTimeout }),
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

function withSchedule(actions: readonly FaultAction[]): void {
  proxy.setSchedule(scriptedSchedule(actions));
}

beforeEach(async () => {
  upstream = await startUpstream("a");
  proxy = await startFaultProxy({ upstream: upstream.url });
  client = new Client(proxy.url);
});

afterEach(async () => {
  await client.close();
  await proxy.close();
  await upstream.close();
});

describe("fault proxy", () => {
  it("passes a request through with its end-to-end headers and relays the answer", async () => {
    const answer = await post('{"events":[]}', { "idempotency-key": "k1", authorization: "Bearer t" });
    expect(answer.status).toBe(200);
    expect(answer.headers["x-upstream"]).toBe("a");
    expect(JSON.parse(answer.text)).toEqual({ upstream: "a", seen: 1, duplicate: false });
    expect(upstream.received).toHaveLength(1);
    const [seen] = upstream.received;
    expect(seen?.body).toBe('{"events":[]}');
    expect(seen?.path).toBe("/api/meta/analytics/events");
    expect(seen?.headers["idempotency-key"]).toBe("k1");
    expect(seen?.headers.authorization).toBe("Bearer t");
    expect(seen?.headers.host).toBe(new URL(upstream.url).host);
    expect(proxy.records()[0]).toMatchObject({
      index: 0,
      fault: "pass",
      idempotencyKey: "k1",
      upstreamStatus: 200,
      answered: true,
      duplicate: false,
    });
  });

  it("drops the request headers it is told to", async () => {
    await proxy.close();
    proxy = await startFaultProxy({ upstream: upstream.url, dropRequestHeaders: ["Idempotency-Key"] });
    await client.close();
    client = new Client(proxy.url);
    await post("{}", { "idempotency-key": "k", authorization: "Bearer t" });
    expect(upstream.received[0]?.headers["idempotency-key"]).toBeUndefined();
    expect(upstream.received[0]?.headers.authorization).toBe("Bearer t");
    expect(proxy.records()[0]?.idempotencyKey).toBe("k");
  });

  it("reset_before: the client sees a reset and the upstream never sees the request", async () => {
    withSchedule([{ kind: "reset_before" }]);
    await expect(post("{}")).rejects.toThrow();
    expect(upstream.received).toHaveLength(0);
    expect(proxy.records()[0]).toMatchObject({
      fault: "reset_before",
      upstreamStatus: null,
      answered: false,
    });
    // The next request on a fresh connection goes through.
    expect((await post("{}")).status).toBe(200);
  });

  it("reset_after: the upstream answered, the client sees only a reset", async () => {
    withSchedule([{ kind: "reset_after" }]);
    await expect(post('{"n":1}')).rejects.toThrow();
    expect(upstream.received.map((r) => r.body)).toEqual(['{"n":1}']);
    expect(proxy.records()[0]).toMatchObject({ fault: "reset_after", upstreamStatus: 200, answered: false });
  });

  it("timeout_after: the upstream answered, the answer is held until the client gives up", async () => {
    withSchedule([{ kind: "timeout_after" }]);
    await expect(post('{"n":2}', {}, 200)).rejects.toMatchObject({ code: "UND_ERR_HEADERS_TIMEOUT" });
    expect(upstream.received).toHaveLength(1);
    expect(proxy.records()[0]).toMatchObject({
      fault: "timeout_after",
      upstreamStatus: 200,
      answered: false,
    });
  });

  it("timeout_after resets a client that never leaves once maxHoldMs has passed", async () => {
    await proxy.close();
    proxy = await startFaultProxy({
      upstream: upstream.url,
      schedule: scriptedSchedule([{ kind: "timeout_after" }]),
      maxHoldMs: 50,
    });
    await client.close();
    client = new Client(proxy.url);
    await expect(post("{}")).rejects.toThrow();
    expect(upstream.received).toHaveLength(1);
  });

  it.each([429, 503] as const)("respond %i: answers itself with Retry-After", async (status) => {
    withSchedule([{ kind: "respond", status, retryAfterSeconds: 7 }]);
    const answer = await post("{}");
    expect(answer.status).toBe(status);
    expect(answer.headers["retry-after"]).toBe("7");
    expect(upstream.received).toHaveLength(0);
    expect(proxy.records()[0]).toMatchObject({ fault: `respond_${status}`, answered: true });
    // The connection stays usable.
    expect((await post("{}")).status).toBe(200);
  });

  it("delay: forwards after waiting", async () => {
    withSchedule([{ kind: "delay", ms: 20 }]);
    expect((await post("{}")).status).toBe(200);
    expect(upstream.received).toHaveLength(1);
    expect(proxy.records()[0]).toMatchObject({ fault: "delay", upstreamStatus: 200, answered: true });
  });

  it("answers 502 while the upstream is down, and recovers when re-pointed", async () => {
    await upstream.close();
    const answer = await post("{}");
    expect(answer.status).toBe(502);
    expect(proxy.records()[0]?.upstreamError).toBe("ECONNREFUSED");

    upstream = await startUpstream("b");
    proxy.setUpstream(upstream.url);
    const recovered = await post("{}");
    expect(recovered.status).toBe(200);
    expect(recovered.headers["x-upstream"]).toBe("b");
  });

  it("summarises repeats of an idempotency key that reached the upstream, and ambiguous exchanges", async () => {
    withSchedule([PASS_ACTION, { kind: "reset_after" }, PASS_ACTION]);
    await post("{}", { "idempotency-key": "same" });
    await expect(post("{}", { "idempotency-key": "other" })).rejects.toThrow();
    await post("{}", { "idempotency-key": "same" });
    const summary = summarizeExchanges(proxy.records());
    expect(summary).toMatchObject({
      requests: 3,
      accepted: 3,
      ambiguous: 1,
      repeatsReachingCollector: 1,
      duplicatesRefused: 1,
    });
    expect(proxy.records().map((r) => r.duplicate)).toEqual([false, false, true]);
    expect(summary.faults).toMatchObject({ pass: 2, reset_after: 1 });
    expect(proxy.counts()).toEqual(summary.faults);
  });
});

const PASS_ACTION: FaultAction = { kind: "pass" };

describe("schedules", () => {
  const request = (index: number, method = "POST"): ProxiedRequest => ({
    index,
    method,
    path: "/",
    idempotencyKey: null,
  });
  const options = {
    faultRate: 0.5,
    weights: {
      delay: 1,
      reset_before: 1,
      reset_after: 1,
      respond_429: 1,
      respond_503: 1,
      timeout_after: 1,
    },
    delayMs: 5,
    retryAfterSeconds: 1,
  };
  const labels = (seed: number, n: number, faultRate = options.faultRate) => {
    const schedule = seededSchedule({ ...options, seed, faultRate });
    return Array.from({ length: n }, (_, i) => faultLabel(schedule(request(i))));
  };

  it("a seeded schedule is a pure function of its seed", () => {
    expect(labels(7, 500)).toEqual(labels(7, 500));
    expect(labels(7, 500)).not.toEqual(labels(8, 500));
  });

  it("produces every weighted fault, and nothing when the rate is 0", () => {
    expect(new Set(labels(1, 1000))).toEqual(new Set(FAULT_LABELS));
    expect(new Set(labels(1, 1000, 0))).toEqual(new Set(["pass"]));
  });

  it("leaves requests that do not apply alone (GETs by default)", () => {
    const schedule = seededSchedule({ ...options, seed: 3, faultRate: 1 });
    expect(schedule(request(0, "GET"))).toEqual(PASS_ACTION);
    expect(schedule(request(1, "POST")).kind).not.toBe("pass");
  });

  it("a scripted schedule follows its script, then the fallback", () => {
    const schedule = scriptedSchedule([{ kind: "reset_before" }], { kind: "reset_after" });
    expect(schedule(request(0)).kind).toBe("reset_before");
    expect(schedule(request(1)).kind).toBe("reset_after");
  });
});
