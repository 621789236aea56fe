/**
 * Batching of the one-query graph walks in flight on one index (issue 12: throughput under
 * concurrency). Each walk sent to the worker pool alone costs a message, a reply, a wake-up of a
 * worker, scratch and a query copy on the calling thread; with many searches in flight that
 * per-walk cost, not the walk, fills the calling thread. So: while every pool lane is walking,
 * queries that arrive wait here, and when a lane comes back all the waiting queries with the same
 * (ef, topK) go as one task (one message, one reply, one scratch, one query block). A query that
 * finds a lane free goes at once, so a lone search pays no added latency.
 * Each query is walked exactly as it would be alone (the walk keeps no state between queries but
 * its visited stamps), so answers are identical however queries are grouped.
 */
import { errors } from '../../../core/errors.js';
import type { ExactSearchResult } from '../../types.js';

/** One task walks at most this many queries (bounds the wait of the last one in a batch). */
export const MAX_BATCH_QUERIES = 64;
/** Queries waiting for a lane at most (past it a search is refused, retriable, as a full pool queue). */
export const MAX_WAITING_QUERIES = 4096;

/** The queries of one batch, concatenated (nq rows of dim floats), and their walk parameters. */
export interface WalkBatch {
  queries: Float32Array;
  nq: number;
  ef: number;
  topK: number;
}

interface Waiting {
  queries: Float32Array;
  nq: number;
  ef: number;
  topK: number;
  resolve: (r: ExactSearchResult) => void;
  reject: (e: unknown) => void;
}

export class WalkBatcher {
  private running = 0;
  private waitingQueries = 0;
  private readonly waiting: Waiting[] = [];
  /** Tasks sent and queries walked (batches of one included), for tests and the bench. */
  readonly stats = { tasks: 0, queries: 0 };

  /**
   * `run` walks one batch on the pool (one task); `lanes` is how many may run at once (the pool's
   * threads, read per submission so a resized pool is followed).
   */
  constructor(private readonly run: (b: WalkBatch) => Promise<ExactSearchResult>, private readonly lanes: () => number) {}

  /** Walk `nq` queries (`queries` holds nq * dim floats); resolves with their hits alone. */
  submit(queries: Float32Array, nq: number, ef: number, topK: number): Promise<ExactSearchResult> {
    return new Promise<ExactSearchResult>((resolve, reject) => {
      const w: Waiting = { queries, nq, ef, topK, resolve, reject };
      if (this.running < this.lanes() && this.waiting.length === 0) {
        this.start([w]);
        return;
      }
      if (this.waitingQueries + nq > MAX_WAITING_QUERIES) {
        reject(errors.serviceNotReady(`search queue is full (${MAX_WAITING_QUERIES} queries waiting)`));
        return;
      }
      this.waiting.push(w);
      this.waitingQueries += nq;
    });
  }

  /** Start waiting batches while lanes are free: the oldest query's (ef, topK), up to MAX_BATCH_QUERIES. */
  private drain(): void {
    while (this.running < this.lanes() && this.waiting.length > 0) {
      const head = this.waiting[0]!;
      const take: Waiting[] = [];
      let nq = 0;
      for (let i = 0; i < this.waiting.length; ) {
        const w = this.waiting[i]!;
        if (w.ef === head.ef && w.topK === head.topK && (take.length === 0 || nq + w.nq <= MAX_BATCH_QUERIES)) {
          take.push(w);
          nq += w.nq;
          this.waiting.splice(i, 1);
        } else {
          i++;
        }
      }
      this.waitingQueries -= nq;
      this.start(take);
    }
  }

  private start(items: readonly Waiting[]): void {
    const first = items[0]!;
    let nq = 0;
    for (const w of items) nq += w.nq;
    let queries = first.queries;
    if (items.length > 1) {
      queries = new Float32Array(nq * (first.queries.length / first.nq));
      let at = 0;
      for (const w of items) {
        queries.set(w.queries, at);
        at += w.queries.length;
      }
    }
    this.running++;
    this.stats.tasks++;
    this.stats.queries += nq;
    let walk: Promise<ExactSearchResult>;
    try {
      walk = this.run({ queries, nq, ef: first.ef, topK: first.topK });
    } catch (e) {
      walk = Promise.reject(e);
    }
    walk.then((r) => splitResult(r, items), (e: unknown) => { for (const w of items) w.reject(e); })
      .finally(() => {
        this.running--;
        this.drain();
      });
  }
}

/** Hand each waiting search its own queries' hits (copies: each caller owns its result). */
function splitResult(r: ExactSearchResult, items: readonly Waiting[]): void {
  const k = r.topK;
  let q0 = 0;
  for (const w of items) {
    const q1 = q0 + w.nq;
    w.resolve({
      nq: w.nq, topK: k, rows: r.rows.slice(q0 * k, q1 * k), scores: r.scores.slice(q0 * k, q1 * k), counts: r.counts.slice(q0, q1),
    });
    q0 = q1;
  }
}
