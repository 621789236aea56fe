/**
 * HNSW construction in wasm, by several threads into one graph (hnswlib's insertion, neighbour
 * heuristic and locking): every thread instantiates the module over the same shared memory and calls
 * `hnswBuildRun` with the graph's context block and a scratch block of its own; rows are taken from
 * an atomic counter in chunks. Each row has a spin lock (one int32); a node's lists (every level) are
 * read by copying them under its lock and changed only under it, and no thread holds two node locks.
 * A row whose level is above the graph's top takes the global lock for its whole insertion (rare), so
 * the entry point only ever moves up. The graph's top level is always the entry's own level.
 * Part of the kernels module (entry: kernels.ts).
 */
import { COS, F32, L2 } from './elements';
import { distance, rowBytes } from './metrics';
import { fastKey, fastKeys, maxPop, maxPush, minPop, minPush, touchRows } from './hnsw';
import { gi, gp, lock, unlock } from './build-space';

/* Graph context block: int32 fields at these byte offsets (written by src/index/impl/hnsw/native-build.ts). */
const G_KIND = 0, G_METRIC = 4, G_DIM = 8, G_BASE = 12, G_NORMS = 16, G_LINKS = 20, G_STRIDE0 = 24;
const G_UPPER = 28, G_UPPER_BASE = 32, G_STRIDEU = 36, G_LEVELS = 40, G_LOCKS = 44, G_M = 48, G_EFC = 52;
const G_ROWS = 56, G_PRESENT = 60, G_ENTRY = 64, G_FIRST = 68, G_GLOBAL = 72, G_NEXT = 76, G_DONE = 80;
const G_CHUNK = 84;

/* Thread scratch block: int32 fields (pointers into the memory, and the visited epoch). */
const T_VISITED = 0, T_EPOCH = 4, T_CAND_KEYS = 8, T_CAND_IDS = 12, T_RES_KEYS = 16, T_RES_IDS = 20;
const T_BATCH_IDS = 24, T_BATCH_KEYS = 28, T_SEL_IDS = 32, T_SEL_KEYS = 36, T_PRUNE_IDS = 40, T_PRUNE_KEYS = 44;
const T_PSEL_IDS = 48, T_PSEL_KEYS = 52, T_GREEDY_KEY = 56, T_SINK = 60;

@inline function listAt(g: usize, level: i32, row: i32): usize {
  if (level == 0) return gp(g, G_LINKS) + <usize>row * (<usize>gi(g, G_STRIDE0) << 2);
  const block = load<i32>(gp(g, G_UPPER_BASE) + (<usize>row << 2)) + level - 1;
  return gp(g, G_UPPER) + <usize>block * (<usize>gi(g, G_STRIDEU) << 2);
}

/** Copy `row`'s list at `level` to `dst` under its lock; returns the count. */
function copyList(g: usize, level: i32, row: i32, dst: usize): i32 {
  const lp = gp(g, G_LOCKS) + (<usize>row << 2);
  const src = listAt(g, level, row);
  lock(lp);
  const count = load<i32>(src);
  memory.copy(dst, src + 4, <usize>count << 2);
  unlock(lp);
  return count;
}

/** Badness from the stored row `a` (the query: pointer q, norm qNorm) to row `b`, fast kernels. */
@inline function keyOf(g: usize, q: usize, qNorm: f64, b: i32): f32 {
  return fastKey(gi(g, G_KIND), gi(g, G_METRIC), q, gp(g, G_BASE), b, gi(g, G_DIM), qNorm, gp(g, G_NORMS));
}

@inline function rowPtr(g: usize, row: i32): usize {
  return gp(g, G_BASE) + <usize>row * <usize>rowBytes(gi(g, G_KIND), gi(g, G_DIM));
}

@inline function rowNorm(g: usize, row: i32): f64 {
  return gi(g, G_METRIC) == COS ? Math.sqrt(load<f64>(gp(g, G_NORMS) + (<usize>row << 3))) : 0;
}

/** Greedy descent on `level` from `ep`; returns the node reached (its key is left at T_GREEDY_KEY). */
function greedy(g: usize, t: usize, q: usize, qNorm: f64, level: i32, ep: i32, epKeyIn: f32): i32 {
  const ids = gp(t, T_BATCH_IDS), keys = gp(t, T_BATCH_KEYS);
  let cur = ep, curKey = epKeyIn;
  let changed = true;
  while (changed) {
    changed = false;
    const count = copyList(g, level, cur, ids);
    fastKeys(gi(g, G_KIND), gi(g, G_METRIC), q, gp(g, G_BASE), gi(g, G_DIM), gp(g, G_NORMS), qNorm, ids, count, keys);
    for (let i = 0; i < count; i++) {
      const d = load<f32>(keys + (<usize>i << 2));
      if (d < curKey) { curKey = d; cur = load<i32>(ids + (<usize>i << 2)); changed = true; }
    }
  }
  store<f32>(t + T_GREEDY_KEY, curKey);
  return cur;
}

/**
 * Best-first search of `level` from `ep` keeping `ef` results; leaves them best-first (ascending key,
 * then id) in the thread's result arrays and returns their count.
 */
function searchLevel(g: usize, t: usize, q: usize, qNorm: f64, level: i32, ep: i32, epKey: f32, ef: i32): i32 {
  const visited = gp(t, T_VISITED);
  const epoch = load<u32>(t + T_EPOCH) + 1;
  store<u32>(t + T_EPOCH, epoch);
  const candKeys = gp(t, T_CAND_KEYS), candIds = gp(t, T_CAND_IDS);
  const resKeys = gp(t, T_RES_KEYS), resIds = gp(t, T_RES_IDS);
  const ids = gp(t, T_BATCH_IDS), keys = gp(t, T_BATCH_KEYS);
  store<u32>(visited + (<usize>ep << 2), epoch);
  let nc = minPush(candKeys, candIds, 0, epKey, ep);
  let nr = maxPush(resKeys, resIds, 0, epKey, ep);
  let lower = epKey;
  while (nc > 0) {
    if (load<f32>(candKeys) > lower && nr >= ef) break;
    const c = load<i32>(candIds);
    nc = minPop(candKeys, candIds, nc);
    const count = copyList(g, level, c, ids);
    let m = 0;
    for (let i = 0; i < count; i++) {
      const nb = load<i32>(ids + (<usize>i << 2));
      const vp = visited + (<usize>nb << 2);
      if (load<u32>(vp) == epoch) continue;
      store<u32>(vp, epoch);
      store<i32>(ids + (<usize>m << 2), nb);
      m++;
    }
    if (gi(g, G_KIND) == F32) touchRows(gp(g, G_BASE), <usize>gi(g, G_DIM) << 2, ids, m, t + T_SINK);
    fastKeys(gi(g, G_KIND), gi(g, G_METRIC), q, gp(g, G_BASE), gi(g, G_DIM), gp(g, G_NORMS), qNorm, ids, m, keys);
    for (let i = 0; i < m; i++) {
      const d = load<f32>(keys + (<usize>i << 2));
      if (nr < ef || d < lower) {
        const nb = load<i32>(ids + (<usize>i << 2));
        nc = minPush(candKeys, candIds, nc, d, nb);
        nr = maxPush(resKeys, resIds, nr, d, nb);
        if (nr > ef) nr = maxPop(resKeys, resIds, nr);
        lower = load<f32>(resKeys);
      }
    }
  }
  for (let n = nr; n > 1; n--) {
    const k = load<f32>(resKeys), id = load<i32>(resIds);
    maxPop(resKeys, resIds, n);
    store<f32>(resKeys + (<usize>(n - 1) << 2), k);
    store<i32>(resIds + (<usize>(n - 1) << 2), id);
  }
  return nr;
}

/**
 * hnswlib's heuristic over `n` candidates sorted ascending (ids / f32 keys): keep one unless a kept
 * neighbour is closer to it than its key; writes the kept ones to outIds / outKeys, returns how many.
 */
function select(g: usize, ids: usize, keys: usize, n: i32, m: i32, outIds: usize, outKeys: usize): i32 {
  let k = 0;
  const kind = gi(g, G_KIND), metric = gi(g, G_METRIC), dim = gi(g, G_DIM), base = gp(g, G_BASE), norms = gp(g, G_NORMS);
  for (let i = 0; i < n && k < m; i++) {
    const e = load<i32>(ids + (<usize>i << 2));
    const de = load<f32>(keys + (<usize>i << 2));
    let good = true;
    if (n > m) {
      const q = rowPtr(g, e), qNorm = rowNorm(g, e);
      for (let j = 0; j < k; j++) {
        const v = <f32>distance(kind, metric, 1, q, base, load<i32>(outIds + (<usize>j << 2)), dim, qNorm, norms);
        if ((metric == L2 ? v : -v) < de) { good = false; break; }
      }
    }
    if (good) {
      store<i32>(outIds + (<usize>k << 2), e);
      store<f32>(outKeys + (<usize>k << 2), de);
      k++;
    }
  }
  return k;
}

/** Add `row` (key `key` from `target`) to `target`'s list at `level` under its lock, pruning when full. */
function addLink(g: usize, t: usize, target: i32, row: i32, key: f32, level: i32): void {
  const lp = gp(g, G_LOCKS) + (<usize>target << 2);
  const list = listAt(g, level, target);
  const max = level == 0 ? gi(g, G_STRIDE0) - 1 : gi(g, G_STRIDEU) - 1;
  lock(lp);
  const count = load<i32>(list);
  if (count < max) {
    store<i32>(list + 4 + (<usize>count << 2), row);
    store<i32>(list, count + 1);
    unlock(lp);
    return;
  }
  const ids = gp(t, T_PRUNE_IDS), keys = gp(t, T_PRUNE_KEYS);
  memory.copy(ids, list + 4, <usize>count << 2);
  fastKeys(gi(g, G_KIND), gi(g, G_METRIC), rowPtr(g, target), gp(g, G_BASE), gi(g, G_DIM), gp(g, G_NORMS), rowNorm(g, target), ids, count, keys);
  store<i32>(ids + (<usize>count << 2), row);
  store<f32>(keys + (<usize>count << 2), key);
  const n = count + 1;
  // Insertion sort by (key, id): at most 2M + 1 entries.
  for (let i = 1; i < n; i++) {
    const k = load<f32>(keys + (<usize>i << 2)), id = load<i32>(ids + (<usize>i << 2));
    let j = i - 1;
    while (j >= 0) {
      const kj = load<f32>(keys + (<usize>j << 2)), ij = load<i32>(ids + (<usize>j << 2));
      if (kj < k || (kj == k && ij < id)) break;
      store<f32>(keys + (<usize>(j + 1) << 2), kj);
      store<i32>(ids + (<usize>(j + 1) << 2), ij);
      j--;
    }
    store<f32>(keys + (<usize>(j + 1) << 2), k);
    store<i32>(ids + (<usize>(j + 1) << 2), id);
  }
  const outIds = gp(t, T_PSEL_IDS), outKeys = gp(t, T_PSEL_KEYS);
  const kept = select(g, ids, keys, n, max, outIds, outKeys);
  memory.copy(list + 4, outIds, <usize>kept << 2);
  store<i32>(list, kept);
  unlock(lp);
}

/** Insert one row (present, not the first entry point). */
function insertRow(g: usize, t: usize, row: i32): void {
  const level = <i32>load<u8>(gp(g, G_LEVELS) + <usize>row);
  const globalLock = g + G_GLOBAL;
  let ep = atomic.load<i32>(g + G_ENTRY);
  let top = <i32>load<u8>(gp(g, G_LEVELS) + <usize>ep);
  let holding = false;
  if (level > top) {
    lock(globalLock);
    holding = true;
    ep = atomic.load<i32>(g + G_ENTRY);
    top = <i32>load<u8>(gp(g, G_LEVELS) + <usize>ep);
    if (level <= top) { unlock(globalLock); holding = false; }
  }
  const q = rowPtr(g, row), qNorm = rowNorm(g, row);
  let epKey = keyOf(g, q, qNorm, ep);
  for (let l = top; l > level; l--) {
    ep = greedy(g, t, q, qNorm, l, ep, epKey);
    epKey = load<f32>(t + T_GREEDY_KEY);
  }
  const M = gi(g, G_M), efC = gi(g, G_EFC);
  const selIds = gp(t, T_SEL_IDS), selKeys = gp(t, T_SEL_KEYS);
  const lp = gp(g, G_LOCKS) + (<usize>row << 2);
  for (let l = (level < top ? level : top); l >= 0; l--) {
    const n = searchLevel(g, t, q, qNorm, l, ep, epKey, efC);
    const resIds = gp(t, T_RES_IDS), resKeys = gp(t, T_RES_KEYS);
    ep = load<i32>(resIds);
    epKey = load<f32>(resKeys);
    const k = select(g, resIds, resKeys, n, M, selIds, selKeys);
    const own = listAt(g, l, row);
    lock(lp);
    memory.copy(own + 4, selIds, <usize>k << 2);
    store<i32>(own, k);
    unlock(lp);
    for (let i = 0; i < k; i++) {
      addLink(g, t, load<i32>(selIds + (<usize>i << 2)), row, load<f32>(selKeys + (<usize>i << 2)), l);
    }
  }
  if (holding) {
    atomic.store<i32>(g + G_ENTRY, row);
    unlock(globalLock);
  }
}

/**
 * Insert rows taken from the graph's counter, `chunk` at a time, until none are left; returns how many
 * this thread inserted. Rows whose `present` byte is 0 and the initial entry point are skipped (they
 * still count as done). The done counter (G_DONE) is the build's progress.
 */
export function hnswBuildRun(g: usize, t: usize): i32 {
  const n = gi(g, G_ROWS), chunk = gi(g, G_CHUNK), present = gp(g, G_PRESENT);
  const first = gi(g, G_FIRST);
  let inserted = 0;
  while (true) {
    const from = atomic.add<i32>(g + G_NEXT, chunk);
    if (from >= n) break;
    const to = from + chunk < n ? from + chunk : n;
    for (let row = from; row < to; row++) {
      if (row == first || (present != 0 && load<u8>(present + <usize>row) == 0)) continue;
      insertRow(g, t, row);
      inserted++;
    }
    atomic.add<i32>(g + G_DONE, to - from);
  }
  return inserted;
}
