/**
 * IVF_FLAT and IVF_SQ8 searches split into pool tasks (task.ts runs them on the workers): scratch,
 * queries, filter and outputs in the index's memory, one task per thread, answers gathered in
 * request order.
 */
import type { IndexSearchRequest } from '../../descriptor.js';
import type { ExactSearchResult } from '../../types.js';
import { ArenaScratch, type WasmArena } from '../../wasm/arena.js';
import { gatherTaskOutputs, type WasmPool } from '../../wasm/pool.js';
import type { IvfShared, IvfTask } from './task.js';

/** Per-search inputs of `probeOnPool` besides the request. */
export interface PoolQueries {
  /** nq float32 queries (coarse keys, SQ8 tables). */
  f32: Float32Array;
  /** The queries in the rows' kind already in the arena (row scans), or null. */
  block: { at(i: number): number; normsPtr: number } | null;
  /** Euclidean norms when there is no block (SQ8: JS norms, as the index computes them). */
  norms: Float64Array | null;
}

/**
 * Run one IVF search as tasks on `pool` (one per thread, at most one per query) over `arena`, and
 * collect their answers in request order. Scratch and outputs are allocated here, per task, and
 * freed after every task has settled.
 */
export async function probeOnPool(
  pool: WasmPool, arena: WasmArena, shared: IvfShared, req: IndexSearchRequest, nq: number,
  queries: PoolQueries, filter: Uint8Array | null,
): Promise<ExactSearchResult> {
  const { dim, numRows } = shared;
  const topK = req.topK;
  const scratch = new ArenaScratch(arena);
  const take = (bytes: number): number => scratch.take(bytes);
  try {
    const qF32 = take(nq * dim * 4);
    arena.f32.set(queries.f32.subarray(0, nq * dim), qF32 >>> 2);
    let qNorms: number;
    if (queries.block !== null) qNorms = queries.block.normsPtr;
    else {
      qNorms = take(nq * 8);
      arena.f64.set(queries.norms!.subarray(0, nq), qNorms >>> 3);
    }
    let mask = 0, posMask = 0;
    if (filter !== null) {
      mask = take(numRows);
      arena.u8.set(filter.subarray(0, numRows), mask);
      if (shared.scoring.mode === 'rows') {
        posMask = take(shared.idsLength);
        arena.k.permuteMask(mask, shared.ids, shared.idsLength, posMask);
      }
    }
    const block = queries.block;
    const qRowBytes = block !== null && nq > 1 ? block.at(1) - block.at(0) : 0;
    const parts = Math.min(pool.threads, nq);
    const tasks: IvfTask[] = [];
    for (let part = 0; part < parts; part++) {
      const q0 = Math.floor((nq * part) / parts), q1 = Math.floor((nq * (part + 1)) / parts), n = q1 - q0;
      tasks.push({
        ...shared, type: 'ivf', queriesF32: qF32 + q0 * dim * 4, queries: block === null ? 0 : block.at(q0), qRowBytes,
        qNorms: qNorms + q0 * 8, nq: n, topK, params: req.params, mask, posMask, scratch: take(shared.longest * 4), table: take(dim * 8), keys: take(shared.nlist * 4),
        outRows: take(n * topK * 4), outScores: take(n * topK * 4), outCounts: take(n * 4),
      });
    }
    await pool.runTasks(tasks, arena.memory);
    return gatherTaskOutputs(arena, tasks, nq, topK, shared.metric !== 'L2');
  } finally {
    scratch.releaseAll();
  }
}
