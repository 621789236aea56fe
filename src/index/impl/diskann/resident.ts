/**
 * A DISKANN index's wasm memory of its own (a WasmArena): the PQ codes, quantizer and entry points
 * copied in at open, the node cache filled there, and walker lanes (walk.ts). The main thread walks
 * with lane 0; pool searches take further lanes (one per task, kept for reuse), so a task's pointers
 * never meet another's. Releasing the index lets the whole memory go (workers are told to forget it).
 */
import { WasmArena } from '../../wasm/arena.js';
import { MAX_PAGES, PAGE_BYTES } from '../../wasm/loader.js';
import { forgetMemory } from '../../wasm/forget.js';
import { nodePosition, type ImageHeader, type ImageMemory } from './layout.js';
import { PQ_CODE_WORDS } from './pq.js';
import { NodeCache } from './search-state.js';
import { diskAnnKernels, laneAt, Walker, type DiskAnnKernels, type Lane, type NodeReader, type WalkShape } from './walk.js';

/** Node buffers of a lane: beams up to this wide (the default beamwidth, 8) share one lane size. */
const MIN_BEAM_CAP = 8;

/** A resident memory made before the image's codes are read, with their slot (`filled`: read there). */
export interface ResidentPlace {
  arena: WasmArena;
  k: DiskAnnKernels;
  codes: number;
  filled: boolean;
}

export class DiskAnnResident {
  readonly arena: WasmArena;
  readonly k: DiskAnnKernels;
  readonly shape: WalkShape;
  readonly cache: NodeCache;
  /** The main thread's walker (lane 0). */
  main: Walker;
  private mainLane: Lane;
  private readonly free: Lane[] = [];
  private released = false;

  private constructor(place: ResidentPlace, mem: ImageMemory, metricCode: number, cacheNodes: number, private readonly read: NodeReader) {
    const h = mem.header;
    const a = place.arena;
    this.arena = a;
    this.k = place.k;
    const codes = place.codes, offsets = a.alloc(4 * (h.m + 1)), centroids = a.alloc(4 * PQ_CODE_WORDS * h.dim);
    const entries = a.alloc(4 * mem.entries.length);
    if (!place.filled) a.u8.set(mem.codes, codes);
    a.u8.set(new Uint8Array(mem.pq.offsets.buffer, mem.pq.offsets.byteOffset, mem.pq.offsets.byteLength), offsets);
    a.f32.set(mem.pq.centroids, centroids >>> 2);
    a.i32.set(mem.entries, entries >>> 2);
    const cap = Math.max(0, Math.min(cacheNodes, h.numRows));
    const slotOf = cap > 0 ? a.alloc(4 * h.numRows) : 0, cacheBuf = cap > 0 ? a.alloc(cap * h.nodeBytes) : 0;
    this.shape = {
      metric: metricCode, dim: h.dim, m: h.m, numRows: h.numRows, maxDegree: h.maxDegree, nodeBytes: h.nodeBytes,
      nodesOffset: h.nodesOffset, nodesPerSector: h.nodesPerSector, sectorsPerNode: h.sectorsPerNode, medoid: h.medoid,
      codes, offsets, centroids, entries, entryCount: mem.entries.length, slotOf, cacheBuf,
    };
    const buf = a.memory.buffer;
    this.cache = new NodeCache(h.numRows, h.nodeBytes, cap, cap > 0
      ? { slotOf: new Int32Array(buf, slotOf, h.numRows), buf: new Uint8Array(buf, cacheBuf, cap * h.nodeBytes) }
      : undefined);
    this.cache.fill(mem.entries, h.dim, (row, into) => read(into, nodePosition(this.shape, row)));
    this.mainLane = this.newLane(MIN_BEAM_CAP);
    this.main = new Walker(place.k, a.memory, this.shape, this.mainLane, read);
  }

  /**
   * The memory for an index with header `h` and its slot for the codes, or null without the wasm
   * kernels: the image's codes are read straight into it (layout.ts `readMemory`).
   */
  static place(h: ImageHeader, cacheNodes: number): ResidentPlace | null {
    const cap = Math.max(0, Math.min(cacheNodes, h.numRows));
    const entryCount = h.version >= 2 ? h.entryCount : h.medoid < 0 ? 0 : 1;
    const codeBytes = h.numRows * h.m;
    const bytes = codeBytes + 4 * PQ_CODE_WORDS * h.dim + 4 * (h.m + 1) + 4 * entryCount
      + (cap > 0 ? 4 * h.numRows + cap * h.nodeBytes : 0) + laneAt(walkShapeOf(h, entryCount), 0, MIN_BEAM_CAP).bytes;
    // Page 0 is never handed out; further lanes grow the memory when pool searches need them.
    const pages = Math.ceil(bytes / PAGE_BYTES) + 1;
    if (pages > MAX_PAGES) return null;
    const arena = WasmArena.create(pages, MAX_PAGES);
    if (arena === null) return null;
    const k = diskAnnKernels(arena.k);
    if (k === null) return null;
    return { arena, k, codes: arena.alloc(codeBytes), filled: false };
  }

  /**
   * The resident parts of an index over `mem` in `place` (made by `place`; its codes are there when
   * `filled`, else copied from mem's, which the caller may then drop), or null without the wasm kernels.
   */
  static create(mem: ImageMemory, metricCode: number, cacheNodes: number, read: NodeReader, place: ResidentPlace | null = DiskAnnResident.place(mem.header, cacheNodes)): DiskAnnResident | null {
    if (place === null) return null;
    return new DiskAnnResident(place, mem, metricCode, cacheNodes, read);
  }

  /** Bytes of the wasm memory (codes, cache, lanes, and free room the arena keeps). */
  get sizeBytes(): number {
    return this.arena.sizeBytes;
  }

  /** The main walker, with room for beams `beamWidth` wide. */
  walker(beamWidth: number): Walker {
    if (beamWidth > this.mainLane.beamCap) {
      this.arena.release(this.mainLane.base);
      this.mainLane = this.newLane(beamWidth);
      this.main = new Walker(this.k, this.arena.memory, this.shape, this.mainLane, this.read);
    }
    return this.main;
  }

  /** A lane for one pool task (give it back with `giveBack` once the task is over). */
  takeLane(beamWidth: number): Lane {
    const i = this.free.findIndex((l) => l.beamCap >= beamWidth);
    if (i >= 0) return this.free.splice(i, 1)[0]!;
    return this.newLane(beamWidth);
  }

  giveBack(lane: Lane): void {
    if (!this.released) this.free.push(lane);
  }

  /** The memory is no longer searched: workers drop their kernels over it. */
  release(): void {
    if (this.released) return;
    this.released = true;
    forgetMemory(this.arena.memory);
  }

  private newLane(beamWidth: number): Lane {
    const cap = Math.max(MIN_BEAM_CAP, beamWidth);
    const size = laneAt(this.shape, 0, cap).bytes;
    const base = this.arena.alloc(size);
    this.arena.zero(base, size);
    return laneAt(this.shape, base, cap);
  }
}

/** The shape's sizes (pointers 0), for sizing a lane before the memory exists. */
function walkShapeOf(h: ImageHeader, entryCount: number): WalkShape {
  return {
    metric: 0, dim: h.dim, m: h.m, numRows: h.numRows, maxDegree: h.maxDegree, nodeBytes: h.nodeBytes,
    nodesOffset: h.nodesOffset, nodesPerSector: h.nodesPerSector, sectorsPerNode: h.sectorsPerNode, medoid: h.medoid,
    codes: 0, offsets: 0, centroids: 0, entries: 0, entryCount, slotOf: 0, cacheBuf: 0,
  };
}
