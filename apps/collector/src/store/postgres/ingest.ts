// One batch, one transaction: the idempotency key first, then the writer's deployment claims, then
// the events, the counters and the aggregates. Nothing is written unless all of it is.
import type { IngestOutcome, IngestRequest } from "../types.js";
import { applyEvents } from "./aggregates.js";
import { bumpCounters } from "./counters.js";
import type { Tx, TxResult } from "./db.js";
import { insertEvents } from "./events.js";
import { WRITER_LOCK_CLASS } from "./locks.js";
import { storableText, toEventRow, type EventRow } from "./rows.js";

export interface PreparedBatch {
  readonly writerId: string;
  readonly batchKey: string | null;
  readonly rows: readonly EventRow[];
  /** Distinct, sorted. */
  readonly deploymentIds: readonly string[];
}

/** The request as rows, before any connection is taken. */
export function prepareBatch(request: IngestRequest): PreparedBatch {
  const rows = request.events.map(toEventRow);
  return {
    writerId: request.writerId,
    batchKey: request.batchKey === null ? null : storableText(request.batchKey),
    rows,
    deploymentIds: [...new Set(rows.map((row) => row.deployment_id))].sort(),
  };
}

// A key row is claimed first in the batch's transaction. A concurrent batch with the same key waits
// on that row; if the first transaction commits, this returns no row (it is a duplicate), if it
// rolled back, the row is inserted here. A key older than the TTL is taken over as new.
const CLAIM_BATCH_KEY_SQL = `
INSERT INTO idempotency_keys AS k (writer_id, batch_key, ingested) VALUES ($1, $2, $3)
ON CONFLICT (writer_id, batch_key) DO UPDATE SET ingested = excluded.ingested, created_at = now()
  WHERE k.created_at < now() - make_interval(hours => $4)
RETURNING ingested`;

/**
 * Claims the batch's deployment ids for the writer, or returns false when that would take it past
 * `limit` distinct ids. Only a batch with unclaimed ids takes the writer's lock, so that claims by
 * concurrent transactions are counted; the common case (all claimed) reads one small index range.
 */
async function claimDeployments(
  tx: Tx,
  writerId: string,
  ids: readonly string[],
  limit: number,
): Promise<boolean> {
  const claimed = async (): Promise<Set<string>> => {
    const { rows } = await tx.query<{ deployment_id: string }>({
      name: "writer_claims",
      text: "SELECT deployment_id FROM deployment_claims WHERE writer_id = $1",
      values: [writerId],
    });
    return new Set(rows.map((row) => row.deployment_id));
  };
  if (ids.length === 0) return true;
  let owned = await claimed();
  if (ids.every((id) => owned.has(id))) return true;
  await tx.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [WRITER_LOCK_CLASS, writerId]);
  owned = await claimed();
  const fresh = ids.filter((id) => !owned.has(id));
  if (owned.size + fresh.length > limit) return false;
  if (fresh.length > 0) {
    await tx.query({
      name: "claim_deployments",
      text: "INSERT INTO deployment_claims (writer_id, deployment_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
      values: [writerId, fresh],
    });
  }
  return true;
}

/** The first answer's ingested count if this (writer, key) was stored before and has not expired. */
async function claimBatchKey(
  tx: Tx,
  batch: PreparedBatch,
  batchKey: string,
  ttlHours: number,
): Promise<number | null> {
  // Twice at most: a key seen as live by the claim can be purged, just expired, before it is read.
  for (let attempt = 1; ; attempt++) {
    const claim = await tx.query({
      name: "claim_batch_key",
      text: CLAIM_BATCH_KEY_SQL,
      values: [batch.writerId, batchKey, batch.rows.length, ttlHours],
    });
    if (claim.rowCount === 1) return null;
    const { rows } = await tx.query<{ ingested: number }>({
      name: "first_answer",
      text: "SELECT ingested FROM idempotency_keys WHERE writer_id = $1 AND batch_key = $2",
      values: [batch.writerId, batchKey],
    });
    const first = rows[0];
    if (first !== undefined || attempt === 2) return first?.ingested ?? null;
  }
}

export interface IngestResult {
  readonly outcome: IngestOutcome;
  /** Events retained once this commits (0 when nothing was stored): retention compares it with max_events. */
  readonly size: number;
}

const rollBack = (outcome: IngestOutcome): TxResult<IngestResult> => ({
  value: { outcome, size: 0 },
  commit: false,
});

export async function ingestBatch(
  tx: Tx,
  batch: PreparedBatch,
  limits: { readonly maxDeploymentsPerKey: number; readonly idempotencyTtlHours: number },
): Promise<TxResult<IngestResult>> {
  if (batch.batchKey !== null) {
    const first = await claimBatchKey(tx, batch, batch.batchKey, limits.idempotencyTtlHours);
    if (first !== null) return rollBack({ kind: "stored", ingested: first, duplicate: true });
  }
  if (!(await claimDeployments(tx, batch.writerId, batch.deploymentIds, limits.maxDeploymentsPerKey))) {
    return rollBack({ kind: "deployment_cap", limit: limits.maxDeploymentsPerKey });
  }
  const outcome: IngestOutcome = { kind: "stored", ingested: batch.rows.length, duplicate: false };
  if (batch.rows.length === 0) return { value: { outcome, size: 0 }, commit: true };
  // Table order (events, store_counters, then the aggregates with group_sums last) is retention's
  // too; the hottest rows, group_sums, are locked just before COMMIT.
  await insertEvents(tx, batch.rows);
  const size = await bumpCounters(tx, batch.rows.length, 0);
  await applyEvents(tx, batch.rows, 1);
  return { value: { outcome, size }, commit: true };
}
