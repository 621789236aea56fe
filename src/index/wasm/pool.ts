/**
 * WasmPool: a fixed set of worker threads (default: one per core) that read vector stores in place,
 * whatever shared WebAssembly.Memory each lives in (the process arena, or a resident segment's own
 * memory): each memory is posted to a worker once and tasks name it by id (worker-memories.ts says
 * why, and when a worker drops one); the worker instantiates the kernels once per memory (see
 * worker.ts). Nothing is copied per worker or per search.
 * `searchParallel` splits each job (one segment's store x nq queries) into row ranges, runs them on
 * the workers, and merges the per-range top-k into results identical to the single-thread scan.
 * Scratch (mask, distance blocks, outputs) is allocated on this thread, per task, in the job's own
 * arena, so concurrent tasks on one memory never share bytes (the allocator is main-thread only).
 * Jobs too small to pay for the thread hop (MIN_PARALLEL_WORK_BYTES) run synchronously here.
 * The queue is bounded (maxQueuedTasks); past it `searchParallel` throws a retriable error.
 * Idle workers are unref'd, so an idle pool never keeps the process alive; `close()` ends them.
 */
import { Worker } from 'node:worker_threads';
import { workerExecArgv } from '../../core/worker-flags.js';
import { availableParallelism } from 'node:os';
import type { MetricType } from '../../core/enums.js';
import { smallerIsBetter } from '../../core/enums.js';
import { errors } from '../../core/errors.js';
import { assert } from '../../core/assert.js';
import { TopKHeaps } from '../topk.js';
import { DIST_BLOCK_ROWS, type ScanWindow } from '../scan-window.js';
import type { ExactSearchResult } from '../types.js';
import { ArenaScratch, type WasmArena } from './arena.js';
import type { QueryBlock, VectorStore } from './store.js';
import { runTopKTask, type TopKTask } from './task.js';
import type { WasmMemory } from './loader.js';
import type { PoolTask, ReplyMessage, TaskEntry, WorkerInit, WorkerMessage } from './messages.js';
import { packPoolTask } from './tasks.js';
import { wasmSettings } from './settings.js';
import { MAX_MEMORIES, MEMORY_IDLE_MS, WorkerMemories } from './worker-memories.js';
import { holdMemories } from './forget.js';

/**
 * Below this many bytes scanned (rows x nq x row bytes, summed over jobs) a search runs on the calling
 * thread: the hop to a worker and back costs ~0.1 ms, and a bounded 128-d scan reads ~12 GB/s on one core
 * of this 2-core machine, so splitting pays from ~2.5 MB on; 4 MB leaves a margin for a busy machine (crossover bench:
 * test/index/wasm-bench.test.ts).
 */
export const MIN_PARALLEL_WORK_BYTES = 4 * 1024 * 1024;
/** A job is split into row ranges of at least this much work, at most one per thread. */
const MIN_TASK_WORK_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_QUEUED_TASKS = 1024;
/** Tasks of one search queued per thread at a time: one running, one ready. */
const LANES_PER_THREAD = 2;
/**
 * Tasks one message carries at most (the queue's share of one idle worker). Fewer than MAX_MEMORIES,
 * so a worker never drops a memory that the message it is sent with needs.
 */
const MAX_TASKS_PER_MESSAGE = 8;
assert(MAX_TASKS_PER_MESSAGE < MAX_MEMORIES, 'a message names fewer memories than a worker holds');
/** Consecutive worker deaths (no task finished in between) after which the pool stops respawning. */
const MAX_CRASHES = 8;
/**
 * Young-generation bound of a worker's V8 heap. A worker keeps almost nothing alive (kernel
 * instances, a few small objects) but allocates a little per task; with V8's default bound its young
 * generation kept growing with the tasks run (~18 MB more per worker after 100k tasks, never given
 * back: test/engine/search-memory.test.ts). Scavenges of a heap this small take well under 1 ms.
 */
export const WORKER_YOUNG_GENERATION_MB = 2;

export interface PoolJob {
  store: VectorStore;
  metric: MetricType;
  /** Queries of the store's kind and dim, already in the store's arena. */
  queries: QueryBlock;
  topK: number;
  /** Rows [0, numRows) of the store are searched (default: all). */
  numRows?: number;
  /** One byte per store row, 0 = skip (the caller's filter AND the validity bytes). */
  mask?: Uint8Array | null;
  /** Range window on badness keys (see flat.ts rangeWindow). */
  window?: ScanWindow | null;
  /** float32 accumulation (not bit-exact); default false. */
  fast?: boolean;
}

export interface PoolOptions {
  threads?: number;
  maxQueuedTasks?: number;
  /** Override MIN_PARALLEL_WORK_BYTES (0 = always use the workers). */
  minParallelWorkBytes?: number;
}

/** How a task is run. */
export interface RunOptions {
  /**
   * The task takes about as long as a message to a worker and back (one HNSW walk of a few queries):
   * queued short tasks share messages (`dispatch`). Others go one to a message, so that long tasks
   * (row-range scans, batches) spread over the workers as they free.
   */
  short?: boolean;
}

interface Pending {
  memory: WasmMemory;
  task: PoolTask;
  short: boolean;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** The tasks a worker runs as one message (`id`), in order. */
interface Running {
  id: number;
  items: Pending[];
}

interface Slot {
  worker: Worker;
  busy: Running | null;
  /** The memories this worker holds (posted once each). */
  memories: WorkerMemories;
}

export class WasmPool {
  readonly threads: number;
  private readonly maxQueued: number;
  private readonly minParallelWork: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  /** A dispatch is queued as a microtask (tasks queued in one turn go out together). */
  private dispatchQueued = false;
  private closed = false;
  /** Worker deaths since the last successful task; past MAX_CRASHES the pool gives up. */
  private crashes = 0;
  private broken: Error | null = null;
  /** Drops the memories no task used for MEMORY_IDLE_MS from the workers. */
  private readonly sweeper: ReturnType<typeof setInterval>;
  private readonly unhold: () => void;
  /** Tasks the workers finished (successfully or not) since the pool started. */
  tasksDone = 0;
  /** Messages that carried them (several tasks queued together share one: `dispatch`). */
  messagesSent = 0;

  /**
   * `arena` gives the kernels module, the memory of raw `runTask` calls, and is where callers such as
   * searchExactParallel copy columns that have no memory of their own.
   */
  constructor(readonly arena: WasmArena, opts: PoolOptions = {}) {
    this.threads = Math.max(1, opts.threads ?? availableParallelism());
    this.maxQueued = opts.maxQueuedTasks ?? DEFAULT_MAX_QUEUED_TASKS;
    this.minParallelWork = opts.minParallelWorkBytes ?? MIN_PARALLEL_WORK_BYTES;
    for (let i = 0; i < this.threads; i++) this.slots.push(this.spawn());
    this.sweeper = setInterval(() => { for (const s of this.slots) this.expire(s, Date.now()); }, MEMORY_IDLE_MS);
    this.sweeper.unref();
    this.unhold = holdMemories(this);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Tasks waiting for a worker (not counting running ones). */
  get queuedTasks(): number {
    return this.queue.length;
  }

  /** Answer every job like `searchExact` would (same rows, scores, counts), using all workers. */
  async searchParallel(jobs: readonly PoolJob[]): Promise<ExactSearchResult[]> {
    if (this.closed) throw errors.serviceNotReady('search pool is closed');
    let work = 0;
    for (const j of jobs) work += (j.numRows ?? j.store.numRows) * j.queries.nq * j.store.rowBytes;
    const inline = work < this.minParallelWork;
    const plans: Plan[] = [];
    try {
      for (const j of jobs) this.plan(j, inline ? 1 : this.partsFor(j), plans);
      if (inline) {
        for (const p of plans) for (const t of p.tasks) runTopKTask(p.job.store.arena, t);
      } else {
        await this.runAll(plans);
      }
      return plans.map((p) => this.merge(p));
    } finally {
      for (const p of plans) this.freePlan(p);
    }
  }

  /**
   * Run every planned task, at most LANES_PER_THREAD per thread queued at a time (so a search over
   * thousands of segments does not fill the queue); resolves once none is running, then throws the
   * first failure.
   */
  private async runAll(plans: readonly Plan[]): Promise<void> {
    const all: { task: TopKTask; memory: WasmMemory }[] = [];
    for (const p of plans) for (const task of p.tasks) all.push({ task, memory: p.job.store.arena.memory });
    const room = this.maxQueued - this.queue.length;
    if (room <= 0) throw errors.serviceNotReady(`search queue is full (${this.maxQueued} tasks)`);
    const lanes = Math.min(all.length, this.threads * LANES_PER_THREAD, room);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < all.length) {
        const t = all[next++]!;
        await this.runTask(t.task, t.memory);
      }
    };
    const running: Promise<void>[] = [];
    for (let i = 0; i < lanes; i++) running.push(lane());
    // Wait for every lane, failed or not, before freeing memory a worker may still write.
    const settled = await Promise.allSettled(running);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
  }

  /**
   * Run raw tasks over `memory` and wait for every one of them, failed or not (a worker may still
   * be writing to their scratch), then throw the first failure.
   */
  async runTasks(tasks: readonly PoolTask[], memory: WasmMemory, opts: RunOptions = {}): Promise<void> {
    const settled = await Promise.allSettled(tasks.map((t) => this.runTask(t, memory, opts)));
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
  }

  /** Run one raw task on a worker over `memory` (low level; the pointers are trusted). */
  runTask(task: PoolTask, memory: WasmMemory = this.arena.memory, opts: RunOptions = {}): Promise<void> {
    if (this.closed) return Promise.reject(errors.serviceNotReady('search pool is closed'));
    if (this.broken !== null) return Promise.reject(errors.internal(`search pool is broken: ${this.broken.message}`));
    // Tasks queued in this turn that idle workers will take at the dispatch do not count as waiting.
    if (this.queue.length >= this.maxQueued + this.idleSlots()) return Promise.reject(errors.serviceNotReady(`search queue is full (${this.maxQueued} tasks)`));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ memory, task, short: opts.short === true, resolve, reject });
      if (!this.dispatchQueued) {
        this.dispatchQueued = true;
        queueMicrotask(() => {
          this.dispatchQueued = false;
          this.dispatch();
        });
      }
    });
  }

  private idleSlots(): number {
    let n = 0;
    for (const s of this.slots) if (s.busy === null) n++;
    return n;
  }

  /** Stop every worker; queued and running tasks fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    this.unhold();
    const gone = errors.serviceNotReady('search pool is closed');
    for (const p of this.queue.splice(0)) p.reject(gone);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    // Running tasks fail only once their worker is gone, so nothing writes to memory freed after.
    for (const s of this.slots) if (s.busy !== null) for (const p of s.busy.items) p.reject(gone);
  }

  /** Tell every worker holding `memory` to drop it and its kernels (it was released). */
  forget(memory: WasmMemory): void {
    const id = memoryIds.get(memory);
    if (id === undefined || this.closed) return;
    for (const s of this.slots) if (s.memories.forget(id)) post(s, { type: 'forget', memoryId: id });
  }

  /** Tell the slot's worker to drop the memories it no longer needs to hold (idle, or past the bound). */
  private expire(slot: Slot, nowMs: number): void {
    for (const id of slot.memories.expire(nowMs)) post(slot, { type: 'forget', memoryId: id });
  }

  private spawn(): Slot {
    const init: WorkerInit = { module: this.arena.module, settings: wasmSettings() };
    // The process's loaders and per-thread options, without the V8 flags a worker refuses.
    const execArgv = workerExecArgv();
    const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB };
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: init, execArgv, resourceLimits });
    const slot: Slot = { worker, busy: null, memories: new WorkerMemories() };
    worker.on('message', (msg: ReplyMessage) => this.onReply(slot, msg));
    worker.on('error', (e: Error) => this.onCrash(slot, e));
    worker.on('exit', () => {
      if (!this.closed && this.slots.includes(slot)) this.onCrash(slot, new Error('search worker exited'));
    });
    worker.unref(); // after the listeners: adding a 'message' listener refs the worker again
    return slot;
  }

  private onReply(slot: Slot, msg: ReplyMessage): void {
    const run = slot.busy;
    if (run === null || run.id !== msg.id) return;
    slot.busy = null;
    slot.worker.unref();
    this.crashes = 0;
    this.tasksDone += run.items.length;
    run.items.forEach((p, i) => {
      const failed = msg.ok ? null : msg.failures[i] ?? null;
      if (failed === null) p.resolve();
      else p.reject(errors.internal(`search task failed: ${failed}`));
    });
    this.dispatch();
  }

  /** A worker died: fail its task and replace it. */
  private onCrash(slot: Slot, e: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0 || this.closed) return;
    const run = slot.busy;
    slot.busy = null;
    if (run !== null) for (const p of run.items) p.reject(errors.internal(`search worker failed: ${e.message}`));
    void slot.worker.terminate();
    if (++this.crashes > MAX_CRASHES) {
      this.broken = e;
      for (const q of this.queue.splice(0)) q.reject(errors.internal(`search pool is broken: ${e.message}`));
      return;
    }
    this.slots[i] = this.spawn();
    this.dispatch();
  }

  /**
   * Hand queued tasks to the idle workers. Short tasks go several to a message: an idle worker takes
   * the short ones at the head of the queue, up to its share of the queue (at most
   * MAX_TASKS_PER_MESSAGE), so a search's one-query walks over seven segments cost two messages and
   * replies instead of seven when both workers are free, and one when one is. Other tasks go alone.
   */
  private dispatch(): void {
    let idle = this.idleSlots();
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy !== null) continue;
      const share = Math.min(MAX_TASKS_PER_MESSAGE, Math.ceil(this.queue.length / idle--));
      let take = 1;
      if (this.queue[0]!.short) while (take < share && this.queue[take]!.short) take++;
      const run: Running = { id: this.nextId++, items: this.queue.splice(0, take) };
      slot.busy = run;
      slot.worker.ref();
      const nowMs = Date.now();
      const tasks: TaskEntry[] = [];
      for (const p of run.items) {
        const id = memoryId(p.memory);
        if (slot.memories.use(id, nowMs)) post(slot, { type: 'memory', memoryId: id, memory: p.memory });
        const packed = packPoolTask(p.task);
        tasks.push(packed === null ? { memoryId: id, task: p.task } : { memoryId: id, taskType: packed.type, values: packed.values });
      }
      // Never one of this message's memories: they were just used, and a message holds fewer than the bound.
      this.expire(slot, nowMs);
      post(slot, { type: 'tasks', id: run.id, tasks });
      this.messagesSent++;
    }
  }

  private partsFor(j: PoolJob): number {
    const n = j.numRows ?? j.store.numRows;
    const work = n * j.queries.nq * j.store.rowBytes;
    return Math.max(1, Math.min(this.threads, Math.floor(work / MIN_TASK_WORK_BYTES), n));
  }

  /** Split a job into `parts` row ranges with their scratch and outputs; appended to `plans` at once (for freeing). */
  private plan(j: PoolJob, parts: number, plans: Plan[]): void {
    const { store, queries, topK } = j;
    assert(queries.kind === store.code && queries.dim === store.dim, 'queries match the store');
    assert(queries.arena === store.arena, 'queries live in the store\'s arena');
    assert(Number.isInteger(topK) && topK >= 1, 'topK >= 1');
    const n = j.numRows ?? store.numRows;
    assert(Number.isInteger(n) && n >= 0 && n <= store.numRows, 'numRows within the store');
    const a = store.arena;
    const m = store.metric(j.metric);
    const negate = !smallerIsBetter(j.metric);
    store.pin();
    const plan: Plan = { job: j, negate, mask: 0, tasks: [], scratch: new ArenaScratch(a) };
    plans.push(plan);
    const norms = store.normsFor(m, true);
    const take = (bytes: number): number => plan.scratch.take(bytes);
    const mask = j.mask ?? null;
    if (mask !== null) {
      assert(mask.length >= n, 'mask covers the rows');
      plan.mask = take(n);
      a.u8.set(mask.subarray(0, n), plan.mask);
    }
    const nq = queries.nq;
    const window = j.window ?? null;
    for (let part = 0; part < parts; part++) {
      const start = Math.floor((n * part) / parts), end = Math.floor((n * (part + 1)) / parts);
      plan.tasks.push({
        kind: store.code, metric: m, fast: j.fast ? 1 : 0, bounded: 1, dim: store.dim, base: store.ptr, norms,
        queries: queries.ptr, qNorms: queries.normsPtr, nq, start, end, mask: plan.mask, dists: take(DIST_BLOCK_ROWS * 4),
        topK, negate, lo: window?.lo ?? -Infinity, hi: window?.hi ?? Infinity, ranged: window !== null,
        outRows: take(nq * topK * 4), outScores: take(nq * topK * 4), outCounts: take(nq * 4),
      });
    }
  }

  /** Fold the parts' best-first hits into one heap per query (same total order as one scan). */
  private merge(p: Plan): ExactSearchResult {
    const nq = p.job.queries.nq;
    const k = p.job.topK;
    const negate = p.negate;
    const heaps = new TopKHeaps(nq, k);
    const a = p.job.store.arena;
    for (const t of p.tasks) {
      const i32 = a.i32, f32 = a.f32;
      const r0 = t.outRows >>> 2, s0 = t.outScores >>> 2, c0 = t.outCounts >>> 2;
      for (let q = 0; q < nq; q++) {
        const count = i32[c0 + q]!;
        for (let i = 0; i < count; i++) {
          const s = f32[s0 + q * k + i]!;
          heaps.push(q, negate ? -s : s, i32[r0 + q * k + i]!);
        }
      }
    }
    const outRows = new Int32Array(nq * k).fill(-1);
    const outScores = new Float32Array(nq * k).fill(negate ? -Infinity : Infinity);
    const counts = new Int32Array(nq);
    for (let q = 0; q < nq; q++) counts[q] = heaps.drainSorted(q, outRows, outScores, q * k, negate);
    return { nq, topK: k, rows: outRows, scores: outScores, counts };
  }

  private freePlan(p: Plan): void {
    p.scratch.releaseAll();
    p.job.store.unpin();
  }
}

interface Plan {
  job: PoolJob;
  negate: boolean;
  mask: number;
  tasks: TopKTask[];
  scratch: ArenaScratch;
}

function post(slot: Slot, msg: WorkerMessage): void {
  slot.worker.postMessage(msg);
}

/** Process-unique ids of the memories tasks run over (a posted memory arrives as a new object). */
const memoryIds = new WeakMap<WasmMemory, number>();
let nextMemoryId = 1;

function memoryId(memory: WasmMemory): number {
  let id = memoryIds.get(memory);
  if (id === undefined) memoryIds.set(memory, (id = nextMemoryId++));
  return id;
}


/** Where a task left its answers: nq * topK rows and scores (best first) and nq counts. */
export interface TaskOutputs {
  nq: number;
  outRows: number;
  outScores: number;
  outCounts: number;
}

/** The answers of tasks that split nq queries in order, as one result (unfilled slots padded). */
export function gatherTaskOutputs(arena: WasmArena, parts: readonly TaskOutputs[], nq: number, topK: number, negate: boolean): ExactSearchResult {
  const out: ExactSearchResult = {
    nq, topK, rows: new Int32Array(nq * topK).fill(-1),
    scores: new Float32Array(nq * topK).fill(negate ? -Infinity : Infinity), counts: new Int32Array(nq),
  };
  const i32 = arena.i32, f32 = arena.f32;
  let q = 0;
  for (const t of parts) {
    for (let i = 0; i < t.nq; i++, q++) {
      const n = i32[(t.outCounts >>> 2) + i]!;
      const at = i * topK;
      out.counts[q] = n;
      out.rows.set(i32.subarray((t.outRows >>> 2) + at, (t.outRows >>> 2) + at + n), q * topK);
      out.scores.set(f32.subarray((t.outScores >>> 2) + at, (t.outScores >>> 2) + at + n), q * topK);
    }
  }
  return out;
}
