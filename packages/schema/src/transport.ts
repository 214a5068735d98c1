// How tRPC encodes procedure data, shared by the collector and every typed client.
// Inputs travel as plain JSON: the ingest body is already plain JSON, and walking 1000 events with
// superjson on both ends cost about 30 % of ingest throughput. Outputs use superjson, so query
// results with Dates and the like round-trip as themselves.
import superjson from "superjson";

const plainJson = {
  serialize: (value: unknown): unknown => value,
  deserialize: (value: unknown): unknown => value,
};

export const trpcTransformer = { input: plainJson, output: superjson } as const;

/** Where a collector serves the analytics API; a deployment's `collector_url` ends with it. */
export const ANALYTICS_BASE_PATH = "/api/meta/analytics";
/** The tRPC endpoint, relative to `collector_url`. */
export const TRPC_ENDPOINT = "/trpc";
/** One key per batch, the same on every retry of it: the collector stores a batch once per key. */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
