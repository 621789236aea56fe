/**
 * SextantClient: the embedded, in-process client. Method names, request objects and response
 * shapes are those of `MilvusClient` from `@zilliz/milvus2-sdk-node` 3.0.6, so moving code between a
 * server and an embedded data directory is `new MilvusClient({address})` <-> `await open(dir)`.
 * Each method is one line into its family's file; the service is the only thing called.
 */
import type * as Sdk from '@zilliz/milvus2-sdk-node';
import type { MilvusApi } from '../service/api.js';
import * as aliases from './aliases.js';
import { runAnalyzer } from './analyzer.js';
import * as collections from './collections.js';
import * as functions from './functions.js';
import type { ClientContext } from './context.js';
import { createCollection, type CreateCollectionInput } from './create.js';
import * as data from './data.js';
import * as databases from './databases.js';
import { DEFAULT_DB } from './enums.js';
import * as imports from './imports.js';
import * as indexes from './indexes.js';
import * as load from './load.js';
import * as partitions from './partitions.js';
import * as groups from './resource-groups.js';
import { search } from './search.js';
import { searchTyped, type TypedSearchReq, type TypedSearchResults } from './search-typed.js';
import { insertTyped, type TypedInsertReq, type TypedInsertResult } from './insert-typed.js';
import * as segments from './segments.js';
import * as snapshots from './snapshots.js';
import { successStatus, type ResStatus } from './status.js';
import type * as R from './types.js';

type SearchInput = Sdk.SearchReq | Sdk.SearchSimpleReq | Sdk.HybridSearchReq;

export class SextantClient {
  private readonly ctx: ClientContext;
  private closed = false;

  /** `actAs`: every call runs as that user (checked when the service has auth on); else as root. */
  constructor(private readonly service: MilvusApi, opts: { database?: string; actAs?: string } = {}) {
    const database = opts.database ?? DEFAULT_DB;
    const actAs = opts.actAs;
    if (actAs === undefined) this.ctx = { service, database };
    else {
      const scope = (dbName: string): MilvusApi => service.as({ user: actAs, dbName });
      this.ctx = { service: scope(database), database, scope };
    }
  }

  // ---------------------------------------------------------------- databases
  createDatabase(req: Sdk.CreateDatabaseRequest): Promise<ResStatus> { return databases.createDatabase(this.ctx, req); }
  listDatabases(_req?: Sdk.GrpcTimeOut): Promise<R.ListDatabasesResponse> { return databases.listDatabases(this.ctx); }
  describeDatabase(req: Sdk.DescribeDatabaseRequest): Promise<R.DescribeDatabaseResponse> { return databases.describeDatabase(this.ctx, req); }
  dropDatabase(req: Sdk.DropDatabasesRequest): Promise<ResStatus> { return databases.dropDatabase(this.ctx, req); }
  alterDatabase(req: Sdk.AlterDatabaseRequest): Promise<ResStatus> { return databases.alterDatabase(this.ctx, req); }
  alterDatabaseProperties(req: Sdk.AlterDatabaseRequest): Promise<ResStatus> { return databases.alterDatabase(this.ctx, req); }
  async use(req?: { db_name?: string }): Promise<{ error_code: string; reason: string }> { return databases.use(this.ctx, req); }
  useDatabase(req?: { db_name?: string }): Promise<{ error_code: string; reason: string }> { return this.use(req); }

  // ---------------------------------------------------------------- collections
  createCollection(req: CreateCollectionInput): Promise<ResStatus> { return createCollection(this.ctx, req); }
  describeCollection(req: Sdk.DescribeCollectionReq): Promise<R.DescribeCollectionResponse> { return collections.describeCollection(this.ctx, req); }
  hasCollection(req: Sdk.HasCollectionReq): Promise<R.BoolResponse> { return collections.hasCollection(this.ctx, req); }
  showCollections(req?: Sdk.ShowCollectionsReq): Promise<R.ShowCollectionsResponse> { return collections.showCollections(this.ctx, req); }
  listCollections(req?: Sdk.ShowCollectionsReq): Promise<R.ShowCollectionsResponse> { return collections.showCollections(this.ctx, req); }
  dropCollection(req: Sdk.DropCollectionReq): Promise<ResStatus> { return collections.dropCollection(this.ctx, req); }
  addCollectionStructField(req: { collection_name: string; db_name?: string; field: Sdk.FieldType }): Promise<ResStatus> { return collections.addCollectionStructField(this.ctx, req); }
  truncateCollection(req: Sdk.DropCollectionReq): Promise<{ status: ResStatus }> { return collections.truncateCollection(this.ctx, req); }
  batchDescribeCollections(req: { collection_names: string[]; db_name?: string }): Promise<{ status: ResStatus; responses: R.DescribeCollectionResponse[] }> { return collections.batchDescribeCollections(this.ctx, req); }
  renameCollection(req: Sdk.RenameCollectionReq): Promise<ResStatus> { return collections.renameCollection(this.ctx, req); }
  alterCollectionProperties(req: Sdk.AlterCollectionReq): Promise<ResStatus> { return collections.alterCollectionProperties(this.ctx, req); }
  alterCollection(req: Sdk.AlterCollectionReq): Promise<ResStatus> { return collections.alterCollectionProperties(this.ctx, req); }
  dropCollectionProperties(req: Sdk.DropCollectionPropertiesReq): Promise<ResStatus> { return collections.dropCollectionProperties(this.ctx, req); }
  alterCollectionFieldProperties(req: Sdk.AlterCollectionFieldPropertiesReq): Promise<ResStatus> { return collections.alterCollectionFieldProperties(this.ctx, req); }
  getCollectionStatistics(req: Sdk.GetCollectionStatisticsReq): Promise<R.StatisticsResponse> { return collections.getCollectionStatistics(this.ctx, req); }
  getCollectionStats(req: Sdk.GetCollectionStatisticsReq): Promise<R.StatisticsResponse> { return collections.getCollectionStatistics(this.ctx, req); }
  addCollectionFunction(req: Sdk.AddCollectionFunctionReq): Promise<ResStatus> { return functions.addCollectionFunction(this.ctx, req); }
  alterCollectionFunction(req: Sdk.AlterCollectionFunctionReq): Promise<ResStatus> { return functions.alterCollectionFunction(this.ctx, req); }
  dropCollectionFunction(req: Sdk.DropCollectionFunctionReq): Promise<ResStatus> { return functions.dropCollectionFunction(this.ctx, req); }

  // ---------------------------------------------------------------- partitions
  createPartition(req: Sdk.CreatePartitionReq): Promise<ResStatus> { return partitions.createPartition(this.ctx, req); }
  dropPartition(req: Sdk.DropPartitionReq): Promise<ResStatus> { return partitions.dropPartition(this.ctx, req); }
  hasPartition(req: Sdk.HasPartitionReq): Promise<R.BoolResponse> { return partitions.hasPartition(this.ctx, req); }
  listPartitions(req: Sdk.ShowPartitionsReq): Promise<R.ShowPartitionsResponse> { return partitions.listPartitions(this.ctx, req); }
  showPartitions(req: Sdk.ShowPartitionsReq): Promise<R.ShowPartitionsResponse> { return partitions.listPartitions(this.ctx, req); }
  getPartitionStatistics(req: Sdk.GetPartitionStatisticsReq): Promise<R.StatisticsResponse> { return partitions.getPartitionStatistics(this.ctx, req); }
  getPartitionStats(req: Sdk.GetPartitionStatisticsReq): Promise<R.StatisticsResponse> { return partitions.getPartitionStatistics(this.ctx, req); }

  // ---------------------------------------------------------------- aliases
  createAlias(req: Sdk.CreateAliasReq): Promise<ResStatus> { return aliases.createAlias(this.ctx, req); }
  alterAlias(req: Sdk.AlterAliasReq): Promise<ResStatus> { return aliases.alterAlias(this.ctx, req); }
  dropAlias(req: Sdk.DropAliasReq & { db_name?: string }): Promise<ResStatus> { return aliases.dropAlias(this.ctx, req); }
  describeAlias(req: Sdk.DescribeAliasReq): Promise<R.DescribeAliasResponse> { return aliases.describeAlias(this.ctx, req); }
  listAliases(req: Sdk.ListAliasesReq): Promise<R.ListAliasesResponse> { return aliases.listAliases(this.ctx, req); }

  // ---------------------------------------------------------------- indexes
  createIndex(req: Sdk.CreateIndexesReq): Promise<ResStatus> { return indexes.createIndex(this.ctx, req); }
  describeIndex(req: Sdk.DescribeIndexReq): Promise<R.DescribeIndexResponse> { return indexes.describeIndex(this.ctx, req); }
  listIndexes(req: Sdk.DescribeIndexReq): Promise<R.ListIndexResponse> { return indexes.listIndexes(this.ctx, req); }
  getIndexState(req: Sdk.GetIndexStateReq): Promise<R.GetIndexStateResponse> { return indexes.getIndexState(this.ctx, req); }
  getIndexBuildProgress(req: Sdk.GetIndexBuildProgressReq): Promise<R.GetIndexBuildProgressResponse> { return indexes.getIndexBuildProgress(this.ctx, req); }
  dropIndex(req: Sdk.DropIndexReq): Promise<ResStatus> { return indexes.dropIndex(this.ctx, req); }
  alterIndexProperties(req: Sdk.AlterIndexReq): Promise<ResStatus> { return indexes.alterIndexProperties(this.ctx, req); }
  dropIndexProperties(req: Sdk.DropIndexPropertiesReq): Promise<ResStatus> { return indexes.dropIndexProperties(this.ctx, req); }

  // ---------------------------------------------------------------- writes and reads
  insert(req: Sdk.InsertReq): Promise<R.MutationResult> { return data.insert(this.ctx, req); }
  /** Sextant's own lean insert: one typed array per field, no row objects (insert-typed.ts). */
  insertTyped(req: TypedInsertReq): Promise<TypedInsertResult> { return insertTyped(this.ctx, req); }
  upsert(req: Sdk.UpsertReq): Promise<R.MutationResult> { return data.upsert(this.ctx, req); }
  delete(req: Sdk.DeleteReq): Promise<R.MutationResult> { return data.deleteRows(this.ctx, req); }
  deleteEntities(req: Sdk.DeleteEntitiesReq): Promise<R.MutationResult> { return data.deleteEntities(this.ctx, req); }
  query(req: Sdk.QueryReq): Promise<R.QueryResults> { return data.query(this.ctx, req); }
  get(req: Sdk.GetReq): Promise<R.QueryResults> { return data.get(this.ctx, req); }
  count(req: Sdk.CountReq): Promise<R.CountResult> { return data.count(this.ctx, req); }
  search<T extends SearchInput>(req: T): Promise<R.SearchResults<T>> { return search(this.ctx, req); }
  hybridSearch<T extends Sdk.HybridSearchReq>(req: T): Promise<R.SearchResults<T>> { return search(this.ctx, req); }
  /** Sextant's own lean search: a Float32Array in, typed ids / scores / hits per query out (search-typed.ts). */
  searchTyped(req: TypedSearchReq): Promise<TypedSearchResults> { return searchTyped(this.ctx, req); }

  // ---------------------------------------------------------------- text
  runAnalyzer(req: Sdk.RunAnalyzerRequest): Promise<R.RunAnalyzerResponse> { return runAnalyzer(this.ctx, req); }

  // ---------------------------------------------------------------- load / release
  loadCollection(req: Sdk.LoadCollectionReq): Promise<ResStatus> { return load.loadCollectionSync(this.ctx, req); }
  loadCollectionSync(req: Sdk.LoadCollectionReq): Promise<ResStatus> { return load.loadCollectionSync(this.ctx, req); }
  loadCollectionAsync(req: Sdk.LoadCollectionReq): Promise<ResStatus> { return load.loadCollectionAsync(this.ctx, req); }
  refreshLoad(req: Sdk.LoadCollectionReq): Promise<ResStatus> { return load.loadCollectionAsync(this.ctx, { ...req, refresh: true }); }
  releaseCollection(req: Sdk.ReleaseLoadCollectionReq): Promise<ResStatus> { return load.releaseCollection(this.ctx, req); }
  loadPartitions(req: Sdk.LoadPartitionsReq): Promise<ResStatus> { return load.loadPartitions(this.ctx, req); }
  loadPartitionsSync(req: Sdk.LoadPartitionsReq): Promise<ResStatus> { return load.loadPartitionsSync(this.ctx, req); }
  releasePartitions(req: Sdk.ReleasePartitionsReq): Promise<ResStatus> { return load.releasePartitions(this.ctx, req); }
  getLoadState(req: Sdk.GetLoadStateReq): Promise<R.GetLoadStateResponse> { return load.getLoadState(this.ctx, req); }
  getLoadingProgress(req: Sdk.GetLoadingProgressReq): Promise<R.GetLoadingProgressResponse> { return load.getLoadingProgress(this.ctx, req); }

  // ---------------------------------------------------------------- resource groups
  createResourceGroup(req: Sdk.CreateResourceGroupReq): Promise<ResStatus> { return groups.createResourceGroup(this.ctx, req); }
  listResourceGroups(_req?: Sdk.GrpcTimeOut): Promise<{ status: ResStatus; resource_groups: string[] }> { return groups.listResourceGroups(this.ctx); }
  describeResourceGroup(req: Sdk.DescribeResourceGroupsReq): Promise<{ status: ResStatus; resource_group: groups.SdkResourceGroup }> { return groups.describeResourceGroup(this.ctx, req); }
  updateResourceGroups(req: Sdk.UpdateRresourceGroupReq): Promise<ResStatus> { return groups.updateResourceGroups(this.ctx, req); }
  dropResourceGroup(req: Sdk.DropResourceGroupsReq): Promise<ResStatus> { return groups.dropResourceGroup(this.ctx, req); }
  transferNode(req: Sdk.TransferNodeReq): Promise<ResStatus> { return groups.transferNode(this.ctx, req); }
  transferReplica(req: Sdk.TransferReplicaReq): Promise<ResStatus> { return groups.transferReplica(this.ctx, req); }
  dropAllResourceGroups(): Promise<ResStatus[]> { return groups.dropAllResourceGroups(this.ctx); }

  // ---------------------------------------------------------------- snapshots, external collections
  createSnapshot(req: Sdk.CreateSnapshotReq): Promise<ResStatus> { return snapshots.createSnapshot(this.ctx, req); }
  dropSnapshot(req: Sdk.DropSnapshotReq): Promise<ResStatus> { return snapshots.dropSnapshot(this.ctx, req); }
  listSnapshots(req: Sdk.ListSnapshotsReq): ReturnType<typeof snapshots.listSnapshots> { return snapshots.listSnapshots(this.ctx, req); }
  describeSnapshot(req: Sdk.DescribeSnapshotReq): ReturnType<typeof snapshots.describeSnapshot> { return snapshots.describeSnapshot(this.ctx, req); }
  restoreSnapshot(req: Sdk.RestoreSnapshotReq): ReturnType<typeof snapshots.restoreSnapshot> { return snapshots.restoreSnapshot(this.ctx, req); }
  getRestoreSnapshotState(req: Sdk.GetRestoreSnapshotStateReq): ReturnType<typeof snapshots.getRestoreSnapshotState> { return snapshots.getRestoreSnapshotState(this.ctx, req); }
  listRestoreSnapshotJobs(req?: Sdk.ListRestoreSnapshotJobsReq): ReturnType<typeof snapshots.listRestoreSnapshotJobs> { return snapshots.listRestoreSnapshotJobs(this.ctx, req); }
  pinSnapshotData(req: Sdk.PinSnapshotDataReq): ReturnType<typeof snapshots.pinSnapshotData> { return snapshots.pinSnapshotData(this.ctx, req); }
  unpinSnapshotData(req: Sdk.UnpinSnapshotDataReq): Promise<ResStatus> { return snapshots.unpinSnapshotData(this.ctx, req); }
  refreshExternalCollection(req: Sdk.RefreshExternalCollectionReq): ReturnType<typeof snapshots.refreshExternalCollection> { return snapshots.refreshExternalCollection(this.ctx, req); }
  getRefreshExternalCollectionProgress(req: Sdk.GetRefreshExternalCollectionProgressReq): ReturnType<typeof snapshots.getRefreshExternalCollectionProgress> {
    return snapshots.getRefreshExternalCollectionProgress(this.ctx, req);
  }
  listRefreshExternalCollectionJobs(req?: Sdk.ListRefreshExternalCollectionJobsReq): ReturnType<typeof snapshots.listRefreshExternalCollectionJobs> {
    return snapshots.listRefreshExternalCollectionJobs(this.ctx, req);
  }

  // ---------------------------------------------------------------- bulk import
  bulkInsert(req: imports.BulkInsertReq): Promise<{ status: ResStatus; tasks: string[] }> { return imports.bulkInsert(this.ctx, req); }
  getImportState(req: { task: string | number | bigint }): Promise<imports.ImportStateResponse> { return imports.getImportState(this.ctx, req); }
  listImportTasks(req: { collection_name?: string; db_name?: string; limit?: number }): Promise<{ status: ResStatus; tasks: imports.ImportStateResponse[] }> { return imports.listImportTasks(this.ctx, req); }
  getImportProgress(req: { jobId: string }): ReturnType<typeof imports.getImportProgress> { return imports.getImportProgress(this.ctx, req); }

  // ---------------------------------------------------------------- flush / compaction / segments
  flush(req: Sdk.FlushReq): Promise<R.FlushResult> { return segments.flush(this.ctx, req); }
  flushAll(): Promise<{ status: ResStatus; flush_all_ts: string }> { return segments.flushAll(this.ctx); }
  flushAllSync(): Promise<{ status: ResStatus; flushed: boolean }> { return segments.flushAllSync(this.ctx); }
  getFlushAllState(_req?: { flush_all_ts?: string }): Promise<{ status: ResStatus; flushed: boolean }> { return segments.getFlushAllState(this.ctx); }
  flushSync(req: Sdk.FlushReq): Promise<R.GetFlushStateResponse> { return segments.flushSync(this.ctx, req); }
  getFlushState(req: Sdk.GetFlushStateReq): Promise<R.GetFlushStateResponse> { return segments.getFlushState(this.ctx, req); }
  compact(req: Sdk.CompactReq): Promise<R.CompactionResponse> { return segments.compact(this.ctx, req); }
  getCompactionState(req: Sdk.GetCompactionStateReq): Promise<R.GetCompactionStateResponse> { return segments.getCompactionState(this.ctx, req); }
  getQuerySegmentInfo(req: Sdk.GetQuerySegmentInfoReq): Promise<R.GetQuerySegmentInfoResponse> { return segments.getQuerySegmentInfo(this.ctx, req); }
  loadBalance(req: Sdk.LoadBalanceReq): Promise<ResStatus> { return segments.loadBalance(this.ctx, req); }
  getPersistentSegmentInfo(req: Sdk.GePersistentSegmentInfoReq): Promise<R.GePersistentSegmentInfoResponse> { return segments.getPersistentSegmentInfo(this.ctx, req); }

  // ---------------------------------------------------------------- server
  async getVersion(): Promise<R.GetVersionResponse> { return { status: successStatus(), version: this.service.version() }; }
  /** The service's CheckHealth (storage failed, engine closed, disk full), as the SDK answers it. */
  async checkHealth(): Promise<R.CheckHealthResponse> {
    if (this.closed) return { status: successStatus(), isHealthy: false, reasons: ['client is closed'], quota_states: [] };
    const h = this.service.checkHealth();
    return { status: successStatus(), isHealthy: h.isHealthy, reasons: h.reasons, quota_states: h.quotaStates };
  }

  /** Flushes nothing extra (writes are durable when they answer) and releases the data directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.service.close();
  }
  closeConnection(): Promise<void> { return this.close(); }
}
