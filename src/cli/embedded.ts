/**
 * The embedded backend: a data directory opened in this process through SextantService. Without a
 * token it runs as root, unchecked (in-process callers are trusted). With one (`--data DIR -t
 * user:password`) the service checks the password and then every call against that user's grants,
 * exactly as a server with --auth would (`SextantService.as`).
 */
import { ConsistencyLevel } from '../core/enums.js';
import { accessErrors, errors } from '../core/errors.js';
import { configureWasm } from '../index/wasm/settings.js';
import { grpcCredentials } from '../server/auth/credentials.js';
import { engineSettingsFromEnv } from '../server/options.js';
import type { MilvusApi } from '../service/api.js';
import type { RequestContext } from '../service/auth/types.js';
import type { RefreshJobInfo } from '../service/import/types.js';
import type { RestoreJobInfo } from '../service/snapshots.js';
import { SextantService } from '../service/service.js';
import type * as T from '../service/types.js';
import type { FunctionSchema } from '../schema/types.js';
import type {
  AnalyzeSpec, AnalyzedToken, Backend, CollectionInfo, CollectionSpec, GrantFilter, Hit, IndexInfo, JobSummary, PrivilegeSpec, QuerySpec, ReplicaTransfer,
  ResourceGroupInfo, ResourceGroupNodes, Row, SearchSpec, SnapshotInfo, WriteData,
} from './backend.js';
import { COMPACTION_POLL_MS, sleep } from './backend.js';
import { buildParams, roundFloat32, rowAt } from './values.js';

const CONSISTENCY_NAMES = Object.keys(ConsistencyLevel) as (keyof typeof ConsistencyLevel)[];

function consistencyOf(name: string | undefined): T.CreateCollectionRequest['consistencyLevel'] {
  if (name === undefined) return undefined;
  const key = CONSISTENCY_NAMES.find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) throw errors.invalidParameter(`unknown consistency level ${name}`, { expected: CONSISTENCY_NAMES.join('|') });
  return ConsistencyLevel[key];
}

function pkValues(ids: T.PrimaryKeys, i: number): bigint | string {
  return ids.kind === 'int64' ? ids.data[i] ?? 0n : ids.data[i] ?? '';
}

function restoreSummary(j: RestoreJobInfo): JobSummary {
  return { jobId: String(j.jobId), collection: j.collectionName, state: j.state === 'completed' ? 'Completed' : 'Failed', progress: j.progress, reason: j.reason };
}

function refreshSummary(j: RefreshJobInfo): JobSummary {
  return { jobId: j.jobId, collection: j.collectionName, state: j.state, progress: j.progress, reason: j.reason };
}

/** The user a token names, once the service has checked its password (parsed as the gRPC door does). */
async function signIn(svc: SextantService, token: string): Promise<string> {
  if (token === '') throw accessErrors.missingAuthorization();
  const { user, password } = grpcCredentials(Buffer.from(token, 'utf8').toString('base64'));
  return (await svc.authenticate(user, password)).user;
}

export class EmbeddedBackend implements Backend {
  readonly mode = 'embedded';
  database = 'default';
  /** What every call goes through: the service itself (root), or its checked view for `user`. */
  private api: MilvusApi;

  private constructor(private readonly svc: SextantService, private readonly user: string | undefined) {
    this.api = this.view();
  }

  /**
   * `token` (`user:password`): act as that user, with authorization on. Engine settings come from
   * the environment as for the server (SEXTANT_MEMORY_BUDGET_BYTES, ...).
   */
  static async open(dataDir: string, token?: string): Promise<EmbeddedBackend> {
    const { wasm, ...engine } = engineSettingsFromEnv(process.env);
    if (wasm !== undefined) configureWasm(wasm);
    // Local bulk import reads the files the command names (resolved from the current folder): the CLI's user may read them anyway.
    const svc = await SextantService.open({ dataDir, ...engine, import: { root: '/' }, ...(token !== undefined ? { auth: { enabled: true } } : {}) });
    try {
      return new EmbeddedBackend(svc, token !== undefined ? await signIn(svc, token) : undefined);
    } catch (e) {
      await svc.close();
      throw e;
    }
  }

  private get caller(): RequestContext { return { user: this.user ?? 'root', dbName: this.database }; }
  private view(): MilvusApi { return this.user === undefined ? this.svc : this.svc.as(this.caller); }

  private c(collectionName: string): T.CollectionScoped { return { dbName: this.database, collectionName }; }

  serverVersion = async () => this.svc.version();
  close = async () => this.svc.close();

  useDatabase = async (dbName: string) => {
    await this.api.describeDatabase({ dbName });
    this.database = dbName;
    this.api = this.view();
  };
  listDatabases = async () => (await this.api.listDatabases()).map((d) => d.dbName);
  createDatabase = async (dbName: string) => this.api.createDatabase({ dbName });
  dropDatabase = async (dbName: string) => this.api.dropDatabase({ dbName });
  describeDatabase = async (dbName: string) => {
    const d = await this.api.describeDatabase({ dbName });
    return { name: d.dbName, id: String(d.dbId), properties: d.properties };
  };

  listCollections = async () => (await this.api.listCollections({ dbName: this.database })).map((c) => c.name);
  createCollection = async (spec: CollectionSpec) => this.api.createCollection({
    ...this.c(spec.name), fields: spec.fields, description: spec.description ?? '',
    enableDynamicField: spec.enableDynamicField ?? false,
    ...(spec.shardsNum !== undefined ? { shardsNum: spec.shardsNum } : {}),
    ...(spec.consistencyLevel !== undefined ? { consistencyLevel: consistencyOf(spec.consistencyLevel) } : {}),
    ...(spec.externalSource !== undefined ? { externalSource: spec.externalSource } : {}),
    ...(spec.externalSpec !== undefined ? { externalSpec: spec.externalSpec } : {}),
  });
  describeCollection = async (name: string): Promise<CollectionInfo> => {
    const d = await this.api.describeCollection(this.c(name));
    return {
      name: d.collectionName, id: String(d.collectionId), schema: d.schema, aliases: d.aliases,
      consistencyLevel: CONSISTENCY_NAMES[d.consistencyLevel] ?? String(d.consistencyLevel),
      shardsNum: d.shardsNum, properties: d.properties,
    };
  };
  dropCollection = async (name: string) => this.api.dropCollection(this.c(name));
  renameCollection = async (oldName: string, newName: string) => this.api.renameCollection({ dbName: this.database, oldName, newName });
  collectionRowCount = async (name: string) => (await this.api.getCollectionStatistics(this.c(name))).rowCount;
  addFunction = async (c: string, fn: FunctionSchema) => this.api.addCollectionFunction({ ...this.c(c), function: fn });
  alterFunction = async (c: string, fn: FunctionSchema) => this.api.alterCollectionFunction({ ...this.c(c), functionName: fn.name, function: fn });
  dropFunction = async (c: string, functionName: string) => this.api.dropCollectionFunction({ ...this.c(c), functionName });

  listPartitions = async (c: string) => (await this.api.listPartitions(this.c(c))).map((p) => p.name);
  createPartition = async (c: string, partitionName: string) => this.api.createPartition({ ...this.c(c), partitionName });
  dropPartition = async (c: string, partitionName: string) => this.api.dropPartition({ ...this.c(c), partitionName });
  partitionRowCount = async (c: string, partitionName: string) =>
    (await this.api.getPartitionStatistics({ ...this.c(c), partitionName })).rowCount;

  createResourceGroup = async (name: string, n: ResourceGroupNodes | undefined) =>
    this.api.createResourceGroup({ resourceGroup: name, ...(n !== undefined ? { config: { requests: { nodeNum: n.requests }, limits: { nodeNum: n.limits } } } : {}) });
  updateResourceGroup = async (name: string, n: ResourceGroupNodes) =>
    this.api.updateResourceGroups({ resourceGroups: { [name]: { requests: { nodeNum: n.requests }, limits: { nodeNum: n.limits } } } });
  dropResourceGroup = async (name: string) => this.api.dropResourceGroup({ resourceGroup: name });
  listResourceGroups = async () => this.api.listResourceGroups();
  describeResourceGroup = async (name: string): Promise<ResourceGroupInfo> => {
    const d = await this.api.describeResourceGroup({ resourceGroup: name });
    return {
      name: d.name, capacity: d.capacity, availableNodes: d.numAvailableNode, loadedReplicas: d.numLoadedReplica,
      requests: d.config.requests.nodeNum, limits: d.config.limits.nodeNum, transferFrom: d.config.transferFrom, transferTo: d.config.transferTo,
      nodes: d.nodes.map((n) => `${n.nodeId} (${n.hostname})`),
    };
  };
  transferReplica = async (t: ReplicaTransfer) => this.api.transferReplica({
    sourceResourceGroup: t.source, targetResourceGroup: t.target, dbName: this.database, collectionName: t.collection, numReplica: t.replicas,
  });

  createSnapshot = async (c: string, name: string, description: string) => this.api.createSnapshot({ ...this.c(c), name, description });
  dropSnapshot = async (c: string, name: string) => this.api.dropSnapshot({ ...this.c(c), name });
  listSnapshots = async (c: string) => this.api.listSnapshots(this.c(c));
  describeSnapshot = async (c: string, name: string): Promise<SnapshotInfo> => {
    const d = await this.api.describeSnapshot({ ...this.c(c), name });
    return { name: d.name, description: d.description, collection: d.collectionName, partitions: d.partitionNames, createTs: String(d.createTs) };
  };
  restoreSnapshot = async (c: string, name: string, target: string, targetDb: string | undefined) =>
    String((await this.api.restoreSnapshot({ ...this.c(c), name, targetCollectionName: target, ...(targetDb !== undefined ? { targetDbName: targetDb } : {}) })).jobId);
  restoreJob = async (jobId: string): Promise<JobSummary> => restoreSummary(await this.api.getRestoreSnapshotState({ jobId: BigInt(jobId) }));
  restoreJobs = async (c: string | undefined) =>
    (await this.api.listRestoreSnapshotJobs({ dbName: this.database, ...(c !== undefined ? { collectionName: c } : {}) })).map(restoreSummary);
  pinSnapshot = async (c: string, name: string, ttlSeconds: number) => String((await this.api.pinSnapshotData({ ...this.c(c), name, ttlSeconds })).pinId);
  unpinSnapshot = async (pinId: string) => this.api.unpinSnapshotData({ pinId: BigInt(pinId) });
  refreshExternalCollection = async (c: string, source: string | undefined, spec: string | undefined) =>
    (await this.api.refreshExternalCollection({ ...this.c(c), ...(source !== undefined ? { externalSource: source } : {}), ...(spec !== undefined ? { externalSpec: spec } : {}) })).jobId;
  refreshJob = async (jobId: string): Promise<JobSummary> => refreshSummary(await this.api.getRefreshExternalCollectionProgress({ jobId }));
  refreshJobs = async (c: string | undefined) =>
    (await this.api.listRefreshExternalCollectionJobs({ dbName: this.database, ...(c !== undefined ? { collectionName: c } : {}) })).map(refreshSummary);

  createAlias = async (c: string, alias: string, alter: boolean) =>
    alter ? this.api.alterAlias({ ...this.c(c), alias }) : this.api.createAlias({ ...this.c(c), alias });
  dropAlias = async (alias: string) => this.api.dropAlias({ dbName: this.database, alias });
  listAliases = async (c: string | undefined) =>
    (await this.api.listAliases({ dbName: this.database, ...(c !== undefined ? { collectionName: c } : {}) })).map((a) => a.alias);
  describeAlias = async (alias: string) => {
    const a = await this.api.describeAlias({ dbName: this.database, alias });
    return { alias: a.alias, collection: a.collectionName };
  };

  runAnalyzer = async (spec: AnalyzeSpec): Promise<AnalyzedToken[][]> => (await this.api.runAnalyzer({
    dbName: this.database, texts: spec.texts, analyzerParams: spec.params ?? '', withDetail: true, withHash: true,
    ...(spec.collection !== undefined ? { collectionName: spec.collection, fieldName: spec.field ?? '' } : {}),
    analyzerNames: spec.analyzerNames ?? [],
  })).map((r) => r.tokens);

  createIndex = async (c: string, fieldName: string, indexName: string | undefined, params: Record<string, string>) =>
    this.api.createIndex({ ...this.c(c), fieldName, ...(indexName !== undefined ? { indexName } : {}), params });
  describeIndexes = async (c: string, indexName?: string): Promise<IndexInfo[]> =>
    (await this.api.describeIndex({ ...this.c(c), ...(indexName !== undefined ? { indexName } : {}) })).map((d) => ({
      indexName: d.indexName, fieldName: d.fieldName, indexType: d.indexType, metricType: d.metricType,
      params: buildParams(d.params), indexedRows: d.indexedRows, totalRows: d.totalRows, state: d.state,
    }));
  dropIndex = async (c: string, indexName: string) => this.api.dropIndex({ ...this.c(c), indexName });

  private writeRequest(d: WriteData): T.InsertRequest {
    return {
      ...this.c(d.collection), numRows: d.batch.numRows, columns: d.batch.columns,
      ...(d.partition !== undefined ? { partitionName: d.partition } : {}),
    };
  }
  insert = async (d: WriteData) => (await this.api.insert(this.writeRequest(d))).insertCount;
  upsert = async (d: WriteData) => (await this.api.upsert(this.writeRequest(d))).upsertCount;
  delete = async (c: string, partition: string | undefined, filter: string) =>
    (await this.api.delete({ ...this.c(c), filter, ...(partition !== undefined ? { partitionName: partition } : {}) })).deleteCount;

  query = async (q: QuerySpec): Promise<Row[]> => {
    const r = await this.api.query({
      ...this.c(q.collection), filter: q.filter,
      ...(q.outputFields !== undefined ? { outputFields: q.outputFields } : {}),
      ...(q.partitions !== undefined ? { partitionNames: q.partitions } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.offset !== undefined ? { offset: q.offset } : {}),
    });
    const rows: Row[] = [];
    for (let i = 0; i < r.numRows; i++) rows.push(rowAt(r.columns, i));
    return rows;
  };

  search = async (s: SearchSpec): Promise<Hit[][]> => {
    const r = await this.api.search({
      ...this.c(s.collection), data: s.vectors, topK: s.limit,
      ...(s.annsField !== undefined ? { annsField: s.annsField } : {}),
      ...(s.filter !== undefined ? { filter: s.filter } : {}),
      ...(s.outputFields !== undefined ? { outputFields: s.outputFields } : {}),
      ...(s.partitions !== undefined ? { partitionNames: s.partitions } : {}),
      ...(s.params !== undefined ? { params: s.params } : {}),
      ...(s.metricType !== undefined ? { metricType: s.metricType as T.SearchRequest['metricType'] & string } : {}),
      ...(s.roundDecimal !== undefined ? { roundDecimal: s.roundDecimal } : {}),
    });
    const out: Hit[][] = [];
    let at = 0;
    for (let q = 0; q < r.nq; q++) {
      const hits: Hit[] = [];
      const n = r.topks[q] ?? 0;
      for (let k = 0; k < n; k++, at++) hits.push({ id: pkValues(r.ids, at), score: roundFloat32(r.scores[at] ?? 0), fields: rowAt(r.columns, at) });
      out.push(hits);
    }
    return out;
  };

  load = async (c: string, partitionNames: string[]) =>
    partitionNames.length > 0 ? this.api.loadPartitions({ ...this.c(c), partitionNames }) : this.api.loadCollection(this.c(c));
  release = async (c: string, partitionNames: string[]) =>
    partitionNames.length > 0 ? this.api.releasePartitions({ ...this.c(c), partitionNames }) : this.api.releaseCollection(this.c(c));
  loadState = async (c: string, partitionNames: string[]) =>
    (await this.api.getLoadState({ ...this.c(c), ...(partitionNames.length > 0 ? { partitionNames } : {}) })).state;
  loadingProgress = async (c: string, partitionNames: string[]) =>
    (await this.api.getLoadingProgress({ ...this.c(c), ...(partitionNames.length > 0 ? { partitionNames } : {}) })).progress;

  flush = async (c: string) => { await this.api.flush({ dbName: this.database, collectionNames: [c] }); };
  startImport = async (c: string, partition: string | undefined, files: string[][], options: Record<string, string>) =>
    (await this.api.importData({ ...this.c(c), ...(partition !== undefined ? { partitionName: partition } : {}), files, options })).jobId;
  importState = async (jobId: string) => {
    const j = await this.api.getImportProgress({ jobId });
    return { state: j.state, rows: j.importedRows, reason: j.reason };
  };
  /** Compaction runs in the background; the verb waits for it, so "done" means done. */
  compact = async (c: string) => {
    const id = (await this.api.compact(this.c(c))).compactionId;
    while ((await this.api.getCompactionState({ compactionId: id })).state !== 'Completed') await sleep(COMPACTION_POLL_MS);
    return String(id);
  };

  // access control: the caller's context names the database grants default to
  createUser = async (username: string, password: string) => this.api.createCredential({ username, password }, this.caller);
  deleteUser = async (username: string) => this.api.deleteCredential({ username }, this.caller);
  listUsers = async () => this.api.listCredUsers({}, this.caller);
  describeUser = async (username: string) => this.api.selectUser({ username, includeRoleInfo: true }, this.caller);
  updatePassword = async (username: string, oldPassword: string, newPassword: string) =>
    this.api.updateCredential({ username, oldPassword, newPassword }, this.caller);
  createRole = async (roleName: string) => this.api.createRole({ roleName }, this.caller);
  dropRole = async (roleName: string) => this.api.dropRole({ roleName }, this.caller);
  listRoles = async () => this.api.selectRole({ includeUserInfo: true }, this.caller);
  grantRole = async (roleName: string, username: string) => this.api.operateUserRole({ roleName, username, type: 'AddUserToRole' }, this.caller);
  revokeRole = async (roleName: string, username: string) => this.api.operateUserRole({ roleName, username, type: 'RemoveUserFromRole' }, this.caller);
  operatePrivilege = async (p: PrivilegeSpec) => {
    const dbName = p.dbName ?? this.database;
    return p.objectType !== undefined
      ? this.api.operatePrivilege({ roleName: p.roleName, objectType: p.objectType, objectName: p.objectName, dbName, privilege: p.privilege, type: p.type }, this.caller)
      : this.api.operatePrivilegeV2({ roleName: p.roleName, privilege: p.privilege, dbName, collectionName: p.objectName, type: p.type }, this.caller);
  };
  listGrants = async (f: GrantFilter) => this.api.selectGrant({
    roleName: f.roleName, dbName: f.dbName,
    ...(f.objectType !== undefined ? { objectType: f.objectType } : {}), ...(f.objectName !== undefined ? { objectName: f.objectName } : {}),
  }, this.caller);
  createPrivilegeGroup = async (groupName: string) => this.api.createPrivilegeGroup({ groupName }, this.caller);
  dropPrivilegeGroup = async (groupName: string) => this.api.dropPrivilegeGroup({ groupName }, this.caller);
  listPrivilegeGroups = async () => (await this.api.listPrivilegeGroups({}, this.caller)).map((g) => ({ group: g.groupName, privileges: g.privileges }));
  operatePrivilegeGroup = async (groupName: string, privileges: string[], add: boolean) => this.api.operatePrivilegeGroup({
    groupName, privileges, type: add ? 'AddPrivilegesToGroup' : 'RemovePrivilegesFromGroup',
  }, this.caller);
}
