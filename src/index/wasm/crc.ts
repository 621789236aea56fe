/**
 * CRC-32C of large inputs: with the CPU's CRC32 instruction through `@node-rs/crc32` (a prebuilt
 * N-API addon, about 4x the wasm kernel here), else with the wasm kernel (asm/crc.ts; the same
 * values as core/crc32c.ts, several times faster than it): in place over bytes that live in an
 * arena's memory, else through a bounded stage in the process arena. Small inputs, and engines
 * with neither, use the JS one.
 */
import { createRequire } from 'node:module';
import { CRC32C_TABLE, crc32c } from '../../core/crc32c.js';
import type { WasmArena } from './arena.js';
import { defaultArena } from './exact.js';

type NativeCrc = (input: Uint8Array, seed?: number) => number;

/** The addon's crc32c, or null where it does not load (a platform without a prebuilt binary). */
function loadNative(): NativeCrc | null {
  try {
    const m = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c?: unknown };
    return typeof m.crc32c === 'function' ? (m.crc32c as NativeCrc) : null;
  } catch {
    return null;
  }
}

const native: NativeCrc | null = loadNative();

/** Which kernel large inputs use (the tests check that the addon loads where it is prebuilt). */
export const crcKernel: 'native' | 'wasm' = native !== null ? 'native' : 'wasm';

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

/** CRC-32C of `bytes`, a view of `a`'s memory, continuing `seed` (`useNative` false: the wasm kernel). */
export function crc32cInArena(a: WasmArena, bytes: Uint8Array, seed: number, useNative = true): number {
  if (bytes.length < SMALL_BYTES) return crc32c(bytes, seed);
  if (native !== null && useNative) return native(bytes, seed) >>> 0;
  return a.k.crc32c(tableIn(a), bytes.byteOffset, bytes.length, seed) >>> 0;
}

/** CRC-32C of any bytes continuing `seed`. */
export function crc32cFast(bytes: Uint8Array, seed = 0): number {
  if (bytes.length < SMALL_BYTES) return crc32c(bytes, seed);
  if (native !== null) return native(bytes, seed) >>> 0;
  return crc32cWasm(bytes, seed);
}

/** CRC-32C with the wasm kernel, copied through the process arena's stage (crc32cFast without the addon). */
export function crc32cWasm(bytes: Uint8Array, seed = 0): number {
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
