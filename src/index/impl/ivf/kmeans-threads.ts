/**
 * The threads of a k-means job (asm/kmeans.ts `kmeansRun`): this thread and `threads - 1` helper
 * threads instantiated over the build's own wasm memory, kept for the whole build (every Lloyd
 * iteration, then the assignment of every row, or DISKANN's PQ codes). A job is a context block the
 * kernel reads; each thread takes rows from its atomic counter, so which thread did a row never
 * changes the result (a row's output depends on that row and the centroids only): builds stay a pure
 * function of their input whatever the thread count.
 *
 * Helpers enrol before the first job (`ready`; one that starts after enrolment closed leaves at once),
 * so every job knows how many threads take part and waits for all of them (`done`) before the next
 * job may rewrite the context: a slow thread can never take rows of the next job with the last
 * one's fields.
 */
import { Worker } from 'node:worker_threads';
import { errors } from '../../../core/errors.js';
import { workerExecArgv } from '../../../core/worker-flags.js';
import type { WasmArena } from '../../wasm/arena.js';
import { KM, KM_CTX_BYTES, kmeansKernels, type KMeansHelperData, type KMeansKernels } from './kmeans-ctx.js';

/** Rows a thread takes from the counter at a time (a multiple of the kernel's 4-row groups). */
const CHUNK_ROWS = 64;
/** How long a job waits for helpers to start before it runs with the ones that did. */
const ENROL_WAIT_MS = 5_000;
const WAIT_SLICE_MS = 20;
/** The enrolment counter after it closed: late helpers see a negative count and leave. */
const ENROL_CLOSED = -(1 << 30);

/** One job: byte pointers into the arena (see asm/kmeans.ts). */
export interface KMeansJob {
  x: number;
  n: number;
  /** Floats per row of x. */
  stride: number;
  /** Chunks of dims (1 for whole rows), with m + 1 int32 offsets at `offsets`. */
  m: number;
  offsets: number;
  panels: number;
  norms: number;
  k: number;
  /** 2 for L2 keys (norms |c|^2), 1 for IP (norms 0). */
  scale: number;
  out: number;
  /** 4: one int32 per row (changes counted); 1: one byte per row and chunk (PQ codes). */
  outBytes: 1 | 4;
}

export class KMeansThreads {
  private readonly c: Int32Array;
  private participants = 1;
  private enrolled = false;

  private constructor(
    arena: WasmArena, private readonly k: KMeansKernels, private readonly ctx: number,
    private readonly helpers: Worker[],
  ) {
    this.c = new Int32Array(arena.memory.buffer, ctx, KM_CTX_BYTES / 4);
  }

  /** Threads for jobs in `arena` (this one and threads - 1 helpers); null when the kernel is missing. */
  static start(arena: WasmArena, threads: number): KMeansThreads | null {
    const k = kmeansKernels(arena.k);
    if (k === null) return null;
    const ctx = arena.alloc(KM_CTX_BYTES);
    arena.i32.fill(0, ctx >>> 2, (ctx + KM_CTX_BYTES) >>> 2);
    const helpers: Worker[] = [];
    for (let i = 1; i < threads; i++) {
      const data: KMeansHelperData = { module: arena.module, memory: arena.memory, ctx };
      const w = new Worker(new URL('./kmeans-helper.js', import.meta.url), { workerData: data, execArgv: workerExecArgv() });
      w.unref();
      w.on('error', () => { /* a helper that fails before enrolling is simply not counted; after, through `failed` */ });
      helpers.push(w);
    }
    return new KMeansThreads(arena, k, ctx, helpers);
  }

  /** Run `job` on every enrolled thread; returns how many int32 outputs changed. */
  run(job: KMeansJob): number {
    const c = this.c;
    this.enrol();
    c[KM.x] = job.x; c[KM.n] = job.n; c[KM.stride] = job.stride; c[KM.m] = job.m; c[KM.offsets] = job.offsets;
    c[KM.panels] = job.panels; c[KM.norms] = job.norms; c[KM.k] = job.k; c[KM.out] = job.out;
    c[KM.outBytes] = job.outBytes; c[KM.chunk] = CHUNK_ROWS;
    new Float32Array(c.buffer, c.byteOffset + KM.scale * 4, 1)[0] = job.scale;
    Atomics.store(c, KM.changed, 0);
    Atomics.store(c, KM.done, 0);
    Atomics.store(c, KM.next, 0);
    Atomics.add(c, KM.gen, 1);
    if (this.participants > 1) Atomics.notify(c, KM.gen);
    this.k.kmeansRun(this.ctx);
    this.waitFor(KM.done, this.participants - 1);
    if (Atomics.load(c, KM.failed) !== 0) throw errors.internal('k-means: a helper thread failed');
    return Atomics.load(c, KM.changed);
  }

  /** Stop the helpers (always call; idempotent). */
  close(): void {
    const c = this.c;
    Atomics.store(c, KM.stop, 1);
    Atomics.add(c, KM.gen, 1);
    Atomics.notify(c, KM.gen);
    for (const w of this.helpers) void w.terminate();
    this.helpers.length = 0;
  }

  /** Before the first job: wait for the helpers to start, then close enrolment. */
  private enrol(): void {
    if (this.enrolled) return;
    this.enrolled = true;
    if (this.helpers.length === 0) return;
    const c = this.c, until = Date.now() + ENROL_WAIT_MS;
    for (let r = Atomics.load(c, KM.ready); r < this.helpers.length && Date.now() < until; r = Atomics.load(c, KM.ready)) {
      Atomics.wait(c, KM.ready, r, WAIT_SLICE_MS);
    }
    this.participants = 1 + Atomics.exchange(c, KM.ready, ENROL_CLOSED);
  }

  private waitFor(field: number, count: number): void {
    const c = this.c;
    for (let v = Atomics.load(c, field); v < count; v = Atomics.load(c, field)) Atomics.wait(c, field, v, WAIT_SLICE_MS);
  }
}
