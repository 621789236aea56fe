/** Sparse-vector kernels over `SparseVector` (indices sorted ascending, unique; values aligned). */
import type { SparseVector } from '../../schema/types.js';

/** Inner product by merging the two sorted index lists. */
export function sparseIp(a: SparseVector, b: SparseVector): number {
  const ai = a.indices, av = a.values, bi = b.indices, bv = b.values;
  const na = ai.length, nb = bi.length;
  let i = 0, j = 0, s = 0;
  while (i < na && j < nb) {
    const x = ai[i]!, y = bi[j]!;
    if (x === y) {
      s += av[i]! * bv[j]!;
      i++;
      j++;
    } else if (x < y) {
      i++;
    } else {
      j++;
    }
  }
  return s;
}
