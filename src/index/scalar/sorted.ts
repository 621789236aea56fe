/**
 * Sorted postings: the distinct keys of a column in ascending order, and per key the rows holding it
 * (ascending). One structure answers STL_SORT (sorted values + row ids: equality, ranges, `in`),
 * INVERTED (term dictionary -> posting lists, array elements included), BITMAP (one posting per value
 * of a low-cardinality field) and TRIE (sorted VarChar dictionary: equality, `in`, prefixes); the
 * index type decides which lookups the planner may ask for.
 *
 * NULL rows, NaN and (for JSON paths) values of another type are in no posting.
 */
import type { IndexKey, IndexKeyKind, SortedScalarIndex, Spans } from '../../expr/scalar-index.js';
import type { MemoryTally } from '../memory.js';

export type SortedKeys = Float64Array | BigInt64Array | string[];

export interface SortedCaps {
  indexType: string;
  prefixes: boolean;
  ranges: boolean;
}

/** (key, row) pairs to index: keys in the representation of `keyKind` (bool as 0/1). */
export interface KeyedRows {
  keyKind: IndexKeyKind;
  keys: IndexKey[];
  rows: number[];
  elements: boolean;
}

function lowerBound(keys: SortedKeys, k: IndexKey, strict: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = keys[mid]!;
    if (strict ? x <= k : x < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SortedPostings implements SortedScalarIndex {
  readonly shape = 'sorted';
  readonly indexType: string;
  readonly prefixes: boolean;
  readonly ranges: boolean;

  constructor(
    caps: SortedCaps,
    readonly keyKind: IndexKeyKind,
    readonly elements: boolean,
    /** Distinct keys, ascending. */
    readonly keys: SortedKeys,
    /** Rows of key i are rows[offsets[i] .. offsets[i+1]). */
    readonly offsets: Int32Array,
    readonly rows: Int32Array,
  ) {
    this.indexType = caps.indexType;
    this.prefixes = caps.prefixes && keyKind === 'str';
    this.ranges = caps.ranges;
  }

  static build(caps: SortedCaps, input: KeyedRows): SortedPostings {
    const m = input.rows.length;
    const perm = new Int32Array(m);
    for (let i = 0; i < m; i++) perm[i] = i;
    const ks = input.keys;
    const rs = input.rows;
    perm.sort((a, b) => {
      const x = ks[a]!;
      const y = ks[b]!;
      return x < y ? -1 : x > y ? 1 : rs[a]! - rs[b]!;
    });
    const uniq: IndexKey[] = [];
    const offsets: number[] = [];
    const rows = new Int32Array(m);
    let w = 0;
    for (let j = 0; j < m; j++) {
      const p = perm[j]!;
      const k = ks[p]!;
      if (uniq.length === 0 || uniq[uniq.length - 1] !== k) { uniq.push(k); offsets.push(w); }
      else if (rows[w - 1] === rs[p]) continue; // an array holding the same element twice
      rows[w++] = rs[p]!;
    }
    offsets.push(w);
    return new SortedPostings(caps, input.keyKind, input.elements, keysOf(input.keyKind, uniq), Int32Array.from(offsets), rows.slice(0, w));
  }

  private span(a: number, b: number): Spans {
    return Int32Array.of(this.offsets[a]!, this.offsets[b]!);
  }

  termSpans(keys: readonly IndexKey[]): Spans {
    const out = new Int32Array(keys.length * 2);
    let w = 0;
    const seen = new Set<IndexKey>();
    for (const k of keys) {
      if (seen.has(k)) continue;
      seen.add(k);
      const i = lowerBound(this.keys, k, false);
      if (i < this.keys.length && this.keys[i] === k) {
        out[w++] = this.offsets[i]!;
        out[w++] = this.offsets[i + 1]!;
      }
    }
    return out.subarray(0, w);
  }

  rangeSpan(lo: IndexKey | null, loInclusive: boolean, hi: IndexKey | null, hiInclusive: boolean): Spans {
    const a = lo === null ? 0 : lowerBound(this.keys, lo, !loInclusive);
    const b = hi === null ? this.keys.length : lowerBound(this.keys, hi, hiInclusive);
    return b <= a ? new Int32Array(0) : this.span(a, b);
  }

  prefixSpan(prefix: string): Spans {
    const keys = this.keys;
    if (!Array.isArray(keys)) return new Int32Array(0);
    const a = lowerBound(keys, prefix, false);
    let lo = a;
    let hi = keys.length;
    // The keys starting with `prefix` are contiguous from `a`: binary search their end.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]!.startsWith(prefix)) lo = mid + 1;
      else hi = mid;
    }
    return lo <= a ? new Int32Array(0) : this.span(a, lo);
  }

  spanRows(spans: Spans): number {
    let n = 0;
    for (let i = 0; i < spans.length; i += 2) n += spans[i + 1]! - spans[i]!;
    return n;
  }

  gather(spans: Spans, out: Int32Array): number {
    let w = 0;
    for (let i = 0; i < spans.length; i += 2) {
      const a = spans[i]!;
      const b = spans[i + 1]!;
      out.set(this.rows.subarray(a, b), w);
      w += b - a;
    }
    return w;
  }

  fill(spans: Spans, out: Uint8Array): void {
    const rows = this.rows;
    for (let i = 0; i < spans.length; i += 2) {
      const end = spans[i + 1]!;
      for (let j = spans[i]!; j < end; j++) out[rows[j]!] = 1;
    }
  }

  count(spans: Spans, counts: Uint16Array): void {
    const rows = this.rows;
    for (let i = 0; i < spans.length; i += 2) {
      const end = spans[i + 1]!;
      for (let j = spans[i]!; j < end; j++) counts[rows[j]!]!++;
    }
  }

  countMemory(t: MemoryTally): void {
    t.array(this.offsets).array(this.rows);
    if (Array.isArray(this.keys)) {
      let bytes = 0;
      for (const k of this.keys) bytes += 16 + 2 * k.length;
      t.other(bytes);
    } else t.array(this.keys);
  }
}

function keysOf(kind: IndexKeyKind, uniq: IndexKey[]): SortedKeys {
  switch (kind) {
    case 'i64': return BigInt64Array.from(uniq as bigint[]);
    case 'str': return uniq as string[];
    case 'num': case 'bool': return Float64Array.from(uniq as number[]);
  }
}
