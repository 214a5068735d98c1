// Remembered batch keys for the memory store: first answer per (writer, key), kept for the TTL and
// bounded in number. Insertion order is expiry order (one TTL for all), so both bounds prune from the
// front of one Map: O(1) amortised per batch, no timers.
import type { Clock } from "../rate-limit.js";

const MS_PER_HOUR = 3_600_000;

interface Remembered {
  readonly ingested: number;
  readonly expiresAt: number;
}

export class IdempotencyMemory {
  private readonly entries = new Map<string, Remembered>();
  private readonly ttlMs: number;

  constructor(
    ttlHours: number,
    private readonly maxKeys: number,
    private readonly now: Clock,
  ) {
    this.ttlMs = ttlHours * MS_PER_HOUR;
  }

  private static key(writerId: string, batchKey: string): string {
    // Writer ids never contain a newline (config: [A-Za-z0-9_.-]), so the pair cannot collide.
    return `${writerId}\n${batchKey}`;
  }

  private prune(time: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > time) break;
      this.entries.delete(key);
    }
  }

  /** The first answer's ingested count, or undefined when this key is new (or forgotten). */
  recall(writerId: string, batchKey: string): number | undefined {
    this.prune(this.now());
    return this.entries.get(IdempotencyMemory.key(writerId, batchKey))?.ingested;
  }

  remember(writerId: string, batchKey: string, ingested: number): void {
    const time = this.now();
    this.prune(time);
    // Past the bound, the oldest key goes first (it is also the closest to expiry).
    while (this.entries.size >= this.maxKeys) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(IdempotencyMemory.key(writerId, batchKey), { ingested, expiresAt: time + this.ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
