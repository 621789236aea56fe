/**
 * A memory's owner drops it (a released resident column, a freed cached copy): every open worker pool
 * hears of it here, and its workers drop their kernels over that memory. A leaf, so that the owners
 * (exact.ts, resident.ts) need not import the pool, whose worker imports them.
 */
import type { WasmMemory } from './loader.js';

/** What a pool exposes to hear of dropped memories. */
export interface MemoryHolder {
  forget(memory: WasmMemory): void;
}

const holders = new Set<MemoryHolder>();

/** `holder` hears of every memory dropped from now on, until it stops (the returned function). */
export function holdMemories(holder: MemoryHolder): () => void {
  holders.add(holder);
  return () => {
    holders.delete(holder);
  };
}

/** A memory was released: every open pool's workers drop their kernels over it. */
export function forgetMemory(memory: WasmMemory): void {
  for (const h of holders) h.forget(memory);
}
