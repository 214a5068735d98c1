// Strings ↔ small ints with reference counts, so a long-running store that sees an endless stream of
// new deployment ids or tags frees the ones its evicted events held, and reuses their numbers.

export class Interner {
  private readonly ids = new Map<string, number>();
  private readonly values: (string | undefined)[] = [];
  private refs = new Uint32Array(16);
  private readonly free: number[] = [];
  // Consecutive events mostly repeat a value (a batch comes from one deployment and SDK), and JSON
  // gives every event its own string object: comparing with the last value skips hashing it.
  private lastValue: string | undefined = undefined;
  private lastId = -1;

  /** The id of `value`, taking one reference to it. */
  acquire(value: string): number {
    if (value === this.lastValue) {
      this.refs[this.lastId] = (this.refs[this.lastId] ?? 0) + 1;
      return this.lastId;
    }
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.free.pop() ?? this.values.length;
      if (id >= this.refs.length) {
        const grown = new Uint32Array(this.refs.length * 2);
        grown.set(this.refs);
        this.refs = grown;
      }
      this.ids.set(value, id);
      this.values[id] = value;
    }
    this.refs[id] = (this.refs[id] ?? 0) + 1;
    this.lastValue = value;
    this.lastId = id;
    return id;
  }

  /** The id of `value` if it is held, without taking a reference. */
  peek(value: string): number | undefined {
    return this.ids.get(value);
  }

  /** Drops one reference; the last one frees the id for reuse. Returns true when it was the last. */
  release(id: number): boolean {
    const left = (this.refs[id] ?? 0) - 1;
    this.refs[id] = left;
    if (left > 0) return false;
    const value = this.values[id];
    if (value !== undefined) this.ids.delete(value);
    this.values[id] = undefined;
    this.free.push(id);
    if (id === this.lastId) this.lastValue = undefined;
    return true;
  }

  value(id: number): string {
    const value = this.values[id];
    if (value === undefined) throw new Error(`interned id ${id} is not held`);
    return value;
  }

  /** Distinct values held now. */
  get size(): number {
    return this.ids.size;
  }
}
