/**
 * The gRPC door against Milvus' own privilege table, written out here independently of
 * service/auth/rules.ts (milvus.proto 2.6 `privilege_ext_obj`, reference auth.md §3.3): a user
 * without grants calling each RPC is denied with PERMISSION_DENIED naming exactly Milvus' privilege,
 * or (RPCs without a privilege, and public's default grants) is not denied. RPCs Sextant does not
 * serve answer 3000 in-band after authentication and are listed, not checked.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import type * as grpc from '@grpc/grpc-js';
import { SextantService } from '../../src/service/service.js';
import { startSextantServer, type RunningSextantServer } from '../../src/server/http/server.js';
import { rpcInventory, SERVICE_NAME } from '../../src/server/grpc/proto.js';
import { makeTempDir } from '../support/tmp.js';
import { vectorCollection } from '../support/fixtures.js';
import { rawClient } from './grpc-client.js';

/** Milvus 2.6: RPC -> privilege checked ('none': authenticated only). */
const MILVUS: Record<string, string> = {
  AddCollectionField: 'AddCollectionField', AddCollectionFunction: 'CreateCollection', AlterCollectionFunction: 'CreateCollection',
  DropCollectionFunction: 'CreateCollection', AddFileResource: 'AddFileResource', RemoveFileResource: 'RemoveFileResource',
  ListFileResources: 'ListFileResources', AddUserTags: 'UpdateUser', DeleteUserTags: 'UpdateUser', GetUserTags: 'SelectUser',
  ListUsersWithTag: 'SelectUser', AlterAlias: 'CreateAlias', AlterCollection: 'CreateCollection', AlterCollectionField: 'CreateCollection',
  AlterDatabase: 'AlterDatabase', AlterIndex: 'CreateIndex', AlterRole: 'CreateOwnership', BackupRBAC: 'BackupRBAC', RestoreRBAC: 'RestoreRBAC',
  BatchDescribeCollection: 'DescribeCollection', CreateAlias: 'CreateAlias', DropAlias: 'DropAlias', DescribeAlias: 'DescribeAlias',
  ListAliases: 'ListAliases', CreateCollection: 'CreateCollection', DropCollection: 'DropCollection', DescribeCollection: 'DescribeCollection',
  TruncateCollection: 'DropCollection', RenameCollection: 'RenameCollection', CreateDatabase: 'CreateDatabase', DropDatabase: 'DropDatabase',
  DescribeDatabase: 'DescribeDatabase', CreateCredential: 'CreateOwnership', CreateRole: 'CreateOwnership', DeleteCredential: 'DropOwnership',
  DropRole: 'DropOwnership', UpdateCredential: 'UpdateUser', ListCredUsers: 'SelectOwnership', SelectRole: 'SelectOwnership',
  SelectGrant: 'SelectOwnership', OperateUserRole: 'ManageOwnership', OperatePrivilege: 'ManageOwnership', OperatePrivilegeV2: 'ManageOwnership',
  SelectUser: 'SelectUser', CreatePrivilegeGroup: 'CreatePrivilegeGroup', DropPrivilegeGroup: 'DropPrivilegeGroup',
  ListPrivilegeGroups: 'ListPrivilegeGroups', OperatePrivilegeGroup: 'OperatePrivilegeGroup', CreateRowPolicy: 'CreateOwnership',
  DropRowPolicy: 'DropOwnership', ListRowPolicies: 'SelectOwnership', CreateIndex: 'CreateIndex', DropIndex: 'DropIndex',
  DescribeIndex: 'IndexDetail', GetIndexState: 'IndexDetail', GetIndexBuildProgress: 'IndexDetail', GetIndexStatistics: 'IndexDetail',
  CreatePartition: 'CreatePartition', DropPartition: 'DropPartition', HasPartition: 'HasPartition', ShowPartitions: 'ShowPartitions',
  LoadCollection: 'Load', LoadPartitions: 'Load', ReleaseCollection: 'Release', ReleasePartitions: 'Release', GetLoadState: 'GetLoadState',
  GetLoadingProgress: 'GetLoadState', GetCollectionStatistics: 'GetStatistics', GetPartitionStatistics: 'GetStatistics', Insert: 'Insert',
  Delete: 'Delete', Upsert: 'Upsert', Query: 'Query', Search: 'Search', HybridSearch: 'Search', Import: 'Import', Flush: 'Flush',
  GetFlushState: 'GetFlushState', FlushAll: 'FlushAll', ManualCompaction: 'Compaction', LoadBalance: 'LoadBalance',
  CreateResourceGroup: 'CreateResourceGroup', DropResourceGroup: 'DropResourceGroup', DescribeResourceGroup: 'DescribeResourceGroup',
  ListResourceGroups: 'ListResourceGroups', UpdateResourceGroups: 'UpdateResourceGroups', TransferNode: 'TransferNode',
  TransferReplica: 'TransferReplica', GetReplicateConfiguration: 'GetReplicateConfiguration', UpdateReplicateConfiguration: 'UpdateReplicateConfiguration',
  AllocTimestamp: 'none', CalcDistance: 'none', CheckHealth: 'none', Connect: 'none', DescribeSegmentIndexData: 'none', Dummy: 'none',
  GetCompactionState: 'none', GetCompactionStateWithPlans: 'none', GetComponentStates: 'none', GetFlushAllState: 'none',
  GetImportState: 'none', GetMetrics: 'none', GetPersistentSegmentInfo: 'none', GetQuerySegmentInfo: 'none', GetReplicas: 'none',
  GetReplicateInfo: 'none', GetVersion: 'none', HasCollection: 'none', ListDatabases: 'none', ListImportTasks: 'none',
  ListIndexedSegment: 'none', RegisterLink: 'none', ReplicateMessage: 'none', RunAnalyzer: 'none', ShowCollections: 'none',
};
/**
 * Milvus checks every request in the caller's database (`dbname` header; `default` here). Sextant
 * checks a request in the database it names (`db_x` here), except access control and DescribeDatabase.
 */
const CALLER_DB = new Set(['CreateOwnership', 'DropOwnership', 'SelectOwnership', 'ManageOwnership', 'UpdateUser', 'SelectUser',
  'CreatePrivilegeGroup', 'DropPrivilegeGroup', 'ListPrivilegeGroups', 'OperatePrivilegeGroup', 'BackupRBAC', 'RestoreRBAC',
  // resource group requests name no database (TransferReplica does: db_name)
  'CreateResourceGroup', 'DropResourceGroup', 'DescribeResourceGroup', 'ListResourceGroups', 'UpdateResourceGroups', 'TransferNode']);
/** Granted to role public at start (Milvus' initPublicRolePrivilege). */
const PUBLIC = new Set(['DescribeCollection', 'ListAliases', 'IndexDetail']);

let dataDir: string;
let svc: SextantService;
let server: RunningSextantServer;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

before(async () => {
  dataDir = await makeTempDir();
  svc = await SextantService.open({ dataDir, auth: { enabled: true } });
  await svc.createCredential({ username: 'u', password: 'secret-u' });
  await svc.createCredential({ username: 'other', password: 'secret-o' });
  await svc.createCollection(vectorCollection('c', 4));
  server = await startSextantServer(svc, { host: '127.0.0.1', port: 0, httpPort: 0, maxMessageBytes: 1 << 20, maxHttpBodyBytes: 1 << 20, shutdownGraceMs: 300 });
});
after(async () => {
  await server.close();
  await svc.close();
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * One request for every RPC: malformed for some (CreateCollection has no schema, Search no vectors),
 * and the privilege decides first, as Milvus' interceptor, so those are denied too, not told 1101.
 */
const REQUEST = {
  collection_name: 'c', collectionName: 'c', collection_names: ['c'], partition_name: 'p', partition_names: ['p'], alias: 'x',
  username: 'other', user_name: 'other', user: { name: 'other' }, role_name: 'nope', group_name: 'nope', db_name: 'db_x',
};

test('every RPC in Milvus\' privilege table: a user without grants is denied with exactly that privilege, or not denied', async (t) => {
  const c = rawClient(server.port);
  const unserved: string[] = [];
  let checked = 0;
  try {
    for (const rpc of rpcInventory(SERVICE_NAME)) {
      const privilege = MILVUS[rpc.name];
      if (privilege === undefined || rpc.name === 'ReplicateMessage') continue;
      let outcome: string;
      try {
        const reply = await c.call(rpc.name, REQUEST, { authorization: b64('u:secret-u') });
        const status = (reply.status ?? reply) as { code?: number; reason?: string };
        if (status.code === 3000) { unserved.push(rpc.name); continue; }
        outcome = 'not denied'; // an in-band answer (success, or the operation's own error) is past authorization
      } catch (e) {
        const err = e as grpc.ServiceError;
        assert.notEqual(err.code, 16, `${rpc.name}: authenticated`);
        outcome = err.code === 7 ? err.details : 'not denied';
      }
      const db = CALLER_DB.has(privilege) || rpc.name === 'DescribeDatabase' ? 'default' : 'db_x';
      const expected = privilege === 'none' || PUBLIC.has(privilege) ? 'not denied' : `Privilege${privilege}: permission deny to u in the \`${db}\` database`;
      assert.equal(outcome, expected, rpc.name);
      checked++;
    }
  } finally {
    c.close();
  }
  t.diagnostic(`${checked} RPCs decided as Milvus' table; not served (3000): ${unserved.join(' ')}`);
});
