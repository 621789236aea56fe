/**
 * Distance kernels for one row: exact float (float64, the reference order), fast float (float32 lanes),
 * int8, binary; and the per-row dispatch (`rowBytes`, `distance`).
 * Part of the kernels module (entry: kernels.ts).
 */
import { BF16, COS, F16, F32, HAM, I8, IP, L2, SQ, hi2, lo2, load1, load4 } from './elements';

/* ---------- exact float kernels (float64 accumulation, reference order) ---------- */

@inline export function l2x<T>(a: usize, b: usize, dim: i32): f64 {
  let acc01 = f64x2.splat(0);
  let acc23 = f64x2.splat(0);
  const n4 = dim & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const va = load4<T>(a, i);
    const vb = load4<T>(b, i);
    const dl = f64x2.sub(lo2(va), lo2(vb));
    const dh = f64x2.sub(hi2(va), hi2(vb));
    acc01 = f64x2.add(acc01, f64x2.mul(dl, dl));
    acc23 = f64x2.add(acc23, f64x2.mul(dh, dh));
  }
  let s0 = f64x2.extract_lane(acc01, 0);
  for (; i < dim; i++) {
    const d = <f64>load1<T>(a, i) - <f64>load1<T>(b, i);
    s0 += d * d;
  }
  return s0 + f64x2.extract_lane(acc01, 1) + f64x2.extract_lane(acc23, 0) + f64x2.extract_lane(acc23, 1);
}

@inline export function ipx<T>(a: usize, b: usize, dim: i32): f64 {
  let acc01 = f64x2.splat(0);
  let acc23 = f64x2.splat(0);
  const n4 = dim & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const va = load4<T>(a, i);
    const vb = load4<T>(b, i);
    acc01 = f64x2.add(acc01, f64x2.mul(lo2(va), lo2(vb)));
    acc23 = f64x2.add(acc23, f64x2.mul(hi2(va), hi2(vb)));
  }
  let s0 = f64x2.extract_lane(acc01, 0);
  for (; i < dim; i++) s0 += <f64>load1<T>(a, i) * <f64>load1<T>(b, i);
  return s0 + f64x2.extract_lane(acc01, 1) + f64x2.extract_lane(acc23, 0) + f64x2.extract_lane(acc23, 1);
}

/* ---------- fast float kernels (float32 lanes) ---------- */

@inline export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

@inline export function l2f<T>(a: usize, b: usize, dim: i32): f64 {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  const n8 = dim & ~7;
  let i = 0;
  for (; i < n8; i += 8) {
    const d0 = f32x4.sub(load4<T>(a, i), load4<T>(b, i));
    const d1 = f32x4.sub(load4<T>(a, i + 4), load4<T>(b, i + 4));
    s0 = f32x4.add(s0, f32x4.mul(d0, d0));
    s1 = f32x4.add(s1, f32x4.mul(d1, d1));
  }
  if (i + 4 <= dim) {
    const d0 = f32x4.sub(load4<T>(a, i), load4<T>(b, i));
    s0 = f32x4.add(s0, f32x4.mul(d0, d0));
    i += 4;
  }
  let s = hsum(f32x4.add(s0, s1));
  for (; i < dim; i++) {
    const d = load1<T>(a, i) - load1<T>(b, i);
    s += d * d;
  }
  return <f64>s;
}

@inline export function ipf<T>(a: usize, b: usize, dim: i32): f64 {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  const n8 = dim & ~7;
  let i = 0;
  for (; i < n8; i += 8) {
    s0 = f32x4.add(s0, f32x4.mul(load4<T>(a, i), load4<T>(b, i)));
    s1 = f32x4.add(s1, f32x4.mul(load4<T>(a, i + 4), load4<T>(b, i + 4)));
  }
  if (i + 4 <= dim) {
    s0 = f32x4.add(s0, f32x4.mul(load4<T>(a, i), load4<T>(b, i)));
    i += 4;
  }
  let s = hsum(f32x4.add(s0, s1));
  for (; i < dim; i++) s += load1<T>(a, i) * load1<T>(b, i);
  return <f64>s;
}

/* ---------- int8 (widening multiply-add, integer-exact) ---------- */

@inline export function isum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

@inline export function l2i8(a: usize, b: usize, dim: i32): f64 {
  let acc = i32x4.splat(0);
  const n8 = dim & ~7;
  let i = 0;
  for (; i < n8; i += 8) {
    const d = i16x8.sub(v128.load8x8_s(a + <usize>i), v128.load8x8_s(b + <usize>i));
    acc = i32x4.add(acc, i32x4.dot_i16x8_s(d, d));
  }
  let s = isum(acc);
  for (; i < dim; i++) {
    const d = <i32>load<i8>(a + <usize>i) - <i32>load<i8>(b + <usize>i);
    s += d * d;
  }
  return <f64>s;
}

@inline export function ipi8(a: usize, b: usize, dim: i32): f64 {
  let acc = i32x4.splat(0);
  const n8 = dim & ~7;
  let i = 0;
  for (; i < n8; i += 8) {
    acc = i32x4.add(acc, i32x4.dot_i16x8_s(v128.load8x8_s(a + <usize>i), v128.load8x8_s(b + <usize>i)));
  }
  let s = isum(acc);
  for (; i < dim; i++) s += <i32>load<i8>(a + <usize>i) * <i32>load<i8>(b + <usize>i);
  return <f64>s;
}

/* ---------- binary (popcount) ---------- */

@inline export function hamming(a: usize, b: usize, nBytes: i32): f64 {
  let c: i64 = 0;
  const n8 = nBytes & ~7;
  let i = 0;
  for (; i < n8; i += 8) c += popcnt<i64>(load<u64>(a + <usize>i) ^ load<u64>(b + <usize>i));
  for (; i < nBytes; i++) c += <i64>popcnt<u32>(<u32>load<u8>(a + <usize>i) ^ <u32>load<u8>(b + <usize>i));
  return <f64>c;
}

/** 1 - |a & b| / |a | b|; two zero vectors give 1 (knowhere's convention). */
@inline export function jaccard(a: usize, b: usize, nBytes: i32): f64 {
  let inter: i64 = 0;
  let uni: i64 = 0;
  const n8 = nBytes & ~7;
  let i = 0;
  for (; i < n8; i += 8) {
    const x = load<u64>(a + <usize>i);
    const y = load<u64>(b + <usize>i);
    inter += popcnt<i64>(x & y);
    uni += popcnt<i64>(x | y);
  }
  for (; i < nBytes; i++) {
    const x = <u32>load<u8>(a + <usize>i);
    const y = <u32>load<u8>(b + <usize>i);
    inter += <i64>popcnt<u32>(x & y);
    uni += <i64>popcnt<u32>(x | y);
  }
  if (uni == 0) return 1;
  return <f64>(uni - inter) / <f64>uni;
}

/* ---------- per-row dispatch ---------- */

@inline export function cosineOf(dot: f64, qNorm: f64, rNormSq: f64): f64 {
  if (qNorm == 0 || rNormSq == 0) return 0;
  const c = dot / (qNorm * Math.sqrt(rNormSq));
  return c > 1 ? 1 : c < -1 ? -1 : c;
}

@inline export function floatDist<T>(metric: i32, fast: i32, q: usize, r: usize, dim: i32, qNorm: f64, rNormSq: f64): f64 {
  if (metric == L2) return fast ? l2f<T>(q, r, dim) : l2x<T>(q, r, dim);
  const dot = fast ? ipf<T>(q, r, dim) : ipx<T>(q, r, dim);
  return metric == IP ? dot : cosineOf(dot, qNorm, rNormSq);
}

@inline export function int8Dist(metric: i32, q: usize, r: usize, dim: i32, qNorm: f64, rNormSq: f64): f64 {
  if (metric == L2) return l2i8(q, r, dim);
  const dot = ipi8(q, r, dim);
  return metric == IP ? dot : cosineOf(dot, qNorm, rNormSq);
}

@inline export function binDist(metric: i32, q: usize, r: usize, dim: i32): f64 {
  return metric == HAM ? hamming(q, r, dim >> 3) : jaccard(q, r, dim >> 3);
}

/**
 * HNSW_SQ: a code row r (dim bytes) against a query given as a table: q holds dim float32 (L2:
 * query - min; IP / COSINE: query * step) then the dim float32 steps, and qConst = query . min
 * (IP / COSINE). L2: sum of (table - step * code)^2; IP: qConst + sum of table * code; COSINE: that,
 * clamped to [-1, 1] (rows and query are normalised before quantising). Float32 in four lanes.
 */
@inline export function sqDist(metric: i32, q: usize, r: usize, dim: i32, qConst: f64): f64 {
  const steps = q + (<usize>dim << 2);
  const n4 = dim & ~3;
  let acc = f32x4.splat(0);
  let d = 0;
  for (; d < n4; d += 4) {
    const cf = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(r + <usize>d))));
    const t = v128.load(q + (<usize>d << 2));
    if (metric == L2) {
      const e = f32x4.sub(t, f32x4.mul(v128.load(steps + (<usize>d << 2)), cf));
      acc = f32x4.add(acc, f32x4.mul(e, e));
    } else {
      acc = f32x4.add(acc, f32x4.mul(t, cf));
    }
  }
  let s: f32 = hsum(acc);
  for (; d < dim; d++) {
    const c = <f32>load<u8>(r + <usize>d);
    const t = load<f32>(q + (<usize>d << 2));
    if (metric == L2) {
      const e = t - load<f32>(steps + (<usize>d << 2)) * c;
      s += e * e;
    } else {
      s += t * c;
    }
  }
  if (metric == L2) return <f64>s;
  const v = qConst + <f64>s;
  return metric == COS ? (v > 1 ? 1 : v < -1 ? -1 : v) : v;
}

/** Bytes per row of `kind` at `dim`. */
export function rowBytes(kind: i32, dim: i32): i32 {
  if (kind == F32) return dim << 2;
  if (kind == SQ) return dim;
  if (kind == F16 || kind == BF16) return dim << 1;
  if (kind == I8) return dim;
  return dim >> 3;
}

/** The metric value between the query at `q` and row `row` of the rows at `base`. */
export function distance(
  kind: i32, metric: i32, fast: i32, q: usize, base: usize, row: i32, dim: i32, qNorm: f64, norms: usize,
): f64 {
  const r = base + <usize>row * <usize>rowBytes(kind, dim);
  if (kind == SQ) return sqDist(metric, q, r, dim, qNorm);
  const rNormSq = metric == COS ? load<f64>(norms + (<usize>row << 3)) : 0;
  switch (kind) {
    case F32: return floatDist<f32>(metric, fast, q, r, dim, qNorm, rNormSq);
    case F16: return floatDist<u16>(metric, fast, q, r, dim, qNorm, rNormSq);
    case BF16: return floatDist<i16>(metric, fast, q, r, dim, qNorm, rNormSq);
    case I8: return int8Dist(metric, q, r, dim, qNorm, rNormSq);
    default: return binDist(metric, q, r, dim);
  }
}
