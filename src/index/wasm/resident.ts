/**
 * Resident vector columns: a loaded sealed segment's dense or binary vectors live in a wasm memory
 * of their own, and the column the engine keeps is a view of it. Searches run there without any
 * copy, and releasing the segment drops that memory as a whole, so the process gives it back
 * (a single shared arena could only be reused, never shrunk).
 */
import type { Column } from '../../schema/column.js';
import { WasmArena } from './arena.js';
import type { CountedMemory } from '../memory.js';
import { adoptStore, forgetColumn } from './exact.js';
import { MAX_PAGES, PAGE_BYTES } from './loader.js';
import { forgetMemory } from './pool.js';
import { VectorStore, type WasmColumn } from './store.js';

export interface ResidentColumn {
  /** The same column, its data now a view of wasm memory. */
  readonly column: Column;
  /** Its wasm memory (rows, norms, and what indexes over it allocate there: HNSW links, search scratch). */
  readonly memory: CountedMemory;
  /** Bytes of that memory now (it grows when an index allocates in it). */
  readonly sizeBytes: number;
  /** Free the wasm memory; the column must not be used afterwards. */
  release(): void;
}

function isWasmColumn(c: Column): c is WasmColumn {
  // float16 stores hold decoded float32 rows, which a float16 column cannot view: left in JS.
  return c.kind === 'floatVector' || c.kind === 'bfloat16Vector' || c.kind === 'int8Vector' || c.kind === 'binaryVector';
}

/** Move `numRows` rows of a vector column into their own wasm memory; null when not applicable. */
export function makeResident(column: Column, numRows: number): ResidentColumn | null {
  if (!isWasmColumn(column) || numRows === 0) return null;
  const bytes = column.data.byteLength;
  // Room for the rows, their norms (8 B per row) and per-search scratch (queries, mask, distances).
  const pages = Math.ceil((bytes + numRows * 9) / PAGE_BYTES) + 32;
  const arena = WasmArena.create(Math.min(pages, MAX_PAGES), Math.min(MAX_PAGES, pages * 2 + 256));
  if (arena === null) return null;
  const store = VectorStore.fromColumn(arena, column, numRows);
  const view = { ...column, data: store.rows() } as WasmColumn;
  adoptStore(view, store);
  let released = false;
  return {
    column: view,
    memory: arena.memory,
    get sizeBytes(): number {
      return arena.sizeBytes;
    },
    release(): void {
      if (released) return;
      released = true;
      forgetColumn(view);
      // Workers holding kernels over this memory drop them (a running task keeps the store pinned).
      forgetMemory(arena.memory);
    },
  };
}
