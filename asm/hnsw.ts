/**
 * HNSW in wasm: neighbour selection at build time, the layer-0 search with its heaps, filter
 * masks (`listMask`) and a whole query (`hnswSearch`).
 * Part of the kernels module (entry: kernels.ts).
 */
import { COS, F32, IP, L2, SQ } from './elements';
import { cosineOf, distance, floatDist, rowBytes } from './metrics';
import { ipf4, l2f4, sq8Dot4, sq8L2x4 } from './rows4';
import { gather } from './scans';

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
@inline export function fastKey(kind: i32, metric: i32, q: usize, base: usize, row: i32, dim: i32, qNorm: f64, norms: usize): f32 {
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
@inline export function minPush(keys: usize, ids: usize, size: i32, key: f32, id: i32): i32 {
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
@inline export function minPop(keys: usize, ids: usize, size: i32): i32 {
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
@inline export function maxPush(keys: usize, ids: usize, size: i32, key: f32, id: i32): i32 {
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

@inline export function maxPop(keys: usize, ids: usize, size: i32): i32 {
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

/**
 * Fast badness keys (as `fastKey`) of the `n` rows listed at `ids` into `out` (float32): float32
 * rows four at a time, other kinds one at a time.
 */
export function fastKeys(kind: i32, metric: i32, q: usize, base: usize, dim: i32, norms: usize, qNorm: f64, ids: usize, n: i32, out: usize): void {
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
  if (kind == SQ && (dim & 15) == 0) {
    // HNSW_SQ: four code rows at a time, each in sqDist's order (bit-identical to fastKey); one row's
    // accumulator chain alone is latency-bound. `qNorm` holds the query's constant (sqDist's qConst).
    const rb = <usize>dim;
    for (; i + 4 <= n; i += 4) {
      const p = ids + (<usize>i << 2), o = out + (<usize>i << 2);
      const r0 = base + <usize>load<i32>(p) * rb, r1 = base + <usize>load<i32>(p + 4) * rb;
      const r2 = base + <usize>load<i32>(p + 8) * rb, r3 = base + <usize>load<i32>(p + 12) * rb;
      if (metric == L2) {
        sq8L2x4(q, r0, r1, r2, r3, dim, o);
        continue;
      }
      sq8Dot4(q, r0, r1, r2, r3, dim, o);
      for (let j = 0; j < 4; j++) {
        const oj = o + (<usize>j << 2);
        let v = qNorm + <f64>load<f32>(oj);
        if (metric == COS) v = v > 1 ? 1 : v < -1 ? -1 : v;
        store<f32>(oj, -<f32>v);
      }
    }
  }
  for (; i < n; i++) {
    const row = load<i32>(ids + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), fastKey(kind, metric, q, base, row, dim, qNorm, norms));
  }
}

/**
 * Load one float of every 64-byte line of the `n` rows listed at `ids` (rows of `rb` bytes from
 * `base`), before their keys are computed: wasm has no prefetch, and the rows of a node's neighbours
 * are scattered over the whole column, so each first touch misses the cache. Issued together, the
 * misses overlap (the keys' loops, four rows at a time, keep only a few lines in flight). The sum
 * is stored at `sink` (4 bytes no one reads) so that the loads are kept. 1M x 128 HNSW, ef 256:
 * 1.2-1.6x the searches a second (bench/README.md, session 21).
 */
@inline export function touchRows(base: usize, rb: usize, ids: usize, n: i32, sink: usize): void {
  let acc: f32 = 0;
  for (let i = 0; i < n; i++) {
    const r = base + <usize>load<i32>(ids + (<usize>i << 2)) * rb;
    for (let o: usize = 0; o < rb; o += 64) acc += load<f32>(r + o);
  }
  store<f32>(sink, acc);
}

/**
 * HNSW best-first search of layer 0 from `ep` (badness `epKey`) keeping up to `ef` results, with
 * the fast kernels. With a `mask` (one byte per row, 0 = none), every node is traversed but only
 * rows whose byte is non-zero enter the results (as GraphSearcher.searchLayer's filter). `links`: per row `stride0` int32 (count, then neighbour ids).
 * `visited`: one byte per row, a row is visited when it holds `epoch` (1..255). `candKeys`/`candIds` hold up
 * to one entry per row; the results are left in `resKeys`/`resIds` (room for ef + 1) best-first
 * (ascending key, then id). `scratch` holds 16 + 8 * stride0 bytes; the number of expanded nodes is left
 * in its first int32 (bytes 4-11 take the touches' values, see `touchRows`). Returns the result count.
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
    // The next candidate's list, touched now: its miss overlaps this node's work.
    if (nc > 0) store<i32>(scratch + 4, load<i32>(links + <usize>load<i32>(candIds) * (<usize>stride0 << 2)));
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
    if (kind == F32) touchRows(base, <usize>dim << 2, batchIds, m, scratch + 8);
    else if (kind == SQ && (dim & 15) == 0) touchRows(base, <usize>dim, batchIds, m, scratch + 8);
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
