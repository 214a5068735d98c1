// A fault-injecting HTTP proxy for loopback tests: it sits between emitters and the collector and,
// per request, passes it through or breaks it in one of the ways real networks and load balancers do.
// The faults that matter most are the ambiguous ones — the collector stored the batch but the client
// never learns it (reset after the answer, or an answer held past the client's timeout) — because a
// retry after them is exactly where naive pipelines duplicate events.
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createRandom } from "../src/random.js";

export type FaultAction =
  /** Forward the request and relay the collector's answer unchanged. */
  | { readonly kind: "pass" }
  /** Wait, then forward as `pass` (still forwarded if the client gave up meanwhile, as a real proxy does). */
  | { readonly kind: "delay"; readonly ms: number }
  /** Reset the TCP connection as soon as the request arrives: the collector never sees it. */
  | { readonly kind: "reset_before" }
  /** Forward, wait for the collector's full answer, then reset: stored, but the client sees a reset. */
  | { readonly kind: "reset_after" }
  /** Answer 429 or 503 with `Retry-After` without forwarding, as an overloaded load balancer does. */
  | { readonly kind: "respond"; readonly status: 429 | 503; readonly retryAfterSeconds: number }
  /** Forward, wait for the collector's full answer, then hold it until the client times out and leaves. */
  | { readonly kind: "timeout_after" };

export type FaultKind = FaultAction["kind"];
/** A fault's name in counts and records: the kind, with the status for `respond` (`respond_503`). */
export type FaultLabel = Exclude<FaultKind, "respond"> | "respond_429" | "respond_503";
export const FAULT_LABELS: readonly FaultLabel[] = [
  "pass",
  "delay",
  "reset_before",
  "reset_after",
  "respond_429",
  "respond_503",
  "timeout_after",
];

export const PASS: FaultAction = Object.freeze({ kind: "pass" });

export interface ProxiedRequest {
  /** 0-based, in order of arrival at the proxy. */
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey: string | null;
}

/** Decides the fate of each request; called once per request, in arrival order. */
export type FaultSchedule = (request: ProxiedRequest) => FaultAction;

export interface ExchangeRecord extends ProxiedRequest {
  readonly fault: FaultLabel;
  /** The collector's status, or null when the request was not forwarded or the collector did not answer. */
  upstreamStatus: number | null;
  /** Why the collector did not answer (connection refused, reset mid-request), if it did not. */
  upstreamError: string | null;
  /** True once the client received a complete answer (the collector's or the proxy's own). */
  answered: boolean;
  /** For a 2xx ingest answer: whether the collector said it had already stored this batch. */
  duplicate: boolean | null;
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`: point emitters here instead of at the collector. */
  readonly url: string;
  readonly port: number;
  /** Send subsequent requests to another collector (a restarted one on a new port). */
  setUpstream(url: string): void;
  setSchedule(schedule: FaultSchedule): void;
  /** Every request so far, in arrival order; records fill in as exchanges complete. */
  records(): readonly ExchangeRecord[];
  counts(): Record<FaultLabel, number>;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /** The collector's origin, e.g. `http://127.0.0.1:4100`; paths are forwarded unchanged. */
  readonly upstream: string;
  readonly schedule?: FaultSchedule;
  readonly host?: string;
  readonly port?: number;
  /** How long `timeout_after` holds an answer when the client never leaves; then it resets. */
  readonly maxHoldMs?: number;
  /** Request headers not forwarded (lower case): a control run drops Idempotency-Key. */
  readonly dropRequestHeaders?: readonly string[];
}

export const DEFAULT_PROXY_HOST = "127.0.0.1";
/** Longer than any client timeout the tests use (the config allows at most 60 s). */
export const DEFAULT_MAX_HOLD_MS = 90_000;

// RFC 9110 §7.6.1: connection-scoped headers a proxy must not forward.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

function endToEndHeaders(headers: IncomingHttpHeaders, dropped?: ReadonlySet<string>): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name) && dropped?.has(name) !== true && value !== undefined) out[name] = value;
  }
  return out;
}

export function faultLabel(action: FaultAction): FaultLabel {
  return action.kind === "respond" ? `respond_${action.status}` : action.kind;
}

/** `"duplicate": true` in an ingest answer, REST (`{ingested, duplicate}`) or tRPC (the same, wrapped). */
const DUPLICATE_ANSWER = /"duplicate"\s*:\s*true/;

const isSuccess = (status: number | null): boolean => status !== null && status >= 200 && status < 300;

/** A TCP RST, not a polite FIN: what a crashed peer or a dropped NAT entry looks like to the client. */
function reset(socket: Socket): void {
  if (!socket.destroyed) socket.resetAndDestroy();
}

interface UpstreamAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let upstream = new URL(options.upstream);
  let schedule: FaultSchedule = options.schedule ?? (() => PASS);
  const maxHoldMs = options.maxHoldMs ?? DEFAULT_MAX_HOLD_MS;
  const dropped = new Set(options.dropRequestHeaders?.map((name) => name.toLowerCase()));
  const agent = new Agent({ keepAlive: true });
  const records: ExchangeRecord[] = [];
  const held = new Set<NodeJS.Timeout>();

  const forward = (
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
  ): Promise<UpstreamAnswer> =>
    new Promise((resolve, reject) => {
      const target = upstream;
      const outgoing = httpRequest(
        {
          agent,
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          method,
          path,
          headers: { ...endToEndHeaders(headers, dropped), host: target.host, "content-length": body.length },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 502,
              headers: response.headers,
              body: Buffer.concat(chunks),
            }),
          );
          response.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });

  const server = createServer((req, res) => {
    const socket = req.socket;
    const idempotencyKey = req.headers["idempotency-key"];
    const request: ProxiedRequest = {
      index: records.length,
      method: req.method ?? "GET",
      path: req.url ?? "/",
      idempotencyKey: typeof idempotencyKey === "string" ? idempotencyKey : null,
    };
    const action = schedule(request);
    const record: ExchangeRecord = {
      ...request,
      fault: faultLabel(action),
      upstreamStatus: null,
      upstreamError: null,
      answered: false,
      duplicate: null,
    };
    records.push(record);
    res.on("finish", () => {
      record.answered = true;
    });

    if (action.kind === "reset_before") {
      reset(socket);
      return;
    }

    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("error", () => reset(socket));
    req.on("end", () => {
      void (async () => {
        if (action.kind === "respond") {
          res.writeHead(action.status, {
            "retry-after": String(action.retryAfterSeconds),
            "content-type": "text/plain; charset=utf-8",
          });
          res.end(`${action.status} injected by the fault proxy\n`);
          return;
        }
        if (action.kind === "delay") await new Promise((resolve) => setTimeout(resolve, action.ms));

        let answer: UpstreamAnswer;
        try {
          answer = await forward(request.method, request.path, req.headers, Buffer.concat(chunks));
        } catch (error) {
          record.upstreamError = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
          // What a real reverse proxy answers when its upstream is gone; emitters retry 5xx.
          if (!res.destroyed) {
            res.writeHead(502, { "content-type": "text/plain; charset=utf-8" });
            res.end("502 collector unreachable\n");
          }
          return;
        }
        record.upstreamStatus = answer.status;
        if (isSuccess(answer.status)) record.duplicate = DUPLICATE_ANSWER.test(answer.body.toString("utf8"));

        if (action.kind === "reset_after") {
          reset(socket);
          return;
        }
        if (action.kind === "timeout_after") {
          // Never answer: the client's own timeout ends the exchange (it closes the socket).
          const timer = setTimeout(() => {
            held.delete(timer);
            reset(socket);
          }, maxHoldMs);
          held.add(timer);
          socket.once("close", () => {
            clearTimeout(timer);
            held.delete(timer);
          });
          return;
        }
        if (res.destroyed) return;
        res.writeHead(answer.status, endToEndHeaders(answer.headers));
        res.end(answer.body);
      })();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? DEFAULT_PROXY_HOST, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;

  return {
    url: `http://${address}:${port}`,
    port,
    setUpstream(url) {
      upstream = new URL(url);
    },
    setSchedule(next) {
      schedule = next;
    },
    records: () => records,
    counts() {
      const counts = Object.fromEntries(FAULT_LABELS.map((label) => [label, 0])) as Record<
        FaultLabel,
        number
      >;
      for (const record of records) counts[record.fault] += 1;
      return counts;
    },
    async close() {
      for (const timer of held) clearTimeout(timer);
      held.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

/** Faults by relative weight; a weight left out is 0. */
export type FaultWeights = Partial<Record<Exclude<FaultLabel, "pass">, number>>;

export interface SeededScheduleOptions {
  readonly seed: number;
  /** Probability that a request is faulted rather than passed through. */
  readonly faultRate: number;
  readonly weights: FaultWeights;
  /** For `delay` faults. */
  readonly delayMs: number;
  /** For `respond_429` / `respond_503` faults. */
  readonly retryAfterSeconds: number;
  /** Only requests this returns true for are faulted (default: every POST, so health checks pass). */
  readonly applies?: (request: ProxiedRequest) => boolean;
}

function actionFor(label: FaultLabel, options: SeededScheduleOptions): FaultAction {
  switch (label) {
    case "pass":
      return PASS;
    case "delay":
      return { kind: "delay", ms: options.delayMs };
    case "respond_429":
      return { kind: "respond", status: 429, retryAfterSeconds: options.retryAfterSeconds };
    case "respond_503":
      return { kind: "respond", status: 503, retryAfterSeconds: options.retryAfterSeconds };
    default:
      return { kind: label };
  }
}

/** A pseudo-random schedule that is a pure function of its seed and the order requests arrive in. */
export function seededSchedule(options: SeededScheduleOptions): FaultSchedule {
  const random = createRandom(options.seed);
  const weighted = Object.entries(options.weights)
    .filter(([, weight]) => weight > 0)
    .map(([label, weight]) => [label as FaultLabel, weight] as const);
  if (weighted.length === 0 && options.faultRate > 0)
    throw new RangeError("faultRate > 0 needs a weight > 0");
  const applies = options.applies ?? ((request) => request.method === "POST");
  return (request) => {
    if (!applies(request) || !random.chance(options.faultRate)) return PASS;
    return actionFor(random.weighted(weighted), options);
  };
}

/** The i-th request gets `actions[i]`; later ones get `otherwise`. */
export function scriptedSchedule(
  actions: readonly FaultAction[],
  otherwise: FaultAction = PASS,
): FaultSchedule {
  return (request) => actions[request.index] ?? otherwise;
}

export interface ExchangeSummary {
  readonly requests: number;
  readonly faults: Record<FaultLabel, number>;
  /** Requests the collector answered 2xx. */
  readonly accepted: number;
  /**
   * 2xx answers for an idempotency key the collector had already answered 2xx: each is a retry
   * that reached the collector after it had stored the batch, i.e. a duplicate it had to refuse.
   */
  readonly repeatsReachingCollector: number;
  /** Stored by the collector, but the client never saw the answer (reset_after, timeout_after). */
  readonly ambiguous: number;
  /** 2xx answers in which the collector said `duplicate: true` (it stored nothing). */
  readonly duplicatesRefused: number;
  readonly upstreamErrors: number;
}

export function summarizeExchanges(records: readonly ExchangeRecord[]): ExchangeSummary {
  const faults = Object.fromEntries(FAULT_LABELS.map((label) => [label, 0])) as Record<FaultLabel, number>;
  const acceptedPerKey = new Map<string, number>();
  let accepted = 0;
  let ambiguous = 0;
  let upstreamErrors = 0;
  let duplicatesRefused = 0;
  for (const record of records) {
    faults[record.fault] += 1;
    if (record.duplicate === true) duplicatesRefused += 1;
    if (record.upstreamError !== null) upstreamErrors += 1;
    if (!isSuccess(record.upstreamStatus)) continue;
    accepted += 1;
    if (!record.answered) ambiguous += 1;
    if (record.idempotencyKey !== null) {
      acceptedPerKey.set(record.idempotencyKey, (acceptedPerKey.get(record.idempotencyKey) ?? 0) + 1);
    }
  }
  let repeatsReachingCollector = 0;
  for (const count of acceptedPerKey.values()) repeatsReachingCollector += count - 1;
  return {
    requests: records.length,
    faults,
    accepted,
    ambiguous,
    duplicatesRefused,
    repeatsReachingCollector,
    upstreamErrors,
  };
}
