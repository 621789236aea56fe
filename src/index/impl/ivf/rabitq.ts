/**
 * RaBitQ (Gao and Long, SIGMOD 2024) as IVF_RABITQ uses it: each row's residual r = o - c (o
 * unit-normalised first for COSINE, c its list's centroid) is rotated by a random orthonormal matrix P
 * and kept as one sign bit per dimension (x = sign(P r) / sqrt(D)), plus two factors per row: |r| and
 * <x, u> with u = P r / |r|. For a rotated query vector q' (P (q - c) for L2, P q for IP) the unbiased
 * estimate of <u, q'> is <x, q'> / <x, u>, and <x, q'> = (2 S - T) / sqrt(D) with S the sum of q' over
 * the set bits and T the sum of q'. S is read eight bits at a time from a 256-entry table per code
 * byte (`ByteCodeScanner`). With `rbq_query_bits` b in [1, 8], q' is first rounded to 2^b levels
 * between its minimum and maximum (Milvus' query quantisation).
 * Bit t of code byte j is dimension 8 j + t.
 */
import { normSqF32 } from '../../kernels/dense.js';
import { BYTE_KSUB } from './byte-codes.js';
import type { DenseIvfParts } from './dense-base.js';
import { normalizeRow, type DenseRowReader } from './rows.js';

export interface RabitqCodes {
  /** codeBytes(dim) per list position. */
  readonly codes: Uint8Array;
  /** |r| per list position. */
  readonly rNorm: Float32Array;
  /** <x, u> per list position (1 for a zero residual). */
  readonly xu: Float32Array;
}

export function codeBytes(dim: number): number {
  return Math.ceil(dim / 8);
}

function gaussian(random: () => number): number {
  const u = 1 - random(), v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A dim x dim matrix with orthonormal rows: Gram-Schmidt (twice, in float64) over Gaussian rows. */
export function randomRotation(dim: number, random: () => number): Float32Array {
  const m = new Float64Array(dim * dim);
  for (let i = 0; i < m.length; i++) m[i] = gaussian(random);
  for (let i = 0; i < dim; i++) {
    const ri = i * dim;
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        const rj = j * dim;
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += m[ri + d]! * m[rj + d]!;
        for (let d = 0; d < dim; d++) m[ri + d] = m[ri + d]! - dot * m[rj + d]!;
      }
    }
    let n = 0;
    for (let d = 0; d < dim; d++) n += m[ri + d]! * m[ri + d]!;
    const inv = 1 / Math.sqrt(n);
    for (let d = 0; d < dim; d++) m[ri + d] = m[ri + d]! * inv;
  }
  return Float32Array.from(m);
}

/** out[0..dim) = P v (v at vOff). */
export function rotate(p: Float32Array, dim: number, v: Float32Array, vOff: number, out: Float32Array): void {
  for (let i = 0, ri = 0; i < dim; i++, ri += dim) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += p[ri + d]! * v[vOff + d]!;
    out[i] = s;
  }
}

/** Codes and factors of every list position's residual. */
export function encodeRabitq(reader: DenseRowReader, parts: DenseIvfParts, p: Float32Array, normalize: boolean): RabitqCodes {
  const dim = reader.dim, { lists, coarse } = parts, n = lists.ids.length, bytes = codeBytes(dim);
  const codes = new Uint8Array(n * bytes), rNorm = new Float32Array(n), xu = new Float32Array(n);
  const r = new Float32Array(dim), y = new Float32Array(dim), sqrtD = Math.sqrt(dim);
  for (let l = 0; l < lists.nlist; l++) {
    for (let pos = lists.offsets[l]!; pos < lists.offsets[l + 1]!; pos++) {
      reader.readInto(lists.ids[pos]!, r, 0);
      if (normalize) normalizeRow(r, 0, dim);
      for (let d = 0; d < dim; d++) r[d] = r[d]! - coarse.centroids[l * dim + d]!;
      const norm = Math.sqrt(normSqF32(r, 0, dim));
      rotate(p, dim, r, 0, y);
      let abs = 0;
      for (let d = 0; d < dim; d++) {
        const v = y[d]!;
        abs += Math.abs(v);
        if (v > 0) codes[pos * bytes + (d >> 3)] = codes[pos * bytes + (d >> 3)]! | (1 << (d & 7));
      }
      rNorm[pos] = norm;
      xu[pos] = norm > 0 && abs > 0 ? abs / (norm * sqrtD) : 1;
    }
  }
  return { codes, rNorm, xu };
}

/** Round q'[0..dim) in place to 2^bits levels between its minimum and maximum (bits 0: unchanged). */
export function quantizeQuery(q: Float32Array, dim: number, bits: number): void {
  if (bits <= 0 || dim === 0) return;
  let lo = Infinity, hi = -Infinity;
  for (let d = 0; d < dim; d++) {
    lo = Math.min(lo, q[d]!);
    hi = Math.max(hi, q[d]!);
  }
  const step = (hi - lo) / (2 ** bits - 1);
  if (!(step > 0)) return;
  for (let d = 0; d < dim; d++) q[d] = lo + Math.round((q[d]! - lo) / step) * step;
}

/** lut[j * 256 + b] = sum of q'[8 j + t] over the bits t set in b; returns T = sum of q'. */
export function fillBitTable(q: Float32Array, dim: number, lut: Float32Array): number {
  let total = 0;
  for (let j = 0, bytes = codeBytes(dim); j < bytes; j++) {
    const t0 = j * BYTE_KSUB;
    lut[t0] = 0;
    for (let b = 1; b < BYTE_KSUB; b++) {
      const low = 31 - Math.clz32(b & -b), d = 8 * j + low;
      lut[t0 + b] = lut[t0 + (b & (b - 1))]! + (d < dim ? q[d]! : 0);
    }
  }
  for (let d = 0; d < dim; d++) total += q[d]!;
  return total;
}
