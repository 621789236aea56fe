/**
 * Kernels for four rows at once: fast float32 (HNSW batches and `gather`) and SQ8 codes (IVF_SQ8
 * lists, HNSW_SQ batches).
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

/* ---------- SQ8 codes, four rows at once (IVF_SQ8 lists, HNSW_SQ batches) ---------- */

/**
 * Codes 4i .. 4i+3 of the 16 bytes in `v` as four float32 lanes (i = 0..3): one byte swizzle into the
 * low byte of each 32-bit lane (out-of-range indices give 0) and a signed conversion (one instruction;
 * the unsigned one is a long sequence on x86, and 0..255 converts the same either way), exact like sqDist's
 * widening; four code groups per 16-byte load.
 */
@inline function codesAt(v: v128, i: i32): v128 {
  if (i == 0) return f32x4.convert_i32x4_s(i8x16.swizzle(v, i8x16(0, -1, -1, -1, 1, -1, -1, -1, 2, -1, -1, -1, 3, -1, -1, -1)));
  if (i == 1) return f32x4.convert_i32x4_s(i8x16.swizzle(v, i8x16(4, -1, -1, -1, 5, -1, -1, -1, 6, -1, -1, -1, 7, -1, -1, -1)));
  if (i == 2) return f32x4.convert_i32x4_s(i8x16.swizzle(v, i8x16(8, -1, -1, -1, 9, -1, -1, -1, 10, -1, -1, -1, 11, -1, -1, -1)));
  return f32x4.convert_i32x4_s(i8x16.swizzle(v, i8x16(12, -1, -1, -1, 13, -1, -1, -1, 14, -1, -1, -1, 15, -1, -1, -1)));
}

/** One L2 step of sqDist: acc + (t - step * codes)^2. */
@inline function l2Step(acc: v128, t: v128, st: v128, c: v128): v128 {
  const e = f32x4.sub(t, f32x4.mul(st, c));
  return f32x4.add(acc, f32x4.mul(e, e));
}

/**
 * sqDist's L2 float32 sums (before the f64 conversion) of the four code rows at r0 .. r3 into
 * out[0..4), each in sqDist's order (one accumulator per row, dimensions ascending in fours), so
 * bit-identical; dim a multiple of 16. IVF_SQ8's lists (consecutive rows) and HNSW_SQ's batches.
 */
@inline export function sq8L2x4(q: usize, r0: usize, r1: usize, r2: usize, r3: usize, dim: i32, out: usize): void {
  const steps = q + (<usize>dim << 2);
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let d = 0; d < dim; d += 16) {
    const p = <usize>d, tq = q + (<usize>d << 2), ts = steps + (<usize>d << 2);
    const v0 = v128.load(r0 + p), v1 = v128.load(r1 + p), v2 = v128.load(r2 + p), v3 = v128.load(r3 + p);
    // Unrolled by hand (codesAt needs a constant i).
    let t = v128.load(tq), st = v128.load(ts);
    a0 = l2Step(a0, t, st, codesAt(v0, 0)); a1 = l2Step(a1, t, st, codesAt(v1, 0));
    a2 = l2Step(a2, t, st, codesAt(v2, 0)); a3 = l2Step(a3, t, st, codesAt(v3, 0));
    t = v128.load(tq + 16); st = v128.load(ts + 16);
    a0 = l2Step(a0, t, st, codesAt(v0, 1)); a1 = l2Step(a1, t, st, codesAt(v1, 1));
    a2 = l2Step(a2, t, st, codesAt(v2, 1)); a3 = l2Step(a3, t, st, codesAt(v3, 1));
    t = v128.load(tq + 32); st = v128.load(ts + 32);
    a0 = l2Step(a0, t, st, codesAt(v0, 2)); a1 = l2Step(a1, t, st, codesAt(v1, 2));
    a2 = l2Step(a2, t, st, codesAt(v2, 2)); a3 = l2Step(a3, t, st, codesAt(v3, 2));
    t = v128.load(tq + 48); st = v128.load(ts + 48);
    a0 = l2Step(a0, t, st, codesAt(v0, 3)); a1 = l2Step(a1, t, st, codesAt(v1, 3));
    a2 = l2Step(a2, t, st, codesAt(v2, 3)); a3 = l2Step(a3, t, st, codesAt(v3, 3));
  }
  store<f32>(out, hsum(a0));
  store<f32>(out + 4, hsum(a1));
  store<f32>(out + 8, hsum(a2));
  store<f32>(out + 12, hsum(a3));
}

/** sqDist's IP float32 sums (before adding qConst) of the four code rows at r0 .. r3 into out[0..4), bit-identical; dim a multiple of 16. */
@inline export function sq8Dot4(q: usize, r0: usize, r1: usize, r2: usize, r3: usize, dim: i32, out: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let d = 0; d < dim; d += 16) {
    const p = <usize>d, tq = q + (<usize>d << 2);
    const v0 = v128.load(r0 + p), v1 = v128.load(r1 + p), v2 = v128.load(r2 + p), v3 = v128.load(r3 + p);
    let t = v128.load(tq);
    a0 = f32x4.add(a0, f32x4.mul(t, codesAt(v0, 0))); a1 = f32x4.add(a1, f32x4.mul(t, codesAt(v1, 0)));
    a2 = f32x4.add(a2, f32x4.mul(t, codesAt(v2, 0))); a3 = f32x4.add(a3, f32x4.mul(t, codesAt(v3, 0)));
    t = v128.load(tq + 16);
    a0 = f32x4.add(a0, f32x4.mul(t, codesAt(v0, 1))); a1 = f32x4.add(a1, f32x4.mul(t, codesAt(v1, 1)));
    a2 = f32x4.add(a2, f32x4.mul(t, codesAt(v2, 1))); a3 = f32x4.add(a3, f32x4.mul(t, codesAt(v3, 1)));
    t = v128.load(tq + 32);
    a0 = f32x4.add(a0, f32x4.mul(t, codesAt(v0, 2))); a1 = f32x4.add(a1, f32x4.mul(t, codesAt(v1, 2)));
    a2 = f32x4.add(a2, f32x4.mul(t, codesAt(v2, 2))); a3 = f32x4.add(a3, f32x4.mul(t, codesAt(v3, 2)));
    t = v128.load(tq + 48);
    a0 = f32x4.add(a0, f32x4.mul(t, codesAt(v0, 3))); a1 = f32x4.add(a1, f32x4.mul(t, codesAt(v1, 3)));
    a2 = f32x4.add(a2, f32x4.mul(t, codesAt(v2, 3))); a3 = f32x4.add(a3, f32x4.mul(t, codesAt(v3, 3)));
  }
  store<f32>(out, hsum(a0));
  store<f32>(out + 4, hsum(a1));
  store<f32>(out + 8, hsum(a2));
  store<f32>(out + 12, hsum(a3));
}
