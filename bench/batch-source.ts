/**
 * The scale suite's batches for the timed ingest: written once to a file by a worker thread before the
 * clock starts (`prepare`), then read back batch by batch, a few ahead of the consumer. The Gaussian
 * generator costs more CPU than the insert it feeds (~140 ns a value: one worker makes ~70k rows/s of
 * 128-d), so made during the ingest it, not Sextant, set the figure. Same rows as MixtureStream.batch
 * (same code, same seeds); each batch's buffer is transferred, never copied. The file goes with `close`.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { BATCH_ROWS, MixtureStream, type StreamSpec } from './scale-data.js';

/** Batches requested ahead of the one being consumed. */
const AHEAD = 3;

type Message = { b: number; rows: Float32Array } | { prepared: true } | { error: string };

export class BatchSource {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (rows: Float32Array) => void; reject: (e: Error) => void }>();
  private readonly ready = new Map<number, Float32Array>();
  private prepared: (() => void) | null = null;
  private requested = 0;
  private failure: Error | null = null;

  /** Batches of `stream`, through the file `path` (written by `prepare`). */
  constructor(private readonly stream: MixtureStream, private readonly path: string) {
    this.worker = new Worker(new URL(import.meta.url), { workerData: { spec: stream.spec, path } });
    this.worker.on('message', (m: Message) => {
      if ('prepared' in m) { this.prepared?.(); return; }
      if ('error' in m) { this.fail(new Error(m.error)); return; }
      const take = this.waiting.get(m.b);
      if (take === undefined) this.ready.set(m.b, m.rows);
      else { this.waiting.delete(m.b); take.resolve(m.rows); }
    });
    this.worker.on('error', (e) => this.fail(e));
  }

  /** Write every batch to the file (on the worker); resolves when it is there. */
  async prepare(): Promise<void> {
    await new Promise<void>((resolve) => { this.prepared = resolve; this.worker.postMessage('prepare'); });
    if (this.failure !== null) throw this.failure;
  }

  /** Batch b (in order: b = 0, 1, 2, ...), asking the worker for the ones after it. */
  async batch(b: number): Promise<Float32Array> {
    while (this.requested < Math.min(this.stream.batches, b + 1 + AHEAD)) this.worker.postMessage(this.requested++);
    if (this.failure !== null) throw this.failure;
    const have = this.ready.get(b);
    if (have !== undefined) { this.ready.delete(b); return have; }
    return new Promise((resolve, reject) => this.waiting.set(b, { resolve, reject }));
  }

  /** The worker failed: `prepare` and every batch waited for reject with its error. */
  private fail(e: Error): void {
    this.failure = e;
    this.prepared?.();
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    await this.worker.terminate();
    rmSync(this.path, { force: true });
  }
}

if (!isMainThread && parentPort !== null) {
  const { spec, path } = workerData as { spec: StreamSpec; path: string };
  const stream = new MixtureStream(spec);
  const port = parentPort;
  const batchBytes = BATCH_ROWS * spec.dim * 4;
  let fd = -1;
  port.on('message', (m: 'prepare' | number) => {
    try {
      if (m === 'prepare') {
        const out = openSync(path, 'w');
        try {
          for (let b = 0; b < stream.batches; b++) {
            const rows = stream.batch(b);
            writeSync(out, new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength), 0, rows.byteLength, b * batchBytes);
          }
        } finally {
          closeSync(out);
        }
        fd = openSync(path, 'r');
        port.postMessage({ prepared: true });
        return;
      }
      const n = Math.min(BATCH_ROWS, spec.rows - m * BATCH_ROWS);
      const rows = new Float32Array(n * spec.dim);
      const into = new Uint8Array(rows.buffer);
      for (let at = 0; at < into.length;) at += readSync(fd, into, at, into.length - at, m * batchBytes + at);
      port.postMessage({ b: m, rows }, [rows.buffer]);
    } catch (e) {
      port.postMessage({ error: e instanceof Error ? e.message : String(e) });
    }
  });
}
