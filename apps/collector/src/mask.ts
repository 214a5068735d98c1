// Unknown rule names are stored as "custom" (DESIGN.md): done once, before any store sees the batch.
// The rule is the anonymiser's own (classifyRule): built-in names and null pass, anything else,
// "custom" included, becomes "custom".
import { CUSTOM_RULE, classifyRule, type AnonymizedEvent } from "@synthorg/schema";

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
    if (classifyRule(event.source_rule) === event.source_rule) continue;
    out ??= events.slice();
    out[index] = { ...event, source_rule: CUSTOM_RULE };
    masked += 1;
  }
  return { events: out ?? events, masked };
}
