/**
 * SIGSTOP/SIGCONT fencing of a whole writer node (issue #14), with real processes: etcd, 3
 * nats-servers, s3rver and two Sextant nodes on one data set (lease TTL 3 s). Inserts run against
 * the owner A; A is paused (SIGSTOP) past its lease; the standby B takes over (an insert sent to B
 * while it stood by is retried by the SDK and acknowledged once B serves). A is resumed (SIGCONT) while inserts still go to
 * it and B keeps taking inserts. Checked:
 * - A acknowledges nothing after it lost the lease (no insert sent to A once it was paused succeeds;
 *   a reply decided before the pause may arrive after it, its rows on B), notices the loss and turns
 *   standby (healthz `standby`, gRPC UNAVAILABLE naming B);
 * - every acknowledged row is on B exactly once, and no row of an insert sent to A after its resume;
 * - then B is killed (-9) and A takes over again: its replay of the log (which discards records of a
 *   stale epoch) gives exactly the same rows;
 * - a standby (a third node) refuses an insert with UNAVAILABLE naming the owner.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { startCluster, type Cluster } from '../support/cluster.js';
import { startNode as startClusterNode, waitOutput, type SextantNode } from './nodes.js';

const LEASE_TTL_SEC = 3;
const DIM = 4;
const BATCH = 20;

let cluster: Cluster;
let dir: string;
const nodes: SextantNode[] = [];

before(async () => {
  cluster = await startCluster({ etcd: true, nats: 3, s3: true });
  dir = await mkdtemp(path.join(tmpdir(), 'sextant-fencing-'));
});
after(async () => {
  for (const n of nodes) if (n.proc.exitCode === null) { n.proc.kill('SIGCONT'); n.proc.kill('SIGKILL'); }
  await cluster?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function startNode(id: string): Promise<SextantNode> {
  const n = await startClusterNode(cluster, id, { dataSet: 'fencing', leaseTtlSec: LEASE_TTL_SEC, dir });
  nodes.push(n);
  return n;
}

type Status = { error_code?: string | number; code?: number; reason?: string };
const succeeded = (s: Status) => s.error_code === 'Success' || s.code === 0;
const rows = (from: number) => Array.from({ length: BATCH }, (_, k) => ({ id: from + k, v: Array.from({ length: DIM }, (_, d) => Math.sin((from + k) * 0.37 + d)) }));

/** One insert of BATCH rows starting at `from`: when it was sent, when it was answered and whether it succeeded. */
interface Attempt { from: number; node: string; sentMs: number; answeredMs: number; ok: boolean; reason: string }

async function attempt(client: MilvusClient, node: string, from: number): Promise<Attempt> {
  const sentMs = performance.now();
  try {
    const r = await client.insert({ collection_name: 'c', data: rows(from) });
    return { from, node, sentMs, answeredMs: performance.now(), ok: succeeded(r.status), reason: r.status.reason ?? '' };
  } catch (e) {
    return { from, node, sentMs, answeredMs: performance.now(), ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

async function allIds(client: MilvusClient): Promise<number[]> {
  const r = await client.query({ collection_name: 'c', filter: 'id >= 0', output_fields: ['id'], limit: 16384 });
  assert.ok(succeeded(r.status), `query: ${JSON.stringify(r.status)}`);
  return r.data.map((x) => Number(x['id']));
}

async function loadOn(client: MilvusClient): Promise<void> {
  const r = await client.loadCollectionSync({ collection_name: 'c' });
  assert.ok(succeeded(r), `load: ${JSON.stringify(r)}`);
}

test('SIGSTOP of the owner past its lease: it acknowledges nothing after, turns standby; every acknowledged row once', { timeout: 175_000 }, async (t) => {
  const a = await startNode('node-a');
  await waitOutput(a, /serving Milvus gRPC/, 60_000);
  const b = await startNode('node-b');
  await waitOutput(b, /standby for data set fencing/, 60_000);
  const ca = new MilvusClient({ address: `127.0.0.1:${a.port}`, logLevel: 'error', maxRetries: 0, timeout: 60_000 });
  assert.ok(succeeded(await ca.createCollection({ collection_name: 'c', fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'v', data_type: DataType.FloatVector, dim: DIM },
  ] })));
  assert.ok(succeeded(await ca.createIndex({ collection_name: 'c', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' })));
  await loadOn(ca);

  const attempts: Attempt[] = [];
  let next = 0;
  // Writers on A: sequential inserts, each its own id range, until told to stop.
  let stopA = false;
  const writerA = async () => {
    while (!stopA) {
      const from = next; next += BATCH;
      attempts.push(await attempt(ca, 'a', from));
      if (!attempts.at(-1)?.ok) await new Promise((r) => setTimeout(r, 100));
    }
  };
  const writersA = [writerA(), writerA()];
  await new Promise((r) => setTimeout(r, 1500));
  const okBeforePause = attempts.filter((x) => x.ok).length;
  assert.ok(okBeforePause > 0, 'inserts were acknowledged by A before the pause');

  a.proc.kill('SIGSTOP');
  const pausedAt = performance.now();
  // A client pointed at the standby B: UNAVAILABLE (naming the owner) is retried by the SDK until B serves.
  const cb = new MilvusClient({ address: `127.0.0.1:${b.port}`, logLevel: 'error', maxRetries: 8, retryDelay: 100, timeout: 60_000, channelOptions: { 'grpc.use_local_subchannel_pool': 1 } });
  // The SDK connects at construction; against a standby that call may fail like any other.
  (cb as unknown as { connectPromise?: Promise<unknown> }).connectPromise?.catch(() => undefined);
  const bFirstFrom = next; next += BATCH;
  const bFirst = attempt(cb, 'b', bFirstFrom);
  const bOutAtPause = b.out().length;
  await waitOutput(b, /serving Milvus gRPC/, 60_000);
  const takeoverMs = performance.now() - pausedAt;
  const first = await bFirst;
  attempts.push(first);
  t.diagnostic(`insert sent to the standby B right after the pause: ${first.ok ? 'acknowledged' : `refused: ${first.reason}`} after ${Math.round(first.answeredMs - first.sentMs)} ms; B: ${b.out().slice(bOutAtPause, bOutAtPause + 600)}`);
  for (let i = 0; i < 5; i++) { const from = next; next += BATCH; attempts.push(await attempt(cb, 'b', from)); }

  const aOutAtResume = a.out().length;
  a.proc.kill('SIGCONT');
  const resumedAt = performance.now();
  // B keeps taking inserts while A wakes up (A's writers still send to it).
  for (let i = 0; i < 10; i++) { const from = next; next += BATCH; attempts.push(await attempt(cb, 'b', from)); }
  await waitOutput(a, /turning standby/, 30_000, aOutAtResume);
  await waitOutput(a, /standby for data set fencing/, 30_000, aOutAtResume);
  stopA = true;
  await Promise.all(writersA);
  const health = await fetch(`http://127.0.0.1:${a.httpPort}/healthz`);
  assert.equal(health.status, 503);
  assert.equal(await health.text(), 'standby');
  const onA = attempts.filter((x) => x.node === 'a');
  // SIGSTOP can land between A's decision to acknowledge (its log append stored and its lease still
  // held: the log checks the lease after the append) and the reply leaving its socket: that reply
  // then arrives after the resume, yet the rows were stored before B's fence, so B has them (the
  // `lost` check below). What A must never do is decide an acknowledgement after the pause: an
  // insert sent to A after the pause began may not succeed, and every late reply answers an insert
  // that was in flight at the pause.
  const takeoverAt = pausedAt + takeoverMs;
  const lateAcks = onA.filter((x) => x.ok && x.answeredMs > takeoverAt);
  const edgeAcks = onA.filter((x) => x.ok && x.answeredMs > pausedAt && x.answeredMs <= takeoverAt);
  const ackedSentAfterPause = onA.filter((x) => x.ok && x.sentMs > pausedAt);
  const sentAfterResume = onA.filter((x) => x.sentMs > resumedAt);
  const acked = attempts.filter((x) => x.ok);
  t.diagnostic(`A acknowledged ${onA.filter((x) => x.ok).length} inserts of ${BATCH} rows before the pause, refused ${onA.filter((x) => !x.ok).length} `
    + `(${sentAfterResume.length} sent after its resume), acknowledged ${lateAcks.length} after B took over (${edgeAcks.length} answered between the SIGSTOP and the takeover); B acknowledged ${attempts.filter((x) => x.node === 'b' && x.ok).length}; `
    + `takeover ${Math.round(takeoverMs)} ms after SIGSTOP (lease TTL ${LEASE_TTL_SEC} s); A turned standby after its resume; shared machine`);
  if (onA.some((x) => !x.ok)) t.diagnostic(`A's refusal: ${onA.find((x) => !x.ok)?.reason ?? ''}`);
  for (const x of lateAcks) t.diagnostic(`late reply of A (rows ${x.from}..): sent ${Math.round(x.sentMs - pausedAt)} ms after the SIGSTOP, answered ${Math.round(x.answeredMs - resumedAt)} ms after the SIGCONT`);
  assert.deepEqual(ackedSentAfterPause.map((x) => x.from), [], 'A acknowledged no insert sent to it after the pause began');
  assert.ok(lateAcks.length <= 2, `a late reply of A answers one of the two inserts in flight at the pause (${lateAcks.length})`);

  const check = async (ids: number[], where: string) => {
    const have = new Map<number, number>();
    for (const id of ids) have.set(id, (have.get(id) ?? 0) + 1);
    const dup = [...have].filter(([, n]) => n > 1).map(([id]) => id);
    const lost = acked.flatMap((x) => rows(x.from).map((r) => r.id)).filter((id) => !have.has(id));
    const stale = sentAfterResume.flatMap((x) => rows(x.from).map((r) => r.id)).filter((id) => have.has(id));
    t.diagnostic(`${where}: ${ids.length} rows, ${lost.length} acknowledged rows lost, ${dup.length} duplicated, ${stale.length} rows of inserts sent to A after its resume`);
    assert.deepEqual({ lost, dup, stale }, { lost: [], dup: [], stale: [] }, where);
  };
  const idsB = await allIds(cb);
  await check(idsB, 'on B after the takeover');
  ca.closeConnection();
  cb.closeConnection();

  // B dies; A (a standby again) takes over and replays the log, stale epochs discarded: the same rows.
  b.proc.kill('SIGKILL');
  await waitOutput(a, /serving Milvus gRPC/, 60_000, aOutAtResume);
  const ca2 = new MilvusClient({ address: `127.0.0.1:${a.port}`, logLevel: 'error', timeout: 60_000 });
  let idsA = await allIds(ca2).catch(async () => { await loadOn(ca2); return allIds(ca2); });
  for (let i = 0; i < 20 && idsA.length < idsB.length; i++) {
    await new Promise((r) => setTimeout(r, 500));
    idsA = await allIds(ca2);
  }
  await check(idsA, 'on A after it took the data set back');
  assert.deepEqual([...idsA].sort((x, y) => x - y), [...idsB].sort((x, y) => x - y), 'the replay gives exactly the rows B served');
  ca2.closeConnection();
  // B came back as the standby? No: it was killed. Start C as a standby and ask it directly.
  const c = await startNode('node-c');
  await waitOutput(c, /standby for data set fencing/, 60_000);
  const probe = new MilvusClient({ address: `127.0.0.1:${c.port}`, logLevel: 'error', maxRetries: 0, channelOptions: { 'grpc.use_local_subchannel_pool': 1 } });
  (probe as unknown as { connectPromise?: Promise<unknown> }).connectPromise?.catch(() => undefined);
  const refused = await attempt(probe, 'c-standby', 1_000_000);
  probe.closeConnection();
  t.diagnostic(`an insert sent to a standby: ${refused.reason}`);
  a.proc.kill('SIGTERM');
  c.proc.kill('SIGTERM');
  assert.equal(refused.ok, false);
  assert.match(refused.reason, /UNAVAILABLE.*node-a/, 'a standby refuses with UNAVAILABLE naming the owner');
  assert.ok(first.ok, `the insert sent to B while it stood by was acknowledged once B served (${first.reason})`);
});

test('an SDK client pointed at a standby gets its insert through by retrying once the standby serves', { timeout: 120_000 }, async (t) => {
  // Two writers of their own data set: X owns it, Y stands by; X is killed (-9) and an insert is sent
  // to Y at once. The SDK retries Y's UNAVAILABLE (after 200, 400, 800, ... ms); the retry that reaches
  // Y once it serves must be answered. It used to hang until its deadline: the SDK never half-closes
  // a retried call and grpc-js ran unary handlers only after the half-close (server/grpc/server.ts).
  const start = (id: string) => startClusterNode(cluster, id, { dataSet: 'retry', leaseTtlSec: LEASE_TTL_SEC, dir }).then((n) => { nodes.push(n); return n; });
  const x = await start('node-x');
  await waitOutput(x, /serving Milvus gRPC/, 60_000);
  const y = await start('node-y');
  await waitOutput(y, /standby for data set retry/, 60_000);
  const cx = new MilvusClient({ address: `127.0.0.1:${x.port}`, logLevel: 'error', timeout: 30_000 });
  assert.ok(succeeded(await cx.createCollection({ collection_name: 'c', fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'v', data_type: DataType.FloatVector, dim: DIM },
  ] })));
  assert.ok(succeeded((await cx.insert({ collection_name: 'c', data: rows(0) })).status));
  cx.closeConnection();
  x.proc.kill('SIGKILL');
  const killedAt = performance.now();
  const cy = new MilvusClient({ address: `127.0.0.1:${y.port}`, logLevel: 'error', maxRetries: 8, retryDelay: 100, timeout: 20_000 });
  cy.connectPromise?.catch(() => undefined);
  const sent = await attempt(cy, 'y', BATCH);
  const yState = await waitOutput(y, /serving Milvus gRPC/, 1_000).then(() => 'serving', () => 'not serving');
  t.diagnostic(`insert sent to the standby Y right after kill -9 of the owner X: ${sent.ok ? 'acknowledged' : `refused: ${sent.reason}`} `
    + `${Math.round(sent.answeredMs - killedAt)} ms after the kill (lease TTL ${LEASE_TTL_SEC} s; Y ${yState}); shared machine`);
  assert.equal(sent.reason, '');
  assert.ok(sent.ok, 'the insert sent while Y stood by was acknowledged once Y served');
  assert.ok(succeeded(await cy.createIndex({ collection_name: 'c', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' })));
  await loadOn(cy);
  const ids = (await allIds(cy)).sort((p, q) => p - q);
  assert.deepEqual(ids, [...rows(0), ...rows(BATCH)].map((r) => r.id), 'both inserts, each once');
  cy.closeConnection();
  y.proc.kill('SIGTERM');
});
