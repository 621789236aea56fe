/**
 * The embedded client acting as a user (`open(dir, { actAs })`): denied exactly as the Node SDK is
 * over gRPC against a server with --auth on the same data (the same error: code 7, Milvus' message),
 * allowed once the user holds the grant, and root (no actAs, or actAs 'root') trusted.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { open, DataType, RpcStatusError } from '../../src/client/index.js';
import { SextantService } from '../../src/service/service.js';
import { startSextantServer } from '../../src/server/http/server.js';
import { removeDir, tempDir } from './helpers.js';

let dir: string;

before(async () => {
  dir = await tempDir();
  const svc = await SextantService.open({ dataDir: dir });
  await svc.createCredential({ username: 'u', password: 'secret-u' });
  await svc.createCredential({ username: 'g', password: 'secret-g' });
  await svc.createRole({ roleName: 'releaser' });
  await svc.operateUserRole({ username: 'g', roleName: 'releaser', type: 'AddUserToRole' });
  await svc.operatePrivilegeV2({ roleName: 'releaser', privilege: 'Release', dbName: 'default', collectionName: 'c', type: 'Grant' });
  await svc.close();
  const root = await open(dir);
  await root.createCollection({ collection_name: 'c', fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'vec', data_type: DataType.FloatVector, dim: 4 },
  ] });
  await root.close();
});
after(async () => { await removeDir(dir); });

interface Outcome { code: unknown; details: unknown; message: string }

async function outcome(p: Promise<unknown>): Promise<Outcome | 'resolved'> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    const err = e as { code?: unknown; details?: unknown; message?: unknown };
    return { code: err.code, details: err.details, message: String(err.message) };
  }
}

type Calls = Record<string, (c: Pick<MilvusClient, 'dropCollection' | 'releaseCollection' | 'createDatabase' | 'getLoadState'>) => Promise<unknown>>;
const DENIED_CALLS: Calls = {
  dropCollection: (c) => c.dropCollection({ collection_name: 'c' }),
  releaseCollection: (c) => c.releaseCollection({ collection_name: 'c' }),
  createDatabase: (c) => c.createDatabase({ db_name: 'x' }),
  getLoadState: (c) => c.getLoadState({ collection_name: 'c' }),
};

test('a user without grants: the embedded client is denied with the same error as the Node SDK over gRPC', async () => {
  const svc = await SextantService.open({ dataDir: dir, auth: { enabled: true } });
  const server = await startSextantServer(svc, { host: '127.0.0.1', port: 0, httpPort: 0, maxMessageBytes: 1 << 20, maxHttpBodyBytes: 1 << 20, shutdownGraceMs: 200 });
  const sdk = new MilvusClient({ address: `127.0.0.1:${server.port}`, token: 'u:secret-u', logLevel: 'error' });
  const overGrpc: Record<string, Outcome | 'resolved'> = {};
  try {
    await sdk.connectPromise;
    for (const [name, call] of Object.entries(DENIED_CALLS)) overGrpc[name] = await outcome(call(sdk));
    assert.deepEqual((await sdk.listDatabases()).db_names, []);
  } finally {
    await sdk.closeConnection();
    await server.close();
    await svc.close();
  }
  const embedded = await open(dir, { actAs: 'u' });
  try {
    for (const [name, call] of Object.entries(DENIED_CALLS)) {
      const grpcOutcome = overGrpc[name];
      assert.notEqual(grpcOutcome, 'resolved', `${name} is denied over gRPC`);
      assert.equal((grpcOutcome as Outcome).code, 7, name);
      const got = await outcome(call(embedded as unknown as MilvusClient));
      assert.deepEqual(got, grpcOutcome, name);
    }
    await assert.rejects(embedded.dropCollection({ collection_name: 'c' }), (e: unknown) => e instanceof RpcStatusError
      && e.details === 'PrivilegeDropCollection: permission deny to u in the `default` database');
    assert.deepEqual((await embedded.listDatabases()).db_names, []);
  } finally {
    await embedded.close();
  }
});

test('with a grant the call goes through, without it the same client is still denied', async () => {
  const g = await open(dir, { actAs: 'g' });
  try {
    assert.equal((await g.releaseCollection({ collection_name: 'c' })).error_code, 'Success');
    const drop = await outcome(g.dropCollection({ collection_name: 'c' }));
    assert.deepEqual(drop, { code: 7, details: 'PrivilegeDropCollection: permission deny to g in the `default` database',
      message: '7 PERMISSION_DENIED: PrivilegeDropCollection: permission deny to g in the `default` database' });
    assert.deepEqual((await g.listDatabases()).db_names, ['default'], 'a grant in default makes it visible');
    // the caller's database follows use(): DescribeDatabase is checked there, as Milvus checks the dbname header
    await g.use({ db_name: 'other' });
    assert.deepEqual(await outcome(g.describeDatabase({ db_name: 'default' })), { code: 7, details: 'PrivilegeDescribeDatabase: permission deny to g in the `other` database',
      message: '7 PERMISSION_DENIED: PrivilegeDescribeDatabase: permission deny to g in the `other` database' });
  } finally {
    await g.close();
  }
});

test('root is trusted: open() without actAs, and actAs root', async () => {
  for (const opts of [{ actAs: 'root' }, {}]) {
    const root = await open(dir, opts);
    try {
      assert.equal((await root.createDatabase({ db_name: `db_${Object.keys(opts).length}` })).error_code, 'Success');
      assert.equal((await root.getLoadState({ collection_name: 'c' })).status.error_code, 'Success');
    } finally {
      await root.close();
    }
  }
});
