// A batch of events folded into one delta row per aggregate-table key, in JS, so each table takes
// one upsert per batch whatever the batch size. Ingest adds these deltas; deletion subtracts the
// deltas of the deleted rows, computed by the same function.
import { APPROVED, DECISION_EVENT, ROLLOUT_EVENT, SUCCESS } from "./codes.js";
import type { CountedEvent } from "./rows.js";

export type Key = readonly (string | number)[];

export interface KeyCount {
  readonly key: Key;
  readonly count: number;
}

export interface GroupSums {
  readonly key: Key;
  total_events: number;
  decision_count: number;
  approved_count: number;
  readonly confidences: number[];
  rollout_count: number;
  success_count: number;
  readonly observation_hours: number[];
}

/** Keys compare element by element: numbers by value, strings by UTF-16 code units (as JS sorts). */
export function compareKeys(a: Key, b: Key): number {
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const left = a[index];
    const right = b[index];
    if (left === right) continue;
    if (left === undefined) return -1;
    if (right === undefined) return 1;
    return left < right ? -1 : 1;
  }
  return 0;
}

export const keyId = (key: Key): string => JSON.stringify(key);

/** Counts per key; entries() in key order. */
export class Tally {
  private readonly counts = new Map<string, { key: Key; count: number }>();

  add(key: Key, count = 1): void {
    const id = keyId(key);
    const entry = this.counts.get(id);
    if (entry === undefined) this.counts.set(id, { key, count });
    else entry.count += count;
  }

  get(key: Key): number {
    return this.counts.get(keyId(key))?.count ?? 0;
  }

  /** Non-zero counts, sorted by key. */
  entries(): KeyCount[] {
    return [...this.counts.values()]
      .filter((entry) => entry.count !== 0)
      .sort((a, b) => compareKeys(a.key, b.key));
  }
}

export interface BatchDeltas {
  readonly events: number;
  readonly deployments: Tally;
  readonly groupDeployments: Tally;
  readonly groupTagDeployments: Tally;
  readonly groupTags: Tally;
  /** Sorted by key. */
  readonly groupSums: readonly GroupSums[];
}

export function batchDeltas(events: readonly CountedEvent[]): BatchDeltas {
  const deployments = new Tally();
  const groupDeployments = new Tally();
  const groupTagDeployments = new Tally();
  const groupTags = new Tally();
  const sums = new Map<string, GroupSums>();
  for (const event of events) {
    deployments.add([event.deployment_id]);
    // Patterns group by source_rule; events without one count only towards the totals.
    if (event.source_rule === null) continue;
    const group = [event.source_rule, event.altitude] as const;
    groupDeployments.add([...group, event.deployment_id]);
    if (event.industry_tag !== null) {
      groupTags.add([...group, event.industry_tag]);
      groupTagDeployments.add([...group, event.industry_tag, event.deployment_id]);
    }
    const id = keyId(group);
    let entry = sums.get(id);
    if (entry === undefined) {
      entry = {
        key: group,
        total_events: 0,
        decision_count: 0,
        approved_count: 0,
        confidences: [],
        rollout_count: 0,
        success_count: 0,
        observation_hours: [],
      };
      sums.set(id, entry);
    }
    entry.total_events += 1;
    if (event.event_type === DECISION_EVENT) {
      entry.decision_count += 1;
      if (event.decision === APPROVED) entry.approved_count += 1;
      if (event.confidence !== null) entry.confidences.push(event.confidence);
    } else if (event.event_type === ROLLOUT_EVENT) {
      entry.rollout_count += 1;
      if (event.rollout_outcome === SUCCESS) entry.success_count += 1;
      if (event.observation_hours !== null) entry.observation_hours.push(event.observation_hours);
    }
  }
  return {
    events: events.length,
    deployments,
    groupDeployments,
    groupTagDeployments,
    groupTags,
    groupSums: [...sums.values()].sort((a, b) => compareKeys(a.key, b.key)),
  };
}
