// Deleting old events (max_events, retention_days) and expired batch keys, in bounded chunks, each
// chunk one transaction that also subtracts the deleted events from the aggregates.
//
// When it runs:
// - max_events: right after a batch commits that took the table past the cap, one chunk (enough to
//   undo one batch, so in steady state every ingest leaves the table at the cap), and in the
//   periodic pass for anything larger (a lowered cap: many chunks, never blocking a request).
// - retention_days and expired batch keys: in the periodic pass (at startup, then every
//   maintenance interval). Days are UTC days of arrival; an event is kept at least retention_days
//   full days and is gone within one more day plus one interval.
// Collectors sharing a database take turns via an advisory lock; the counts are read under it.
// Tables are written in the ingest's order (events, store_counters, then COUNTED_TABLES).
import type pg from "pg";
import { applyEvents } from "./aggregates.js";
import { bumpCounters, readTotals } from "./counters.js";
import { idempotentQuery, inTransaction } from "./db.js";
import { deleteOldest } from "./events.js";
import { ADVISORY_LOCK_CLASS, RETENTION_LOCK } from "./locks.js";
import type { CountedEvent } from "./rows.js";

/** Events deleted per retention transaction: short lock holds, bounded memory for the returned rows. */
export const DEFAULT_RETENTION_CHUNK = 10_000;
/** Batch keys deleted per statement when expired keys are purged. */
const KEY_PURGE_CHUNK = 10_000;

export interface RetentionPolicy {
  readonly maxEvents: number | undefined;
  readonly retentionDays: number | undefined;
  readonly chunk: number;
}

/** One retention transaction: returns how many events it deleted (0 = nothing left to do). */
async function trimChunk(pool: pg.Pool, policy: RetentionPolicy, withAge: boolean): Promise<number> {
  return inTransaction(pool, async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1, $2)", [ADVISORY_LOCK_CLASS, RETENTION_LOCK]);
    let deleted: CountedEvent[] = [];
    if (policy.maxEvents !== undefined) {
      const totals = await readTotals(tx);
      const excess = totals.ingested - totals.evicted - policy.maxEvents;
      if (excess > 0) deleted = await deleteOldest(tx, Math.min(excess, policy.chunk), null);
    }
    if (deleted.length === 0 && withAge && policy.retentionDays !== undefined) {
      deleted = await deleteOldest(tx, policy.chunk, policy.retentionDays);
    }
    if (deleted.length > 0) await bumpCounters(tx, 0, deleted.length);
    await applyEvents(tx, deleted, -1);
    return { value: deleted.length, commit: true };
  });
}

/** Right after an ingest that went past max_events: one chunk, age left to the periodic pass. */
export function trimAfterIngest(pool: pg.Pool, policy: RetentionPolicy): Promise<number> {
  return trimChunk(pool, policy, false);
}

/** The periodic pass: chunks until nothing is over the cap or too old, then expired batch keys. */
export async function runRetention(
  pool: pg.Pool,
  policy: RetentionPolicy,
  idempotencyTtlHours: number,
): Promise<{ events: number; keys: number }> {
  let events = 0;
  for (;;) {
    const deleted = await trimChunk(pool, policy, true);
    events += deleted;
    if (deleted === 0) break;
  }
  let keys = 0;
  for (;;) {
    const { rowCount } = await idempotentQuery(pool, {
      name: "purge_batch_keys",
      text: `DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
               SELECT ctid FROM idempotency_keys
               WHERE created_at < now() - make_interval(hours => $1) LIMIT $2))`,
      values: [idempotencyTtlHours, KEY_PURGE_CHUNK],
    });
    keys += rowCount ?? 0;
    if ((rowCount ?? 0) < KEY_PURGE_CHUNK) break;
  }
  return { events, keys };
}
