/**
 * The index layer's shared result and parameter shapes: a leaf (it imports nothing), so that the
 * pool's worker-side task code can use them without reaching flat.ts, descriptor.ts or the pool.
 * flat.ts and descriptor.ts re-export them.
 */

export type ParamValue = number | string | boolean;

/** Parameters after validation: known ones typed and defaulted, unknown ones passed through. */
export type IndexParams = Readonly<Record<string, ParamValue>>;

export interface RangeParams {
  radius: number;
  rangeFilter?: number;
}

export interface ExactSearchResult {
  nq: number;
  topK: number;
  /** nq * topK row offsets, best first per query; -1 = no hit. */
  rows: Int32Array;
  /** nq * topK metric values (+Inf / -Inf in empty slots for distance / similarity metrics). */
  scores: Float32Array;
  /** Hits per query. */
  counts: Int32Array;
}

/** A byte range of a file holding an index's image (the payload of an index file). */
export interface IndexFileRegion {
  path: string;
  offset: number;
  length: number;
}

/**
 * A sparse index's posting lists: for each dimension present (ascending in `dims`), the rows holding
 * it (ascending) and their values, rows/values[offsets[d] .. offsets[d+1]).
 */
export interface SparsePostingLists {
  readonly dims: Uint32Array;
  readonly offsets: Uint32Array;
  readonly rows: Int32Array;
  readonly values: Float32Array;
}
