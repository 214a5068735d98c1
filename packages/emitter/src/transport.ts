// The typed tRPC client to the collector's `events.ingest`, behind a fetch that enforces our
// transport rules: trust ca_file in addition to the system CAs, never follow a redirect (that would
// resend the bearer key to wherever the Location points), and make every response's status and
// Retry-After visible to the retry policy (tRPC loses both when a body is not tRPC JSON).
import { X509Certificate } from "node:crypto";
import { rootCertificates } from "node:tls";
import type { AppRouter } from "@synthorg/collector";
import {
  IDEMPOTENCY_KEY_HEADER,
  TRPC_ENDPOINT,
  trpcTransformer,
  type AnonymizedEvent,
} from "@synthorg/schema";
import { TRPCClientError, createTRPCClient, httpLink } from "@trpc/client";
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from "undici";

/** Longest server error message kept for a log line. */
const MAX_ERROR_MESSAGE_LENGTH = 300;
/** How deep to look through `cause` links for a Node/undici error code. */
const MAX_CAUSE_DEPTH = 5;

/** What happened to one ingest request. */
export type Delivery =
  | {
      readonly kind: "accepted";
      readonly status: number;
      readonly ingested: number;
      readonly duplicate: boolean;
    }
  | {
      readonly kind: "http_error";
      readonly status: number;
      readonly retryAfter: string | null;
      readonly message: string;
    }
  | { readonly kind: "timeout" }
  | { readonly kind: "network_error"; readonly code: string }
  | { readonly kind: "aborted" };

export interface TransportOptions {
  /** The collector base URL, e.g. `https://host/api/meta/analytics`. */
  readonly collectorUrl: string;
  /** The bearer write key; without one the request goes out unauthenticated (and gets a 401). */
  readonly apiKey: string | undefined;
  /** An extra CA (PEM) trusted in addition to the system CAs. */
  readonly caPem?: string;
  readonly timeoutMs: number;
}

export interface IngestTransport {
  /**
   * Sends one batch. Never rejects: every failure is a Delivery. `signal` cancels the request
   * (close() uses it at its deadline); the per-request timeout is applied here.
   */
  send(events: readonly AnonymizedEvent[], idempotencyKey: string, signal: AbortSignal): Promise<Delivery>;
  /** Closes the connection pool, cancelling whatever is still running. */
  close(): Promise<void>;
}

interface ObservedResponse {
  status: number;
  retryAfter: string | null;
}

/** Throws when `pem` holds no parsable certificate, so a bad ca_file fails at startup. */
export function assertCertificatePem(pem: string): void {
  new X509Certificate(pem);
}

export function trpcUrl(collectorUrl: string): string {
  return collectorUrl.replace(/\/+$/, "") + TRPC_ENDPOINT;
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== "object") return undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = current.cause;
  }
  return error instanceof Error ? error.name : "unknown";
}

function serverMessage(error: unknown): string {
  // A tRPC error body carries the collector's message; anything else (an HTML error page from a
  // proxy, an empty 3xx) is only "not tRPC": its text could be anything and is not logged.
  if (error instanceof TRPCClientError && error.shape !== undefined) {
    return error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH);
  }
  return "response is not a tRPC answer";
}

export function createIngestTransport(options: TransportOptions): IngestTransport {
  const agent = new Agent(
    options.caPem === undefined ? {} : { connect: { ca: [...rootCertificates, options.caPem] } },
  );
  // Keyed by idempotency key: the one value both the operation (headers) and fetch can see.
  const observed = new Map<string, ObservedResponse>();

  const fetchWithPolicy = async (url: string | URL | Request, init?: RequestInit) => {
    const response = await undiciFetch(url as string, {
      ...(init as UndiciRequestInit),
      redirect: "manual",
      dispatcher: agent,
    });
    const key = headerOf(init?.headers, IDEMPOTENCY_KEY_HEADER);
    if (key !== undefined) {
      observed.set(key, { status: response.status, retryAfter: response.headers.get("retry-after") });
    }
    return response;
  };

  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: trpcUrl(options.collectorUrl),
        transformer: trpcTransformer,
        fetch: fetchWithPolicy,
        headers: ({ op }) => {
          const headers: Record<string, string> = {};
          const key = op.context.idempotencyKey;
          if (typeof key === "string") headers[IDEMPOTENCY_KEY_HEADER] = key;
          if (options.apiKey !== undefined) headers.Authorization = `Bearer ${options.apiKey}`;
          return headers;
        },
      }),
    ],
  });

  return {
    async send(events, idempotencyKey, signal) {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      try {
        const result = await client.events.ingest.mutate(
          { events: events as AnonymizedEvent[] },
          { signal: AbortSignal.any([signal, timeout]), context: { idempotencyKey } },
        );
        const status = observed.get(idempotencyKey)?.status ?? 200;
        return { kind: "accepted", status, ingested: result.ingested, duplicate: result.duplicate };
      } catch (error) {
        if (signal.aborted) return { kind: "aborted" };
        if (timeout.aborted) return { kind: "timeout" };
        const response = observed.get(idempotencyKey);
        if (response !== undefined) {
          return { kind: "http_error", ...response, message: serverMessage(error) };
        }
        return { kind: "network_error", code: errorCode(error) };
      } finally {
        observed.delete(idempotencyKey);
      }
    },
    async close() {
      await agent.destroy();
    },
  };
}
