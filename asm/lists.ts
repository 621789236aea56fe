/**
 * Inverted-list kernels: sparse vectors (term at a time), IVF_SQ8 and IVF_PQ codes, list-order masks
 * (k-means assignment is in kmeans.ts).
 * Part of the kernels module (entry: kernels.ts).
 */
import { COS, IP, L2 } from './elements';
import { sqDist } from './metrics';
import { sq8Dot4, sq8L2x4 } from './rows4';

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
 * Then scores whose badness key (L2: the score; IP / COSINE: minus it) is above `thr` (the heap's
 * worst key; +Inf for none) become NaN: they could not enter the top-k, and the caller skips NaN
 * before reading the row id.
 */
export function sq8Scan(
  metric: i32, codes: usize, dim: i32, from: i32, to: i32, table: usize, base: f64, norms: usize, qNorm: f64, out: usize, thr: f64,
): void {
  sq8Scores(metric, codes, dim, from, to, table, base, norms, qNorm, out);
  if (thr == Infinity) return;
  const neg = metric != L2;
  for (let o = out, end = out + (<usize>(to - from) << 2); o < end; o += 4) {
    const v = load<f32>(o);
    if (<f64>(neg ? -v : v) > thr) store<f32>(o, NaN);
  }
}

@inline function sq8Scores(
  metric: i32, codes: usize, dim: i32, from: i32, to: i32, table: usize, base: f64, norms: usize, qNorm: f64, out: usize,
): void {
  let j = from, o = out;
  if ((dim & 15) == 0) {
    // Four rows at a time: four independent accumulator chains (one row's chain is latency-bound),
    // each in sqDist's order, so the scores are bit-identical to the one-row loop below.
    for (; j + 4 <= to; j += 4, o += 16) {
      const r = codes + <usize>j * <usize>dim, rb = <usize>dim;
      if (metric == L2) sq8L2x4(table, r, r + rb, r + 2 * rb, r + 3 * rb, dim, o);
      else sq8Dot4(table, r, r + rb, r + 2 * rb, r + 3 * rb, dim, o);
      if (metric == L2) continue;
      for (let i = 0; i < 4; i++) {
        const oi = o + (<usize>i << 2);
        let v = base + <f64>load<f32>(oi);
        if (metric == COS) {
          const den = qNorm * <f64>load<f32>(norms + (<usize>(j + i) << 2));
          v = den == 0 ? 0 : v / den;
          v = v > 1 ? 1 : v < -1 ? -1 : v;
        }
        store<f32>(oi, <f32>v);
      }
    }
  }
  for (; j < to; j++, o += 4) {
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
