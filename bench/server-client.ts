/**
 * The client process of the server suite (`node dist/bench/server-client.js <job.json>`). For each
 * scenario of the job it prepares and warms up (the first scenario of each client kind and operation
 * with a whole run more, see main), prints `ready <i>`, waits for `go` on stdin (the
 * parent samples the server's CPU around the run), keeps `concurrency` requests in flight until
 * `durationMs` passed or `maxRequests` were sent, and prints `done <json>`. Three kinds of client:
 * - bare: one grpc-js `Client` sending pre-encoded bytes with identity (de)serializers,
 * - sdk: @zilliz/milvus2-sdk-node's MilvusClient (its encoding and decoding count as client CPU),
 * - http: node:http with a keep-alive agent posting pre-serialized REST v2 bodies.
 */
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import {
  hasCollectionBytes, INSERT_COLLECTION, insertRequestBytes, restSearchBody, SEARCH_COLLECTION, SEARCH_EF,
  searchRequestBytes, SERVICE_PATH, TOP_K,
} from './server-requests.js';

export type ClientKind = 'bare' | 'sdk' | 'http';
export type Operation = 'unary' | 'search' | 'insert';

export interface Scenario { op: Operation; client: ClientKind; concurrency: number }

export interface ClientJob {
  port: number;
  dim: number;
  /** Float32 little-endian files: query vectors, and the rows of one insert batch. */
  queriesFile: string;
  batchFile: string;
  insertRows: number;
  durationMs: number;
  maxRequests: number;
  scenarios: Scenario[];
}

export interface ScenarioResult {
  requests: number;
  wallMs: number;
  clientCpuMs: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

type Send = () => Promise<void>;

function floats(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const identity = (b: Buffer): Buffer => b;

function bareSender(client: grpc.Client, method: string, bodies: Buffer[]): Send {
  let i = 0;
  return () => new Promise((resolve, reject) => {
    const body = bodies[i++ % bodies.length]!;
    client.makeUnaryRequest(`${SERVICE_PATH}/${method}`, identity, identity, body, new grpc.Metadata(), (err) => (err ? reject(err) : resolve()));
  });
}

function httpSender(port: number, agent: http.Agent, path: string, bodies: string[]): Send {
  let i = 0;
  return () => new Promise((resolve, reject) => {
    const body = bodies[i++ % bodies.length]!;
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200 || !text.startsWith('{"code":0')) reject(new Error(`REST ${res.statusCode}: ${text.slice(0, 200)}`));
        else resolve();
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function okStatus(s: { error_code?: unknown; code?: unknown } | undefined): void {
  if (s !== undefined && s.error_code !== 'Success' && s.error_code !== 0) throw new Error(`status ${String(s.error_code)} ${String(s.code)}`);
}

interface Clients { bare: grpc.Client; sdk: MilvusClient; agent: http.Agent }

function rowObjects(batch: Float32Array, dim: number): { id: number; vec: number[] }[] {
  const rows: { id: number; vec: number[] }[] = [];
  for (let i = 0; i < batch.length / dim; i++) rows.push({ id: i, vec: Array.from(batch.subarray(i * dim, (i + 1) * dim)) });
  return rows;
}

async function recreateInsertCollection(sdk: MilvusClient, dim: number): Promise<void> {
  await sdk.dropCollection({ collection_name: INSERT_COLLECTION });
  okStatus(await sdk.createCollection({
    collection_name: INSERT_COLLECTION,
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: 'vec', data_type: DataType.FloatVector, dim },
    ],
  }));
}

/** The request function of one scenario (pre-encoded once, outside the timed run). */
function senderFor(s: Scenario, c: Clients, job: ClientJob, queries: Float32Array, batch: Float32Array): Send {
  const dim = job.dim;
  const nq = Math.min(100, queries.length / dim);
  const query = (q: number): Float32Array => queries.subarray(q * dim, (q + 1) * dim);
  const many = <T>(make: (q: number) => T): T[] => Array.from({ length: nq }, (_, q) => make(q));
  const key = `${s.client}:${s.op}`;
  switch (key) {
    case 'bare:unary': return bareSender(c.bare, 'HasCollection', [hasCollectionBytes(SEARCH_COLLECTION)]);
    case 'bare:search': return bareSender(c.bare, 'Search', many((q) => searchRequestBytes(SEARCH_COLLECTION, query(q))));
    case 'bare:insert': return bareSender(c.bare, 'Insert', [insertRequestBytes(INSERT_COLLECTION, batch, dim, 0, job.insertRows)]);
    case 'http:search': return httpSender(job.port, c.agent, '/v2/vectordb/entities/search', many((q) => restSearchBody(SEARCH_COLLECTION, query(q))));
    case 'sdk:unary': return async () => { okStatus((await c.sdk.hasCollection({ collection_name: SEARCH_COLLECTION })).status); };
    case 'sdk:search': {
      const vectors = many((q) => Array.from(query(q)));
      let i = 0;
      return async () => {
        const res = await c.sdk.search({ collection_name: SEARCH_COLLECTION, data: vectors[i++ % vectors.length]!, limit: TOP_K, params: { ef: SEARCH_EF } });
        okStatus(res.status);
      };
    }
    case 'sdk:insert': {
      const rows = rowObjects(batch.subarray(0, job.insertRows * dim), dim);
      return async () => { okStatus((await c.sdk.insert({ collection_name: INSERT_COLLECTION, data: rows })).status); };
    }
    default: throw new Error(`no sender for ${key}`);
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Keep `concurrency` requests in flight until the time or count budget is spent. */
async function drive(send: Send, concurrency: number, durationMs: number, maxRequests: number): Promise<ScenarioResult> {
  const latencies: number[] = [];
  let issued = 0, errors = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  const lane = async (): Promise<void> => {
    while (issued < maxRequests && performance.now() < deadline) {
      issued++;
      const s = performance.now();
      try {
        await send();
      } catch (e) {
        if (errors++ === 0) process.stderr.write(`[client] ${e instanceof Error ? e.message : String(e)}\n`);
      }
      latencies.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length, wallMs, clientCpuMs: (cpu.user + cpu.system) / 1000,
    p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), errors,
  };
}

/** Inserts of the first warm-up of an insert kind (each is a 1,000-row batch). */
const INSERT_FIRST_WARM_UP = 20;

/** The highest concurrency among the scenarios of `s`'s client kind and operation. */
export function warmUpConcurrency(scenarios: readonly Scenario[], s: Scenario): number {
  let c = s.concurrency;
  for (const x of scenarios) if (x.client === s.client && x.op === s.op) c = Math.max(c, x.concurrency);
  return c;
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as ClientJob;
  const queries = floats(job.queriesFile);
  const batch = floats(job.batchFile);
  const address = `127.0.0.1:${job.port}`;
  const channelOpts = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 };
  const clients: Clients = {
    bare: new grpc.Client(address, grpc.credentials.createInsecure(), channelOpts),
    sdk: new MilvusClient({ address, logLevel: 'error' }),
    agent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  };
  await clients.sdk.connectPromise;
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const warmedUp = new Set<string>();
  for (const [i, s] of job.scenarios.entries()) {
    if (s.op === 'insert') await recreateInsertCollection(clients.sdk, job.dim);
    const send = senderFor(s, clients, job, queries, batch);
    const kind = `${s.client}:${s.op}`;
    if (!warmedUp.has(kind)) {
      // First scenario of this client kind and operation: a whole run's length at its highest concurrency
      // first. With a third of a run only, the server was still optimizing (V8's compiler threads) in the
      // timed window, which doubled the CPU per request measured for the first scenario (bench/README.md).
      warmedUp.add(kind);
      await drive(send, warmUpConcurrency(job.scenarios, s), job.durationMs, s.op === 'insert' ? INSERT_FIRST_WARM_UP : job.maxRequests);
    }
    // Warm-up at the scenario's own concurrency: a third of the run time (at most 5 inserts).
    await drive(send, s.concurrency, job.durationMs / 3, s.op === 'insert' ? 5 : job.maxRequests);
    if (s.op === 'insert') await recreateInsertCollection(clients.sdk, job.dim);
    process.stdout.write(`ready ${i}\n`);
    const go = await lines.next();
    if (go.done === true) return;
    const r = await drive(send, s.concurrency, job.durationMs, s.op === 'insert' ? Math.min(job.maxRequests, 200) : job.maxRequests);
    process.stdout.write(`done ${JSON.stringify(r)}\n`);
  }
  if (job.scenarios.some((s) => s.op === 'insert')) await clients.sdk.dropCollection({ collection_name: INSERT_COLLECTION });
  clients.bare.close();
  await clients.sdk.closeConnection();
  clients.agent.destroy();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`[client] ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  });
}
