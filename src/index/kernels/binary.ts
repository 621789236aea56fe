/**
 * Binary-vector kernels. A row of a `dim`-bit vector is dim / 8 bytes. The byte kernels use a
 * 256-entry popcount table; the word kernels run SWAR popcount on 32-bit words and are used when the
 * row width is a multiple of 4 bytes and the data is 4-byte aligned.
 *
 * JACCARD distance = 1 - |a & b| / |a | b|. When both vectors are all zeros (0/0) the distance is 1,
 * as in knowhere's `bvec_jaccard` (Milvus' engine), not 0.
 */

/** Set bits per byte value. */
export const POPCOUNT8: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 1; i < 256; i++) t[i] = (i & 1) + t[i >>> 1]!;
  return t;
})();

export function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

/** Hamming distance over `nBytes` bytes. */
export function hammingBytes(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, nBytes: number): number {
  const pc = POPCOUNT8;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  let i = 0;
  const end4 = nBytes - 3;
  for (; i < end4; i += 4) {
    c0 += pc[a[aOff + i]! ^ b[bOff + i]!]!;
    c1 += pc[a[aOff + i + 1]! ^ b[bOff + i + 1]!]!;
    c2 += pc[a[aOff + i + 2]! ^ b[bOff + i + 2]!]!;
    c3 += pc[a[aOff + i + 3]! ^ b[bOff + i + 3]!]!;
  }
  for (; i < nBytes; i++) c0 += pc[a[aOff + i]! ^ b[bOff + i]!]!;
  return c0 + c1 + c2 + c3;
}

/** Hamming distance over `nWords` 32-bit words. */
export function hammingWords(a: Uint32Array, aOff: number, b: Uint32Array, bOff: number, nWords: number): number {
  let c = 0;
  for (let i = 0; i < nWords; i++) c += popcount32(a[aOff + i]! ^ b[bOff + i]!);
  return c;
}

function jaccardFromCounts(inter: number, union: number): number {
  return union === 0 ? 1 : (union - inter) / union;
}

/** Jaccard distance over `nBytes` bytes (0/0 -> 1, see the file comment). */
export function jaccardBytes(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, nBytes: number): number {
  const pc = POPCOUNT8;
  let inter = 0, union = 0;
  for (let i = 0; i < nBytes; i++) {
    const x = a[aOff + i]!, y = b[bOff + i]!;
    inter += pc[x & y]!;
    union += pc[x | y]!;
  }
  return jaccardFromCounts(inter, union);
}

/** Jaccard distance over `nWords` 32-bit words (0/0 -> 1). */
export function jaccardWords(a: Uint32Array, aOff: number, b: Uint32Array, bOff: number, nWords: number): number {
  let inter = 0, union = 0;
  for (let i = 0; i < nWords; i++) {
    const x = a[aOff + i]!, y = b[bOff + i]!;
    inter += popcount32(x & y);
    union += popcount32(x | y);
  }
  return jaccardFromCounts(inter, union);
}
