/**
 * Which shared wasm memories one pool worker holds, kept on the pool's side (pool.ts). A memory is
 * posted to a worker once, then its tasks name it by id. Posting it with every task cost memory that
 * was never given back: each structured clone of a shared WebAssembly.Memory makes a new memory
 * object in the receiving thread, which V8 registers with that thread (to update it when the memory
 * grows), and RSS grew by ~1 MiB per 10,000 tasks for as long as the process ran (+18% in
 * test/engine/search-memory.test.ts; +1% to +5% once each memory is posted once). The pool alone decides
 * when a worker drops a memory (it was released, idle for MEMORY_IDLE_MS, or least recently used past
 * MAX_MEMORIES) and tells it in order on the same port, so both sides agree on what the worker holds
 * without a round trip.
 */
import { assert } from '../../core/assert.js';

/** Memories a worker holds at most (with their kernel instances). */
export const MAX_MEMORIES = 32;
/** A memory no task used for this long is dropped, so a worker does not keep a dead memory alive. */
export const MEMORY_IDLE_MS = 30_000;

export class WorkerMemories {
  /** Memory id -> last use (ms), least recently used first (a Map keeps insertion order). */
  private readonly lastUsedMs = new Map<number, number>();

  constructor(private readonly max = MAX_MEMORIES, private readonly idleMs = MEMORY_IDLE_MS) {
    assert(Number.isInteger(max) && max >= 1 && idleMs > 0, 'worker memory bounds');
  }

  get size(): number {
    return this.lastUsedMs.size;
  }

  has(memoryId: number): boolean {
    return this.lastUsedMs.has(memoryId);
  }

  /** A task on `memoryId` goes to the worker now; true when the worker does not hold it yet (post it first). */
  use(memoryId: number, nowMs: number): boolean {
    const known = this.lastUsedMs.delete(memoryId);
    this.lastUsedMs.set(memoryId, nowMs);
    return !known;
  }

  /** Stop tracking `memoryId`; true when the worker held it (tell it to drop it). */
  forget(memoryId: number): boolean {
    return this.lastUsedMs.delete(memoryId);
  }

  /**
   * The memories the worker should drop now, no longer tracked: those idle past the limit, then the
   * least recently used past the bound.
   */
  expire(nowMs: number): number[] {
    const out: number[] = [];
    for (const [id, usedMs] of this.lastUsedMs) {
      if (nowMs - usedMs > this.idleMs || this.lastUsedMs.size - out.length > this.max) out.push(id);
    }
    for (const id of out) this.lastUsedMs.delete(id);
    return out;
  }
}
