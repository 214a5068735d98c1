// Unknown rule names are stored as "custom" (DESIGN.md): done once, before any store sees the batch.
import { CUSTOM_RULE, isBuiltinRule, type AnonymizedEvent } from "@synthorg/schema";

let lastKnown: string | null = null;

/** Consecutive events often share a rule; comparing with the last known name skips a Set lookup. */
function isKnownRule(name: string | null): boolean {
  if (name === lastKnown || name === null || name === CUSTOM_RULE) return true;
  if (!isBuiltinRule(name)) return false;
  lastKnown = name;
  return true;
}

/**
 * The events with unknown source_rule names replaced by "custom", and how many were replaced. The
 * common case (all known) returns the same array with no allocation; otherwise only the changed
 * events are copied, so the caller's (possibly frozen) objects are never mutated.
 */
export function maskUnknownRules(events: readonly AnonymizedEvent[]): {
  events: readonly AnonymizedEvent[];
  masked: number;
} {
  let masked = 0;
  let out: AnonymizedEvent[] | null = null;
  for (let index = 0; index < events.length; index++) {
    const event = events[index] as AnonymizedEvent;
    if (isKnownRule(event.source_rule)) continue;
    out ??= events.slice();
    out[index] = { ...event, source_rule: CUSTOM_RULE };
    masked += 1;
  }
  return { events: out ?? events, masked };
}
