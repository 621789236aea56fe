/**
 * THE privilege table: one rule per service operation (Milvus' `privilege_ext_obj` of the matching
 * request message, milvus.proto 2.6). It is a Record over every operation of MilvusApi, so adding
 * an operation without deciding its privilege does not compile. gRPC, REST v2, /api/v1, the CLI
 * and the embedded client all reach operations through `SextantService.as(ctx)`, the one place
 * this table is applied (guard.ts).
 */
import type { MilvusApi } from '../api.js';
import type { ObjectType } from './privileges.js';

/** Every MilvusApi member that is an operation (not plumbing). */
/** Synchronous plumbing, authenticated only (as in Milvus: no privilege): version, health, timestamps. */
export type Operation = Exclude<keyof MilvusApi, 'version' | 'close' | 'as' | 'authorize' | 'authenticate' | 'authEnabled' | 'checkHealth' | 'allocTimestamp'>;

/**
 * `check`: the caller needs `privilege` on the object named by request member `nameFrom` (absent:
 * `*`; a list member needs every element). `open`: authenticated only. `filter`: authenticated,
 * and the result is narrowed to what the caller may see (ListDatabases, ShowCollections).
 */
export type Rule =
  | { kind: 'check'; object: ObjectType; privilege: string; nameFrom?: string; contextDb?: true }
  | { kind: 'open' }
  | { kind: 'filter' };

const global = (privilege: string): Rule => ({ kind: 'check', object: 'Global', privilege });
const collection = (privilege: string, nameFrom = 'collectionName'): Rule => ({ kind: 'check', object: 'Collection', privilege, nameFrom });
const open: Rule = { kind: 'open' };
/** Access-control operations are scoped by the caller's database, never by a grant's `dbName` member. */
const rbac = (privilege: string): Rule => ({ kind: 'check', object: 'Global', privilege, contextDb: true });

export const RULES: Readonly<Record<Operation, Rule>> = {
  createDatabase: global('CreateDatabase'),
  dropDatabase: global('DropDatabase'),
  listDatabases: { kind: 'filter' },
  // as Milvus: the privilege in the caller's database; the described one must be visible (guard.ts)
  describeDatabase: { kind: 'check', object: 'Global', privilege: 'DescribeDatabase', contextDb: true },
  alterDatabase: global('AlterDatabase'),

  createCollection: global('CreateCollection'),
  describeCollection: global('DescribeCollection'),
  hasCollection: open,
  listCollections: { kind: 'filter' },
  dropCollection: global('DropCollection'),
  renameCollection: global('RenameCollection'),
  alterCollection: global('CreateCollection'),
  getCollectionStatistics: collection('GetStatistics'),
  addCollectionField: collection('AddCollectionField'),
  addCollectionStructField: collection('AddCollectionField'),
  alterCollectionField: global('CreateCollection'),
  // milvus.proto 2.6: the three function RPCs carry PrivilegeCreateCollection on Global
  addCollectionFunction: global('CreateCollection'),
  alterCollectionFunction: global('CreateCollection'),
  dropCollectionFunction: global('CreateCollection'),
  truncateCollection: global('DropCollection'),
  batchDescribeCollection: global('DescribeCollection'),

  createPartition: collection('CreatePartition'),
  dropPartition: collection('DropPartition'),
  hasPartition: collection('HasPartition'),
  listPartitions: collection('ShowPartitions'),
  getPartitionStatistics: collection('GetStatistics'),

  createAlias: global('CreateAlias'),
  alterAlias: global('CreateAlias'),
  dropAlias: global('DropAlias'),
  describeAlias: global('DescribeAlias'),
  listAliases: global('ListAliases'),

  createIndex: collection('CreateIndex'),
  describeIndex: collection('IndexDetail'),
  dropIndex: collection('DropIndex'),
  alterIndex: collection('CreateIndex'),

  insert: collection('Insert'),
  importData: collection('Import'),
  getImportProgress: global('GetImportProgress'),
  listImports: global('ListImport'),
  refreshExternalCollection: collection('Import'), // a refresh is an import job; Milvus's vocabulary here has no privilege of its own for it
  getRefreshExternalCollectionProgress: global('GetImportProgress'),
  listRefreshExternalCollectionJobs: global('ListImport'),
  getImportState: open,
  listImportTasks: open,
  upsert: collection('Upsert'),
  delete: collection('Delete'),

  query: collection('Query'),
  search: collection('Search'),
  hybridSearch: collection('Search'),
  // Milvus checks no privilege for RunAnalyzer (authenticated only), even with a collection named
  runAnalyzer: open,

  loadCollection: collection('Load'),
  releaseCollection: collection('Release'),
  loadPartitions: collection('Load'),
  releasePartitions: collection('Release'),
  getLoadState: collection('GetLoadState'),
  getLoadingProgress: collection('GetLoadState'),

  createResourceGroup: global('CreateResourceGroup'),
  dropResourceGroup: global('DropResourceGroup'),
  updateResourceGroups: global('UpdateResourceGroups'),
  listResourceGroups: global('ListResourceGroups'),
  describeResourceGroup: global('DescribeResourceGroup'),
  transferNode: global('TransferNode'),
  transferReplica: global('TransferReplica'),
  // GetReplicas carries no privilege in milvus.proto: authenticated only
  getReplicas: open,

  flush: collection('Flush', 'collectionNames'),
  getFlushState: collection('GetFlushState'),
  flushAll: global('FlushAll'),
  getFlushAllState: open,
  compact: collection('Compaction'),
  loadBalance: collection('LoadBalance'),
  getCompactionState: open,
  getPersistentSegmentInfo: open,
  getQuerySegmentInfo: open,

  // milvus.proto 2.6 privilege_ext_obj: Collection-scoped by the (source) collection, pins Global
  createSnapshot: collection('CreateSnapshot'),
  dropSnapshot: collection('DropSnapshot'),
  listSnapshots: collection('ListSnapshots'),
  describeSnapshot: collection('DescribeSnapshot'),
  restoreSnapshot: collection('RestoreSnapshot'),
  getRestoreSnapshotState: open,
  listRestoreSnapshotJobs: collection('RestoreSnapshot'),
  pinSnapshotData: global('PinSnapshotData'),
  unpinSnapshotData: global('UnpinSnapshotData'),

  createCredential: rbac('CreateOwnership'),
  updateCredential: { kind: 'check', object: 'User', privilege: 'UpdateUser', nameFrom: 'username', contextDb: true },
  deleteCredential: rbac('DropOwnership'),
  listCredUsers: rbac('SelectOwnership'),
  createRole: rbac('CreateOwnership'),
  dropRole: rbac('DropOwnership'),
  operateUserRole: rbac('ManageOwnership'),
  selectRole: rbac('SelectOwnership'),
  selectUser: { kind: 'check', object: 'User', privilege: 'SelectUser', nameFrom: 'username', contextDb: true },
  operatePrivilege: rbac('ManageOwnership'),
  operatePrivilegeV2: rbac('ManageOwnership'),
  selectGrant: rbac('SelectOwnership'),
  createPrivilegeGroup: rbac('CreatePrivilegeGroup'),
  dropPrivilegeGroup: rbac('DropPrivilegeGroup'),
  listPrivilegeGroups: rbac('ListPrivilegeGroups'),
  operatePrivilegeGroup: rbac('OperatePrivilegeGroup'),
  backupRBAC: rbac('BackupRBAC'),
  restoreRBAC: rbac('RestoreRBAC'),
};
