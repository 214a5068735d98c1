// "Exactly that set": compare what a collector holds with what was sent, as multisets of canonical
// wire events (so a duplicate shows as one extra copy, a loss as one missing), and per deployment.
import { EVENT_KEYS, type AnonymizedEvent } from "@synthorg/schema";

/** One event as a string with the keys in wire order and the sender-optional defaults filled in. */
export function canonicalEvent(event: AnonymizedEvent): string {
  const filled: Record<string, unknown> = { ...event, schema_version: event.schema_version ?? "1" };
  filled.enabled_altitudes = event.enabled_altitudes ?? [];
  return JSON.stringify(EVENT_KEYS.map((key) => filled[key]));
}

function tally(events: readonly AnonymizedEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of events) {
    const key = canonicalEvent(event);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export interface MultisetDiff {
  /** Sent, not held. */
  readonly lost: number;
  /** Held more often than sent. */
  readonly duplicated: number;
  /** Held, never sent. */
  readonly unexpected: number;
}

export function diffEvents(sent: readonly AnonymizedEvent[], held: readonly AnonymizedEvent[]): MultisetDiff {
  const want = tally(sent);
  const have = tally(held);
  let lost = 0;
  let duplicated = 0;
  let unexpected = 0;
  for (const [key, count] of want) lost += Math.max(0, count - (have.get(key) ?? 0));
  for (const [key, count] of have) {
    const expected = want.get(key) ?? 0;
    if (expected === 0) unexpected += count;
    else duplicated += Math.max(0, count - expected);
  }
  return { lost, duplicated, unexpected };
}

/** Events per deployment id, keys sorted. */
export function perDeployment(
  events: readonly Pick<AnonymizedEvent, "deployment_id">[],
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { deployment_id } of events) counts[deployment_id] = (counts[deployment_id] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
