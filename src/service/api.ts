/**
 * The operations Sextant offers, named after Milvus' RPCs. The service (src/service/service.ts)
 * implements this; gRPC, REST, the embedded client and the CLI call only this. Every method throws
 * `MilvusError` on failure.
 */
import type * as A from './auth/types.js';
import type * as I from './import/types.js';
import type * as RG from './resource-groups/types.js';
import type * as S from './snapshots.js';
import type * as T from './types.js';

export interface MilvusApi {
  // databases
  createDatabase(req: T.CreateDatabaseRequest): Promise<void>;
  dropDatabase(req: { dbName: string }): Promise<void>;
  listDatabases(): Promise<T.DatabaseInfo[]>;
  describeDatabase(req: { dbName: string }): Promise<T.DatabaseInfo>;
  alterDatabase(req: { dbName: string; properties?: T.Properties; deleteKeys?: string[] }): Promise<void>;

  // collections
  createCollection(req: T.CreateCollectionRequest): Promise<void>;
  describeCollection(req: T.CollectionScoped): Promise<T.CollectionDescription>;
  hasCollection(req: T.CollectionScoped): Promise<boolean>;
  listCollections(req: T.DbScoped): Promise<T.CollectionListEntry[]>;
  dropCollection(req: T.CollectionScoped): Promise<void>;
  renameCollection(req: T.RenameCollectionRequest): Promise<void>;
  alterCollection(req: T.AlterCollectionRequest): Promise<void>;
  getCollectionStatistics(req: T.CollectionScoped): Promise<T.Statistics>;
  addCollectionField(req: T.AddCollectionFieldRequest): Promise<void>;
  addCollectionStructField(req: T.AddCollectionStructFieldRequest): Promise<void>;
  alterCollectionField(req: T.AlterCollectionFieldRequest): Promise<void>;
  addCollectionFunction(req: T.AddCollectionFunctionRequest): Promise<void>;
  alterCollectionFunction(req: T.AlterCollectionFunctionRequest): Promise<void>;
  dropCollectionFunction(req: T.DropCollectionFunctionRequest): Promise<void>;
  truncateCollection(req: T.CollectionScoped): Promise<void>;
  batchDescribeCollection(req: { dbName?: string; collectionNames: string[] }): Promise<T.CollectionDescription[]>;

  // partitions
  createPartition(req: T.PartitionRequest): Promise<void>;
  dropPartition(req: T.PartitionRequest): Promise<void>;
  hasPartition(req: T.PartitionRequest): Promise<boolean>;
  listPartitions(req: T.CollectionScoped): Promise<T.PartitionListEntry[]>;
  getPartitionStatistics(req: T.PartitionRequest): Promise<T.Statistics>;

  // aliases
  createAlias(req: T.AliasRequest): Promise<void>;
  alterAlias(req: T.AliasRequest): Promise<void>;
  dropAlias(req: { dbName?: string; alias: string }): Promise<void>;
  describeAlias(req: { dbName?: string; alias: string }): Promise<T.AliasDescription>;
  listAliases(req: { dbName?: string; collectionName?: string }): Promise<T.AliasDescription[]>;

  // indexes
  createIndex(req: T.CreateIndexRequest): Promise<void>;
  describeIndex(req: T.IndexRequest): Promise<T.IndexDescription[]>;
  dropIndex(req: T.IndexRequest): Promise<void>;
  alterIndex(req: T.AlterIndexRequest): Promise<void>;

  // writes
  insert(req: T.InsertRequest): Promise<T.MutationResult>;
  upsert(req: T.InsertRequest): Promise<T.MutationResult>;
  delete(req: T.DeleteRequest): Promise<T.MutationResult>;

  // bulk import (service/import): a job per request, run in the background, all rows or none
  importData(req: I.ImportRequest): Promise<{ jobId: string }>;
  getImportProgress(req: I.GetImportProgressRequest): Promise<I.ImportJobInfo>;
  listImports(req: I.ListImportsRequest): Promise<I.ImportJobInfo[]>;
  /** The gRPC GetImportState / ListImportTasks: the same answers, but Milvus checks no privilege for them. */
  getImportState(req: I.GetImportProgressRequest): Promise<I.ImportJobInfo>;
  listImportTasks(req: I.ListImportsRequest): Promise<I.ImportJobInfo[]>;
  /** External collections (schema/external.ts, service/import/refresh.ts). */
  refreshExternalCollection(req: I.RefreshRequest): Promise<{ jobId: string }>;
  getRefreshExternalCollectionProgress(req: { jobId: string }): Promise<I.RefreshJobInfo>;
  listRefreshExternalCollectionJobs(req: { dbName?: string; collectionName?: string }): Promise<I.RefreshJobInfo[]>;

  // reads
  query(req: T.QueryRequest): Promise<T.QueryResult>;
  search(req: T.SearchRequest): Promise<T.SearchResult>;
  hybridSearch(req: T.HybridSearchRequest): Promise<T.SearchResult>;

  // text
  runAnalyzer(req: T.RunAnalyzerRequest): Promise<T.AnalyzerResult[]>;

  // load / release
  loadCollection(req: T.LoadRequest): Promise<void>;
  releaseCollection(req: T.CollectionScoped): Promise<void>;
  loadPartitions(req: T.LoadRequest & { partitionNames: string[] }): Promise<void>;
  releasePartitions(req: T.CollectionScoped & { partitionNames: string[] }): Promise<void>;
  getLoadState(req: T.CollectionScoped & { partitionNames?: string[] }): Promise<T.LoadStateResult>;
  getLoadingProgress(req: T.CollectionScoped & { partitionNames?: string[] }): Promise<T.LoadingProgressResult>;

  // resource groups and replicas (service/resource-groups)
  createResourceGroup(req: RG.CreateResourceGroupRequest): Promise<void>;
  dropResourceGroup(req: { resourceGroup: string }): Promise<void>;
  updateResourceGroups(req: RG.UpdateResourceGroupsRequest): Promise<void>;
  listResourceGroups(): Promise<string[]>;
  describeResourceGroup(req: { resourceGroup: string }): Promise<RG.ResourceGroupDescription>;
  transferNode(req: RG.TransferNodeRequest): Promise<void>;
  transferReplica(req: RG.TransferReplicaRequest): Promise<void>;
  /** The in-memory replicas of a collection (none when not loaded) and the group serving each. */
  getReplicas(req: T.CollectionScoped): Promise<RG.ReplicaInfo[]>;

  // flush / compaction / segments
  flush(req: { dbName?: string; collectionNames: string[] }): Promise<T.FlushResult>;
  getFlushState(req: { segmentIds: bigint[]; flushTs?: bigint; dbName?: string; collectionName?: string }): Promise<boolean>;
  /** Every collection of every database; `dbName` (deprecated in Milvus) only scopes the privilege check. */
  flushAll(req: { dbName?: string }): Promise<{ flushAllTs: bigint }>;
  /** Flush is synchronous, so every FlushAll that answered is complete. */
  getFlushAllState(req: { flushAllTs?: bigint }): Promise<boolean>;
  compact(req: T.CompactRequest): Promise<T.CompactionResult>;
  getCompactionState(req: { compactionId: bigint }): Promise<T.CompactionResult>;
  /** Moves sealed segments between query nodes; one process has one node, so it only checks the request. */
  loadBalance(req: T.LoadBalanceRequest): Promise<void>;
  getPersistentSegmentInfo(req: T.CollectionScoped): Promise<T.SegmentInfo[]>;
  getQuerySegmentInfo(req: T.CollectionScoped): Promise<T.SegmentInfo[]>;

  // snapshots (service/snapshots.ts)
  createSnapshot(req: S.SnapshotRef & { description?: string; compactionProtectionSeconds?: bigint | number }): Promise<void>;
  dropSnapshot(req: S.SnapshotRef): Promise<void>;
  listSnapshots(req: T.CollectionScoped): Promise<string[]>;
  describeSnapshot(req: S.SnapshotRef): Promise<S.SnapshotDescription>;
  restoreSnapshot(req: S.SnapshotRef & { targetDbName?: string; targetCollectionName: string }): Promise<{ jobId: bigint }>;
  getRestoreSnapshotState(req: { jobId: bigint }): Promise<S.RestoreJobInfo>;
  listRestoreSnapshotJobs(req: { dbName?: string; collectionName?: string }): Promise<S.RestoreJobInfo[]>;
  pinSnapshotData(req: S.SnapshotRef & { ttlSeconds?: bigint | number }): Promise<{ pinId: bigint }>;
  unpinSnapshotData(req: { pinId: bigint }): Promise<void>;

  // access control (service/auth): users, roles, grants, privilege groups; `ctx` is the caller
  createCredential(req: A.CredentialRequest, ctx?: A.RequestContext): Promise<void>;
  updateCredential(req: A.UpdateCredentialRequest, ctx?: A.RequestContext): Promise<void>;
  deleteCredential(req: { username: string }, ctx?: A.RequestContext): Promise<void>;
  listCredUsers(req: Record<string, never>, ctx?: A.RequestContext): Promise<string[]>;
  createRole(req: { roleName: string }, ctx?: A.RequestContext): Promise<void>;
  dropRole(req: A.DropRoleRequest, ctx?: A.RequestContext): Promise<void>;
  operateUserRole(req: A.UserRoleRequest, ctx?: A.RequestContext): Promise<void>;
  selectRole(req: A.SelectRoleRequest, ctx?: A.RequestContext): Promise<A.RoleResult[]>;
  selectUser(req: A.SelectUserRequest, ctx?: A.RequestContext): Promise<A.UserResult[]>;
  operatePrivilege(req: A.OperatePrivilegeRequest, ctx?: A.RequestContext): Promise<void>;
  operatePrivilegeV2(req: A.OperatePrivilegeV2Request, ctx?: A.RequestContext): Promise<void>;
  selectGrant(req: A.SelectGrantRequest, ctx?: A.RequestContext): Promise<A.GrantEntry[]>;
  createPrivilegeGroup(req: A.PrivilegeGroupRequest, ctx?: A.RequestContext): Promise<void>;
  dropPrivilegeGroup(req: A.PrivilegeGroupRequest, ctx?: A.RequestContext): Promise<void>;
  listPrivilegeGroups(req: Record<string, never>, ctx?: A.RequestContext): Promise<A.PrivilegeGroupInfo[]>;
  operatePrivilegeGroup(req: A.OperatePrivilegeGroupRequest, ctx?: A.RequestContext): Promise<void>;
  backupRBAC(req: Record<string, never>, ctx?: A.RequestContext): Promise<A.RbacMeta>;
  restoreRBAC(req: { meta: A.RbacMeta }, ctx?: A.RequestContext): Promise<void>;

  /** True when requests must carry credentials (`--auth`); off, credentials are ignored entirely. */
  authEnabled(): boolean;
  /**
   * The context of `user` after checking `password`; throws AccessError 16 when they do not match.
   * `fastOnly`: accept only credentials verified before (no bcrypt), for rate-limited sources.
   */
  authenticate(user: string, password: string, opts?: { fastOnly?: boolean }): Promise<A.RequestContext>;
  /** This API as `ctx`'s caller: every operation is checked against its privilege first (auth on). */
  as(ctx: A.RequestContext): MilvusApi;
  /**
   * Throws the caller's denial of `op` on `target`, as the operation itself would (no-op for an
   * unchecked caller): a transport that found the request malformed calls it first, so a caller
   * without the privilege is denied (7) rather than told what was wrong, as Milvus' interceptor does.
   */
  authorize(op: keyof MilvusApi, target: { dbName?: string | undefined; collectionName?: string }): void;

  // server
  version(): string;
  /** CheckHealth: not healthy after a storage failure or close (with reasons); DenyToWrite while the disk is full. */
  checkHealth(): T.HealthReport;
  /** AllocTimestamp: the first of `count` (default 1) consecutive timestamps of the engine's hybrid clock. */
  allocTimestamp(count?: number): bigint;
  close(): Promise<void>;
}
