/**
 * Float32 distance kernels. Every kernel reads `dim` lanes of `a` from `aOff` and of `b` from `bOff`
 * (row offsets into flat n*dim arrays, so no subarray views are made), accumulates in float64 locals,
 * unrolled by 4 with a scalar tail. No allocation.
 */

/** Squared Euclidean distance (Milvus' L2 has no square root). */
export function l2SqF32(a: Float32Array, aOff: number, b: Float32Array, bOff: number, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  const end4 = dim - 3;
  for (; i < end4; i += 4) {
    const d0 = a[aOff + i]! - b[bOff + i]!;
    const d1 = a[aOff + i + 1]! - b[bOff + i + 1]!;
    const d2 = a[aOff + i + 2]! - b[bOff + i + 2]!;
    const d3 = a[aOff + i + 3]! - b[bOff + i + 3]!;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; i < dim; i++) {
    const d = a[aOff + i]! - b[bOff + i]!;
    s0 += d * d;
  }
  return s0 + s1 + s2 + s3;
}

/** Inner product. */
export function ipF32(a: Float32Array, aOff: number, b: Float32Array, bOff: number, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  const end4 = dim - 3;
  for (; i < end4; i += 4) {
    s0 += a[aOff + i]! * b[bOff + i]!;
    s1 += a[aOff + i + 1]! * b[bOff + i + 1]!;
    s2 += a[aOff + i + 2]! * b[bOff + i + 2]!;
    s3 += a[aOff + i + 3]! * b[bOff + i + 3]!;
  }
  for (; i < dim; i++) s0 += a[aOff + i]! * b[bOff + i]!;
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
  let i = 0;
  const end4 = dim - 3;
  for (; i < end4; i += 4) {
    const b0 = b[bOff + i]!, b1 = b[bOff + i + 1]!, b2 = b[bOff + i + 2]!, b3 = b[bOff + i + 3]!;
    d0 += a[aOff + i]! * b0;
    d1 += a[aOff + i + 1]! * b1;
    d2 += a[aOff + i + 2]! * b2;
    d3 += a[aOff + i + 3]! * b3;
    n0 += b0 * b0;
    n1 += b1 * b1;
    n2 += b2 * b2;
    n3 += b3 * b3;
  }
  for (; i < dim; i++) {
    const bi = b[bOff + i]!;
    d0 += a[aOff + i]! * bi;
    n0 += bi * bi;
  }
  const bNormSq = n0 + n1 + n2 + n3;
  if (aNorm === 0 || bNormSq === 0) return 0;
  const cos = (d0 + d1 + d2 + d3) / (aNorm * Math.sqrt(bNormSq));
  return cos > 1 ? 1 : cos < -1 ? -1 : cos;
}
