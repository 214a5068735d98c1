// A double-ended queue on a growable power-of-two ring. Every operation the emitter does per event
// (push at the back, drop or take at the front, put a failed batch back at the front) is O(1); an
// Array used as a queue would make each dropped-oldest event cost O(length) through shift().

const INITIAL_CAPACITY = 16;

export class Deque<T> {
  private ring: (T | undefined)[] = new Array<T | undefined>(INITIAL_CAPACITY);
  private head = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  pushBack(item: T): void {
    if (this.size === this.ring.length) this.grow();
    this.ring[(this.head + this.size) & (this.ring.length - 1)] = item;
    this.size++;
  }

  pushFront(item: T): void {
    if (this.size === this.ring.length) this.grow();
    this.head = (this.head - 1) & (this.ring.length - 1);
    this.ring[this.head] = item;
    this.size++;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.ring[this.head];
    // Release the slot so a dropped event can be collected.
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) & (this.ring.length - 1);
    this.size--;
    return item;
  }

  /** Removes up to `count` items from the front, oldest first. */
  take(count: number): T[] {
    const out: T[] = [];
    const n = Math.min(count, this.size);
    for (let i = 0; i < n; i++) out.push(this.shift() as T);
    return out;
  }

  /** Puts `items` back at the front in their original order (the inverse of take). */
  unshiftAll(items: readonly T[]): void {
    for (let i = items.length - 1; i >= 0; i--) this.pushFront(items[i] as T);
  }

  clear(): void {
    this.ring = new Array<T | undefined>(INITIAL_CAPACITY);
    this.head = 0;
    this.size = 0;
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.ring.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.ring[(this.head + i) & (this.ring.length - 1)];
    this.ring = next;
    this.head = 0;
  }
}
