/**
 * The Vamana graph built in wasm (asm/vamana-build.ts), on this thread and `threads - 1` helper
 * threads inserting into the same graph in a shared wasm memory of the build's own (the rows, the
 * lists, a lock per row and every thread's scratch; it goes with the build). The insertion order,
 * the medoid, the slack and the final trim are those of the JS builder (vamana.ts); distances are
 * the float32 SIMD kernels. Like the HNSW build (hnsw/native-build.ts) the call is synchronous: this
 * thread inserts too, then waits for the helpers that started (Atomics.wait on a counter). With one
 * thread the graph is a pure function of the data and parameters; with more, insertions interleave.
 */
import { Worker } from 'node:worker_threads';
import { workerExecArgv } from '../../../core/worker-flags.js';
import { errors } from '../../../core/errors.js';
import { WasmArena } from '../../wasm/arena.js';
import {
  buildKernels, CTX, CTX_BYTES, FAILED, FINISHED, PHASE_SLOTS, STARTED, T, T_BYTES, type HelperData, type VamanaKernels, type VamanaPhase,
} from './native-build-ctx.js';
import type { VamanaGraph, VamanaParams } from './graph.js';

/** Positions a thread takes from the counter at a time. */
const CHUNK_ROWS = 16;
/** Below this many rows a build runs on one thread (and stays a pure function of its input). */
export const PARALLEL_MIN_ROWS = 10_000;
const WAIT_SLICE_MS = 20;

export interface NativeVamanaParams extends VamanaParams {
  /** Rows may gather stride - 1 = ceil(maxDegree x slack) edges before they are pruned back. */
  slots: number;
  /** Inserting threads, this one included (>= 1). */
  threads: number;
}

/**
 * The graph over the n x dim float32 L2 space `x`, inserting `order` (the present rows, shuffled)
 * from `medoid`; null when the kernels or the memory are missing (the caller builds in JS).
 */
export function buildVamanaNative(x: Float32Array, dim: number, n: number, order: Int32Array, medoid: number, p: NativeVamanaParams): VamanaGraph | null {
  const stride = p.slots + 1;
  const threads = n < PARALLEL_MIN_ROWS ? 1 : Math.max(1, p.threads);
  const expCap = Math.max(3 * stride, 2 * p.searchListSize + 2 * stride + 64);
  const perThread = n * 4 + 3 * (p.searchListSize + 1) * 4 + expCap * 12 + stride * 12 + p.maxDegree * 4 + 16 * 64;
  const bytes = x.length * 4 + n * stride * 4 + n * 4 + order.length * 4 + CTX_BYTES + threads * (perThread + T_BYTES);
  return WasmArena.owned(bytes, (arena) => {
    const k = buildKernels(arena.k);
    if (k === null) return null;
    const at = (len: number): number => arena.alloc(len);
    const base = at(x.length * 4);
    arena.f32.set(x, base >>> 2);
    const links = at(n * stride * 4);
    arena.i32.fill(0, links >>> 2, (links >>> 2) + n * stride);
    const locks = at(n * 4);
    arena.i32.fill(0, locks >>> 2, (locks >>> 2) + n);
    const orderPtr = at(order.length * 4);
    arena.i32.set(order, orderPtr >>> 2);
    const ctx = at(CTX_BYTES);
    const c = arena.i32, g = ctx >>> 2;
    c.fill(0, g, g + CTX_BYTES / 4);
    c[g + CTX.dim] = dim; c[g + CTX.base] = base; c[g + CTX.links] = links; c[g + CTX.stride] = stride;
    c[g + CTX.R] = p.maxDegree; c[g + CTX.L] = Math.max(1, p.searchListSize); c[g + CTX.rows] = n;
    c[g + CTX.order] = orderPtr; c[g + CTX.count] = order.length; c[g + CTX.locks] = locks;
    c[g + CTX.medoid] = medoid; c[g + CTX.chunk] = CHUNK_ROWS;
    arena.f32[g + CTX.alpha] = p.alpha;
    const blocks: number[] = [];
    for (let i = 0; i < threads; i++) blocks.push(threadScratch(arena, n, p.searchListSize, expCap, stride, p.maxDegree));
    run(arena, k, ctx, blocks, 'vamanaBuildRun');
    run(arena, k, ctx, blocks, 'vamanaTrimRun');
    return readGraph(arena, links, stride, n, p.maxDegree, medoid, order.length);
  });
}

function threadScratch(arena: WasmArena, n: number, L: number, expCap: number, stride: number, R: number): number {
  const block = arena.alloc(T_BYTES);
  const i32 = arena.i32, b = block >>> 2;
  i32.fill(0, b, b + T_BYTES / 4);
  const sizes: [number, number][] = [
    [T.visited, n * 4], [T.candKeys, (L + 1) * 4], [T.candIds, (L + 1) * 4], [T.candDone, L + 1],
    [T.expKeys, expCap * 4], [T.expIds, expCap * 4], [T.batchIds, stride * 4], [T.batchKeys, stride * 4],
    [T.batchAt, stride * 4], [T.factor, expCap * 4], [T.out, R * 4],
  ];
  for (const [field, bytes] of sizes) {
    const ptr = arena.alloc(bytes);
    arena.zero(ptr, bytes);
    arena.i32[b + field] = ptr;
  }
  arena.i32[b + T.expCap] = expCap;
  return block;
}

/** The lists with maxDegree slots per row (the image's layout), degrees and the medoid. */
function readGraph(arena: WasmArena, links: number, stride: number, n: number, R: number, medoid: number, inserted: number): VamanaGraph {
  const src = arena.i32, at = links >>> 2;
  const out = new Int32Array(n * R), degrees = new Int32Array(n);
  let edges = 0;
  for (let r = 0; r < n; r++) {
    const from = at + r * stride, deg = src[from]!;
    degrees[r] = deg;
    edges += deg;
    out.set(src.subarray(from + 1, from + 1 + deg), r * R);
  }
  // Every insertion links its row to one row at least: no edge at all means the build went wrong
  // (as when scratch zeroing past 2 GiB wiped the rows), never a graph to write.
  if (inserted > 1 && edges === 0) throw errors.internal(`DISKANN build: the graph over ${inserted} rows has no edge`);
  return { links: out, degrees, medoid, entries: Int32Array.of(medoid) };
}

/** This thread and the helpers run `phase`; returns when every helper that started has finished. */
function run(arena: WasmArena, k: VamanaKernels, ctx: number, blocks: number[], phase: VamanaPhase): void {
  const c = new Int32Array(arena.memory.buffer, ctx + PHASE_SLOTS[phase] * 4, 3);
  const helpers: Worker[] = [];
  for (let i = 1; i < blocks.length; i++) {
    const data: HelperData = { module: arena.module, memory: arena.memory, ctx, scratch: blocks[i]!, phase };
    const w = new Worker(new URL('./native-build-helper.js', import.meta.url), { workerData: data, execArgv: workerExecArgv() });
    w.unref();
    w.on('error', () => { /* counted through the context's failed flag, or it never started */ });
    helpers.push(w);
  }
  try {
    k[phase](ctx, blocks[0]!);
    for (;;) {
      const finished = Atomics.load(c, FINISHED);
      if (finished === Atomics.load(c, STARTED)) break;
      Atomics.wait(c, FINISHED, finished, WAIT_SLICE_MS);
    }
    if (Atomics.load(c, FAILED) !== 0) throw errors.internal('DISKANN build: a helper thread failed');
  } finally {
    for (const w of helpers) void w.terminate();
  }
}
