/**
 * NatsLog against a real 3-node JetStream cluster on loopback: the shared Log contract at R=3 and
 * R=1, then faults: kill -9 of the stream's leader during concurrent appends (appends go on; every
 * acknowledged record replays exactly once, at its LSN, in each writer's order) and the whole cluster
 * paused (the log fails after its bounded retries and refuses later appends); records larger than
 * max_payload split into parts that replay all or nothing, up to a 5,000 x 128 insert through a writer.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Etcd3 } from 'etcd3';
import { EtcdLeaseProvider } from '../../src/storage/dist/etcd-lease.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { startCluster, type Cluster } from '../support/cluster.js';
import { startNode, waitOutput, type SextantNode } from './nodes.js';
import { logContract } from '../support/port-contracts.js';
import { MilvusError } from '../../src/core/errors.js';
import { NatsLog } from '../../src/storage/dist/nats-log.js';
import { GROUP_HEADER, PART_HEADER } from '../../src/storage/dist/log-parts.js';
import type { LogRecord } from '../../src/storage/ports.js';

let cluster: Cluster;
let seq = 0;
const fresh = () => `wal-${++seq}-${randomBytes(3).toString('hex')}`;

before(async () => { cluster = await startCluster({ etcd: true, nats: 3, s3: true }); });
after(async () => { await cluster?.close(); });

for (const replicas of [3, 1]) {
  logContract(`NATS JetStream R=${replicas}`, async () => {
    const stream = fresh();
    const opened: NatsLog[] = [];
    return {
      open: async () => { const log = await NatsLog.connect(cluster.natsUrls, { stream, replicas }); opened.push(log); return log; },
      cleanup: async () => {
        const log = await NatsLog.connect(cluster.natsUrls, { stream, replicas });
        await log.destroy();
        await log.close();
        for (const l of opened) await l.close().catch(() => undefined);
      },
    };
  });
}

async function readAllFrom(log: NatsLog, from: bigint): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of log.readFrom(from)) out.push(r);
  return out;
}
const readAll = (log: NatsLog) => readAllFrom(log, 0n);

async function streamLeader(nc: NatsConnection, stream: string): Promise<string> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  return info.cluster?.leader ?? '';
}

describe('NatsLog faults', () => {
  test('kill -9 of the stream leader during appends: appends continue, every acknowledged record replays once, in order', async (t) => {
    const stream = fresh();
    const log = await NatsLog.connect(cluster.natsUrls, { stream, replicas: 3, retryBudgetMs: 30_000 });
    const nc = await connect({ servers: cluster.natsUrls });
    const acked = new Map<string, bigint>();
    const writers = 4; const perWriter = 300; let failures = 0;
    let killed = '';
    const deadline = Date.now() + 120_000;
    const writer = async (w: number) => {
      for (let i = 0; i < perWriter && Date.now() < deadline; i++) {
        const id = `${w}:${i}`;
        try {
          acked.set(id, await log.append(7, new TextEncoder().encode(id)));
        } catch {
          failures++;
        }
        if (w === 0 && i === 100) {
          killed = await streamLeader(nc, stream);
          const victim = cluster.nats.find((p) => p.name === killed);
          assert.ok(victim !== undefined, `leader ${killed} is one of ours`);
          await victim.kill9();
        }
      }
    };
    const startedAt = Date.now();
    await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
    const elapsedMs = Date.now() - startedAt;
    const victim = cluster.nats.find((p) => p.name === killed);
    await victim?.restart();
    const records = await readAll(log);
    const seen = new Map<string, bigint>();
    for (const r of records) {
      const id = new TextDecoder().decode(r.payload);
      assert.equal(seen.has(id), false, `record ${id} stored twice`);
      seen.set(id, r.lsn);
    }
    const missing = [...acked].filter(([id, lsn]) => seen.get(id) !== lsn);
    if (missing.length > 0) {
      t.diagnostic(`${missing.length} acknowledged records missing; replay: ${records.length} records, last LSN ${String(records.at(-1)?.lsn)}`);
      const jsm = await jetstreamManager(nc);
      for (const [id, lsn] of missing.slice(0, 5)) {
        const direct = await jsm.streams.getMessage(stream, { seq: Number(lsn) }).then(
          (m) => m === null ? 'none' : new TextDecoder().decode(m.data), (e: unknown) => `error ${String(e)}`);
        const again = (await readAll(log)).find((r) => r.lsn === lsn);
        t.diagnostic(`acknowledged ${id} at ${lsn}: replay has ${seen.has(id) ? `it at ${seen.get(id)}` : 'no such record'}; `
          + `direct get of ${lsn}: ${direct}; a second replay: ${again === undefined ? 'none' : new TextDecoder().decode(again.payload)}`);
      }
    }
    assert.deepEqual(missing, [], 'every acknowledged record replays at its LSN');
    for (let w = 0; w < writers; w++) {
      const lsns = [...acked].filter(([id]) => id.startsWith(`${w}:`)).map(([, l]) => l);
      for (let i = 1; i < lsns.length; i++) assert.ok((lsns[i] as bigint) > (lsns[i - 1] as bigint), `writer ${w} order kept`);
    }
    t.diagnostic(`killed ${killed}; ${acked.size} appends acknowledged, ${failures} refused, ${records.length} records replayed, 0 lost, 0 duplicated, ${log.retriedPublishes} publishes retried, ${log.gapFills} records fetched past the consumer, ${elapsedMs} ms`);
    assert.equal(failures, 0, 'appends continue while two of three nodes are up');
    assert.equal(log.failure, null);
    await log.destroy();
    await log.close();
    await nc.close();
  });

  test('a record over the server\'s max_payload is split into parts, acknowledged once all are stored, and replays whole', async (t) => {
    const stream = fresh();
    const log = await NatsLog.connect(cluster.natsUrls, { stream, replicas: 3 });
    const big = new Uint8Array(randomBytes(Math.floor(log.partBytes() * 2.5) + 7));
    const small = await log.append(2, new Uint8Array([1, 2, 3]));
    // A small record queued behind the big one: it waits for every part, then resolves after it.
    const [lsnBig, lsnAfter] = await Promise.all([log.append(2, big), log.append(2, new Uint8Array([4]))]);
    assert.equal(log.failure, null);
    assert.equal(lsnBig, small + 3n, 'three parts, the record\'s LSN is the last one\'s');
    assert.equal(lsnAfter, lsnBig + 1n);
    const reader = await NatsLog.connect(cluster.natsUrls, { stream, replicas: 3 });
    const records = await readAll(reader);
    t.diagnostic(`record of ${big.length} bytes (message bound ${log.partBytes()}) stored as ${Number(lsnBig - small)} parts; replay yields ${records.length} records`);
    assert.deepEqual(records.map((r) => r.lsn), [small, lsnBig, lsnAfter]);
    assert.ok(Buffer.from(records[1]?.payload ?? []).equals(Buffer.from(big)), 'the parts replay as the same bytes');
    // A replay that starts inside the group (past its first part) hands none of it on.
    assert.deepEqual((await readAllFrom(reader, small + 2n)).map((r) => r.lsn), [lsnAfter]);
    await log.destroy();
    await Promise.all([log.close(), reader.close()]);
  });

  test('a group cut short (its writer died between two parts) replays none of it, in the middle or at the end of the stream', async (t) => {
    const stream = fresh();
    const log = await NatsLog.connect(cluster.natsUrls, { stream, replicas: 3 });
    const enc = (s: string) => new TextEncoder().encode(s);
    await log.append(1, enc('before'));
    // What a writer leaves when it dies after 2 of 3 parts: the messages it published, as it publishes them.
    const nc = await connect({ servers: cluster.natsUrls });
    const js = jetstream(nc);
    const part = (group: string, i: number, n: number) => {
      const h = headers();
      h.set('Sextant-Type', '1');
      h.set('Sextant-Epoch', '0');
      h.set(GROUP_HEADER, group);
      h.set(PART_HEADER, `${i}/${n}`);
      return js.publish(`sextant.wal.${stream}`, enc(`${group}-${i}`), { headers: h });
    };
    await part('cut', 0, 3);
    await part('cut', 1, 3);
    await log.append(1, enc('after'));
    await part('whole', 0, 2);
    await part('whole', 1, 2);
    await part('tail', 0, 2);
    const reader = await NatsLog.connect(cluster.natsUrls, { stream, replicas: 3 });
    const replayed = (await readAll(reader)).map((r) => new TextDecoder().decode(r.payload));
    t.diagnostic(`replay: ${replayed.join(' ')}; parts discarded ${reader.discardedParts}`);
    assert.deepEqual(replayed, ['before', 'after', 'whole-0whole-1']);
    assert.equal(reader.discardedParts, 2, 'the cut group\'s two parts; the tail may still be in progress');
    await log.destroy();
    await Promise.all([log.close(), reader.close(), nc.close()]);
  });

  test('a 5,000 x 128 insert (over max_payload) is acknowledged by a writer on default nats-servers and every row is there after kill -9 and takeover', { timeout: 170_000 }, async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sextant-bigwrite-'));
    const opts = { dataSet: 'bigwrite', leaseTtlSec: 3, dir };
    const a = await startNode(cluster, 'big-a', opts);
    let b: SextantNode | null = null;
    const clients: MilvusClient[] = [];
    try {
      await waitOutput(a, /serving Milvus gRPC/, 60_000);
      const ca = new MilvusClient({ address: `127.0.0.1:${a.port}`, logLevel: 'error' });
      clients.push(ca);
      const dim = 128;
      const vec = (i: number) => Array.from({ length: dim }, (_, d) => ((i * 31 + d * 7) % 1000) / 8);
      const rows = Array.from({ length: 5000 }, (_, i) => ({ id: i, v: vec(i) }));
      const created = await ca.createCollection({ collection_name: 'big', fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: 'v', data_type: DataType.FloatVector, dim },
      ] });
      assert.equal(created.error_code, 'Success', JSON.stringify(created));
      const ins = await ca.insert({ collection_name: 'big', data: rows });
      assert.equal(ins.status.error_code, 'Success', `the insert is split over several log records, not refused: ${JSON.stringify(ins.status)}`);
      assert.equal(Number(ins.insert_cnt), 5000);
      a.proc.kill('SIGKILL');
      // Nothing was flushed: the new owner has the rows from the log alone.
      b = await startNode(cluster, 'big-b', opts);
      await waitOutput(b, /serving Milvus gRPC/, 60_000);
      const cb = new MilvusClient({ address: `127.0.0.1:${b.port}`, logLevel: 'error' });
      clients.push(cb);
      await cb.createIndex({ collection_name: 'big', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
      assert.equal((await cb.loadCollectionSync({ collection_name: 'big' })).error_code, 'Success');
      const got = await cb.query({ collection_name: 'big', filter: 'id >= 0', output_fields: ['id', 'v'], limit: 16384 });
      t.diagnostic(`rows read back on the new owner after kill -9: ${got.data.length} of 5000`);
      assert.equal(got.data.length, 5000);
      let wrong = 0;
      for (const r of got.data) {
        const v = r['v'] as number[];
        if (JSON.stringify(v) !== JSON.stringify(vec(Number(r['id'])))) wrong++;
      }
      assert.equal(wrong, 0, 'every vector is read back as written');
      assert.equal(new Set(got.data.map((r) => Number(r['id']))).size, 5000);
    } finally {
      for (const c of clients) c.closeConnection();
      for (const n of [a, b]) if (n !== null && n.proc.exitCode === null) n.proc.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('with every node paused the log fails after its bounded retries and refuses later appends', async (t) => {
    const stream = fresh();
    const created = await NatsLog.connect(cluster.natsUrls, { stream, replicas: 3 });
    await created.close();
    const log = await NatsLog.connect(cluster.natsUrls, { stream, replicas: 3, retryBudgetMs: 2000, publishTimeoutMs: 500 });
    await log.append(1, new Uint8Array([1]));
    for (const p of cluster.nats) p.pause();
    try {
      const startedAt = Date.now();
      await assert.rejects(log.append(1, new Uint8Array([2])), /JetStream unavailable/);
      t.diagnostic(`append refused after ${Date.now() - startedAt} ms (budget 2000 ms)`);
      assert.notEqual(log.failure, null);
      await assert.rejects(log.append(1, new Uint8Array([3])), /JetStream unavailable/);
    } finally {
      for (const p of cluster.nats) p.resume();
    }
    await log.close();
  });

  test('epochs: a stale owner\'s record stored after the new owner\'s fence is never replayed', async (t) => {
    const stream = fresh();
    const etcd = new Etcd3({ hosts: cluster.etcdEndpoint });
    const provider = new EtcdLeaseProvider(etcd, { ttlSec: 2, pollMs: 50 });
    const leaseA = await provider.campaign(stream);
    const a = await NatsLog.connect(cluster.natsUrls, { stream, replicas: 3, lease: leaseA });
    const enc = (s: string) => new TextEncoder().encode(s);
    await a.append(1, enc('a1'));
    await a.append(1, enc('a2'));
    // Owner A loses its lease (as when paused past it); B takes it over and fences the log.
    await leaseA.release();
    await assert.rejects(a.append(1, enc('a3')), /lease/i, 'an owner without its lease appends nothing');
    const leaseB = await provider.campaign(stream);
    assert.ok(leaseB.token > leaseA.token);
    const b = await NatsLog.connect(cluster.natsUrls, { stream, replicas: 3, lease: leaseB });
    await b.append(1, enc('b1'));
    // A publish A had in flight during its pause lands now, after B's fence: JetStream stores it.
    const nc = await connect({ servers: cluster.natsUrls });
    const h = headers();
    h.set('Sextant-Type', '1');
    h.set('Sextant-Epoch', leaseA.token.toString());
    const late = await jetstream(nc).publish(`sextant.wal.${stream}`, enc('a-late'), { headers: h });
    await b.append(1, enc('b2'));
    const replayed = (await readAll(b)).map((r) => new TextDecoder().decode(r.payload));
    t.diagnostic(`late record stored at ${late.seq}; replay: ${replayed.join(' ')}; discarded ${b.discardedStale}`);
    assert.deepEqual(replayed, ['a1', 'a2', 'b1', 'b2']);
    // The floor holds after the records before the late one are truncated (fences are kept).
    await b.truncateBelow(BigInt(late.seq));
    const c = await NatsLog.connect(cluster.natsUrls, { stream, replicas: 3 });
    assert.deepEqual((await readAll(c)).map((r) => new TextDecoder().decode(r.payload)), ['b2']);
    await c.close();
    await b.destroy();
    await Promise.all([a.close(), b.close(), nc.close()]);
    await leaseB.release();
    etcd.close();
  });

  test('replay of 50,000 records reads them in batches, each once, in order, with its own bytes', { timeout: 170_000 }, async (t) => {
    const stream = fresh();
    const total = 50_000;
    const log = await NatsLog.connect(cluster.natsUrls, { stream, replicas: 3 });
    const appendStarted = performance.now();
    for (let i = 0; i < total; i += 2000) {
      await Promise.all(Array.from({ length: Math.min(2000, total - i) }, (_, k) => {
        const payload = new Uint8Array(64).fill((i + k) % 251);
        new DataView(payload.buffer).setUint32(0, i + k, true);
        return log.append(2, payload);
      }));
    }
    const appendMs = performance.now() - appendStarted;
    const reader = await NatsLog.connect(cluster.natsUrls, { stream, replicas: 3 });
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    let n = 0;
    let lastLsn = 0n;
    const seen = new Uint8Array(total);
    for await (const r of reader.readFrom(0n)) {
      assert.ok(r.lsn > lastLsn, 'in LSN order');
      lastLsn = r.lsn;
      const id = new DataView(r.payload.buffer, r.payload.byteOffset, r.payload.length).getUint32(0, true);
      assert.ok(id < total && seen[id] === 0, `record ${id} once`);
      assert.equal(r.payload[63], id % 251, `record ${id} has its own bytes`);
      seen[id] = 1;
      n++;
    }
    const replayMs = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    assert.ok(reader.consumedRecords >= total, `read in batches through the consumer: ${reader.consumedRecords}`);
    // The replay before batching read one record per round trip: 2,000 records that way, for comparison.
    const nc = await connect({ servers: cluster.natsUrls });
    const jsm = await jetstreamManager(nc);
    const s0 = performance.now();
    for (let seq = 1; seq <= 2000; seq++) await jsm.streams.getMessage(stream, { seq });
    const singleMs = performance.now() - s0;
    await nc.close();
    t.diagnostic(`50,000 records of 64 B at R=3: appended in ${Math.round(appendMs)} ms; replayed in ${Math.round(replayMs)} ms `
      + `(${Math.round(total / (replayMs / 1000))} records/s, client CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms, 256 per pull); `
      + `one get at a time: 2,000 records in ${Math.round(singleMs)} ms (${Math.round(2000 / (singleMs / 1000))} records/s); shared machine`);
    assert.equal(n, total);
    await log.destroy();
    await Promise.all([log.close(), reader.close()]);
  });
});
