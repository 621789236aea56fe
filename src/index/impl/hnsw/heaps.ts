/**
 * Binary heaps of (key, id) over typed arrays, reused across searches (`clear()` only resets the
 * size). `MinHeap` is the candidate queue (closest first); `MaxHeap` holds the current results with
 * the worst on top, ties broken so that the larger id is worse (matching `searchExact`).
 * Both grow by doubling when full, so steady-state searches never allocate.
 */
export class MinHeap {
  keys: Float64Array;
  ids: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(Math.max(4, capacity));
    this.ids = new Int32Array(Math.max(4, capacity));
  }

  clear(): void {
    this.size = 0;
  }

  topKey(): number {
    return this.keys[0]!;
  }

  topId(): number {
    return this.ids[0]!;
  }

  push(key: number, id: number): void {
    if (this.size === this.keys.length) this.grow();
    const keys = this.keys, ids = this.ids;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = keys[p]!;
      if (pk <= key) break;
      keys[i] = pk;
      ids[i] = ids[p]!;
      i = p;
    }
    keys[i] = key;
    ids[i] = id;
  }

  /** Remove the root (call `topKey` / `topId` first). */
  pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const keys = this.keys, ids = this.ids;
    const key = keys[n]!, id = ids[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ck = keys[c]!;
      const r = c + 1;
      if (r < n && keys[r]! < ck) { c = r; ck = keys[r]!; }
      if (ck >= key) break;
      keys[i] = ck;
      ids[i] = ids[c]!;
      i = c;
    }
    keys[i] = key;
    ids[i] = id;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    const ids = new Int32Array(this.ids.length * 2);
    ids.set(this.ids);
    this.keys = keys;
    this.ids = ids;
  }
}

export class MaxHeap {
  keys: Float64Array;
  ids: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(Math.max(4, capacity));
    this.ids = new Int32Array(Math.max(4, capacity));
  }

  clear(): void {
    this.size = 0;
  }

  topKey(): number {
    return this.keys[0]!;
  }

  topId(): number {
    return this.ids[0]!;
  }

  push(key: number, id: number): void {
    if (this.size === this.keys.length) this.grow();
    const keys = this.keys, ids = this.ids;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = keys[p]!;
      if (pk > key || (pk === key && ids[p]! > id)) break;
      keys[i] = pk;
      ids[i] = ids[p]!;
      i = p;
    }
    keys[i] = key;
    ids[i] = id;
  }

  pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const keys = this.keys, ids = this.ids;
    const key = keys[n]!, id = ids[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ck = keys[c]!;
      let ci = ids[c]!;
      const r = c + 1;
      if (r < n) {
        const rk = keys[r]!, ri = ids[r]!;
        if (rk > ck || (rk === ck && ri > ci)) { c = r; ck = rk; ci = ri; }
      }
      if (ck < key || (ck === key && ci < id)) break;
      keys[i] = ck;
      ids[i] = ci;
      i = c;
    }
    keys[i] = key;
    ids[i] = id;
  }

  /**
   * Empty the heap into `outKeys` / `outIds` best-first (ascending key, then id); returns the count.
   * The outputs must hold `size` entries.
   */
  drainAscending(outKeys: Float64Array, outIds: Int32Array): number {
    const n = this.size;
    for (let i = n - 1; i >= 0; i--) {
      outKeys[i] = this.keys[0]!;
      outIds[i] = this.ids[0]!;
      this.pop();
    }
    return n;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    const ids = new Int32Array(this.ids.length * 2);
    ids.set(this.ids);
    this.keys = keys;
    this.ids = ids;
  }
}
