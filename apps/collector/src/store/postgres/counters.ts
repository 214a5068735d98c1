// Events ever stored and deleted, in store_counters: one row per slot, each transaction updating
// the slot of its backend, so concurrent batches do not queue on one row lock. Totals are sums.

import type { Tx } from "./db.js";

/** Slots of store_counters (migration 0001 creates slots 0–15). */
const COUNTER_SLOTS = 16;

export interface Totals {
  readonly ingested: number;
  readonly evicted: number;
}

/**
 * Adds to this backend's slot; returns the events retained once this transaction commits (as far
 * as other transactions have committed). One statement: the update and the sum over the other slots.
 */
export async function bumpCounters(tx: Tx, ingested: number, evicted: number): Promise<number> {
  const { rows } = await tx.query<{ size: number }>({
    name: "bump_counters",
    text: `WITH bump AS (
             UPDATE store_counters SET ingested = ingested + $1, evicted = evicted + $2
             WHERE slot = pg_backend_pid() % ${COUNTER_SLOTS}
             RETURNING slot, ingested, evicted)
           SELECT (sum(ingested) - sum(evicted))::float8 AS size FROM (
             SELECT ingested, evicted FROM bump
             UNION ALL
             SELECT ingested, evicted FROM store_counters WHERE slot <> (SELECT slot FROM bump)) AS slots`,
    values: [ingested, evicted],
  });
  return rows[0]?.size ?? 0;
}

export async function readTotals(db: Pick<Tx, "query">): Promise<Totals> {
  const { rows } = await db.query<Totals>({
    name: "read_totals",
    text: "SELECT sum(ingested)::float8 AS ingested, sum(evicted)::float8 AS evicted FROM store_counters",
  });
  return rows[0] ?? { ingested: 0, evicted: 0 };
}
