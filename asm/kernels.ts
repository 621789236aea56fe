/**
 * Sextant distance kernels in AssemblyScript, compiled to wasm with SIMD128 (see package.json
 * `build`). Memory is imported and shared: the TypeScript side (src/index/wasm/) owns every byte and
 * passes pointers; nothing here allocates, and there is no static data, so instantiating the module
 * again in a worker thread over the same memory does not write to it.
 *
 * Element kinds (`kind`): 0 float32, 1 float16, 2 bfloat16, 3 int8, 4 binary (dim in bits).
 * Metrics (`metric`): 0 L2 (squared), 1 IP, 2 COSINE, 3 HAMMING, 4 JACCARD.
 *
 * Two precisions for the float kinds:
 * - exact (fast = 0): the float32 values (float16 / bfloat16 decoded) are promoted to float64 and
 *   accumulated in four lanes (i mod 4) with a scalar tail into lane 0, summed s0+s1+s2+s3: the very
 *   operations of src/index/kernels/dense.ts, so results are bit-identical to the JS reference.
 * - fast (fast = 1): float32 lanes, eight accumulators; within float32 rounding of the reference.
 * int8 and binary kernels are integer-exact in both modes.
 *
 * COSINE takes the query's Euclidean norm and each row's squared norm (float64, from `normsSq`);
 * a zero vector on either side scores 0, the result is clamped to [-1, 1].
 */

const F32: i32 = 0;
const F16: i32 = 1;
const BF16: i32 = 2;
const I8: i32 = 3;
const BIN: i32 = 4;
/** HNSW_SQ's SQ8 / SQ6 codes: one byte a dimension, scored against a query table (`sqDist`). */
const SQ: i32 = 5;

const L2: i32 = 0;
const IP: i32 = 1;
const COS: i32 = 2;
const HAM: i32 = 3;

/* ---------- element decoding (T is a tag: f32 = float32, u16 = float16, i16 = bfloat16) ---------- */

/** 2^112 as float32: rebiases a float16 exponent (15) to float32's (127), subnormals included. */
const F16_SCALE: f32 = reinterpret<f32>(0x77800000);

@inline function f16x4(p: usize): v128 {
  const x = v128.load16x4_u(p);
  const sign = i32x4.shl(v128.and(x, i32x4.splat(0x8000)), 16);
  const em = i32x4.shl(v128.and(x, i32x4.splat(0x7fff)), 13);
  const scaled = f32x4.mul(em, f32x4.splat(F16_SCALE));
  const special = v128.or(em, i32x4.splat(0x7f800000));
  const isSpecial = i32x4.eq(v128.and(x, i32x4.splat(0x7c00)), i32x4.splat(0x7c00));
  return v128.or(v128.bitselect(special, scaled, isSpecial), sign);
}

@inline function f16One(h: u32): f32 {
  const em = (h & 0x7fff) << 13;
  const sign = (h & 0x8000) << 16;
  if ((h & 0x7c00) == 0x7c00) return reinterpret<f32>(em | 0x7f800000 | sign);
  return reinterpret<f32>(reinterpret<u32>(reinterpret<f32>(em) * F16_SCALE) | sign);
}

/** Four float32 lanes of element i..i+3 of a row at p. */
@inline function load4<T>(p: usize, i: i32): v128 {
  if (isFloat<T>()) return v128.load(p + (<usize>i << 2));
  if (isSigned<T>()) return i32x4.shl(v128.load16x4_u(p + (<usize>i << 1)), 16);
  return f16x4(p + (<usize>i << 1));
}

/** Element i of a row at p as float32. */
@inline function load1<T>(p: usize, i: i32): f32 {
  if (isFloat<T>()) return load<f32>(p + (<usize>i << 2));
  if (isSigned<T>()) return reinterpret<f32>(<u32>load<u16>(p + (<usize>i << 1)) << 16);
  return f16One(<u32>load<u16>(p + (<usize>i << 1)));
}

@inline function lo2(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
@inline function hi2(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3));
}

/* ---------- exact float kernels (float64 accumulation, reference order) ---------- */

@inline function l2x<T>(a: usize, b: usize, dim: i32): f64 {
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

@inline function ipx<T>(a: usize, b: usize, dim: i32): f64 {
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

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

@inline function l2f<T>(a: usize, b: usize, dim: i32): f64 {
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

@inline function ipf<T>(a: usize, b: usize, dim: i32): f64 {
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

@inline function isum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

@inline function l2i8(a: usize, b: usize, dim: i32): f64 {
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

@inline function ipi8(a: usize, b: usize, dim: i32): f64 {
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

@inline function hamming(a: usize, b: usize, nBytes: i32): f64 {
  let c: i64 = 0;
  const n8 = nBytes & ~7;
  let i = 0;
  for (; i < n8; i += 8) c += popcnt<i64>(load<u64>(a + <usize>i) ^ load<u64>(b + <usize>i));
  for (; i < nBytes; i++) c += <i64>popcnt<u32>(<u32>load<u8>(a + <usize>i) ^ <u32>load<u8>(b + <usize>i));
  return <f64>c;
}

/** 1 - |a & b| / |a | b|; two zero vectors give 1 (knowhere's convention). */
@inline function jaccard(a: usize, b: usize, nBytes: i32): f64 {
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

@inline function cosineOf(dot: f64, qNorm: f64, rNormSq: f64): f64 {
  if (qNorm == 0 || rNormSq == 0) return 0;
  const c = dot / (qNorm * Math.sqrt(rNormSq));
  return c > 1 ? 1 : c < -1 ? -1 : c;
}

@inline function floatDist<T>(metric: i32, fast: i32, q: usize, r: usize, dim: i32, qNorm: f64, rNormSq: f64): f64 {
  if (metric == L2) return fast ? l2f<T>(q, r, dim) : l2x<T>(q, r, dim);
  const dot = fast ? ipf<T>(q, r, dim) : ipx<T>(q, r, dim);
  return metric == IP ? dot : cosineOf(dot, qNorm, rNormSq);
}

@inline function int8Dist(metric: i32, q: usize, r: usize, dim: i32, qNorm: f64, rNormSq: f64): f64 {
  if (metric == L2) return l2i8(q, r, dim);
  const dot = ipi8(q, r, dim);
  return metric == IP ? dot : cosineOf(dot, qNorm, rNormSq);
}

@inline function binDist(metric: i32, q: usize, r: usize, dim: i32): f64 {
  return metric == HAM ? hamming(q, r, dim >> 3) : jaccard(q, r, dim >> 3);
}

/**
 * HNSW_SQ: a code row r (dim bytes) against a query given as a table: q holds dim float32 (L2:
 * query - min; IP / COSINE: query * step) then the dim float32 steps, and qConst = query . min
 * (IP / COSINE). L2: sum of (table - step * code)^2; IP: qConst + sum of table * code; COSINE: that,
 * clamped to [-1, 1] (rows and query are normalised before quantising). Float32 in four lanes.
 */
@inline function sqDist(metric: i32, q: usize, r: usize, dim: i32, qConst: f64): f64 {
  const steps = q + (<usize>dim << 2);
  const n4 = dim & ~3;
  let acc = f32x4.splat(0);
  let d = 0;
  for (; d < n4; d += 4) {
    const cf = f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(r + <usize>d))));
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

/* ---------- batch scans ---------- */

@inline function scanFloat<T>(
  metric: i32, fast: i32, q: usize, base: usize, dim: i32, start: i32, end: i32, mask: usize, norms: usize, qNorm: f64, out: usize,
): void {
  const rb = <usize>(dim * sizeof<T>());
  for (let row = start, r = base + <usize>start * rb, o = out; row < end; row++, r += rb, o += 4) {
    if (mask != 0 && load<u8>(mask + <usize>row) == 0) {
      store<f32>(o, NaN);
      continue;
    }
    const rNormSq = metric == COS ? load<f64>(norms + (<usize>row << 3)) : 0;
    store<f32>(o, <f32>floatDist<T>(metric, fast, q, r, dim, qNorm, rNormSq));
  }
}

@inline function scanInt8(
  metric: i32, q: usize, base: usize, dim: i32, start: i32, end: i32, mask: usize, norms: usize, qNorm: f64, out: usize,
): void {
  const rb = <usize>dim;
  for (let row = start, r = base + <usize>start * rb, o = out; row < end; row++, r += rb, o += 4) {
    if (mask != 0 && load<u8>(mask + <usize>row) == 0) {
      store<f32>(o, NaN);
      continue;
    }
    const rNormSq = metric == COS ? load<f64>(norms + (<usize>row << 3)) : 0;
    store<f32>(o, <f32>int8Dist(metric, q, r, dim, qNorm, rNormSq));
  }
}

@inline function scanBin(metric: i32, q: usize, base: usize, dim: i32, start: i32, end: i32, mask: usize, out: usize): void {
  const rb = <usize>(dim >> 3);
  for (let row = start, r = base + <usize>start * rb, o = out; row < end; row++, r += rb, o += 4) {
    if (mask != 0 && load<u8>(mask + <usize>row) == 0) {
      store<f32>(o, NaN);
      continue;
    }
    store<f32>(o, <f32>binDist(metric, q, r, dim));
  }
}

/**
 * Metric values of rows [start, end) against the query at `q`, rounded to float32, into
 * out[0 .. end-start). `mask` (0 = none) holds one byte per row; rows whose byte is 0 get NaN.
 * `norms` (COSINE only) holds each row's squared norm as float64.
 */
export function scan(
  kind: i32, metric: i32, fast: i32, q: usize, base: usize, dim: i32, start: i32, end: i32,
  mask: usize, norms: usize, qNorm: f64, out: usize,
): void {
  switch (kind) {
    case F32: scanFloat<f32>(metric, fast, q, base, dim, start, end, mask, norms, qNorm, out); return;
    case F16: scanFloat<u16>(metric, fast, q, base, dim, start, end, mask, norms, qNorm, out); return;
    case BF16: scanFloat<i16>(metric, fast, q, base, dim, start, end, mask, norms, qNorm, out); return;
    case I8: scanInt8(metric, q, base, dim, start, end, mask, norms, qNorm, out); return;
    default: scanBin(metric, q, base, dim, start, end, mask, out);
  }
}

/**
 * Bound on |fast - exact| relative to sum |terms| for a dim-term float32 dot product or squared
 * distance (any summation order, products and differences rounded): (dim + 2) * 2^-24 by the
 * classic analysis, doubled here for margin and to cover the float64 reference's own rounding.
 */
@inline function fastErr(dim: i32): f64 {
  return <f64>(dim + 8) * 1.1920928955078125e-7; // 2^-23
}

/**
 * Lower bound of the exact row's badness key (L2: d, IP / COSINE: -score) from its fast-kernel value
 * `fv`. Subnormal products and squares are off by up to ~2^-126 each: an absolute slack on top of
 * the relative bound.
 */
@inline function fastLower(metric: i32, fv: f64, dim: i32, qNorm: f64, rNormSq: f64, err: f64): f64 {
  const slack = <f64>dim * 1e-37;
  if (metric == L2) return fv * (1 - err) - slack;
  const qr = qNorm * Math.sqrt(rNormSq);
  if (metric == IP) return -(fv + err * qr + slack);
  return -(cosineOf(fv, qNorm, rNormSq) + err + (qr > 0 ? slack / qr : 0) + 1e-12);
}

@inline function boundedRow<T>(
  metric: i32, q: usize, r: usize, dim: i32, qNorm: f64, rNormSq: f64, thr: f64, err: f64,
): f64 {
  const lower = fastLower(metric, metric == L2 ? l2f<T>(q, r, dim) : ipf<T>(q, r, dim), dim, qNorm, rNormSq, err);
  // Skip only on a finite bound: an overflowed float32 sum says nothing about the float64 value.
  if (lower > thr && lower < Infinity) return NaN;
  return floatDist<T>(metric, 0, q, r, dim, qNorm, rNormSq);
}

@inline function scanBoundedT<T>(
  metric: i32, q: usize, base: usize, dim: i32, start: i32, end: i32, mask: usize, norms: usize, qNorm: f64, out: usize, thr: f64,
): void {
  const rb = <usize>(dim * sizeof<T>());
  const err = fastErr(dim);
  for (let row = start, r = base + <usize>start * rb, o = out; row < end; row++, r += rb, o += 4) {
    if (mask != 0 && load<u8>(mask + <usize>row) == 0) {
      store<f32>(o, NaN);
      continue;
    }
    const rNormSq = metric != L2 ? load<f64>(norms + (<usize>row << 3)) : 0;
    store<f32>(o, <f32>boundedRow<T>(metric, q, r, dim, qNorm, rNormSq, thr, err));
  }
}

/**
 * Exact values (bit-identical to `scan` with fast = 0) for the rows that can still enter a top-k
 * whose worst badness key is `thr` (L2: distance; IP / COSINE: -score); rows that provably cannot
 * (float32 kernel value plus its error bound is worse than thr) get NaN without the float64 work.
 * Float kinds only; IP and COSINE need `norms` (squared row norms) and qNorm. thr = +Inf: all exact.
 */
export function scanBounded(
  kind: i32, metric: i32, q: usize, base: usize, dim: i32, start: i32, end: i32,
  mask: usize, norms: usize, qNorm: f64, out: usize, thr: f64,
): void {
  switch (kind) {
    case F32: scanBoundedT<f32>(metric, q, base, dim, start, end, mask, norms, qNorm, out, thr); return;
    case F16: scanBoundedT<u16>(metric, q, base, dim, start, end, mask, norms, qNorm, out, thr); return;
    case BF16: scanBoundedT<i16>(metric, q, base, dim, start, end, mask, norms, qNorm, out, thr); return;
    default: scan(kind, metric, 0, q, base, dim, start, end, mask, norms, qNorm, out);
  }
}

@inline function sum4(acc01: v128, acc23: v128, tail: f64): f64 {
  return tail + f64x2.extract_lane(acc01, 1) + f64x2.extract_lane(acc23, 0) + f64x2.extract_lane(acc23, 1);
}

/**
 * l2x<f32> / ipx<f32> for four float32 rows against one query, each row's arithmetic in exactly
 * the single-row order (bit-identical). Values go to out[0..4) as float32; COSINE needs the query's
 * norm and the rows' squared norms (n0..n3).
 */
function exact4(
  metric: i32, q: usize, r0: usize, r1: usize, r2: usize, r3: usize, dim: i32, out: usize,
  qNorm: f64, n0: f64, n1: f64, n2: f64, n3: f64,
): void {
  let a0 = f64x2.splat(0), b0 = f64x2.splat(0), a1 = f64x2.splat(0), b1 = f64x2.splat(0);
  let a2 = f64x2.splat(0), b2 = f64x2.splat(0), a3 = f64x2.splat(0), b3 = f64x2.splat(0);
  const n4 = dim & ~3;
  let i = 0;
  if (metric == L2) {
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      const vq = v128.load(q + o);
      const ql = lo2(vq), qh = hi2(vq);
      let v = v128.load(r0 + o);
      let dl = f64x2.sub(ql, lo2(v)), dh = f64x2.sub(qh, hi2(v));
      a0 = f64x2.add(a0, f64x2.mul(dl, dl)); b0 = f64x2.add(b0, f64x2.mul(dh, dh));
      v = v128.load(r1 + o);
      dl = f64x2.sub(ql, lo2(v)); dh = f64x2.sub(qh, hi2(v));
      a1 = f64x2.add(a1, f64x2.mul(dl, dl)); b1 = f64x2.add(b1, f64x2.mul(dh, dh));
      v = v128.load(r2 + o);
      dl = f64x2.sub(ql, lo2(v)); dh = f64x2.sub(qh, hi2(v));
      a2 = f64x2.add(a2, f64x2.mul(dl, dl)); b2 = f64x2.add(b2, f64x2.mul(dh, dh));
      v = v128.load(r3 + o);
      dl = f64x2.sub(ql, lo2(v)); dh = f64x2.sub(qh, hi2(v));
      a3 = f64x2.add(a3, f64x2.mul(dl, dl)); b3 = f64x2.add(b3, f64x2.mul(dh, dh));
    }
    let s0 = f64x2.extract_lane(a0, 0), s1 = f64x2.extract_lane(a1, 0);
    let s2 = f64x2.extract_lane(a2, 0), s3 = f64x2.extract_lane(a3, 0);
    for (; i < dim; i++) {
      const o = <usize>i << 2;
      const x = <f64>load<f32>(q + o);
      let d = x - <f64>load<f32>(r0 + o); s0 += d * d;
      d = x - <f64>load<f32>(r1 + o); s1 += d * d;
      d = x - <f64>load<f32>(r2 + o); s2 += d * d;
      d = x - <f64>load<f32>(r3 + o); s3 += d * d;
    }
    store<f32>(out, <f32>sum4(a0, b0, s0));
    store<f32>(out + 4, <f32>sum4(a1, b1, s1));
    store<f32>(out + 8, <f32>sum4(a2, b2, s2));
    store<f32>(out + 12, <f32>sum4(a3, b3, s3));
    return;
  }
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const vq = v128.load(q + o);
    const ql = lo2(vq), qh = hi2(vq);
    let v = v128.load(r0 + o);
    a0 = f64x2.add(a0, f64x2.mul(ql, lo2(v))); b0 = f64x2.add(b0, f64x2.mul(qh, hi2(v)));
    v = v128.load(r1 + o);
    a1 = f64x2.add(a1, f64x2.mul(ql, lo2(v))); b1 = f64x2.add(b1, f64x2.mul(qh, hi2(v)));
    v = v128.load(r2 + o);
    a2 = f64x2.add(a2, f64x2.mul(ql, lo2(v))); b2 = f64x2.add(b2, f64x2.mul(qh, hi2(v)));
    v = v128.load(r3 + o);
    a3 = f64x2.add(a3, f64x2.mul(ql, lo2(v))); b3 = f64x2.add(b3, f64x2.mul(qh, hi2(v)));
  }
  let s0 = f64x2.extract_lane(a0, 0), s1 = f64x2.extract_lane(a1, 0);
  let s2 = f64x2.extract_lane(a2, 0), s3 = f64x2.extract_lane(a3, 0);
  for (; i < dim; i++) {
    const o = <usize>i << 2;
    const x = <f64>load<f32>(q + o);
    s0 += x * <f64>load<f32>(r0 + o);
    s1 += x * <f64>load<f32>(r1 + o);
    s2 += x * <f64>load<f32>(r2 + o);
    s3 += x * <f64>load<f32>(r3 + o);
  }
  const d0 = sum4(a0, b0, s0), d1 = sum4(a1, b1, s1), d2 = sum4(a2, b2, s2), d3 = sum4(a3, b3, s3);
  if (metric == IP) {
    store<f32>(out, <f32>d0);
    store<f32>(out + 4, <f32>d1);
    store<f32>(out + 8, <f32>d2);
    store<f32>(out + 12, <f32>d3);
    return;
  }
  store<f32>(out, <f32>cosineOf(d0, qNorm, n0));
  store<f32>(out + 4, <f32>cosineOf(d1, qNorm, n1));
  store<f32>(out + 8, <f32>cosineOf(d2, qNorm, n2));
  store<f32>(out + 12, <f32>cosineOf(d3, qNorm, n3));
}

/** Metric values of the `n` rows listed (int32) at `ids`, into out[0 .. n) as float32. */
export function gather(
  kind: i32, metric: i32, fast: i32, q: usize, base: usize, dim: i32, ids: usize, n: i32,
  norms: usize, qNorm: f64, out: usize,
): void {
  let i = 0;
  if (kind == F32 && fast == 0) {
    // Exact float32 rows four at a time: scattered rows are memory-bound, and four independent
    // rows keep four rows' cache misses and accumulator chains in flight.
    const rb = <usize>dim << 2;
    for (; i + 4 <= n; i += 4) {
      const p = ids + (<usize>i << 2), o = out + (<usize>i << 2);
      const row0 = load<i32>(p), row1 = load<i32>(p + 4), row2 = load<i32>(p + 8), row3 = load<i32>(p + 12);
      const cos = metric == COS;
      exact4(
        metric, q, base + <usize>row0 * rb, base + <usize>row1 * rb, base + <usize>row2 * rb, base + <usize>row3 * rb, dim, o, qNorm,
        cos ? load<f64>(norms + (<usize>row0 << 3)) : 0, cos ? load<f64>(norms + (<usize>row1 << 3)) : 0,
        cos ? load<f64>(norms + (<usize>row2 << 3)) : 0, cos ? load<f64>(norms + (<usize>row3 << 3)) : 0,
      );
    }
  }
  for (; i < n; i++) {
    const row = load<i32>(ids + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), <f32>distance(kind, metric, fast, q, base, row, dim, qNorm, norms));
  }
}

@inline function gatherBoundedT<T>(
  metric: i32, q: usize, base: usize, dim: i32, ids: usize, from: i32, n: i32, norms: usize, qNorm: f64, out: usize, thr: f64,
): void {
  const rb = <usize>(dim * sizeof<T>());
  const err = fastErr(dim);
  for (let i = from; i < n; i++) {
    const row = load<i32>(ids + (<usize>i << 2));
    const rNormSq = metric != L2 ? load<f64>(norms + (<usize>row << 3)) : 0;
    store<f32>(out + (<usize>i << 2), <f32>boundedRow<T>(metric, q, base + <usize>row * rb, dim, qNorm, rNormSq, thr, err));
  }
}

/**
 * `gather` with fast = 0, pruned as `scanBounded`: rows listed at `ids` that provably cannot enter a
 * top-k whose worst badness key is `thr` get NaN; the others get their exact values (bit-identical
 * to `gather`). Float kinds only; IP and COSINE need `norms`. float32 rows go four at a time.
 */
export function gatherBounded(
  kind: i32, metric: i32, q: usize, base: usize, dim: i32, ids: usize, n: i32,
  norms: usize, qNorm: f64, out: usize, thr: f64,
): void {
  let i = 0;
  if (kind == F32) {
    const rb = <usize>dim << 2;
    const err = fastErr(dim);
    for (; i + 4 <= n; i += 4) {
      const p = ids + (<usize>i << 2), o = out + (<usize>i << 2);
      const r0 = base + <usize>load<i32>(p) * rb, r1 = base + <usize>load<i32>(p + 4) * rb;
      const r2 = base + <usize>load<i32>(p + 8) * rb, r3 = base + <usize>load<i32>(p + 12) * rb;
      if (metric == L2) l2f4(q, r0, r1, r2, r3, dim, o);
      else ipf4(q, r0, r1, r2, r3, dim, o);
      for (let j = 0; j < 4; j++) {
        const oj = o + (<usize>j << 2);
        const row = load<i32>(p + (<usize>j << 2));
        const rNormSq = metric != L2 ? load<f64>(norms + (<usize>row << 3)) : 0;
        const lower = fastLower(metric, <f64>load<f32>(oj), dim, qNorm, rNormSq, err);
        if (lower > thr && lower < Infinity) store<f32>(oj, NaN);
        else store<f32>(oj, <f32>floatDist<f32>(metric, 0, q, base + <usize>row * rb, dim, qNorm, rNormSq));
      }
    }
  }
  switch (kind) {
    case F32: gatherBoundedT<f32>(metric, q, base, dim, ids, i, n, norms, qNorm, out, thr); return;
    case F16: gatherBoundedT<u16>(metric, q, base, dim, ids, i, n, norms, qNorm, out, thr); return;
    case BF16: gatherBoundedT<i16>(metric, q, base, dim, ids, i, n, norms, qNorm, out, thr); return;
    default: gather(kind, metric, 0, q, base, dim, ids, n, norms, qNorm, out);
  }
}

/** Each row's squared Euclidean norm as float64 (reference summation order), into out[0 .. n). */
export function normsSq(kind: i32, base: usize, dim: i32, n: i32, out: usize): void {
  const rb = <usize>rowBytes(kind, dim);
  for (let row = 0, r = base; row < n; row++, r += rb) {
    let s: f64;
    switch (kind) {
      case F32: s = ipx<f32>(r, r, dim); break;
      case F16: s = ipx<u16>(r, r, dim); break;
      case BF16: s = ipx<i16>(r, r, dim); break;
      case I8: s = ipi8(r, r, dim); break;
      default: s = 0;
    }
    store<f64>(out + (<usize>row << 3), s);
  }
}

/** Decode `n` float16 values at `src` to float32 at `dst` (for measuring decode-on-the-fly vs a copy). */
export function decodeF16(src: usize, n: i32, dst: usize): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) v128.store(dst + (<usize>i << 2), f16x4(src + (<usize>i << 1)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), f16One(<u32>load<u16>(src + (<usize>i << 1))));
}

/* ---------- HNSW construction ---------- */

/**
 * hnswlib's neighbour-selection heuristic over the rows at `base` (fast float32 kernels): walk the
 * `n` candidates (int32 row ids at `cand`, sorted by ascending badness key, float64 keys at `keys`)
 * and keep one unless an already kept neighbour is closer to it (badness, rounded to float32) than
 * its own key. Badness is the metric value for L2, its negation for IP / COSINE. Writes the kept
 * candidates' positions (int32 indices into `cand`) to `out` and returns how many (at most `m`).
 * `norms` (COSINE only) holds each row's squared norm as float64.
 */
export function selectNeighbors(
  kind: i32, metric: i32, base: usize, dim: i32, norms: usize, cand: usize, keys: usize, n: i32, m: i32, out: usize,
): i32 {
  const rb = <usize>rowBytes(kind, dim);
  let k = 0;
  for (let i = 0; i < n && k < m; i++) {
    const e = load<i32>(cand + (<usize>i << 2));
    const de = load<f64>(keys + (<usize>i << 3));
    const q = base + <usize>e * rb;
    const qNorm = metric == COS ? Math.sqrt(load<f64>(norms + (<usize>e << 3))) : 0;
    let good = true;
    for (let j = 0; j < k; j++) {
      const o = load<i32>(cand + (<usize>load<i32>(out + (<usize>j << 2)) << 2));
      const v = <f64><f32>distance(kind, metric, 1, q, base, o, dim, qNorm, norms);
      if ((metric == L2 ? v : -v) < de) {
        good = false;
        break;
      }
    }
    if (good) {
      store<i32>(out + (<usize>k << 2), i);
      k++;
    }
  }
  return k;
}

/**
 * Like `gather`, but writes badness keys: the metric value for L2 / HAMMING / JACCARD, its negation
 * for IP / COSINE (smaller = closer for every metric), rounded to float32. HNSW's batch per node.
 */
export function gatherKeys(
  kind: i32, metric: i32, fast: i32, q: usize, base: usize, dim: i32, ids: usize, n: i32,
  norms: usize, qNorm: f64, out: usize,
): void {
  const neg = metric == IP || metric == COS;
  if (fast != 0 && metric <= COS) {
    fastKeys(kind, metric, q, base, dim, norms, qNorm, ids, n, out);
    return;
  }
  for (let i = 0; i < n; i++) {
    const row = load<i32>(ids + (<usize>i << 2));
    const v = <f32>distance(kind, metric, fast, q, base, row, dim, qNorm, norms);
    store<f32>(out + (<usize>i << 2), neg ? -v : v);
  }
}

/* ---------- HNSW layer-0 search ---------- */

/** Badness key (fast kernels): the metric value for L2, its negation for IP / COSINE, as float32. */
@inline function fastKey(kind: i32, metric: i32, q: usize, base: usize, row: i32, dim: i32, qNorm: f64, norms: usize): f32 {
  let v: f32;
  if (kind == F32) {
    const rNormSq = metric == COS ? load<f64>(norms + (<usize>row << 3)) : 0;
    v = <f32>floatDist<f32>(metric, 1, q, base + <usize>row * (<usize>dim << 2), dim, qNorm, rNormSq);
  } else {
    v = <f32>distance(kind, metric, 1, q, base, row, dim, qNorm, norms);
  }
  return metric == IP || metric == COS ? -v : v;
}

/** Min-heap push over (f32 key, i32 id) arrays; returns the new size. */
@inline function minPush(keys: usize, ids: usize, size: i32, key: f32, id: i32): i32 {
  let i = size;
  while (i > 0) {
    const p = (i - 1) >> 1;
    const pk = load<f32>(keys + (<usize>p << 2));
    if (pk <= key) break;
    store<f32>(keys + (<usize>i << 2), pk);
    store<i32>(ids + (<usize>i << 2), load<i32>(ids + (<usize>p << 2)));
    i = p;
  }
  store<f32>(keys + (<usize>i << 2), key);
  store<i32>(ids + (<usize>i << 2), id);
  return size + 1;
}

/** Min-heap pop (the root); returns the new size. */
@inline function minPop(keys: usize, ids: usize, size: i32): i32 {
  const n = size - 1;
  if (n == 0) return 0;
  const key = load<f32>(keys + (<usize>n << 2));
  const id = load<i32>(ids + (<usize>n << 2));
  let i = 0;
  while (true) {
    let c = 2 * i + 1;
    if (c >= n) break;
    let ck = load<f32>(keys + (<usize>c << 2));
    const r = c + 1;
    if (r < n) {
      const rk = load<f32>(keys + (<usize>r << 2));
      if (rk < ck) { c = r; ck = rk; }
    }
    if (ck >= key) break;
    store<f32>(keys + (<usize>i << 2), ck);
    store<i32>(ids + (<usize>i << 2), load<i32>(ids + (<usize>c << 2)));
    i = c;
  }
  store<f32>(keys + (<usize>i << 2), key);
  store<i32>(ids + (<usize>i << 2), id);
  return n;
}

/** Max-heap push, ties broken so that the larger id is worse (nearer the root). */
@inline function maxPush(keys: usize, ids: usize, size: i32, key: f32, id: i32): i32 {
  let i = size;
  while (i > 0) {
    const p = (i - 1) >> 1;
    const pk = load<f32>(keys + (<usize>p << 2));
    const pi = load<i32>(ids + (<usize>p << 2));
    if (pk > key || (pk == key && pi > id)) break;
    store<f32>(keys + (<usize>i << 2), pk);
    store<i32>(ids + (<usize>i << 2), pi);
    i = p;
  }
  store<f32>(keys + (<usize>i << 2), key);
  store<i32>(ids + (<usize>i << 2), id);
  return size + 1;
}

@inline function maxPop(keys: usize, ids: usize, size: i32): i32 {
  const n = size - 1;
  if (n == 0) return 0;
  const key = load<f32>(keys + (<usize>n << 2));
  const id = load<i32>(ids + (<usize>n << 2));
  let i = 0;
  while (true) {
    let c = 2 * i + 1;
    if (c >= n) break;
    let ck = load<f32>(keys + (<usize>c << 2));
    let ci = load<i32>(ids + (<usize>c << 2));
    const r = c + 1;
    if (r < n) {
      const rk = load<f32>(keys + (<usize>r << 2));
      const ri = load<i32>(ids + (<usize>r << 2));
      if (rk > ck || (rk == ck && ri > ci)) { c = r; ck = rk; ci = ri; }
    }
    if (ck < key || (ck == key && ci < id)) break;
    store<f32>(keys + (<usize>i << 2), ck);
    store<i32>(ids + (<usize>i << 2), ci);
    i = c;
  }
  store<f32>(keys + (<usize>i << 2), key);
  store<i32>(ids + (<usize>i << 2), id);
  return n;
}

/* ---------- fast float32 kernels, four rows at once (HNSW batches) ---------- */

/**
 * l2f<f32> / ipf<f32> for four rows against one query, each row's arithmetic in exactly the
 * single-row order (so results are bit-identical); the rows' loads interleave, which keeps more
 * cache misses in flight and reads the query once. Results (as f32) go to out[0..4).
 */
function l2f4(q: usize, r0: usize, r1: usize, r2: usize, r3: usize, dim: i32, out: usize): void {
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

function ipf4(q: usize, r0: usize, r1: usize, r2: usize, r3: usize, dim: i32, out: usize): void {
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

/**
 * Fast badness keys (as `fastKey`) of the `n` rows listed at `ids` into `out` (float32): float32
 * rows four at a time, other kinds one at a time.
 */
function fastKeys(kind: i32, metric: i32, q: usize, base: usize, dim: i32, norms: usize, qNorm: f64, ids: usize, n: i32, out: usize): void {
  let i = 0;
  if (kind == F32) {
    const rb = <usize>dim << 2;
    for (; i + 4 <= n; i += 4) {
      const p = ids + (<usize>i << 2), o = out + (<usize>i << 2);
      const r0 = base + <usize>load<i32>(p) * rb, r1 = base + <usize>load<i32>(p + 4) * rb;
      const r2 = base + <usize>load<i32>(p + 8) * rb, r3 = base + <usize>load<i32>(p + 12) * rb;
      if (metric == L2) {
        l2f4(q, r0, r1, r2, r3, dim, o);
        continue;
      }
      ipf4(q, r0, r1, r2, r3, dim, o);
      for (let j = 0; j < 4; j++) {
        const oj = o + (<usize>j << 2);
        const dot = <f64>load<f32>(oj);
        const v: f32 = metric == IP ? <f32>dot : <f32>cosineOf(dot, qNorm, load<f64>(norms + (<usize>load<i32>(p + (<usize>j << 2)) << 3)));
        store<f32>(oj, -v);
      }
    }
  }
  for (; i < n; i++) {
    const row = load<i32>(ids + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), fastKey(kind, metric, q, base, row, dim, qNorm, norms));
  }
}

/**
 * HNSW best-first search of layer 0 from `ep` (badness `epKey`) keeping up to `ef` results, with
 * the fast kernels. With a `mask` (one byte per row, 0 = none), every node is traversed but only
 * rows whose byte is non-zero enter the results (as GraphSearcher.searchLayer's filter). `links`: per row `stride0` int32 (count, then neighbour ids).
 * `visited`: one byte per row, a row is visited when it holds `epoch` (1..255). `candKeys`/`candIds` hold up
 * to one entry per row; the results are left in `resKeys`/`resIds` (room for ef + 1) best-first
 * (ascending key, then id). `scratch` holds 16 + 8 * stride0 bytes; the number of expanded nodes is left
 * in its first int32. Returns the result count.
 */
export function searchLayer0(
  kind: i32, metric: i32, q: usize, base: usize, dim: i32, norms: usize, qNorm: f64,
  links: usize, stride0: i32, visited: usize, epoch: u32, ep: i32, epKey: f32, ef: i32,
  candKeys: usize, candIds: usize, resKeys: usize, resIds: usize, scratch: usize, mask: usize,
): i32 {
  const batchIds = scratch + 16;
  const batchKeys = batchIds + (<usize>stride0 << 2);
  store<u8>(visited + <usize>ep, epoch);
  let nc = minPush(candKeys, candIds, 0, epKey, ep);
  let nr = 0;
  let lower = Infinity;
  if (mask == 0 || load<u8>(mask + <usize>ep) != 0) {
    nr = maxPush(resKeys, resIds, 0, epKey, ep);
    lower = epKey;
  }
  let expanded = 0;
  while (nc > 0) {
    const ck = load<f32>(candKeys);
    if (ck > lower && nr >= ef) break;
    const c = load<i32>(candIds);
    nc = minPop(candKeys, candIds, nc);
    expanded++;
    const off = links + <usize>c * (<usize>stride0 << 2);
    const count = load<i32>(off);
    let m = 0;
    for (let i = 1; i <= count; i++) {
      const nb = load<i32>(off + (<usize>i << 2));
      const vp = visited + <usize>nb;
      if (<u32>load<u8>(vp) == epoch) continue;
      store<u8>(vp, epoch);
      store<i32>(batchIds + (<usize>m << 2), nb);
      m++;
    }
    fastKeys(kind, metric, q, base, dim, norms, qNorm, batchIds, m, batchKeys);
    for (let i = 0; i < m; i++) {
      const nb = load<i32>(batchIds + (<usize>i << 2));
      const d = load<f32>(batchKeys + (<usize>i << 2));
      if (nr < ef || d < lower) {
        nc = minPush(candKeys, candIds, nc, d, nb);
        if (mask == 0 || load<u8>(mask + <usize>nb) != 0) {
          nr = maxPush(resKeys, resIds, nr, d, nb);
          if (nr > ef) nr = maxPop(resKeys, resIds, nr);
          lower = load<f32>(resKeys);
        }
      }
    }
  }
  store<i32>(scratch, expanded);
  // Heap-sort in place: the worst result moves to the end each time, leaving them best-first.
  for (let n = nr; n > 1; n--) {
    const k = load<f32>(resKeys), id = load<i32>(resIds);
    maxPop(resKeys, resIds, n);
    store<f32>(resKeys + (<usize>(n - 1) << 2), k);
    store<i32>(resIds + (<usize>(n - 1) << 2), id);
  }
  return nr;
}

/* ---------- filter masks ---------- */

/**
 * The rows r in [0, n) whose `mask` byte is non-zero (and, when `valid` != 0, whose `valid` byte is
 * non-zero too), ascending, as int32 into `out` (room for cap). Returns their count, or -1 as soon as
 * there are more than `cap`. Sixteen bytes at a time; all-zero stretches cost one test.
 */
export function listMask(mask: usize, valid: usize, n: i32, out: usize, cap: i32): i32 {
  const zero = i8x16.splat(0);
  let c = 0;
  let i = 0;
  const n64 = n & ~63;
  for (; i < n64; i += 64) {
    const p = mask + <usize>i;
    const any = v128.or(v128.or(v128.load(p), v128.load(p + 16)), v128.or(v128.load(p + 32), v128.load(p + 48)));
    if (!v128.any_true(any)) continue;
    for (let j = 0; j < 64; j += 16) {
      let nz = i8x16.ne(v128.load(p + <usize>j), zero);
      if (valid != 0) nz = v128.and(nz, i8x16.ne(v128.load(valid + <usize>(i + j)), zero));
      let bits = <u32>i8x16.bitmask(nz);
      while (bits != 0) {
        if (c == cap) return -1;
        store<i32>(out + (<usize>c << 2), i + j + <i32>ctz(bits));
        c++;
        bits &= bits - 1;
      }
    }
  }
  for (; i < n; i++) {
    if (load<u8>(mask + <usize>i) == 0 || (valid != 0 && load<u8>(valid + <usize>i) == 0)) continue;
    if (c == cap) return -1;
    store<i32>(out + (<usize>c << 2), i);
    c++;
  }
  return c;
}

/* ---------- HNSW: a whole query ---------- */

/**
 * One HNSW query: greedy descent from `entry` through layers maxLevel .. 1 (exactly as
 * GraphSearcher.greedy: move to any neighbour with a smaller fast key, until none), then
 * `searchLayer0` from the node reached. Upper layers: row r's list at level l >= 1 is block
 * upperBase[r] + l - 1 of `upper` (int32 blocks of strideU: count, then ids). Returns the hit count;
 * hits are in resKeys / resIds best-first, as `searchLayer0` leaves them.
 */
export function hnswSearch(
  kind: i32, metric: i32, q: usize, base: usize, dim: i32, norms: usize, qNorm: f64,
  links: usize, stride0: i32, upper: usize, upperBase: usize, strideU: i32, entry: i32, maxLevel: i32,
  visited: usize, epoch: u32, ef: i32, candKeys: usize, candIds: usize, resKeys: usize, resIds: usize,
  scratch: usize, mask: usize,
): i32 {
  const batchIds = scratch + 16;
  const batchKeys = batchIds + (<usize>stride0 << 2);
  let ep = entry;
  let epKey = fastKey(kind, metric, q, base, ep, dim, qNorm, norms);
  for (let l = maxLevel; l > 0; l--) {
    let changed = true;
    while (changed) {
      changed = false;
      const off = upper + (<usize>(load<i32>(upperBase + (<usize>ep << 2)) + l - 1) * <usize>strideU << 2);
      const count = load<i32>(off);
      memory.copy(batchIds, off + 4, <usize>count << 2);
      fastKeys(kind, metric, q, base, dim, norms, qNorm, batchIds, count, batchKeys);
      for (let i = 0; i < count; i++) {
        const d = load<f32>(batchKeys + (<usize>i << 2));
        if (d < epKey) {
          epKey = d;
          ep = load<i32>(batchIds + (<usize>i << 2));
          changed = true;
        }
      }
    }
  }
  return searchLayer0(
    kind, metric, q, base, dim, norms, qNorm, links, stride0, visited, epoch, ep, epKey, ef,
    candKeys, candIds, resKeys, resIds, scratch, mask,
  );
}

/* ---------- sparse vectors (inverted lists, IP) ---------- */

/**
 * One query term over its posting list: scores[rows[i]] += w * vals[i] (float64; the product of two
 * float32 is exact in float64, so the sums are the JS merge kernel's, term by term in index order).
 */
export function sparseAccumulate(rows: usize, vals: usize, n: i32, w: f64, scores: usize): void {
  for (let i = 0; i < n; i++) {
    const p = scores + (<usize>load<i32>(rows + (<usize>i << 2)) << 3);
    store<f64>(p, load<f64>(p) + w * <f64>load<f32>(vals + (<usize>i << 2)));
  }
}

/**
 * Rows [0, n) of `scores` as float32 into `out` (NaN where `mask` != 0 and its byte is 0), and
 * scores reset to 0 for the next query.
 */
export function sparseFinish(scores: usize, n: i32, mask: usize, out: usize): void {
  for (let i = 0; i < n; i++) {
    const p = scores + (<usize>i << 3);
    const o = out + (<usize>i << 2);
    if (mask != 0 && load<u8>(mask + <usize>i) == 0) store<f32>(o, NaN);
    else store<f32>(o, <f32>load<f64>(p));
    store<f64>(p, 0);
  }
}

/* ---------- IVF_SQ8 codes ---------- */

/**
 * IVF_SQ8 scores of the code rows at positions [from, to) (dim uint8 codes each, contiguous) into
 * out[0 .. to-from) as float32. `table` holds the query's table (dim float32) followed by the
 * per-dimension code scales (dim float32), the layout `sqDist` reads. L2: sum of
 * (table[d] - scale[d] * code)^2; IP: base + sum of table[d] * code; COSINE: the IP value divided by
 * qNorm * norms[position] (float32 norms), clamped to [-1, 1]. As IvfSq8Index's JS reference loops.
 */
export function sq8Scan(
  metric: i32, codes: usize, dim: i32, from: i32, to: i32, table: usize, base: f64, norms: usize, qNorm: f64, out: usize,
): void {
  for (let j = from, o = out; j < to; j++, o += 4) {
    let v = sqDist(metric == COS ? IP : metric, table, codes + <usize>j * <usize>dim, dim, base);
    if (metric == COS) {
      const den = qNorm * <f64>load<f32>(norms + (<usize>j << 2));
      v = den == 0 ? 0 : v / den;
      v = v > 1 ? 1 : v < -1 ? -1 : v;
    }
    store<f32>(o, <f32>v);
  }
}

/* ---------- IVF_PQ codes ---------- */

/**
 * IVF_PQ scores (one code byte per sub-quantiser) of the positions [from, to) into out as float32:
 * s = base + sum over j of lut[j * ksub + code_j] (float64, j ascending), COSINE (norms != 0) divided
 * by qNorm * norms[position] (float32 norms) and clamped to [-1, 1]. As IvfPqIndex's JS loop.
 */
export function pqScan(
  codes: usize, m: i32, ksub: i32, from: i32, to: i32, lut: usize, base: f64, norms: usize, qNorm: f64, out: usize,
): void {
  for (let pos = from, o = out; pos < to; pos++, o += 4) {
    const c = codes + <usize>pos * <usize>m;
    let s = base;
    for (let j = 0, t = lut; j < m; j++, t += <usize>ksub << 2) s += <f64>load<f32>(t + (<usize>load<u8>(c + <usize>j) << 2));
    if (norms != 0) {
      const den = qNorm * <f64>load<f32>(norms + (<usize>pos << 2));
      s = den == 0 ? 0 : s / den;
      s = s > 1 ? 1 : s < -1 ? -1 : s;
    }
    store<f32>(o, <f32>s);
  }
}

/** out[j] = mask[ids[j]] for j < n: a row-id filter in list-position order (IVF list scans). */
export function permuteMask(mask: usize, ids: usize, n: i32, out: usize): void {
  for (let j = 0; j < n; j++) store<u8>(out + <usize>j, load<u8>(mask + <usize>load<i32>(ids + (<usize>j << 2))));
}
