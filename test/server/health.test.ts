/**
 * Defect 5 of issue 10: AllocTimestamp comes from the engine's hybrid clock, and health comes from
 * the engine's storage state, the same on every door: gRPC CheckHealth, /healthz on both ports,
 * /api/v1/health, /metrics and the embedded client.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { SextantClient } from '../../src/client/client.js';
import { composeTs } from '../../src/engine/clock.js';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import { SextantService } from '../../src/service/service.js';
import { startSextantServer } from '../../src/server/http/server.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';
import { withTempDir } from '../support/tmp.js';
import { rawClient } from './grpc-client.js';

const dim = 4;

async function openServer(dir: string): Promise<{ svc: SextantService; faulty: FaultyFileSystem; close: () => Promise<void>; port: number; httpPort: number }> {
  const faulty = new FaultyFileSystem(new NodeFileSystem());
  const svc = await SextantService.open({ dataDir: dir, fs: faulty });
  const server = await startSextantServer(svc, {
    host: '127.0.0.1', port: 0, httpPort: 0, maxMessageBytes: 1 << 20, maxHttpBodyBytes: 1 << 20, engine: svc.engine, shutdownGraceMs: 100,
  });
  return { svc, faulty, port: server.port, httpPort: server.httpPort, close: async () => { await server.close(); await svc.close().catch(() => undefined); } };
}

/** The SDK resolves some failures with a status and rejects others with it: the status either way. */
async function statusOf(p: Promise<{ status: { code?: number; reason: string } }>): Promise<{ code: number; reason: string }> {
  try {
    const s = (await p).status;
    return { code: s.code ?? 0, reason: s.reason };
  } catch (e) {
    const s = e as { code?: unknown; reason?: unknown };
    if (typeof s.code !== 'number') throw e;
    return { code: s.code, reason: String(s.reason) };
  }
}

function metric(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

test('AllocTimestamp answers from the engine clock: after the previous write, before the next', async () => {
  await withTempDir(async (dir) => {
    const h = await openServer(dir);
    const c = rawClient(h.port);
    try {
      await h.svc.createCollection(vectorCollection('c', dim));
      const rand = rng(3);
      // The engine clock ahead of the wall clock, as after the wall clock steps back (NTP) or a
      // restart on a data dir written by a machine whose clock ran ahead: timestamps stay monotonic.
      h.svc.engine.clock.observe(composeTs(Date.now() + 60_000));
      for (let i = 0; i < 20; i++) {
        const before = (await h.svc.insert({ collectionName: 'c', numRows: 1, columns: batch(i * 2, 1, dim, rand) })).timestamp;
        const alloc = BigInt(String((await c.call('AllocTimestamp', {}))['timestamp']));
        const after = (await h.svc.insert({ collectionName: 'c', numRows: 1, columns: batch(i * 2 + 1, 1, dim, rand) })).timestamp;
        assert.ok(before < alloc && alloc < after, `insert ${before} < AllocTimestamp ${alloc} < insert ${after}`);
      }
      // count: the first of `count` consecutive timestamps, all of them handed out.
      const first = h.svc.allocTimestamp(5);
      assert.ok(h.svc.allocTimestamp() > first + 4n);
      assert.throws(() => h.svc.allocTimestamp(0), { code: 1100 });
    } finally {
      c.close();
      await h.close();
    }
  });
});

test('a failed WAL fsync makes every door report not healthy, with the reason; reads go on', async () => {
  await withTempDir(async (dir) => {
    const h = await openServer(dir);
    const sdk = new MilvusClient({ address: `127.0.0.1:${h.port}`, logLevel: 'error' });
    const embedded = new SextantClient(h.svc);
    const urls = [`http://127.0.0.1:${h.port}/healthz`, `http://127.0.0.1:${h.httpPort}/healthz`];
    try {
      await h.svc.createCollection(vectorCollection('c', dim));
      await h.svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
      await h.svc.loadCollection({ collectionName: 'c' });
      await h.svc.insert({ collectionName: 'c', numRows: 10, columns: batch(0, 10, dim, rng(1)) });
      const healthy = await sdk.checkHealth();
      assert.equal(healthy.isHealthy, true);
      assert.deepEqual(healthy.reasons, []);
      for (const u of urls) {
        const r = await fetch(u);
        assert.deepEqual([r.status, await r.text()], [200, 'OK']);
      }
      assert.equal((await embedded.checkHealth()).isHealthy, true);
      assert.equal(metric(await (await fetch(`http://127.0.0.1:${h.httpPort}/metrics`)).text(), 'sextant_healthy'), 1);

      h.faulty.failSyncs({ path: '/wal/', target: 'file' });
      const failed = await statusOf(sdk.insert({ collection_name: 'c', data: [{ id: 100, tag: 'x', score: 1, vec: [0, 0, 0, 0] }] }));
      assert.equal(failed.code, 5, failed.reason);
      assert.match(failed.reason, /storage failed.*EIO/);

      const sick = await sdk.checkHealth();
      assert.equal(sick.isHealthy, false);
      assert.match(sick.reasons.join(' '), /write-ahead log.*EIO/);
      for (const u of urls) {
        const r = await fetch(u);
        assert.equal(r.status, 500);
        assert.match(await r.text(), /Not healthy: storage failed.*write-ahead log/);
        const j = await fetch(u, { headers: { 'content-type': 'application/json' } });
        const body = await j.json() as { state: string; detail: { code: number }[]; reasons: string[] };
        assert.equal(j.status, 500);
        assert.equal(body.detail[0]?.code, 2);
        assert.match(body.reasons.join(' '), /EIO/);
      }
      const v1 = await fetch(`http://127.0.0.1:${h.httpPort}/api/v1/health`);
      assert.equal(v1.status, 500);
      assert.equal(((await v1.json()) as { status: string }).status, 'unhealthy');
      const viaClient = await embedded.checkHealth();
      assert.equal(viaClient.isHealthy, false);
      assert.match(viaClient.reasons.join(' '), /write-ahead log/);
      assert.equal(metric(await (await fetch(`http://127.0.0.1:${h.httpPort}/metrics`)).text(), 'sextant_healthy'), 0);

      // Every later write is refused with the same clear error; reads keep working.
      h.faulty.heal();
      const again = await statusOf(sdk.insert({ collection_name: 'c', data: [{ id: 101, tag: 'x', score: 1, vec: [0, 0, 0, 0] }] }));
      assert.equal(again.code, 5);
      const ddl = await statusOf(sdk.createPartition({ collection_name: 'c', partition_name: 'p' }).then((status) => ({ status })));
      assert.equal(ddl.code, 5);
      assert.equal((await h.svc.listPartitions({ collectionName: 'c' })).length, 1, 'a refused DDL changes nothing');
      const q = await sdk.query({ collection_name: 'c', filter: 'id >= 0', output_fields: ['count(*)'] });
      assert.equal(q.status.error_code, 'Success', q.status.reason);
      assert.equal(Number(q.data[0]?.['count(*)']), 10);
    } finally {
      sdk.closeConnection();
      await h.close();
    }
    // Closed: not healthy either.
    const closed = h.svc.checkHealth();
    assert.equal(closed.isHealthy, false);
    assert.ok(closed.reasons.includes('engine is closed'));
  });
});
