/**
 * IVF_PQ: the IVF lists plus a product-quantised code of each row's residual (row - its list's
 * centroid; COSINE rows are unit-normalised first). Search is asymmetric (ADC): the query stays
 * float32 and per-query lookup tables of m x ksub partial scores are summed over a row's code words.
 * - L2: the table holds ||(q - c_l)_j - codeword||^2 and is rebuilt for each probed list l.
 * - IP: one table of q_j . codeword per query; score = q . c_l + sum of table entries.
 * - COSINE: the IP score divided by |q| * |reconstructed row| (norms kept per row), clamped to [-1, 1].
 * Scores come from the codes only (no re-rank), so they are approximate, as in Milvus.
 */
import type { MemoryTally } from '../../memory.js';
import type { MetricType } from '../../../core/enums.js';
import { errors } from '../../../core/errors.js';
import { ipF32, l2SqF32 } from '../../kernels/dense.js';
import type { ScanContext } from '../../scan-window.js';
import { buildCoarse } from './coarse.js';
import { DenseIvfBase, IVF_TYPE_CODES, readDenseCommon, type DenseIvfParts } from './dense-base.js';
import type { InvertedLists } from './lists.js';
import { PayloadReader } from './payload.js';
import { pqBytesPerCode, pqCode, pqDecode, pqEncode, trainPq, type ProductQuantizer } from './pq.js';
import { DenseRowReader, normalizeRow, type DenseColumn } from './rows.js';
import { offerRow } from './search.js';
import { offerScored } from './task.js';
import { WasmArena } from '../../wasm/arena.js';
import { KIND, METRIC } from '../../wasm/codes.js';
import { ivfTuning, sampleRows, seededRandom } from './tuning.js';

/** List number of every position of `lists.ids`. */
function listOfPositions(lists: InvertedLists): Int32Array {
  const out = new Int32Array(lists.ids.length);
  for (let l = 0; l < lists.nlist; l++) out.fill(l, lists.offsets[l]!, lists.offsets[l + 1]!);
  return out;
}

/** Residual of the row at list position `pos` (normalised first for COSINE) into out[outOff..]. */
function residualInto(
  reader: DenseRowReader, parts: DenseIvfParts, listOf: Int32Array, pos: number, normalize: boolean, out: Float32Array, outOff: number,
): void {
  const dim = reader.dim;
  reader.readInto(parts.lists.ids[pos]!, out, outOff);
  if (normalize) normalizeRow(out, outOff, dim);
  const c = listOf[pos]! * dim, centroids = parts.coarse.centroids;
  for (let d = 0; d < dim; d++) out[outOff + d] = out[outOff + d]! - centroids[c + d]!;
}

export function trainAndEncode(reader: DenseRowReader, parts: DenseIvfParts, m: number, nbits: number, normalize: boolean): { pq: ProductQuantizer; codes: Uint8Array } {
  const dim = reader.dim, lists = parts.lists, n = lists.ids.length;
  const listOf = listOfPositions(lists);
  const random = seededRandom(ivfTuning.seed ^ 0x9e3779b9);
  const positions = new Int32Array(n);
  for (let i = 0; i < n; i++) positions[i] = i;
  const sample = sampleRows(positions, Math.min(2 ** nbits, n) * ivfTuning.pqRowsPerCode, random);
  const x = new Float32Array(sample.length * dim);
  for (let i = 0; i < sample.length; i++) residualInto(reader, parts, listOf, sample[i]!, normalize, x, i * dim);
  const pq = trainPq(x, Math.max(1, sample.length), dim, m, nbits, random);
  const codeBytes = m * pq.bytesPerCode;
  const codes = new Uint8Array(n * codeBytes);
  const r = new Float32Array(dim);
  for (let pos = 0; pos < n; pos++) {
    residualInto(reader, parts, listOf, pos, normalize, r, 0);
    pqEncode(pq, r, 0, codes, pos * codeBytes);
  }
  return { pq, codes };
}

/** |c_l + decoded residual| for every list position (COSINE). */
export function reconstructedNorms(parts: DenseIvfParts, pq: ProductQuantizer, codes: Uint8Array): Float32Array {
  const { lists, coarse } = parts, dim = coarse.dim, codeBytes = pq.m * pq.bytesPerCode;
  const out = new Float32Array(lists.ids.length);
  const r = new Float32Array(dim);
  for (let l = 0; l < lists.nlist; l++) {
    for (let pos = lists.offsets[l]!; pos < lists.offsets[l + 1]!; pos++) {
      pqDecode(pq, codes, pos * codeBytes, r, 0);
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const v = r[d]! + coarse.centroids[l * dim + d]!;
        s += v * v;
      }
      out[pos] = Math.sqrt(s);
    }
  }
  return out;
}

export class IvfPqIndex extends DenseIvfBase {
  readonly pq: ProductQuantizer;
  /** lists.ids.length x m x bytesPerCode, in list order. */
  readonly codes: Uint8Array;
  private readonly norms: Float32Array | null;
  /** m x ksub partial scores for the current query (and list, for L2). */
  private readonly lut: Float32Array;
  private readonly residual: Float32Array;

  constructor(column: DenseColumn, numRows: number, metric: MetricType, parts: DenseIvfParts, pq: ProductQuantizer, codes: Uint8Array) {
    super('IVF_PQ', column, numRows, metric, parts);
    this.pq = pq;
    this.codes = codes;
    this.norms = metric === 'COSINE' ? reconstructedNorms(parts, pq, codes) : null;
    this.lut = new Float32Array(pq.m * pq.ksub);
    this.residual = new Float32Array(column.dim);
  }

  static build(column: DenseColumn, numRows: number, metric: MetricType, nlist: number, m: number, nbits: number, threads = 1): IvfPqIndex {
    if (column.dim % m !== 0) {
      throw errors.invalidParameter(`param 'm' (${m}) should divide the vector dimension ${column.dim}`, {
        param: 'm', expected: `a divisor of dim ${column.dim}`, actual: m,
      });
    }
    const reader = new DenseRowReader(column);
    const parts = buildCoarse(reader, column.valid, numRows, nlist, metric, threads);
    if (parts.lists.ids.length === 0) {
      const pq: ProductQuantizer = { dim: column.dim, m, dsub: column.dim / m, nbits, ksub: 0, bytesPerCode: pqBytesPerCode(nbits), codebooks: new Float32Array(0) };
      return new IvfPqIndex(column, numRows, metric, parts, pq, new Uint8Array(0));
    }
    const { pq, codes } = trainAndEncode(reader, parts, m, nbits, metric === 'COSINE');
    return new IvfPqIndex(column, numRows, metric, parts, pq, codes);
  }

  static deserialize(payload: Uint8Array, column: DenseColumn, numRows: number, metric: MetricType): IvfPqIndex {
    const reader = new PayloadReader(payload);
    const dim = column.dim;
    const parts = readDenseCommon(reader, IVF_TYPE_CODES.IVF_PQ, dim, numRows, metric);
    const m = reader.u32(), nbits = reader.u32(), ksub = reader.u32();
    if (m < 1 || dim % m !== 0 || nbits < 1 || nbits > 24 || ksub > 2 ** nbits) throw errors.internal('corrupt IVF_PQ payload: quantizer shape');
    const codebooks = reader.f32('codebooks', ksub * dim);
    const bytesPerCode = pqBytesPerCode(nbits);
    const codes = reader.u8('codes', parts.lists.ids.length * m * bytesPerCode);
    reader.finish();
    const pq: ProductQuantizer = { dim, m, dsub: dim / m, nbits, ksub, bytesPerCode, codebooks };
    for (let pos = 0; pos < parts.lists.ids.length; pos++) {
      for (let j = 0; j < m; j++) if (pqCode(pq, codes, pos * m * bytesPerCode, j) >= ksub) throw errors.internal('corrupt IVF_PQ payload: code out of range');
    }
    const ix = new IvfPqIndex(column, numRows, metric, parts, pq, codes);
    ix.prepareForSearch();
    return ix;
  }

  override prepareForSearch(): void {
    this.wasmTables();
  }

  /** The codes (JS, and their copy in wasm memory), codebooks and tables. */
  protected countOwn(t: MemoryTally): void {
    t.array(this.codes).array(this.norms).array(this.lut).array(this.residual).array(this.pq.codebooks);
    t.memory(this.wasm?.memory);
  }

  serialize(): Uint8Array {
    return this.writeCommon(IVF_TYPE_CODES.IVF_PQ).u32(this.pq.m).u32(this.pq.nbits).u32(this.pq.ksub)
      .section(this.pq.codebooks).section(this.codes).finish();
  }

  /** IP / COSINE: the query's table (independent of the list). */
  protected override beginQuery(q: number): void {
    if (this.metric === 'L2') return;
    const w = this.wasmTables();
    if (w !== null) w.fillLut(this.queries, q * this.dim, false);
    else this.fillLut(this.queries, q * this.dim, false);
  }

  /** The codes and tables in wasm memory (made on first use; null without wasm or for codes wider than a byte). */
  private wasm: PqWasm | null | undefined;

  private wasmTables(): PqWasm | null {
    if (this.wasm === undefined) {
      let longest = 0;
      for (let l = 0; l < this.lists.nlist; l++) longest = Math.max(longest, this.lists.offsets[l + 1]! - this.lists.offsets[l]!);
      this.wasm = this.pq.bytesPerCode === 1 && this.lists.ids.length > 0 ? PqWasm.create(this.pq, this.codes, this.norms, longest) : null;
    }
    return this.wasm;
  }

  /** lut[j * ksub + k] = partial score of sub-vector j of v (at vOff) against code word k. */
  private fillLut(v: Float32Array, vOff: number, l2: boolean): void {
    const { m, ksub, dsub, codebooks } = this.pq;
    const lut = this.lut;
    for (let j = 0; j < m; j++) {
      for (let k = 0; k < ksub; k++) {
        const cb = (j * ksub + k) * dsub;
        lut[j * ksub + k] = l2 ? l2SqF32(v, vOff + j * dsub, codebooks, cb, dsub) : ipF32(v, vOff + j * dsub, codebooks, cb, dsub);
      }
    }
  }

  scanList(q: number, l: number, ctx: ScanContext): number {
    const from = this.lists.offsets[l]!, to = this.lists.offsets[l + 1]!;
    if (from === to) return 0;
    const dim = this.dim, qs = this.queries, qOff = q * dim, c = this.coarse.centroids;
    let base = 0;
    const w = this.wasmTables();
    if (this.metric === 'L2') {
      const r = this.residual;
      for (let d = 0; d < dim; d++) r[d] = qs[qOff + d]! - c[l * dim + d]!;
      if (w !== null) w.fillLut(r, 0, true);
      else this.fillLut(r, 0, true);
    } else {
      base = ipF32(qs, qOff, c, l * dim, dim);
    }
    if (w !== null) {
      return offerScored(w.scores(from, to, base, this.queryNorms[q]!), w.outPtr >>> 2, this.lists.ids, q, from, to, ctx);
    }
    return this.pq.bytesPerCode === 1 ? this.scanBytes(q, from, to, base, ctx) : this.scanWide(q, from, to, base, ctx);
  }

  /** Final score from the summed table entries. */
  private finish(q: number, pos: number, sum: number): number {
    const norms = this.norms;
    if (norms === null) return sum;
    const den = this.queryNorms[q]! * norms[pos]!;
    const s = den === 0 ? 0 : sum / den;
    return s > 1 ? 1 : s < -1 ? -1 : s;
  }

  private scanBytes(q: number, from: number, to: number, base: number, ctx: ScanContext): number {
    const ids = this.lists.ids, filter = ctx.filter, codes = this.codes, lut = this.lut;
    const { m, ksub } = this.pq;
    let hits = 0;
    for (let pos = from; pos < to; pos++) {
      const row = ids[pos]!;
      if (filter !== null && filter[row] === 0) continue;
      let s = base;
      for (let j = 0, at = pos * m, t = 0; j < m; j++, at++, t += ksub) s += lut[t + codes[at]!]!;
      hits += offerRow(ctx, q, Math.fround(this.finish(q, pos, s)), row);
    }
    return hits;
  }

  private scanWide(q: number, from: number, to: number, base: number, ctx: ScanContext): number {
    const ids = this.lists.ids, filter = ctx.filter, codes = this.codes, lut = this.lut, pq = this.pq;
    const codeBytes = pq.m * pq.bytesPerCode;
    let hits = 0;
    for (let pos = from; pos < to; pos++) {
      const row = ids[pos]!;
      if (filter !== null && filter[row] === 0) continue;
      let s = base;
      for (let j = 0; j < pq.m; j++) s += lut[j * pq.ksub + pqCode(pq, codes, pos * codeBytes, j)]!;
      hits += offerRow(ctx, q, Math.fround(this.finish(q, pos, s)), row);
    }
    return hits;
  }
}

/**
 * IVF_PQ's one-byte codes (list order), codebooks, lookup table, COSINE norms and scratch in a wasm
 * memory of its own. The table is filled with the exact `scan` kernel (bit-identical to the JS
 * l2SqF32 / ipF32 loop) and rows are scored by `pqScan` (the JS scanBytes loop, bit-identical).
 */
class PqWasm {
  readonly outPtr: number;
  private readonly codesPtr: number;
  private readonly codebooksPtr: number;
  private readonly lutPtr: number;
  private readonly vecPtr: number;
  private readonly normsPtr: number;

  private constructor(private readonly arena: WasmArena, private readonly pq: ProductQuantizer, codes: Uint8Array, norms: Float32Array | null, longest: number) {
    const a = arena;
    const copy = (src: Uint8Array | Float32Array): number => {
      const p = a.alloc(Math.max(4, src.byteLength));
      a.u8.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), p);
      return p;
    };
    this.codesPtr = copy(codes);
    this.codebooksPtr = copy(pq.codebooks);
    this.normsPtr = norms === null ? 0 : copy(norms);
    this.lutPtr = a.alloc(Math.max(4, pq.m * pq.ksub * 4));
    this.vecPtr = a.alloc(Math.max(4, pq.dim * 4));
    this.outPtr = a.alloc(Math.max(4, longest * 4));
  }

  get memory(): WasmArena['memory'] {
    return this.arena.memory;
  }

  static create(pq: ProductQuantizer, codes: Uint8Array, norms: Float32Array | null, longest: number): PqWasm | null {
    const bytes = codes.length + pq.codebooks.byteLength + pq.m * pq.ksub * 4 + pq.dim * 4 + longest * 8;
    return WasmArena.owned(bytes, (arena) => new PqWasm(arena, pq, codes, norms, longest));
  }

  /** lut[j * ksub + k] = L2 or IP of sub-vector j of v (at vOff) against code word k, as IvfPqIndex.fillLut. */
  fillLut(v: Float32Array, vOff: number, l2: boolean): void {
    const { m, ksub, dsub, dim } = this.pq, a = this.arena;
    a.f32.set(v.subarray(vOff, vOff + dim), this.vecPtr >>> 2);
    const metric = l2 ? METRIC.L2 : METRIC.IP;
    for (let j = 0; j < m; j++) {
      a.k.scan(KIND.float32, metric, 0, this.vecPtr + j * dsub * 4, this.codebooksPtr + j * ksub * dsub * 4, dsub, 0, ksub, 0, 0, 0,
        this.lutPtr + j * ksub * 4);
    }
  }

  /** Scores of positions [from, to) from the current table, at f32[outPtr >>> 2 ..]; valid until the next call. */
  scores(from: number, to: number, base: number, qNorm: number): Float32Array {
    const a = this.arena;
    a.k.pqScan(this.codesPtr, this.pq.m, this.pq.ksub, from, to, this.lutPtr, base, this.normsPtr, qNorm, this.outPtr);
    return a.f32;
  }
}
