/**
 * Which lists a query probes, nearest first. `selectNearest` moves the `count` smallest keys of
 * `order[from..]` (by key, ties by list number) to `order[from .. from + count)` in ascending order,
 * leaving the rest after them, so a search can take more lists later without redoing the first ones.
 * Quickselect + quicksort on the smaller side (recursion depth <= log2 n), no allocation.
 */

function less(keys: Float32Array, a: number, b: number): boolean {
  const ka = keys[a]!, kb = keys[b]!;
  return ka < kb || (ka === kb && a < b);
}

function swap(order: Int32Array, i: number, j: number): void {
  const t = order[i]!;
  order[i] = order[j]!;
  order[j] = t;
}

/** Partition order[lo..hi] around a median-of-three pivot; returns the pivot's final position. */
function partition(keys: Float32Array, order: Int32Array, lo: number, hi: number): number {
  const mid = lo + ((hi - lo) >> 1);
  if (less(keys, order[mid]!, order[lo]!)) swap(order, mid, lo);
  if (less(keys, order[hi]!, order[lo]!)) swap(order, hi, lo);
  if (less(keys, order[hi]!, order[mid]!)) swap(order, hi, mid);
  swap(order, mid, hi);
  const pivot = order[hi]!;
  let store = lo;
  for (let i = lo; i < hi; i++) {
    if (less(keys, order[i]!, pivot)) {
      swap(order, i, store);
      store++;
    }
  }
  swap(order, store, hi);
  return store;
}

function insertionSort(keys: Float32Array, order: Int32Array, lo: number, hi: number): void {
  for (let i = lo + 1; i <= hi; i++) {
    const v = order[i]!;
    let j = i - 1;
    while (j >= lo && less(keys, v, order[j]!)) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = v;
  }
}

function sortRange(keys: Float32Array, order: Int32Array, lo: number, hi: number): void {
  while (hi - lo > 16) {
    const p = partition(keys, order, lo, hi);
    if (p - lo < hi - p) {
      sortRange(keys, order, lo, p - 1);
      lo = p + 1;
    } else {
      sortRange(keys, order, p + 1, hi);
      hi = p - 1;
    }
  }
  insertionSort(keys, order, lo, hi);
}

/** Quickselect: afterwards order[lo..k-1] all rank before order[k..hi]. */
function selectRange(keys: Float32Array, order: Int32Array, lo: number, hi: number, k: number): void {
  while (hi - lo > 16) {
    const p = partition(keys, order, lo, hi);
    if (p === k) return;
    if (p < k) lo = p + 1;
    else hi = p - 1;
  }
  insertionSort(keys, order, lo, hi);
}

/** Sort the `count` best entries of order[from..] to the front of that range (see the file comment). */
export function selectNearest(keys: Float32Array, order: Int32Array, from: number, count: number): void {
  const n = order.length;
  const end = Math.min(n, from + count);
  if (end <= from) return;
  if (end < n) selectRange(keys, order, from, n - 1, end);
  sortRange(keys, order, from, end - 1);
}
