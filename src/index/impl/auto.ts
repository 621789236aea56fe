/**
 * AUTOINDEX: the server picks a concrete index per vector kind. Until ANN indexes exist this is
 * FLAT for dense kinds, BIN_FLAT for binary and SPARSE_INVERTED_INDEX for sparse; the metric
 * defaults per kind (validateIndexParams). Search param `level` is accepted and ignored by exact search.
 */
import type { Column } from '../../schema/column.js';
import type { IndexBuildSpec, IndexDescriptor, VectorIndex } from '../descriptor.js';
import { VECTOR_KINDS, type VectorKind } from '../metrics.js';
import { BIN_FLAT, FLAT, checkBuildColumn } from './flat.js';
import { SPARSE_INVERTED_INDEX } from './sparse.js';

/** The concrete descriptor AUTOINDEX uses for `kind`. */
export function autoIndexFor(kind: VectorKind): IndexDescriptor {
  switch (kind) {
    case 'binaryVector': return BIN_FLAT;
    case 'sparseVector': return SPARSE_INVERTED_INDEX;
    default: return FLAT;
  }
}

export const AUTOINDEX: IndexDescriptor = {
  name: 'AUTOINDEX',
  metrics: ['L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD'],
  vectorKinds: VECTOR_KINDS,
  buildParams: [],
  searchParams: [{ name: 'level', type: 'int', min: 1, max: 10, default: 1 }],
  trains: false,
  filtersNatively: true,
  recallAt10: 1,
  exactSelectivity: 1,
  build(column: Column, numRows: number, spec: IndexBuildSpec): VectorIndex {
    return autoIndexFor(checkBuildColumn(AUTOINDEX, column)).build(column, numRows, spec);
  },
  deserialize(payload: Uint8Array, column: Column, numRows: number, spec: IndexBuildSpec): VectorIndex {
    return autoIndexFor(checkBuildColumn(AUTOINDEX, column)).deserialize(payload, column, numRows, spec);
  },
};
