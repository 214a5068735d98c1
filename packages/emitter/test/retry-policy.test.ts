import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_AFTER_CAP_MS,
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_RETRY_CAP_MS,
  backoffDelayMs,
  parseRetryAfterMs,
} from "../src/index.js";
import { classifyDelivery } from "../src/retry-policy.js";
import type { Delivery } from "../src/transport.js";

const defaults = { baseMs: DEFAULT_RETRY_BASE_MS, capMs: DEFAULT_RETRY_CAP_MS };

describe("backoffDelayMs", () => {
  it("doubles from 1 s up to 30 s, jittered within the upper half", () => {
    const low = [1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelayMs(n, { ...defaults, random: () => 0 }));
    const high = [1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelayMs(n, { ...defaults, random: () => 1 }));
    expect(low).toEqual([500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
    expect(high).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("stays finite for absurd failure counts", () => {
    expect(backoffDelayMs(10_000, { ...defaults, random: () => 0.5 })).toBe(22_500);
  });
});

describe("parseRetryAfterMs", () => {
  const now = Date.parse("2026-05-01T12:00:00Z");
  it.each([
    [null, undefined],
    ["7", 7_000],
    [" 0 ", 0],
    ["Fri, 01 May 2026 12:00:30 GMT", 30_000],
    ["Fri, 01 May 2026 11:00:00 GMT", 0],
    ["86400", DEFAULT_RETRY_AFTER_CAP_MS],
    ["soon", undefined],
    ["-5", undefined],
  ])("%j → %j", (header, expected) => {
    expect(parseRetryAfterMs(header, now, DEFAULT_RETRY_AFTER_CAP_MS)).toBe(expected);
  });
});

describe("classifyDelivery", () => {
  const http = (status: number, retryAfter: string | null = null): Delivery => ({
    kind: "http_error",
    status,
    retryAfter,
    message: "m",
  });
  const kind = (delivery: Delivery) => classifyDelivery(delivery, 0, DEFAULT_RETRY_AFTER_CAP_MS).kind;

  it.each([
    [{ kind: "accepted", status: 200, ingested: 1, duplicate: false } as const, "sent"],
    [http(200), "retry"],
    [http(301), "retry"],
    [http(302), "retry"],
    [http(307), "retry"],
    [http(408), "retry"],
    [http(429), "retry"],
    [http(500), "retry"],
    [http(502), "retry"],
    [http(503), "retry"],
    [http(400), "rejected"],
    [http(413), "rejected"],
    [http(422), "rejected"],
    [http(401), "misconfigured"],
    [http(403), "misconfigured"],
    [http(404), "misconfigured"],
    [{ kind: "timeout" } as const, "retry"],
    [{ kind: "network_error", code: "ECONNRESET" } as const, "retry"],
    [{ kind: "network_error", code: "UND_ERR_SOCKET" } as const, "retry"],
    [{ kind: "network_error", code: "DEPTH_ZERO_SELF_SIGNED_CERT" } as const, "misconfigured"],
    [{ kind: "network_error", code: "ERR_TLS_CERT_ALTNAME_INVALID" } as const, "misconfigured"],
    [{ kind: "aborted" } as const, "aborted"],
  ])("%j → %s", (delivery, expected) => {
    expect(kind(delivery)).toBe(expected);
  });

  it("carries Retry-After into the retry verdict", () => {
    expect(classifyDelivery(http(429, "3"), 0, DEFAULT_RETRY_AFTER_CAP_MS)).toEqual({
      kind: "retry",
      retryAfterMs: 3_000,
    });
  });
});
