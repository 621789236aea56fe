/**
 * One port for gRPC and REST v2, the http port for health and metrics; metrics count requests per
 * transport, endpoint and code; the users store survives a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { okData, rows, startRest } from './helpers.js';

/** The value of one sample line `name{labels} value`, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const ok = Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

test('gRPC SDK and REST v2 on the same port see the same data; /metrics counts both', async () => {
  const h = await startRest();
  const client = new MilvusClient({ address: `127.0.0.1:${h.server.port}`, logLevel: 'error' });
  try {
    const created = await client.createCollection({
      collection_name: 'shared', enable_dynamic_field: true,
      fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim: 2 }],
      index_params: [{ field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }],
    });
    assert.equal(created.error_code, 'Success', created.reason);
    okData(await h.v2('entities/insert', { collectionName: 'shared', data: [{ id: 1, v: [0, 0] }, { id: 2, v: [1, 0] }] }));
    const viaGrpc = await client.search({ collection_name: 'shared', data: [1, 0], limit: 1 });
    assert.equal(viaGrpc.status.error_code, 'Success', viaGrpc.status.reason);
    assert.equal(String(viaGrpc.results[0]?.id), '2');
    const ins = await client.insert({ collection_name: 'shared', data: [{ id: 3, v: [5, 5], tag: 'grpc' }] });
    assert.equal(ins.status.error_code, 'Success');
    assert.deepEqual(rows(await h.v2('entities/get', { collectionName: 'shared', id: 3, outputFields: ['tag'] })), [{ id: '3', tag: 'grpc' }]);
    assert.equal(await (await fetch(`${h.baseUrl}/healthz`)).text(), 'OK');
    assert.equal(await (await fetch(`${h.httpUrl}/healthz`)).text(), 'OK');
    assert.equal((await h.v2('collections/describe', { collectionName: 'nope' })).code, 100);

    const res = await fetch(`${h.httpUrl}/metrics`);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.equal(sample(text, 'sextant_requests_total', { transport: 'rest_v2', endpoint: 'entities/insert', code: '0' }), 1);
    assert.equal(sample(text, 'sextant_requests_total', { transport: 'rest_v2', endpoint: 'collections/describe', code: '100' }), 1);
    assert.equal(sample(text, 'sextant_requests_total', { transport: 'grpc', endpoint: 'Search', code: '0' }), 1);
    assert.equal(sample(text, 'sextant_requests_total', { transport: 'grpc', endpoint: 'Insert', code: '0' }), 1);
    assert.equal(sample(text, 'sextant_request_duration_seconds_count', { transport: 'grpc', endpoint: 'Search', code: '0' }), 1);
    assert.equal(sample(text, 'sextant_collection_rows', { db: 'default', collection: 'shared' }), 3);
    assert.equal(sample(text, 'sextant_collection_indexes', { db: 'default', collection: 'shared' }), 1);
    assert.ok((sample(text, 'sextant_collection_growing_bytes', { collection: 'shared' }) ?? 0) > 0);
    assert.match(text, /^sextant_wal_next_lsn \d+$/m);
    // Two inserts (one REST, one gRPC) were each made durable by a WAL fsync.
    const plain = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    assert.ok(plain('sextant_wal_fsync_seconds_count') >= 2, 'WAL fsyncs are timed');
    assert.ok(plain('sextant_wal_records_synced_total') >= 2);
    assert.match(text, /^sextant_loaded_bytes \d+$/m);
    assert.match(text, /^sextant_wasm_process_arena_bytes \d+$/m);
    assert.match(text, /^sextant_wasm_cached_copy_bytes \d+$/m);
    assert.match(text, /^sextant_process_resident_memory_bytes \d+/m);
    assert.equal(await (await fetch(`${h.baseUrl}/metrics`)).status, 404, 'metrics live on the http port only');
  } finally {
    await client.closeConnection();
    await h.stop();
  }
  assert.deepEqual(h.unexpected, []);
});

test('two servers in one process keep separate metrics registries', async () => {
  const a = await startRest();
  const b = await startRest();
  try {
    okData(await a.v2('collections/list', {}));
    okData(await a.v2('collections/list', {}));
    okData(await b.v2('collections/list', {}));
    const ta = await (await fetch(`${a.httpUrl}/metrics`)).text();
    const tb = await (await fetch(`${b.httpUrl}/metrics`)).text();
    assert.equal(sample(ta, 'sextant_requests_total', { endpoint: 'collections/list' }), 2);
    assert.equal(sample(tb, 'sextant_requests_total', { endpoint: 'collections/list' }), 1);
  } finally {
    await a.stop();
    await b.stop();
  }
});

test('sockets that send nothing, or close at once, do not disturb the listener', async () => {
  const h = await startRest();
  try {
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const s = net.connect(h.server.port, '127.0.0.1', () => { if (i % 2 === 0) s.end('PR'); else s.destroy(); resolve(); });
        s.on('error', () => resolve());
      });
    }
    assert.deepEqual(okData(await h.v2('collections/list', {})), []);
  } finally {
    await h.stop();
  }
});

test('the users store is a file in the data dir and survives a restart', async () => {
  const first = await startRest();
  okData(await first.v2('users/create', { userName: 'bob', password: 'password-1' }));
  okData(await first.v2('roles/create', { roleName: 'ops' }));
  okData(await first.v2('users/grant_role', { userName: 'bob', roleName: 'ops' }));
  await first.stop(true);
  const second = await startRest({ dataDir: first.dataDir });
  try {
    assert.deepEqual((okData(await second.v2('users/list', {})) as string[]).sort(), ['bob', 'root']);
    assert.deepEqual(okData(await second.v2('users/describe', { userName: 'bob' })), ['ops']);
    okData(await second.v2('users/update_password', { userName: 'bob', password: 'password-1', newPassword: 'password-2' }));
  } finally {
    await second.stop();
  }
});
