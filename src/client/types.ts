/**
 * Request and response types of the embedded client. Requests are the Node SDK's own types
 * (type-only imports: nothing of the SDK is loaded at run time), so a request object that compiles
 * against `MilvusClient` compiles here. Responses are declared here with the values a real Milvus
 * gives through the SDK (proto-loader `longs: String`: int64 and uint64 values are decimal strings,
 * enums are their names).
 */
import type { ResStatus, StatusResponse } from './status.js';
import type { LoadState } from './enums.js';

export type {
  AlterAliasReq, AlterCollectionReq, AlterDatabaseRequest, CountReq, CreateAliasReq, CreateColReq,
  CreateColWithSchemaAndIndexParamsReq, CreateCollectionReq, CreateDatabaseRequest, CreateIndexReq,
  CreateIndexRequest, CreateIndexSimpleReq, CreateIndexesReq, CreatePartitionReq, DeleteEntitiesReq, DeleteReq,
  DescribeAliasReq, DescribeCollectionReq, DescribeDatabaseRequest, DescribeIndexReq, DropAliasReq,
  DropCollectionPropertiesReq, DropCollectionReq, DropDatabasesRequest, DropIndexReq, DropPartitionReq,
  FieldType, FlushReq, FunctionObject, GePersistentSegmentInfoReq, GetCollectionStatisticsReq, GetCompactionStateReq,
  GetFlushStateReq, GetIndexBuildProgressReq, GetIndexStateReq, GetLoadStateReq, GetLoadingProgressReq,
  GetPartitionStatisticsReq, GetQuerySegmentInfoReq, GetReq, HasCollectionReq, HasPartitionReq,
  HybridSearchReq, HybridSearchSingleReq, InsertReq, ListAliasesReq, LoadCollectionReq, LoadPartitionsReq,
  QueryReq, ReleaseLoadCollectionReq, ReleasePartitionsReq, RenameCollectionReq, RerankerObj, RowData,
  SearchData, SearchReq, SearchSimpleReq, ShowCollectionsReq, ShowPartitionsReq, UpsertReq, CompactReq,
  FunctionScore, keyValueObj,
} from '@zilliz/milvus2-sdk-node';

import type { DetermineResultsType, HybridSearchReq, SearchReq, SearchSimpleReq } from '@zilliz/milvus2-sdk-node';

export type { ResStatus, StatusResponse };

export interface KeyValuePair { key: string; value: string }

/**
 * One row of a query result or one search hit. The SDK declares these `Record<string, any>`;
 * keeping that type is what lets SDK user code compile unchanged (values are documented in
 * format.ts: int64 as string, vectors as number[], JSON parsed, NULL as null).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RowResult = Record<string, any>;

export interface BoolResponse extends StatusResponse { value: boolean }

// ---------------------------------------------------------------- databases
export interface ListDatabasesResponse extends StatusResponse { db_names: string[]; created_timestamp: string[]; db_ids: string[] }
export interface DescribeDatabaseResponse extends StatusResponse {
  db_name: string; dbID: string; created_timestamp: string; properties: KeyValuePair[];
}

// ---------------------------------------------------------------- collections
export interface FieldSchemaResult {
  fieldID: string;
  name: string;
  is_primary_key: boolean;
  description: string;
  /** The DataType name, e.g. 'Int64' (proto-loader `enums: String`). */
  data_type: string;
  type_params: KeyValuePair[];
  index_params: KeyValuePair[];
  autoID: boolean;
  state: string;
  element_type: string;
  default_value: string | number | boolean | null;
  is_dynamic: boolean;
  is_partition_key: boolean;
  is_clustering_key: boolean;
  nullable: boolean;
  is_function_output: boolean;
  external_field: string;
  /** Added by the SDK's formatter: the DataType number. */
  dataType: number;
  /** Type params copied onto the field by the SDK's formatter (`dim: '8'`, `max_length: '64'`). */
  [typeParam: string]: unknown;
}
export interface FunctionResult {
  name: string; id: string; description: string; type: string;
  input_field_names: string[]; input_field_ids: string[]; output_field_names: string[]; output_field_ids: string[];
  params: KeyValuePair[];
}
export interface CollectionSchemaResult {
  name: string;
  description: string;
  autoID: boolean;
  fields: FieldSchemaResult[];
  enable_dynamic_field: boolean;
  properties: KeyValuePair[];
  functions: FunctionResult[];
  dbName: string;
  struct_array_fields: FieldSchemaResult[];
  version: number;
  external_source: string;
  external_spec: string;
  file_resource_ids: string[];
  enable_namespace: boolean;
}
export interface DescribeCollectionResponse extends StatusResponse {
  schema: CollectionSchemaResult | null;
  collectionID: string;
  virtual_channel_names: string[];
  physical_channel_names: string[];
  created_timestamp: string;
  created_utc_timestamp: string;
  shards_num: number;
  aliases: string[];
  start_positions: KeyValuePair[];
  consistency_level: string;
  collection_name: string;
  properties: KeyValuePair[];
  db_name: string;
  num_partitions: string;
  db_id: string;
  request_time: string;
  update_timestamp: string;
  update_timestamp_str: string;
  anns_fields: Record<string, FieldSchemaResult>;
  scalar_fields: Record<string, FieldSchemaResult>;
  function_fields: Record<string, FieldSchemaResult>;
}
export interface CollectionData { name: string; id: string; timestamp: string; loadedPercentage: string }
export interface ShowCollectionsResponse extends StatusResponse {
  collection_names: string[];
  collection_ids: string[];
  created_timestamps: string[];
  created_utc_timestamps: string[];
  inMemory_percentages: string[];
  query_service_available: boolean[];
  shards_num: number[];
  data: CollectionData[];
}
export interface StatisticsResponse extends StatusResponse { stats: KeyValuePair[]; data: Record<string, string> }

// ---------------------------------------------------------------- partitions
export interface ShowPartitionsResponse extends StatusResponse {
  partition_names: string[];
  partitionIDs: string[];
  created_timestamps: string[];
  created_utc_timestamps: string[];
  inMemory_percentages: string[];
  data: CollectionData[];
}

// ---------------------------------------------------------------- aliases
export interface DescribeAliasResponse extends StatusResponse { db_name: string; alias: string; collection: string }
export interface ListAliasesResponse extends StatusResponse { db_name: string; collection_name: string; aliases: string[] }

// ---------------------------------------------------------------- indexes
export interface IndexDescriptionResult {
  index_name: string;
  indexID: string;
  params: KeyValuePair[];
  field_name: string;
  indexed_rows: string;
  total_rows: string;
  state: string;
  index_state_fail_reason: string;
  pending_index_rows: string;
  min_index_version: number;
  max_index_version: number;
}
export interface DescribeIndexResponse extends StatusResponse { index_descriptions: IndexDescriptionResult[] }
export interface ListIndexResponse extends StatusResponse { indexes: string[] }
export interface GetIndexStateResponse extends StatusResponse { state: string; fail_reason: string }
export interface GetIndexBuildProgressResponse extends StatusResponse { indexed_rows: string; total_rows: string }

// ---------------------------------------------------------------- writes and reads
export type IDsResult = { int_id: { data: string[] }; id_field: 'int_id' } | { str_id: { data: string[] }; id_field: 'str_id' };
export interface MutationResult extends StatusResponse {
  IDs: IDsResult;
  succ_index: number[];
  err_index: number[];
  acknowledged: boolean;
  insert_cnt: string;
  delete_cnt: string;
  upsert_cnt: string;
  timestamp: string;
}
export interface QueryResults extends StatusResponse { data: RowResult[] }
export interface CountResult extends StatusResponse { data: number }

/** Hits are one list for a single query vector, a list per query otherwise: the SDK's own rule. */
export interface SearchResults<T extends SearchReq | SearchSimpleReq | HybridSearchReq = SearchSimpleReq> extends StatusResponse {
  results: DetermineResultsType<T>;
  recalls: number[];
  session_ts: number;
  collection_name: string;
}

// ---------------------------------------------------------------- load
export interface GetLoadStateResponse extends StatusResponse { state: LoadState }
export interface GetLoadingProgressResponse extends StatusResponse { progress: string; refresh_progress: string }

// ---------------------------------------------------------------- flush, compaction, segments
export interface FlushResult extends StatusResponse {
  db_name: string;
  coll_segIDs: Record<string, { data: string[] }>;
  flush_coll_segIDs: Record<string, { data: string[] }>;
  coll_seal_times: Record<string, string>;
  coll_flush_ts: Record<string, string>;
  channel_cps: Record<string, never>;
}
export interface GetFlushStateResponse extends StatusResponse { flushed: boolean }
export interface CompactionResponse extends StatusResponse { compactionID: string; compactionPlanCount: number }
export interface GetCompactionStateResponse extends StatusResponse {
  state: string; executingPlanNo: string; timeoutPlanNo: string; completedPlanNo: string; failedPlanNo: string;
}
export interface QuerySegmentInfo {
  segmentID: string; collectionID: string; partitionID: string; mem_size: string; num_rows: string;
  index_name: string; indexID: string; nodeID: string; state: string; nodeIds: string[]; level: string;
  is_sorted: boolean; storage_version: string;
}
export interface PersistentSegmentInfo {
  segmentID: string; collectionID: string; partitionID: string; num_rows: string; state: string; level: string;
  is_sorted: boolean; storage_version: string;
}
export interface GetQuerySegmentInfoResponse extends StatusResponse { infos: QuerySegmentInfo[] }
export interface GePersistentSegmentInfoResponse extends StatusResponse { infos: PersistentSegmentInfo[] }

// ---------------------------------------------------------------- text
export interface AnalyzerToken {
  token: string; start_offset: number; end_offset: number; position: number; position_length: number; hash: number;
}
export interface RunAnalyzerResponse extends StatusResponse { results: { tokens: AnalyzerToken[] }[] }

// ---------------------------------------------------------------- server
export interface GetVersionResponse extends StatusResponse { version: string }
export interface CheckHealthResponse extends StatusResponse { isHealthy: boolean; reasons: string[]; quota_states: string[] }

export type { ResStatus as Status };
