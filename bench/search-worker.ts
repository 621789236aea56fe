/** Worker thread of pool.ts: load one index copy, wait for "go", search its share of the queries nq = 1 at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import hnswlib from 'hnswlib-node';
import { getIndexDescriptor } from '../src/index/registry.js';
import { floatColumn } from './data.js';
import { partRange, type WorkerJob, type WorkerMessage } from './pool.js';

type SearchOne = (q: number) => void;

const WARMUP_QUERIES = 20;

function sextantSearcher(job: Extract<WorkerJob, { engine: 'sextant' }>): SearchOne {
  const desc = getIndexDescriptor(job.indexType);
  const spec = { metric: 'L2' as const, params: job.buildParams };
  const index = desc.deserialize(job.payload, floatColumn(job.base, job.dim), job.n, spec);
  const { dim, queries, topK, searchParams } = job;
  return (q) => { index.search({ queries: floatColumn(queries.subarray(q * dim, (q + 1) * dim), dim), topK, params: searchParams }); };
}

function hnswlibSearcher(job: Extract<WorkerJob, { engine: 'hnswlib' }>): SearchOne {
  const index = new hnswlib.HierarchicalNSW('l2', job.dim);
  index.readIndexSync(job.file);
  index.setEf(job.ef);
  const { dim, queries, topK } = job;
  const arrays: number[][] = [];
  for (let q = 0; q * dim < queries.length; q++) arrays.push(Array.from(queries.subarray(q * dim, (q + 1) * dim)));
  return (q) => { index.searchKnn(arrays[q]!, topK); };
}

function main(): void {
  const port = parentPort;
  if (port === null) return;
  const job = workerData as WorkerJob;
  const send = (m: WorkerMessage): void => port.postMessage(m);
  try {
    const searchOne = job.engine === 'sextant' ? sextantSearcher(job) : hnswlibSearcher(job);
    const [from, to] = partRange(job.queries.length / job.dim, job.part, job.parts);
    for (let q = from; q < Math.min(to, from + WARMUP_QUERIES); q++) searchOne(q);
    port.once('message', () => {
      try {
        const t0 = performance.now();
        for (let p = 0; p < job.passes; p++) for (let q = from; q < to; q++) searchOne(q);
        send({ type: 'done', ms: performance.now() - t0, searched: (to - from) * job.passes });
      } catch (e) {
        send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      }
    });
    send({ type: 'ready' });
  } catch (e) {
    send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
}

main();
