/**
 * Search throughput with 1 vs 2 query nodes (issue #14). Starts etcd, 3 nats-servers and s3rver
 * (test/support/cluster.ts), one writer and two `--role query` nodes; loads a FLAT collection of
 * `--rows` x `--dim` with 2 replicas (one per query node), then runs `--requests` searches (nq=1,
 * top 10, `--concurrency` in flight) against query node 1 alone, then spread over both. Reports
 * req/s and the query nodes' CPU per search (utime + stime from /proc). The SDK client runs in this
 * process on the same machine, so on a small machine the client's CPU is part of the limit.
 *
 *   node dist/bench/query-nodes.js [--rows 20000] [--dim 128] [--requests 2000] [--concurrency 8] [--consistency Bounded]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConsistencyLevelEnum, DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { freePorts, startCluster, type Cluster } from '../test/support/cluster.js';

const mainJs = fileURLToPath(new URL('../src/server/main.js', import.meta.url));
const { values } = parseArgs({ options: {
  rows: { type: 'string', default: '20000' }, dim: { type: 'string', default: '128' },
  requests: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '8' },
  consistency: { type: 'string', default: 'Bounded' },
} });
const ROWS = Number(values.rows), DIM = Number(values.dim), REQUESTS = Number(values.requests), CONCURRENCY = Number(values.concurrency);
const LEVEL = values.consistency === 'Strong' ? ConsistencyLevelEnum.Strong : values.consistency === 'Eventually' ? ConsistencyLevelEnum.Eventually : ConsistencyLevelEnum.Bounded;

interface Node { proc: ChildProcess; client: MilvusClient }

async function startNode(cluster: Cluster, dir: string, id: string, role: string): Promise<Node> {
  const [port, httpPort] = await freePorts(2) as [number, number];
  const proc = spawn(process.execPath, [mainJs, '--data', path.join(dir, id), '--port', String(port), '--http-port', String(httpPort),
    '--etcd', cluster.etcdEndpoint, '--nats', cluster.natsUrls.join(','), '--s3-endpoint', cluster.s3.endpoint,
    '--s3-bucket', cluster.s3.bucket, '--node-id', id, '--cluster', 'bench', '--lease-ttl', '5', '--role', role], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_ACCESS_KEY_ID: cluster.s3.accessKeyId, AWS_SECRET_ACCESS_KEY: cluster.s3.secretAccessKey, AWS_REGION: cluster.s3.region },
  });
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => { out += b.toString(); });
  proc.stderr?.on('data', (b: Buffer) => { out += b.toString(); });
  const deadline = Date.now() + 60_000;
  while (!/serving Milvus gRPC/.test(out)) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`${id} did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, client: new MilvusClient({ address: `127.0.0.1:${port}`, logLevel: 'error' }) };
}

/** utime + stime of a process in ms (/proc, 100 ticks per second). */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function randomVector(): number[] {
  return Array.from({ length: DIM }, () => Math.random() * 2 - 1);
}

async function run(targets: Node[]): Promise<{ reqPerSec: number; cpuMsPerSearch: number; clientCpuMsPerSearch: number }> {
  const pids = targets.map((t) => t.proc.pid ?? 0);
  const before = await Promise.all(pids.map(cpuMs));
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const worker = async (w: number) => {
    for (let i = next++; i < REQUESTS; i = next++) {
      const t = targets[(i + w) % targets.length] as Node;
      const r = await t.client.search({ collection_name: 'c', data: [randomVector()], limit: 10, consistency_level: LEVEL });
      if (r.status.error_code !== 'Success') throw new Error(`search failed: ${r.status.reason}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  const seconds = (performance.now() - started) / 1000;
  const after = await Promise.all(pids.map(cpuMs));
  const client = process.cpuUsage(clientBefore);
  let cpu = 0;
  for (let i = 0; i < pids.length; i++) cpu += (after[i] ?? 0) - (before[i] ?? 0);
  return { reqPerSec: REQUESTS / seconds, cpuMsPerSearch: cpu / REQUESTS, clientCpuMsPerSearch: (client.user + client.system) / 1000 / REQUESTS };
}

async function main(): Promise<void> {
  const cluster = await startCluster({ etcd: true, nats: 3, s3: true });
  const dir = await mkdtemp(path.join(tmpdir(), 'sextant-bench-qn-'));
  const nodes: Node[] = [];
  try {
    const w = await startNode(cluster, dir, 'w', 'writer');
    nodes.push(w);
    const q1 = await startNode(cluster, dir, 'q1', 'query');
    const q2 = await startNode(cluster, dir, 'q2', 'query');
    nodes.push(q1, q2);
    await w.client.createCollection({ collection_name: 'c', fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: 'v', data_type: DataType.FloatVector, dim: DIM },
    ] });
    for (let i = 0; i < ROWS; i += 2000) {
      const data = Array.from({ length: Math.min(2000, ROWS - i) }, (_, k) => ({ id: i + k, v: randomVector() }));
      await w.client.insert({ collection_name: 'c', data });
    }
    await w.client.flushSync({ collection_names: ['c'] });
    await w.client.createIndex({ collection_name: 'c', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
    await w.client.loadCollection({ collection_name: 'c', replica_number: 2 });
    const deadline = Date.now() + 120_000;
    while ((await w.client.getLoadState({ collection_name: 'c' })).state !== 'LoadStateLoaded') {
      if (Date.now() > deadline) throw new Error('not loaded on both query nodes within 120 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    await run([q1, q2]); // warm-up
    const idleFrom = await cpuMs(q1.proc.pid ?? 0);
    await new Promise((r) => setTimeout(r, 10_000));
    const idleMsPerSec = ((await cpuMs(q1.proc.pid ?? 0)) - idleFrom) / 10;
    const one = await run([q1]);
    const two = await run([q1, q2]);
    const f = (x: number) => x.toFixed(2);
    console.log(`an idle query node (its follow loop) used ${f(idleMsPerSec)} ms CPU per second over 10 s`);
    console.log(`FLAT ${ROWS} x ${DIM}, nq=1 top 10, ${REQUESTS} searches, ${CONCURRENCY} in flight, consistency ${values.consistency}:`);
    console.log(`  1 query node : ${f(one.reqPerSec)} req/s, query-node CPU ${f(one.cpuMsPerSearch)} ms/search, client CPU ${f(one.clientCpuMsPerSearch)} ms/search`);
    console.log(`  2 query nodes: ${f(two.reqPerSec)} req/s, query-node CPU ${f(two.cpuMsPerSearch)} ms/search, client CPU ${f(two.clientCpuMsPerSearch)} ms/search`);
  } finally {
    for (const n of nodes) { n.client.closeConnection(); n.proc.kill('SIGKILL'); }
    await cluster.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
