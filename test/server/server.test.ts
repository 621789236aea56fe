import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { errors } from '../../src/core/errors.js';
import type { MilvusApi } from '../../src/service/api.js';
import type { CollectionListEntry } from '../../src/service/types.js';
import { startGrpcServer, type RunningGrpcServer } from '../../src/server/grpc/server.js';
import { rawClient } from './grpc-client.js';

/** A fake service: records what it was called with; every other method fails loudly. */
function fakeApi(seen: Record<string, unknown[]>): MilvusApi {
  const impl: Partial<MilvusApi> = {
    listCollections: async (req) => {
      (seen['listCollections'] ??= []).push(req.dbName);
      const c: CollectionListEntry = { name: 'c1', collectionId: 449000000000000123n, createdTimestamp: 1n, createdUtcMs: 2, loadedPercent: 100 };
      return [c];
    },
    describeCollection: async (req) => { throw errors.cantFindCollection(req.collectionName, req.dbName ?? 'default'); },
    dropCollection: async () => { throw new TypeError('a bug'); },
    getCollectionStatistics: async () => {
      await new Promise((r) => setTimeout(r, 300));
      return { rowCount: 42 };
    },
    getPersistentSegmentInfo: async (req) => {
      (seen['segments'] ??= []).push(`${String(req.dbName)}/${req.collectionName}`);
      return [{ segmentId: 7n, collectionId: 2n, partitionId: 1n, numRows: 3, state: 'Flushed', indexName: '', memSizeBytes: 10 }];
    },
    version: () => 'test',
    checkHealth: () => ({ isHealthy: false, reasons: ['storage failed'], quotaStates: ['DenyToWrite'] }),
    allocTimestamp: (count = 1) => 1000n + BigInt(count),
    close: async () => {},
    authEnabled: () => false,
  };
  return new Proxy(impl as MilvusApi, {
    get: (t, k) => (k in t ? t[k as keyof MilvusApi] : async () => { throw new Error(`fake: ${String(k)} not faked`); }),
  });
}

const seen: Record<string, unknown[]> = {};
const unexpected: string[] = [];
let server: RunningGrpcServer;
const started = startGrpcServer(fakeApi(seen), {
  host: '127.0.0.1', port: 0, maxMessageBytes: 64 * 1024, onUnexpectedError: (rpc) => unexpected.push(rpc),
}).then((s) => { server = s; return s; });
after(async () => { await server.close(); });

test('Connect answers a non-zero identifier and STANDALONE server info', async () => {
  const c = rawClient((await started).port);
  const r = await c.call('Connect', { client_info: { sdk_type: 'nodejs', user: 'root' } });
  assert.equal((r.status as { code: number }).code, 0);
  assert.notEqual(r['identifier'], '0');
  const info = r['server_info'] as Record<string, string>;
  assert.equal(info['deploy_mode'], 'STANDALONE');
  assert.match(info['build_tags'] ?? '', /sextant/);
  const again = await c.call('Connect', {});
  assert.notEqual(again['identifier'], r['identifier']);
  assert.equal((await c.call('GetVersion', {}))['version'], 'v2.6.0-sextant');
  // Health and timestamps come from the service, not from the server's own clock.
  const health = await c.call('CheckHealth', {});
  assert.deepEqual([health['isHealthy'], health['reasons'], health['quota_states']], [false, ['storage failed'], ['DenyToWrite']]);
  assert.equal((await c.call('AllocTimestamp', {}))['timestamp'], '1001');
  c.close();
});

test('GetMetrics answers JSON text; segment-info requests read their camelCase names', async () => {
  const c = rawClient((await started).port);
  const m = await c.call('GetMetrics', { request: '{"metric_type":"system_info"}' });
  assert.equal(m.status?.['code'], 0);
  const parsed = JSON.parse(String(m['response'])) as { nodes_info: { infos: { type: string } }[] };
  assert.equal(parsed.nodes_info.filter((n) => n.infos.type === 'querynode').length, 1);
  const segs = await c.call('GetPersistentSegmentInfo', { dbName: 'd', collectionName: 'c' });
  assert.deepEqual(seen['segments'], ['d/c']);
  assert.deepEqual((segs['infos'] as Record<string, unknown>[]).map((i) => [i['segmentID'], i['num_rows'], i['state']]), [['7', '3', 'Flushed']]);
  c.close();
});

test('RPCs outside the table answer 3000 unsupported operation naming the RPC', async () => {
  const c = rawClient((await started).port);
  const ns = await c.call('HasNamespace', {});
  assert.equal(ns.status?.['code'], 3000);
  assert.match(String(ns.status?.['reason']), /HasNamespace/);
  const bare = await c.call('CreateRowPolicy', { collection_name: 'c' });
  assert.equal(bare['code'], 3000, 'a bare common.Status response');
  assert.match(String(bare['reason']), /CreateRowPolicy/);
  c.close();
});

test('service errors travel in-band; bugs become 65535 and are reported', async () => {
  const c = rawClient((await started).port);
  const d = await c.call('DescribeCollection', { collection_name: 'nope' }, { dbname: 'lib' });
  assert.equal(d.status?.['code'], 100);
  assert.equal(d.status?.['error_code'], 'UnexpectedError');
  assert.equal(d.status?.['reason'], "can't find collection[database=lib][collection=nope]");
  const drop = await c.call('DropCollection', { collection_name: 'x' });
  assert.equal(drop['code'], 65535);
  assert.deepEqual(unexpected, ['DropCollection']);
  c.close();
});

test('db_name wins over the dbname header, which wins over nothing', async () => {
  const c = rawClient((await started).port);
  const r = await c.call('ShowCollections', { db_name: '' }, { dbname: 'hdr' });
  await c.call('ShowCollections', { db_name: 'own' }, { dbname: 'hdr' });
  await c.call('ShowCollections', {});
  assert.deepEqual(seen['listCollections'], ['hdr', 'own', undefined]);
  assert.deepEqual(r['collection_names'], ['c1']);
  assert.deepEqual(r['collection_ids'], ['449000000000000123']);
  c.close();
});

test('oversized requests get RESOURCE_EXHAUSTED and the server stays up', async () => {
  const c = rawClient((await started).port);
  const big = { collection_name: 'c', num_rows: 1, fields_data: [{ type: 21, field_name: 's', scalars: { string_data: { data: ['x'.repeat(200 * 1024)] } } }] };
  await assert.rejects(c.call('Insert', big), (e: grpc.ServiceError) => e.code === grpc.status.RESOURCE_EXHAUSTED);
  assert.equal((await c.call('GetVersion', {}))['version'], 'v2.6.0-sextant');
  c.close();
});

test('ClientTelemetryService answers UNIMPLEMENTED', async () => {
  const c = rawClient((await started).port, 'milvus.proto.milvus.ClientTelemetryService');
  await assert.rejects(c.call('ClientHeartbeat', {}), (e: grpc.ServiceError) => e.code === grpc.status.UNIMPLEMENTED);
  c.close();
});

test('close() lets an in-flight call finish, then refuses new connections', async () => {
  const s = await startGrpcServer(fakeApi({}), { host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20 });
  const c = rawClient(s.port);
  await c.call('GetVersion', {});
  const inflight = c.call('GetCollectionStatistics', { collection_name: 'c' });
  await new Promise((r) => setTimeout(r, 50));
  await s.close();
  const r = await inflight;
  assert.deepEqual(r['stats'], [{ key: 'row_count', value: '42' }]);
  c.close();
  const late = rawClient(s.port);
  await assert.rejects(late.call('GetVersion', {}));
  late.close();
});
