/**
 * An open-addressing hash table from 64-bit integer keys (two uint32 halves) to a fixed number of
 * uint32 values, all in one Uint32Array: slot = [keyHi, keyLo, v0, v1, ...]. Linear probing on
 * `keyHi`; `keyLo` is stored with its low bit set, so 0 marks an empty slot (keys are 63 bits).
 *
 * Callers get back the index of a slot's first value in `data`; an insert may grow (reallocate)
 * `data`, so re-read `table.data` after `upsert`. No deletion: n-gram counts only grow.
 */
const MAX_LOAD = 0.7;
const CLEAR_IN_PLACE_SLOTS = 1 << 15;
const REALLOCATED_SLOTS = 1 << 12;

export class HashTable {
  data: Uint32Array;
  readonly width: number;
  private readonly stride: number;
  private mask: number;
  private count = 0;

  constructor(width: number, initialCapacity = 1024) {
    this.width = width;
    this.stride = 2 + width;
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.mask = cap - 1;
    this.data = new Uint32Array(cap * this.stride);
  }

  get size(): number {
    return this.count;
  }

  get capacity(): number {
    return this.mask + 1;
  }

  get byteLength(): number {
    return this.data.byteLength;
  }

  /** Index of the first value of `key`'s slot, or -1 when absent. */
  find(hi: number, lo: number): number {
    const data = this.data;
    const stride = this.stride;
    const mask = this.mask;
    const storedLo = (lo | 1) >>> 0;
    let slot = hi & mask;
    for (;;) {
      const base = slot * stride;
      const l = data[base + 1]!;
      if (l === 0) return -1;
      if (l === storedLo && data[base] === hi >>> 0) return base + 2;
      slot = (slot + 1) & mask;
    }
  }

  /** Index of the first value of `key`'s slot, inserting it with zero values when absent. */
  upsert(hi: number, lo: number): number {
    if ((this.count + 1) > (this.mask + 1) * MAX_LOAD) this.grow();
    const data = this.data;
    const stride = this.stride;
    const mask = this.mask;
    const storedHi = hi >>> 0;
    const storedLo = (lo | 1) >>> 0;
    let slot = storedHi & mask;
    for (;;) {
      const base = slot * stride;
      const l = data[base + 1]!;
      if (l === 0) {
        data[base] = storedHi;
        data[base + 1] = storedLo;
        this.count++;
        return base + 2;
      }
      if (l === storedLo && data[base] === storedHi) return base + 2;
      slot = (slot + 1) & mask;
    }
  }

  /** A copy of this table. */
  snapshot(): HashTable {
    const copy = new HashTable(this.width, 16);
    copy.data = this.data.slice();
    copy.mask = this.mask;
    copy.count = this.count;
    return copy;
  }

  /**
   * Empties the table. A small one is zeroed in place; a large one is given up for a small one,
   * so a table that once held a long context does not cost its size on every clear.
   */
  clear(): void {
    if (this.mask + 1 > CLEAR_IN_PLACE_SLOTS) {
      this.mask = REALLOCATED_SLOTS - 1;
      this.data = new Uint32Array(REALLOCATED_SLOTS * this.stride);
    } else if (this.count > 0) this.data.fill(0);
    this.count = 0;
  }

  private grow(): void {
    const old = this.data;
    const stride = this.stride;
    const cap = (this.mask + 1) * 2;
    const data = new Uint32Array(cap * stride);
    const mask = cap - 1;
    for (let base = 0; base < old.length; base += stride) {
      if (old[base + 1] === 0) continue;
      let slot = old[base]! & mask;
      while (data[slot * stride + 1] !== 0) slot = (slot + 1) & mask;
      data.set(old.subarray(base, base + stride), slot * stride);
    }
    this.data = data;
    this.mask = mask;
  }
}

/** Two independent 32-bit mixing chains; together they hash a token sequence to 63 bits. */
export function mixHi(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 13)) >>> 0;
}

export function mixLo(h: number, x: number): number {
  h = Math.imul(h ^ Math.imul(x + 0x3c6ef372, 0x27d4eb2f), 0x165667b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}
