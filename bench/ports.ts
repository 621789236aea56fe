/**
 * Latency of the distributed ports on loopback (standalone, not a suite): acknowledged appends on
 * NatsLog at R=3 (3-node JetStream cluster) and R=1, one at a time and 16 in flight, and catalog
 * commits on etcd (one fenced transaction) at a few document sizes. Starts its own etcd and
 * nats-servers (test/support/cluster.ts) and removes them afterwards.
 *
 *   npx tsc -p . && node dist/bench/ports.js [--appends 2000] [--commits 300] [--payload 1024]
 */
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { startCluster } from '../test/support/cluster.js';
import { NatsLog } from '../src/storage/dist/nats-log.js';
import { EtcdLeaseProvider } from '../src/storage/dist/etcd-lease.js';
import { EtcdCatalogStore } from '../src/storage/dist/etcd-catalog.js';

const { values } = parseArgs({
  options: {
    appends: { type: 'string', default: '2000' },
    commits: { type: 'string', default: '300' },
    payload: { type: 'string', default: '1024' },
  },
});
const appends = Number(values.appends);
const commits = Number(values.commits);
const payloadBytes = Number(values.payload);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

interface Row { what: string; n: number; p50: number; p99: number; perSec: number }

function row(what: string, latMs: number[], wallMs: number): Row {
  const s = [...latMs].sort((a, b) => a - b);
  return { what, n: s.length, p50: quantile(s, 0.5), p99: quantile(s, 0.99), perSec: (s.length / wallMs) * 1000 };
}

async function appendRun(log: NatsLog, n: number, inFlight: number): Promise<{ lat: number[]; wallMs: number }> {
  const payload = new Uint8Array(randomBytes(payloadBytes));
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < n) {
      next++;
      const a = performance.now();
      await log.append(1, payload);
      lat.push(performance.now() - a);
    }
  }));
  return { lat, wallMs: performance.now() - t0 };
}

async function main(): Promise<void> {
  const cluster = await startCluster({ etcd: true, nats: 3, s3: false });
  const rows: Row[] = [];
  try {
    for (const replicas of [3, 1]) {
      const log = await NatsLog.connect(cluster.natsUrls, { stream: `bench-r${replicas}`, replicas });
      await appendRun(log, 200, 1); // warm-up
      for (const inFlight of [1, 16]) {
        const r = await appendRun(log, appends, inFlight);
        rows.push(row(`NatsLog R=${replicas} append ${payloadBytes} B, ${inFlight} in flight`, r.lat, r.wallMs));
      }
      await log.destroy();
      await log.close();
    }
    const client = new Etcd3({ hosts: cluster.etcdEndpoint });
    for (const docBytes of [16 * 1024, 256 * 1024, 4 * 1024 * 1024]) {
      const name = `bench-${docBytes}`;
      const lease = await new EtcdLeaseProvider(client, { ttlSec: 10 }).campaign(name);
      const store = new EtcdCatalogStore(client, { name });
      const body = new Uint8Array(randomBytes(docBytes));
      let version = 0n;
      const lat: number[] = [];
      const n = docBytes > 1024 * 1024 ? Math.max(10, Math.floor(commits / 10)) : commits;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const a = performance.now();
        version = await store.commit(version, body, lease);
        lat.push(performance.now() - a);
      }
      rows.push(row(`etcd catalog commit ${docBytes / 1024} KiB`, lat, performance.now() - t0));
      await lease.release();
    }
    client.close();
  } finally {
    await cluster.close();
  }
  console.log('| operation | n | p50 ms | p99 ms | ops/s |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.what} | ${r.n} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.perSec.toFixed(0)} |`);
}

await main();
