/**
 * Row access for IVF: which rows are indexed (non-NULL ones) and dense rows decoded to float32,
 * one at a time into a caller-owned scratch (no allocation per row) or gathered into a block.
 */
import type { Column } from '../../../schema/column.js';
import { FLOAT16_TABLE } from '../../kernels/half.js';
import { normSqF32 } from '../../kernels/dense.js';

export type DenseColumn = Extract<Column, { kind: 'floatVector' | 'float16Vector' | 'bfloat16Vector' | 'int8Vector' }>;
export type BinaryColumn = Extract<Column, { kind: 'binaryVector' }>;

/** Rows [0, numRows) whose vector is not NULL, ascending. */
export function indexedRows(valid: Uint8Array | null, numRows: number): Int32Array {
  if (valid === null) {
    const all = new Int32Array(numRows);
    for (let i = 0; i < numRows; i++) all[i] = i;
    return all;
  }
  let n = 0;
  for (let i = 0; i < numRows; i++) if (valid[i] !== 0) n++;
  const out = new Int32Array(n);
  for (let i = 0, j = 0; i < numRows; i++) if (valid[i] !== 0) out[j++] = i;
  return out;
}

/** Decodes rows of one dense column to float32. Holds one row of scratch (and a bit view of it). */
export class DenseRowReader {
  readonly dim: number;
  readonly column: DenseColumn;
  /** The last decoded row (for non-float32 columns). */
  readonly scratch: Float32Array;
  private readonly scratchBits: Uint32Array;

  constructor(column: DenseColumn) {
    this.column = column;
    this.dim = column.dim;
    this.scratch = new Float32Array(column.dim);
    this.scratchBits = new Uint32Array(this.scratch.buffer);
  }

  /** Decode row `row` into `out` at `outOff`. */
  readInto(row: number, out: Float32Array, outOff: number): void {
    const dim = this.dim;
    const c = this.column;
    const src = row * dim;
    switch (c.kind) {
      case 'floatVector': {
        const d = c.data;
        for (let i = 0; i < dim; i++) out[outOff + i] = d[src + i]!;
        return;
      }
      case 'float16Vector': {
        const d = c.data, t = FLOAT16_TABLE;
        for (let i = 0; i < dim; i++) out[outOff + i] = t[d[src + i]!]!;
        return;
      }
      case 'bfloat16Vector': {
        const d = c.data, bits = this.scratchBits;
        for (let i = 0; i < dim; i++) bits[i] = d[src + i]! << 16;
        if (out !== this.scratch || outOff !== 0) out.set(this.scratch, outOff);
        return;
      }
      case 'int8Vector': {
        const d = c.data;
        for (let i = 0; i < dim; i++) out[outOff + i] = d[src + i]!;
        return;
      }
    }
  }

  /** Decode `rows` into one n x dim block, unit-normalising each row when `normalize` (zero rows stay zero). */
  gather(rows: Int32Array, normalize: boolean): Float32Array {
    const dim = this.dim;
    const out = new Float32Array(rows.length * dim);
    for (let i = 0; i < rows.length; i++) {
      this.readInto(rows[i]!, out, i * dim);
      if (normalize) normalizeRow(out, i * dim, dim);
    }
    return out;
  }
}

/** Scale one row to unit length in place (a zero row is left as is). */
export function normalizeRow(data: Float32Array, off: number, dim: number): void {
  const n = Math.sqrt(normSqF32(data, off, dim));
  if (n === 0) return;
  const inv = 1 / n;
  for (let i = 0; i < dim; i++) data[off + i] = data[off + i]! * inv;
}
