// Baselines shared by several cases, so "JSON.parse alone" means the same loop everywhere.

/** Events per second that JSON.parse alone decodes from these batch bodies. */
export function parseOnly(bodies: readonly string[], eventsPerBody: number): () => number {
  let next = 0;
  let sink = 0;
  return () => {
    const batch = JSON.parse(bodies[next]!) as { events: unknown[] };
    next = (next + 1) % bodies.length;
    // Keep the result observable so the parse cannot be optimised away.
    sink ^= batch.events.length;
    return sink >= 0 ? eventsPerBody : 0;
  };
}
