/**
 * Two-thread search: each worker thread gets its own copy of the index (Sextant: deserialised from
 * `serialize()` over the shared base vectors; hnswlib-node: read from the saved file) and half of the
 * queries. Workers load and warm up, report ready, and start together; each searches its share `passes`
 * times; the wall time until the slower one is done counts.
 */
import { Worker } from 'node:worker_threads';
import type { IndexParams } from '../src/index/descriptor.js';

export type WorkerJob =
  | {
    engine: 'sextant'; indexType: string; payload: Uint8Array; base: Float32Array; dim: number; n: number;
    buildParams: IndexParams; searchParams: IndexParams; topK: number; queries: Float32Array; part: number; parts: number; passes: number;
  }
  | { engine: 'hnswlib'; file: string; dim: number; ef: number; topK: number; queries: Float32Array; part: number; parts: number; passes: number };

export type WorkerMessage = { type: 'ready' } | { type: 'done'; ms: number; searched: number } | { type: 'error'; message: string };

const WORKER_URL = new URL('./search-worker.js', import.meta.url);

function isWorkerMessage(m: unknown): m is WorkerMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}

/** Queries [from, to) of part `part` out of `parts`. */
export function partRange(nq: number, part: number, parts: number): [number, number] {
  return [Math.floor((nq * part) / parts), Math.floor((nq * (part + 1)) / parts)];
}

function waitFor(worker: Worker, type: 'ready' | 'done'): Promise<WorkerMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown): void => {
      if (!isWorkerMessage(m)) return;
      cleanup();
      if (m.type === 'error') reject(new Error(`search worker: ${m.message}`));
      else if (m.type === type) resolve(m);
      else reject(new Error(`search worker sent ${m.type}, expected ${type}`));
    };
    const onError = (e: Error): void => { cleanup(); reject(e); };
    const cleanup = (): void => { worker.off('message', onMessage); worker.off('error', onError); };
    worker.on('message', onMessage);
    worker.on('error', onError);
  });
}

/** Run the jobs in parallel worker threads; resolves with the wall time (ms) from "go" to the last "done". */
export async function runWorkers(jobs: readonly WorkerJob[]): Promise<number> {
  const workers = jobs.map((job) => new Worker(WORKER_URL, { workerData: job }));
  try {
    await Promise.all(workers.map((w) => waitFor(w, 'ready')));
    const t0 = performance.now();
    const done = workers.map((w) => waitFor(w, 'done'));
    for (const w of workers) w.postMessage('go');
    await Promise.all(done);
    return performance.now() - t0;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
