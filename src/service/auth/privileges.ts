/**
 * Milvus' privilege vocabulary (pkg/util/constant.go, 2.6): object types, which object type each
 * privilege belongs to, the built-in privilege groups with their exact members, and the legacy
 * ReadOnly / ReadWrite / Admin groups. Names are Milvus' API names (no `Privilege` prefix).
 */

export type ObjectType = 'Collection' | 'Global' | 'User';
export const OBJECT_TYPES: readonly ObjectType[] = ['Collection', 'Global', 'User'];

const COLLECTION_PRIVILEGES = [
  'Load', 'Release', 'Compaction', 'Insert', 'Delete', 'Upsert', 'GetStatistics', 'CreateIndex', 'IndexDetail',
  'DropIndex', 'Search', 'Query', 'LoadBalance', 'Import', 'Flush', 'GetFlushState', 'GetLoadState',
  'GetLoadingProgress', 'CreatePartition', 'DropPartition', 'ShowPartitions', 'HasPartition', 'AddCollectionField',
  'CreateSnapshot', 'DropSnapshot', 'ListSnapshots', 'DescribeSnapshot', 'RestoreSnapshot',
] as const;

const GLOBAL_PRIVILEGES = [
  'All', 'CreateCollection', 'DropCollection', 'DescribeCollection', 'ShowCollections', 'RenameCollection', 'FlushAll',
  'CreateOwnership', 'DropOwnership', 'SelectOwnership', 'ManageOwnership', 'CreateResourceGroup', 'DropResourceGroup',
  'DescribeResourceGroup', 'ListResourceGroups', 'TransferReplica', 'TransferNode', 'UpdateResourceGroups',
  'CreateDatabase', 'DropDatabase', 'ListDatabases', 'AlterDatabase', 'DescribeDatabase', 'CreateAlias', 'DropAlias',
  'DescribeAlias', 'ListAliases', 'BackupRBAC', 'RestoreRBAC', 'CreatePrivilegeGroup', 'DropPrivilegeGroup',
  'ListPrivilegeGroups', 'OperatePrivilegeGroup', 'GetReplicateConfiguration', 'UpdateReplicateConfiguration',
  'ListImport', 'GetImportProgress', 'PinSnapshotData', 'UnpinSnapshotData',
] as const;

const USER_PRIVILEGES = ['UpdateUser', 'SelectUser'] as const;

export type Privilege = (typeof COLLECTION_PRIVILEGES)[number] | (typeof GLOBAL_PRIVILEGES)[number] | (typeof USER_PRIVILEGES)[number];

const COLLECTION_READ_ONLY = [
  'Query', 'Search', 'IndexDetail', 'GetFlushState', 'GetLoadState', 'GetLoadingProgress', 'HasPartition',
  'ShowPartitions', 'DescribeCollection', 'DescribeAlias', 'GetStatistics', 'ListAliases', 'GetImportProgress', 'ListImport',
];
const COLLECTION_READ_WRITE = [
  ...COLLECTION_READ_ONLY, 'Load', 'Release', 'Insert', 'Delete', 'Upsert', 'Import', 'Flush', 'Compaction',
  'LoadBalance', 'CreateIndex', 'DropIndex', 'CreatePartition', 'DropPartition', 'AddCollectionField',
];
const DATABASE_READ_ONLY = ['ShowCollections', 'DescribeDatabase'];
const DATABASE_READ_WRITE = [...DATABASE_READ_ONLY, 'AlterDatabase'];
const CLUSTER_READ_ONLY = [
  'ListDatabases', 'SelectOwnership', 'SelectUser', 'DescribeResourceGroup', 'ListResourceGroups',
  'ListPrivilegeGroups', 'GetReplicateConfiguration',
];
const CLUSTER_READ_WRITE = [...CLUSTER_READ_ONLY, 'FlushAll', 'TransferNode', 'TransferReplica', 'UpdateResourceGroups'];

export type GroupLevel = 'Cluster' | 'Database' | 'Collection';

/** The nine v2 built-in groups (grantable only through OperatePrivilegeV2), in ListPrivilegeGroups order. */
export const BUILTIN_GROUPS: ReadonlyMap<string, { level: GroupLevel; members: readonly string[] }> = new Map([
  ['ClusterReadOnly', { level: 'Cluster', members: CLUSTER_READ_ONLY }],
  ['ClusterReadWrite', { level: 'Cluster', members: CLUSTER_READ_WRITE }],
  ['ClusterAdmin', {
    level: 'Cluster', members: [
      ...CLUSTER_READ_WRITE, 'BackupRBAC', 'RestoreRBAC', 'CreateDatabase', 'DropDatabase', 'CreateOwnership',
      'DropOwnership', 'ManageOwnership', 'CreateResourceGroup', 'DropResourceGroup', 'UpdateUser', 'RenameCollection',
      'CreatePrivilegeGroup', 'DropPrivilegeGroup', 'OperatePrivilegeGroup', 'UpdateReplicateConfiguration',
    ],
  }],
  ['DatabaseReadOnly', { level: 'Database', members: DATABASE_READ_ONLY }],
  ['DatabaseReadWrite', { level: 'Database', members: DATABASE_READ_WRITE }],
  ['DatabaseAdmin', { level: 'Database', members: [...DATABASE_READ_WRITE, 'CreateCollection', 'DropCollection'] }],
  ['CollectionReadOnly', { level: 'Collection', members: COLLECTION_READ_ONLY }],
  ['CollectionReadWrite', { level: 'Collection', members: COLLECTION_READ_WRITE }],
  ['CollectionAdmin', { level: 'Collection', members: [...COLLECTION_READ_WRITE, 'CreateAlias', 'DropAlias'] }],
]);

const LEGACY_READ_ONLY = [
  'Query', 'Search', 'IndexDetail', 'GetFlushState', 'GetLoadState', 'GetLoadingProgress', 'HasPartition',
  'ShowPartitions', 'ShowCollections', 'ListAliases', 'ListDatabases', 'DescribeCollection', 'DescribeDatabase',
  'DescribeAlias', 'GetStatistics',
];
const LEGACY_READ_WRITE = [
  ...LEGACY_READ_ONLY, 'CreateIndex', 'DropIndex', 'CreatePartition', 'DropPartition', 'Load', 'Release', 'Insert',
  'Delete', 'Upsert', 'Import', 'Flush', 'Compaction', 'LoadBalance', 'RenameCollection', 'CreateAlias', 'DropAlias',
];

/** 2.4-style groups granted through v1 OperatePrivilege, evaluated at check time (with the db matched). */
export const LEGACY_GROUPS: ReadonlyMap<string, { objectType: ObjectType; members: readonly string[] }> = new Map([
  ['ReadOnly', { objectType: 'Collection', members: LEGACY_READ_ONLY }],
  ['ReadWrite', { objectType: 'Collection', members: LEGACY_READ_WRITE }],
  ['Admin', {
    objectType: 'Global', members: [
      ...LEGACY_READ_WRITE, 'CreateCollection', 'DropCollection', 'CreateOwnership', 'DropOwnership', 'SelectOwnership',
      'ManageOwnership', 'SelectUser', 'UpdateUser', 'BackupRBAC', 'RestoreRBAC', 'CreateResourceGroup',
      'DropResourceGroup', 'DescribeResourceGroup', 'ListResourceGroups', 'TransferReplica', 'TransferNode',
      'UpdateResourceGroups', 'CreateDatabase', 'DropDatabase', 'AlterDatabase', 'UpdateReplicateConfiguration',
    ],
  }],
]);

const TYPE_OF = new Map<string, ObjectType>();
for (const p of COLLECTION_PRIVILEGES) TYPE_OF.set(p, 'Collection');
for (const p of GLOBAL_PRIVILEGES) TYPE_OF.set(p, 'Global');
for (const p of USER_PRIVILEGES) TYPE_OF.set(p, 'User');

export function isPrivilege(name: string): boolean {
  return TYPE_OF.has(name);
}

/**
 * Milvus' `GetObjectType`: the object type a privilege (or group) is stored and checked under.
 * Collection-level groups are Collection; everything else not listed is Global.
 */
export function objectTypeOf(name: string): ObjectType {
  const t = TYPE_OF.get(name);
  if (t !== undefined) return t;
  const group = BUILTIN_GROUPS.get(name);
  if (group?.level === 'Collection') return 'Collection';
  const legacy = LEGACY_GROUPS.get(name);
  return legacy?.objectType ?? 'Global';
}

/** Privileges v1 OperatePrivilege accepts per object type (`ObjectPrivileges`, plus the legacy groups). */
export function validForObject(name: string, objectType: ObjectType): boolean {
  if (LEGACY_GROUPS.get(name)?.objectType === objectType) return true;
  return TYPE_OF.get(name) === objectType;
}

/** The level of a privilege (custom groups hold one level): the narrowest built-in group family holding it. */
export function levelOf(name: string): GroupLevel {
  const group = BUILTIN_GROUPS.get(name);
  if (group !== undefined) return group.level;
  for (const level of ['Collection', 'Database'] as const) {
    for (const [, g] of BUILTIN_GROUPS) if (g.level === level && g.members.includes(name)) return level;
  }
  return 'Cluster';
}

/** Granting these also grants what they imply (`util.RelatedPrivileges`). */
export const RELATED_PRIVILEGES: ReadonlyMap<string, readonly string[]> = new Map([
  ['Load', ['GetLoadState', 'GetLoadingProgress']],
  ['Flush', ['GetFlushState']],
]);

export const BUILTIN_ROLES = ['admin', 'public'] as const;
export const ROOT_USER = 'root';
