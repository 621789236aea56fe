/**
 * The rows a filtered search may return (filter AND valid), listed ascending, when there are at most
 * `cap` of them. A planner asks this once per request: a short list is answered by an exact scan of
 * exactly those rows, a long one (null) by the index, and the scan stops as soon as it passes `cap`.
 *
 * With the wasm kernels, the filter is copied into the process arena and listed sixteen bytes at a
 * time (`listMask`, about 14 us for 100k rows against 50 us for the word loop below); without them,
 * a JS loop that skips four zero bytes at a time.
 */
import type { Bitset } from '../schema/column.js';
import { defaultArena } from './wasm/exact.js';

/** Rows r < numRows with filter[r] !== 0 and (valid === null || valid[r] !== 0), or null when more than `cap`. */
export function allowedRows(filter: Bitset, valid: Uint8Array | null, numRows: number, cap: number): Int32Array | null {
  const limit = Math.max(0, Math.min(Math.floor(cap), numRows));
  const arena = numRows >= WASM_MIN_ROWS ? defaultArena() : null;
  if (arena === null) return allowedRowsJs(filter, valid, numRows, limit);
  const maskPtr = arena.alloc(numRows);
  const validPtr = valid === null ? 0 : arena.alloc(numRows);
  const outPtr = arena.alloc(Math.max(1, limit) * 4);
  try {
    arena.u8.set(filter.subarray(0, numRows), maskPtr);
    if (valid !== null) arena.u8.set(valid.subarray(0, numRows), validPtr);
    const n = arena.k.listMask(maskPtr, validPtr, numRows, outPtr, limit);
    return n < 0 ? null : arena.i32.slice(outPtr >>> 2, (outPtr >>> 2) + n);
  } finally {
    arena.release(maskPtr);
    if (validPtr !== 0) arena.release(validPtr);
    arena.release(outPtr);
  }
}

/** Below this many rows the JS loop is as fast as copying the filter into wasm. */
const WASM_MIN_ROWS = 4096;

/** `allowedRows` in plain JS (the reference, and the path without wasm). */
export function allowedRowsJs(filter: Bitset, valid: Uint8Array | null, numRows: number, cap: number): Int32Array | null {
  const limit = Math.max(0, Math.min(Math.floor(cap), numRows));
  const ids = new Int32Array(limit);
  let n = 0;
  // Skip four zero filter bytes at a time when the filter is word-aligned (most rows are filtered out).
  const words = filter.byteOffset % 4 === 0 ? new Uint32Array(filter.buffer, filter.byteOffset, numRows >>> 2) : null;
  let row = 0;
  if (words !== null) {
    for (let w = 0; w < words.length; w++) {
      if (words[w] === 0) continue;
      for (row = w * 4; row < w * 4 + 4; row++) {
        if (filter[row] === 0 || (valid !== null && valid[row] === 0)) continue;
        if (n === limit) return null;
        ids[n++] = row;
      }
    }
    row = words.length * 4;
  }
  for (; row < numRows; row++) {
    if (filter[row] === 0 || (valid !== null && valid[row] === 0)) continue;
    if (n === limit) return null;
    ids[n++] = row;
  }
  return ids.subarray(0, n);
}
