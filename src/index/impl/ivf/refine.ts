/**
 * IVF_RABITQ's refine data (`refine_type`): the rows again at a finer precision, used to re-score the
 * `refine_k * topK` candidates the bit codes found. FP32 reads the raw column (exact scores); SQ8 /
 * SQ6 keep one code byte per value (per-dimension [min, max] in 256 / 64 levels); FP16 / BF16 keep the
 * values rounded to that precision. The codes are derived from the column (deterministically), so
 * the payload records only the type and a load recomputes them.
 */
import type { MetricType } from '../../../core/enums.js';
import type { MemoryTally } from '../../memory.js';
import { cosineF32, ipF32, l2SqF32, normSqF32 } from '../../kernels/dense.js';
import { bfloat16ToFloat32, decodeFloat16, encodeFloat16, float32ToBfloat16 } from '../../kernels/half.js';
import { ExactRowScorer } from '../hnsw/exact.js';
import type { RowKeyer } from './rerank.js';
import { DenseRowReader, type DenseColumn } from './rows.js';

export const REFINE_TYPES = ['SQ6', 'SQ8', 'FP16', 'BF16', 'FP32'] as const;
export type RefineType = (typeof REFINE_TYPES)[number];

export interface Refiner extends RowKeyer {
  readonly type: RefineType;
  countMemory(t: MemoryTally): void;
}

export function buildRefiner(type: RefineType, column: DenseColumn, numRows: number, metric: MetricType): Refiner {
  if (type === 'FP32') {
    const s = new ExactRowScorer(column, metric);
    return { type, setQuery: (q, off) => s.setQuery(q, off), key: (row) => s.key(row), countMemory: (t) => s.countMemory(t) };
  }
  return new CodedRows(type, column, numRows, metric);
}

class CodedRows implements Refiner {
  private readonly dim: number;
  private readonly codes: Uint8Array | Uint16Array;
  private readonly min: Float32Array;
  private readonly step: Float32Array;
  private readonly row: Float32Array;
  private q: Float32Array = new Float32Array(0);
  private qOff = 0;
  private qNorm = 0;

  constructor(readonly type: Exclude<RefineType, 'FP32'>, column: DenseColumn, numRows: number, private readonly metric: MetricType) {
    const dim = (this.dim = column.dim), reader = new DenseRowReader(column), row = (this.row = new Float32Array(dim));
    const sq = type === 'SQ8' || type === 'SQ6';
    this.min = new Float32Array(sq ? dim : 0).fill(Infinity);
    this.step = new Float32Array(sq ? dim : 0);
    const valid = column.valid;
    if (sq) {
      const max = new Float32Array(dim).fill(-Infinity);
      for (let r = 0; r < numRows; r++) {
        if (valid !== null && valid[r] === 0) continue;
        reader.readInto(r, row, 0);
        for (let d = 0; d < dim; d++) {
          if (row[d]! < this.min[d]!) this.min[d] = row[d]!;
          if (row[d]! > max[d]!) max[d] = row[d]!;
        }
      }
      const levels = type === 'SQ8' ? 255 : 63;
      for (let d = 0; d < dim; d++) {
        if (!(this.min[d]! <= max[d]!)) this.min[d] = max[d] = 0;
        this.step[d] = (max[d]! - this.min[d]!) / levels;
      }
    }
    this.codes = sq ? new Uint8Array(numRows * dim) : new Uint16Array(numRows * dim);
    for (let r = 0; r < numRows; r++) {
      if (valid !== null && valid[r] === 0) continue;
      reader.readInto(r, row, 0);
      for (let d = 0, at = r * dim; d < dim; d++, at++) this.codes[at] = this.encode(d, row[d]!);
    }
  }

  private encode(d: number, v: number): number {
    if (this.type === 'FP16') return encodeFloat16(v);
    if (this.type === 'BF16') return float32ToBfloat16(v);
    const s = this.step[d]!;
    const c = s > 0 ? Math.round((v - this.min[d]!) / s) : 0;
    return Math.max(0, Math.min(this.type === 'SQ8' ? 255 : 63, c));
  }

  private decodeInto(row: number): void {
    const dim = this.dim, codes = this.codes, out = this.row, at = row * dim;
    if (this.type === 'FP16') for (let d = 0; d < dim; d++) out[d] = decodeFloat16(codes[at + d]!);
    else if (this.type === 'BF16') for (let d = 0; d < dim; d++) out[d] = bfloat16ToFloat32(codes[at + d]!);
    else for (let d = 0; d < dim; d++) out[d] = this.min[d]! + this.step[d]! * codes[at + d]!;
  }

  setQuery(q: Float32Array, off: number): void {
    this.q = q;
    this.qOff = off;
    if (this.metric === 'COSINE') this.qNorm = Math.sqrt(normSqF32(q, off, this.dim));
  }

  key(row: number): number {
    this.decodeInto(row);
    const b = this.row, dim = this.dim;
    if (this.metric === 'L2') return Math.fround(l2SqF32(this.q, this.qOff, b, 0, dim));
    if (this.metric === 'IP') return -Math.fround(ipF32(this.q, this.qOff, b, 0, dim));
    return -Math.fround(cosineF32(this.q, this.qOff, this.qNorm, b, 0, dim));
  }

  countMemory(t: MemoryTally): void {
    t.array(this.codes).array(this.min).array(this.step).array(this.row).array(this.q);
  }
}
