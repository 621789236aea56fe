/**
 * What the filter planner (index-plan.ts) needs from a scalar index, whatever its type. The
 * implementations (STL_SORT, INVERTED, BITMAP, TRIE over sorted postings; NGRAM over gram postings)
 * live in src/index/scalar/ and are attached to a segment's chunk by the engine; a row source that
 * has them implements ScalarIndexSource.
 *
 * Keys are compared exactly as the column scan compares values: numbers as doubles (Float columns
 * widened), Int64 as bigint, VarChar by UTF-16 code units (JS `<`). NULL rows and NaN are in no
 * posting, so an index answers "known true" rows only; the planner takes "known" from the column.
 */
import type { RowSource } from '../schema/column.js';
import type { PathStep } from './ast.js';
import type { Box } from './geometry.js';

export type IndexKeyKind = 'num' | 'i64' | 'str' | 'bool';
export type IndexKey = number | bigint | string;

/** Half-open spans [start, end) of a posting array, as pairs; rows of a span may repeat across spans only for arrays. */
export type Spans = Int32Array;

/** Sorted term dictionary -> posting lists: equality, `in`, ranges, prefixes, array elements. */
export interface SortedScalarIndex {
  readonly shape: 'sorted';
  readonly indexType: string;
  readonly keyKind: IndexKeyKind;
  /** True when the keys are array elements (an ARRAY field): `contains` only. */
  readonly elements: boolean;
  /** Prefix lookups are answered (string keys). */
  readonly prefixes: boolean;
  /** Ranges are answered (STL_SORT, INVERTED; BITMAP answers them over its few terms). */
  readonly ranges: boolean;
  termSpans(keys: readonly IndexKey[]): Spans;
  rangeSpan(lo: IndexKey | null, loInclusive: boolean, hi: IndexKey | null, hiInclusive: boolean): Spans;
  prefixSpan(prefix: string): Spans;
  /** Postings (row ids) the spans cover (rows may repeat for array elements). */
  spanRows(spans: Spans): number;
  /** Copies the postings of the spans into `out` (span by span, as stored); returns how many. */
  gather(spans: Spans, out: Int32Array): number;
  /** out[row] = 1 for every row in the spans. */
  fill(spans: Spans, out: Uint8Array): void;
  /** counts[row] += 1 for every row of one term (array `contains all`). */
  count(spans: Spans, counts: Uint16Array): void;
}

/** Gram postings: rows whose text holds every given literal are among the candidates returned. */
export interface NgramScalarIndex {
  readonly shape: 'ngram';
  readonly indexType: string;
  readonly minGram: number;
  readonly maxGram: number;
  /** Candidate rows (ascending) holding every literal, or null when no literal is long enough to look up. */
  candidates(literals: readonly string[]): Int32Array | null;
}

/** Bounding boxes of a Geometry field's rows (RTREE): rows whose box meets a query box are the candidates. */
export interface RtreeScalarIndex {
  readonly shape: 'rtree';
  readonly indexType: string;
  /** Candidate rows (ascending) whose bounding box intersects `box`. */
  candidates(box: Box): Int32Array;
}

export type ScalarIndex = SortedScalarIndex | NgramScalarIndex | RtreeScalarIndex;

/**
 * A scalar index attached to a field, or to a JSON path of a JSON field (`jsonPath` the key path,
 * `castType` the Milvus json_cast_type whose values it holds).
 */
export interface ScalarIndexEntry {
  readonly field: string;
  readonly jsonPath: readonly PathStep[] | null;
  readonly index: ScalarIndex;
}

export interface ScalarIndexSource {
  scalarIndexes(field: string): readonly ScalarIndexEntry[];
  /**
   * The largest fraction of the rows an index may select and still be used (the rest is cheaper by
   * scan); 1 forces every usable index (tests).
   */
  readonly indexSelectivityMax?: number;
  /**
   * A field's validity (null: no nulls) without its values, where reading the column would cost more
   * (a mapped column is read from its file); absent: taken from `column(field)`.
   */
  validOf?(field: string): Uint8Array | null;
}

export function hasScalarIndexes(rows: RowSource): rows is RowSource & ScalarIndexSource {
  return typeof (rows as Partial<ScalarIndexSource>).scalarIndexes === 'function';
}
