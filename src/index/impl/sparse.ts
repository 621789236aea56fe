/**
 * SPARSE_INVERTED_INDEX and SPARSE_WAND (IP). Both answer exactly by merging sorted index lists;
 * an inverted layout is a later optimisation behind the same interface.
 * `drop_ratio_build` drops the smallest |value| fraction of all stored values at build time;
 * `drop_ratio_search` drops the smallest |value| fraction of each query's values.
 */
import type { Column } from '../../schema/column.js';
import type { SparseVector } from '../../schema/types.js';
import type { MetricType } from '../../core/enums.js';
import { errors } from '../../core/errors.js';
import { searchExact, type ExactSearchResult } from '../flat.js';
import type { IndexBuildSpec, IndexDescriptor, IndexSearchRequest, ParamSpec, VectorIndex } from '../descriptor.js';
import { checkBuildColumn } from './flat.js';

type SparseColumn = Extract<Column, { kind: 'sparseVector' }>;

/** The value below which |v| is dropped so that `ratio` of `values` go (0 = keep everything). */
function dropThreshold(values: Float32Array, ratio: number): number {
  if (ratio <= 0 || values.length === 0) return 0;
  const abs = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) abs[i] = Math.abs(values[i]!);
  abs.sort();
  return abs[Math.min(abs.length - 1, Math.floor(ratio * abs.length))]!;
}

function pruneVector(v: SparseVector, threshold: number): SparseVector {
  let keep = 0;
  for (let i = 0; i < v.values.length; i++) if (Math.abs(v.values[i]!) >= threshold) keep++;
  if (keep === v.values.length) return v;
  const indices = new Uint32Array(keep);
  const values = new Float32Array(keep);
  for (let i = 0, j = 0; i < v.values.length; i++) {
    if (Math.abs(v.values[i]!) < threshold) continue;
    indices[j] = v.indices[i]!;
    values[j] = v.values[i]!;
    j++;
  }
  return { indices, values };
}

function pruneColumn(column: SparseColumn, numRows: number, ratio: number): SparseColumn {
  if (ratio <= 0) return column;
  let total = 0;
  for (let r = 0; r < numRows; r++) if (column.valid === null || column.valid[r] !== 0) total += column.data[r]!.values.length;
  const all = new Float32Array(total);
  for (let r = 0, at = 0; r < numRows; r++) {
    if (column.valid !== null && column.valid[r] === 0) continue;
    all.set(column.data[r]!.values, at);
    at += column.data[r]!.values.length;
  }
  const threshold = dropThreshold(all, ratio);
  const data: SparseVector[] = [];
  for (let r = 0; r < numRows; r++) data.push(pruneVector(column.data[r]!, threshold));
  return { kind: 'sparseVector', data, valid: column.valid };
}

export class SparseFlatIndex implements VectorIndex {
  readonly indexType: string;
  readonly metric: MetricType;
  readonly numRows: number;
  private readonly column: SparseColumn;

  constructor(indexType: string, column: SparseColumn, numRows: number, spec: IndexBuildSpec) {
    this.indexType = indexType;
    this.metric = spec.metric;
    this.numRows = numRows;
    const ratio = spec.params['drop_ratio_build'];
    this.column = pruneColumn(column, numRows, typeof ratio === 'number' ? ratio : 0);
  }

  search(req: IndexSearchRequest): ExactSearchResult {
    const ratio = req.params?.['drop_ratio_search'];
    let queries = req.queries;
    if (typeof ratio === 'number' && ratio > 0 && queries.kind === 'sparseVector') {
      queries = { kind: 'sparseVector', valid: null, data: queries.data.map((q) => pruneVector(q, dropThreshold(q.values, ratio))) };
    }
    return searchExact({
      metric: this.metric, column: this.column, numRows: this.numRows,
      queries, topK: req.topK, filter: req.filter ?? null, range: req.range ?? null,
    });
  }

  serialize(): Uint8Array {
    return new Uint8Array(0);
  }
}

const BUILD_PARAMS: readonly ParamSpec[] = [
  { name: 'drop_ratio_build', type: 'float', min: 0, max: 1, maxExclusive: true, default: 0 },
  { name: 'inverted_index_algo', type: 'string', values: ['DAAT_MAXSCORE', 'DAAT_WAND', 'TAAT_NAIVE'], default: 'DAAT_MAXSCORE' },
  { name: 'bm25_k1', type: 'float', min: 0, max: 3, default: 1.2 },
  { name: 'bm25_b', type: 'float', min: 0, max: 1, default: 0.75 },
];
const SEARCH_PARAMS: readonly ParamSpec[] = [
  { name: 'drop_ratio_search', type: 'float', min: 0, max: 1, maxExclusive: true, default: 0 },
];

function sparseDescriptor(name: string): IndexDescriptor {
  const desc: IndexDescriptor = {
    name, metrics: ['IP'], vectorKinds: ['sparseVector'], buildParams: BUILD_PARAMS, searchParams: SEARCH_PARAMS,
    trains: false, filtersNatively: true, recallAt10: 1, exactSelectivity: 1,
    build(column: Column, numRows: number, spec: IndexBuildSpec): VectorIndex {
      checkBuildColumn(desc, column);
      return new SparseFlatIndex(name, column as SparseColumn, numRows, spec);
    },
    deserialize(payload: Uint8Array, column: Column, numRows: number, spec: IndexBuildSpec): VectorIndex {
      if (payload.length !== 0) throw errors.internal(`${name} index payload must be empty, got ${payload.length} bytes`);
      return desc.build(column, numRows, spec);
    },
  };
  return desc;
}

export const SPARSE_INVERTED_INDEX: IndexDescriptor = sparseDescriptor('SPARSE_INVERTED_INDEX');
/** Deprecated since Milvus 2.5.4 (now `inverted_index_algo: DAAT_WAND`), still accepted. */
export const SPARSE_WAND: IndexDescriptor = sparseDescriptor('SPARSE_WAND');
