/** FLAT (dense) and BIN_FLAT (binary): no payload, every search is an exact scan. */
import type { MemoryTally } from '../memory.js';
import type { Column } from '../../schema/column.js';
import type { MetricType } from '../../core/enums.js';
import { errors } from '../../core/errors.js';
import { assert } from '../../core/assert.js';
import { searchExact, type ExactSearchResult } from '../flat.js';
import type { IndexBuildSpec, IndexDescriptor, IndexSearchRequest, VectorIndex } from '../descriptor.js';
import { DENSE_KINDS, isVectorColumn, type VectorKind } from '../metrics.js';

export class FlatIndex implements VectorIndex {
  readonly indexType: string;
  readonly metric: MetricType;
  readonly numRows: number;
  private readonly column: Column;

  constructor(indexType: string, column: Column, numRows: number, metric: MetricType) {
    this.indexType = indexType;
    this.column = column;
    this.numRows = numRows;
    this.metric = metric;
  }

  search(req: IndexSearchRequest): ExactSearchResult {
    return searchExact({
      metric: this.metric, column: this.column, numRows: this.numRows,
      queries: req.queries, topK: req.topK, filter: req.filter ?? null, range: req.range ?? null,
    });
  }

  serialize(): Uint8Array {
    return new Uint8Array(0);
  }

  /** Nothing beyond the column, which the segment counts. */
  countMemory(t: MemoryTally): void {
    t.array(null);
  }
}

/** Build-time guard shared by implementations: the column must be one the descriptor accepts. */
export function checkBuildColumn(desc: IndexDescriptor, column: Column): VectorKind {
  if (!isVectorColumn(column) || !desc.vectorKinds.includes(column.kind)) {
    throw errors.invalidParameter(`data type ${column.kind} can't build with this index ${desc.name}`, {
      expected: desc.vectorKinds.join('/'), actual: column.kind,
    });
  }
  return column.kind;
}

function flatDescriptor(name: string, kinds: readonly VectorKind[], metrics: readonly MetricType[]): IndexDescriptor {
  const desc: IndexDescriptor = {
    name, metrics, vectorKinds: kinds, buildParams: [], searchParams: [],
    trains: false, filtersNatively: true, recallAt10: 1, exactSelectivity: 1,
    // Exact by nature: segments are searched with searchExact and nothing is built or stored.
    exactThreshold: Number.POSITIVE_INFINITY,
    build(column: Column, numRows: number, spec: IndexBuildSpec): VectorIndex {
      checkBuildColumn(desc, column);
      return new FlatIndex(name, column, numRows, spec.metric);
    },
    deserialize(payload: Uint8Array, column: Column, numRows: number, spec: IndexBuildSpec): VectorIndex {
      if (payload.length !== 0) throw errors.internal(`${name} index payload must be empty, got ${payload.length} bytes`);
      return desc.build(column, numRows, spec);
    },
  };
  assert(metrics.length > 0, 'descriptor has metrics');
  return desc;
}

export const FLAT: IndexDescriptor = flatDescriptor('FLAT', DENSE_KINDS, ['L2', 'IP', 'COSINE']);
export const BIN_FLAT: IndexDescriptor = flatDescriptor('BIN_FLAT', ['binaryVector'], ['HAMMING', 'JACCARD']);
