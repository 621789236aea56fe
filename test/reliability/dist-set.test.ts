/**
 * Jepsen's set test across a distributed cluster (issue #14): etcd, 3 nats-servers (JetStream R=3),
 * s3rver and two writer nodes on one data set (lease TTL 3 s). 4 SDK clients add unique elements
 * (rows with fresh pks, SDK retries off); each sends to the node it last reached and, on a failure,
 * switches to the other one. A nemesis kill -9s whichever node owns the data set every few seconds,
 * waits until the other one serves (the failover) and restarts the killed node as the standby.
 * At the end the owner is killed once more and the survivor's answer is checked:
 * - every acknowledged element is present, exactly once;
 * - nothing never attempted is present;
 * - nothing a standby refused (UNAVAILABLE "standby node") is present;
 * failed or in-flight adds to a dying owner may go either way.
 * CI: 60 s of adds (~2 min with the cluster); SEXTANT_SOAK=long: 5 min.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { DataType, type MilvusClient } from '@zilliz/milvus2-sdk-node';
import { seededRandom } from '../../src/core/random.js';
import { startCluster, type Cluster } from '../support/cluster.js';
import { makeTempDir } from '../support/tmp.js';
import { startNode, waitOutput, type SextantNode } from '../dist/nodes.js';
import { sleep } from './server-proc.js';
import { sdkClient } from './writers.js';

const LONG = process.env['SEXTANT_SOAK'] === 'long';
const DURATION_MS = LONG ? 300_000 : 60_000;
const CLIENTS = 4;
const SET = 'set';
const DATA_SET = 'distset';
const LEASE_TTL_SEC = 3;
/** Elements of adder i are i * SPAN + seq; read back in ranges of READ_RANGE pks. */
const SPAN = 10_000_000;
const READ_RANGE = 5_000;

let cluster: Cluster;
let dir: string;
const nodes: SextantNode[] = [];

before(async () => {
  cluster = await startCluster({ etcd: true, nats: 3, s3: true });
  dir = await makeTempDir();
});
after(async () => {
  for (const n of nodes) if (n.proc.exitCode === null) n.proc.kill('SIGKILL');
  await cluster?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

interface Tally { attempted: number; acked: Set<number>; uncertain: Set<number>; refused: Set<number> }

/** The two writers by slot; a killed one is replaced by its restart (same ports, same data dir). */
const slots: SextantNode[] = [];

async function launch(slot: number, ports?: [number, number]): Promise<SextantNode> {
  const n = await startNode(cluster, `writer-${slot}`, {
    dataSet: DATA_SET, leaseTtlSec: LEASE_TTL_SEC, dir, ...(ports !== undefined ? { ports } : {}),
  });
  nodes.push(n);
  slots[slot] = n;
  return n;
}

async function isOwner(n: SextantNode): Promise<boolean> {
  if (n.proc.exitCode !== null || n.proc.signalCode !== null) return false;
  const r = await fetch(`http://127.0.0.1:${n.httpPort}/healthz`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
  return r?.status === 200;
}

/** The slot whose node serves, waiting for a failover (bounded). */
async function owner(timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    for (let s = 0; s < slots.length; s++) if (await isOwner(slots[s] as SextantNode)) return s;
    if (performance.now() > deadline) throw new Error(`no writer served within ${timeoutMs} ms: ${slots.map((n) => n.out().slice(-1500)).join('\n---\n')}`);
    await sleep(100);
  }
}

async function adder(id: number, stopAt: number, tally: Tally): Promise<void> {
  let slot = id % 2;
  let client: MilvusClient = sdkClient((slots[slot] as SextantNode).port);
  let seq = 0;
  while (performance.now() < stopAt) {
    const el = id * SPAN + seq++;
    tally.attempted++;
    let outcome: 'ok' | 'refused' | 'uncertain' = 'uncertain';
    try {
      const r = await client.insert({ collection_name: SET, data: [{ id: el, vec: [el % 97, 1] }] });
      outcome = r.status.error_code === 'Success' ? 'ok' : 'uncertain';
    } catch (e) {
      // A standby answers UNAVAILABLE naming the owner before it reads the request: nothing written.
      if (e instanceof Error && /standby node/.test(e.message)) outcome = 'refused';
    }
    if (outcome === 'ok') {
      tally.acked.add(el);
      continue;
    }
    (outcome === 'refused' ? tally.refused : tally.uncertain).add(el);
    await client.closeConnection().catch(() => undefined);
    await sleep(50);
    slot = 1 - slot;
    client = sdkClient((slots[slot] as SextantNode).port);
  }
  await client.closeConnection().catch(() => undefined);
}

/** Every element present, read in pk ranges (a query answers at most 16,384 rows). */
async function readAll(client: MilvusClient, maxSeq: number): Promise<number[]> {
  const ids: number[] = [];
  for (let a = 1; a <= CLIENTS; a++) {
    for (let lo = a * SPAN; lo <= a * SPAN + maxSeq; lo += READ_RANGE) {
      const q = await client.query({ collection_name: SET, filter: `id >= ${lo} and id < ${lo + READ_RANGE}`, output_fields: ['id'], limit: 16_384 });
      assert.equal(q.status.error_code, 'Success', q.status.reason);
      for (const r of q.data) ids.push(Number(r['id']));
    }
  }
  return ids;
}

test(`set test across a 2-writer cluster: ${CLIENTS} SDK clients add for ${DURATION_MS / 1000} s while the owner is killed (-9)`, { timeout: LONG ? Infinity : 240_000 }, async (t) => {
  const rand = seededRandom(Number(process.env['SEXTANT_SOAK_SEED'] ?? 11));
  const first = await launch(0);
  await waitOutput(first, /serving Milvus gRPC/, 60_000);
  const second = await launch(1);
  await waitOutput(second, /standby for data set/, 60_000);
  const setup = sdkClient(first.port);
  const created = await setup.createCollection({
    collection_name: SET,
    fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false }, { name: 'vec', data_type: DataType.FloatVector, dim: 2 }],
  });
  assert.equal(created.error_code, 'Success', created.reason);
  assert.equal((await setup.createIndex({ collection_name: SET, field_name: 'vec', index_type: 'FLAT', metric_type: 'L2' })).error_code, 'Success');
  assert.equal((await setup.loadCollectionSync({ collection_name: SET })).error_code, 'Success');
  await setup.closeConnection();

  const tally: Tally = { attempted: 0, acked: new Set(), uncertain: new Set(), refused: new Set() };
  const stopAt = performance.now() + DURATION_MS;
  const adders = Array.from({ length: CLIENTS }, (_, i) => adder(i + 1, stopAt, tally));
  const failoverMs: number[] = [];
  const killOwner = async (): Promise<void> => {
    const s = await owner(30_000);
    const victim = slots[s] as SextantNode;
    victim.proc.kill('SIGKILL');
    const killedAt = performance.now();
    await new Promise<void>((r) => { if (victim.proc.exitCode !== null || victim.proc.signalCode !== null) r(); else victim.proc.once('exit', () => r()); });
    await owner(30_000);
    failoverMs.push(Math.round(performance.now() - killedAt));
    const back = await launch(s, [victim.port, victim.httpPort]);
    await waitOutput(back, /standby for data set/, 60_000);
  };
  while (performance.now() < stopAt - 3_000) {
    await sleep(2_000 + rand() * 3_000);
    await killOwner();
  }
  await Promise.all(adders);
  await killOwner();

  const reader = sdkClient((slots[await owner(30_000)] as SextantNode).port);
  const maxSeq = Math.ceil(tally.attempted / CLIENTS) * CLIENTS;
  const ids = await readAll(reader, maxSeq);
  await reader.closeConnection();
  const present = new Map<number, number>();
  for (const id of ids) present.set(id, (present.get(id) ?? 0) + 1);
  const lost = [...tally.acked].filter((el) => !present.has(el));
  const duplicated = [...present].filter(([, n]) => n > 1).map(([el]) => el);
  const unexpected = [...present.keys()].filter((el) => !tally.acked.has(el) && !tally.uncertain.has(el));
  const refusedPresent = [...tally.refused].filter((el) => present.has(el));
  const uncertainPresent = [...tally.uncertain].filter((el) => present.has(el)).length;
  const line = `dist set test: ${failoverMs.length} kills of the owner in ${DURATION_MS / 1000} s (failover ms: ${failoverMs.join(', ')}); `
    + `adds attempted ${tally.attempted}, acknowledged ${tally.acked.size}, refused by a standby ${tally.refused.size}, uncertain ${tally.uncertain.size} `
    + `(${uncertainPresent} present), present ${present.size}, lost ${lost.length}, duplicated ${duplicated.length}, unexpected ${unexpected.length}, `
    + `refused but present ${refusedPresent.length}; shared machine`;
  t.diagnostic(line);
  console.log(`# ${line}`);
  assert.deepEqual(lost.slice(0, 20), [], 'acknowledged adds lost');
  assert.deepEqual(duplicated.slice(0, 20), [], 'an element is present twice');
  assert.deepEqual(unexpected.slice(0, 20), [], 'elements never acknowledged nor in flight are present (unexpected includes refused)');
  assert.deepEqual(refusedPresent.slice(0, 20), [], 'an add a standby refused is present');
  assert.ok(tally.acked.size > 100, `only ${tally.acked.size} adds acknowledged: the test exercised little`);
  assert.ok(failoverMs.length >= 3, 'the nemesis struck too rarely');
  for (const n of slots) n.proc.kill('SIGTERM');
});
