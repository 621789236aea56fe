/**
 * The one interface every CLI command talks to. Two thin adapters implement it: `embedded.ts`
 * (a data directory opened in-process through SextantService) and `remote.ts` (a Milvus server
 * through the official Node SDK). Commands never know which one they have, so both modes behave
 * the same by construction. Every method throws `MilvusError` on failure.
 *
 * Values in rows: int64 is `bigint`, vectors are `number[]` (sparse: `{index: value}`), JSON is
 * parsed, NULL is `null`. Rows sent for writing have been validated by `rowsToBatch` first; the
 * batch travels with them so the embedded adapter does not convert twice.
 */
import type { InsertBatch } from '../schema/rows.js';
import type { GrantEntry, GrantType } from '../service/auth/types.js';
import type { CollectionSchema, FunctionSchema } from '../schema/types.js';
import type { FieldSpecInput } from '../service/types.js';

export type Row = Record<string, unknown>;

export interface CollectionSpec {
  name: string;
  fields: FieldSpecInput[];
  description?: string;
  enableDynamicField?: boolean;
  shardsNum?: number;
  consistencyLevel?: string;
  /** An external collection (Milvus 2.6): where its files are and how to read them (JSON). */
  externalSource?: string;
  externalSpec?: string;
}

export interface CollectionInfo {
  name: string;
  id: string;
  schema: CollectionSchema;
  aliases: string[];
  consistencyLevel: string;
  shardsNum: number;
  properties: Record<string, string>;
}

export interface IndexInfo {
  indexName: string;
  fieldName: string;
  indexType: string;
  metricType: string;
  params: Record<string, string>;
  indexedRows: number;
  totalRows: number;
  state: string;
}

export interface WriteData {
  collection: string;
  partition?: string | undefined;
  rows: Row[];
  batch: InsertBatch;
}

export interface QuerySpec {
  collection: string;
  filter: string;
  outputFields?: string[] | undefined;
  partitions?: string[] | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface SearchSpec {
  collection: string;
  /** The vector field; undefined lets the server pick (the only vector field, else an error). */
  annsField?: string | undefined;
  vectors: unknown[];
  limit: number;
  filter?: string | undefined;
  outputFields?: string[] | undefined;
  partitions?: string[] | undefined;
  params?: Record<string, unknown> | undefined;
  metricType?: string | undefined;
  roundDecimal?: number | undefined;
}

export interface Hit { id: bigint | string; score: number; fields: Row }

/**
 * A grant or revoke. v1 (`objectType` given): an object type (Global, Collection, User) and name.
 * v2 (`objectType` absent): a collection (`*` = all) in `dbName` (`*` = all), any privilege or group.
 * `dbName` absent: the current database.
 */
/** RunAnalyzer: `params` (JSON text) for an ad-hoc analyzer, or a collection's `field`. */
export interface AnalyzeSpec {
  texts: string[];
  params?: string | undefined;
  collection?: string | undefined;
  field?: string | undefined;
  analyzerNames?: string[] | undefined;
}
export interface AnalyzedToken { token: string; startOffset: number; endOffset: number; position: number; positionLength: number; hash: number }

export interface PrivilegeSpec {
  type: GrantType;
  roleName: string;
  privilege: string;
  objectType?: string | undefined;
  objectName: string;
  dbName?: string | undefined;
}

/** `dbName` `*` lists every database; an object type needs an object name. */
export interface GrantFilter { roleName: string; objectType?: string | undefined; objectName?: string | undefined; dbName: string }

export type { GrantEntry };

/** A resource group as `show resource_group` prints it. */
export interface ResourceGroupInfo {
  name: string;
  capacity: number;
  availableNodes: number;
  loadedReplicas: Record<string, number>;
  requests: number;
  limits: number;
  transferFrom: string[];
  transferTo: string[];
  nodes: string[];
}

export interface ResourceGroupNodes { requests: number; limits: number }
export interface ReplicaTransfer { source: string; target: string; collection: string; replicas: number }

/** A snapshot as `show snapshot` prints it. */
export interface SnapshotInfo { name: string; description: string; collection: string; partitions: string[]; createTs: string }
/** A restore or external-collection refresh job as `show restore_job` / `show refresh_job` print it. */
export interface JobSummary { jobId: string; collection: string; state: string; progress: number; reason: string }

export interface Backend {
  readonly mode: 'embedded' | 'remote';
  /** The current database; `useDatabase` changes it (and checks that it exists). */
  readonly database: string;
  useDatabase(name: string): Promise<void>;
  serverVersion(): Promise<string>;
  close(): Promise<void>;

  listDatabases(): Promise<string[]>;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  describeDatabase(name: string): Promise<{ name: string; id: string; properties: Record<string, string> }>;

  listCollections(): Promise<string[]>;
  createCollection(spec: CollectionSpec): Promise<void>;
  describeCollection(name: string): Promise<CollectionInfo>;
  dropCollection(name: string): Promise<void>;
  renameCollection(oldName: string, newName: string): Promise<void>;
  /** Add/Alter/DropCollectionFunction (alter replaces the function named `fn.name`). */
  addFunction(collection: string, fn: FunctionSchema): Promise<void>;
  alterFunction(collection: string, fn: FunctionSchema): Promise<void>;
  dropFunction(collection: string, name: string): Promise<void>;
  collectionRowCount(name: string): Promise<number>;

  listPartitions(collection: string): Promise<string[]>;
  createPartition(collection: string, partition: string): Promise<void>;
  dropPartition(collection: string, partition: string): Promise<void>;
  partitionRowCount(collection: string, partition: string): Promise<number>;

  createResourceGroup(name: string, nodes: ResourceGroupNodes | undefined): Promise<void>;
  updateResourceGroup(name: string, nodes: ResourceGroupNodes): Promise<void>;
  dropResourceGroup(name: string): Promise<void>;
  listResourceGroups(): Promise<string[]>;
  describeResourceGroup(name: string): Promise<ResourceGroupInfo>;
  transferReplica(t: ReplicaTransfer): Promise<void>;

  createSnapshot(collection: string, name: string, description: string): Promise<void>;
  dropSnapshot(collection: string, name: string): Promise<void>;
  listSnapshots(collection: string): Promise<string[]>;
  describeSnapshot(collection: string, name: string): Promise<SnapshotInfo>;
  /** RestoreSnapshot into `target` (in `targetDb`, default: the current database); answers the job id. */
  restoreSnapshot(collection: string, name: string, target: string, targetDb: string | undefined): Promise<string>;
  restoreJob(jobId: string): Promise<JobSummary>;
  restoreJobs(collection: string | undefined): Promise<JobSummary[]>;
  pinSnapshot(collection: string, name: string, ttlSeconds: number): Promise<string>;
  unpinSnapshot(pinId: string): Promise<void>;
  /** RefreshExternalCollection (source and spec: the collection's unless given); answers the job id. */
  refreshExternalCollection(collection: string, source: string | undefined, spec: string | undefined): Promise<string>;
  refreshJob(jobId: string): Promise<JobSummary>;
  refreshJobs(collection: string | undefined): Promise<JobSummary[]>;

  createAlias(collection: string, alias: string, alter: boolean): Promise<void>;
  dropAlias(alias: string): Promise<void>;
  listAliases(collection: string | undefined): Promise<string[]>;
  describeAlias(alias: string): Promise<{ alias: string; collection: string }>;

  createIndex(collection: string, field: string, indexName: string | undefined, params: Record<string, string>): Promise<void>;
  describeIndexes(collection: string, indexName?: string): Promise<IndexInfo[]>;
  dropIndex(collection: string, indexName: string): Promise<void>;

  insert(data: WriteData): Promise<number>;
  upsert(data: WriteData): Promise<number>;
  delete(collection: string, partition: string | undefined, filter: string): Promise<number>;
  query(spec: QuerySpec): Promise<Row[]>;
  search(spec: SearchSpec): Promise<Hit[][]>;

  /** Starts a load; resolves once accepted (embedded: once done). Poll `loadingProgress`. */
  load(collection: string, partitions: string[]): Promise<void>;
  release(collection: string, partitions: string[]): Promise<void>;
  loadState(collection: string, partitions: string[]): Promise<string>;
  loadingProgress(collection: string, partitions: string[]): Promise<number>;

  /** Tokens of each text, with offsets, positions and hashes. */
  runAnalyzer(spec: AnalyzeSpec): Promise<AnalyzedToken[][]>;

  flush(collection: string): Promise<void>;
  /** Bulk import: starts a job over file groups, answers its id. */
  startImport(collection: string, partition: string | undefined, files: string[][], options: Record<string, string>): Promise<string>;
  importState(jobId: string): Promise<{ state: 'Pending' | 'Importing' | 'Completed' | 'Failed'; rows: number; reason: string }>;
  compact(collection: string): Promise<string>;

  // access control: the service decides every rule (who may, what exists, what a name means)
  createUser(user: string, password: string): Promise<void>;
  deleteUser(user: string): Promise<void>;
  listUsers(): Promise<string[]>;
  /** The user and its roles; empty when it does not exist. */
  describeUser(user: string): Promise<{ user: string; roles: string[] }[]>;
  updatePassword(user: string, oldPassword: string, newPassword: string): Promise<void>;
  createRole(role: string): Promise<void>;
  dropRole(role: string): Promise<void>;
  /** Every role with the users holding it. */
  listRoles(): Promise<{ role: string; users: string[] }[]>;
  grantRole(role: string, user: string): Promise<void>;
  revokeRole(role: string, user: string): Promise<void>;
  operatePrivilege(spec: PrivilegeSpec): Promise<void>;
  listGrants(filter: GrantFilter): Promise<GrantEntry[]>;
  createPrivilegeGroup(group: string): Promise<void>;
  dropPrivilegeGroup(group: string): Promise<void>;
  listPrivilegeGroups(): Promise<{ group: string; privileges: string[] }[]>;
  /** `add`: AddPrivilegesToGroup, else RemovePrivilegesFromGroup. */
  operatePrivilegeGroup(group: string, privileges: string[], add: boolean): Promise<void>;
}

/** How often a waiting verb (compact) asks again. */
export const COMPACTION_POLL_MS = 50;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
