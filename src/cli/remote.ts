/**
 * The remote backend: a Milvus (or Sextant) server through the official Node SDK. A thin adapter:
 * SDK statuses become MilvusError, SDK values (int64 as decimal strings) become the backend's
 * vocabulary (bigint), the SDK describe shape becomes a CollectionSchema.
 */
import {
  MilvusClient, OperatePrivilegeType, promisify, RbacObjects, type DropAliasReq, type FunctionObject, type GrantEntity, type RowData,
} from '@zilliz/milvus2-sdk-node';
import { DataType } from '../core/enums.js';
import { AccessError, MilvusError } from '../core/errors.js';
import type { ObjectType } from '../service/auth/privileges.js';
import type { CollectionSchema, FieldSchema, FunctionSchema } from '../schema/types.js';
import type {
  AnalyzeSpec, AnalyzedToken, Backend, CollectionInfo, CollectionSpec, GrantEntry, GrantFilter, Hit, IndexInfo, JobSummary, PrivilegeSpec, QuerySpec,
  ReplicaTransfer, ResourceGroupInfo, ResourceGroupNodes, Row, SearchSpec, SnapshotInfo, WriteData,
} from './backend.js';
import { COMPACTION_POLL_MS, sleep } from './backend.js';
import { fieldFromSdk, fromWire, toWire } from './remote-values.js';
import { buildParams, roundFloat32 } from './values.js';

type Status = { error_code?: string | number; code?: number; reason?: string };

/** Throws the status as a MilvusError unless it is Success. */
function check(s: Status | undefined): void {
  if (s === undefined) return;
  const code = Number(s.code ?? 0);
  const ok = code === 0 && (s.error_code === undefined || s.error_code === 'Success' || s.error_code === 0);
  if (!ok) throw new MilvusError(code === 0 ? 65535 : code, s.reason ?? String(s.error_code));
}

/**
 * Authentication and authorization failures arrive as gRPC status errors (16 UNAUTHENTICATED,
 * 7 PERMISSION_DENIED), not in-band statuses: they become the AccessError the embedded backend
 * throws for the same refusal, so both modes print the same line.
 */
function accessError(e: unknown): unknown {
  if (typeof e !== 'object' || e === null) return e;
  const { code, details } = e as { code?: unknown; details?: unknown };
  return (code === 16 || code === 7) && typeof details === 'string' ? new AccessError(code, details) : e;
}

async function sdk<R>(p: Promise<R>): Promise<R> {
  try {
    return await p;
  } catch (e) {
    throw accessError(e);
  }
}

async function ok<R extends { status: Status }>(p: Promise<R>): Promise<R> {
  const r = await sdk(p);
  check(r.status);
  return r;
}

/** A function as the SDK's FunctionObject (type as its number). */
function sdkFunction(fn: FunctionSchema): FunctionObject {
  return {
    name: fn.name, description: fn.description, type: fn.type as FunctionObject['type'],
    input_field_names: fn.inputFieldNames, output_field_names: fn.outputFieldNames, params: fn.params,
  };
}

async function okStatus(p: Promise<Status>): Promise<void> {
  check(await sdk(p));
}

const grantEntry = (g: GrantEntity): GrantEntry => ({
  role: g.role.name, objectType: g.object.name as ObjectType, objectName: g.object_name, dbName: g.db_name,
  privilege: g.grantor.privilege.name, grantor: g.grantor.user.name,
});

/** A restore or refresh job of the SDK's shapes; states by their proto names less the `RestoreSnapshot` / `Refresh` prefix. */
function jobSummary(j: { job_id: string; collection_name: string; state: unknown; progress: number | string; reason: string }): JobSummary {
  const state = String(j.state).replace(/^(RestoreSnapshot|Refresh)/, '').replace(/^InProgress$/, 'Importing');
  return { jobId: String(j.job_id), collection: j.collection_name, state, progress: Number(j.progress), reason: j.reason };
}

export interface RemoteOptions { uri: string; token?: string | undefined; database?: string | undefined }

export class RemoteBackend implements Backend {
  readonly mode = 'remote';
  database: string;
  private constructor(private readonly client: MilvusClient, database: string) {
    this.database = database;
  }

  static async connect(o: RemoteOptions): Promise<RemoteBackend> {
    const address = o.uri.replace(/^https?:\/\//, '');
    const client = new MilvusClient({
      address, logLevel: 'error', ...(o.token !== undefined ? { token: o.token } : {}),
      ...(o.database !== undefined ? { database: o.database } : {}),
    });
    const b = new RemoteBackend(client, o.database ?? 'default');
    try {
      await sdk(client.connectPromise);
      await b.serverVersion();
    } catch (e) {
      await client.closeConnection().catch(() => undefined);
      throw e;
    }
    return b;
  }

  private c(name: string): { collection_name: string; db_name: string } {
    return { collection_name: name, db_name: this.database };
  }

  serverVersion = async () => (await sdk(this.client.getVersion())).version;
  close = async () => { await this.client.closeConnection(); };

  useDatabase = async (db: string) => {
    await ok(this.client.describeDatabase({ db_name: db }));
    await sdk(this.client.use({ db_name: db }));
    this.database = db;
  };
  listDatabases = async () => (await ok(this.client.listDatabases())).db_names;
  createDatabase = async (db: string) => okStatus(this.client.createDatabase({ db_name: db }));
  dropDatabase = async (db: string) => okStatus(this.client.dropDatabase({ db_name: db }));
  describeDatabase = async (db: string) => {
    const d = await ok(this.client.describeDatabase({ db_name: db }));
    return { name: d.db_name, id: String(d.dbID), properties: Object.fromEntries(d.properties.map((p) => [p.key, String(p.value)])) };
  };

  listCollections = async () => (await ok(this.client.showCollections({ db_name: this.database }))).data.map((c) => c.name);
  createCollection = async (spec: CollectionSpec) => okStatus(this.client.createCollection({
    ...this.c(spec.name), description: spec.description ?? '', enable_dynamic_field: spec.enableDynamicField ?? false,
    ...(spec.shardsNum !== undefined ? { shards_num: spec.shardsNum } : {}),
    ...(spec.consistencyLevel !== undefined ? { consistency_level: spec.consistencyLevel as 'Bounded' } : {}),
    ...(spec.externalSource !== undefined ? { external_source: spec.externalSource } : {}),
    ...(spec.externalSpec !== undefined ? { external_spec: spec.externalSpec } : {}),
    fields: spec.fields.map((f) => ({
      name: f.name, data_type: f.dataType, description: f.description ?? '',
      ...(f.isPrimaryKey === true ? { is_primary_key: true } : {}),
      ...(f.autoId === true ? { autoID: true } : {}),
      ...(f.isPartitionKey === true ? { is_partition_key: true } : {}),
      ...(f.nullable === true ? { nullable: true } : {}),
      ...(f.dim !== undefined ? { dim: f.dim } : {}),
      ...(f.maxLength !== undefined ? { max_length: f.maxLength } : {}),
      ...(f.maxCapacity !== undefined ? { max_capacity: f.maxCapacity } : {}),
      ...(f.elementType !== undefined ? { element_type: f.elementType } : {}),
      ...(f.defaultValue !== undefined && f.defaultValue !== null ? { default_value: toWire(f.defaultValue) as string | number } : {}),
      ...(f.externalField !== undefined ? { external_field: f.externalField } : {}),
    })),
  }));

  describeCollection = async (name: string): Promise<CollectionInfo> => {
    const d = await ok(this.client.describeCollection(this.c(name)));
    const fields: FieldSchema[] = d.schema.fields.map(fieldFromSdk);
    const schema: CollectionSchema = {
      name: d.collection_name, description: d.schema.description ?? '', fields,
      enableDynamicField: d.schema.enable_dynamic_field === true, functions: [],
      ...(d.schema.external_source ? { externalSource: d.schema.external_source, externalSpec: d.schema.external_spec ?? '' } : {}),
    };
    return {
      name: d.collection_name, id: String(d.collectionID), schema, aliases: d.aliases,
      consistencyLevel: d.consistency_level, shardsNum: d.shards_num,
      properties: Object.fromEntries(d.properties.map((p) => [p.key, String(p.value)])),
    };
  };
  dropCollection = async (name: string) => okStatus(this.client.dropCollection(this.c(name)));
  renameCollection = async (oldName: string, newName: string) =>
    okStatus(this.client.renameCollection({ ...this.c(oldName), new_collection_name: newName }));
  addFunction = async (c: string, fn: FunctionSchema) => okStatus(this.client.addCollectionFunction({ ...this.c(c), function: sdkFunction(fn) }));
  alterFunction = async (c: string, fn: FunctionSchema) =>
    okStatus(this.client.alterCollectionFunction({ ...this.c(c), function_name: fn.name, function: sdkFunction(fn) }));
  dropFunction = async (c: string, name: string) => okStatus(this.client.dropCollectionFunction({ ...this.c(c), function_name: name }));
  collectionRowCount = async (name: string) => Number((await ok(this.client.getCollectionStatistics(this.c(name)))).data.row_count);

  listPartitions = async (c: string) => (await ok(this.client.listPartitions(this.c(c)))).partition_names;
  createPartition = async (c: string, p: string) => okStatus(this.client.createPartition({ ...this.c(c), partition_name: p }));
  dropPartition = async (c: string, p: string) => okStatus(this.client.dropPartition({ ...this.c(c), partition_name: p }));
  partitionRowCount = async (c: string, p: string) =>
    Number((await ok(this.client.getPartitionStatistics({ ...this.c(c), partition_name: p }))).data.row_count);

  createResourceGroup = async (name: string, n: ResourceGroupNodes | undefined) => okStatus(this.client.createResourceGroup({
    resource_group: name, ...(n !== undefined ? { config: { requests: { node_num: n.requests }, limits: { node_num: n.limits } } } : {}),
  }));
  updateResourceGroup = async (name: string, n: ResourceGroupNodes) =>
    okStatus(this.client.updateResourceGroups({ resource_groups: { [name]: { requests: { node_num: n.requests }, limits: { node_num: n.limits } } } }));
  dropResourceGroup = async (name: string) => okStatus(this.client.dropResourceGroup({ resource_group: name }));
  listResourceGroups = async () => (await ok(this.client.listResourceGroups())).resource_groups;
  describeResourceGroup = async (name: string): Promise<ResourceGroupInfo> => {
    const g = (await ok(this.client.describeResourceGroup({ resource_group: name }))).resource_group;
    return {
      name: g.name, capacity: g.capacity, availableNodes: g.num_available_node, loadedReplicas: g.num_loaded_replica,
      requests: g.config?.requests?.node_num ?? 0, limits: g.config?.limits?.node_num ?? 0,
      transferFrom: (g.config?.transfer_from ?? []).map((t) => t.resource_group), transferTo: (g.config?.transfer_to ?? []).map((t) => t.resource_group),
      nodes: (g.nodes ?? []).map((n) => `${String(n.node_id)} (${n.hostname})`),
    };
  };
  transferReplica = async (t: ReplicaTransfer) => okStatus(this.client.transferReplica({
    source_resource_group: t.source, target_resource_group: t.target, collection_name: t.collection, num_replica: t.replicas, db_name: this.database,
  }));

  createAlias = async (c: string, alias: string, alter: boolean) =>
    okStatus(alter ? this.client.alterAlias({ ...this.c(c), alias }) : this.client.createAlias({ ...this.c(c), alias }));
  dropAlias = async (alias: string) => okStatus(this.client.dropAlias({ alias, db_name: this.database } as DropAliasReq));
  listAliases = async (c: string | undefined) =>
    (await ok(this.client.listAliases({ collection_name: c ?? '', db_name: this.database }))).aliases;
  // The SDK insists on a collection_name that DescribeAliasRequest does not have; it is not sent.
  describeAlias = async (alias: string) => {
    const a = await ok(this.client.describeAlias({ alias, collection_name: alias, db_name: this.database }));
    return { alias: a.alias, collection: a.collection };
  };

  runAnalyzer = async (spec: AnalyzeSpec): Promise<AnalyzedToken[][]> => {
    const params: unknown = spec.params !== undefined && spec.params !== '' ? JSON.parse(spec.params) : undefined;
    const r = await ok(this.client.runAnalyzer({
      text: spec.texts, with_detail: true, with_hash: true, db_name: this.database,
      ...(params !== undefined ? { analyzer_params: params as Record<string, unknown> } : {}),
      ...(spec.collection !== undefined ? { collection_name: spec.collection, field_name: spec.field ?? '' } : {}),
      ...(spec.analyzerNames !== undefined && spec.analyzerNames.length > 0 ? { analyzer_names: spec.analyzerNames } : {}),
    }));
    return r.results.map((res) => res.tokens.map((t) => ({
      token: t.token, startOffset: Number(t.start_offset), endOffset: Number(t.end_offset), position: Number(t.position),
      positionLength: Number(t.position_length), hash: Number(t.hash),
    })));
  };

  createIndex = async (c: string, field: string, indexName: string | undefined, params: Record<string, string>) => {
    const { index_type: indexType, metric_type: metricType, ...rest } = params;
    await okStatus(this.client.createIndex({
      ...this.c(c), field_name: field, ...(indexName !== undefined ? { index_name: indexName } : {}),
      ...(indexType !== undefined ? { index_type: indexType } : {}), ...(metricType !== undefined ? { metric_type: metricType } : {}),
      params: rest,
    }));
  };
  describeIndexes = async (c: string, indexName?: string): Promise<IndexInfo[]> => {
    const r = await ok(this.client.describeIndex({ ...this.c(c), ...(indexName !== undefined ? { index_name: indexName } : {}) }));
    return r.index_descriptions.map((d) => {
      const all = Object.fromEntries(d.params.map((p) => [p.key, String(p.value)]));
      return {
        indexName: d.index_name, fieldName: d.field_name, indexType: all['index_type'] ?? '', metricType: all['metric_type'] ?? '',
        params: buildParams(all), indexedRows: Number(d.indexed_rows), totalRows: Number(d.total_rows), state: String(d.state),
      };
    });
  };
  dropIndex = async (c: string, indexName: string) => okStatus(this.client.dropIndex({ ...this.c(c), index_name: indexName }));

  private writeRequest(d: WriteData) {
    return {
      ...this.c(d.collection), data: d.rows.map((r) => toWire(r) as RowData),
      ...(d.partition !== undefined ? { partition_name: d.partition } : {}),
    };
  }
  insert = async (d: WriteData) => Number((await ok(this.client.insert(this.writeRequest(d)))).insert_cnt);
  upsert = async (d: WriteData) => Number((await ok(this.client.upsert(this.writeRequest(d)))).upsert_cnt);
  delete = async (c: string, partition: string | undefined, filter: string) =>
    Number((await ok(this.client.delete({ ...this.c(c), filter, ...(partition !== undefined ? { partition_name: partition } : {}) }))).delete_cnt);

  query = async (q: QuerySpec): Promise<Row[]> => {
    const schema = (await this.describeCollection(q.collection)).schema;
    const r = await ok(this.client.query({
      ...this.c(q.collection), filter: q.filter,
      ...(q.outputFields !== undefined ? { output_fields: q.outputFields } : {}),
      ...(q.partitions !== undefined ? { partition_names: q.partitions } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.offset !== undefined ? { offset: q.offset } : {}),
    }));
    return r.data.map((row) => fromWire(schema, row));
  };

  search = async (s: SearchSpec): Promise<Hit[][]> => {
    const schema = (await this.describeCollection(s.collection)).schema;
    const pk = schema.fields.find((f) => f.isPrimaryKey)?.name ?? 'id';
    const wanted = s.outputFields ?? [];
    // SDK 3.x takes each hit's id from the output fields, so the primary key is always asked for.
    const r = await ok(this.client.search({
      ...this.c(s.collection), data: s.vectors as number[][], limit: s.limit,
      ...(s.annsField !== undefined ? { anns_field: s.annsField } : {}),
      ...(s.filter !== undefined ? { filter: s.filter } : {}),
      output_fields: wanted.includes(pk) || wanted.includes('*') ? wanted : [...wanted, pk],
      ...(s.partitions !== undefined ? { partition_names: s.partitions } : {}),
      ...(s.params !== undefined ? { params: s.params as Record<string, string | number> } : {}),
      ...(s.metricType !== undefined ? { metric_type: s.metricType } : {}),
      ...(s.roundDecimal !== undefined ? { round_decimal: s.roundDecimal } : {}),
    }));
    const nested: unknown[] = s.vectors.length === 1 ? [r.results] : r.results;
    return nested.map((hits) => (hits as Record<string, unknown>[]).map((h) => {
      const { score, ...rest } = h;
      const row = fromWire(schema, rest);
      const id = row[pk];
      if (!wanted.includes(pk) && !wanted.includes('*')) delete row[pk];
      return { id: typeof id === 'bigint' ? id : String(id), score: roundFloat32(Number(score)), fields: row };
    }));
  };

  load = async (c: string, partitions: string[]) => partitions.length > 0
    ? okStatus(this.client.loadPartitions({ ...this.c(c), partition_names: partitions }))
    : okStatus(this.client.loadCollectionAsync(this.c(c)));
  release = async (c: string, partitions: string[]) => partitions.length > 0
    ? okStatus(this.client.releasePartitions({ ...this.c(c), partition_names: partitions }))
    : okStatus(this.client.releaseCollection(this.c(c)));
  loadState = async (c: string, partitions: string[]) =>
    String((await ok(this.client.getLoadState({ ...this.c(c), ...(partitions.length > 0 ? { partition_names: partitions } : {}) }))).state);
  loadingProgress = async (c: string, partitions: string[]) =>
    Number((await ok(this.client.getLoadingProgress({ ...this.c(c), ...(partitions.length > 0 ? { partition_names: partitions } : {}) }))).progress);

  flush = async (c: string) => { await ok(this.client.flushSync({ collection_names: [c], db_name: this.database })); };
  createSnapshot = async (c: string, name: string, description: string) => okStatus(this.client.createSnapshot({ ...this.c(c), snapshot_name: name, description }));
  dropSnapshot = async (c: string, name: string) => okStatus(this.client.dropSnapshot({ ...this.c(c), snapshot_name: name }));
  listSnapshots = async (c: string) => (await ok(this.client.listSnapshots(this.c(c)))).snapshots;
  describeSnapshot = async (c: string, name: string): Promise<SnapshotInfo> => {
    const d = await ok(this.client.describeSnapshot({ ...this.c(c), snapshot_name: name }));
    return { name: d.name, description: d.description, collection: d.collection_name, partitions: d.partition_names, createTs: String(d.create_ts) };
  };
  restoreSnapshot = async (c: string, name: string, target: string, targetDb: string | undefined) => String((await ok(this.client.restoreSnapshot({
    snapshot_name: name, source_collection_name: c, source_db_name: this.database, target_collection_name: target, ...(targetDb !== undefined ? { target_db_name: targetDb } : {}),
  }))).job_id);
  restoreJob = async (jobId: string) => jobSummary((await ok(this.client.getRestoreSnapshotState({ job_id: jobId }))).info);
  restoreJobs = async (c: string | undefined) =>
    (await ok(this.client.listRestoreSnapshotJobs({ db_name: this.database, ...(c !== undefined ? { collection_name: c } : {}) }))).jobs.map(jobSummary);
  pinSnapshot = async (c: string, name: string, ttlSeconds: number) =>
    String((await ok(this.client.pinSnapshotData({ ...this.c(c), snapshot_name: name, ttl_seconds: ttlSeconds }))).pin_id);
  unpinSnapshot = async (pinId: string) => okStatus(this.client.unpinSnapshotData({ pin_id: pinId }));
  refreshExternalCollection = async (c: string, source: string | undefined, spec: string | undefined) => String((await ok(this.client.refreshExternalCollection({
    ...this.c(c), ...(source !== undefined ? { external_source: source } : {}), ...(spec !== undefined ? { external_spec: spec } : {}),
  }))).job_id);
  refreshJob = async (jobId: string) => jobSummary((await ok(this.client.getRefreshExternalCollectionProgress({ job_id: jobId }))).job_info);
  refreshJobs = async (c: string | undefined) =>
    (await ok(this.client.listRefreshExternalCollectionJobs({ db_name: this.database, ...(c !== undefined ? { collection_name: c } : {}) }))).jobs.map(jobSummary);

  startImport = async (c: string, partition: string | undefined, files: string[][], options: Record<string, string>) => {
    const r = await ok(this.client.bulkInsert({
      ...this.c(c), ...(partition !== undefined ? { partition_name: partition } : {}), files: files.flat(),
      options: Object.entries(options).map(([key, value]) => ({ key, value })),
    }));
    return String(r.tasks[0] ?? '');
  };
  importState = async (jobId: string) => {
    const r = await ok(this.client.getImportState({ task: jobId as unknown as number }));
    const reason = String(r.infos.find((kv) => kv.key === 'failed_reason')?.value ?? '');
    const state = String(r.state);
    const named = state === 'ImportCompleted' || state === '6' ? 'Completed' as const
      : state === 'ImportFailed' || state === 'ImportFailedAndCleaned' || state === '1' || state === '7' ? 'Failed' as const
        : state === 'ImportPending' || state === '0' ? 'Pending' as const : 'Importing' as const;
    return { state: named, rows: Number(r.row_count), reason };
  };
  /** Compaction runs in the background; the verb waits for it (GetCompactionState), as for flush. */
  compact = async (c: string) => {
    const id = (await ok(this.client.compact(this.c(c)))).compactionID;
    while (String((await ok(this.client.getCompactionState({ compactionID: id }))).state) !== 'Completed') await sleep(COMPACTION_POLL_MS);
    return String(id);
  };

  // access control: the SDK's RBAC calls; the server decides
  createUser = async (username: string, password: string) => okStatus(this.client.createUser({ username, password }));
  deleteUser = async (username: string) => okStatus(this.client.deleteUser({ username }));
  listUsers = async () => (await ok(this.client.listUsers())).usernames;
  describeUser = async (username: string) => (await ok(this.client.describeUser({ username, includeRoleInfo: true })))
    .results.map((r) => ({ user: r.user.name, roles: r.roles.map((x) => x.name) }));
  updatePassword = async (username: string, oldPassword: string, newPassword: string) =>
    okStatus(this.client.updateUser({ username, oldPassword, newPassword }));
  createRole = async (roleName: string) => okStatus(this.client.createRole({ roleName }));
  dropRole = async (roleName: string) => okStatus(this.client.dropRole({ roleName }));
  listRoles = async () => (await ok(this.client.listRoles({ includeUserInfo: true })))
    .results.map((r) => ({ role: r.role.name, users: r.users.map((u) => u.name) }));
  grantRole = async (roleName: string, username: string) => okStatus(this.client.addUserToRole({ roleName, username }));
  revokeRole = async (roleName: string, username: string) => okStatus(this.client.removeUserFromRole({ roleName, username }));

  /**
   * v1 goes through the SDK's own request plumbing (`promisify`: same channel, metadata and
   * timeout) because `grantPrivilege` drops `db_name`; v2 is the SDK's grantPrivilegeV2.
   */
  operatePrivilege = async (p: PrivilegeSpec) => {
    const dbName = p.dbName ?? this.database;
    if (p.objectType === undefined) {
      const req = { role: p.roleName, privilege: p.privilege, db_name: dbName, collection_name: p.objectName };
      return okStatus(p.type === 'Grant' ? this.client.grantPrivilegeV2(req) : this.client.revokePrivilegeV2(req));
    }
    return okStatus(promisify(this.client.channelPool, 'OperatePrivilege', {
      entity: {
        role: { name: p.roleName }, object: { name: p.objectType }, object_name: p.objectName, db_name: dbName,
        grantor: { privilege: { name: p.privilege } },
      },
      type: p.type === 'Grant' ? OperatePrivilegeType.Grant : OperatePrivilegeType.Revoke,
    }, this.client.timeout) as Promise<Status>);
  };
  listGrants = async (f: GrantFilter) => {
    const r = f.objectType !== undefined || f.objectName !== undefined
      ? await ok(this.client.selectGrant({ roleName: f.roleName, object: (f.objectType ?? '') as RbacObjects, objectName: f.objectName ?? '', db_name: f.dbName }))
      : await ok(this.client.listGrants({ roleName: f.roleName, db_name: f.dbName }));
    return r.entities.map(grantEntry);
  };
  createPrivilegeGroup = async (group: string) => okStatus(this.client.createPrivilegeGroup({ group_name: group }));
  dropPrivilegeGroup = async (group: string) => okStatus(this.client.dropPrivilegeGroup({ group_name: group }));
  listPrivilegeGroups = async () => (await ok(this.client.listPrivilegeGroups())).privilege_groups
    .map((g) => ({ group: g.group_name, privileges: g.privileges.map((p) => p.name) }));
  operatePrivilegeGroup = async (group: string, privileges: string[], add: boolean) => okStatus(add
    ? this.client.addPrivilegesToGroup({ group_name: group, privileges })
    : this.client.removePrivilegesFromGroup({ group_name: group, privileges }));
}
