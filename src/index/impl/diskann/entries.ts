/**
 * The walk's entry points beside the medoid. On well-separated clusters in high dimensions the
 * robust prune fills every row's maxDegree slots with rows of its own cluster (the alpha test never
 * removes them: they are all about equally far), so few edges leave a cluster and a walk from the
 * medoid alone seldom reaches the query's (measured: recall@10 0.03 on 12k x 768, 100 clusters,
 * with exact distances over the graph; 0.99 when the walk may start at any of 512 rows). The index
 * stores ENTRY_COUNT rows chosen by farthest-point traversal of a seeded sample (the medoid first,
 * then each time the sample row farthest from those chosen), which visits every separated cluster
 * before it visits one twice; a search seeds its candidate list with all of them by PQ distance.
 */
import { seededRandom } from '../../../core/random.js';
import { l2SqF32 } from '../../kernels/dense.js';
import { sampleRows } from '../ivf/tuning.js';

export const ENTRY_COUNT = 128;
const SAMPLE_ROWS = 4096;
const ENTRY_SEED = 0xe7e7;

/** Up to `count` present rows of the n x dim L2 space `x`, the medoid first (none when it is -1). */
export function entryPoints(x: Float32Array, dim: number, rows: Int32Array, medoid: number, count = ENTRY_COUNT): Int32Array {
  if (medoid < 0) return new Int32Array(0);
  const sample = sampleRows(rows, SAMPLE_ROWS, seededRandom(ENTRY_SEED));
  const ns = sample.length;
  const nearest = new Float64Array(ns).fill(Infinity);
  const out = new Int32Array(Math.min(count, ns + 1));
  out[0] = medoid;
  let chosen = 1, last = medoid;
  while (chosen < out.length) {
    let far = -1, farD = 0;
    for (let i = 0; i < ns; i++) {
      const d = l2SqF32(x, last * dim, x, sample[i]! * dim, dim);
      if (d < nearest[i]!) nearest[i] = d;
      if (nearest[i]! > farD) { farD = nearest[i]!; far = i; }
    }
    if (far < 0) break; // every sample row is one of the chosen (or a copy of one)
    last = sample[far]!;
    out[chosen++] = last;
  }
  return out.slice(0, chosen);
}
