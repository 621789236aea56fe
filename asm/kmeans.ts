/**
 * k-means kernels of index builds: the nearest of k centroids for blocks of rows (IVF's coarse
 * training and list assignment, DISKANN's PQ training and codes), on every build thread.
 * Part of the kernels module (entry: kernels.ts).
 *
 * Keys are float32 in the dot-product form faiss uses: key(c) = norms[c] - scale * <x, c> (L2:
 * norms = |c|^2, scale 2, the row's own |x|^2 does not move the argmin; IP: norms 0, scale 1).
 * Centroids are held in panels of 8: panel p is dim x 8 floats, dimension-major, so one pass over
 * a row's dims scores 8 centroids for 4 rows at once (8 SIMD accumulators). Padding centroids (k up
 * to a multiple of 8) have norms +Infinity and are never chosen. Ties go to the smaller index.
 *
 * A job (`kmeansRun`) is described by a context block (int32 fields below) that every thread reads;
 * threads take KM_CHUNK rows at a time from its atomic counter. A job has m chunks of dims (m = 1 for
 * the coarse quantizer; DISKANN's PQ: chunk j covers dims [offsets[j], offsets[j + 1])), each with its
 * own k centroids: chunk j's panels start at panels + 4 * kPad * offsets[j], its norms at
 * norms + 4 * kPad * j. Outputs: int32 per row (outBytes 4, m = 1; returns rows changed via the
 * context's `changed`), or one byte per row and chunk at out + row * m + j (outBytes 1, PQ codes).
 */

const PANEL: i32 = 8;

/* Context fields (byte offsets). */
const C_X = 0;        // rows: n x stride float32
const C_N = 4;
const C_STRIDE = 8;   // floats per row
const C_M = 12;
const C_OFFSETS = 16; // m + 1 int32
const C_PANELS = 20;
const C_NORMS = 24;
const C_K = 28;
const C_SCALE = 32;   // float32
const C_OUT = 36;
const C_OUT_BYTES = 40;
const C_NEXT = 44;
const C_CHANGED = 48;
const C_CHUNK = 52;   // rows taken at a time

/** Rows [from, to) of the context's job (every chunk). Returns how many int32 outputs changed. */
function runRows(ctx: usize, from: i32, to: i32): i32 {
  const x = <usize>load<i32>(ctx + C_X), stride = load<i32>(ctx + C_STRIDE), m = load<i32>(ctx + C_M);
  const offsets = <usize>load<i32>(ctx + C_OFFSETS), panels = <usize>load<i32>(ctx + C_PANELS);
  const norms = <usize>load<i32>(ctx + C_NORMS), k = load<i32>(ctx + C_K), scale = load<f32>(ctx + C_SCALE);
  const out = <usize>load<i32>(ctx + C_OUT), outBytes = load<i32>(ctx + C_OUT_BYTES);
  const kPad = (k + PANEL - 1) & ~(PANEL - 1);
  let changed = 0;
  for (let j = 0; j < m; j++) {
    const lo = load<i32>(offsets + (<usize>j << 2)), w = load<i32>(offsets + (<usize>(j + 1) << 2)) - lo;
    changed += nearest(
      x + ((<usize>from * <usize>stride + <usize>lo) << 2), to - from, stride, w,
      panels + ((<usize>kPad * <usize>lo) << 2), norms + ((<usize>kPad * <usize>j) << 2), kPad, scale,
      outBytes == 4 ? out + (<usize>from << 2) : out + <usize>from * <usize>m + <usize>j, outBytes == 4 ? 4 : m, outBytes,
    );
  }
  return changed;
}

/**
 * This thread's share of the job: chunks of rows from the counter until none is left. Returns the
 * rows it did; adds its changed outputs to the context's `changed`.
 */
export function kmeansRun(ctx: usize): i32 {
  const n = load<i32>(ctx + C_N), chunk = load<i32>(ctx + C_CHUNK);
  let done = 0, changed = 0;
  for (;;) {
    const from = atomic.add<i32>(ctx + C_NEXT, chunk);
    if (from >= n) break;
    const to = min(n, from + chunk);
    changed += runRows(ctx, from, to);
    done += to - from;
  }
  atomic.add<i32>(ctx + C_CHANGED, changed);
  return done;
}

@inline function put(out: usize, i: i32, outStride: i32, outBytes: i32, v: i32): i32 {
  const o = out + <usize>i * <usize>outStride;
  if (outBytes == 1) {
    store<u8>(o, <u8>v);
    return 0;
  }
  const old = load<i32>(o);
  store<i32>(o, v);
  return old != v ? 1 : 0;
}

/**
 * out[i] = index of the nearest centroid of row i (rows at x, `stride` floats apart, `dim` used),
 * for n rows; kPad centroids in panels. Returns how many int32 outputs changed.
 */
function nearest(x: usize, n: i32, stride: i32, dim: i32, panels: usize, norms: usize, kPad: i32, scale: f32, out: usize, outStride: i32, outBytes: i32): i32 {
  const rs = <usize>stride << 2, ps = <usize>dim << 5;
  const np = kPad / PANEL;
  const s = f32x4.splat(scale);
  const lanes = i32x4(0, 1, 2, 3);
  let changed = 0;
  for (let i = 0; i < n; i += 4) {
    const r0 = x + <usize>i * rs;
    const r1 = i + 1 < n ? r0 + rs : r0, r2 = i + 2 < n ? r0 + 2 * rs : r0, r3 = i + 3 < n ? r0 + 3 * rs : r0;
    let bk0 = f32x4.splat(Infinity), bk1 = bk0, bk2 = bk0, bk3 = bk0;
    let bi0 = i32x4.splat(0), bi1 = bi0, bi2 = bi0, bi3 = bi0;
    for (let p = 0; p < np; p++) {
      const pb = panels + <usize>p * ps;
      let a00 = f32x4.splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
      for (let d = 0; d < dim; d++) {
        const cp = pb + (<usize>d << 5), xo = <usize>d << 2;
        const c0 = v128.load(cp), c1 = v128.load(cp, 16);
        const x0 = v128.load32_splat(r0 + xo), x1 = v128.load32_splat(r1 + xo);
        a00 = f32x4.add(a00, f32x4.mul(x0, c0)); a01 = f32x4.add(a01, f32x4.mul(x0, c1));
        a10 = f32x4.add(a10, f32x4.mul(x1, c0)); a11 = f32x4.add(a11, f32x4.mul(x1, c1));
        const x2 = v128.load32_splat(r2 + xo), x3 = v128.load32_splat(r3 + xo);
        a20 = f32x4.add(a20, f32x4.mul(x2, c0)); a21 = f32x4.add(a21, f32x4.mul(x2, c1));
        a30 = f32x4.add(a30, f32x4.mul(x3, c0)); a31 = f32x4.add(a31, f32x4.mul(x3, c1));
      }
      const nb = norms + (<usize>p << 5);
      const n0 = v128.load(nb), n1 = v128.load(nb, 16);
      const i0 = i32x4.add(lanes, i32x4.splat(p * PANEL)), i1 = i32x4.add(i0, i32x4.splat(4));
      // key = norms - scale * dot; then the better of the panel's two halves against the best so far.
      let k0 = f32x4.sub(n0, f32x4.mul(s, a00)), k1 = f32x4.sub(n1, f32x4.mul(s, a01));
      let m = f32x4.lt(k1, k0);
      let kk = v128.bitselect(k1, k0, m), ii = v128.bitselect(i1, i0, m);
      let b = f32x4.lt(kk, bk0);
      bk0 = v128.bitselect(kk, bk0, b); bi0 = v128.bitselect(ii, bi0, b);
      k0 = f32x4.sub(n0, f32x4.mul(s, a10)); k1 = f32x4.sub(n1, f32x4.mul(s, a11));
      m = f32x4.lt(k1, k0); kk = v128.bitselect(k1, k0, m); ii = v128.bitselect(i1, i0, m);
      b = f32x4.lt(kk, bk1); bk1 = v128.bitselect(kk, bk1, b); bi1 = v128.bitselect(ii, bi1, b);
      k0 = f32x4.sub(n0, f32x4.mul(s, a20)); k1 = f32x4.sub(n1, f32x4.mul(s, a21));
      m = f32x4.lt(k1, k0); kk = v128.bitselect(k1, k0, m); ii = v128.bitselect(i1, i0, m);
      b = f32x4.lt(kk, bk2); bk2 = v128.bitselect(kk, bk2, b); bi2 = v128.bitselect(ii, bi2, b);
      k0 = f32x4.sub(n0, f32x4.mul(s, a30)); k1 = f32x4.sub(n1, f32x4.mul(s, a31));
      m = f32x4.lt(k1, k0); kk = v128.bitselect(k1, k0, m); ii = v128.bitselect(i1, i0, m);
      b = f32x4.lt(kk, bk3); bk3 = v128.bitselect(kk, bk3, b); bi3 = v128.bitselect(ii, bi3, b);
    }
    changed += put(out, i, outStride, outBytes, lane(bk0, bi0));
    if (i + 1 < n) changed += put(out, i + 1, outStride, outBytes, lane(bk1, bi1));
    if (i + 2 < n) changed += put(out, i + 2, outStride, outBytes, lane(bk2, bi2));
    if (i + 3 < n) changed += put(out, i + 3, outStride, outBytes, lane(bk3, bi3));
  }
  return changed;
}

/** The index in `bi` of the smallest key in `bk` (ties: the smaller index; NaN keys never win). */
@inline function lane(bk: v128, bi: v128): i32 {
  let bestK = f32x4.extract_lane(bk, 0), best = i32x4.extract_lane(bi, 0);
  let kk = f32x4.extract_lane(bk, 1), id = i32x4.extract_lane(bi, 1);
  if (kk < bestK || (kk == bestK && id < best)) { bestK = kk; best = id; }
  kk = f32x4.extract_lane(bk, 2); id = i32x4.extract_lane(bi, 2);
  if (kk < bestK || (kk == bestK && id < best)) { bestK = kk; best = id; }
  kk = f32x4.extract_lane(bk, 3); id = i32x4.extract_lane(bi, 3);
  if (kk < bestK || (kk == bestK && id < best)) { bestK = kk; best = id; }
  return best;
}

/**
 * One k-means++ step: minD[i] = min(minD[i], |x_i - c|^2) for rows [0, n) (`stride` floats apart,
 * `dim` used; float32 distances, float64 minima); returns the sum of minD in row order.
 */
export function kmeansSeedStep(x: usize, n: i32, stride: i32, dim: i32, c: usize, minD: usize): f64 {
  const rs = <usize>stride << 2, d4 = dim & ~3;
  let total: f64 = 0;
  for (let i = 0, r = x, o = minD; i < n; i++, r += rs, o += 8) {
    let acc = f32x4.splat(0);
    let d = 0;
    for (; d < d4; d += 4) {
      const t = f32x4.sub(v128.load(r + (<usize>d << 2)), v128.load(c + (<usize>d << 2)));
      acc = f32x4.add(acc, f32x4.mul(t, t));
    }
    let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
    for (; d < dim; d++) {
      const t = load<f32>(r + (<usize>d << 2)) - load<f32>(c + (<usize>d << 2));
      s += t * t;
    }
    const m = min(load<f64>(o), <f64>s);
    store<f64>(o, m);
    total += m;
  }
  return total;
}
