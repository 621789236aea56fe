/**
 * Writer failover end to end (issue #14, first step): etcd, 3 nats-servers and s3rver, two Sextant
 * server processes with the distributed flags on the same data set. The first owns the lease, the
 * second waits as a standby (healthz `standby`). Rows go in through the Node SDK (some flushed, so
 * their segments are in S3, some only in the JetStream log), an index is built, the collection
 * loaded; the owner is killed (-9); the standby takes the lease after its TTL, replays the log, and
 * a query and a search through the SDK on it return every acknowledged row exactly once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { Etcd3 } from 'etcd3';
import { NatsLog } from '../../src/storage/dist/nats-log.js';
import { EtcdCatalogStore } from '../../src/storage/dist/etcd-catalog.js';
import { startCluster, type Cluster } from '../support/cluster.js';
import { startNode as startClusterNode, waitOutput, type SextantNode } from './nodes.js';

const LEASE_TTL_SEC = 3;
const DIM = 4;

let cluster: Cluster;
let dir: string;
const nodes: SextantNode[] = [];

before(async () => {
  cluster = await startCluster({ etcd: true, nats: 3, s3: true });
  dir = await mkdtemp(path.join(tmpdir(), 'sextant-failover-'));
});
after(async () => {
  for (const n of nodes) if (n.proc.exitCode === null) n.proc.kill('SIGKILL');
  await cluster?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function startNode(id: string): Promise<SextantNode> {
  const n = await startClusterNode(cluster, id, { dataSet: 'failover', leaseTtlSec: LEASE_TTL_SEC, dir });
  nodes.push(n);
  return n;
}

const vector = (i: number) => Array.from({ length: DIM }, (_, d) => Math.sin(i * 0.37 + d));
const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => ({ id: from + k, v: vector(from + k) }));


test('kill -9 of the owner: the standby takes over and serves every acknowledged row once', { timeout: 170_000 }, async (t) => {
  const a = await startNode('node-a');
  await waitOutput(a, /serving Milvus gRPC/, 60_000);
  const b = await startNode('node-b');
  await waitOutput(b, /standby for data set failover/, 60_000);
  const health = await fetch(`http://127.0.0.1:${b.httpPort}/healthz`);
  assert.equal(await health.text(), 'standby');

  const ca = new MilvusClient({ address: `127.0.0.1:${a.port}`, logLevel: 'error' });
  const ok = (r: { error_code?: string | number; code?: number; reason?: string }, what: string) =>
    assert.ok(r.error_code === 'Success' || r.code === 0, `${what}: ${JSON.stringify(r)}`);
  ok(await ca.createCollection({ collection_name: 'c', fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'v', data_type: DataType.FloatVector, dim: DIM },
  ] }), 'create');
  const t0 = performance.now();
  ok((await ca.insert({ collection_name: 'c', data: rows(0, 300) })).status, 'insert 1');
  const insertMs = performance.now() - t0;
  ok((await ca.flushSync({ collection_names: ['c'] })).status, 'flush');
  for (let i = 300; i < 500; i += 50) ok((await ca.insert({ collection_name: 'c', data: rows(i, i + 50) })).status, 'insert 2');
  ok(await ca.createIndex({ collection_name: 'c', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }), 'index');
  ok(await ca.loadCollectionSync({ collection_name: 'c' }), 'load');
  const before = await ca.query({ collection_name: 'c', filter: 'id >= 0', output_fields: ['id'], limit: 16384 });
  assert.equal(before.data.length, 500);
  ca.closeConnection();

  a.proc.kill('SIGKILL');
  const killedAt = performance.now();
  await waitOutput(b, /serving Milvus gRPC/, 60_000);
  const takeoverMs = performance.now() - killedAt;
  t.diagnostic(`takeover: standby serving ${Math.round(takeoverMs)} ms after kill -9 of the owner (lease TTL ${LEASE_TTL_SEC} s); first insert of 300 rows acknowledged in ${Math.round(insertMs)} ms (shared machine)`);

  const cb = new MilvusClient({ address: `127.0.0.1:${b.port}`, logLevel: 'error' });
  let got = await cb.query({ collection_name: 'c', filter: 'id >= 0', output_fields: ['id'], limit: 16384 });
  if (got.status.error_code !== 'Success') {
    t.diagnostic(`query before a load on the new owner: ${got.status.reason}; loading`);
    ok(await cb.loadCollectionSync({ collection_name: 'c' }), 'load on b');
    got = await cb.query({ collection_name: 'c', filter: 'id >= 0', output_fields: ['id'], limit: 16384 });
  }
  const counts: number[] = [got.data.length];
  for (let i = 0; i < 20 && got.data.length < 500; i++) {
    await new Promise((r) => setTimeout(r, 500));
    got = await cb.query({ collection_name: 'c', filter: 'id >= 0', output_fields: ['id'], limit: 16384 });
    counts.push(got.data.length);
  }
  t.diagnostic(`rows seen by successive queries on the new owner: ${counts.join(', ')}`);
  const ids = got.data.map((r) => Number(r['id']));
  const have = new Set(ids);
  const missing = Array.from({ length: 500 }, (_, i) => i).filter((i) => !have.has(i));
  if (missing.length > 0) {
    const log = await NatsLog.connect(cluster.natsUrls, { stream: 'sextant_failover', replicas: 3 });
    const lsns: string[] = [];
    for await (const r of log.readFrom(0n)) lsns.push(`${r.lsn}:${r.payload.length}`);
    await log.close();
    const etcd = new Etcd3({ hosts: cluster.etcdEndpoint });
    const doc = await new EtcdCatalogStore(etcd, { name: 'failover' }).load();
    etcd.close();
    const flushed = /"flushedLsn":[^,}]*/g.exec(new TextDecoder().decode(doc?.body ?? new Uint8Array()))?.[0];
    t.diagnostic(`log records (lsn:bytes): ${lsns.join(' ')}; catalog ${flushed ?? 'no flushedLsn'}`);
  }
  if (missing.length > 0) t.diagnostic(`missing after takeover: ${missing.length} rows, first ${missing.slice(0, 5).join(',')}, last ${missing.slice(-3).join(',')}; ${b.out().slice(-1500)}`);
  assert.equal(ids.length, 500, `every acknowledged row, once: ${ids.length} rows`);
  assert.equal(new Set(ids).size, 500);
  const s = await cb.search({ collection_name: 'c', data: [vector(420)], limit: 3, output_fields: ['id'] });
  assert.equal(Number(s.results[0]?.['id']), 420, 'a row that was only in the log is found');
  cb.closeConnection();
  b.proc.kill('SIGTERM');
});
