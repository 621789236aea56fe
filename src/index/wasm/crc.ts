/**
 * CRC-32C with the wasm kernel (asm/crc.ts; the same values as core/crc32c.ts, several times
 * faster): in place over bytes that live in an arena's memory, else through a bounded stage in the
 * process arena. Small inputs, and engines without the kernels, use the JS one.
 */
import { CRC32C_TABLE, crc32c } from '../../core/crc32c.js';
import type { WasmArena } from './arena.js';
import { defaultArena } from './exact.js';

/** Below this many bytes the JS loop is as fast as a call into wasm. */
const SMALL_BYTES = 16 * 1024;
/** Bytes copied into the process arena per kernel call. */
const STAGE_BYTES = 1 << 20;

const tables = new WeakMap<WasmArena, number>();
let stage: { arena: WasmArena; ptr: number } | null = null;

/** The CRC table's offset in `a`, written there on first use (8 KiB, kept with the memory). */
function tableIn(a: WasmArena): number {
  let t = tables.get(a);
  if (t === undefined) {
    t = a.alloc(CRC32C_TABLE.byteLength);
    a.u8.set(new Uint8Array(CRC32C_TABLE.buffer, CRC32C_TABLE.byteOffset, CRC32C_TABLE.byteLength), t);
    tables.set(a, t);
  }
  return t;
}

/** Give back the CRC table written into `a` (when a resident arena is done checksumming its reads). */
export function releaseCrcTable(a: WasmArena): void {
  const t = tables.get(a);
  if (t === undefined) return;
  tables.delete(a);
  a.release(t);
}

/** CRC-32C of `bytes`, a view of `a`'s memory, continuing `seed`. */
export function crc32cInArena(a: WasmArena, bytes: Uint8Array, seed: number): number {
  if (bytes.length < SMALL_BYTES) return crc32c(bytes, seed);
  return a.k.crc32c(tableIn(a), bytes.byteOffset, bytes.length, seed) >>> 0;
}

/** CRC-32C of any bytes continuing `seed` (copied through the process arena's stage when large). */
export function crc32cFast(bytes: Uint8Array, seed = 0): number {
  if (bytes.length < SMALL_BYTES) return crc32c(bytes, seed);
  const a = defaultArena();
  if (a === null) return crc32c(bytes, seed);
  if (stage === null || stage.arena !== a) stage = { arena: a, ptr: a.alloc(STAGE_BYTES) };
  const table = tableIn(a);
  let crc = seed;
  for (let at = 0; at < bytes.length; at += STAGE_BYTES) {
    const n = Math.min(STAGE_BYTES, bytes.length - at);
    a.u8.set(bytes.subarray(at, at + n), stage.ptr);
    crc = a.k.crc32c(table, stage.ptr, n, crc) >>> 0;
  }
  return crc;
}
