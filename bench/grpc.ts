/**
 * gRPC suite: the real server on a free port over a temp dir, driven by @zilliz/milvus2-sdk-node's
 * MilvusClient. Insert throughput (batches of 1,000 rows), then the same nq = 1 FLAT search through
 * gRPC and in-process (service.search), so the difference is the transport's cost per call.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { SextantService } from '../src/service/service.js';
import { startGrpcServer } from '../src/server/grpc/server.js';
import { GT_K, type Dataset } from './data.js';
import { serviceSearch, timedSearches, waitForIndex } from './engine.js';
import { perSecond } from './measure.js';
import { table, type Table } from './table.js';

export interface GrpcOptions {
  batchRows: number;
  searchQueries: number;
  log: (line: string) => void;
}

export const DEFAULT_GRPC: Omit<GrpcOptions, 'log'> = { batchRows: 1000, searchQueries: 200 };

export interface GrpcSearch { via: 'grpc' | 'in-process'; queries: number; qps: number; recallAt10: number }

export interface GrpcResult {
  dataset: { name: string; n: number; dim: number };
  insert: { batchRows: number; rows: number; ms: number; rowsPerSec: number };
  searches: GrpcSearch[];
  tables: Table[];
}

const COLLECTION = 'bench';

function checkStatus(what: string, s: { error_code?: string | number; reason?: string }): void {
  if (s.error_code !== 'Success' && s.error_code !== 0) throw new Error(`${what} failed: ${String(s.error_code)} ${String(s.reason)}`);
}

async function sdkInsert(client: MilvusClient, ds: Dataset, batchRows: number): Promise<GrpcResult['insert']> {
  let ms = 0;
  for (let from = 0; from < ds.n; from += batchRows) {
    const to = Math.min(ds.n, from + batchRows);
    const data: { id: number; vec: number[] }[] = [];
    for (let i = from; i < to; i++) data.push({ id: i, vec: Array.from(ds.base.subarray(i * ds.dim, (i + 1) * ds.dim)) });
    const t0 = performance.now();
    const res = await client.insert({ collection_name: COLLECTION, data });
    ms += performance.now() - t0;
    checkStatus('insert', res.status);
  }
  return { batchRows, rows: ds.n, ms, rowsPerSec: perSecond(ds.n, ms) };
}

async function prepareCollection(client: MilvusClient, svc: SextantService): Promise<void> {
  checkStatus('flush', (await client.flush({ collection_names: [COLLECTION] })).status);
  checkStatus('createIndex', await client.createIndex({
    collection_name: COLLECTION, field_name: 'vec', index_type: 'FLAT', metric_type: 'L2',
  }));
  await waitForIndex(svc, COLLECTION);
  checkStatus('load', await client.loadCollectionSync({ collection_name: COLLECTION }));
}

function grpcSearch(client: MilvusClient): (v: Float32Array) => Promise<number[]> {
  return async (v) => {
    const res = await client.search({ collection_name: COLLECTION, data: Array.from(v), limit: GT_K });
    checkStatus('search', res.status);
    return res.results.map((hit) => Number((hit as { id: string | number }).id));
  };
}

export async function runGrpc(ds: Dataset, opts: GrpcOptions): Promise<GrpcResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sextant-bench-grpc-'));
  const svc = await SextantService.open({ dataDir: dir });
  const server = await startGrpcServer(svc, { host: '127.0.0.1', port: 0, maxMessageBytes: 256 * 1024 * 1024 });
  const client = new MilvusClient({ address: `127.0.0.1:${server.port}`, logLevel: 'error' });
  try {
    await client.connectPromise;
    checkStatus('createCollection', await client.createCollection({
      collection_name: COLLECTION,
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: 'vec', data_type: DataType.FloatVector, dim: ds.dim },
      ],
    }));
    opts.log(`[grpc] ${ds.name}: insert through MilvusClient, batches of ${opts.batchRows}`);
    const insert = await sdkInsert(client, ds, Math.min(opts.batchRows, ds.n));
    await prepareCollection(client, svc);
    opts.log(`[grpc] ${ds.name}: search nq=1 through gRPC and in-process`);
    const viaGrpc = await timedSearches(ds, opts.searchQueries, grpcSearch(client));
    const inProcess = await timedSearches(ds, opts.searchQueries, serviceSearch(svc, COLLECTION, ds.dim));
    const result: GrpcResult = {
      dataset: { name: ds.name, n: ds.n, dim: ds.dim }, insert,
      searches: [{ via: 'grpc', ...viaGrpc }, { via: 'in-process', ...inProcess }], tables: [],
    };
    result.tables = grpcTables(result);
    return result;
  } finally {
    await client.closeConnection();
    await server.close();
    await svc.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function grpcTables(r: GrpcResult): Table[] {
  const t = table(`gRPC with @zilliz/milvus2-sdk-node (${r.dataset.name}, loopback)`, ['measure', 'queries', 'value', 'unit', 'recall@10']);
  t.rows.push([`insert, batches of ${r.insert.batchRows}`, null, r.insert.rowsPerSec, 'rows/s', null]);
  for (const s of r.searches) t.rows.push([`search nq=1, FLAT, ${s.via}`, s.queries, s.qps, 'QPS', s.recallAt10]);
  const [g, p] = r.searches;
  if (g !== undefined && p !== undefined && g.qps > 0 && p.qps > 0) {
    t.rows.push(['gRPC cost per search (1/QPS difference)', null, 1000 / g.qps - 1000 / p.qps, 'ms', null]);
  }
  t.notes.push('insert time covers the SDK call (row encoding, transport, durable insert); building the row objects is excluded.');
  return [t];
}
