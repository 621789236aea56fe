/** Every index type Sextant knows, by name. The engine looks descriptors up here and nowhere else. */
import { errors } from '../core/errors.js';
import type { IndexDescriptor } from './descriptor.js';
import { AUTOINDEX } from './impl/auto.js';
import { BIN_FLAT, FLAT } from './impl/flat.js';
import { SPARSE_INVERTED_INDEX, SPARSE_WAND } from './impl/sparse.js';
import { HNSW, HNSW_SQ } from './impl/hnsw/descriptor.js';
import { IVF_DESCRIPTORS } from './impl/ivf/index.js';
import { DISKANN } from './impl/diskann/descriptor.js';

export { validateIndexParams, validateSearchParams, type NormalizedIndexParams } from './params.js';
export { defaultMetricFor, metricsForKind } from './metrics.js';

const DESCRIPTORS: readonly IndexDescriptor[] = [FLAT, BIN_FLAT, SPARSE_INVERTED_INDEX, SPARSE_WAND, AUTOINDEX, HNSW, HNSW_SQ, ...IVF_DESCRIPTORS, DISKANN];
const BY_NAME: ReadonlyMap<string, IndexDescriptor> = new Map(DESCRIPTORS.map((d) => [d.name, d]));

/** The descriptor for an index type name (case-insensitive; empty = AUTOINDEX). Unknown -> 701. */
export function getIndexDescriptor(name: string): IndexDescriptor {
  const key = name.trim() === '' ? 'AUTOINDEX' : name.trim().toUpperCase();
  const desc = BY_NAME.get(key);
  if (desc === undefined) throw errors.indexNotSupported(name);
  return desc;
}

export function listIndexDescriptors(): readonly IndexDescriptor[] {
  return DESCRIPTORS;
}
