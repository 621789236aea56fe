/**
 * Per-query bounded heaps over typed arrays. Keys are "badness": smaller is better for every metric
 * (callers negate similarity scores). Each query's heap is a max-heap on (key, row) so its root is the
 * worst kept hit; ties on key are broken by the smaller row being better.
 */
export class TopKHeaps {
  readonly nq: number;
  readonly k: number;
  readonly keys: Float64Array;
  readonly rows: Int32Array;
  readonly sizes: Int32Array;

  constructor(nq: number, k: number) {
    this.nq = nq;
    this.k = k;
    this.keys = new Float64Array(nq * k);
    this.rows = new Int32Array(nq * k);
    this.sizes = new Int32Array(nq);
  }

  /** A key strictly above this cannot enter query q's heap (Infinity until the heap is full). */
  threshold(q: number): number {
    return this.sizes[q]! < this.k ? Infinity : this.keys[q * this.k]!;
  }

  /** Offer (key, row) to query q; kept if the heap is not full or it beats the current worst. */
  push(q: number, key: number, row: number): void {
    const k = this.k;
    const base = q * k;
    const keys = this.keys;
    const rows = this.rows;
    const size = this.sizes[q]!;
    if (size < k) {
      this.sizes[q] = size + 1;
      this.siftUp(base, size, key, row);
      return;
    }
    const topKey = keys[base]!;
    if (key > topKey || (key === topKey && row >= rows[base]!)) return;
    this.siftDown(base, size, key, row);
  }

  private siftUp(base: number, pos: number, key: number, row: number): void {
    const keys = this.keys;
    const rows = this.rows;
    let i = pos;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[base + parent]!;
      const pr = rows[base + parent]!;
      if (pk > key || (pk === key && pr > row)) break;
      keys[base + i] = pk;
      rows[base + i] = pr;
      i = parent;
    }
    keys[base + i] = key;
    rows[base + i] = row;
  }

  /** Replace the root with (key, row) and restore the heap over `size` entries. */
  private siftDown(base: number, size: number, key: number, row: number): void {
    const keys = this.keys;
    const rows = this.rows;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      let c = l;
      let ck = keys[base + l]!;
      let cr = rows[base + l]!;
      const r = l + 1;
      if (r < size) {
        const rk = keys[base + r]!;
        const rr = rows[base + r]!;
        if (rk > ck || (rk === ck && rr > cr)) {
          c = r;
          ck = rk;
          cr = rr;
        }
      }
      if (ck < key || (ck === key && cr < row)) break;
      keys[base + i] = ck;
      rows[base + i] = cr;
      i = c;
    }
    keys[base + i] = key;
    rows[base + i] = row;
  }

  /**
   * Write query q's hits best-first into `outRows` / `outScores` at `outOff` (destroys the heap).
   * `negate` turns badness keys back into similarity scores. Returns the hit count.
   */
  drainSorted(q: number, outRows: Int32Array, outScores: Float32Array, outOff: number, negate: boolean): number {
    const base = q * this.k;
    const n = this.sizes[q]!;
    for (let size = n; size > 0; size--) {
      const worstKey = this.keys[base]!;
      const worstRow = this.rows[base]!;
      outRows[outOff + size - 1] = worstRow;
      outScores[outOff + size - 1] = negate ? -worstKey : worstKey;
      if (size > 1) this.siftDown(base, size - 1, this.keys[base + size - 1]!, this.rows[base + size - 1]!);
    }
    this.sizes[q] = 0;
    return n;
  }
}
