// Keeping the aggregate tables equal to what the events table holds, inside the caller's
// transaction: ingest adds a batch's deltas (sign 1), retention subtracts the deleted rows' deltas
// (sign -1). A refcount row that appears (or reaches 0) moves its parent's distinct count by one.
import type pg from "pg";
import type { GroupAggregate } from "../types.js";
import { altitudeOf } from "./codes.js";
import { idempotentQuery, type Tx } from "./db.js";
import { exactDecimalSum, negateDecimal } from "./decimal.js";
import { Tally, batchDeltas, keyId, type Key, type KeyCount } from "./deltas.js";
import type { CountedEvent } from "./rows.js";
import {
  DEPLOYMENTS,
  GROUP_DEPLOYMENTS,
  GROUP_SUMS,
  GROUP_TAGS,
  GROUP_TAG_DEPLOYMENTS,
  deleteEmptySql,
  upsertSql,
  type CountedTable,
} from "./tables.js";

export type Sign = 1 | -1;

interface DeltaRow {
  readonly key: Key;
  /** Signed deltas by count column name (numeric columns as decimal text). */
  readonly counts: Readonly<Record<string, number | string>>;
}

/** Row tuples → one array per column: unnest's parameters. */
const byColumn = (tuples: readonly (readonly unknown[])[], width: number): unknown[][] =>
  Array.from({ length: width }, (_, index) => tuples.map((tuple) => tuple[index]));

function countOf(table: CountedTable, row: DeltaRow, name: string): number | string {
  const value = row.counts[name];
  if (value === undefined) throw new Error(`no delta for ${table.name}.${name}`);
  return value;
}

/** One upsert for all of `rows` (sorted by key); returns each key's new size. Deletes rows now empty. */
async function applyToTable(
  tx: Tx,
  table: CountedTable,
  rows: readonly DeltaRow[],
): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (rows.length === 0) return sizes;
  const { rows: results } = await tx.query<Record<string, string | number>>({
    name: `upsert_${table.name}`,
    text: upsertSql(table),
    values: [
      ...byColumn(
        rows.map((row) => row.key),
        table.keys.length,
      ),
      ...byColumn(
        rows.map((row) => table.counts.map(([name]) => countOf(table, row, name))),
        table.counts.length,
      ),
    ],
  });
  const emptied: Key[] = [];
  for (const result of results) {
    const key = table.keys.map(([name]) => result[name] as string | number);
    const size = Number(result.size);
    sizes.set(keyId(key), size);
    if (size === 0) emptied.push(key);
  }
  if (emptied.length > 0) {
    await tx.query({
      name: `delete_empty_${table.name}`,
      text: deleteEmptySql(table),
      values: byColumn(emptied, table.keys.length),
    });
  }
  return sizes;
}

const signedEvents = (entries: readonly KeyCount[], sign: Sign): DeltaRow[] =>
  entries.map(({ key, count }) => ({ key, counts: { events: sign * count } }));

/**
 * Applies per-deployment refcounts to `table` and returns the rows that appeared (+1) or reached
 * zero (-1), per parent key (the refcount key without its last element, the deployment id).
 */
async function applyRefcounts(
  tx: Tx,
  table: CountedTable,
  entries: readonly KeyCount[],
  sign: Sign,
): Promise<Tally> {
  const sizes = await applyToTable(tx, table, signedEvents(entries, sign));
  const changes = new Tally();
  for (const { key, count } of entries) {
    const size = sizes.get(keyId(key));
    // New rows start at the batch's own count; rows never sit at 0 between transactions.
    if (sign > 0 && size === count) changes.add(key.slice(0, -1), 1);
    if (sign < 0 && size === 0) changes.add(key.slice(0, -1), -1);
  }
  return changes;
}

/** Add (sign 1) or subtract (sign -1) `events` to every aggregate table, in COUNTED_TABLES order. */
export async function applyEvents(tx: Tx, events: readonly CountedEvent[], sign: Sign): Promise<void> {
  if (events.length === 0) return;
  const deltas = batchDeltas(events);
  await applyToTable(tx, DEPLOYMENTS, signedEvents(deltas.deployments.entries(), sign));

  const groupDeploymentChanges = await applyRefcounts(
    tx,
    GROUP_DEPLOYMENTS,
    deltas.groupDeployments.entries(),
    sign,
  );
  const tagDeploymentChanges = await applyRefcounts(
    tx,
    GROUP_TAG_DEPLOYMENTS,
    deltas.groupTagDeployments.entries(),
    sign,
  );

  await applyToTable(
    tx,
    GROUP_TAGS,
    deltas.groupTags.entries().map(({ key, count }) => ({
      key,
      counts: { events: sign * count, deployment_count: tagDeploymentChanges.get(key) },
    })),
  );

  const sum = (values: readonly number[]): string =>
    sign > 0 ? exactDecimalSum(values) : negateDecimal(exactDecimalSum(values));
  await applyToTable(
    tx,
    GROUP_SUMS,
    deltas.groupSums.map((group) => ({
      key: group.key,
      counts: {
        total_events: sign * group.total_events,
        decision_count: sign * group.decision_count,
        approved_count: sign * group.approved_count,
        confidence_sum: sum(group.confidences),
        confidence_count: sign * group.confidences.length,
        rollout_count: sign * group.rollout_count,
        success_count: sign * group.success_count,
        observation_hours_sum: sum(group.observation_hours),
        observation_hours_count: sign * group.observation_hours.length,
        deployment_count: groupDeploymentChanges.get(group.key),
      },
    })),
  );
}

// One statement, so sums and tags come from one snapshot. O(groups + group tags): never reads events.
const GROUP_AGGREGATES_SQL = `
SELECT g.source_rule, g.altitude,
       g.total_events::float8 AS total_events, g.decision_count::float8 AS decision_count,
       g.approved_count::float8 AS approved_count, g.confidence_sum::float8 AS confidence_sum,
       g.confidence_count::float8 AS confidence_count, g.rollout_count::float8 AS rollout_count,
       g.success_count::float8 AS success_count, g.observation_hours_sum::float8 AS observation_hours_sum,
       g.observation_hours_count::float8 AS observation_hours_count,
       g.deployment_count::float8 AS deployment_count,
       COALESCE((SELECT json_agg(json_build_array(t.industry_tag, t.events, t.deployment_count))
                 FROM group_tags t
                 WHERE t.source_rule = g.source_rule AND t.altitude = g.altitude), '[]') AS industries
FROM group_sums g`;

interface GroupAggregateRow {
  source_rule: string;
  altitude: number;
  total_events: number;
  decision_count: number;
  approved_count: number;
  confidence_sum: number;
  confidence_count: number;
  rollout_count: number;
  success_count: number;
  observation_hours_sum: number;
  observation_hours_count: number;
  deployment_count: number;
  industries: [string, number, number][];
}

export async function readGroupAggregates(pool: pg.Pool): Promise<GroupAggregate[]> {
  const { rows } = await idempotentQuery<GroupAggregateRow>(pool, {
    name: "group_aggregates",
    text: GROUP_AGGREGATES_SQL,
  });
  return rows.map(({ altitude, industries, ...row }) => ({
    ...row,
    altitude: altitudeOf(altitude),
    industries: industries.map(([tag, events, deployments]) => ({ tag, events, deployments })),
  }));
}
