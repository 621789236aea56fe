/**
 * DISKANN search kernels (src/index/impl/diskann/walk.ts): the query's PQ table, the PQ keys of a
 * node's unvisited neighbours in one call (codes resident in wasm memory), and the exact re-rank key
 * of a node's full-precision row. Part of the kernels module (entry: kernels.ts).
 *
 * A node is the image's layout (layout.ts): float32[dim] row, u32 degree, i32[degree] neighbours.
 * Table and key arithmetic is float64 over float32 values in the order of pq.ts (queryTable, pqKey),
 * so keys equal the JS reference's bit for bit.
 */
import { IP, L2 } from './elements';
import { cosineOf, ipx, l2x } from './metrics';

/** Code words per PQ chunk (pq.ts PQ_CODE_WORDS). */
const WORDS: usize = 256;

/**
 * The query's table (m x 256 float32): per chunk j (dims [offsets[j], offsets[j + 1])) and code word,
 * the squared L2 distance of the query's part to the word, or minus their inner product when ip != 0.
 */
export function diskannTable(offsets: usize, centroids: usize, m: i32, q: usize, ip: i32, table: usize): void {
  for (let j = 0; j < m; j++) {
    const lo = <usize>load<u32>(offsets + (<usize>j << 2));
    const w = <usize>load<u32>(offsets + (<usize>(j + 1) << 2)) - lo;
    const qj = q + (lo << 2);
    const t = table + ((<usize>j * WORDS) << 2);
    let at = centroids + ((lo * WORDS) << 2);
    if (w == 2) {
      const q0 = <f64>load<f32>(qj), q1 = <f64>load<f32>(qj + 4);
      for (let c: usize = 0; c < WORDS; c++, at += 8) {
        const v0 = <f64>load<f32>(at), v1 = <f64>load<f32>(at + 4);
        let s: f64;
        if (ip != 0) s = -(q0 * v0 + q1 * v1);
        else {
          const a = q0 - v0, b = q1 - v1;
          s = a * a + b * b;
        }
        store<f32>(t + (c << 2), <f32>s);
      }
      continue;
    }
    for (let c: usize = 0; c < WORDS; c++, at += w << 2) {
      let s: f64 = 0;
      for (let i: usize = 0; i < w; i++) {
        const x = <f64>load<f32>(qj + (i << 2)), v = <f64>load<f32>(at + (i << 2));
        if (ip != 0) s += x * v;
        else {
          const d = x - v;
          s += d * d;
        }
      }
      store<f32>(t + (c << 2), <f32>(ip != 0 ? -s : s));
    }
  }
}

/** PQ key of the row whose m codes are at `c`: table entries summed in four lanes (j mod 4), the tail into lane 0. */
@inline function pqKeyAt(table: usize, c: usize, m: i32): f64 {
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  const m4 = m & ~3;
  let t = table;
  let j = 0;
  for (; j < m4; j += 4, t += WORDS << 4) {
    const w = load<u32>(c + <usize>j);
    s0 += <f64>load<f32>(t + (<usize>(w & 0xff) << 2));
    s1 += <f64>load<f32>(t + (WORDS << 2) + (<usize>((w >>> 8) & 0xff) << 2));
    s2 += <f64>load<f32>(t + (WORDS << 3) + (<usize>((w >>> 16) & 0xff) << 2));
    s3 += <f64>load<f32>(t + (WORDS * 12) + (<usize>(w >>> 24) << 2));
  }
  for (; j < m; j++, t += WORDS << 2) s0 += <f64>load<f32>(t + (<usize>load<u8>(c + <usize>j) << 2));
  return s0 + s1 + s2 + s3;
}

/**
 * The PQ keys of the rows whose codes are at `a` and `b` into out and out + 8, each summed as pqKeyAt sums it:
 * two rows in one pass keep twice the code misses in flight.
 */
@inline function pqKeyPair(table: usize, a: usize, b: usize, m: i32, out: usize): void {
  let a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, b0: f64 = 0, b1: f64 = 0, b2: f64 = 0, b3: f64 = 0;
  const m4 = m & ~3;
  let t = table;
  let j = 0;
  for (; j < m4; j += 4, t += WORDS << 4) {
    const w = load<u32>(a + <usize>j), x = load<u32>(b + <usize>j);
    a0 += <f64>load<f32>(t + (<usize>(w & 0xff) << 2));
    b0 += <f64>load<f32>(t + (<usize>(x & 0xff) << 2));
    a1 += <f64>load<f32>(t + (WORDS << 2) + (<usize>((w >>> 8) & 0xff) << 2));
    b1 += <f64>load<f32>(t + (WORDS << 2) + (<usize>((x >>> 8) & 0xff) << 2));
    a2 += <f64>load<f32>(t + (WORDS << 3) + (<usize>((w >>> 16) & 0xff) << 2));
    b2 += <f64>load<f32>(t + (WORDS << 3) + (<usize>((x >>> 16) & 0xff) << 2));
    a3 += <f64>load<f32>(t + (WORDS * 12) + (<usize>(w >>> 24) << 2));
    b3 += <f64>load<f32>(t + (WORDS * 12) + (<usize>(x >>> 24) << 2));
  }
  for (; j < m; j++, t += WORDS << 2) {
    a0 += <f64>load<f32>(t + (<usize>load<u8>(a + <usize>j) << 2));
    b0 += <f64>load<f32>(t + (<usize>load<u8>(b + <usize>j) << 2));
  }
  store<f64>(out, a0 + a1 + a2 + a3);
  store<f64>(out + 8, b0 + b1 + b2 + b3);
}

/**
 * Touches the cache lines of the m codes at `c` so that their misses overlap the keys being summed (wasm has no
 * prefetch; a load whose value is dropped is kept, since it may trap). A walk keys random rows, whose codes are
 * not in the cache: at m = 384 a key cost ~600 ns against ~170 ns with the codes cached; touched AHEAD rows
 * early and summed two a pass, ~330 ns (a 1M x 768 DISKANN search: 5.3-6.2 -> 3.5-4.3 ms CPU).
 */
@inline function touchCodes(c: usize, m: i32): void {
  for (let j: usize = 0; j < <usize>m; j += 64) load<u8>(c + j);
  // A row that does not start on a line boundary ends in one more line.
  load<u8>(c + <usize>m - 1);
}

/** Rows ahead whose codes are touched. */
const AHEAD = 4;

/** PQ keys (float64) of the n rows listed at `ids` (i32) into `out`, two at a time, the codes of the rows AHEAD further on touched first. */
export function diskannPqKeys(table: usize, codes: usize, m: i32, ids: usize, n: i32, out: usize): void {
  const um = <usize>m;
  for (let i = 0; i < n && i < AHEAD; i++) touchCodes(codes + <usize>load<i32>(ids + (<usize>i << 2)) * um, m);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    for (let a = i + AHEAD; a < i + AHEAD + 2 && a < n; a++) touchCodes(codes + <usize>load<i32>(ids + (<usize>a << 2)) * um, m);
    const ra = <usize>load<i32>(ids + (<usize>i << 2)), rb = <usize>load<i32>(ids + (<usize>(i + 1) << 2));
    pqKeyPair(table, codes + ra * um, codes + rb * um, m, out + (<usize>i << 3));
  }
  if (i < n) store<f64>(out + (<usize>i << 3), pqKeyAt(table, codes + <usize>load<i32>(ids + (<usize>i << 2)) * um, m));
}

/**
 * The neighbours of the node at `node` not yet stamped `epoch` (1..255) in `visited` (a byte per row): each is
 * stamped, listed at outIds (i32) with its PQ key at outKeys (f64). Returns how many were listed.
 */
export function diskannExpand(
  node: usize, dim: i32, visited: usize, epoch: u32, table: usize, codes: usize, m: i32, outIds: usize, outKeys: usize,
): i32 {
  const links = node + (<usize>dim << 2);
  const deg = load<i32>(links);
  let n = 0;
  for (let e = 0; e < deg; e++) {
    const nb = <usize>load<i32>(links + 4 + (<usize>e << 2));
    const v = visited + nb;
    if (load<u8>(v) == epoch) continue;
    store<u8>(v, <u8>epoch);
    store<i32>(outIds + (<usize>n << 2), <i32>nb);
    n++;
  }
  diskannPqKeys(table, codes, m, outIds, n, outKeys);
  return n;
}

/**
 * Exact badness key of the node's row against the float32 query at q (index.ts exactKey): squared
 * L2, minus the inner product, or minus the cosine (qNorm = the query's Euclidean norm), as float32.
 */
export function diskannNodeKey(metric: i32, q: usize, node: usize, dim: i32, qNorm: f64): f64 {
  if (metric == L2) return <f64><f32>l2x<f32>(q, node, dim);
  const dot = ipx<f32>(q, node, dim);
  if (metric == IP) return -<f64><f32>dot;
  return -<f64><f32>cosineOf(dot, qNorm, ipx<f32>(node, node, dim));
}
