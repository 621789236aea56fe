/**
 * HNSW construction in wasm (asm/hnsw-build.ts `hnswBuildRun`), on this thread and `threads - 1`
 * helper threads inserting into the same graph in the space's shared wasm memory (hnswlib's scheme:
 * a spin lock per node, a global lock only for a row above the graph's top level). Rows, links,
 * levels, locks and every thread's scratch live in that memory; the helpers instantiate the kernels
 * over it (native-build-helper.ts). The call is synchronous: this thread inserts too, then waits for
 * the helpers that started (Atomics.wait on a counter in the memory), so an index build stays one
 * synchronous step on its build thread. With one thread the graph is a pure function of the data and
 * parameters (rows inserted in id order); with more, the order of insertions varies between runs.
 */
import { Worker } from 'node:worker_threads';
import { workerExecArgv } from '../../../core/worker-flags.js';
import { errors } from '../../../core/errors.js';
import { buildKernels, CTX, CTX_BYTES, type BuildKernels, type HelperData } from './native-build-ctx.js';
import { assignLevels, HnswGraph } from './graph.js';
import type { HnswBuildParams } from './build.js';
import type { WasmSpace } from './wasm-space.js';

/** Thread scratch block fields (int32 index; 14 and 15 are the kernel's own: the greedy key and a sink for touched rows). */
const T = {
  visited: 0, epoch: 1, candKeys: 2, candIds: 3, resKeys: 4, resIds: 5, batchIds: 6, batchKeys: 7,
  selIds: 8, selKeys: 9, pruneIds: 10, pruneKeys: 11, pselIds: 12, pselKeys: 13,
} as const;
const T_BYTES = 64;
/** Rows a thread takes from the counter at a time (small: neighbouring rows land on one thread). */
const CHUNK_ROWS = 16;
/** Segments below this many rows are built on one thread. */
export const PARALLEL_MIN_ROWS = 10_000;
/** How long the waiting thread sleeps between looks at the helpers' counter. */
const WAIT_SLICE_MS = 20;

export interface NativeBuildParams extends HnswBuildParams {
  /** Inserting threads, this one included (>= 1). */
  threads: number;
}

/** What a native build did: rows inserted by the helper threads, and how many helpers ran. */
export interface NativeBuildStats { helperRows: number; helpers: number }

/**
 * The graph built natively over `space`, or null when the kernels or the memory are missing (the
 * caller builds in JS). Rows with `present[row] === 0` are left out.
 */
export function buildGraphNative(
  space: WasmSpace, present: Uint8Array | null, p: NativeBuildParams, stats?: NativeBuildStats,
): HnswGraph | null {
  const arena = space.memoryArena;
  const k = buildKernels(arena.k);
  if (k === null || !space.hasRows) return null;
  const numRows = space.numRows;
  const levels = assignLevels(numRows, p.M, p.seed, present);
  let graph: HnswGraph;
  try {
    graph = new HnswGraph(numRows, p.M, levels, (length) => space.linkStorage(length));
  } catch {
    return null;
  }
  if (!space.ownsLinks(graph.layer0) || !space.ownsLinks(graph.upper) || !space.ownsLinks(graph.upperBase)) return null;
  let first = 0;
  while (first < numRows && present !== null && present[first] === 0) first++;
  if (first === numRows) return graph;
  // Below PARALLEL_MIN_ROWS a build takes well under a second: one thread, and the graph stays a pure
  // function of the data (helpers cost a thread start and a module instance each).
  const threads = numRows < PARALLEL_MIN_ROWS ? 1 : Math.max(1, p.threads);
  const allocs: number[] = [];
  try {
    const ctx = setUp(space, graph, present, p, first, allocs);
    const blocks: number[] = [];
    for (let i = 0; i < threads; i++) blocks.push(threadScratch(space, graph, p.efConstruction, allocs));
    run(space, k, ctx, blocks);
    const at = ctx >>> 2;
    const entry = arena.i32[at + CTX.entry]!;
    if (stats !== undefined) { stats.helperRows = arena.i32[at + CTX.helperRows]!; stats.helpers = arena.i32[at + CTX.started]!; }
    graph.entryPoint = entry;
    graph.maxLevel = levels[entry]!;
  } finally {
    for (const a of allocs) space.free(a);
  }
  return graph;
}

function zeroed(space: WasmSpace, bytes: number, allocs: number[]): number {
  const ptr = space.alloc(bytes);
  allocs.push(ptr);
  space.zero(ptr, bytes);
  return ptr;
}

/** The context block, with the levels, locks and present bytes it points to. */
function setUp(space: WasmSpace, graph: HnswGraph, present: Uint8Array | null, p: HnswBuildParams, first: number, allocs: number[]): number {
  const n = graph.numRows;
  const ctx = zeroed(space, CTX_BYTES, allocs);
  const levels = zeroed(space, n, allocs);
  space.u8.set(graph.levels, levels);
  const locks = zeroed(space, n * 4, allocs);
  let presentPtr = 0;
  if (present !== null) {
    presentPtr = zeroed(space, n, allocs);
    space.u8.set(present.subarray(0, n), presentPtr);
  }
  const rows = space.taskRows();
  const c = space.i32, at = ctx >>> 2;
  const put = (field: number, v: number): void => { c[at + field] = v; };
  put(CTX.kind, rows.kind); put(CTX.metric, rows.metric); put(CTX.dim, rows.dim);
  put(CTX.base, rows.base); put(CTX.norms, rows.norms);
  put(CTX.links, graph.layer0.byteOffset); put(CTX.stride0, graph.stride0);
  put(CTX.upper, graph.upper.byteOffset); put(CTX.upperBase, graph.upperBase.byteOffset); put(CTX.strideU, graph.strideU);
  put(CTX.levels, levels); put(CTX.locks, locks); put(CTX.M, p.M); put(CTX.efC, Math.max(1, p.efConstruction));
  put(CTX.rows, n); put(CTX.present, presentPtr); put(CTX.entry, first); put(CTX.first, first);
  put(CTX.chunk, CHUNK_ROWS);
  return ctx;
}

/** One thread's scratch: visited stamps, heaps, neighbour batches and selections. */
function threadScratch(space: WasmSpace, graph: HnswGraph, efC: number, allocs: number[]): number {
  const n = graph.numRows, wide = graph.maxM0 + 2;
  const block = zeroed(space, T_BYTES, allocs);
  const sizes: [number, number][] = [
    [T.visited, n * 4], [T.candKeys, (n + 1) * 4], [T.candIds, (n + 1) * 4],
    [T.resKeys, (efC + 2) * 4], [T.resIds, (efC + 2) * 4], [T.batchIds, wide * 4], [T.batchKeys, wide * 4],
    [T.selIds, wide * 4], [T.selKeys, wide * 4], [T.pruneIds, wide * 4], [T.pruneKeys, wide * 4],
    [T.pselIds, wide * 4], [T.pselKeys, wide * 4],
  ];
  for (const [field, bytes] of sizes) space.i32[(block >>> 2) + field] = zeroed(space, bytes, allocs);
  return block;
}

/** This thread and the helpers insert; returns when every helper that started has finished. */
function run(space: WasmSpace, k: BuildKernels, ctx: number, blocks: number[]): void {
  const arena = space.memoryArena;
  const helpers: Worker[] = [];
  for (let i = 1; i < blocks.length; i++) {
    const data: HelperData = { module: arena.module, memory: arena.memory, ctx, scratch: blocks[i]! };
    const w = new Worker(new URL('./native-build-helper.js', import.meta.url), { workerData: data, execArgv: workerExecArgv() });
    w.unref();
    w.on('error', () => { /* counted through the context's failed flag, or it never started */ });
    helpers.push(w);
  }
  try {
    k.hnswBuildRun(ctx, blocks[0]!);
    const c = new Int32Array(arena.memory.buffer, ctx, CTX_BYTES / 4);
    for (;;) {
      const finished = Atomics.load(c, CTX.finished);
      if (finished === Atomics.load(c, CTX.started)) break;
      Atomics.wait(c, CTX.finished, finished, WAIT_SLICE_MS);
    }
    if (Atomics.load(c, CTX.failed) !== 0) throw errors.internal('HNSW build: a helper thread failed');
  } finally {
    for (const w of helpers) void w.terminate();
  }
}
