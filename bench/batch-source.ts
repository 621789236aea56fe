/**
 * The scale suite's batches made on a worker thread, a few ahead of the consumer: the generator costs
 * about as much CPU as the insert it feeds (79 ns a Gaussian value, 10 s of 18 s at 1M x 128), so made
 * inline it halved the ingest figure. With this source the ingest measures Sextant taking data, as
 * from an application whose rows already exist. Same batches as MixtureStream.batch (same worker
 * code, same seeds); each batch's buffer is transferred, never copied.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { MixtureStream, type StreamSpec } from './scale-data.js';

/** Batches requested ahead of the one being consumed. */
const AHEAD = 3;

export class BatchSource {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, (rows: Float32Array) => void>();
  private readonly ready = new Map<number, Float32Array>();
  private requested = 0;
  private failure: Error | null = null;

  constructor(private readonly stream: MixtureStream) {
    this.worker = new Worker(new URL(import.meta.url), { workerData: stream.spec });
    this.worker.on('message', (m: { b: number; rows: Float32Array }) => {
      const take = this.waiting.get(m.b);
      if (take === undefined) this.ready.set(m.b, m.rows);
      else { this.waiting.delete(m.b); take(m.rows); }
    });
    this.worker.on('error', (e) => { this.failure = e; });
  }

  /** Batch b (in order: b = 0, 1, 2, ...), asking the worker for the ones after it. */
  async batch(b: number): Promise<Float32Array> {
    while (this.requested < Math.min(this.stream.batches, b + 1 + AHEAD)) this.worker.postMessage(this.requested++);
    if (this.failure !== null) throw this.failure;
    const have = this.ready.get(b);
    if (have !== undefined) { this.ready.delete(b); return have; }
    return new Promise((resolve) => this.waiting.set(b, resolve));
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

if (!isMainThread && parentPort !== null) {
  const stream = new MixtureStream(workerData as StreamSpec);
  const port = parentPort;
  port.on('message', (b: number) => {
    const rows = stream.batch(b);
    port.postMessage({ b, rows }, [rows.buffer as ArrayBuffer]);
  });
}
