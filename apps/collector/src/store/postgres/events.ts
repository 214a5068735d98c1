// Writing and deleting rows of the events table. Batches are written with one multi-row INSERT
// over unnest(array per column): measured against COPY in test/postgres-write-bench.ts (see
// POSTGRES.md), it is as fast or faster for batches of up to 1000 events, needs no extra dependency,
// and stays a plain prepared statement inside the batch's transaction.
import type { Tx } from "./db.js";
import { EVENT_COLUMNS, type CountedEvent, type EventRow } from "./rows.js";

const INSERT_EVENTS_SQL = [
  `INSERT INTO events (${EVENT_COLUMNS.map(([name]) => name).join(", ")})`,
  `SELECT * FROM unnest(${EVENT_COLUMNS.map(([, type], index) => `$${index + 1}::${type}[]`).join(", ")})`,
].join("\n");

export async function insertEvents(tx: Tx, rows: readonly EventRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query({
    name: "insert_events",
    text: INSERT_EVENTS_SQL,
    values: EVENT_COLUMNS.map(([name]) => rows.map((row) => row[name])),
  });
}

const COUNTED_COLUMNS = [
  "deployment_id",
  "event_type",
  "altitude",
  "source_rule",
  "decision",
  "confidence::float8 AS confidence",
  "rollout_outcome",
  "observation_hours::float8 AS observation_hours",
  "industry_tag",
].join(", ");

/**
 * Delete up to `limit` of the oldest events (lowest ids: arrival order); when `olderThanDays` is
 * given, only those that arrived more than that many whole UTC days ago. The inner LIMIT bounds
 * the work whatever the condition matches. Returns what the aggregates counted of the deleted rows.
 */
export async function deleteOldest(
  tx: Tx,
  limit: number,
  olderThanDays: number | null,
): Promise<CountedEvent[]> {
  const { rows } = await tx.query<CountedEvent>({
    name: "delete_oldest_events",
    text: `DELETE FROM events
           WHERE id IN (SELECT id FROM events ORDER BY id LIMIT $1)
             AND ($2::int IS NULL OR received_day < (now() AT TIME ZONE 'UTC')::date - $2::int)
           RETURNING ${COUNTED_COLUMNS}`,
    values: [limit, olderThanDays],
  });
  return rows;
}
