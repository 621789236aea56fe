/**
 * Scalar quantisation for HNSW_SQ (`sq_type`):
 * - SQ8 / SQ6: per-dimension [min, max] mapped to 256 / 64 levels, one code byte per value.
 *   COSINE quantises the normalised rows and searches them by inner product.
 * - FP16 / BF16: values rounded to that precision (kept as float32 in memory here, so they match
 *   Milvus' ranking but do not save memory).
 *
 * Quantiser section of the HNSW payload: u8 type (0 SQ8, 1 SQ6, 2 FP16, 3 BF16), u8[3] zero, then
 * for SQ8 / SQ6: f32[dim] min, f32[dim] step. Codes are recomputed from the column on load.
 */
import type { MemoryTally } from '../../memory.js';
import { errors } from '../../../core/errors.js';
import { bfloat16ToFloat32, decodeFloat16, encodeFloat16, float32ToBfloat16 } from '../../kernels/half.js';
import { F32Space, sqQueryTable, type DenseMetric, type VectorSpace } from './space.js';
import { WasmSpace } from './wasm-space.js';

/** Room per row a wasm space reserves for the graph's links and search state (M up to 48 or so). */
const LINK_BYTES_PER_ROW = 420;

export type SqType = 'SQ8' | 'SQ6' | 'FP16' | 'BF16';
export const SQ_TYPES: readonly SqType[] = ['SQ6', 'SQ8', 'BF16', 'FP16'];
const TYPE_CODES: readonly SqType[] = ['SQ8', 'SQ6', 'FP16', 'BF16'];

export interface Quantiser {
  readonly type: SqType;
  /** The search space over rows [0, numRows) of `data` (decoded float32 rows). */
  space(data: Float32Array, numRows: number, dim: number, metric: DenseMetric): VectorSpace;
  /** SQ8 / SQ6: the JS space over the same codes (the reference for the wasm one). */
  referenceSpace?(data: Float32Array, numRows: number, dim: number, metric: DenseMetric): VectorSpace;
  /** The payload section (see the file comment). */
  encode(): Uint8Array;
  /** Its tables (per-dimension min and step). */
  countMemory(t: MemoryTally): void;
}

/** Train a quantiser of `type` on the rows with `present[row] !== 0` (all rows when null). */
export function trainQuantiser(type: SqType, data: Float32Array, numRows: number, dim: number, metric: DenseMetric, present: Uint8Array | null): Quantiser {
  if (type === 'FP16' || type === 'BF16') return new HalfQuantiser(type);
  const levels = type === 'SQ8' ? 255 : 63;
  const min = new Float32Array(dim).fill(Infinity);
  const max = new Float32Array(dim).fill(-Infinity);
  const row = new Float32Array(dim);
  for (let r = 0; r < numRows; r++) {
    if (present !== null && present[r] === 0) continue;
    loadRow(data, r, dim, metric === 'COSINE', row);
    for (let j = 0; j < dim; j++) {
      const v = row[j]!;
      if (v < min[j]!) min[j] = v;
      if (v > max[j]!) max[j] = v;
    }
  }
  const step = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    if (!(min[j]! <= max[j]!)) { min[j] = 0; max[j] = 0; }
    step[j] = (max[j]! - min[j]!) / levels;
  }
  return new LinearQuantiser(type, levels, min, step);
}

/** Parse a quantiser section written by `Quantiser.encode`. */
export function decodeQuantiser(bytes: Uint8Array, dim: number): Quantiser {
  const type = TYPE_CODES[bytes[0] ?? 255];
  if (type === undefined) throw errors.internal('HNSW_SQ payload has an unknown quantiser type');
  if (type === 'FP16' || type === 'BF16') {
    if (bytes.length !== 4) throw errors.internal('HNSW_SQ payload: bad quantiser length');
    return new HalfQuantiser(type);
  }
  if (bytes.length !== 4 + 8 * dim) throw errors.internal('HNSW_SQ payload: bad quantiser length');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const min = new Float32Array(dim), step = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    min[j] = dv.getFloat32(4 + 4 * j, true);
    step[j] = dv.getFloat32(4 + 4 * (dim + j), true);
    if (!Number.isFinite(min[j]!) || !(step[j]! >= 0)) throw errors.internal('HNSW_SQ payload: bad quantiser range');
  }
  return new LinearQuantiser(type, type === 'SQ8' ? 255 : 63, min, step);
}

/** Row r of `data` into `out`, normalised when `normalise` (zero rows stay zero). */
function loadRow(data: Float32Array, r: number, dim: number, normalise: boolean, out: Float32Array): void {
  const off = r * dim;
  let s = 0;
  for (let j = 0; j < dim; j++) { const v = data[off + j]!; out[j] = v; s += v * v; }
  if (!normalise || s === 0) return;
  const inv = 1 / Math.sqrt(s);
  for (let j = 0; j < dim; j++) out[j] = out[j]! * inv;
}

class HalfQuantiser implements Quantiser {
  readonly type: SqType;
  constructor(type: 'FP16' | 'BF16') {
    this.type = type;
  }

  /** The rounded rows as float32: searched in wasm (natively, links included) when the kernels load. */
  space(data: Float32Array, numRows: number, dim: number, metric: DenseMetric): VectorSpace {
    const rounded = new Float32Array(numRows * dim);
    if (this.type === 'FP16') for (let i = 0; i < rounded.length; i++) rounded[i] = decodeFloat16(encodeFloat16(data[i]!));
    else for (let i = 0; i < rounded.length; i++) rounded[i] = bfloat16ToFloat32(float32ToBfloat16(data[i]!));
    const column = { kind: 'floatVector' as const, dim, data: rounded, valid: null };
    return WasmSpace.forColumn(column, numRows, metric, LINK_BYTES_PER_ROW) ?? new F32Space(rounded, numRows, dim, metric);
  }

  encode(): Uint8Array {
    return Uint8Array.of(TYPE_CODES.indexOf(this.type), 0, 0, 0);
  }

  countMemory(t: MemoryTally): void {
    t.array(null);
  }
}

class LinearQuantiser implements Quantiser {
  readonly type: SqType;
  private readonly levels: number;
  private readonly min: Float32Array;
  private readonly step: Float32Array;

  constructor(type: SqType, levels: number, min: Float32Array, step: Float32Array) {
    this.type = type;
    this.levels = levels;
    this.min = min;
    this.step = step;
  }

  countMemory(t: MemoryTally): void {
    t.array(this.min).array(this.step);
  }

  space(data: Float32Array, numRows: number, dim: number, metric: DenseMetric): VectorSpace {
    const codes = this.encodeRows(data, numRows, dim, metric);
    const { min, step } = this;
    return WasmSpace.forSqCodes(codes, numRows, dim, metric, min, step, LINK_BYTES_PER_ROW) ?? new SqSpace(codes, numRows, dim, metric, min, step);
  }

  /** The JS space over the same codes (the path without wasm, and the reference the wasm one is tested against). */
  referenceSpace(data: Float32Array, numRows: number, dim: number, metric: DenseMetric): VectorSpace {
    return new SqSpace(this.encodeRows(data, numRows, dim, metric), numRows, dim, metric, this.min, this.step);
  }

  private encodeRows(data: Float32Array, numRows: number, dim: number, metric: DenseMetric): Uint8Array {
    const codes = new Uint8Array(numRows * dim);
    const row = new Float32Array(dim);
    const { min, step, levels } = this;
    for (let r = 0; r < numRows; r++) {
      loadRow(data, r, dim, metric === 'COSINE', row);
      const off = r * dim;
      for (let j = 0; j < dim; j++) {
        const s = step[j]!;
        const c = s === 0 ? 0 : Math.round((row[j]! - min[j]!) / s);
        codes[off + j] = c < 0 ? 0 : c > levels ? levels : c;
      }
    }
    return codes;
  }

  encode(): Uint8Array {
    const dim = this.min.length;
    const out = new Uint8Array(4 + 8 * dim);
    const dv = new DataView(out.buffer);
    out[0] = TYPE_CODES.indexOf(this.type);
    for (let j = 0; j < dim; j++) {
      dv.setFloat32(4 + 4 * j, this.min[j]!, true);
      dv.setFloat32(4 + 4 * (dim + j), this.step[j]!, true);
    }
    return out;
  }
}

/**
 * Distances against code rows, reconstructing x = min + code * step on the fly. L2 keeps the query
 * shifted by `min`; inner products keep the query scaled by `step` plus the constant q . min.
 */
class SqSpace implements VectorSpace {
  readonly dim: number;
  readonly numRows: number;
  private readonly codes: Uint8Array;
  private readonly min: Float32Array;
  private readonly step: Float32Array;
  private readonly l2: boolean;
  private readonly cosine: boolean;
  /** L2: q - min; IP / COSINE: q * step. */
  private readonly qs: Float64Array;
  private qConst = 0;
  private readonly scratch: Float32Array;

  constructor(codes: Uint8Array, numRows: number, dim: number, metric: DenseMetric, min: Float32Array, step: Float32Array) {
    this.codes = codes;
    this.numRows = numRows;
    this.dim = dim;
    this.min = min;
    this.step = step;
    this.l2 = metric === 'L2';
    this.cosine = metric === 'COSINE';
    this.qs = new Float64Array(dim);
    this.scratch = new Float32Array(dim);
  }

  countMemory(t: MemoryTally): void {
    t.array(this.codes).array(this.min).array(this.step).array(this.qs).array(this.scratch);
  }

  setQuery(src: Float32Array, off: number): void {
    this.qConst = sqQueryTable(src, off, this.dim, this.l2, this.cosine, this.min, this.step, this.qs);
  }

  setQueryRow(row: number): void {
    const dim = this.dim, out = this.scratch;
    for (let j = 0; j < dim; j++) out[j] = this.min[j]! + this.codes[row * dim + j]! * this.step[j]!;
    this.setQuery(out, 0);
  }

  distance(row: number): number {
    const dim = this.dim, codes = this.codes, qs = this.qs, off = row * dim;
    if (this.l2) {
      const step = this.step;
      let s = 0;
      for (let j = 0; j < dim; j++) { const d = qs[j]! - codes[off + j]! * step[j]!; s += d * d; }
      return Math.fround(s);
    }
    let s = this.qConst;
    for (let j = 0; j < dim; j++) s += qs[j]! * codes[off + j]!;
    return -Math.fround(this.cosine ? clamp(s) : s);
  }

  distances(ids: Int32Array, idsOff: number, count: number, out: Float32Array): void {
    const dim = this.dim, codes = this.codes, qs = this.qs;
    if (this.l2) {
      const step = this.step;
      for (let i = 0; i < count; i++) {
        const off = ids[idsOff + i]! * dim;
        let s0 = 0, s1 = 0;
        let j = 0;
        for (; j + 1 < dim; j += 2) {
          const d0 = qs[j]! - codes[off + j]! * step[j]!;
          const d1 = qs[j + 1]! - codes[off + j + 1]! * step[j + 1]!;
          s0 += d0 * d0;
          s1 += d1 * d1;
        }
        if (j < dim) { const d = qs[j]! - codes[off + j]! * step[j]!; s0 += d * d; }
        out[i] = s0 + s1;
      }
      return;
    }
    const c = this.qConst, cosine = this.cosine;
    for (let i = 0; i < count; i++) {
      const off = ids[idsOff + i]! * dim;
      let s0 = 0, s1 = 0;
      let j = 0;
      for (; j + 1 < dim; j += 2) {
        s0 += qs[j]! * codes[off + j]!;
        s1 += qs[j + 1]! * codes[off + j + 1]!;
      }
      if (j < dim) s0 += qs[j]! * codes[off + j]!;
      const s = c + s0 + s1;
      out[i] = -(cosine ? clamp(s) : s);
    }
  }

  pairDistance(a: number, b: number): number {
    const dim = this.dim, codes = this.codes, step = this.step, min = this.min;
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const xa = min[j]! + codes[a * dim + j]! * step[j]!;
      const xb = min[j]! + codes[b * dim + j]! * step[j]!;
      s += this.l2 ? (xa - xb) * (xa - xb) : xa * xb;
    }
    return this.l2 ? Math.fround(s) : -Math.fround(this.cosine ? clamp(s) : s);
  }

  score(key: number): number {
    return this.l2 ? key : -key;
  }
}

function clamp(c: number): number {
  return c > 1 ? 1 : c < -1 ? -1 : c;
}
