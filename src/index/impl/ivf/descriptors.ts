/**
 * Descriptors of IVF_FLAT, IVF_SQ8, IVF_PQ, BIN_IVF_FLAT, SCANN and IVF_RABITQ. Parameter ranges and
 * defaults are knowhere's (ivf_config.h, scann_config.h, ivf_rabitq config): nlist [1, 65536] (128),
 * nprobe [1, 65536] (8; values above the built nlist probe every list), max_empty_result_buckets
 * [1, 65536] (2, range search only), IVF_PQ m [1, 65536] (required; must divide dim, checked at
 * build), nbits [1, 24] (8); SCANN with_raw_data (true), reorder_k (topK; at least topK);
 * IVF_RABITQ refine (false), refine_type SQ6 / SQ8 / FP16 / BF16 / FP32 (SQ8 when refine is on and
 * none is given), rbq_query_bits [0, 8] (0), refine_k [1, inf) (1).
 */
import type { Column } from '../../../schema/column.js';
import type { MetricType } from '../../../core/enums.js';
import { errors } from '../../../core/errors.js';
import type { IndexBuildSpec, IndexDescriptor, IndexParams, MappedVectorRows, ParamSpec, VectorIndex } from '../../descriptor.js';
import { DENSE_KINDS, type VectorKind } from '../../metrics.js';
import { checkBuildColumn } from '../flat.js';
import { BinIvfFlatIndex } from './bin-ivf-flat.js';
import { IvfFlatIndex } from './ivf-flat.js';
import { IvfPqIndex } from './ivf-pq.js';
import { IvfSq8Index } from './ivf-sq8.js';
import { IvfRabitqIndex } from './ivf-rabitq.js';
import { REFINE_TYPES, type RefineType } from './refine.js';
import { ScannIndex } from './scann.js';
import type { BinaryColumn, DenseColumn } from './rows.js';
import { DEFAULT_MAX_EMPTY_RESULT_BUCKETS, DEFAULT_NPROBE, IVF_EXACT_SELECTIVITY } from './search.js';

const DEFAULT_NLIST = 128;

const NLIST: ParamSpec = { name: 'nlist', type: 'int', min: 1, max: 65536, default: DEFAULT_NLIST };
const SEARCH_PARAMS: readonly ParamSpec[] = [
  { name: 'nprobe', type: 'int', min: 1, max: 65536, default: DEFAULT_NPROBE },
  { name: 'max_empty_result_buckets', type: 'int', min: 1, max: 65536, default: DEFAULT_MAX_EMPTY_RESULT_BUCKETS },
];
const SCANN_SEARCH_PARAMS: readonly ParamSpec[] = [...SEARCH_PARAMS, { name: 'reorder_k', type: 'int', min: 1 }];
const RABITQ_SEARCH_PARAMS: readonly ParamSpec[] = [
  ...SEARCH_PARAMS,
  { name: 'rbq_query_bits', type: 'int', min: 0, max: 8, default: 0 },
  { name: 'refine_k', type: 'float', min: 1, default: 1 },
];
const PQ_PARAMS: readonly ParamSpec[] = [
  NLIST,
  { name: 'm', type: 'int', min: 1, max: 65536, required: true },
  { name: 'nbits', type: 'int', min: 1, max: 24, default: 8 },
];

/** Segments below this many rows are searched exactly (Milvus' minimum row count for building an index). */
const IVF_EXACT_THRESHOLD = 1024;
/** What `WasmArena.owned` reserves beyond the bytes asked for (8 pages). */
const OWNED_MEMORY_SLACK_BYTES = 8 * 65536;

function intOf(params: IndexParams, name: string, fallback: number): number {
  const v = params[name];
  return typeof v === 'number' ? v : fallback;
}

function denseColumnOf(desc: IndexDescriptor, column: Column): DenseColumn {
  checkBuildColumn(desc, column);
  return column as DenseColumn;
}

function binaryColumnOf(desc: IndexDescriptor, column: Column): BinaryColumn {
  checkBuildColumn(desc, column);
  const c = column as BinaryColumn;
  if (c.dim <= 0 || c.dim % 8 !== 0) {
    throw errors.invalidParameter('binary vector dim must be a positive multiple of 8', { actual: c.dim });
  }
  return c;
}

interface IvfImpl {
  name: string;
  kinds: readonly VectorKind[];
  metrics: readonly MetricType[];
  buildParams: readonly ParamSpec[];
  recallAt10: number;
  searchParams?: readonly ParamSpec[];
  /** Bytes a loaded index holds beyond what its file's estimate covers (default: none). */
  extraMemoryBytes?: (rawBytes: number, spec: IndexBuildSpec) => number;
  build(desc: IndexDescriptor, column: Column, numRows: number, spec: IndexBuildSpec): VectorIndex;
  load(desc: IndexDescriptor, payload: Uint8Array, column: Column, numRows: number, spec: IndexBuildSpec): VectorIndex;
  /** Over a mapped field's rows read on demand (IndexDescriptor.openMapped). */
  openMapped?(desc: IndexDescriptor, payload: Uint8Array, rows: MappedVectorRows, numRows: number, spec: IndexBuildSpec): Promise<VectorIndex | null>;
}

function ivfDescriptor(impl: IvfImpl): IndexDescriptor {
  const desc: IndexDescriptor = {
    name: impl.name,
    metrics: impl.metrics,
    vectorKinds: impl.kinds,
    buildParams: impl.buildParams,
    searchParams: impl.searchParams ?? SEARCH_PARAMS,
    trains: true,
    filtersNatively: true,
    exactThreshold: IVF_EXACT_THRESHOLD,
    recallAt10: impl.recallAt10,
    exactSelectivity: IVF_EXACT_SELECTIVITY,
    build: (column, numRows, spec) => impl.build(desc, column, numRows, spec),
    deserialize: (payload, column, numRows, spec) => impl.load(desc, payload, column, numRows, spec),
    ...(impl.openMapped === undefined ? {} : { openMapped: (payload, rows, numRows, spec) => impl.openMapped!(desc, payload, rows, numRows, spec) }),
    // IVF_FLAT copies the rows in list order into a wasm memory of its own (float32 for float16 rows,
    // so up to twice the raw bytes), its lists and centroids too (over a mapped field, rawBytes 0:
    // the lists, centroids and row positions only); IVF_SQ8 / IVF_PQ copy their codes into one next to the payload's.
    // SCANN / IVF_RABITQ hold their codes twice too, IVF_RABITQ's refine codes besides (extraMemoryBytes).
    memoryEstimateBytes: (fileBytes, rawBytes, spec) => impl.name === 'BIN_IVF_FLAT' ? fileBytes
      : (impl.name === 'IVF_FLAT' ? 2 * fileBytes + 2 * rawBytes : 2 * fileBytes) + OWNED_MEMORY_SLACK_BYTES
        + (impl.extraMemoryBytes?.(rawBytes, spec) ?? 0),
  };
  return desc;
}

/*
 * Declared recallAt10 values are what the shared case suite measures with default params
 * (nlist 128, nprobe 8) minus a margin. Its weakest data are 5000 uniform rows (IVF_FLAT / IVF_SQ8
 * ~0.50) and 600 random 64-bit binary rows (BIN_IVF_FLAT JACCARD ~0.40): on structureless data an
 * IVF index finds roughly the probed fraction. On clustered data they reach 0.87-1.0. IVF_PQ is
 * limited by its codes (no re-ranking): 0.54 on clustered, 0.34 on uniform rows and 0.29 in the
 * range-search case, counted on the returned rows' exact scores (its reported scores are PQ
 * approximations). SCANN (reorder_k = topK by default) measures 0.43 on the uniform rows, IVF_RABITQ
 * without refine (one bit per dimension) 0.31; both reach 0.9+ on clustered rows with reorder_k /
 * refine_k of a few times topK (test/index/ivf-quantized.test.ts).
 */
const DENSE_METRICS: readonly MetricType[] = ['L2', 'IP', 'COSINE'];

export const IVF_FLAT: IndexDescriptor = ivfDescriptor({
  name: 'IVF_FLAT', kinds: DENSE_KINDS, metrics: DENSE_METRICS, buildParams: [NLIST], recallAt10: 0.45,
  build: (desc, column, numRows, spec) =>
    IvfFlatIndex.build(denseColumnOf(desc, column), numRows, spec.metric, intOf(spec.params, 'nlist', DEFAULT_NLIST), spec.threads),
  load: (desc, payload, column, numRows, spec) => IvfFlatIndex.deserialize(payload, denseColumnOf(desc, column), numRows, spec.metric),
  openMapped: (desc, payload, rows, numRows, spec) => {
    denseColumnOf(desc, rows.shape);
    return IvfFlatIndex.openMapped(payload, rows, numRows, spec.metric);
  },
});

export const IVF_SQ8: IndexDescriptor = ivfDescriptor({
  name: 'IVF_SQ8', kinds: DENSE_KINDS, metrics: DENSE_METRICS, buildParams: [NLIST], recallAt10: 0.45,
  build: (desc, column, numRows, spec) =>
    IvfSq8Index.build(denseColumnOf(desc, column), numRows, spec.metric, intOf(spec.params, 'nlist', DEFAULT_NLIST), spec.threads),
  load: (desc, payload, column, numRows, spec) => IvfSq8Index.deserialize(payload, denseColumnOf(desc, column), numRows, spec.metric),
});

export const IVF_PQ: IndexDescriptor = ivfDescriptor({
  name: 'IVF_PQ', kinds: DENSE_KINDS, metrics: DENSE_METRICS, buildParams: PQ_PARAMS, recallAt10: 0.25,
  build: (desc, column, numRows, spec) => {
    const m = spec.params['m'];
    if (typeof m !== 'number') throw errors.invalidParameter(`param 'm' is required`, { param: 'm' });
    return IvfPqIndex.build(denseColumnOf(desc, column), numRows, spec.metric,
      intOf(spec.params, 'nlist', DEFAULT_NLIST), m, intOf(spec.params, 'nbits', 8), spec.threads);
  },
  load: (desc, payload, column, numRows, spec) => IvfPqIndex.deserialize(payload, denseColumnOf(desc, column), numRows, spec.metric),
});

export const BIN_IVF_FLAT: IndexDescriptor = ivfDescriptor({
  name: 'BIN_IVF_FLAT', kinds: ['binaryVector'], metrics: ['HAMMING', 'JACCARD'], buildParams: [NLIST], recallAt10: 0.35,
  build: (desc, column, numRows, spec) =>
    BinIvfFlatIndex.build(binaryColumnOf(desc, column), numRows, spec.metric, intOf(spec.params, 'nlist', DEFAULT_NLIST)),
  load: (desc, payload, column, numRows, spec) => BinIvfFlatIndex.deserialize(payload, binaryColumnOf(desc, column), numRows, spec.metric),
});

/** Float kinds of SCANN and IVF_RABITQ (Milvus builds neither on INT8 vectors). */
const FLOAT_KINDS: readonly VectorKind[] = ['floatVector', 'float16Vector', 'bfloat16Vector'];

function boolParam(spec: IndexBuildSpec, name: string, fallback: boolean): boolean {
  const v = spec.params[name];
  return v === undefined ? fallback : v === true || v === 'true';
}

export const SCANN: IndexDescriptor = ivfDescriptor({
  name: 'SCANN', kinds: FLOAT_KINDS, metrics: DENSE_METRICS, recallAt10: 0.4,
  buildParams: [NLIST, { name: 'with_raw_data', type: 'bool', default: true }],
  searchParams: SCANN_SEARCH_PARAMS,
  build: (desc, column, numRows, spec) => ScannIndex.build(denseColumnOf(desc, column), numRows, spec.metric,
    intOf(spec.params, 'nlist', DEFAULT_NLIST), boolParam(spec, 'with_raw_data', true), spec.threads),
  load: (desc, payload, column, numRows, spec) => ScannIndex.deserialize(payload, denseColumnOf(desc, column), numRows, spec.metric),
});

function refineOf(spec: IndexBuildSpec): RefineType | null {
  if (!boolParam(spec, 'refine', false)) return null;
  const t = spec.params['refine_type'];
  return typeof t === 'string' ? t as RefineType : 'SQ8';
}

export const IVF_RABITQ: IndexDescriptor = ivfDescriptor({
  name: 'IVF_RABITQ', kinds: FLOAT_KINDS, metrics: DENSE_METRICS, recallAt10: 0.25,
  buildParams: [NLIST, { name: 'refine', type: 'bool', default: false }, { name: 'refine_type', type: 'string', values: REFINE_TYPES }],
  searchParams: RABITQ_SEARCH_PARAMS,
  // Refine codes: up to the raw bytes (FP16 of float16 rows), none for FP32 (the column itself).
  extraMemoryBytes: (rawBytes, spec) => refineOf(spec) === null ? 0 : rawBytes,
  build: (desc, column, numRows, spec) => IvfRabitqIndex.build(denseColumnOf(desc, column), numRows, spec.metric,
    intOf(spec.params, 'nlist', DEFAULT_NLIST), refineOf(spec), spec.threads),
  load: (desc, payload, column, numRows, spec) => IvfRabitqIndex.deserialize(payload, denseColumnOf(desc, column), numRows, spec.metric),
});

export const IVF_DESCRIPTORS: readonly IndexDescriptor[] = [IVF_FLAT, IVF_SQ8, IVF_PQ, BIN_IVF_FLAT, SCANN, IVF_RABITQ];
