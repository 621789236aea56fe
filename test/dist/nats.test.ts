/**
 * NatsLog against a real 3-node JetStream cluster on loopback: the shared Log contract at R=3 and
 * R=1, then faults: kill -9 of the stream's leader during concurrent appends (appends go on; every
 * acknowledged record replays exactly once, at its LSN, in each writer's order) and the whole cluster
 * paused (the log fails after its bounded retries and refuses later appends).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startCluster, type Cluster } from '../support/cluster.js';
import { logContract } from '../support/port-contracts.js';
import { NatsLog } from '../../src/storage/dist/nats-log.js';
import type { LogRecord } from '../../src/storage/ports.js';

let cluster: Cluster;
let seq = 0;
const fresh = () => `wal-${++seq}-${randomBytes(3).toString('hex')}`;

before(async () => { cluster = await startCluster({ etcd: false, nats: 3, s3: false }); });
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

async function readAll(log: NatsLog): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of log.readFrom(0n)) out.push(r);
  return out;
}

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
});
