/**
 * The service layer's request and response types: the one vocabulary that gRPC, REST, the embedded
 * client and the CLI translate to and from. Plain TypeScript, camelCase, typed arrays, bigint for
 * int64 — never protobuf objects or REST bodies.
 */
import type { ConsistencyLevel, LoadStateName, MetricType } from '../core/enums.js';
import type { Column } from '../schema/column.js';
import type { FieldSpec, StructFieldSpec } from '../schema/build.js';
import type { CollectionSchema, FieldSchema, FunctionSchema, PrimaryKeys } from '../schema/types.js';

export type Properties = Record<string, string>;
/** Values for `{name}` placeholders in filter expressions. */
export type TemplateValues = Record<string, unknown>;
/** Primary keys: bigint for Int64 PKs, string for VarChar PKs (defined in schema/, below the engine). */
export type { PrimaryKeys } from '../schema/types.js';

/** Every request names its database; empty or absent means `default`. */
export interface DbScoped { dbName?: string | undefined }
export interface CollectionScoped extends DbScoped { collectionName: string }
/** LoadBalance: move the source node's sealed segments (all, or those listed) to the destination nodes. */
export interface LoadBalanceRequest extends DbScoped { collectionName: string; srcNodeId: bigint; dstNodeIds: bigint[]; segmentIds: bigint[] }
/** ManualCompaction; `targetSizeMb` > 0 asks for a force merge into segments up to that size (Milvus 2.6). */
export interface CompactRequest extends CollectionScoped { targetSizeMb?: bigint }

// ---------- databases ----------
export interface CreateDatabaseRequest { dbName: string; properties?: Properties }
export interface DatabaseInfo { dbName: string; dbId: bigint; createdTimestamp: bigint; properties: Properties }

// ---------- collections ----------
/** A field as a caller describes it; validated into a FieldSchema by schema/build.ts. */
export type FieldSpecInput = FieldSpec;
export type StructFieldSpecInput = StructFieldSpec;
export interface AddCollectionFieldRequest extends CollectionScoped {
  field: FieldSpecInput;
}
export interface AddCollectionStructFieldRequest extends CollectionScoped {
  struct: StructFieldSpecInput;
}
/** AddCollectionFunction: `function` absent is refused as Milvus refuses an empty FunctionSchema. */
export interface AddCollectionFunctionRequest extends CollectionScoped {
  function?: FunctionSchema;
}
export interface AlterCollectionFunctionRequest extends CollectionScoped {
  functionName: string;
  function?: FunctionSchema;
}
export interface DropCollectionFunctionRequest extends CollectionScoped {
  functionName: string;
}
export interface AlterIndexRequest extends CollectionScoped {
  indexName: string;
  properties: Properties;
  deleteKeys: string[];
}
export interface AlterCollectionFieldRequest extends CollectionScoped {
  fieldName: string;
  properties: Properties;
  deleteKeys: string[];
}
export interface CreateCollectionRequest extends CollectionScoped {
  fields: FieldSpecInput[];
  /** Array-of-Struct fields (schema/struct.ts). */
  structFields?: StructFieldSpec[];
  description?: string;
  enableDynamicField?: boolean;
  autoId?: boolean;
  functions?: FunctionSchema[];
  shardsNum?: number;
  numPartitions?: number;
  consistencyLevel?: ConsistencyLevel;
  properties?: Properties;
  /** External collections (schema/external.ts). */
  externalSource?: string;
  externalSpec?: string;
}
export interface CollectionDescription {
  dbName: string;
  collectionName: string;
  collectionId: bigint;
  schema: CollectionSchema;
  aliases: string[];
  createdTimestamp: bigint;
  createdUtcMs: number;
  shardsNum: number;
  numPartitions: number;
  consistencyLevel: ConsistencyLevel;
  properties: Properties;
  updateTimestamp: bigint;
}
export interface CollectionListEntry { name: string; collectionId: bigint; createdTimestamp: bigint; createdUtcMs: number; loadedPercent: number }
export interface RenameCollectionRequest extends DbScoped { oldName: string; newName: string; newDbName?: string }
export interface AlterCollectionRequest extends CollectionScoped { properties?: Properties; deleteKeys?: string[] }

// ---------- partitions ----------
export interface PartitionRequest extends CollectionScoped { partitionName: string }
export interface PartitionListEntry { name: string; partitionId: bigint; createdTimestamp: bigint; createdUtcMs: number; loadedPercent: number }

// ---------- aliases ----------
export interface AliasRequest extends DbScoped { alias: string; collectionName: string }
export interface AliasDescription { dbName: string; alias: string; collectionName: string }

// ---------- indexes ----------
export interface CreateIndexRequest extends CollectionScoped {
  fieldName: string;
  indexName?: string;
  /** Flattened user params: index_type, metric_type, and build params (M, nlist, ...) as strings. */
  params: Record<string, string>;
}
export type IndexStateName = 'IndexStateNone' | 'Unissued' | 'InProgress' | 'Finished' | 'Failed' | 'Retry';
export interface IndexDescription {
  indexName: string;
  indexId: bigint;
  fieldName: string;
  indexType: string;
  metricType: MetricType | '';
  params: Record<string, string>;
  indexedRows: number;
  totalRows: number;
  pendingRows: number;
  state: IndexStateName;
  failReason: string;
}
export interface IndexRequest extends CollectionScoped { fieldName?: string; indexName?: string }

// ---------- writes ----------
export interface InsertRequest extends CollectionScoped {
  partitionName?: string;
  numRows: number;
  /** Columns keyed by field name; '$meta' for the dynamic field. Nullable columns are row-dense here. */
  columns: Map<string, Column>;
  /** Upsert only: merge mode (Milvus 2.6 `partial_update`): fields not given keep their stored values. */
  partialUpdate?: boolean;
  /** Upsert only: per-field ops (`field_ops`); any non-REPLACE op turns on `partialUpdate`. */
  fieldOps?: FieldPartialUpdateOp[];
}
export type FieldPartialUpdateOpType = 'REPLACE' | 'ARRAY_APPEND' | 'ARRAY_REMOVE';
export interface FieldPartialUpdateOp { fieldName: string; op: FieldPartialUpdateOpType }
export interface MutationResult { ids: PrimaryKeys; insertCount: number; upsertCount: number; deleteCount: number; timestamp: bigint }
export interface DeleteRequest extends CollectionScoped {
  partitionName?: string;
  filter: string;
  templateValues?: TemplateValues;
}

// ---------- reads ----------
export interface QueryRequest extends CollectionScoped {
  filter: string;
  /** IANA zone Timestamptz values are written out in (default: the collection's `timezone`). */
  timezone?: string;
  outputFields?: string[];
  partitionNames?: string[];
  limit?: number;
  offset?: number;
  /** `order_by_fields`: `field:asc,other:desc` or a JSON list of {field, order} (service/order-by.ts). */
  orderBy?: string;
  templateValues?: TemplateValues;
  consistencyLevel?: ConsistencyLevel;
  /** `guarantee_timestamp`: the read waits until everything written up to it is applied (Session, Customized; 0: none). */
  guaranteeTimestamp?: bigint;
}
/** One output column; `field` is the schema field (or a synthetic Int64 field for count(*)). */
/** `timezone`: the IANA zone a Timestamptz column is written out in (absent: UTC). */
export interface OutputColumn { field: FieldSchema; column: Column; timezone?: string }
export interface QueryResult {
  numRows: number;
  columns: OutputColumn[];
  /** The user-level names of what was returned (dynamic keys included). */
  outputFields: string[];
  primaryFieldName: string;
  /** element_filter queries: per row, the offsets of its matching struct elements (the row repeats once per offset). */
  elementIndices?: number[][];
}

export interface SearchRequest extends CollectionScoped {
  /** IANA zone Timestamptz values are written out in (default: the collection's `timezone`). */
  timezone?: string;
  /** The vector field to search; absent or '' means the collection's only vector field (service/anns.ts). */
  annsField?: string;
  /**
   * The query vectors, one of: `vectors`, typed by a wire codec (gRPC placeholder group) and checked
   * against the anns field; `data`, plain values (number lists, sparse maps, byte lists), one per
   * query, converted for the anns field by the service; `ids` / `idValues`, primary keys whose
   * stored vectors are the queries (`idValues` plain, typed by the service).
   */
  vectors?: Column;
  /** Embedding lists (search on a struct vector member): one single-row column per query holding its vectors end to end. */
  embLists?: Column[];
  data?: readonly unknown[];
  ids?: PrimaryKeys;
  idValues?: readonly (string | number | bigint)[];
  /** Number of queries; absent or 0 means counted from the vectors or ids given. */
  nq?: number;
  topK: number;
  offset?: number;
  /** `order_by_fields`, as for QueryRequest: the page of hits re-sorted by these keys. */
  orderBy?: string;
  metricType?: MetricType | '';
  /** A MAX_SIM* metric asked for an embedding-list search (service/struct-search.ts). */
  embListMetric?: string;
  /** Index search params (ef, nprobe, radius, range_filter, ...), values as given. */
  params?: Record<string, unknown>;
  /** Full-text search on a multi-language field: the analyzer that tokenizes the query texts. */
  analyzerName?: string;
  filter?: string;
  templateValues?: TemplateValues;
  outputFields?: string[];
  partitionNames?: string[];
  roundDecimal?: number;
  groupByField?: string;
  groupSize?: number;
  strictGroupSize?: boolean;
  ignoreGrowing?: boolean;
  /** Search `hints` (`iterative_filter`); an unknown hint is refused. REST puts it among `params`. */
  hints?: string;
  /** Rerank functions (`function_score`): boost scorers, or one decay / rrf / weighted reranker (service/function-score.ts). */
  functionScore?: FunctionScore;
  /** The lexical highlighter (Milvus 2.6.8+, service/highlight.ts). */
  highlighter?: HighlighterSpec;
  consistencyLevel?: ConsistencyLevel;
  /** `guarantee_timestamp`: the read waits until everything written up to it is applied (Session, Customized; 0: none). */
  guaranteeTimestamp?: bigint;
}
export interface SearchResult {
  nq: number;
  topK: number;
  /** Hits per query; hits of query i are [sum(topks[..i]), +topks[i]) in ids, scores and columns. */
  topks: number[];
  ids: PrimaryKeys;
  scores: Float32Array;
  columns: OutputColumn[];
  outputFields: string[];
  primaryFieldName: string;
  /** Group value per hit when grouping. */
  groupByValues: OutputColumn | null;
  /** Search iterator v2: the token and the score of the last hit, for the next batch. */
  iterator?: { token: string; lastBound: number };
  /** Highlighted fragments per field; `datas` has one entry per hit, all queries in order. */
  highlights?: HighlightResult[];
  /** Element-level search on a struct vector member: the element offset of each hit. */
  elementIndices?: number[];
}
/** One function of a FunctionScore (type Rerank): params as given, wire strings or JSON values. */
export interface RerankFunction { name: string; inputFieldNames: string[]; params: Record<string, unknown> }
/** `function_score`: the functions and how boost scores combine (`boost_mode`, `function_mode`). */
export interface FunctionScore { functions: RerankFunction[]; params: Record<string, unknown> }
/** `highlighter`: its type and its params, values as given (the SDK sends JSON text for lists). */
export interface HighlighterSpec { type: 'lexical' | 'semantic'; params: Record<string, unknown> }
export interface HighlightData { fragments: string[]; scores: number[] }
export interface HighlightResult { fieldName: string; datas: HighlightData[] }
export type Ranker = { strategy: 'rrf'; k: number } | { strategy: 'weighted'; weights: number[]; normScore: boolean };
export interface HybridSearchRequest extends CollectionScoped {
  requests: SearchRequest[];
  ranker: Ranker;
  /** When it holds a decay / rrf / weighted function, that function ranks instead of `ranker`. */
  functionScore?: FunctionScore;
  topK: number;
  offset?: number;
  outputFields?: string[];
  partitionNames?: string[];
  roundDecimal?: number;
  consistencyLevel?: ConsistencyLevel;
  /** `guarantee_timestamp`: the read waits until everything written up to it is applied (Session, Customized; 0: none). */
  guaranteeTimestamp?: bigint;
}

// ---------- load / release ----------
export interface LoadRequest extends CollectionScoped {
  partitionNames?: string[];
  replicaNumber?: number;
  /** The resource groups that take the replicas (0, 1 or `replicaNumber` names; none: the default group). */
  resourceGroups?: string[];
  refresh?: boolean;
  loadFields?: string[];
  skipLoadDynamicField?: boolean;
}
export interface LoadStateResult { state: LoadStateName }
export interface LoadingProgressResult { progress: number; refreshProgress: number }

// ---------- flush / compaction / segments ----------
export interface FlushResult { dbName: string; segmentIds: Map<string, bigint[]>; flushTs: Map<string, bigint> }
export interface SegmentInfo {
  segmentId: bigint;
  collectionId: bigint;
  partitionId: bigint;
  numRows: number;
  state: 'Growing' | 'Sealed' | 'Flushed';
  indexName: string;
  memSizeBytes: number;
  /** GetQuerySegmentInfo only: the segment's rows are in primary-key order. */
  isSorted?: boolean;
}
/** A compaction as GetCompactionState reports it; `plans` are the merges done (source ids -> target id). */
export interface CompactionResult {
  compactionId: bigint;
  state: 'Completed' | 'Executing';
  planCount: number;
  executingPlans: number;
  completedPlans: number;
  failedPlans: number;
  plans: { sources: bigint[]; target: bigint }[];
}
export interface Statistics { rowCount: number }

// ---------- server ----------
/** CheckHealth's answer (Milvus: isHealthy, reasons, quota_states). */
export type { HealthReport, QuotaState } from '../engine/health.js';

// ---------- text ----------
/**
 * RunAnalyzer: texts through an ad-hoc analyzer (`analyzerParams`, JSON text; "" = standard) or,
 * when `collectionName` is set, through the analyzer of field `fieldName` (`analyzerNames` pick the
 * analyzers of a multi-language field: one name for every text, or one per text).
 */
export interface RunAnalyzerRequest extends DbScoped {
  texts: string[];
  analyzerParams?: string;
  withDetail?: boolean;
  withHash?: boolean;
  collectionName?: string;
  fieldName?: string;
  analyzerNames?: string[];
}
/** One token as RunAnalyzer answers it: offsets/positions only `withDetail`, hash only `withHash`. */
export interface AnalyzerTokenResult {
  token: string;
  startOffset: number;
  endOffset: number;
  position: number;
  positionLength: number;
  hash: number;
}
export interface AnalyzerResult { tokens: AnalyzerTokenResult[] }
