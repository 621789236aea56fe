/**
 * SearchThreads: the engine's search worker pool and the count of searches in flight that decides
 * which of them walk on the workers (issue 12, throughput under concurrency; engine/read.ts runs them).
 */
import { availableParallelism } from 'node:os';
import { assert } from '../core/assert.js';
import { errors } from '../core/errors.js';
import { defaultArena } from '../index/wasm/exact.js';
import { WasmPool, type PoolOptions } from '../index/wasm/pool.js';

/**
 * The engine's search threads: one WasmPool, created on first use and sized to the cores (the
 * engine's `searchThreads` option overrides; 0 = every search on the calling thread), closed with the engine.
 * Idle workers do not keep the process alive.
 * It also counts the searches in flight (`enter` / `leave` around each): a search that is not alone
 * is `crowded` and walks on the workers even for one query on one segment, up to `spreadLimit` such
 * searches at a time (the rest walk on this thread meanwhile), so concurrent searches use every core.
 */
export class SearchThreads {
  private pool: WasmPool | null = null;
  private closed = false;
  private opts: PoolOptions = {};
  /** Searches between `enter` and `leave`. */
  private active = 0;
  /** Searches that started while others were in flight (for tests and metrics). */
  crowdedSearches = 0;
  /** Of those, the ones that walked on the workers (at most `spreadLimit` at a time while no more searches are in flight than workers). */
  spreadSearches = 0;
  private spreading = 0;
  /** Moving averages (ms): walks of crowded searches on this thread (`walkedHere`), and `afterSpread`'s waits. */
  private inlineMs = 0;
  private waitMs = 0;
  private sinceProbe = 0;
  /** Crowded searches between probes while spreading does not pay (PROBE_EVERY, doubled per probe up to PROBE_EVERY_MAX). */
  private probeEvery = PROBE_EVERY;
  private walks = 0;
  private waits = 0;
  /** `spreadDone` wake-ups not yet run. */
  private wakesPending = 0;
  /** Searches waiting in `enter` for a spread search to end. */
  private readonly waiters: (() => void)[] = [];

  /** `yieldLone`: see `enter` (the engine's `yieldLoneSearches` option). */
  constructor(private threads: number = availableParallelism(), private readonly yieldLone = false) {
    checkSearchThreads(threads);
  }

  /** The pool, or null when searches run inline (0 threads, no wasm kernels, engine closed). */
  get(): WasmPool | null {
    if (this.pool !== null || this.closed || this.threads === 0) return this.pool;
    const arena = defaultArena();
    if (arena === null) return null;
    this.pool = new WasmPool(arena, { ...this.opts, threads: this.threads });
    return this.pool;
  }

  /**
   * A search starts (call before resolving anything it reads: collection, segments; `leave` after).
   * With `yieldLone` (servers), a search that is alone while there are workers first waits one turn
   * of the event loop (the promise returned), so that requests which arrived with it start too: then
   * none is alone and they all go to the workers. A search that starts while others walk on the
   * workers and may walk here waits for one of them (`afterSpread`). Otherwise null: start at once
   * (an embedded caller's lone search sees the state at the call).
   */
  enter(): Promise<void> | null {
    this.active++;
    if (this.pool !== null && this.active <= this.pool.threads) {
      if (this.spreading > 0) return this.afterSpread();
      // Searches woken by `spreadDone` go first (a caller chaining searches on promises would otherwise
      // walk here again and again before their turn comes).
      if (this.wakesPending > 0) return new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (!this.yieldLone || this.active !== 1 || this.get() === null) return null;
    return new Promise<void>((resolve) => setImmediate(resolve));
  }

  /**
   * A search that starts while others walk on the workers, and may walk here (see `crowded`), first
   * waits for one of them to end, and then one turn more, at most SPREAD_WAIT_MS. The search that
   * ended gives its caller the answer and, when that caller goes on searching, posts its next walk
   * before this thread is busy with this one. Without the wait, a caller that chains searches on
   * promises (no event-loop turn between them) walks here again and again while the worker's reply
   * waits: two embedded streams measured 499 searches to 1 (100k x 128 HNSW ef 256, 3,785 QPS with
   * one stream, 3,877 with two); with one turn of waiting and no more, 337 to 163 (4,145 QPS): the
   * worker's reply came just after this thread began its next walk, so that lane ran at half speed.
   */
  private afterSpread(): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiters = this.waiters, t0 = performance.now();
      let timer: NodeJS.Timeout | null = null;
      const wake = (): void => {
        if (timer !== null) clearTimeout(timer);
        const i = waiters.indexOf(wake);
        if (i >= 0) waiters.splice(i, 1);
        // A wait ends at SPREAD_WAIT_MS (a later timer only says this thread was busy meanwhile).
        this.waited(Math.min(performance.now() - t0, SPREAD_WAIT_MS));
        resolve();
      };
      timer = setTimeout(wake, SPREAD_WAIT_MS);
      waiters.push(wake);
    });
  }

  /**
   * A search waited `ms` for a spread one (`afterSpread`). While spreading does not pay, only probes
   * measure waits, and seldom (`spreadPays`): such a measure weighs PROBE_WEIGHT, so that a few quick
   * waits undo the first ones, which wait for workers that have not walked yet. With the running mean
   * alone, a fresh process's first two-stream searches over 1M x 128 (seven waits of ~1 ms against
   * walks of 0.54 ms here) kept both streams on this thread for over 3,600 searches.
   */
  waited(ms: number): void {
    const probing = this.waitMs > this.inlineMs;
    this.waitMs = movingAverage(this.waitMs, ms, this.waits++, probing ? PROBE_WEIGHT : EWMA_WEIGHT);
  }

  /**
   * A crowded search walked on this thread for `ms` (see `crowded`): with no more searches in flight
   * than workers, sending one to the workers pays only while this thread's walks last longer than it
   * waits for the workers' (`afterSpread`): 1M x 128 HNSW ef 256, a 0.9 ms walk against a 0.1-0.2 ms
   * wait, 1.7x one stream's QPS with two; 20k rows, a 0.15 ms walk against waits of 0.3 ms and more
   * for a worker to wake and answer on this VM, 0.4x.
   */
  walkedHere(ms: number): void {
    this.inlineMs = movingAverage(this.inlineMs, ms, this.walks++);
  }

  /**
   * Whether spreading a search pays (see `walkedHere`); while it does not, yes now and then (a probe,
   * to measure the wait again): after PROBE_EVERY crowded searches, then twice as many after each
   * probe up to PROBE_EVERY_MAX. A probe costs the searches that wait for it (`afterSpread`): two
   * streams of 20k x 128 HNSW ef 64 walks (0.07 ms) made 0.70x one stream's QPS probing every 8th,
   * 0.93-0.95x backing off.
   */
  private spreadPays(): boolean {
    if (this.waitMs <= this.inlineMs) {
      this.probeEvery = PROBE_EVERY;
      return true;
    }
    if (++this.sinceProbe < this.probeEvery) return false;
    this.sinceProbe = 0;
    this.probeEvery = Math.min(2 * this.probeEvery, PROBE_EVERY_MAX);
    return true;
  }

  leave(): void {
    this.active--;
  }

  /**
   * Whether the calling search should walk on the workers: other searches are in flight next to it
   * (see `enter`; counted in `crowdedSearches` when there are workers) and either more searches are in
   * flight than there are workers, or fewer than `spreadLimit` crowded searches are on the workers
   * already. The others walk on this thread meanwhile: a search handed to a worker costs this thread the hop too (measured at 20k x 128 HNSW, ef 64, embedded
   * client: 82-92 us CPU per search inline, 163-222 us with every one of two streams on the workers),
   * so on 2 cores two streams only gain when one walks here while the other walks there. A true answer
   * must be paired with `spreadDone` when the search ends.
   */
  crowded(): boolean {
    if (this.active <= 1 || this.pool === null) return false;
    this.crowdedSearches++;
    // More searches in flight than workers (a server under load): every one goes to the workers, where
    // the one-query walks queued together share tasks and the hop is paid once per task (server suite,
    // 20k x 128 HNSW ef 64, 32 in flight: main thread 0.09-0.10 ms per search this way, 0.18-0.20 ms
    // with all but one walking here). Up to as many as workers (two embedded streams): the limit, and
    // only while it pays (`walkedHere`).
    if (this.active <= this.pool.threads && (this.spreading >= this.spreadLimit || !this.spreadPays())) return false;
    this.spreading++;
    this.spreadSearches++;
    return true;
  }

  /**
   * Run one search's walk: `run(spread)` with `crowded`'s answer, paired with `spreadDone`; a crowded
   * search walking here is timed (`walkedHere`).
   */
  async walk<R>(run: (spread: boolean) => Promise<R>): Promise<R> {
    const spread = this.crowded();
    const t0 = !spread && this.active > 1 && this.pool !== null ? performance.now() : -1;
    try {
      const r = await run(spread);
      if (t0 >= 0) this.walkedHere(performance.now() - t0);
      return r;
    } finally {
      if (spread) this.spreadDone();
    }
  }

  /** A search `crowded` sent to the workers has ended: searches waiting for it (`afterSpread`) start after one turn. */
  spreadDone(): void {
    this.spreading--;
    if (this.waiters.length === 0) return;
    const woken = this.waiters.splice(0);
    this.wakesPending++;
    setImmediate(() => {
      this.wakesPending--;
      for (const w of woken) w();
    });
  }

  /** Crowded searches on the workers at once: one fewer than the workers (the calling thread is a core too), at least one. */
  get spreadLimit(): number {
    return Math.max(1, (this.pool?.threads ?? 1) - 1);
  }

  /** Use `threads` workers from the next search on (0 = inline); searches still running on the old pool fail (retriable). */
  async resize(threads: number, opts: Omit<PoolOptions, 'threads'> = {}): Promise<void> {
    assert(Number.isInteger(threads) && threads >= 0, 'thread count');
    this.threads = threads;
    this.opts = opts;
    const old = this.pool;
    this.pool = null;
    await old?.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    const old = this.pool;
    this.pool = null;
    await old?.close();
  }
}

/** Weight of a new measure in SearchThreads' moving averages; of a probe's wait (`waited`). */
const EWMA_WEIGHT = 1 / 16;
const PROBE_WEIGHT = 1 / 2;

/** `avg` moved toward `x`, the `n`-th measure (0-based): the plain mean of the first ones, then `weight`. */
function movingAverage(avg: number, x: number, n: number, weight = EWMA_WEIGHT): number {
  return avg + (x - avg) * Math.max(weight, 1 / (n + 1));
}
/**
 * Crowded searches between probes while spreading does not pay: PROBE_EVERY at first, twice as many
 * after each probe, up to PROBE_EVERY_MAX (SearchThreads.spreadPays).
 */
const PROBE_EVERY = 8;
const PROBE_EVERY_MAX = 128;

/** How long a search waits at most for a spread search to end before walking on the calling thread (SearchThreads.afterSpread). */
export const SPREAD_WAIT_MS = 1;

/** A search thread count from options: a whole number (0 = every search on the calling thread). */
export function checkSearchThreads(threads: number): void {
  if (!Number.isSafeInteger(threads) || threads < 0) {
    throw errors.invalidParameter('searchThreads', { expected: 'a whole number (0 = search on the calling thread)', actual: String(threads) });
  }
}
