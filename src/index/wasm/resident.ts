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
import { crc32cInArena, releaseCrcTable } from './crc.js';
import { MAX_PAGES, PAGE_BYTES } from './loader.js';
import { forgetMemory } from './forget.js';
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
  const arena = newResidentArena(column.data.byteLength, numRows);
  if (arena === null) return null;
  return residentOf(arena, column, VectorStore.fromColumn(arena, column, numRows));
}

/** Rows of a resident column being read in: `bytes` is where they go, then `finish` makes the column. */
export interface ResidentReservation {
  readonly bytes: Uint8Array;
  /** CRC-32C of a part of `bytes` continuing `seed`, computed in place by the memory's kernels. */
  checksum(part: Uint8Array, seed: number): number;
  /** The column over the filled rows (`valid` as read with them). */
  finish(valid: Uint8Array | null): ResidentColumn;
  /** Give the memory back unused (the read failed). */
  release(): void;
}

/**
 * Reserve a wasm memory of its own for `numRows` rows of a vector column (`bytes` of them), to be
 * filled in place by the caller; null when the kind is not held in wasm or the memory cannot be had.
 */
export function reserveResident(kind: Column['kind'], dim: number, numRows: number, bytes: number): ResidentReservation | null {
  if (numRows === 0 || !(kind === 'floatVector' || kind === 'bfloat16Vector' || kind === 'int8Vector' || kind === 'binaryVector')) return null;
  const arena = newResidentArena(bytes, numRows);
  if (arena === null) return null;
  const store = VectorStore.reserve(arena, kind, dim, numRows);
  const shape = { kind, dim, valid: null } as const;
  return {
    bytes: new Uint8Array(arena.memory.buffer, store.ptr, bytes),
    checksum: (part, seed) => crc32cInArena(arena, part, seed),
    // The checksums' table lives in the arena only while the segment is read.
    finish: (valid) => {
      releaseCrcTable(arena);
      return residentOf(arena, { ...shape, valid, data: store.rows() } as WasmColumn, store);
    },
    release: () => {
      releaseCrcTable(arena);
      store.release();
    },
  };
}

function newResidentArena(bytes: number, numRows: number): WasmArena | null {
  // Room for the rows, their norms (8 B per row) and per-search scratch (queries, mask, distances).
  const pages = Math.ceil((bytes + numRows * 9) / PAGE_BYTES) + 32;
  return WasmArena.create(Math.min(pages, MAX_PAGES), Math.min(MAX_PAGES, pages * 2 + 256));
}

function residentOf(arena: WasmArena, column: WasmColumn, store: VectorStore): ResidentColumn {
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
