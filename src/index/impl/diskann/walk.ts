/**
 * DISKANN's beam search over wasm memory (the kernels of asm/diskann-search.ts): the PQ codes, the
 * quantizer, the entry points and the node cache live in the index's own shared wasm memory
 * (resident.ts), and each walker has a lane there (visited stamps, query table, node buffers). The
 * same `Walker` runs on the main thread (index.ts) and on a WasmPool worker (task.ts): everything it
 * needs is plain numbers (`WalkShape`, `Lane`) plus a way to read a node's bytes at an image position,
 * so both give identical hits and scores. Steps as index.ts describes; per expanded node one
 * `diskannExpand` call stamps its unvisited neighbours and computes their PQ keys, and one
 * `diskannNodeKey` call its exact key.
 */
import { normSqF32 } from '../../kernels/dense.js';
import type { KernelExports } from '../../wasm/loader.js';
import type { MemoryTally } from '../../memory.js';
import { zeroShared } from '../../wasm/zero.js';
import { nodePosition } from './layout.js';
import { CandidateList, ResultList } from './search-state.js';

/** The kernels a walk calls (asm/diskann-search.ts); absent from an older kernels.wasm. */
export interface DiskAnnKernels extends KernelExports {
  diskannTable(offsets: number, centroids: number, m: number, q: number, ip: number, table: number): void;
  diskannPqKeys(table: number, codes: number, m: number, ids: number, n: number, out: number): void;
  diskannExpand(node: number, dim: number, visited: number, epoch: number, table: number, codes: number, m: number, outIds: number, outKeys: number): number;
  diskannNodeKey(metric: number, q: number, node: number, dim: number, qNorm: number): number;
}

export function diskAnnKernels(k: KernelExports): DiskAnnKernels | null {
  const r = k as unknown as Record<string, unknown>;
  const ok = ['diskannTable', 'diskannPqKeys', 'diskannExpand', 'diskannNodeKey'].every((name) => typeof r[name] === 'function');
  return ok ? (k as DiskAnnKernels) : null;
}

/** Metric codes of the walk (the image's): 0 L2, 1 IP, 2 COSINE. */
export const WALK_L2 = 0;
export const WALK_COSINE = 2;

/** An index's resident parts: pointers into its wasm memory and the image's geometry. */
export interface WalkShape {
  metric: number;
  dim: number;
  m: number;
  numRows: number;
  maxDegree: number;
  nodeBytes: number;
  nodesOffset: number;
  nodesPerSector: number;
  sectorsPerNode: number;
  medoid: number;
  codes: number;
  offsets: number;
  centroids: number;
  entries: number;
  entryCount: number;
  /** Cache slot of each row (i32, -1 = not cached) and the cached nodes, or 0 without a cache. */
  slotOf: number;
  cacheBuf: number;
}

/**
 * A walker's scratch in wasm memory, one allocation from `base`: a 16-byte header (u32 epoch of the
 * visited stamps), visited stamps (a byte per row), the query table (m x 256 f32), the query
 * and its unit vector (dim f32 each), neighbour ids (i32) and keys (f64) of one expansion, and
 * `beamCap` node buffers. Only one walk at a time uses a lane.
 */
export interface Lane {
  base: number;
  visited: number;
  table: number;
  q: number;
  unit: number;
  ids: number;
  keys: number;
  nodes: number;
  beamCap: number;
  bytes: number;
}

const LANE_HEADER_BYTES = 16;
const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** The layout of a lane at `base` (0 to size one). */
export function laneAt(s: WalkShape, base: number, beamCap: number): Lane {
  let at = base + LANE_HEADER_BYTES;
  const take = (bytes: number): number => { const p = at; at += align8(bytes); return p; };
  const visited = take(s.numRows), table = take(4 * 256 * s.m), q = take(4 * s.dim), unit = take(4 * s.dim);
  const ids = take(4 * s.maxDegree), keys = take(8 * s.maxDegree), nodes = take(beamCap * s.nodeBytes);
  return { base, visited, table, q, unit, ids, keys, nodes, beamCap, bytes: at - base };
}

/** Reads `into.length` image bytes at `position` into `into` (a view of the wasm memory). */
export type NodeReader = (into: Uint8Array, position: number) => void;

export interface WalkRequest {
  /** Candidate list length and its bound when grown (filtered walks), beam width (at most the lane's beamCap). */
  L: number;
  maxL: number;
  beamWidth: number;
  skipRerank: boolean;
  /** Rows the walk may return (non-zero bytes), each null for all. */
  filter: Uint8Array | null;
  valid: Uint8Array | null;
  /** Start at the best of every entry point (else the medoid alone). */
  allEntries: boolean;
}

interface Views { buffer: ArrayBufferLike; u8: Uint8Array; i32: Int32Array; f32: Float32Array; f64: Float64Array; u32: Uint32Array }

export class Walker {
  readonly results = new ResultList();
  private readonly beam: Int32Array;
  private readonly nodePtrs: Int32Array;
  private v: Views | null = null;

  constructor(
    private readonly k: DiskAnnKernels,
    private readonly memory: { readonly buffer: ArrayBufferLike },
    private readonly s: WalkShape,
    private readonly lane: Lane,
    private readonly read: NodeReader,
  ) {
    this.beam = new Int32Array(lane.beamCap);
    this.nodePtrs = new Int32Array(lane.beamCap);
  }

  /** Its JS scratch (the lane is in the wasm memory, counted whole by its owner). */
  countMemory(t: MemoryTally): void {
    t.array(this.beam).array(this.nodePtrs);
    this.results.countMemory(t);
  }

  private views(): Views {
    const buffer = this.memory.buffer;
    if (this.v === null || this.v.buffer !== buffer) {
      this.v = { buffer, u8: new Uint8Array(buffer), i32: new Int32Array(buffer), f32: new Float32Array(buffer), f64: new Float64Array(buffer), u32: new Uint32Array(buffer) };
    }
    return this.v;
  }

  /** Nodes read from the image, and found in the cache, by this walker's walks. */
  nodeReads = 0;
  cacheHits = 0;

  /** Put float32 query `qi` of `queries` in the lane; returns its Euclidean norm. */
  setQuery(queries: Float32Array, qi: number): number {
    const { dim, m, metric } = this.s;
    const { f32 } = this.views();
    const lane = this.lane;
    const q0 = lane.q >>> 2;
    f32.set(queries.subarray(qi * dim, (qi + 1) * dim), q0);
    const norm = Math.sqrt(normSqF32(f32, q0, dim));
    let tableQ = lane.q;
    if (metric === WALK_COSINE) {
      const u0 = lane.unit >>> 2, scale = norm === 0 ? 0 : 1 / norm;
      for (let j = 0; j < dim; j++) f32[u0 + j] = f32[q0 + j]! * scale;
      tableQ = lane.unit;
    }
    this.k.diskannTable(this.s.offsets, this.s.centroids, m, tableQ, metric === WALK_L2 ? 0 : 1, lane.table);
    return norm;
  }

  /** Beam search for the query in the lane (setQuery) into `results` (exact keys of the expanded, allowed rows). */
  walk(qNorm: number, r: WalkRequest): void {
    const s = this.s, lane = this.lane, k = this.k;
    const { dim, m, codes, medoid } = s;
    const v = this.views();
    const hdr = lane.base >>> 2;
    // Byte stamps: the visited bytes are zeroed again every 255 walks.
    let epoch = v.u32[hdr]! + 1;
    if (epoch === 256) {
      zeroShared(v.u8, v.f64, lane.visited, lane.visited + s.numRows);
      epoch = 1;
    }
    v.u32[hdr] = epoch;
    const cand = new CandidateList(r.L, r.maxL);
    const results = this.results;
    results.clear();
    const count = r.allEntries ? s.entryCount : Math.min(1, s.entryCount);
    let best = medoid, bestKey = Infinity;
    if (count > 0) {
      k.diskannPqKeys(lane.table, codes, m, s.entries, count, lane.keys);
      const e0 = s.entries >>> 2, k0 = lane.keys >>> 3;
      for (let i = 0; i < count; i++) {
        const key = v.f64[k0 + i]!;
        if (key < bestKey) { bestKey = key; best = v.i32[e0 + i]!; }
      }
    } else {
      v.i32[lane.ids >>> 2] = medoid;
      k.diskannPqKeys(lane.table, codes, m, lane.ids, 1, lane.keys);
      bestKey = v.f64[lane.keys >>> 3]!;
    }
    v.u8[lane.visited + best] = epoch;
    cand.offer(bestKey, best);
    const beam = this.beam, ptrs = this.nodePtrs, filter = r.filter, valid = r.valid;
    const width = Math.min(r.beamWidth, lane.beamCap);
    const beamView = width === beam.length ? beam : beam.subarray(0, width);
    for (;;) {
      const n = cand.takeBeam(beamView);
      if (n === 0) break;
      for (let b = 0; b < n; b++) ptrs[b] = this.node(beam[b]!, b, v);
      for (let b = 0; b < n; b++) {
        const row = beam[b]!, node = ptrs[b]!;
        if ((filter === null || filter[row] !== 0) && (valid === null || valid[row] !== 0)) {
          if (r.skipRerank) {
            v.i32[lane.ids >>> 2] = row;
            k.diskannPqKeys(lane.table, codes, m, lane.ids, 1, lane.keys);
            results.push(v.f64[lane.keys >>> 3]!, row);
          } else {
            results.push(k.diskannNodeKey(s.metric, lane.q, node, dim, qNorm), row);
          }
        } else {
          cand.grow();
        }
        const found = k.diskannExpand(node, dim, lane.visited, epoch, lane.table, codes, m, lane.ids, lane.keys);
        const i0 = lane.ids >>> 2, k0 = lane.keys >>> 3;
        for (let i = 0; i < found; i++) cand.offer(v.f64[k0 + i]!, v.i32[i0 + i]!);
      }
    }
  }

  /** Where node `row` is: its cache slot, else read into the lane's node buffer `b`. */
  private node(row: number, b: number, v: Views): number {
    const s = this.s;
    if (s.slotOf !== 0) {
      const slot = v.i32[(s.slotOf >>> 2) + row]!;
      if (slot >= 0) {
        this.cacheHits++;
        return s.cacheBuf + slot * s.nodeBytes;
      }
    }
    this.nodeReads++;
    const at = this.lane.nodes + b * s.nodeBytes;
    this.read(new Uint8Array(v.buffer, at, s.nodeBytes), nodePosition(s, row));
    return at;
  }
}
