/**
 * The constants SDK users import, with the names and values of `@zilliz/milvus2-sdk-node` 3.0.6
 * (const/milvus.ts, const/error.ts). They are declared here, not re-exported, so the embedded client
 * never loads the SDK at run time; TypeScript treats same-named enums with matching members as
 * compatible, so these values can be used in the SDK's own request types and vice versa.
 */

export enum DataType {
  None = 0,
  Bool = 1,
  Int8 = 2,
  Int16 = 3,
  Int32 = 4,
  Int64 = 5,
  Float = 10,
  Double = 11,
  VarChar = 21,
  Array = 22,
  JSON = 23,
  Geometry = 24,
  Text = 25,
  Timestamptz = 26,
  BinaryVector = 100,
  FloatVector = 101,
  Float16Vector = 102,
  BFloat16Vector = 103,
  SparseFloatVector = 104,
  Int8Vector = 105,
  ArrayOfVector = 106,
  Struct = 201,
}

/** Name -> number, as the SDK's `DataTypeMap`. */
export const DataTypeMap: { readonly [K in keyof typeof DataType]: number } = {
  None: 0, Bool: 1, Int8: 2, Int16: 3, Int32: 4, Int64: 5, Float: 10, Double: 11, VarChar: 21,
  Array: 22, JSON: 23, Geometry: 24, Text: 25, Timestamptz: 26, BinaryVector: 100, FloatVector: 101,
  Float16Vector: 102, BFloat16Vector: 103, SparseFloatVector: 104, Int8Vector: 105, ArrayOfVector: 106,
  Struct: 201,
};

export const VectorDataTypes: readonly DataType[] = [
  DataType.BinaryVector, DataType.FloatVector, DataType.Float16Vector, DataType.BFloat16Vector,
  DataType.SparseFloatVector, DataType.Int8Vector,
];

export enum ConsistencyLevelEnum {
  Strong = 0,
  Session = 1,
  Bounded = 2,
  Eventually = 3,
  Customized = 4,
}

export enum LoadState {
  LoadStateNotExist = 'LoadStateNotExist',
  LoadStateNotLoad = 'LoadStateNotLoad',
  LoadStateLoading = 'LoadStateLoading',
  LoadStateLoaded = 'LoadStateLoaded',
}

export enum IndexState {
  IndexStateNone = 0,
  Unissued = 1,
  InProgress = 2,
  Finished = 3,
  Failed = 4,
}

export enum CompactionState {
  UndefiedState = 0,
  Executing = 1,
  Completed = 2,
}

export enum ShowCollectionsType {
  All = 0,
  Loaded = 1,
}

export enum ShowPartitionsType {
  All = 0,
  Loaded = 1,
}

export enum RANKER_TYPE {
  RRF = 'rrf',
  WEIGHTED = 'weighted',
}

export enum FunctionType {
  Unknown = 0,
  BM25 = 1,
  TEXTEMBEDDING = 2,
  RERANK = 3,
  MINHASH = 4,
  MOLFINGERPRINT = 5,
}

export enum MetricType {
  L2 = 'L2',
  IP = 'IP',
  COSINE = 'COSINE',
  HAMMING = 'HAMMING',
  JACCARD = 'JACCARD',
  TANIMOTO = 'TANIMOTO',
  SUBSTRUCTURE = 'SUBSTRUCTURE',
  SUPERSTRUCTURE = 'SUPERSTRUCTURE',
  BM25 = 'BM25',
  MHJACCARD = 'MHJACCARD',
  MAX_SIM = 'MAX_SIM',
  MAX_SIM_COSINE = 'MAX_SIM_COSINE',
  MAX_SIM_IP = 'MAX_SIM_IP',
  MAX_SIM_L2 = 'MAX_SIM_L2',
  DTW_COSINE = 'DTW_COSINE',
  DTW_IP = 'DTW_IP',
}

export enum IndexType {
  FLAT = 'FLAT',
  IVF_FLAT = 'IVF_FLAT',
  IVF_SQ8 = 'IVF_SQ8',
  IVF_PQ = 'IVF_PQ',
  HNSW = 'HNSW',
  BIN_FLAT = 'BIN_FLAT',
  BIN_IVF_FLAT = 'BIN_IVF_FLAT',
  DISKANN = 'DISKANN',
  AUTOINDEX = 'AUTOINDEX',
  ANNOY = 'ANNOY',
  SPARSE_INVERTED_INDEX = 'SPARSE_INVERTED_INDEX',
  SPARSE_WAND = 'SPARSE_WAND',
  GPU_FLAT = 'GPU_FLAT',
  GPU_IVF_FLAT = 'GPU_IVF_FLAT',
  GPU_IVF_PQ = 'GPU_IVF_PQ',
  GPU_IVF_SQ8 = 'GPU_IVF_SQ8',
  GPU_BRUTE_FORCE = 'GPU_BRUTE_FORCE',
  GPU_CAGRA = 'GPU_CAGRA',
  RAFT_IVF_FLAT = 'RAFT_IVF_FLAT',
  RAFT_IVF_PQ = 'RAFT_IVF_PQ',
  ScaNN = 'SCANN',
  STL_SORT = 'STL_SORT',
  TRIE = 'Trie',
  INVERTED = 'INVERTED',
  BITMAP = 'BITMAP',
  IVF_RABITQ = 'IVF_RABITQ',
  MINHASH_LSH = 'MINHASH_LSH',
  RTREE = 'RTREE',
  HNSW_SQ = 'HNSW_SQ',
  HNSW_PQ = 'HNSW_PQ',
  HNSW_PRQ = 'HNSW_PRQ',
  AISAQ = 'AISAQ',
  NGRAM = 'NGRAM',
  FMINDEX = 'FMINDEX',
}

/** The legacy `error_code` names the SDK compares against (`status.error_code === ErrorCode.SUCCESS`). */
export enum ErrorCode {
  SUCCESS = 'Success',
  IndexNotExist = 'IndexNotExist',
  UnexpectedError = 'UnexpectedError',
  EmptyCollection = 'EmptyCollection',
  UpsertAutoIDTrue = 'UpsertAutoIDTrue',
  CollectionNotExists = 'CollectionNotExists',
  IllegalArgument = 'IllegalArgument',
  RateLimit = 'RateLimit',
  SchemaMismatch = 'SchemaMismatch',
}

/** The SDK's client-side validation messages (const/error.ts); these calls throw instead of answering. */
export const ERROR_REASONS = {
  CREATE_COLLECTION_MISS_DATA_TYPE: 'The `data_type` property is missing in the `field` object.',
  CREATE_COLLECTION_CHECK_PARAMS: 'The `fields` or `collection_name` property is missing.',
  CREATE_COLLECTION_CHECK_PRIMARY_KEY: 'The `data_type` for the primary key field must be DataType.Int64.',
  CREATE_EXTERNAL_COLLECTION_AUTO_ID: 'External collections do not support auto_id.',
  CREATE_EXTERNAL_COLLECTION_PRIMARY_KEY: 'External collections do not support primary key.',
  CREATE_COLLECTION_CHECK_VECTOR_FIELD_EXIST: 'The `data_type` of a vector field  must be either DataType.FloatVector or DataType.BinaryVector.',
  CREATE_COLLECTION_CHECK_MISS_DIM: 'The `dim` property is missing.',
  CREATE_COLLECTION_CHECK_MISS_MAX_LENGTH: 'The `max_length` property is missing',
  CREATE_COLLECTION_CHECK_BINARY_DIM: 'The `dim` property of the Binary vector should be value multiples of 8.',
  COLLECTION_NAME_IS_REQUIRED: 'The `collection_name` property is missing.',
  COLLECTION_PARTITION_NAME_ARE_REQUIRED: 'The `collection_name` or the `partition_name` property is missing.',
  INSERT_CHECK_FIELD_DATA_IS_REQUIRED: 'The type of the `data or field_data` should be an array and length > 0.',
  GET_FLUSH_STATE_CHECK_PARAMS: 'At least one of `segmentIDs`, `collection_name`, or `flush_ts` is required.',
  PARTITION_NAMES_IS_REQUIRED: 'The `partition_names` property is missing.',
  ALIAS_NAME_IS_REQUIRED: 'The `alias` property is missing.',
  COMPACTION_ID_IS_REQUIRED: 'The `compactionID` property is missing.',
  LOAD_BALANCE_CHECK_PARAMS: 'The `src_nodeID` property is missing.',
  IMPORT_FILE_CHECK: 'The `files` property is missing.',
  FILTER_EXPR_REQUIRED: 'The `filter` or the `expr` property is missing.',
  FIELD_TYPE_IS_NOT_SUPPORT: 'The data_type is not supported.',
  INVALID_PARTITION_NUM: 'The partition numbers should between 1 and 4096',
  INVALID_PARTITION_KEY_FIELD_TYPE: 'Only non-primary key Int64 or VarChar field support partition key.',
  PARTITION_KEY_FIELD_MAXED_OUT: 'Only 1 field supports partition key. ',
  NO_ANNS_FEILD_FOUND_IN_SEARCH: 'Target anns field not found, please check your search parameters.',
} as const;

export const DEFAULT_TOPK = 100;
export const DEFAULT_METRIC_TYPE = 'COSINE';
export const DEFAULT_VECTOR_FIELD = 'vector';
export const DEFAULT_PRIMARY_KEY_FIELD = 'id';
export const DEFAULT_DB = 'default';
export const DEFAULT_DYNAMIC_FIELD = '$meta';
export const DEFAULT_COUNT_QUERY_STRING = 'count(*)';

/** The SDK's ranker helpers: `rerank: RRFRanker(60)` / `WeightedRanker([0.7, 0.3])`. */
export const RRFRanker = (k = 60) => ({ strategy: RANKER_TYPE.RRF, params: { k } });
export const WeightedRanker = (weights: number[]) => ({ strategy: RANKER_TYPE.WEIGHTED, params: { weights } });
