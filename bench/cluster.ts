/**
 * Figures for the distributed mode (issue #14), standalone (not a suite): the cost of an acknowledged
 * insert through the Node SDK on a cluster node (etcd + 3-node JetStream R=3 + s3rver) vs a single
 * node (local WAL, fsync), 1 row and 1,000 rows per insert, one at a time: latency p50/p99 and the
 * server's CPU per insert (from /proc/<pid>/stat); then the failover time over a few kill -9 runs
 * (two nodes; the owner is killed, the standby's "serving" line is timed; the killed node comes back
 * as the standby for the next run).
 *
 *   npx tsc -p . && node dist/bench/cluster.js [--small 300] [--large 40] [--failovers 5] [--lease-ttl 3]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { freePorts, startCluster } from '../test/support/cluster.js';
import { startNode, waitOutput, type SextantNode } from '../test/dist/nodes.js';

const { values } = parseArgs({
  options: {
    small: { type: 'string', default: '300' },
    large: { type: 'string', default: '40' },
    failovers: { type: 'string', default: '5' },
    'lease-ttl': { type: 'string', default: '3' },
  },
});
const DIM = 128;
const mainJs = fileURLToPath(new URL('../src/server/main.js', import.meta.url));
const TICK_MS = 10; // USER_HZ 100

function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
}

const q = (s: number[], p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
const rowsOf = (from: number, n: number) => Array.from({ length: n }, (_, k) => ({ id: from + k, v: Array.from({ length: DIM }, (_, d) => Math.sin((from + k) * 0.1 + d)) }));

async function insertCost(address: string, pid: number, label: string): Promise<void> {
  const c = new MilvusClient({ address, logLevel: 'error', timeout: 120_000 });
  await c.createCollection({ collection_name: 'bench', fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'v', data_type: DataType.FloatVector, dim: DIM },
  ] });
  let next = 0;
  for (const [rows, n] of [[1, Number(values.small)], [1000, Number(values.large)]] as const) {
    for (let i = 0; i < 5; i++) { await c.insert({ collection_name: 'bench', data: rowsOf(next, rows) }); next += rows; }
    const lat: number[] = [];
    const cpu0 = cpuMs(pid);
    for (let i = 0; i < n; i++) {
      const data = rowsOf(next, rows); next += rows;
      const t0 = performance.now();
      const r = await c.insert({ collection_name: 'bench', data });
      lat.push(performance.now() - t0);
      if (r.status.error_code !== 'Success') throw new Error(JSON.stringify(r.status));
    }
    const cpu = cpuMs(pid) - cpu0;
    lat.sort((a, b) => a - b);
    console.log(`| ${label} | ${rows} | ${n} | ${q(lat, 0.5).toFixed(2)} | ${q(lat, 0.99).toFixed(2)} | ${(cpu / n).toFixed(2)} |`);
  }
  c.closeConnection();
}

async function main(): Promise<void> {
  const cluster = await startCluster({ etcd: true, nats: 3, s3: true });
  const dir = await mkdtemp(path.join(tmpdir(), 'sextant-bench-cluster-'));
  const procs: SextantNode[] = [];
  try {
    console.log('| node | rows per insert | inserts | p50 ms | p99 ms | server CPU ms per insert |\n|---|---|---|---|---|---|');
    const [port, httpPort] = await freePorts(2) as [number, number];
    const single = spawn(process.execPath, [mainJs, '--data', path.join(dir, 'single'), '--port', String(port), '--http-port', String(httpPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    single.stdout?.on('data', (b: Buffer) => { out += b.toString(); });
    const sNode: SextantNode = { id: 'single', proc: single, port, httpPort, out: () => out };
    procs.push(sNode);
    await waitOutput(sNode, /serving Milvus gRPC/, 60_000);
    await insertCost(`127.0.0.1:${port}`, single.pid ?? 0, 'single (local WAL, fsync)');
    single.kill('SIGTERM');

    const ttl = Number(values['lease-ttl']);
    const a = await startNode(cluster, 'bench-a', { dataSet: 'bench', leaseTtlSec: ttl, dir });
    procs.push(a);
    await waitOutput(a, /serving Milvus gRPC/, 60_000);
    await insertCost(`127.0.0.1:${a.port}`, a.proc.pid ?? 0, 'cluster (JetStream R=3)');

    const times: number[] = [];
    let owner = a;
    for (let i = 0; i < Number(values.failovers); i++) {
      const standby = await startNode(cluster, `bench-${i}`, { dataSet: 'bench', leaseTtlSec: ttl, dir });
      procs.push(standby);
      await waitOutput(standby, /standby for data set/, 60_000);
      owner.proc.kill('SIGKILL');
      const t0 = performance.now();
      await waitOutput(standby, /serving Milvus gRPC/, 120_000);
      times.push(performance.now() - t0);
      owner = standby;
    }
    times.sort((x, y) => x - y);
    console.log(`failover (kill -9 of the owner -> standby serving), lease TTL ${ttl} s, ${times.length} runs: `
      + `${times.map((x) => Math.round(x)).join(', ')} ms (min ${Math.round(times[0] ?? NaN)}, median ${Math.round(q(times, 0.5))}, max ${Math.round(times.at(-1) ?? NaN)})`);
  } finally {
    for (const p of procs) if (p.proc.exitCode === null) p.proc.kill('SIGKILL');
    await cluster.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
