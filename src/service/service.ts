/**
 * SextantService: Milvus semantics over one engine. Every transport (gRPC, REST, the embedded
 * client, the CLI) calls this and nothing below it. One file per RPC family does the work.
 */
import { errors } from '../core/errors.js';
import { Engine } from '../engine/engine.js';
import type { EngineOptions } from '../engine/engine.js';
import type { MilvusApi } from './api.js';
import * as aliases from './aliases.js';
import * as analyzer from './analyzer.js';
import { AccessControl, type AuthOptions } from './auth/access.js';
import { ROOT_CONTEXT, type RequestContext } from './auth/types.js';
import type * as A from './auth/types.js';
import * as cluster from './cluster.js';
import type { QueryNodeView } from './cluster.js';
import * as collections from './collections.js';
import * as databases from './databases.js';
import * as fields from './fields.js';
import * as functions from './functions.js';
import { ImportJobs } from './import/jobs.js';
import type * as I from './import/types.js';
import * as indexes from './indexes.js';
import * as load from './load.js';
import * as partitions from './partitions.js';
import * as reads from './reads.js';
import { ResourceGroups, type ResourceGroupOptions } from './resource-groups/manager.js';
import type * as RG from './resource-groups/types.js';
import { requireCollection } from './resolve.js';
import * as segments from './segments.js';
import { SnapshotService, type SnapshotRef } from './snapshots.js';
import type * as T from './types.js';
import * as writes from './writes.js';

export const SEXTANT_VERSION = '2.6.0-sextant.0.1.0';

/** How often a cluster's query nodes are placed in resource groups again. */
const NODE_SYNC_MS = 1000;

/** A load whose replicas live on query nodes: this process's copy is placed in no group. */
const NOWHERE: load.ReplicaPlacement = { placeLoad: async () => undefined, released: async () => undefined };

/** AllocTimestamp's count: at most one millisecond's worth of logical timestamps at once. */
const MAX_TIMESTAMPS_PER_ALLOC = 1 << 18;

export interface ServiceOptions extends EngineOptions {
  /** Authentication and authorization (off by default, as in Milvus). */
  auth?: AuthOptions;
  /** How DescribeResourceGroup describes this process's query node. */
  resourceGroups?: ResourceGroupOptions;
  /** Distributed mode: the query nodes the load RPCs cover (service/cluster.ts). */
  queryNodes?: QueryNodeView;
  /** Where bulk import reads files: a local root and/or an S3 bucket (service/import/types.ts). */
  import?: I.ImportOptions;
}

export class SextantService implements MilvusApi {
  protected constructor(
    readonly engine: Engine, readonly access: AccessControl, readonly groups: ResourceGroups, readonly imports: ImportJobs, private readonly cluster?: QueryNodeView,
  ) {}

  static async open(opts: ServiceOptions): Promise<SextantService> {
    const engine = await Engine.open(opts);
    try {
      const access = await AccessControl.open(engine, opts.auth, opts.ports?.rbac);
      const groups = await ResourceGroups.open(engine, {
        ...opts.resourceGroups,
        ...(opts.ports?.resourceGroups !== undefined ? { store: opts.ports.resourceGroups } : {}),
        ...(opts.queryNodes !== undefined ? { cluster: opts.queryNodes } : {}),
      });
      const service = new SextantService(engine, access, groups, await ImportJobs.open(engine, opts.import), opts.queryNodes);
      if (opts.queryNodes !== undefined) service.followNodes();
      return service;
    } catch (e) {
      await engine.close();
      throw e;
    }
  }

  createDatabase = async (req: T.CreateDatabaseRequest) => this.writing(() => databases.createDatabase(this.engine, req));
  dropDatabase = async (req: { dbName: string }) => this.writing(() => databases.dropDatabase(this.engine, req));
  listDatabases = async () => databases.listDatabases(this.engine);
  describeDatabase = async (req: { dbName: string }) => databases.describeDatabase(this.engine, req);
  alterDatabase = async (req: { dbName: string; properties?: T.Properties; deleteKeys?: string[] }) => this.writing(() => databases.alterDatabase(this.engine, req));

  createCollection = async (req: T.CreateCollectionRequest) => this.writing(() => collections.createCollection(this.engine, req));
  describeCollection = async (req: T.CollectionScoped) => collections.describeCollection(this.engine, req);
  hasCollection = async (req: T.CollectionScoped) => collections.hasCollection(this.engine, req);
  listCollections = async (req: T.DbScoped) => collections.listCollections(this.engine, req);
  dropCollection = async (req: T.CollectionScoped) => this.writing(() => collections.dropCollection(this.engine, req));
  renameCollection = async (req: T.RenameCollectionRequest) => this.writing(() => collections.renameCollection(this.engine, req));
  alterCollection = async (req: T.AlterCollectionRequest) => this.writing(() => collections.alterCollection(this.engine, req));
  getCollectionStatistics = async (req: T.CollectionScoped) => collections.getCollectionStatistics(this.engine, req);
  addCollectionField = async (req: T.AddCollectionFieldRequest) => this.writing(() => fields.addCollectionField(this.engine, req));
  addCollectionStructField = async (req: T.AddCollectionStructFieldRequest) => this.writing(() => fields.addCollectionStructField(this.engine, req));
  alterCollectionField = async (req: T.AlterCollectionFieldRequest) => this.writing(() => fields.alterCollectionField(this.engine, req));
  addCollectionFunction = async (req: T.AddCollectionFunctionRequest) => this.writing(() => functions.addCollectionFunction(this.engine, req));
  alterCollectionFunction = async (req: T.AlterCollectionFunctionRequest) => this.writing(() => functions.alterCollectionFunction(this.engine, req));
  dropCollectionFunction = async (req: T.DropCollectionFunctionRequest) => this.writing(() => functions.dropCollectionFunction(this.engine, req));
  truncateCollection = async (req: T.CollectionScoped) => this.writing(() => collections.truncateCollection(this.engine, req));
  batchDescribeCollection = async (req: { dbName?: string; collectionNames: string[] }) => collections.batchDescribeCollection(this.engine, req);

  createPartition = async (req: T.PartitionRequest) => this.writing(() => partitions.createPartition(this.engine, req));
  dropPartition = async (req: T.PartitionRequest) => this.writing(() => partitions.dropPartition(this.engine, req));
  hasPartition = async (req: T.PartitionRequest) => partitions.hasPartition(this.engine, req);
  listPartitions = async (req: T.CollectionScoped) => partitions.listPartitions(this.engine, req);
  getPartitionStatistics = async (req: T.PartitionRequest) => partitions.getPartitionStatistics(this.engine, req);

  createAlias = async (req: T.AliasRequest) => this.writing(() => aliases.createAlias(this.engine, req));
  alterAlias = async (req: T.AliasRequest) => this.writing(() => aliases.alterAlias(this.engine, req));
  dropAlias = async (req: { dbName?: string; alias: string }) => this.writing(() => aliases.dropAlias(this.engine, req));
  describeAlias = async (req: { dbName?: string; alias: string }) => aliases.describeAlias(this.engine, req);
  listAliases = async (req: { dbName?: string; collectionName?: string }) => aliases.listAliases(this.engine, req);

  runAnalyzer = async (req: T.RunAnalyzerRequest) => analyzer.runAnalyzer(this.engine, req);

  createIndex = async (req: T.CreateIndexRequest) => this.writing(() => indexes.createIndex(this.engine, req));
  describeIndex = async (req: T.IndexRequest) => indexes.describeIndex(this.engine, req);
  dropIndex = async (req: T.IndexRequest) => this.writing(() => indexes.dropIndex(this.engine, req));
  alterIndex = async (req: T.AlterIndexRequest) => this.writing(() => indexes.alterIndex(this.engine, req));

  insert = async (req: T.InsertRequest) => this.writing(() => writes.insert(this.engine, req));
  upsert = async (req: T.InsertRequest) => this.writing(() => writes.upsert(this.engine, req));
  delete = async (req: T.DeleteRequest) => this.writing(() => writes.deleteRows(this.engine, req));

  importData = async (req: I.ImportRequest) => this.writing(async () => ({ jobId: await this.imports.create(req) }));
  getImportProgress = async (req: I.GetImportProgressRequest) => this.imports.get(req);
  listImports = async (req: I.ListImportsRequest) => this.imports.list(req);
  getImportState = async (req: I.GetImportProgressRequest) => this.imports.get(req);
  listImportTasks = async (req: I.ListImportsRequest) => this.imports.list(req);
  refreshExternalCollection = async (req: I.RefreshRequest) => this.writing(async () => ({ jobId: await this.imports.createRefresh(req) }));
  getRefreshExternalCollectionProgress = async (req: { jobId: string }) => this.imports.getRefresh(req.jobId);
  listRefreshExternalCollectionJobs = async (req: { dbName?: string; collectionName?: string }) => this.imports.listRefresh(req);

  query = async (req: T.QueryRequest) => reads.query(this.engine, req);
  search = async (req: T.SearchRequest) => reads.search(this.engine, req);
  hybridSearch = async (req: T.HybridSearchRequest) => reads.hybridSearch(this.engine, req);

  loadCollection = async (req: T.LoadRequest) => this.writing(() => this.loadOnQueryNodes(req, 'collection', (one, at) => load.loadCollection(this.engine, one, at)));
  releaseCollection = async (req: T.CollectionScoped) => this.writing(() => this.serially(async () => {
    await load.releaseCollection(this.engine, req, this.groups);
    const id = requireCollection(this.engine, req).id;
    await this.cluster?.setReplicas(id, null);
    if (this.cluster !== undefined) await cluster.awaitReleasedOnQueryNodes(this.cluster, id, null);
  }));
  loadPartitions = async (req: T.LoadRequest & { partitionNames: string[] }) =>
    this.writing(() => this.loadOnQueryNodes(req, 'partitions', (one, at) => load.loadPartitions(this.engine, { ...one, partitionNames: req.partitionNames }, at)));
  releasePartitions = async (req: T.CollectionScoped & { partitionNames: string[] }) => this.writing(() => this.serially(async () => {
    await load.releasePartitions(this.engine, req, this.groups);
    const c = requireCollection(this.engine, req);
    if (!c.isLoaded) await this.cluster?.setReplicas(c.id, null);
    if (this.cluster === undefined) return;
    const ids = req.partitionNames.map((name) => c.partitionByName(name)?.meta.id).filter((x): x is number => x !== undefined);
    await cluster.awaitReleasedOnQueryNodes(this.cluster, c.id, c.isLoaded ? ids : null);
  }));
  getLoadState = async (req: T.CollectionScoped & { partitionNames?: string[] }) => {
    const local = load.getLoadState(this.engine, req);
    return this.cluster === undefined ? local : cluster.clusterLoadState(this.cluster, this.groups, requireCollection(this.engine, req), local);
  };
  getLoadingProgress = async (req: T.CollectionScoped & { partitionNames?: string[] }) => {
    const local = load.getLoadingProgress(this.engine, req);
    return this.cluster === undefined ? local : cluster.clusterLoadingProgress(this.cluster, this.groups, requireCollection(this.engine, req), local);
  };

  createResourceGroup = async (req: RG.CreateResourceGroupRequest) => this.writing(() => this.groups.create(req));
  dropResourceGroup = async (req: { resourceGroup: string }) => this.writing(() => this.serially(async () => {
    if (this.cluster !== undefined) await cluster.clusterCheckDrop(this.cluster, this.engine, req.resourceGroup);
    await this.groups.drop(req);
  }));
  updateResourceGroups = async (req: RG.UpdateResourceGroupsRequest) => this.writing(() => this.groups.update(req));
  listResourceGroups = async () => this.groups.list();
  describeResourceGroup = async (req: { resourceGroup: string }) => {
    const d = this.groups.describe(req);
    return this.cluster === undefined ? d : cluster.clusterDescribe(this.cluster, this.engine, d);
  };
  transferNode = async (req: RG.TransferNodeRequest) => this.writing(async () => {
    await this.groups.syncNodes();
    await this.groups.transferNode(req);
  });
  transferReplica = async (req: RG.TransferReplicaRequest) => this.writing(async () => {
    const view = this.cluster === undefined || (await this.cluster.queryNodes()).length === 0 ? undefined : this.cluster;
    if (view === undefined) return this.groups.transferReplica(req);
    await this.serially(() => cluster.clusterTransferReplica(view, this.groups.checkTransfer(req), req));
  });
  getReplicas = async (req: T.CollectionScoped) => {
    const c = requireCollection(this.engine, req);
    const local = this.groups.replicas(c);
    return this.cluster === undefined ? local : cluster.clusterReplicas(this.cluster, this.groups, c, local);
  };

  /**
   * A load while query nodes live: they hold the replicas (service/cluster.ts checks them against
   * the groups' query nodes and records them after the load); this process keeps its one in-memory
   * copy, placed nowhere (its resource groups are the query nodes').
   */
  private async loadOnQueryNodes(req: T.LoadRequest, what: 'collection' | 'partitions', run: (one: T.LoadRequest, at: load.ReplicaPlacement) => Promise<void>): Promise<void> {
    const view = this.cluster;
    if (view === undefined) return run(req, this.groups);
    await this.serially(async () => {
      const c = requireCollection(this.engine, req);
      const records = await cluster.checkReplicaNumber(view, this.groups, c, req, what, () => this.engine.clock.next());
      if (records === null) return run(req, this.groups);
      const { replicaNumber: _n, resourceGroups: _g, ...one } = req;
      await run(one, NOWHERE);
      await view.setReplicas(c.id, records);
    });
  }

  /** In a cluster, the query nodes are placed in resource groups again every second (a node up or down). */
  private nodeTimer: NodeJS.Timeout | null = null;
  private nodeSync: Promise<void> = Promise.resolve();
  private followNodes(): void {
    this.nodeTimer = setInterval(() => {
      this.nodeSync = this.nodeSync.then(() => this.groups.syncNodes()).catch(() => undefined);
    }, NODE_SYNC_MS);
    this.nodeTimer.unref();
  }

  flush = async (req: { dbName?: string; collectionNames: string[] }) => this.writing(() => segments.flush(this.engine, req));
  getFlushState = async (req: { segmentIds: bigint[] }) => segments.getFlushState(this.engine, req);
  flushAll = async (_req: { dbName?: string }) => this.writing(() => segments.flushAll(this.engine));
  getFlushAllState = async (_req: { flushAllTs?: bigint }) => true;

  private snapshotService: SnapshotService | null = null;
  private snaps(): SnapshotService { return (this.snapshotService ??= new SnapshotService(this.engine)); }
  createSnapshot = async (req: SnapshotRef & { description?: string; compactionProtectionSeconds?: bigint | number }) => this.writing(() => this.snaps().createSnapshot(req));
  dropSnapshot = async (req: SnapshotRef) => this.writing(() => this.snaps().dropSnapshot(req));
  listSnapshots = async (req: T.CollectionScoped) => this.snaps().listSnapshots(req);
  describeSnapshot = async (req: SnapshotRef) => this.snaps().describeSnapshot(req);
  restoreSnapshot = async (req: SnapshotRef & { targetDbName?: string; targetCollectionName: string }) => this.writing(() => this.snaps().restoreSnapshot(req));
  getRestoreSnapshotState = async (req: { jobId: bigint }) => this.snaps().getRestoreSnapshotState(req);
  listRestoreSnapshotJobs = async (req: { dbName?: string; collectionName?: string }) => this.snaps().listRestoreSnapshotJobs(req);
  pinSnapshotData = async (req: SnapshotRef & { ttlSeconds?: bigint | number }) => this.snaps().pinSnapshotData(req);
  unpinSnapshotData = async (req: { pinId: bigint }) => this.snaps().unpinSnapshotData(req);
  compact = async (req: T.CompactRequest) => this.writing(async () => segments.compact(this.engine, req));
  getCompactionState = async (req: { compactionId: bigint }) => segments.getCompactionState(this.engine, req);
  getPersistentSegmentInfo = async (req: T.CollectionScoped) => segments.persistentSegmentInfo(this.engine, req);
  getQuerySegmentInfo = async (req: T.CollectionScoped) => segments.querySegmentInfo(this.engine, req);
  loadBalance = async (req: T.LoadBalanceRequest) => segments.loadBalance(this.engine, req);

  createCredential = async (req: A.CredentialRequest) => this.access.createCredential(req);
  updateCredential = async (req: A.UpdateCredentialRequest) => this.access.updateCredential(req);
  deleteCredential = async (req: { username: string }) => this.access.deleteCredential(req);
  listCredUsers = async () => this.access.listCredUsers();
  createRole = async (req: { roleName: string }) => this.access.createRole(req);
  dropRole = async (req: A.DropRoleRequest) => this.access.dropRole(req);
  operateUserRole = async (req: A.UserRoleRequest) => this.access.operateUserRole(req);
  selectRole = async (req: A.SelectRoleRequest) => this.access.selectRole(req);
  selectUser = async (req: A.SelectUserRequest) => this.access.selectUser(req);
  operatePrivilege = async (req: A.OperatePrivilegeRequest, ctx: RequestContext = ROOT_CONTEXT) => this.access.operatePrivilege(req, ctx);
  operatePrivilegeV2 = async (req: A.OperatePrivilegeV2Request, ctx: RequestContext = ROOT_CONTEXT) => this.access.operatePrivilegeV2(req, ctx);
  selectGrant = async (req: A.SelectGrantRequest, ctx: RequestContext = ROOT_CONTEXT) => this.access.selectGrant(req, ctx);
  createPrivilegeGroup = async (req: A.PrivilegeGroupRequest) => this.access.createPrivilegeGroup(req);
  dropPrivilegeGroup = async (req: A.PrivilegeGroupRequest) => this.access.dropPrivilegeGroup(req);
  listPrivilegeGroups = async () => this.access.listPrivilegeGroups();
  operatePrivilegeGroup = async (req: A.OperatePrivilegeGroupRequest) => this.access.operatePrivilegeGroup(req);
  backupRBAC = async () => this.access.backupRBAC();
  restoreRBAC = async (req: { meta: A.RbacMeta }) => this.access.restoreRBAC(req);

  authEnabled(): boolean {
    return this.access.enabled;
  }

  authenticate(user: string, password: string, opts: { fastOnly?: boolean } = {}): Promise<RequestContext> {
    return this.access.authenticate(user, password, opts.fastOnly === true);
  }

  /** The service unchecked: nothing to deny (a checked caller's view is `as(ctx)`). */
  authorize(): void {}

  /** This service as `ctx`'s caller: the one authorization point (service/auth/guard.ts). */
  as(ctx: RequestContext): MilvusApi {
    return this.access.guardedFor(this, ctx);
  }

  version(): string {
    return SEXTANT_VERSION;
  }

  checkHealth(): T.HealthReport {
    return this.engine.health.report();
  }

  allocTimestamp(count = 1): bigint {
    if (!Number.isInteger(count) || count < 1 || count > MAX_TIMESTAMPS_PER_ALLOC) {
      throw errors.invalidParameter('count', { expected: `integer in [1, ${MAX_TIMESTAMPS_PER_ALLOC}]`, actual: count });
    }
    return this.engine.clock.reserve(count);
  }

  /** Every RPC that changes data or the catalog: refused once storage failed (code 5) or the engine closed. */
  /** Replica records on query nodes are read, checked and written one change at a time (no lost update). */
  private replicaChanges: Promise<unknown> = Promise.resolve();
  private serially<R>(fn: () => Promise<R>): Promise<R> {
    const next = this.replicaChanges.then(fn, fn);
    this.replicaChanges = next.catch(() => undefined);
    return next;
  }

  private async writing<R>(fn: () => Promise<R>): Promise<R> {
    await this.engine.ensureWritable();
    try {
      return await fn();
    } catch (e) {
      throw this.engine.health.readError(e);
    }
  }

  async close(): Promise<void> {
    if (this.nodeTimer !== null) clearInterval(this.nodeTimer);
    await this.nodeSync;
    await this.imports.close();
    await this.engine.close();
  }
}
