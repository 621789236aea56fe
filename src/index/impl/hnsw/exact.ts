/**
 * Exact metric values between a float32 query and individual rows of the raw column (HNSW_SQ's
 * `refine` re-rank). Computed with the same kernels and argument order as `searchExact`, so refined
 * scores equal exact ones. Non-float32 rows are decoded one at a time into a scratch row.
 */
import type { MemoryTally } from '../../memory.js';
import type { MetricType } from '../../../core/enums.js';
import { cosineF32, ipF32, l2SqF32, normSqF32 } from '../../kernels/dense.js';
import { decodeBfloat16Into, decodeFloat16Into, decodeInt8Into } from '../../kernels/half.js';
import type { DenseColumn } from '../../scan-dense.js';

export class ExactRowScorer {
  private readonly column: DenseColumn;
  private readonly metric: MetricType;
  private readonly row: Float32Array;
  private q: Float32Array = new Float32Array(0);
  private qOff = 0;
  private qNorm = 0;

  constructor(column: DenseColumn, metric: MetricType) {
    this.column = column;
    this.metric = metric;
    this.row = new Float32Array(column.dim);
  }

  countMemory(t: MemoryTally): void {
    t.array(this.row).array(this.q);
  }

  setQuery(q: Float32Array, off: number): void {
    this.q = q;
    this.qOff = off;
    if (this.metric === 'COSINE') this.qNorm = Math.sqrt(normSqF32(q, off, this.column.dim));
  }

  /** Badness key (metric value, negated for similarities), rounded to float32 like searchExact. */
  key(r: number): number {
    const c = this.column, dim = c.dim;
    let b: Float32Array = this.row;
    let off = 0;
    switch (c.kind) {
      case 'floatVector': b = c.data; off = r * dim; break;
      case 'float16Vector': decodeFloat16Into(c.data, r * dim, b, 0, dim); break;
      case 'bfloat16Vector': decodeBfloat16Into(c.data, r * dim, b, 0, dim); break;
      case 'int8Vector': decodeInt8Into(c.data, r * dim, b, 0, dim); break;
    }
    if (this.metric === 'L2') return Math.fround(l2SqF32(this.q, this.qOff, b, off, dim));
    if (this.metric === 'IP') return -Math.fround(ipF32(this.q, this.qOff, b, off, dim));
    return -Math.fround(cosineF32(this.q, this.qOff, this.qNorm, b, off, dim));
  }
}
