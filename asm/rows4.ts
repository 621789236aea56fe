/**
 * Fast float32 kernels for four rows at once (HNSW batches and `gather`).
 * Part of the kernels module (entry: kernels.ts).
 */
import { hsum, ipf, l2f } from './metrics';

/* ---------- fast float32 kernels, four rows at once (HNSW batches) ---------- */

/**
 * l2f<f32> / ipf<f32> for four rows against one query, each row's arithmetic in exactly the
 * single-row order (so results are bit-identical); the rows' loads interleave, which keeps more
 * cache misses in flight and reads the query once. Results (as f32) go to out[0..4).
 */
export function l2f4(q: usize, r0: usize, r1: usize, r2: usize, r3: usize, dim: i32, out: usize): void {
  let a0 = f32x4.splat(0), b0 = f32x4.splat(0);
  let a1 = f32x4.splat(0), b1 = f32x4.splat(0);
  let a2 = f32x4.splat(0), b2 = f32x4.splat(0);
  let a3 = f32x4.splat(0), b3 = f32x4.splat(0);
  const n8 = dim & ~7;
  let i = 0;
  for (; i < n8; i += 8) {
    const o = <usize>i << 2;
    const qa = v128.load(q + o), qb = v128.load(q + o + 16);
    let d = f32x4.sub(qa, v128.load(r0 + o)); a0 = f32x4.add(a0, f32x4.mul(d, d));
    d = f32x4.sub(qb, v128.load(r0 + o + 16)); b0 = f32x4.add(b0, f32x4.mul(d, d));
    d = f32x4.sub(qa, v128.load(r1 + o)); a1 = f32x4.add(a1, f32x4.mul(d, d));
    d = f32x4.sub(qb, v128.load(r1 + o + 16)); b1 = f32x4.add(b1, f32x4.mul(d, d));
    d = f32x4.sub(qa, v128.load(r2 + o)); a2 = f32x4.add(a2, f32x4.mul(d, d));
    d = f32x4.sub(qb, v128.load(r2 + o + 16)); b2 = f32x4.add(b2, f32x4.mul(d, d));
    d = f32x4.sub(qa, v128.load(r3 + o)); a3 = f32x4.add(a3, f32x4.mul(d, d));
    d = f32x4.sub(qb, v128.load(r3 + o + 16)); b3 = f32x4.add(b3, f32x4.mul(d, d));
  }
  if (i + 4 <= dim) {
    const o = <usize>i << 2;
    const qa = v128.load(q + o);
    let d = f32x4.sub(qa, v128.load(r0 + o)); a0 = f32x4.add(a0, f32x4.mul(d, d));
    d = f32x4.sub(qa, v128.load(r1 + o)); a1 = f32x4.add(a1, f32x4.mul(d, d));
    d = f32x4.sub(qa, v128.load(r2 + o)); a2 = f32x4.add(a2, f32x4.mul(d, d));
    d = f32x4.sub(qa, v128.load(r3 + o)); a3 = f32x4.add(a3, f32x4.mul(d, d));
    i += 4;
  }
  let s0 = hsum(f32x4.add(a0, b0)), s1 = hsum(f32x4.add(a1, b1));
  let s2 = hsum(f32x4.add(a2, b2)), s3 = hsum(f32x4.add(a3, b3));
  for (; i < dim; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(q + o);
    let d = x - load<f32>(r0 + o); s0 += d * d;
    d = x - load<f32>(r1 + o); s1 += d * d;
    d = x - load<f32>(r2 + o); s2 += d * d;
    d = x - load<f32>(r3 + o); s3 += d * d;
  }
  store<f32>(out, s0);
  store<f32>(out + 4, s1);
  store<f32>(out + 8, s2);
  store<f32>(out + 12, s3);
}

export function ipf4(q: usize, r0: usize, r1: usize, r2: usize, r3: usize, dim: i32, out: usize): void {
  let a0 = f32x4.splat(0), b0 = f32x4.splat(0);
  let a1 = f32x4.splat(0), b1 = f32x4.splat(0);
  let a2 = f32x4.splat(0), b2 = f32x4.splat(0);
  let a3 = f32x4.splat(0), b3 = f32x4.splat(0);
  const n8 = dim & ~7;
  let i = 0;
  for (; i < n8; i += 8) {
    const o = <usize>i << 2;
    const qa = v128.load(q + o), qb = v128.load(q + o + 16);
    a0 = f32x4.add(a0, f32x4.mul(qa, v128.load(r0 + o))); b0 = f32x4.add(b0, f32x4.mul(qb, v128.load(r0 + o + 16)));
    a1 = f32x4.add(a1, f32x4.mul(qa, v128.load(r1 + o))); b1 = f32x4.add(b1, f32x4.mul(qb, v128.load(r1 + o + 16)));
    a2 = f32x4.add(a2, f32x4.mul(qa, v128.load(r2 + o))); b2 = f32x4.add(b2, f32x4.mul(qb, v128.load(r2 + o + 16)));
    a3 = f32x4.add(a3, f32x4.mul(qa, v128.load(r3 + o))); b3 = f32x4.add(b3, f32x4.mul(qb, v128.load(r3 + o + 16)));
  }
  if (i + 4 <= dim) {
    const o = <usize>i << 2;
    const qa = v128.load(q + o);
    a0 = f32x4.add(a0, f32x4.mul(qa, v128.load(r0 + o)));
    a1 = f32x4.add(a1, f32x4.mul(qa, v128.load(r1 + o)));
    a2 = f32x4.add(a2, f32x4.mul(qa, v128.load(r2 + o)));
    a3 = f32x4.add(a3, f32x4.mul(qa, v128.load(r3 + o)));
    i += 4;
  }
  let s0 = hsum(f32x4.add(a0, b0)), s1 = hsum(f32x4.add(a1, b1));
  let s2 = hsum(f32x4.add(a2, b2)), s3 = hsum(f32x4.add(a3, b3));
  for (; i < dim; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(q + o);
    s0 += x * load<f32>(r0 + o);
    s1 += x * load<f32>(r1 + o);
    s2 += x * load<f32>(r2 + o);
    s3 += x * load<f32>(r3 + o);
  }
  store<f32>(out, s0);
  store<f32>(out + 4, s1);
  store<f32>(out + 8, s2);
  store<f32>(out + 12, s3);
}
