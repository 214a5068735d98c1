// One error model, two transports. Procedures throw TRPCErrors whose cause may carry ErrorDetails
// (validation issues, Retry-After, the WWW-Authenticate challenge); describeError turns any of them
// into the status, body fields and headers that both the REST adapter and tRPC's responseMeta use.
import { issuesFromZod, type ValidationIssue } from "@synthorg/schema";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";

export type ErrorCode = TRPC_ERROR_CODE_KEY;

/** The realm named in every 401 challenge. */
export const AUTH_REALM = "synthorg-analytics";
/** How deep describeError follows `cause` links (tRPC wraps input-parser errors once). */
const MAX_CAUSE_DEPTH = 5;
/** What a client sees instead of an internal error's own message. */
export const INTERNAL_ERROR_MESSAGE = "internal error";

export interface ErrorFacts {
  readonly issues?: readonly ValidationIssue[];
  readonly retryAfterSeconds?: number;
  /** RFC 6750 error code in the challenge: `invalid_token` for a key we do not know. */
  readonly bearerError?: "invalid_token";
  /** A finer metrics label than the code gives (a 403 from the deployment cap, say). */
  readonly reason?: string;
}

/** Rides as a TRPCError's cause so the facts survive tRPC's own wrapping. */
export class ErrorDetails extends Error {
  override readonly name = "ErrorDetails";
  constructor(
    message: string,
    readonly facts: ErrorFacts,
  ) {
    super(message);
  }
}

export function collectorError(code: ErrorCode, message: string, facts: ErrorFacts = {}): TRPCError {
  return new TRPCError({ code, message, cause: new ErrorDetails(message, facts) });
}

export interface DescribedError {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly issues: readonly ValidationIssue[];
  readonly headers: Readonly<Record<string, string>>;
  readonly reason: string | undefined;
}

/** The REST error body: `{"error": {"code", "message", "issues": [{"path", "message"}]}}`. */
export interface RestErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly issues: readonly ValidationIssue[];
  };
}

function findFacts(error: TRPCError): { facts: ErrorFacts; zod: ZodError | null } {
  let cause: unknown = error.cause;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && cause instanceof Error; depth++) {
    if (cause instanceof ErrorDetails) return { facts: cause.facts, zod: null };
    if (cause instanceof ZodError) return { facts: {}, zod: cause };
    cause = cause.cause;
  }
  return { facts: {}, zod: null };
}

export function describeError(error: TRPCError): DescribedError {
  const status = getHTTPStatusCodeFromError(error);
  const { facts, zod } = findFacts(error);
  const headers: Record<string, string> = {};
  if (error.code === "UNAUTHORIZED") {
    headers["WWW-Authenticate"] =
      facts.bearerError === undefined
        ? `Bearer realm="${AUTH_REALM}"`
        : `Bearer realm="${AUTH_REALM}", error="${facts.bearerError}"`;
  }
  if (facts.retryAfterSeconds !== undefined) headers["Retry-After"] = String(facts.retryAfterSeconds);
  let message = error.message;
  if (status >= 500 && error.code !== "SERVICE_UNAVAILABLE") message = INTERNAL_ERROR_MESSAGE;
  else if (zod !== null) message = "invalid input";
  return {
    status,
    code: error.code,
    message,
    issues: zod === null ? (facts.issues ?? []) : issuesFromZod(zod),
    headers,
    reason: facts.reason,
  };
}

export function restErrorBody(described: DescribedError): RestErrorBody {
  return { error: { code: described.code, message: described.message, issues: described.issues } };
}

/** Anything thrown → TRPCError (tRPC's own rule: non-TRPCErrors are internal errors). */
export function asTRPCError(cause: unknown): TRPCError {
  if (cause instanceof TRPCError) return cause;
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause });
}
