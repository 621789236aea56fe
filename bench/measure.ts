/** Timing, memory and recall helpers shared by the suites. Nothing here compares a time to a bound. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gcFn: (() => void) | null = null;

/** A full GC (exposed once via `--expose_gc`), run a few times so finalizers settle. */
export function collectGarbage(rounds = 3): void {
  if (gcFn === null) {
    setFlagsFromString('--expose_gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  for (let i = 0; i < rounds; i++) gcFn();
}

export interface MemorySample { rssBytes: number; arrayBuffersBytes: number; heapUsedBytes: number }

export function settledMemory(): MemorySample {
  collectGarbage();
  const m = process.memoryUsage();
  return { rssBytes: m.rss, arrayBuffersBytes: m.arrayBuffers, heapUsedBytes: m.heapUsed };
}

export function memoryDelta(after: MemorySample, before: MemorySample): MemorySample {
  return {
    rssBytes: after.rssBytes - before.rssBytes,
    arrayBuffersBytes: after.arrayBuffersBytes - before.arrayBuffersBytes,
    heapUsedBytes: after.heapUsedBytes - before.heapUsedBytes,
  };
}

export function nowMs(): number {
  return performance.now();
}

export async function timedMs<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

/**
 * Recall@k: found ∩ truth over the truth rows that exist (a filtered truth list may hold fewer than
 * k rows, padded with -1). `found` rows of query q are at q * foundStride.
 */
export function recallAtK(truth: Int32Array, truthK: number, found: Int32Array, foundStride: number, nq: number, k: number): number {
  let hits = 0;
  let wanted = 0;
  for (let q = 0; q < nq; q++) {
    for (let j = 0; j < k; j++) {
      const row = truth[q * truthK + j]!;
      if (row < 0) continue;
      wanted++;
      for (let i = 0; i < k; i++) {
        if (found[q * foundStride + i] === row) { hits++; break; }
      }
    }
  }
  return wanted === 0 ? 1 : hits / wanted;
}

export function perSecond(count: number, ms: number): number {
  return ms <= 0 ? 0 : (count * 1000) / ms;
}

/** a / b, or null when either side is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return a / b;
}
