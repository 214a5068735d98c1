// A small raw HTTP(S) server that speaks just enough of tRPC 11's HTTP format for `events.ingest`
// to play any answer the real collector (or a proxy in front of it) could give: success, tRPC error
// statuses with Retry-After, a non-tRPC 5xx page, a redirect, a hang, a connection reset. It records
// every request (headers and raw body) for the assertions.
import { once } from "node:events";
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { trpcTransformer } from "@synthorg/schema";

export type Reply =
  | { readonly kind: "ok" }
  | { readonly kind: "error"; readonly status: number; readonly retryAfter?: string }
  | { readonly kind: "html"; readonly status: number }
  | { readonly kind: "redirect"; readonly status: number; readonly location: string }
  | { readonly kind: "hang" }
  | { readonly kind: "reset" };

export const ok: Reply = { kind: "ok" };
export const hang: Reply = { kind: "hang" };
export const reset: Reply = { kind: "reset" };
export const fail = (status: number, retryAfter?: string): Reply => ({ kind: "error", status, retryAfter });

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Header names and values exactly as received. */
  readonly rawHeaders: readonly string[];
  readonly body: string;
  readonly idempotencyKey: string | undefined;
  readonly events: readonly Record<string, unknown>[];
}

/** tRPC's JSON-RPC error codes for the statuses we play (tRPC maps them back to these statuses). */
const TRPC_CODES: Record<number, [number, string]> = {
  400: [-32600, "BAD_REQUEST"],
  401: [-32001, "UNAUTHORIZED"],
  403: [-32003, "FORBIDDEN"],
  404: [-32004, "NOT_FOUND"],
  408: [-32008, "TIMEOUT"],
  413: [-32013, "PAYLOAD_TOO_LARGE"],
  422: [-32022, "UNPROCESSABLE_CONTENT"],
  429: [-32029, "TOO_MANY_REQUESTS"],
  500: [-32603, "INTERNAL_SERVER_ERROR"],
  503: [-32603, "SERVICE_UNAVAILABLE"],
};

export const COLLECTOR_BASE_PATH = "/api/meta/analytics";
export const INGEST_PATH = `${COLLECTOR_BASE_PATH}/trpc/events.ingest`;

export interface FakeCollectorOptions {
  /** PEM key and certificate: serve https instead of http. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export class FakeCollector {
  readonly requests: RecordedRequest[] = [];
  /** Requests answered with success that were not duplicates of an earlier key. */
  private readonly accepted: RecordedRequest[] = [];
  /** Replies used in order; when empty, `fallback` answers. */
  private readonly script: Reply[] = [];
  private fallback: Reply = ok;
  private readonly seenKeys = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private readonly server;

  private constructor(options: FakeCollectorOptions) {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    this.server = options.tls ? createHttpsServer(options.tls, handler) : createHttpServer(handler);
    this.server.on(options.tls ? "secureConnection" : "connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  static async start(options: FakeCollectorOptions = {}): Promise<FakeCollector> {
    const collector = new FakeCollector(options);
    collector.server.listen(0, "127.0.0.1");
    await once(collector.server, "listening");
    return collector;
  }

  get origin(): string {
    const { port } = this.server.address() as AddressInfo;
    return `${"cert" in this.server ? "https" : "http"}://127.0.0.1:${port}`;
  }

  /** What goes into collector_url. */
  get url(): string {
    return `${this.origin}${COLLECTOR_BASE_PATH}`;
  }

  /** Answer the next requests with these replies, in order. */
  reply(...replies: Reply[]): this {
    this.script.push(...replies);
    return this;
  }

  /** Answer every request not covered by reply() with this. */
  otherwise(reply: Reply): this {
    this.fallback = reply;
    return this;
  }

  /** Resolves once at least `count` requests have been received. */
  waitForRequests(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Every event received in a request the server answered with success, in order. */
  acceptedEvents(): Record<string, unknown>[] {
    return this.accepted.flatMap((request) => request.events);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
    await once(this.server, "close");
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    let events: Record<string, unknown>[] = [];
    try {
      const parsed = JSON.parse(body) as { events?: Record<string, unknown>[] };
      events = parsed.events ?? [];
    } catch {
      // Recorded as received; the assertions look at the raw body.
    }
    const idempotencyKey = req.headers["idempotency-key"] as string | undefined;
    const request: RecordedRequest = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body,
      idempotencyKey,
      events,
    };
    this.requests.push(request);
    const reply = this.script.shift() ?? this.fallback;
    this.answer(reply, request, res);
    for (const waiter of this.waiters.filter((w) => this.requests.length >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  private answer(reply: Reply, request: RecordedRequest, res: ServerResponse): void {
    switch (reply.kind) {
      case "ok": {
        const duplicate = request.idempotencyKey !== undefined && this.seenKeys.has(request.idempotencyKey);
        if (request.idempotencyKey !== undefined) this.seenKeys.add(request.idempotencyKey);
        if (!duplicate) this.accepted.push(request);
        const data = { ingested: request.events.length, duplicate };
        sendJson(res, 200, { result: { data: trpcTransformer.output.serialize(data) } });
        return;
      }
      case "error": {
        const [code, name] = TRPC_CODES[reply.status] ?? [-32603, "INTERNAL_SERVER_ERROR"];
        const shape = {
          message: `played ${reply.status}`,
          code,
          data: { code: name, httpStatus: reply.status, path: "events.ingest" },
        };
        const headers: Record<string, string> = {};
        if (reply.retryAfter !== undefined) headers["retry-after"] = reply.retryAfter;
        sendJson(res, reply.status, { error: trpcTransformer.output.serialize(shape) }, headers);
        return;
      }
      case "html":
        res.writeHead(reply.status, { "content-type": "text/html" });
        res.end("<html><body>Bad gateway</body></html>");
        return;
      case "redirect":
        res.writeHead(reply.status, { location: reply.location });
        res.end();
        return;
      case "hang":
        return;
      case "reset":
        res.socket?.resetAndDestroy();
        return;
    }
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
