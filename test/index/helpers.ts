/** Test helpers: a seeded RNG, random columns, and float64 reference implementations. */
import { seededRandom } from '../../src/core/random.js';
import type { Column } from '../../src/schema/column.js';
import type { SparseVector } from '../../src/schema/types.js';
import type { MetricType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import assert from 'node:assert/strict';

/** mulberry32: deterministic uniform [0, 1). */
export const rng = seededRandom;

export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** Independent float16 decode (bit fields + powers of two). */
export function refDecodeF16(h: number): number {
  const s = h >> 15 ? -1 : 1;
  const e = (h >> 10) & 31;
  const m = h & 1023;
  if (e === 0) return s * Math.pow(2, -14) * (m / 1024);
  if (e === 31) return m ? NaN : s * Infinity;
  return s * Math.pow(2, e - 15) * (1 + m / 1024);
}

/** Independent bfloat16 decode through a DataView. */
export function refDecodeBf16(b: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, (b & 0xffff) << 16);
  return dv.getFloat32(0);
}

/** Row `row` of a dense column as float64 numbers (decoded independently). */
export function denseRow(c: Column, row: number): number[] {
  if (c.kind !== 'floatVector' && c.kind !== 'float16Vector' && c.kind !== 'bfloat16Vector' && c.kind !== 'int8Vector') {
    throw new Error('not dense');
  }
  const out: number[] = [];
  for (let i = 0; i < c.dim; i++) {
    const v = c.data[row * c.dim + i]!;
    out.push(c.kind === 'float16Vector' ? refDecodeF16(v) : c.kind === 'bfloat16Vector' ? refDecodeBf16(v) : v);
  }
  return out;
}

export function refL2(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}
export function refIp(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
export function refCosine(a: number[], b: number[]): number {
  const aa = refIp(a, a), bb = refIp(b, b);
  if (aa === 0 || bb === 0) return 0;
  return Math.max(-1, Math.min(1, refIp(a, b) / (Math.sqrt(aa) * Math.sqrt(bb))));
}

export function bitAt(bytes: Uint8Array, off: number, bit: number): number {
  return (bytes[off + (bit >> 3)]! >> (bit & 7)) & 1;
}
export function refHamming(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, bits: number): number {
  let d = 0;
  for (let i = 0; i < bits; i++) if (bitAt(a, aOff, i) !== bitAt(b, bOff, i)) d++;
  return d;
}
/** Jaccard distance with the knowhere convention 0/0 -> 1. */
export function refJaccard(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, bits: number): number {
  let inter = 0, union = 0;
  for (let i = 0; i < bits; i++) {
    const x = bitAt(a, aOff, i), y = bitAt(b, bOff, i);
    if (x & y) inter++;
    if (x | y) union++;
  }
  return union === 0 ? 1 : (union - inter) / union;
}
export function refSparseIp(a: SparseVector, b: SparseVector): number {
  const m = new Map<number, number>();
  for (let i = 0; i < a.indices.length; i++) m.set(a.indices[i]!, a.values[i]!);
  let s = 0;
  for (let i = 0; i < b.indices.length; i++) s += (m.get(b.indices[i]!) ?? 0) * b.values[i]!;
  return s;
}

/** Reference metric value of (query row q of `queries`, row `row` of `column`). */
export function refScore(metric: MetricType, column: Column, queries: Column, q: number, row: number): number {
  if (column.kind === 'binaryVector' && queries.kind === 'binaryVector') {
    const w = column.dim / 8;
    return metric === 'HAMMING'
      ? refHamming(queries.data, q * w, column.data, row * w, column.dim)
      : refJaccard(queries.data, q * w, column.data, row * w, column.dim);
  }
  if (column.kind === 'sparseVector' && queries.kind === 'sparseVector') return refSparseIp(queries.data[q]!, column.data[row]!);
  const a = denseRow(queries, q), b = denseRow(column, row);
  return metric === 'L2' ? refL2(a, b) : metric === 'IP' ? refIp(a, b) : refCosine(a, b);
}

export interface RefHits { rows: number[]; scores: number[] }

/** Sort-everything reference search for one query: scores rounded to float32, ties by smaller row. */
export function refSearch(
  metric: MetricType, column: Column, numRows: number, queries: Column, q: number, topK: number,
  filter: Uint8Array | null, range: { radius: number; rangeFilter?: number } | null,
): RefHits {
  const asc = metric === 'L2' || metric === 'HAMMING' || metric === 'JACCARD';
  const hits: { row: number; score: number }[] = [];
  for (let row = 0; row < numRows; row++) {
    if (filter !== null && filter[row] === 0) continue;
    if (column.valid !== null && column.valid[row] === 0) continue;
    const score = Math.fround(refScore(metric, column, queries, q, row));
    if (range !== null) {
      const r = Math.fround(range.radius);
      const rf = range.rangeFilter === undefined ? undefined : Math.fround(range.rangeFilter);
      if (asc && !((rf === undefined || rf <= score) && score < r)) continue;
      if (!asc && !(r < score && (rf === undefined || score <= rf))) continue;
    }
    hits.push({ row, score });
  }
  hits.sort((x, y) => (x.score !== y.score ? (asc ? x.score - y.score : y.score - x.score) : x.row - y.row));
  const top = hits.slice(0, topK);
  return { rows: top.map((h) => h.row), scores: top.map((h) => h.score) };
}

export function makeSparse(r: () => number, maxIndex: number, nnz: number, intValues: boolean): SparseVector {
  const set = new Set<number>();
  nnz = Math.min(nnz, maxIndex + 1);
  while (set.size < nnz) set.add(randInt(r, 0, maxIndex));
  const indices = Uint32Array.from([...set].sort((a, b) => a - b));
  const values = new Float32Array(nnz);
  for (let i = 0; i < nnz; i++) values[i] = intValues ? randInt(r, -3, 3) : r() * 2 - 1;
  return { indices, values };
}

/** Assert that `fn` throws a MilvusError with `code` whose message contains every `parts`. */
export function assertMilvusError(fn: () => unknown, code: number, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MilvusError, `expected MilvusError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const p of parts) assert.ok(e.message.includes(p), `message "${e.message}" should mention "${p}"`);
    return true;
  });
}
