/**
 * DISKANN's Vamana graph built in wasm (src/index/impl/diskann/vamana.ts describes the algorithm and
 * keeps the JS builder it mirrors), by several threads into one graph: every thread instantiates the
 * module over the same shared memory and calls `vamanaBuildRun` with the graph's context block and a
 * scratch block of its own; positions in the insertion order are taken from an atomic counter in
 * chunks. Rows are float32 in an L2 space (squared distances, float32 lanes). Each row has a spin
 * lock (one int32); a list is read by copying it under its lock and changed only under it, and no
 * thread holds two locks (hnswlib's scheme, as asm/hnsw-build.ts). `vamanaTrimRun` then prunes every
 * row left above maxDegree by the slack, again from a counter.
 * Part of the kernels module (entry: kernels.ts).
 */
import { fastKey, fastKeys } from './hnsw';
import { gi, gp, lock, unlock } from './build-space';

const F32K = 0, L2M = 0;

/* Graph context block: int32 fields at these byte offsets (written by src/index/impl/diskann/native-build.ts). */
const G_DIM = 0, G_BASE = 4, G_LINKS = 8, G_STRIDE = 12, G_R = 16, G_L = 20, G_ALPHA = 24, G_ROWS = 28;
const G_ORDER = 32, G_COUNT = 36, G_LOCKS = 40, G_MEDOID = 44, G_NEXT = 48, G_DONE = 52, G_CHUNK = 56;
const G_TRIM_NEXT = 72;

/* Thread scratch block: int32 fields (pointers into the memory, the visited epoch, capacities). */
const T_VISITED = 0, T_EPOCH = 4, T_CAND_KEYS = 8, T_CAND_IDS = 12, T_CAND_DONE = 16, T_EXP_KEYS = 20;
const T_EXP_IDS = 24, T_EXP_CAP = 28, T_BATCH_IDS = 32, T_BATCH_KEYS = 36, T_BATCH_AT = 40, T_FACTOR = 44;
const T_OUT = 48;

@inline function listAt(g: usize, row: i32): usize {
  return gp(g, G_LINKS) + <usize>row * (<usize>gi(g, G_STRIDE) << 2);
}
@inline function lockAt(g: usize, row: i32): usize {
  return gp(g, G_LOCKS) + (<usize>row << 2);
}
@inline function rowPtr(g: usize, row: i32): usize {
  return gp(g, G_BASE) + <usize>row * (<usize>gi(g, G_DIM) << 2);
}
@inline function dist(g: usize, a: i32, b: i32): f32 {
  return fastKey(F32K, L2M, rowPtr(g, a), gp(g, G_BASE), b, gi(g, G_DIM), 0, 0);
}
@inline function keysOf(g: usize, q: usize, ids: usize, n: i32, out: usize): void {
  fastKeys(F32K, L2M, q, gp(g, G_BASE), gi(g, G_DIM), 0, 0, ids, n, out);
}

/** Copy `row`'s list (count, then ids) to `dst` under its lock; returns the count. */
function copyList(g: usize, row: i32, dst: usize): i32 {
  const lp = lockAt(g, row), src = listAt(g, row);
  lock(lp);
  const count = load<i32>(src);
  memory.copy(dst, src + 4, <usize>count << 2);
  unlock(lp);
  return count;
}

/**
 * Greedy search for row `p` from the medoid with a candidate list of L (sorted by key, then id);
 * every expanded node is appended to the thread's expanded arrays (up to their capacity less one
 * list, which the caller's own edges may still need). Returns the number expanded.
 */
function search(g: usize, t: usize, p: i32): i32 {
  const L = gi(g, G_L), medoid = gi(g, G_MEDOID);
  const visited = gp(t, T_VISITED);
  const epoch = load<u32>(t + T_EPOCH) + 1;
  store<u32>(t + T_EPOCH, epoch);
  const keys = gp(t, T_CAND_KEYS), ids = gp(t, T_CAND_IDS), done = gp(t, T_CAND_DONE);
  const expKeys = gp(t, T_EXP_KEYS), expIds = gp(t, T_EXP_IDS);
  const expMax = gi(t, T_EXP_CAP) - gi(g, G_STRIDE);
  const bIds = gp(t, T_BATCH_IDS), bKeys = gp(t, T_BATCH_KEYS);
  const q = rowPtr(g, p);
  let size = 1, expanded = 0, first = 0;
  store<f32>(keys, dist(g, p, medoid));
  store<i32>(ids, medoid);
  store<u8>(done, 0);
  store<u32>(visited + (<usize>medoid << 2), epoch);
  while (expanded < expMax) {
    let i = first;
    while (i < size && load<u8>(done + <usize>i) == 1) i++;
    first = i;
    if (i == size) break;
    store<u8>(done + <usize>i, 1);
    const node = load<i32>(ids + (<usize>i << 2));
    store<f32>(expKeys + (<usize>expanded << 2), load<f32>(keys + (<usize>i << 2)));
    store<i32>(expIds + (<usize>expanded << 2), node);
    expanded++;
    const count = copyList(g, node, bIds);
    let m = 0;
    for (let e = 0; e < count; e++) {
      const nb = load<i32>(bIds + (<usize>e << 2));
      const vp = visited + (<usize>nb << 2);
      if (load<u32>(vp) == epoch) continue;
      store<u32>(vp, epoch);
      store<i32>(bIds + (<usize>m << 2), nb);
      m++;
    }
    keysOf(g, q, bIds, m, bKeys);
    for (let e = 0; e < m; e++) {
      const d = load<f32>(bKeys + (<usize>e << 2));
      const nb = load<i32>(bIds + (<usize>e << 2));
      if (size == L && d >= load<f32>(keys + (<usize>(size - 1) << 2))) continue;
      let at = size < L ? size++ : size - 1;
      while (at > 0 && load<f32>(keys + (<usize>(at - 1) << 2)) > d) {
        store<f32>(keys + (<usize>at << 2), load<f32>(keys + (<usize>(at - 1) << 2)));
        store<i32>(ids + (<usize>at << 2), load<i32>(ids + (<usize>(at - 1) << 2)));
        store<u8>(done + <usize>at, load<u8>(done + <usize>(at - 1)));
        at--;
      }
      store<f32>(keys + (<usize>at << 2), d);
      store<i32>(ids + (<usize>at << 2), nb);
      store<u8>(done + <usize>at, 0);
      if (at < first) first = at;
    }
  }
  return expanded;
}

/**
 * Robust prune of `count` candidates (ids / f32 keys = squared distance to `p`, sorted here by key
 * then id; `p` itself and repeats are skipped) into at most R ids at `out`; returns how many.
 * DiskANN's occlude_list: each candidate b carries an occlusion factor, the largest d(p, b) / d(c, b)
 * over the kept c; rounds at a rising alpha (1, then x1.2 up to the build's alpha) keep, in key
 * order, every candidate whose factor is within the round's alpha. The first round (alpha 1) keeps
 * the most spread-out edges, later rounds fill the list up; one sweep at the final alpha would fill
 * R with near neighbours first and lose the long edges that make the graph navigable. The
 * distances from each kept candidate to the ones still in play are computed as one batch.
 */
function prune(g: usize, t: usize, p: i32, ids: usize, keys: usize, count: i32, out: usize): i32 {
  const R = gi(g, G_R), alpha = load<f32>(g + G_ALPHA);
  for (let i = 1; i < count; i++) {
    const k = load<f32>(keys + (<usize>i << 2)), id = load<i32>(ids + (<usize>i << 2));
    let j = i - 1;
    while (j >= 0) {
      const kj = load<f32>(keys + (<usize>j << 2)), ij = load<i32>(ids + (<usize>j << 2));
      if (kj < k || (kj == k && ij <= id)) break;
      store<f32>(keys + (<usize>(j + 1) << 2), kj);
      store<i32>(ids + (<usize>(j + 1) << 2), ij);
      j--;
    }
    store<f32>(keys + (<usize>(j + 1) << 2), k);
    store<i32>(ids + (<usize>(j + 1) << 2), id);
  }
  const factor = gp(t, T_FACTOR), bIds = gp(t, T_BATCH_IDS), bKeys = gp(t, T_BATCH_KEYS), bAt = gp(t, T_BATCH_AT);
  memory.fill(factor, 0, <usize>count << 2);
  const cap = gi(g, G_STRIDE);
  let deg = 0;
  let cur: f32 = alpha < 1 ? alpha : 1;
  while (cur <= alpha && deg < R) {
    for (let a = 0; a < count && deg < R; a++) {
      const fa = factor + (<usize>a << 2);
      if (load<f32>(fa) > cur) continue;
      store<f32>(fa, Infinity);
      const c = load<i32>(ids + (<usize>a << 2));
      if (c == p) continue;
      store<i32>(out + (<usize>deg << 2), c);
      deg++;
      if (deg == R) break;
      // Batch the candidates after a still within alpha (the batch arrays hold a list's worth at a time).
      let b = a + 1;
      while (b < count) {
        let m = 0;
        for (; b < count && m < cap; b++) {
          if (load<f32>(factor + (<usize>b << 2)) > alpha) continue;
          store<i32>(bIds + (<usize>m << 2), load<i32>(ids + (<usize>b << 2)));
          store<i32>(bAt + (<usize>m << 2), b);
          m++;
        }
        keysOf(g, rowPtr(g, c), bIds, m, bKeys);
        for (let e = 0; e < m; e++) {
          const at = load<i32>(bAt + (<usize>e << 2)), fb = factor + (<usize>at << 2);
          const djk = load<f32>(bKeys + (<usize>e << 2));
          // A repeat of c (or a row at the same point) is never kept beside it.
          const f: f32 = djk == 0 ? Infinity : load<f32>(keys + (<usize>at << 2)) / djk;
          if (f > load<f32>(fb)) store<f32>(fb, f);
        }
      }
    }
    cur *= 1.2;
  }
  return deg;
}

/** Prune row j's list (held locked by the caller, `count` ids at list + 4) plus `extra` (-1: none) back to R. */
function pruneList(g: usize, t: usize, j: i32, list: usize, count: i32, extra: i32): void {
  const ids = gp(t, T_EXP_IDS), keys = gp(t, T_EXP_KEYS), out = gp(t, T_OUT);
  memory.copy(ids, list + 4, <usize>count << 2);
  let n = count;
  if (extra >= 0) { store<i32>(ids + (<usize>n << 2), extra); n++; }
  keysOf(g, rowPtr(g, j), ids, n, keys);
  const deg = prune(g, t, j, ids, keys, n, out);
  memory.copy(list + 4, out, <usize>deg << 2);
  store<i32>(list, deg);
}

/** Insert row p: search, prune what the search expanded (and p's edges so far), mirror each edge. */
function insertRow(g: usize, t: usize, p: i32): void {
  let n = search(g, t, p);
  const expKeys = gp(t, T_EXP_KEYS), expIds = gp(t, T_EXP_IDS), visited = gp(t, T_VISITED);
  const epoch = load<u32>(t + T_EPOCH);
  const bIds = gp(t, T_BATCH_IDS), bKeys = gp(t, T_BATCH_KEYS);
  // Edges p already has (mirrored from rows inserted before it) compete with what the search found.
  const own = copyList(g, p, bIds);
  let m = 0;
  for (let e = 0; e < own; e++) {
    const j = load<i32>(bIds + (<usize>e << 2));
    if (load<u32>(visited + (<usize>j << 2)) == epoch) continue;
    store<i32>(bIds + (<usize>m << 2), j);
    m++;
  }
  keysOf(g, rowPtr(g, p), bIds, m, bKeys);
  memory.copy(expIds + (<usize>n << 2), bIds, <usize>m << 2);
  memory.copy(expKeys + (<usize>n << 2), bKeys, <usize>m << 2);
  n += m;
  const out = gp(t, T_OUT);
  const deg = prune(g, t, p, expIds, expKeys, n, out);
  const lp = lockAt(g, p), list = listAt(g, p);
  lock(lp);
  memory.copy(list + 4, out, <usize>deg << 2);
  store<i32>(list, deg);
  unlock(lp);
  // Mirror: out is overwritten by pruneList, so walk a copy (the batch ids).
  memory.copy(bIds, out, <usize>deg << 2);
  const slots = gi(g, G_STRIDE) - 1;
  for (let e = 0; e < deg; e++) {
    const j = load<i32>(bIds + (<usize>e << 2));
    const jl = listAt(g, j), jp = lockAt(g, j);
    lock(jp);
    const count = load<i32>(jl);
    let has = false;
    for (let f = 0; f < count; f++) if (load<i32>(jl + 4 + (<usize>f << 2)) == p) { has = true; break; }
    if (!has) {
      if (count < slots) {
        store<i32>(jl + 4 + (<usize>count << 2), p);
        store<i32>(jl, count + 1);
      } else {
        // pruneList needs the batch arrays free: keep the rest of p's edges in the expanded arrays' tail.
        pruneMirror(g, t, j, jl, count, p);
      }
    }
    unlock(jp);
  }
}

/** pruneList for a mirror target, without disturbing the caller's edge list in the batch ids. */
function pruneMirror(g: usize, t: usize, j: i32, jl: usize, count: i32, p: i32): void {
  const bIds = gp(t, T_BATCH_IDS), stride = gi(g, G_STRIDE);
  const cap = gi(t, T_EXP_CAP);
  // The expanded arrays hold at least 3 lists; keep the caller's edges in their last list.
  const saved = gp(t, T_EXP_IDS) + (<usize>(cap - stride) << 2);
  memory.copy(saved, bIds, <usize>stride << 2);
  pruneList(g, t, j, jl, count, p);
  memory.copy(bIds, saved, <usize>stride << 2);
}

/**
 * Insert the rows at positions taken from the counter (`chunk` at a time) of the order list until
 * none are left; returns how many this thread inserted.
 */
export function vamanaBuildRun(g: usize, t: usize): i32 {
  const n = gi(g, G_COUNT), chunk = gi(g, G_CHUNK), order = gp(g, G_ORDER);
  let inserted = 0;
  while (true) {
    const from = atomic.add<i32>(g + G_NEXT, chunk);
    if (from >= n) break;
    const to = from + chunk < n ? from + chunk : n;
    for (let i = from; i < to; i++) {
      insertRow(g, t, load<i32>(order + (<usize>i << 2)));
      inserted++;
    }
    atomic.add<i32>(g + G_DONE, to - from);
  }
  return inserted;
}

/** Prune every row of the order list whose list is above R back to R (positions from the counter). */
export function vamanaTrimRun(g: usize, t: usize): i32 {
  const n = gi(g, G_COUNT), chunk = gi(g, G_CHUNK), order = gp(g, G_ORDER), R = gi(g, G_R);
  let trimmed = 0;
  while (true) {
    const from = atomic.add<i32>(g + G_TRIM_NEXT, chunk);
    if (from >= n) break;
    const to = from + chunk < n ? from + chunk : n;
    for (let i = from; i < to; i++) {
      const row = load<i32>(order + (<usize>i << 2));
      const list = listAt(g, row);
      const count = load<i32>(list);
      if (count <= R) continue;
      pruneList(g, t, row, list, count, -1);
      trimmed++;
    }
  }
  return trimmed;
}
