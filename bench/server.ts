/**
 * Server suite: the real server process (`dist/src/server/main.js` on a temp dir, free port) holding
 * the data set in one collection with an HNSW index, driven by a separate client process
 * (server-client.ts) that sends pre-encoded requests (bare grpc-js, REST v2 over node:http) or goes
 * through @zilliz/milvus2-sdk-node. Per operation, client kind and concurrency: the server's CPU per
 * request (utime + stime of the whole server process from /proc/<pid>/stat, and of its main thread
 * from /proc/<pid>/task/<pid>/stat, over the run), the client's CPU per request, latency p50/p99 and
 * requests/s; next to the index's own figures (built here on the same data, ef 64, 1 and 2 threads).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { MilvusClient, DataType } from '@zilliz/milvus2-sdk-node';
import { indexAlone, type IndexAlone } from './ann.js';
import type { Dataset } from './data.js';
import type { ClientJob, Scenario, ScenarioResult } from './server-client.js';
import { insertRequestBytes, SEARCH_COLLECTION, SEARCH_EF, SERVICE_PATH } from './server-requests.js';
import { serverTables } from './server-table.js';
import type { Table } from './table.js';

export interface ServerBenchOptions {
  /** Seconds of each timed scenario (at most `maxRequests` requests). */
  durationMs: number;
  maxRequests: number;
  concurrency: readonly number[];
  insertRows: number;
  graph: { m: number; efConstruction: number };
  /** Extra node flags for the server process, e.g. `--cpu-prof --cpu-prof-dir=DIR`. */
  serverNodeArgs: readonly string[];
  /** Only these client kinds (bare, sdk, http). */
  clients: readonly ('bare' | 'sdk' | 'http')[];
  /** Only these operations (unary, search, insert). */
  ops: readonly ('unary' | 'search' | 'insert')[];
  log: (line: string) => void;
}

export const DEFAULT_SERVER: Omit<ServerBenchOptions, 'log'> = {
  durationMs: 3000, maxRequests: 100_000, concurrency: [1, 8, 32], insertRows: 1000,
  graph: { m: 16, efConstruction: 200 }, serverNodeArgs: [], clients: ['bare', 'sdk', 'http'], ops: ['unary', 'search', 'insert'],
};

export interface ServerRow extends Scenario, ScenarioResult {
  serverCpuMs: number;
  serverMainCpuMs: number;
}

export interface ServerResult {
  dataset: { name: string; n: number; dim: number };
  insertRows: number;
  index: IndexAlone;
  rows: ServerRow[];
  tables: Table[];
}

const SERVER_MAIN = fileURLToPath(new URL('../src/server/main.js', import.meta.url));
const CLIENT_MAIN = fileURLToPath(new URL('./server-client.js', import.meta.url));
const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime (ms) of a process, or of one of its threads, from /proc/.../stat (10 ms ticks). */
export function cpuMsOf(statPath: string): number {
  const text = readFileSync(statPath, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** CPU time (ms, ns resolution) of threads of `pid` from /proc/<pid>/task/<tid>/schedstat; all threads unless `tid`. */
export function schedCpuMs(pid: number, tid?: number): number {
  const tids = tid !== undefined ? [String(tid)] : readdirSync(`/proc/${pid}/task`);
  let ns = 0;
  for (const t of tids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return ns / 1e6;
}

interface ServerProcess { child: ChildProcess; pid: number; port: number }

async function startServer(dataDir: string, nodeArgs: readonly string[]): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, SERVER_MAIN, '--data', dataDir, '--port', '0', '--http-port', '0', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const m = /serving Milvus gRPC on [^ ]+:(\d+) .*pid (\d+)/.exec(line);
    if (m !== null) return { child, port: Number(m[1]), pid: Number(m[2]) };
  }
  throw new Error('the server exited before it was ready');
}

async function stopServer(s: ServerProcess): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
  s.child.kill('SIGTERM');
  await exited;
}

function unary(client: grpc.Client, method: string, body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(`${SERVICE_PATH}/${method}`, (b: Buffer) => b, (b: Buffer) => b, body, new grpc.Metadata(), (e, r) => (e || r === undefined ? reject(e) : resolve(r)));
  });
}

function ok(what: string, s: { error_code?: unknown; reason?: unknown } | undefined): void {
  if (s !== undefined && s.error_code !== 'Success' && s.error_code !== 0) throw new Error(`${what}: ${String(s.error_code)} ${String(s.reason)}`);
}

/** Create the searched collection, insert the data set (pre-encoded batches), flush, index HNSW; the index alone is built meanwhile. */
async function loadServer(port: number, ds: Dataset, o: ServerBenchOptions): Promise<IndexAlone> {
  const sdk = new MilvusClient({ address: `127.0.0.1:${port}`, logLevel: 'error' });
  const bare = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
  try {
    await sdk.connectPromise;
    ok('create', await sdk.createCollection({
      collection_name: SEARCH_COLLECTION,
      fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false }, { name: 'vec', data_type: DataType.FloatVector, dim: ds.dim }],
    }));
    o.log(`[server] inserting ${ds.n} rows`);
    for (let from = 0; from < ds.n; from += 5000) await unary(bare, 'Insert', insertRequestBytes(SEARCH_COLLECTION, ds.base, ds.dim, from, Math.min(ds.n, from + 5000)));
    ok('flush', (await sdk.flush({ collection_names: [SEARCH_COLLECTION] })).status);
    ok('index', await sdk.createIndex({
      collection_name: SEARCH_COLLECTION, field_name: 'vec', index_type: 'HNSW', metric_type: 'L2',
      params: { M: o.graph.m, efConstruction: o.graph.efConstruction },
    }));
    o.log('[server] building HNSW in the server and, for the index-alone figures, here');
    // The index alone is timed once the server's build and load are over (they share the cores).
    const serverReady = async (): Promise<void> => {
      for (let i = 0; i < 12_000; i++) {
        const d = await sdk.describeIndex({ collection_name: SEARCH_COLLECTION });
        const state = d.index_descriptions[0]?.state;
        if (state === 'Finished') break;
        if (state === 'Failed') throw new Error('the server failed to build the index');
        await new Promise((r) => setTimeout(r, 100));
      }
      ok('load', await sdk.loadCollectionSync({ collection_name: SEARCH_COLLECTION }));
    };
    const alone = await indexAlone(ds, 'HNSW', o.graph, SEARCH_EF, 1000, serverReady);
    return alone;
  } finally {
    bare.close();
    await sdk.closeConnection();
  }
}

export function scenariosFor(o: Pick<ServerBenchOptions, 'concurrency' | 'clients' | 'ops'>): Scenario[] {
  const out: Scenario[] = [];
  for (const op of o.ops) {
    for (const client of o.clients) {
      if (client === 'http' && op !== 'search') continue; // REST is measured for search only
      for (const c of o.concurrency) if (op !== 'insert' || c <= 8) out.push({ op, client, concurrency: c });
    }
  }
  return out;
}

/** Run the client process over every scenario, sampling the server's CPU around each timed run. */
async function driveClient(dir: string, server: ServerProcess, ds: Dataset, o: ServerBenchOptions): Promise<ServerRow[]> {
  const queriesFile = join(dir, 'queries.f32'), batchFile = join(dir, 'batch.f32'), jobFile = join(dir, 'job.json');
  const nq = Math.min(ds.nq, 100);
  await writeFile(queriesFile, new Uint8Array(ds.queries.buffer, ds.queries.byteOffset, nq * ds.dim * 4));
  const rows = Math.min(o.insertRows, ds.n);
  await writeFile(batchFile, Buffer.from(ds.base.slice(0, rows * ds.dim).buffer));
  const scenarios = scenariosFor(o);
  const job: ClientJob = { port: server.port, dim: ds.dim, queriesFile, batchFile, insertRows: rows, durationMs: o.durationMs, maxRequests: o.maxRequests, scenarios };
  await writeFile(jobFile, JSON.stringify(job));
  const child = spawn(process.execPath, [CLIENT_MAIN, jobFile], { stdio: ['pipe', 'pipe', 'inherit'] });
  // Whole process from /proc/<pid>/stat (threads that ended count too); the main thread from its
  // schedstat (ns): at a few hundred requests, 10 ms ticks would be too coarse for it.
  const proc = `/proc/${server.pid}/stat`;
  const mainMs = (): number => schedCpuMs(server.pid, server.pid);
  const out: ServerRow[] = [];
  let before = { all: 0, main: 0 };
  for await (const line of createInterface({ input: child.stdout! })) {
    if (line.startsWith('ready ')) {
      before = { all: cpuMsOf(proc), main: mainMs() };
      child.stdin!.write('go\n');
    } else if (line.startsWith('done ')) {
      const r = JSON.parse(line.slice(5)) as ScenarioResult;
      const s = scenarios[out.length]!;
      const row: ServerRow = { ...s, ...r, serverCpuMs: cpuMsOf(proc) - before.all, serverMainCpuMs: mainMs() - before.main };
      o.log(`[server] ${s.client} ${s.op} x${s.concurrency}: ${r.requests} requests, ${(row.serverCpuMs / Math.max(1, r.requests)).toFixed(3)} ms server CPU each, ${(r.requests * 1000 / r.wallMs).toFixed(0)}/s`);
      out.push(row);
      if (out.length === scenarios.length) child.stdin!.end();
    }
  }
  await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
  if (out.length !== scenarios.length) throw new Error(`the client process stopped after ${out.length} of ${scenarios.length} scenarios`);
  return out;
}

export async function runServerSuite(ds: Dataset, o: ServerBenchOptions): Promise<ServerResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sextant-bench-server-'));
  const server = await startServer(join(dir, 'data'), o.serverNodeArgs);
  try {
    o.log(`[server] pid ${server.pid} on port ${server.port}`);
    const index = await loadServer(server.port, ds, o);
    const rows = await driveClient(dir, server, ds, o);
    const result: ServerResult = { dataset: { name: ds.name, n: ds.n, dim: ds.dim }, insertRows: Math.min(o.insertRows, ds.n), index, rows, tables: [] };
    result.tables = serverTables(result);
    return result;
  } finally {
    await stopServer(server);
    await rm(dir, { recursive: true, force: true });
  }
}
