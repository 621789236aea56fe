/** Per-search state of the DISKANN beam search: the candidate list, the results, the node cache. */
import type { ExactSearchResult } from '../../types.js';
import type { MemoryTally } from '../../memory.js';

/**
 * Up to `capacity` rows sorted by PQ key (then row), each expanded at most once. `grow` widens the
 * list by one, up to `maxCapacity` (a filtered walk grows it for every row it may not return).
 */
export class CandidateList {
  private readonly keys: Float64Array;
  private readonly ids: Int32Array;
  private readonly done: Uint8Array;
  private size = 0;
  /** Index of the first candidate that may still be unexpanded. */
  private cursor = 0;

  constructor(private capacity: number, private readonly maxCapacity: number = capacity) {
    this.keys = new Float64Array(maxCapacity + 1);
    this.ids = new Int32Array(maxCapacity + 1);
    this.done = new Uint8Array(maxCapacity + 1);
  }

  grow(): void {
    if (this.capacity < this.maxCapacity) this.capacity++;
  }

  offer(key: number, row: number): void {
    const keys = this.keys, ids = this.ids, done = this.done;
    if (this.size === this.capacity && !(key < keys[this.size - 1]! || (key === keys[this.size - 1]! && row < ids[this.size - 1]!))) return;
    let at = this.size < this.capacity ? this.size++ : this.size - 1;
    while (at > 0 && (keys[at - 1]! > key || (keys[at - 1] === key && ids[at - 1]! > row))) {
      keys[at] = keys[at - 1]!; ids[at] = ids[at - 1]!; done[at] = done[at - 1]!;
      at--;
    }
    keys[at] = key; ids[at] = row; done[at] = 0;
    if (at < this.cursor) this.cursor = at;
  }

  /** Mark up to beam.length best unexpanded candidates expanded and list them; returns how many. */
  takeBeam(beam: Int32Array): number {
    let n = 0;
    let i = this.cursor;
    while (i < this.size && this.done[i] === 1) i++;
    this.cursor = i;
    for (; i < this.size && n < beam.length; i++) {
      if (this.done[i] === 1) continue;
      this.done[i] = 1;
      beam[n++] = this.ids[i]!;
    }
    return n;
  }
}

/** Expanded rows with their exact keys; drained best-first (key, then row). */
export class ResultList {
  private keys = new Float64Array(64);
  private ids = new Int32Array(64);
  private size = 0;

  clear(): void {
    this.size = 0;
  }

  countMemory(t: MemoryTally): void {
    t.array(this.keys).array(this.ids);
  }

  push(key: number, row: number): void {
    if (this.size === this.ids.length) {
      const k = new Float64Array(this.size * 2); k.set(this.keys); this.keys = k;
      const i = new Int32Array(this.size * 2); i.set(this.ids); this.ids = i;
    }
    this.keys[this.size] = key;
    this.ids[this.size++] = row;
  }

  /** Write the best topK into query qi's slots of `out`; scores are keys for L2, -keys otherwise. */
  drainInto(out: ExactSearchResult, qi: number, topK: number, l2: boolean): void {
    const keys = this.keys, ids = this.ids;
    const order = Array.from({ length: this.size }, (_, i) => i);
    order.sort((a, b) => keys[a]! - keys[b]! || ids[a]! - ids[b]!);
    const n = Math.min(topK, order.length);
    for (let i = 0; i < n; i++) {
      const j = order[i]!;
      out.rows[qi * topK + i] = ids[j]!;
      out.scores[qi * topK + i] = l2 ? keys[j]! : -keys[j]!;
    }
    out.counts[qi] = n;
  }
}

/**
 * DiskANN's static node cache: the `capacity` nodes nearest the entry points in hops (breadth-first
 * from all of them: a walk starts at one, and on clustered data few edges lead from the medoid's
 * cluster to the others), read once when the index is opened and kept for its lifetime.
 */
export class NodeCache {
  private readonly slotOf: Int32Array;
  private readonly buf: Uint8Array;
  count = 0;

  /** `storage`: where the slots and nodes live (wasm memory: resident.ts), else arrays of its own. */
  constructor(numRows: number, private readonly nodeBytes: number, private readonly capacity: number, storage?: { slotOf: Int32Array; buf: Uint8Array }) {
    this.capacity = Math.max(0, Math.min(capacity, numRows));
    this.slotOf = storage?.slotOf ?? new Int32Array(this.capacity > 0 ? numRows : 0);
    this.slotOf.fill(-1);
    this.buf = storage?.buf ?? new Uint8Array(this.capacity * nodeBytes);
  }

  countMemory(t: MemoryTally): void {
    t.array(this.slotOf).array(this.buf);
  }

  /** Breadth-first from the entry points (the medoid first), level by level, until the capacity is reached. */
  fill(entries: Int32Array, dim: number, read: (row: number, into: Uint8Array) => void): void {
    if (this.capacity === 0 || entries.length === 0) return;
    const queue: number[] = [];
    for (let i = 0; i < entries.length && queue.length < this.capacity; i++) {
      const e = entries[i]!;
      if (this.slotOf[e] !== -1) continue;
      this.slotOf[e] = -2; // queued
      queue.push(e);
    }
    for (let head = 0; head < queue.length && this.count < this.capacity; head++) {
      const row = queue[head]!;
      const slot = this.count++;
      const into = this.buf.subarray(slot * this.nodeBytes, (slot + 1) * this.nodeBytes);
      read(row, into);
      this.slotOf[row] = slot;
      const links = new Int32Array(into.buffer, into.byteOffset, this.nodeBytes >>> 2);
      const deg = links[dim]!;
      for (let e = 0; e < deg && queue.length < this.capacity; e++) {
        const nb = links[dim + 1 + e]!;
        if (this.slotOf[nb] !== -1) continue;
        this.slotOf[nb] = -2; // queued
        queue.push(nb);
      }
    }
    for (const row of queue) if (this.slotOf[row] === -2) this.slotOf[row] = -1;
  }

  /** Copy node `row` into `into` when cached. */
  copy(row: number, into: Uint8Array): boolean {
    if (this.slotOf.length === 0) return false;
    const slot = this.slotOf[row]!;
    if (slot < 0) return false;
    into.set(this.buf.subarray(slot * this.nodeBytes, (slot + 1) * this.nodeBytes));
    return true;
  }
}
