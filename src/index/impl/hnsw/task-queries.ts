/**
 * The queries of an HNSW pool walk (wasm/hnsw-task.ts) in the space's wasm memory. For HNSW_SQ's
 * SQ8 / SQ6 code spaces a query is its table and the steps (2 * dim float32, what WasmSpace.setQuery
 * leaves at its query buffer) with the constant q . min where a row query's norm would be: what
 * `sqDist` reads in the task, as on the calling thread.
 */
import type { WasmArena } from '../../wasm/arena.js';
import { sqQueryTable } from './space.js';

/** Queries in wasm memory for an HnswTask: query i at `at(i)`, its float64 norm (SQ: constant) at normsPtr + 8i. */
export interface TaskQueries {
  at(i: number): number;
  readonly normsPtr: number;
  free(): void;
}

/** The tables of `nq` float32 queries (`f32`) for codes x = min + code * step. */
export function sqTaskQueries(
  arena: WasmArena, f32: Float32Array, nq: number, dim: number, l2: boolean,
  sq: { readonly min: Float32Array; readonly step: Float32Array; readonly cosine: boolean },
): TaskQueries {
  const rowBytes = 8 * dim;
  const ptr = arena.alloc(Math.max(16, nq * rowBytes)), normsPtr = arena.alloc(Math.max(8, nq * 8));
  const buf = arena.memory.buffer, consts = new Float64Array(buf, normsPtr, nq);
  for (let q = 0; q < nq; q++) {
    const table = new Float32Array(buf, ptr + q * rowBytes, 2 * dim);
    consts[q] = sqQueryTable(f32, q * dim, dim, l2, sq.cosine, sq.min, sq.step, table);
    table.set(sq.step, dim);
  }
  let freed = false;
  return {
    at: (i) => ptr + i * rowBytes,
    normsPtr,
    free: () => {
      if (freed) return;
      freed = true;
      arena.release(ptr);
      arena.release(normsPtr);
    },
  };
}
