/**
 * Batch scans over row ranges or listed rows: `scan`, `scanBounded` (pruned by a heap threshold),
 * `gather`, `gatherBounded`, `normsSq`, `decodeF16`.
 * Part of the kernels module (entry: kernels.ts).
 */
import { BF16, COS, F16, F32, I8, IP, L2, f16One, f16x4, hi2, lo2 } from './elements';
import { binDist, cosineOf, distance, floatDist, int8Dist, ipf, ipi8, ipx, l2f, l2x, rowBytes } from './metrics';
import { ipf4, l2f4 } from './rows4';

/* ---------- batch scans ---------- */

@inline export function scanFloat<T>(
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

@inline export function scanInt8(
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

@inline export function scanBin(metric: i32, q: usize, base: usize, dim: i32, start: i32, end: i32, mask: usize, out: usize): void {
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
@inline export function fastErr(dim: i32): f64 {
  return <f64>(dim + 8) * 1.1920928955078125e-7; // 2^-23
}

/**
 * Lower bound of the exact row's badness key (L2: d, IP / COSINE: -score) from its fast-kernel value
 * `fv`. Subnormal products and squares are off by up to ~2^-126 each: an absolute slack on top of
 * the relative bound.
 */
@inline export function fastLower(metric: i32, fv: f64, dim: i32, qNorm: f64, rNormSq: f64, err: f64): f64 {
  const slack = <f64>dim * 1e-37;
  if (metric == L2) return fv * (1 - err) - slack;
  const qr = qNorm * Math.sqrt(rNormSq);
  if (metric == IP) return -(fv + err * qr + slack);
  return -(cosineOf(fv, qNorm, rNormSq) + err + (qr > 0 ? slack / qr : 0) + 1e-12);
}

@inline export function boundedRow<T>(
  metric: i32, q: usize, r: usize, dim: i32, qNorm: f64, rNormSq: f64, thr: f64, err: f64,
): f64 {
  const lower = fastLower(metric, metric == L2 ? l2f<T>(q, r, dim) : ipf<T>(q, r, dim), dim, qNorm, rNormSq, err);
  // Skip only on a finite bound: an overflowed float32 sum says nothing about the float64 value.
  if (lower > thr && lower < Infinity) return NaN;
  return floatDist<T>(metric, 0, q, r, dim, qNorm, rNormSq);
}

@inline export function scanBoundedT<T>(
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

@inline export function sum4(acc01: v128, acc23: v128, tail: f64): f64 {
  return tail + f64x2.extract_lane(acc01, 1) + f64x2.extract_lane(acc23, 0) + f64x2.extract_lane(acc23, 1);
}

/** exact4's L2: four squared distances, each in l2x<f32>'s order, to out[0..4) as float32. */
@inline function exactL2x4(q: usize, r0: usize, r1: usize, r2: usize, r3: usize, dim: i32, out: usize): void {
  let a0 = f64x2.splat(0), b0 = f64x2.splat(0), a1 = f64x2.splat(0), b1 = f64x2.splat(0);
  let a2 = f64x2.splat(0), b2 = f64x2.splat(0), a3 = f64x2.splat(0), b3 = f64x2.splat(0);
  const n4 = dim & ~3;
  let i = 0;
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
}

/** exact4's IP / COSINE: four dot products, each in ipx<f32>'s order, to out[0..4) as float32 (COSINE: cosineOf). */
@inline function exactDot4(
  metric: i32, q: usize, r0: usize, r1: usize, r2: usize, r3: usize, dim: i32, out: usize,
  qNorm: f64, n0: f64, n1: f64, n2: f64, n3: f64,
): void {
  let a0 = f64x2.splat(0), b0 = f64x2.splat(0), a1 = f64x2.splat(0), b1 = f64x2.splat(0);
  let a2 = f64x2.splat(0), b2 = f64x2.splat(0), a3 = f64x2.splat(0), b3 = f64x2.splat(0);
  const n4 = dim & ~3;
  let i = 0;
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

/**
 * l2x<f32> / ipx<f32> for four float32 rows against one query, each row's arithmetic in exactly
 * the single-row order (bit-identical). Values go to out[0..4) as float32; COSINE needs the query's
 * norm and the rows' squared norms (n0..n3).
 */
export function exact4(
  metric: i32, q: usize, r0: usize, r1: usize, r2: usize, r3: usize, dim: i32, out: usize,
  qNorm: f64, n0: f64, n1: f64, n2: f64, n3: f64,
): void {
  if (metric == L2) exactL2x4(q, r0, r1, r2, r3, dim, out);
  else exactDot4(metric, q, r0, r1, r2, r3, dim, out, qNorm, n0, n1, n2, n3);
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

@inline export function gatherBoundedT<T>(
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
