/**
 * Fixed knobs of IVF training. They are not user parameters (Milvus does not expose them either);
 * they live here so that every IVF type trains the same way and the numbers are easy to find.
 */
export const ivfTuning = {
  /** Seed of every random choice made while training (sampling, k-means++ init): builds are deterministic. */
  seed: 0x5e47a47,
  /** Lloyd iterations of the coarse quantizer (stops earlier when no assignment changes). */
  coarseIterations: 10,
  /** Training sample of the coarse quantizer: at most this many rows per list. */
  coarseRowsPerList: 128,
  /** Lloyd iterations of each PQ sub-quantizer. */
  pqIterations: 10,
  /** Training sample of the PQ sub-quantizers: at most this many rows per code word. */
  pqRowsPerCode: 64,
  /** Relative perturbation used to split a large cluster into an empty one. */
  splitEpsilon: 1 / 1024,
} as const;

export { seededRandom } from '../../../core/random.js';

/** `count` distinct values of `from` chosen uniformly (partial Fisher-Yates on a copy), in ascending order. */
export function sampleRows(from: Int32Array, count: number, random: () => number): Int32Array {
  if (count >= from.length) return from.slice();
  const pool = from.slice();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.subarray(0, count).sort();
}
