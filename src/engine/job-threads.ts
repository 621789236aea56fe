/**
 * A small pool of worker threads running one kind of background job (index builds, compaction
 * merges) off the event loop: up to `size` jobs at once, one per thread, the rest wait in order.
 * Threads start on demand and are kept between the jobs of a batch; the owner calls `stopIdle()`
 * when its batch is done, so an idle engine holds none (a thread keeps the last segment it read,
 * and its own heap, alive until it exits).
 */
import { Worker } from 'node:worker_threads';
import { errors } from '../core/errors.js';
import { workerExecArgv } from '../core/worker-flags.js';

interface Reply<R> { id: number; result?: R; payload?: R; error?: string }
interface Pending<J, R> { id: number; job: J; resolve: (r: R) => void; reject: (e: Error) => void }

export class JobThreads<J, R> {
  private readonly idleThreads: Worker[] = [];
  private readonly busy = new Map<Worker, Pending<J, R>>();
  private readonly waiting: Pending<J, R>[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly script: URL,
    readonly size: number,
    private readonly what: string,
  ) {}

  /** Jobs running right now. */
  get running(): number {
    return this.busy.size;
  }

  run(job: J): Promise<R> {
    if (this.closed) return Promise.reject(errors.internal(`${this.what} cancelled: closing`));
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ id: this.nextId++, job, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.waiting.length > 0 && (this.idleThreads.length > 0 || this.busy.size < this.size)) {
      const p = this.waiting.shift()!;
      const w = this.idleThreads.pop() ?? this.spawn();
      this.busy.set(w, p);
      w.postMessage({ id: p.id, job: p.job });
    }
  }

  private spawn(): Worker {
    const w = new Worker(this.script, { execArgv: workerExecArgv() });
    w.unref();
    w.on('message', (m: Reply<R>) => {
      const p = this.busy.get(w);
      if (!p || p.id !== m.id) return;
      this.busy.delete(w);
      const out = m.result ?? m.payload;
      if (out !== undefined) p.resolve(out);
      else p.reject(errors.internal(`${this.what} failed: ${m.error ?? 'unknown error'}`));
      this.idleThreads.push(w);
      this.pump();
    });
    w.on('error', (e) => {
      const p = this.busy.get(w);
      this.busy.delete(w);
      p?.reject(e);
      this.pump();
    });
    return w;
  }

  /** Stop the threads not running a job; resolves when they have exited. */
  async stopIdle(): Promise<void> {
    await Promise.all(this.idleThreads.splice(0).map((w) => w.terminate()));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.waiting.splice(0)) p.reject(errors.internal(`${this.what} cancelled: closing`));
    const all = [...this.idleThreads.splice(0), ...this.busy.keys()];
    for (const p of this.busy.values()) p.reject(errors.internal(`${this.what} cancelled: closing`));
    this.busy.clear();
    await Promise.all(all.map((w) => w.terminate()));
  }
}
