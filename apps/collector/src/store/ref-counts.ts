// Reference counts keyed by (group slot, tag, deployment) numbers, in one open-addressing table of
// typed arrays: an ingest bumps a count with one probe and no allocation, where a Map per group and
// per tag took a lookup and a store each, and a Map object per key.

/** Words per entry: slot, tag, deployment, count (count 0 = empty). */
const STRIDE = 4;
const INITIAL_ENTRIES = 1024;
/** Grow past 1/2 full, so linear probes stay short. */
const MAX_LOAD_SHIFT = 1;
/** Shrink below 1/8 full, so a burst of deployments that were since evicted gives its memory back. */
const MIN_LOAD_SHIFT = 3;

function hash(slot: number, tag: number, deployment: number): number {
  let h = Math.imul(slot, 0x9e3779b1) ^ Math.imul(tag, 0x85ebca77) ^ Math.imul(deployment, 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}

export class RefCounts {
  private table = new Uint32Array(INITIAL_ENTRIES * STRIDE);
  private mask = INITIAL_ENTRIES - 1;
  private used = 0;

  /** Takes one reference; true when the key had none before (a new distinct deployment). */
  add(slot: number, tag: number, deployment: number): boolean {
    const table = this.table;
    let i = hash(slot, tag, deployment) & this.mask;
    for (;;) {
      const at = i * STRIDE;
      const count = table[at + 3] as number;
      if (count === 0) {
        table[at] = slot;
        table[at + 1] = tag;
        table[at + 2] = deployment;
        table[at + 3] = 1;
        this.used += 1;
        if (this.used << MAX_LOAD_SHIFT > this.mask) this.resize((this.mask + 1) * 2);
        return true;
      }
      if (table[at] === slot && table[at + 1] === tag && table[at + 2] === deployment) {
        table[at + 3] = count + 1;
        return false;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** Drops one reference; true when it was the key's last (one distinct deployment fewer). */
  drop(slot: number, tag: number, deployment: number): boolean {
    const table = this.table;
    const mask = this.mask;
    let i = hash(slot, tag, deployment) & mask;
    for (;;) {
      const at = i * STRIDE;
      const count = table[at + 3] as number;
      if (count === 0) throw new RangeError("reference count dropped below zero");
      if (table[at] === slot && table[at + 1] === tag && table[at + 2] === deployment) {
        if (count > 1) {
          table[at + 3] = count - 1;
          return false;
        }
        this.removeAt(i);
        if (this.used << MIN_LOAD_SHIFT < this.mask && this.mask >= INITIAL_ENTRIES) {
          this.resize((this.mask + 1) >>> 1);
        }
        return true;
      }
      i = (i + 1) & mask;
    }
  }

  /** Backward-shift deletion: keeps every probe chain unbroken without tombstones. */
  private removeAt(hole: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = hole;
    let j = hole;
    for (;;) {
      j = (j + 1) & mask;
      const from = j * STRIDE;
      if (table[from + 3] === 0) break;
      const home = hash(table[from] as number, table[from + 1] as number, table[from + 2] as number) & mask;
      // The entry at j may fill the hole only if its home is not cyclically within (i, j].
      if (i <= j ? i < home && home <= j : i < home || home <= j) continue;
      table.copyWithin(i * STRIDE, from, from + STRIDE);
      i = j;
    }
    table[i * STRIDE + 3] = 0;
    this.used -= 1;
  }

  /** Distinct keys held now. */
  get size(): number {
    return this.used;
  }

  private resize(entries: number): void {
    const old = this.table;
    this.table = new Uint32Array(entries * STRIDE);
    this.mask = entries - 1;
    this.used = 0;
    for (let at = 0; at < old.length; at += STRIDE) {
      const count = old[at + 3] as number;
      if (count === 0) continue;
      this.insertFresh(old[at] as number, old[at + 1] as number, old[at + 2] as number, count);
    }
  }

  private insertFresh(slot: number, tag: number, deployment: number, count: number): void {
    let i = hash(slot, tag, deployment) & this.mask;
    while (this.table[i * STRIDE + 3] !== 0) i = (i + 1) & this.mask;
    const at = i * STRIDE;
    this.table[at] = slot;
    this.table[at + 1] = tag;
    this.table[at + 2] = deployment;
    this.table[at + 3] = count;
    this.used += 1;
  }
}
