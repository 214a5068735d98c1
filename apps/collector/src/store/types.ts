// The one interface every store implements (memory, postgres). The store owns what must be atomic
// with storing a batch: the idempotency key and the per-writer deployment cap. Patterns are built
// from GroupAggregate rows by one shared pure function (patterns.ts), so every store answers alike.
import type { AnonymizedEvent, Altitude } from "@synthorg/schema";

export interface IngestRequest {
  /** Valid wire events, source_rule already masked to built-in | "custom" | null. */
  readonly events: readonly AnonymizedEvent[];
  /** The API key id of the writer: idempotency keys and the deployment cap are scoped to it. */
  readonly writerId: string;
  /** The batch's Idempotency-Key, or null when the sender gave none. */
  readonly batchKey: string | null;
}

export type IngestOutcome =
  /** Stored now (`duplicate: false`), or seen before under the same (writerId, batchKey): nothing stored. */
  | { readonly kind: "stored"; readonly ingested: number; readonly duplicate: boolean }
  /** The batch would take the writer past max_deployments_per_key distinct deployment ids: nothing stored. */
  | { readonly kind: "deployment_cap"; readonly limit: number };

/** Exact per-(source_rule, altitude) sums over the retained events. */
export interface GroupAggregate {
  readonly source_rule: string;
  readonly altitude: Altitude;
  readonly total_events: number;
  readonly decision_count: number;
  readonly approved_count: number;
  /** Sum and count of non-null decision confidences. */
  readonly confidence_sum: number;
  readonly confidence_count: number;
  readonly rollout_count: number;
  readonly success_count: number;
  /** Sum and count of non-null rollout observation hours. */
  readonly observation_hours_sum: number;
  readonly observation_hours_count: number;
  /** Distinct deployment ids among the group's retained events. */
  readonly deployment_count: number;
  /** Per industry tag (null tags left out): retained events and distinct deployments. */
  readonly industries: readonly {
    readonly tag: string;
    readonly events: number;
    readonly deployments: number;
  }[];
}

export interface StoreStats {
  /** Events retained now. */
  readonly size: number;
  /** Capacity (max_events), or null when unbounded. */
  readonly capacity: number | null;
  /** Events ever stored / evicted since this store (or database) began. */
  readonly ingested_total: number;
  readonly evicted_total: number;
  readonly deployments: number;
}

export interface AnalyticsStore {
  readonly kind: "memory" | "postgres";
  /** Atomic: the whole batch and its key are stored, or nothing is. */
  ingest(request: IngestRequest): Promise<IngestOutcome>;
  /** One row per (source_rule, altitude) with a non-null source_rule; O(groups), never a scan of events. */
  groupAggregates(): Promise<GroupAggregate[]>;
  stats(): Promise<StoreStats>;
  /** False while the backing service is unreachable (→ 503 on /readyz and on ingest). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** The backing service is unreachable; the request may be retried (HTTP 503 + Retry-After). */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
