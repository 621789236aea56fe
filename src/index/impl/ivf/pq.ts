/**
 * Product quantizer: `m` sub-quantizers of `ksub` = 2^nbits code words each over dim / m
 * consecutive dimensions, trained by k-means per sub-space. A vector's code is m code words of
 * `bytesPerCode` = ceil(nbits / 8) little-endian bytes each (nbits < 8 still uses a whole byte).
 * When there are fewer training vectors than 2^nbits, ksub is the number of training vectors.
 */
import { l2SqF32 } from '../../kernels/dense.js';
import { trainKMeans } from './kmeans.js';
import { ivfTuning } from './tuning.js';

export interface ProductQuantizer {
  readonly dim: number;
  readonly m: number;
  readonly dsub: number;
  readonly nbits: number;
  readonly ksub: number;
  readonly bytesPerCode: number;
  /** m x ksub x dsub. */
  readonly codebooks: Float32Array;
}

export function pqBytesPerCode(nbits: number): number {
  return Math.ceil(nbits / 8);
}

/** Train on the n x dim rows of `x` (n >= 1). */
export function trainPq(x: Float32Array, n: number, dim: number, m: number, nbits: number, random: () => number): ProductQuantizer {
  const dsub = dim / m;
  const ksub = Math.min(2 ** nbits, n);
  const codebooks = new Float32Array(m * ksub * dsub);
  const sub = new Float32Array(n * dsub);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) sub.set(x.subarray(i * dim + j * dsub, i * dim + (j + 1) * dsub), i * dsub);
    const cb = trainKMeans(sub, n, dsub, { k: ksub, iterations: ivfTuning.pqIterations, random, ip: false, spherical: false });
    codebooks.set(cb, j * ksub * dsub);
  }
  return { dim, m, dsub, nbits, ksub, bytesPerCode: pqBytesPerCode(nbits), codebooks };
}

/** Encode row xOff of `x` into codes[codesOff ..] (m * bytesPerCode bytes). */
export function pqEncode(pq: ProductQuantizer, x: Float32Array, xOff: number, codes: Uint8Array, codesOff: number): void {
  const { m, dsub, ksub, bytesPerCode, codebooks } = pq;
  for (let j = 0; j < m; j++) {
    let best = 0, bestD = Infinity;
    for (let k = 0; k < ksub; k++) {
      const d = l2SqF32(x, xOff + j * dsub, codebooks, (j * ksub + k) * dsub, dsub);
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    for (let b = 0, at = codesOff + j * bytesPerCode; b < bytesPerCode; b++) codes[at + b] = (best >>> (8 * b)) & 0xff;
  }
}

/** Code word j of the code at codesOff. */
export function pqCode(pq: ProductQuantizer, codes: Uint8Array, codesOff: number, j: number): number {
  const at = codesOff + j * pq.bytesPerCode;
  let v = 0;
  for (let b = 0; b < pq.bytesPerCode; b++) v |= codes[at + b]! << (8 * b);
  return v;
}

/** Reconstruct the code at codesOff into out[outOff .. outOff + dim). */
export function pqDecode(pq: ProductQuantizer, codes: Uint8Array, codesOff: number, out: Float32Array, outOff: number): void {
  const { m, dsub, ksub, codebooks } = pq;
  for (let j = 0; j < m; j++) {
    const src = (j * ksub + pqCode(pq, codes, codesOff, j)) * dsub;
    for (let i = 0; i < dsub; i++) out[outOff + j * dsub + i] = codebooks[src + i]!;
  }
}
