/**
 * Authentication on every door, generated from each door's own table: every gRPC RPC (the
 * MilvusService inventory, Connect / GetVersion / CheckHealth included, and ClientTelemetryService),
 * every REST v2 endpoint and every /api/v1 route x {no credentials, bad base64, API key, wrong
 * password, deleted user, password changed since} is refused before any handler with Milvus' code
 * and message. Then: denials (gRPC 7, REST 403 bodies), /healthz open, failed logins rate-limited
 * per source without slowing other sources or users already verified.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { SextantService } from '../../src/service/service.js';
import { startSextantServer, type RunningSextantServer } from '../../src/server/http/server.js';
import { rpcInventory, SERVICE_NAME, TELEMETRY_SERVICE_NAME } from '../../src/server/grpc/proto.js';
import { v2Routes, V2_PREFIX } from '../../src/server/rest/v2/door.js';
import { v1Routes, V1_PREFIX } from '../../src/server/rest/v1/door.js';
import { makeTempDir } from '../support/tmp.js';
import { grpcCredentials } from '../../src/server/auth/credentials.js';
import { rawClient } from './grpc-client.js';
import { rm } from 'node:fs/promises';

let svc: SextantService;
let server: RunningSextantServer;
let dataDir: string;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

before(async () => {
  dataDir = await makeTempDir();
  svc = await SextantService.open({ dataDir, auth: { enabled: true } });
  await svc.createCredential({ username: 'u', password: 'secret-u' });
  await svc.createCredential({ username: 'gone', password: 'secret-g' });
  await svc.deleteCredential({ username: 'gone' });
  await svc.createCredential({ username: 'changed', password: 'old-pass1' });
  await svc.updateCredential({ username: 'changed', oldPassword: 'old-pass1', newPassword: 'new-pass1' });
  await svc.createCredential({ username: 'late', password: 'secret-l' });
  await svc.createCredential({ username: 'dbu', password: 'secret-d' });
  await svc.createCredential({ username: 'gone2', password: 'secret-g2' });
  await svc.createCredential({ username: 'changed2', password: 'old-pass2' });
  server = await startSextantServer(svc, { host: '127.0.0.1', port: 0, httpPort: 0, maxMessageBytes: 1 << 20, maxHttpBodyBytes: 1 << 20, shutdownGraceMs: 500 });
});
after(async () => {
  await server.close();
  await svc.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Credential failure kinds: gRPC metadata value (undefined = none) -> expected message. */
const GRPC_KINDS: [string, string | undefined, string][] = [
  ['no credentials', undefined, 'missing authorization in header'],
  ['bad base64', '!!not*base64', 'invalid token format'],
  ['API key', b64('an-api-key'), 'auth check failure, please check api key is correct'],
  ['wrong password', b64('u:wrong-pw'), 'auth check failure, please check username and password are correct'],
  ['deleted user', b64('gone:secret-g'), 'auth check failure, please check username and password are correct'],
  ['password changed since', b64('changed:old-pass1'), 'auth check failure, please check username and password are correct'],
];
const REST_KINDS: [string, string | undefined][] = [
  ['no credentials', undefined], ['bad base64', 'Basic !!not*base64'], ['API key', 'Bearer an-api-key'],
  ['wrong password', 'Bearer u:wrong-pw'], ['deleted user', `Basic ${b64('gone:secret-g')}`], ['password changed since', 'Bearer changed:old-pass1'],
];

/** Streaming RPCs (not served by Sextant; this unary test client cannot call them). */
const STREAMING = new Set(['CreateReplicateStream', 'DumpMessages']);

async function warmUp(): Promise<void> {
  // verified once, these pass on the fast path even when 127.0.0.1 is rate-limited later
  const c = rawClient(server.port);
  for (const who of ['root:Milvus', 'u:secret-u', 'dbu:secret-d', 'gone2:secret-g2', 'changed2:old-pass2']) await c.call('GetVersion', {}, { authorization: b64(who) });
  c.close();
}

test('gRPC: every RPC x every credential failure is UNAUTHENTICATED (16) with Milvus message', async (t) => {
  await warmUp();
  let n = 0;
  for (const service of [SERVICE_NAME, TELEMETRY_SERVICE_NAME]) {
    const c = rawClient(server.port, service);
    for (const rpc of rpcInventory(service)) {
      if (STREAMING.has(rpc.name)) continue;
      for (const [kind, token, message] of GRPC_KINDS) {
        const md: Record<string, string> = token === undefined ? {} : { authorization: token };
        await assert.rejects(c.call(rpc.name, {}, md), (e: grpc.ServiceError) => {
          assert.equal(e.code, grpc.status.UNAUTHENTICATED, `${rpc.name} / ${kind}: ${e.message}`);
          assert.equal(e.details, message, `${rpc.name} / ${kind}`);
          return true;
        });
        n++;
      }
    }
    c.close();
  }
  t.diagnostic(`${n} gRPC calls refused`);
  const c = rawClient(server.port);
  const ok = await c.call('Connect', {}, { authorization: b64('u:secret-u') });
  assert.equal((ok.status as { code: number }).code, 0);
  c.close();
  assert.deepEqual(grpcCredentials(b64('colon:a:b:c:d')), { user: 'colon', password: 'a:b:c:d' }, 'split at the first colon');
});

function request(port: number, method: string, path: string, headers: Record<string, string>, body: string, localAddress?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers }, ...(localAddress ? { localAddress } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const UNAUTHENTICATED_BODY = '{"code":1800,"message":"user hasn\'t authenticated"}';

test('REST v2 and /api/v1: every endpoint x every credential failure is 401 {"code":1800,...}', async (t) => {
  let n = 0;
  for (const endpoint of Object.keys(v2Routes)) {
    for (const [kind, auth] of REST_KINDS) {
      const r = await request(server.port, 'POST', `${V2_PREFIX}${endpoint}`, auth === undefined ? {} : { authorization: auth }, '{"collectionName":"c"}');
      assert.equal(r.status, 401, `${endpoint} / ${kind}`);
      assert.equal(r.text, UNAUTHENTICATED_BODY, `${endpoint} / ${kind}`);
      n++;
    }
  }
  for (const key of Object.keys(v1Routes)) {
    const [method, path] = key.split(' ') as [string, string];
    for (const [kind, auth] of REST_KINDS) {
      const r = await request(server.httpPort, method, `${V1_PREFIX}${path}`, auth === undefined ? {} : { authorization: auth }, '{"collection_name":"c"}');
      assert.equal(r.status, 401, `/api/v1 ${key} / ${kind}`);
      assert.equal(r.text, UNAUTHENTICATED_BODY, `/api/v1 ${key} / ${kind}`);
      n++;
    }
  }
  t.diagnostic(`${n} HTTP requests refused`);
  assert.equal((await request(server.httpPort, 'GET', '/healthz', {}, '')).status, 200);
  assert.equal((await request(server.httpPort, 'GET', '/metrics', {}, '')).status, 200);
});

test('denial: gRPC PERMISSION_DENIED (7), REST v2 and /api/v1 403 with Milvus body', async () => {
  const c = rawClient(server.port);
  await assert.rejects(c.call('DropCollection', { collection_name: 'c' }, { authorization: b64('u:secret-u') }), (e: grpc.ServiceError) =>
    e.code === grpc.status.PERMISSION_DENIED && e.details === 'PrivilegeDropCollection: permission deny to u in the `default` database');
  await assert.rejects(c.call('LoadCollection', { collection_name: 'c' }, { authorization: b64('u:secret-u'), dbname: 'db9' }), (e: grpc.ServiceError) =>
    e.code === grpc.status.PERMISSION_DENIED && e.details === 'PrivilegeLoad: permission deny to u in the `db9` database');
  const root = await c.call('ListDatabases', {}, { authorization: b64('root:Milvus') });
  assert.deepEqual(root['db_names'], ['default']);
  const mine = await c.call('ListDatabases', {}, { authorization: b64('u:secret-u') });
  assert.deepEqual(mine['db_names'], [], 'a user without grants sees no database');
  c.close();
  const v2 = await request(server.port, 'POST', `${V2_PREFIX}collections/drop`, { authorization: 'Bearer u:secret-u' }, '{"collectionName":"c"}');
  assert.equal(v2.status, 403);
  assert.deepEqual(JSON.parse(v2.text), { code: 65535, message: 'rpc error: code = PermissionDenied desc = PrivilegeDropCollection: permission deny to u in the `default` database' });
  const v1 = await request(server.httpPort, 'DELETE', `${V1_PREFIX}collection`, { authorization: `Basic ${b64('u:secret-u')}` }, '{"collection_name":"c"}');
  assert.equal(v1.status, 403);
  assert.match(v1.text, /PermissionDenied desc = PrivilegeDropCollection: permission deny to u/);
  const rootV2 = await request(server.port, 'POST', `${V2_PREFIX}collections/list`, { authorization: 'Bearer root:Milvus' }, '{}');
  assert.deepEqual(JSON.parse(rootV2.text), { code: 0, data: [] });
});

test('a malformed request from a caller without the privilege is denied, not told what was wrong (gRPC and REST v2)', async () => {
  const c = rawClient(server.port);
  try {
    await assert.rejects(c.call('Search', { collection_name: 'c' }, { authorization: b64('u:secret-u') }), (e: grpc.ServiceError) =>
      e.code === grpc.status.PERMISSION_DENIED && e.details === 'PrivilegeSearch: permission deny to u in the `default` database');
    const ok = await c.call('Search', { collection_name: 'c' }, { authorization: b64('root:Milvus') });
    assert.notEqual((ok['status'] as { code?: number }).code ?? 0, 0, 'root is told what is wrong');
  } finally {
    c.close();
  }
  for (const [endpoint, privilege] of [['entities/search', 'Search'], ['entities/insert', 'Insert'], ['collections/create', 'CreateCollection']] as const) {
    const v2 = await request(server.port, 'POST', `${V2_PREFIX}${endpoint}`, { authorization: 'Bearer u:secret-u' }, '{"collectionName":"c","data":"not rows"}');
    assert.equal(v2.status, 403, endpoint);
    assert.deepEqual(JSON.parse(v2.text), { code: 65535, message: `rpc error: code = PermissionDenied desc = Privilege${privilege}: permission deny to u in the \`default\` database` }, endpoint);
    const rootV2 = await request(server.port, 'POST', `${V2_PREFIX}${endpoint}`, { authorization: 'Bearer root:Milvus' }, '{"collectionName":"c","data":"not rows"}');
    assert.equal(rootV2.status, 200, endpoint);
    assert.notEqual(JSON.parse(rootV2.text).code, 0, `${endpoint}: root is told what is wrong`);
  }
});

test('DescribeDatabase of a database the caller may not see answers as Milvus: gRPC 7 or in-band 1401, REST v2 403', async () => {
  await svc.createDatabase({ dbName: 'hidden' });
  await svc.createRole({ roleName: 'dbr' });
  await svc.operateUserRole({ username: 'dbu', roleName: 'dbr', type: 'AddUserToRole' });
  await svc.operatePrivilegeV2({ roleName: 'dbr', privilege: 'DatabaseReadOnly', dbName: 'default', collectionName: '*', type: 'Grant' });
  const c = rawClient(server.port);
  const as = (who: string): Record<string, string> => ({ authorization: b64(who) });
  // no DescribeDatabase privilege in the caller's database: the interceptor's denial, in that database
  await assert.rejects(c.call('DescribeDatabase', { db_name: 'hidden' }, as('u:secret-u')), (e: grpc.ServiceError) =>
    e.code === grpc.status.PERMISSION_DENIED && e.details === 'PrivilegeDescribeDatabase: permission deny to u in the `default` database');
  // the privilege in the caller's database, no grant in the described one: describe_db_task's 1401, in band
  const statusOf = async (who: string, db: string): Promise<unknown> => (await c.call('DescribeDatabase', { db_name: db }, as(who)))['status'];
  const invisible = (db: string) => ({ code: 1401, reason: `not allowed to access database, db name: ${db}: privilege not permitted` });
  assert.deepEqual(pick(await statusOf('dbu:secret-d', 'hidden')), invisible('hidden'));
  assert.deepEqual(pick(await statusOf('dbu:secret-d', 'missing')), invisible('missing'), 'visibility is checked before existence');
  assert.deepEqual(pick(await statusOf('dbu:secret-d', 'default')), { code: 0, reason: '' });
  assert.equal(pick(await statusOf('root:Milvus', 'missing')).code, 800);
  assert.deepEqual(pick(await statusOf('root:Milvus', 'hidden')), { code: 0, reason: '' });
  c.close();
  // REST v2 scopes the call to the body's dbName (Milvus builds the metadata from it): denied there
  const v2 = await request(server.port, 'POST', `${V2_PREFIX}databases/describe`, { authorization: 'Bearer dbu:secret-d' }, '{"dbName":"hidden"}');
  assert.equal(v2.status, 403);
  assert.deepEqual(JSON.parse(v2.text), { code: 65535, message: 'rpc error: code = PermissionDenied desc = PrivilegeDescribeDatabase: permission deny to dbu in the `hidden` database' });
  const own = await request(server.port, 'POST', `${V2_PREFIX}databases/describe`, { authorization: 'Bearer dbu:secret-d' }, '{"dbName":"default"}');
  assert.equal(JSON.parse(own.text).code, 0, own.text);
});

function pick(status: unknown): { code: number; reason: string } {
  const s = status as { code?: number; reason?: string };
  return { code: s.code ?? 0, reason: s.reason ?? '' };
}

test('a credential verified (and cached) before is refused on every door once the user is deleted or its password changed', async () => {
  await svc.deleteCredential({ username: 'gone2' });
  await svc.updateCredential({ username: 'changed2', oldPassword: 'old-pass2', newPassword: 'new-pass2' });
  const c = rawClient(server.port);
  for (const who of ['gone2:secret-g2', 'changed2:old-pass2']) {
    await assert.rejects(c.call('GetVersion', {}, { authorization: b64(who) }), (e: grpc.ServiceError) =>
      e.code === grpc.status.UNAUTHENTICATED && e.details === 'auth check failure, please check username and password are correct');
    const v2 = await request(server.port, 'POST', `${V2_PREFIX}collections/list`, { authorization: `Bearer ${who}` }, '{}');
    assert.deepEqual([v2.status, v2.text], [401, UNAUTHENTICATED_BODY], who);
    const v1 = await request(server.httpPort, 'GET', `${V1_PREFIX}collections`, { authorization: `Basic ${b64(who)}` }, '');
    assert.deepEqual([v1.status, v1.text], [401, UNAUTHENTICATED_BODY], who);
  }
  c.close();
});

test('brute force: a source that keeps failing is refused; other sources and verified users are not slowed', async (t) => {
  for (let i = 0; i < 12; i++) await request(server.port, 'POST', `${V2_PREFIX}collections/list`, { authorization: `Bearer late:guess${i}` }, '{}');
  // the right password of a not-yet-verified user is refused from the blocked source...
  const blocked = await request(server.port, 'POST', `${V2_PREFIX}collections/list`, { authorization: 'Bearer late:secret-l' }, '{}');
  assert.equal(blocked.status, 401);
  // ...while a user verified before still passes from it, and another source logs in as usual
  const verified = await request(server.port, 'POST', `${V2_PREFIX}collections/list`, { authorization: 'Bearer u:secret-u' }, '{}');
  assert.equal(verified.status, 200);
  const startMs = performance.now();
  const other = await request(server.port, 'POST', `${V2_PREFIX}collections/list`, { authorization: 'Bearer late:secret-l' }, '{}', '127.0.0.2');
  assert.equal(other.status, 200, other.text);
  t.diagnostic(`login from another source while 127.0.0.1 is blocked: ${(performance.now() - startMs).toFixed(1)} ms`);
});

test('streaming RPCs are authenticated too and answered on the stream (they used to crash the process)', async () => {
  const client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  const outcome = (s: grpc.ClientReadableStream<Buffer> | grpc.ClientDuplexStream<Buffer, Buffer>): Promise<string> => new Promise((resolve) => {
    s.on('error', (e: grpc.ServiceError) => resolve(`${e.code} ${e.details}`));
    s.on('data', () => undefined);
    s.on('end', () => resolve('end'));
  });
  const id = (b: Buffer): Buffer => b;
  const none = new grpc.Metadata();
  assert.equal(await outcome(client.makeServerStreamRequest('/milvus.proto.milvus.MilvusService/DumpMessages', id, id, Buffer.alloc(0), none)), '16 missing authorization in header');
  const bidi = client.makeBidiStreamRequest('/milvus.proto.milvus.MilvusService/CreateReplicateStream', id, id, none);
  assert.equal(await outcome(bidi), '16 missing authorization in header');
  const root = new grpc.Metadata();
  root.set('authorization', b64('root:Milvus'));
  // Authenticated, it answers one message with an in-band 3000 "unsupported" status, then ends.
  assert.equal(await outcome(client.makeServerStreamRequest('/milvus.proto.milvus.MilvusService/DumpMessages', id, id, Buffer.alloc(0), root)), 'end');
  client.close();
  const c = rawClient(server.port);
  assert.match(String((await c.call('GetVersion', {}, { authorization: b64('root:Milvus') }))['version']), /sextant/, 'the server is still up');
  c.close();
});
