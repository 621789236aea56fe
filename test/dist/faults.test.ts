/**
 * Faults of the distributed back end under a running Sextant node (issue #14), real processes:
 * - kill -9 of the JetStream node that leads the data set's stream during inserts through the SDK:
 *   writes go on with the two others (quorum), none is refused, every acknowledged row is there once;
 * - s3rver killed right before a flush and started again 4 s later: the flush retries and completes,
 *   queries keep answering meanwhile, and a fresh node (empty cache) that takes the data set over
 *   after a kill -9 reads every row back from S3 and the log.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startCluster, type Cluster } from '../support/cluster.js';
import { startNode as startClusterNode, waitOutput, type SextantNode } from './nodes.js';

const LEASE_TTL_SEC = 3;
const DIM = 4;
const BATCH = 25;

let cluster: Cluster;
let dir: string;
const nodes: SextantNode[] = [];

before(async () => {
  cluster = await startCluster({ etcd: true, nats: 3, s3: true });
  dir = await mkdtemp(path.join(tmpdir(), 'sextant-faults-'));
});
after(async () => {
  for (const n of nodes) if (n.proc.exitCode === null) n.proc.kill('SIGKILL');
  await cluster?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function startNode(id: string, dataSet: string): Promise<SextantNode> {
  const n = await startClusterNode(cluster, id, { dataSet, leaseTtlSec: LEASE_TTL_SEC, dir });
  nodes.push(n);
  await waitOutput(n, /serving Milvus gRPC/, 90_000);
  return n;
}

type Status = { error_code?: string | number; code?: number; reason?: string };
const succeeded = (s: Status) => s.error_code === 'Success' || s.code === 0;
const rows = (from: number, n = BATCH) => Array.from({ length: n }, (_, k) => ({ id: from + k, v: Array.from({ length: DIM }, (_, d) => Math.cos((from + k) * 0.11 + d)) }));

async function prepare(client: MilvusClient): Promise<void> {
  assert.ok(succeeded(await client.createCollection({ collection_name: 'c', fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'v', data_type: DataType.FloatVector, dim: DIM },
  ] })));
  assert.ok(succeeded(await client.createIndex({ collection_name: 'c', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' })));
  assert.ok(succeeded(await client.loadCollectionSync({ collection_name: 'c' })));
}

async function ids(client: MilvusClient): Promise<number[]> {
  const r = await client.query({ collection_name: 'c', filter: 'id >= 0', output_fields: ['id'], limit: 16384 });
  assert.ok(succeeded(r.status), `query: ${JSON.stringify(r.status)}`);
  return r.data.map((x) => Number(x['id']));
}

function assertExactly(got: number[], want: number[], what: string): void {
  assert.equal(new Set(got).size, got.length, `${what}: a row twice`);
  const have = new Set(got);
  const lost = want.filter((id) => !have.has(id));
  assert.deepEqual(lost.slice(0, 10), [], `${what}: ${lost.length} acknowledged rows lost`);
}

test('kill -9 of the stream leader during inserts: writes continue with quorum, nothing acknowledged is lost', { timeout: 170_000 }, async (t) => {
  const a = await startNode('jet-a', 'jetfault');
  const client = new MilvusClient({ address: `127.0.0.1:${a.port}`, logLevel: 'error', maxRetries: 0, timeout: 60_000 });
  await prepare(client);
  const nc = await connect({ servers: cluster.natsUrls });
  const jsm = await jetstreamManager(nc);
  const acked: number[] = [];
  let refused = 0;
  let killed = '';
  const started = performance.now();
  for (let i = 0; i < 120; i++) {
    if (i === 40) {
      killed = (await jsm.streams.info('sextant_jetfault')).cluster?.leader ?? '';
      const victim = cluster.nats.find((p) => p.name === killed);
      assert.ok(victim !== undefined, `the stream leader ${killed} is one of ours`);
      await victim.kill9();
    }
    const r = await client.insert({ collection_name: 'c', data: rows(i * BATCH) });
    if (succeeded(r.status)) for (let k = 0; k < BATCH; k++) acked.push(i * BATCH + k);
    else refused++;
  }
  const elapsedMs = performance.now() - started;
  await cluster.nats.find((p) => p.name === killed)?.restart();
  const got = await ids(client);
  t.diagnostic(`killed ${killed} (stream leader) after 40 of 120 inserts of ${BATCH} rows: ${acked.length / BATCH} acknowledged, ${refused} refused, `
    + `${got.length} rows served, ${Math.round(elapsedMs)} ms (shared machine)`);
  assert.equal(refused, 0, 'no insert refused while two of three JetStream nodes are up');
  assertExactly(got, acked, 'after the JetStream node was killed');
  await nc.close();
  client.closeConnection();
  a.proc.kill('SIGKILL');
});

test('s3rver stopped during a flush and brought back: the flush retries, reads keep working, nothing is lost', { timeout: 170_000 }, async (t) => {
  const a = await startNode('s3-a', 's3fault');
  const client = new MilvusClient({ address: `127.0.0.1:${a.port}`, logLevel: 'error', maxRetries: 0, timeout: 120_000 });
  await prepare(client);
  const want: number[] = [];
  for (let i = 0; i < 8; i++) {
    assert.ok(succeeded((await client.insert({ collection_name: 'c', data: rows(i * 100, 100) })).status));
    for (let k = 0; k < 100; k++) want.push(i * 100 + k);
  }
  const s3 = cluster.s3rver;
  assert.ok(s3 !== null);
  await s3.kill9();
  const flushStarted = performance.now();
  const flushing = client.flushSync({ collection_names: ['c'] });
  // Reads while the S3 endpoint is down.
  const during: number[] = [];
  for (let i = 0; i < 4; i++) {
    during.push((await ids(client)).length);
    await new Promise((r) => setTimeout(r, 1000));
  }
  await s3.restart();
  const restartedAfterMs = performance.now() - flushStarted;
  const flushed = await flushing;
  const flushMs = performance.now() - flushStarted;
  assert.ok(succeeded(flushed.status), `flush: ${JSON.stringify(flushed.status)}`);
  t.diagnostic(`s3rver down ${Math.round(restartedAfterMs)} ms; queries meanwhile saw ${during.join(', ')} rows; flush answered after ${Math.round(flushMs)} ms`);
  assert.deepEqual(during, during.map(() => want.length), 'reads keep answering every row while S3 is down');
  assertExactly(await ids(client), want, 'after the flush');
  client.closeConnection();

  // A fresh node (no local cache) takes the data set over: the flushed segment comes from S3.
  a.proc.kill('SIGKILL');
  const b = await startNode('s3-b', 's3fault');
  const cb = new MilvusClient({ address: `127.0.0.1:${b.port}`, logLevel: 'error', timeout: 60_000 });
  let got = await ids(cb).catch(async () => { assert.ok(succeeded(await cb.loadCollectionSync({ collection_name: 'c' }))); return ids(cb); });
  for (let i = 0; i < 20 && got.length < want.length; i++) { await new Promise((r) => setTimeout(r, 500)); got = await ids(cb); }
  assertExactly(got, want, 'on a fresh node after the flush');
  assert.equal(got.length, want.length);
  cb.closeConnection();
  b.proc.kill('SIGTERM');
});
