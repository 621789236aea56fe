/**
 * The Vamana graph (DiskANN, Subramanya et al. 2019): one pass over the present rows in a seeded
 * random order; each row is searched for greedily from the medoid with a candidate list of
 * `searchListSize` (L), its out-edges are the robust prune of every node the search expanded, at most
 * `maxDegree` (R), kept in rounds at a rising alpha (1, then x1.2 up to alpha: DiskANN's occlude_list);
 * each new edge is mirrored, and a neighbour that overflows is pruned again.
 *
 * The build runs in an L2 space (`buildSpace`): the rows as given for L2, normalised for COSINE, and
 * for IP lifted by one dimension sqrt(M^2 - |x|^2) (M the largest norm), which turns maximum inner
 * product into nearest neighbour (a zero last component for queries keeps the order of -q.x).
 */
import { seededRandom } from '../../../core/random.js';
import { l2SqF32, normSqF32 } from '../../kernels/dense.js';
import type { VamanaGraph, VamanaParams } from './graph.js';
import { buildVamanaNative } from './native-build.js';
import { entryPoints } from './entries.js';

export type { VamanaGraph, VamanaParams } from './graph.js';

const BUILD_SEED = 0x7a3a;
/** Rows may gather this many times maxDegree edges before they are pruned back (DiskANN's slack). */
const GRAPH_SLACK = 1.3;
/** Passes over the rows and their prune alpha (one pass at the final alpha, as DiskANN builds today). */
const PASS_ALPHAS = [1.2];

/** The rows to build over as an L2 space: returns [data, dim]. */
export function buildSpace(x: Float32Array, n: number, dim: number, metric: 'L2' | 'IP' | 'COSINE'): [Float32Array, number] {
  if (metric === 'L2') return [x, dim];
  if (metric === 'COSINE') {
    const out = new Float32Array(n * dim);
    for (let r = 0; r < n; r++) {
      const norm = Math.sqrt(normSqF32(x, r * dim, dim));
      const s = norm === 0 ? 0 : 1 / norm;
      for (let i = 0; i < dim; i++) out[r * dim + i] = x[r * dim + i]! * s;
    }
    return [out, dim];
  }
  let max = 0;
  for (let r = 0; r < n; r++) max = Math.max(max, normSqF32(x, r * dim, dim));
  const out = new Float32Array(n * (dim + 1));
  for (let r = 0; r < n; r++) {
    out.set(x.subarray(r * dim, (r + 1) * dim), r * (dim + 1));
    out[r * (dim + 1) + dim] = Math.sqrt(Math.max(0, max - normSqF32(x, r * dim, dim)));
  }
  return [out, dim + 1];
}

/** The present row nearest (L2) to the mean of the present rows. */
function findMedoid(x: Float32Array, dim: number, rows: Int32Array): number {
  if (rows.length === 0) return -1;
  const mean64 = new Float64Array(dim);
  for (const r of rows) for (let i = 0; i < dim; i++) mean64[i] = mean64[i]! + x[r * dim + i]!;
  const mean = Float32Array.from(mean64, (v) => v / rows.length);
  let best = rows[0]!, bestD = Infinity;
  for (const r of rows) {
    const d = l2SqF32(mean, 0, x, r * dim, dim);
    if (d < bestD) { bestD = d; best = r; }
  }
  return best;
}

class Builder {
  readonly links: Int32Array;
  readonly degrees: Int32Array;
  /** Edge slots per row: maxDegree plus the slack. */
  readonly stride: number;
  private readonly stamp: Uint32Array;
  private epoch = 0;
  // Candidate list of the greedy search (sorted by key), and the nodes it expanded.
  private readonly candKeys: Float64Array;
  private readonly candIds: Int32Array;
  private readonly candDone: Uint8Array;
  private expKeys = new Float64Array(256);
  private expIds = new Int32Array(256);
  expanded = 0;
  private factor = new Float64Array(1024);
  alpha: number;
  private readonly nbKeys: Float64Array;
  private readonly nbIds: Int32Array;

  constructor(private readonly x: Float32Array, private readonly dim: number, n: number, private readonly p: VamanaParams) {
    this.alpha = p.alpha;
    this.stride = Math.ceil(p.maxDegree * GRAPH_SLACK);
    this.links = new Int32Array(n * this.stride);
    this.degrees = new Int32Array(n);
    this.stamp = new Uint32Array(n);
    this.candKeys = new Float64Array(p.searchListSize + 1);
    this.candIds = new Int32Array(p.searchListSize + 1);
    this.candDone = new Uint8Array(p.searchListSize + 1);
    this.nbKeys = new Float64Array(this.stride + 1);
    this.nbIds = new Int32Array(this.stride + 1);
  }

  /** Prune row j back to maxDegree (when the slack let it grow past). */
  trim(j: number): void {
    const deg = this.degrees[j]!, S = this.stride;
    if (deg <= this.p.maxDegree) return;
    for (let f = 0; f < deg; f++) { this.nbIds[f] = this.links[j * S + f]!; this.nbKeys[f] = this.dist(j, this.nbIds[f]!); }
    this.prune(j, this.nbIds, this.nbKeys, deg);
  }

  /** The edges with maxDegree slots per row. */
  compact(): Int32Array {
    const R = this.p.maxDegree, S = this.stride, n = this.degrees.length;
    const out = new Int32Array(n * R);
    for (let r = 0; r < n; r++) out.set(this.links.subarray(r * S, r * S + this.degrees[r]!), r * R);
    return out;
  }

  private dist(a: number, b: number): number {
    return l2SqF32(this.x, a * this.dim, this.x, b * this.dim, this.dim);
  }

  /** Greedy search for row `q` from `entry`; fills expKeys / expIds (unsorted) with every expanded node. */
  search(q: number, entry: number): void {
    const L = this.p.searchListSize, R = this.stride;
    const keys = this.candKeys, ids = this.candIds, done = this.candDone;
    this.epoch++;
    this.expanded = 0;
    let size = 1;
    keys[0] = this.dist(q, entry); ids[0] = entry; done[0] = 0;
    this.stamp[entry] = this.epoch;
    for (;;) {
      let i = 0;
      while (i < size && done[i] === 1) i++;
      if (i === size) break;
      done[i] = 1;
      const node = ids[i]!;
      this.pushExpanded(node, keys[i]!);
      const deg = this.degrees[node]!;
      for (let e = 0; e < deg; e++) {
        const nb = this.links[node * R + e]!;
        if (this.stamp[nb] === this.epoch) continue;
        this.stamp[nb] = this.epoch;
        const d = this.dist(q, nb);
        if (size === L && d >= keys[size - 1]!) continue;
        let at = size < L ? size++ : size - 1;
        while (at > 0 && keys[at - 1]! > d) {
          keys[at] = keys[at - 1]!; ids[at] = ids[at - 1]!; done[at] = done[at - 1]!;
          at--;
        }
        keys[at] = d; ids[at] = nb; done[at] = 0;
      }
    }
  }

  private pushExpanded(node: number, key: number): void {
    if (this.expanded === this.expIds.length) {
      const k = new Float64Array(this.expanded * 2); k.set(this.expKeys); this.expKeys = k;
      const i = new Int32Array(this.expanded * 2); i.set(this.expIds); this.expIds = i;
    }
    this.expKeys[this.expanded] = key;
    this.expIds[this.expanded++] = node;
  }

  /**
   * Robust prune of candidates (ids, keys = distance to p) into p's edges: DiskANN's occlude_list,
   * rounds at a rising alpha over occlusion factors (asm/vamana-build.ts `prune` says why).
   */
  prune(p: number, ids: Int32Array, keys: Float64Array, count: number): void {
    const R = this.p.maxDegree, S = this.stride, alpha = this.alpha;
    const order = Array.from({ length: count }, (_, i) => i).filter((i) => ids[i] !== p);
    order.sort((a, b) => keys[a]! - keys[b]! || ids[a]! - ids[b]!);
    if (this.factor.length < order.length) this.factor = new Float64Array(order.length * 2);
    const factor = this.factor;
    factor.fill(0, 0, order.length);
    let deg = 0;
    for (let cur = Math.min(1, alpha); cur <= alpha && deg < R; cur *= 1.2) {
      for (let a = 0; a < order.length && deg < R; a++) {
        if (factor[a]! > cur) continue;
        factor[a] = Infinity;
        const c = ids[order[a]!]!;
        this.links[p * S + deg++] = c;
        for (let b = a + 1; b < order.length; b++) {
          if (factor[b]! > alpha) continue;
          const djk = this.dist(c, ids[order[b]!]!);
          // A repeat of c (or a row at the same point) is never kept beside it.
          const f = djk === 0 ? Infinity : keys[order[b]!]! / djk;
          if (f > factor[b]!) factor[b] = f;
        }
      }
    }
    this.degrees[p] = deg;
  }

  insert(p: number, entry: number): void {
    this.search(p, entry);
    const R = this.stride;
    // Edges p already has (mirrored from rows inserted before it) compete with what the search found.
    for (let e = 0; e < this.degrees[p]!; e++) {
      const j = this.links[p * R + e]!;
      if (this.stamp[j] !== this.epoch) this.pushExpanded(j, this.dist(p, j));
    }
    this.prune(p, this.expIds, this.expKeys, this.expanded);
    const nbKeys = this.nbKeys, nbIds = this.nbIds;
    for (let e = 0; e < this.degrees[p]!; e++) {
      const j = this.links[p * R + e]!;
      const deg = this.degrees[j]!;
      let has = false;
      for (let f = 0; f < deg; f++) if (this.links[j * R + f] === p) { has = true; break; }
      if (has) continue;
      if (deg < R) { this.links[j * R + deg] = p; this.degrees[j] = deg + 1; continue; }
      for (let f = 0; f < deg; f++) { nbIds[f] = this.links[j * R + f]!; nbKeys[f] = this.dist(j, nbIds[f]!); }
      nbIds[deg] = p; nbKeys[deg] = this.dist(j, p);
      this.prune(j, nbIds, nbKeys, deg + 1);
    }
  }
}

/**
 * Build over `rows` (the present rows) of the n x dim L2 space `x`: in wasm on `threads` threads
 * (native-build.ts) when the kernels and the memory are there, else here in JS.
 */
export function buildVamana(x: Float32Array, dim: number, n: number, rows: Int32Array, p: VamanaParams, threads = 1): VamanaGraph {
  const medoid = findMedoid(x, dim, rows);
  const order = rows.slice();
  const random = seededRandom(BUILD_SEED);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!; order[i] = order[j]!; order[j] = t;
  }
  if (medoid >= 0) {
    const slots = Math.ceil(p.maxDegree * GRAPH_SLACK);
    const native = buildVamanaNative(x, dim, n, order, medoid, { ...p, alpha: PASS_ALPHAS[PASS_ALPHAS.length - 1]!, slots, threads });
    if (native !== null) return { ...native, entries: entryPoints(x, dim, rows, medoid) };
  }
  return { ...buildVamanaJs(x, dim, n, rows, order, medoid, p), entries: entryPoints(x, dim, rows, medoid) };
}

/** The JS builder (no wasm kernels): one thread, the same order, medoid, slack and prune. */
export function buildVamanaJs(x: Float32Array, dim: number, n: number, rows: Int32Array, order: Int32Array, medoid: number, p: VamanaParams): VamanaGraph {
  const b = new Builder(x, dim, n, p);
  for (const alpha of PASS_ALPHAS) {
    b.alpha = alpha;
    for (const r of order) b.insert(r, medoid);
  }
  for (const r of rows) b.trim(r);
  return { links: b.compact(), degrees: b.degrees, medoid, entries: Int32Array.of(medoid) };
}
