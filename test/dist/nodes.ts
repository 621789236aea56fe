/**
 * Sextant server processes with the distributed flags, for the cluster tests: start one on free
 * ports against a test cluster (test/support/cluster.ts), read its output, wait for a line of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { freePorts, startCluster, type Cluster } from '../support/cluster.js';

const mainJs = fileURLToPath(new URL('../../src/server/main.js', import.meta.url));

export interface SextantNode {
  id: string;
  proc: ChildProcess;
  port: number;
  httpPort: number;
  out: () => string;
}

export interface NodeOptions {
  /** Data set name (`--cluster`). */
  dataSet: string;
  leaseTtlSec: number;
  /** Parent of the node's own data directory. */
  dir: string;
  extraEnv?: Record<string, string>;
  /** gRPC and http ports (a restart on the same ports); free ones by default. */
  ports?: [number, number];
  /** `--role` (default writer). */
  role?: 'writer' | 'query';
}

export async function startNode(cluster: Cluster, id: string, o: NodeOptions): Promise<SextantNode> {
  const [port, httpPort] = o.ports ?? await freePorts(2) as [number, number];
  const proc = spawn(process.execPath, [mainJs, '--data', path.join(o.dir, id), '--port', String(port), '--http-port', String(httpPort),
    '--etcd', cluster.etcdEndpoint, '--nats', cluster.natsUrls.join(','), '--s3-endpoint', cluster.s3.endpoint,
    '--s3-bucket', cluster.s3.bucket, '--node-id', id, '--cluster', o.dataSet, '--lease-ttl', String(o.leaseTtlSec),
    ...(o.role !== undefined ? ['--role', o.role] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, AWS_ACCESS_KEY_ID: cluster.s3.accessKeyId, AWS_SECRET_ACCESS_KEY: cluster.s3.secretAccessKey,
      AWS_REGION: cluster.s3.region, ...o.extraEnv,
    },
  });
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => { out += b.toString(); });
  proc.stderr?.on('data', (b: Buffer) => { out += b.toString(); });
  return { id, proc, port, httpPort, out: () => out };
}

/** Waits until the node's output matches `re` (from character `from` on); throws after `timeoutMs` or if it exits. */
export async function waitOutput(n: SextantNode, re: RegExp, timeoutMs: number, from = 0): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!re.test(n.out().slice(from))) {
    if (n.proc.exitCode !== null) throw new Error(`node ${n.id} exited (${n.proc.exitCode}): ${n.out()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} from ${n.id}: ${n.out().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A test file's cluster (etcd, 3 JetStream nodes, s3rver) and node directory; what it starts is stopped after. */
export interface ClusterRun { cluster: Cluster; dir: string; procs: SextantNode[]; clients: MilvusClient[] }

/** Registers the before/after hooks that start and stop a file's cluster; fields are set once before() ran. */
export function clusterRun(prefix: string): ClusterRun {
  const run = { procs: [], clients: [] } as unknown as ClusterRun;
  before(async () => {
    run.cluster = await startCluster({ etcd: true, nats: 3, s3: true });
    run.dir = await mkdtemp(path.join(tmpdir(), prefix));
  });
  after(async () => {
    for (const c of run.clients) c.closeConnection();
    for (const n of run.procs) if (n.proc.exitCode === null) n.proc.kill('SIGKILL');
    await run.cluster?.close();
    if (run.dir !== undefined) await rm(run.dir, { recursive: true, force: true });
  });
  return run;
}

/** Starts a node of `run`'s cluster with `role` on data set `dataSet`, waits until it serves, and gives an SDK client to it; both are stopped after the file. */
export async function serveNode(run: ClusterRun, id: string, role: 'writer' | 'query', dataSet: string): Promise<{ node: SextantNode; client: MilvusClient }> {
  const node = await startNode(run.cluster, id, { dataSet, leaseTtlSec: 3, dir: run.dir, extraEnv: { SEXTANT_ROLE: role } });
  run.procs.push(node);
  await waitOutput(node, /serving Milvus gRPC/, 60_000);
  const client = new MilvusClient({ address: `127.0.0.1:${node.port}`, logLevel: 'error', timeout: 60_000 });
  run.clients.push(client);
  return { node, client };
}
