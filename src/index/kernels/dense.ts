/**
 * Float32 distance kernels. Every kernel reads `dim` lanes of `a` from `aOff` and of `b` from `bOff`
 * (row offsets into flat n*dim arrays, so no subarray views are made), accumulates in float64 locals,
 * unrolled by 4 with a scalar tail. No allocation.
 */

/** Squared Euclidean distance (Milvus' L2 has no square root). */
export function l2SqF32(a: Float32Array, aOff: number, b: Float32Array, bOff: number, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = aOff, j = bOff;
  const end4 = aOff + (dim & ~3);
  for (; i < end4; i += 4, j += 4) {
    const d0 = a[i]! - b[j]!;
    const d1 = a[i + 1]! - b[j + 1]!;
    const d2 = a[i + 2]! - b[j + 2]!;
    const d3 = a[i + 3]! - b[j + 3]!;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  const end = aOff + dim;
  for (; i < end; i++, j++) {
    const d = a[i]! - b[j]!;
    s0 += d * d;
  }
  return s0 + s1 + s2 + s3;
}

/** Inner product. */
export function ipF32(a: Float32Array, aOff: number, b: Float32Array, bOff: number, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = aOff, j = bOff;
  const end4 = aOff + (dim & ~3);
  for (; i < end4; i += 4, j += 4) {
    s0 += a[i]! * b[j]!;
    s1 += a[i + 1]! * b[j + 1]!;
    s2 += a[i + 2]! * b[j + 2]!;
    s3 += a[i + 3]! * b[j + 3]!;
  }
  const end = aOff + dim;
  for (; i < end; i++, j++) s0 += a[i]! * b[j]!;
  return s0 + s1 + s2 + s3;
}

/** Squared Euclidean norm of one row. */
export function normSqF32(a: Float32Array, aOff: number, dim: number): number {
  return ipF32(a, aOff, a, aOff, dim);
}

/**
 * Cosine similarity in [-1, 1] given the precomputed Euclidean norm of `a` (not squared). The norm
 * of `b` is accumulated in the same pass as the dot product. A zero vector on either side scores 0
 * (knowhere normalises only non-zero vectors, so their inner product with anything is 0).
 */
export function cosineF32(
  a: Float32Array, aOff: number, aNorm: number, b: Float32Array, bOff: number, dim: number,
): number {
  let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
  let n0 = 0, n1 = 0, n2 = 0, n3 = 0;
  let i = aOff, j = bOff;
  const end4 = aOff + (dim & ~3);
  for (; i < end4; i += 4, j += 4) {
    const b0 = b[j]!, b1 = b[j + 1]!, b2 = b[j + 2]!, b3 = b[j + 3]!;
    d0 += a[i]! * b0;
    d1 += a[i + 1]! * b1;
    d2 += a[i + 2]! * b2;
    d3 += a[i + 3]! * b3;
    n0 += b0 * b0;
    n1 += b1 * b1;
    n2 += b2 * b2;
    n3 += b3 * b3;
  }
  const end = aOff + dim;
  for (; i < end; i++, j++) {
    const bj = b[j]!;
    d0 += a[i]! * bj;
    n0 += bj * bj;
  }
  const bNormSq = n0 + n1 + n2 + n3;
  if (aNorm === 0 || bNormSq === 0) return 0;
  const cos = (d0 + d1 + d2 + d3) / (aNorm * Math.sqrt(bNormSq));
  return cos > 1 ? 1 : cos < -1 ? -1 : cos;
}
