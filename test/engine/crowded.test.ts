/**
 * Concurrent searches use the search threads (issue 12, throughput under concurrency): one query on
 * one indexed segment runs on the calling thread when the search is alone, and on the workers when
 * other searches are in flight, up to `spreadLimit` (workers - 1) of them at once while the others
 * walk on the calling thread, with the same hits and scores either way. With `yieldLoneSearches`
 * (what the server sets) a lone search first waits one event-loop turn, so that searches arriving
 * with it are not alone either; without it (embedded) a search starts at once. The unfiltered
 * one-query walks in flight together share worker tasks (test/index/hnsw-pool.test.ts; with two workers only one walks there at a time).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Column } from '../../src/schema/column.js';
import { SearchThreads } from '../../src/engine/search-threads.js';
import { SextantService } from '../../src/service/service.js';
import type { SearchRequest, SearchResult } from '../../src/service/types.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';
import { withTempDir } from '../support/tmp.js';

const skip = process.env['SEXTANT_WASM'] === 'off' ? 'SEXTANT_WASM=off' : false;
const DIM = 24;
const ROWS = 12_000;
const SEARCHES = 16;

function oneQuery(r: () => number): Column {
  const data = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) data[i] = r() * 2 - 1;
  return { kind: 'floatVector', dim: DIM, data, valid: null };
}

/** One sealed HNSW segment of ROWS rows, its index built, loaded. */
async function indexedCollection(svc: SextantService): Promise<void> {
  await svc.createCollection(vectorCollection('h', DIM));
  const r = rng(41);
  for (let first = 0; first < ROWS; first += 4000) await svc.insert({ collectionName: 'h', numRows: 4000, columns: batch(first, 4000, DIM, r) });
  await svc.flush({ collectionNames: ['h'] });
  await svc.createIndex({ collectionName: 'h', fieldName: 'vec', params: { index_type: 'HNSW', metric_type: 'L2', M: '8', efConstruction: '64' } });
  for (let i = 0; i < 6000; i++) {
    const [d] = await svc.describeIndex({ collectionName: 'h' });
    if (d?.state === 'Finished') break;
    assert.notEqual(d?.state, 'Failed');
    await new Promise((r) => setTimeout(r, 20));
  }
  await svc.loadCollection({ collectionName: 'h' });
}

function requests(): SearchRequest[] {
  const r = rng(42);
  const out: SearchRequest[] = [];
  for (let i = 0; i < SEARCHES; i++) {
    out.push({ collectionName: 'h', nq: 1, topK: 10, vectors: oneQuery(r), outputFields: ['score'], params: { ef: 64 }, ...(i % 4 === 3 ? { filter: 'id % 3 == 1' } : {}) });
  }
  return out;
}

function sameHits(got: readonly SearchResult[], want: readonly SearchResult[]): void {
  for (let i = 0; i < want.length; i++) {
    assert.deepEqual(got[i]!.ids, want[i]!.ids, `search ${i}: ids`);
    assert.deepEqual(got[i]!.scores, want[i]!.scores, `search ${i}: scores`);
    assert.deepEqual(got[i]!.topks, want[i]!.topks, `search ${i}: topks`);
  }
}

for (const yieldLoneSearches of [true, false]) {
  test(`searches in flight together run on the workers, a lone one inline, same answers (yieldLoneSearches ${yieldLoneSearches})`, { skip, timeout: 120_000 }, async (t) => {
    await withTempDir(async (dir) => {
      const svc = await SextantService.open({ dataDir: dir, sealRows: 50_000, searchThreads: 2, yieldLoneSearches });
      try {
        await indexedCollection(svc);
        const reqs = requests();
        const threads = svc.engine.searchThreads;
        const pool = threads.get();
        assert.ok(pool !== null, 'the engine has search threads');
        // One at a time: every search is alone, so none goes to the workers.
        const alone: SearchResult[] = [];
        for (const q of reqs) alone.push(await svc.search(q));
        assert.equal(threads.crowdedSearches, 0, 'a lone search is not crowded');
        assert.equal(pool.tasksDone, 0, 'a lone nq=1 search on one segment runs on the calling thread');
        // All at once: the searches see each other and walk on the workers.
        const together = await Promise.all(reqs.map((q) => svc.search(q)));
        t.diagnostic(`crowded searches ${threads.crowdedSearches} of ${SEARCHES}, ${threads.spreadSearches} on the workers; worker tasks ${pool.tasksDone}`);
        // Without the yield the first search starts alone (inline); every later one sees it in flight.
        assert.ok(threads.crowdedSearches >= SEARCHES - 1, `searches in flight together are crowded (${threads.crowdedSearches})`);
        // More searches in flight than workers: all the crowded ones walk there, in shared tasks
        // (index/impl/hnsw/walk-batch.ts): fewer tasks than searches.
        // (The last one or two may find fewer in flight than workers once the others have ended.)
        assert.ok(threads.spreadSearches >= threads.crowdedSearches - 2, `with 16 in flight the crowded searches walk on the workers (${threads.spreadSearches} of ${threads.crowdedSearches})`);
        assert.ok(pool.tasksDone >= 2 && pool.tasksDone <= SEARCHES / 2, `the workers walked the graph, in shared tasks (${pool.tasksDone} tasks)`);
        sameHits(together, alone);
        // Two at a time (as many as the workers): at most spreadLimit (1) of each pair walks there, the other here meanwhile.
        assert.equal(threads.spreadLimit, 1);
        const [crowded0, spread0, tasks0] = [threads.crowdedSearches, threads.spreadSearches, pool.tasksDone];
        const paired: SearchResult[] = [];
        for (let i = 0; i < SEARCHES; i += 2) paired.push(...await Promise.all([svc.search(reqs[i]!), svc.search(reqs[i + 1]!)]));
        const [crowdedPairs, spreadPairs] = [threads.crowdedSearches - crowded0, threads.spreadSearches - spread0];
        t.diagnostic(`pairs: crowded ${crowdedPairs}, on the workers ${spreadPairs}, tasks ${pool.tasksDone - tasks0}`);
        assert.ok(crowdedPairs >= SEARCHES / 2, `the second search of each pair is crowded (${crowdedPairs})`);
        assert.ok(spreadPairs >= 1 && spreadPairs <= SEARCHES / 2, `one search of a pair at most walks on the workers (${spreadPairs})`);
        assert.ok(pool.tasksDone - tasks0 <= spreadPairs, 'no more worker tasks than searches sent there');
        sameHits(paired, alone);
        // And alone again afterwards: back inline.
        const before = pool.tasksDone;
        sameHits([await svc.search(reqs[0]!)], [alone[0]!]);
        assert.equal(pool.tasksDone, before, 'alone again: inline');
      } finally {
        await svc.close();
      }
    });
  });
}

test('two callers that chain searches on promises both make progress; walks this short stay on the calling thread', { skip, timeout: 120_000 }, async (t) => {
  await withTempDir(async (dir) => {
    // Embedded (no yield for a lone search): each caller awaits its search and starts the next at once,
    // with no event-loop turn between them. Before SearchThreads.afterSpread, the caller walking on this
    // thread kept doing so while the worker's reply to the other waited: 399 searches to 1 here, 499 to 1
    // at 100k rows. (Walks long enough to pay for the hop, 1M rows, are measured by bench/scale.ts.)
    const svc = await SextantService.open({ dataDir: dir, sealRows: 50_000, searchThreads: 2 });
    try {
      await indexedCollection(svc);
      const reqs = requests().filter((q) => q.filter === undefined);
      const threads = svc.engine.searchThreads;
      const alone: SearchResult[] = [];
      for (const q of reqs) alone.push(await svc.search(q));
      const TOTAL = 400;
      const done = [0, 0];
      const got: SearchResult[] = new Array<SearchResult>(TOTAL);
      let next = 0;
      const caller = async (c: number): Promise<void> => {
        for (let i = next++; i < TOTAL; i = next++) {
          got[i] = await svc.search(reqs[i % reqs.length]!);
          done[c]!++;
        }
      };
      const spread0 = threads.spreadSearches;
      await Promise.all([caller(0), caller(1)]);
      const spread = threads.spreadSearches - spread0;
      t.diagnostic(`searches per caller ${done.join(' / ')}, on the workers ${spread}`);
      assert.ok(Math.min(done[0]!, done[1]!) >= TOTAL / 5, `both callers make progress (${done.join(' / ')})`);
      // A 12k x 24 walk is shorter than the wait for a worker's answer (SearchThreads.walkedHere): after
      // the first measures, only the probes go there, fewer and fewer (measured: 6 of 400; 36-39 when
      // every 8th crowded search probed).
      assert.ok(spread <= TOTAL / 20, `short walks stay on the calling thread (${spread} of ${TOTAL} on the workers)`);
      for (let i = 0; i < TOTAL; i++) sameHits([got[i]!], [alone[i % reqs.length]!]);
    } finally {
      await svc.close();
    }
  });
});

/**
 * Crowded searches on a SearchThreads with two workers (two in flight), each spread one answered by
 * `waited(waitMs)`: the index (1-based) of the first crowded search that spread while spreading paid
 * (two in a row: a probe is followed by at least PROBE_EVERY that do not spread), or -1; and the spread count.
 */
function spreadAfter(threads: SearchThreads, waitMs: number, limit: number): { paidAt: number; spread: number } {
  let last = false, spread = 0;
  for (let i = 1; i <= limit; i++) {
    const now = threads.crowded();
    if (now) {
      spread++;
      threads.spreadDone();
      threads.waited(waitMs);
    }
    if (now && last) return { paidAt: i, spread };
    last = now;
  }
  return { paidAt: -1, spread };
}

test('a few quick probes undo a cold start; waits longer than the walks keep them on the calling thread', { skip }, async () => {
  // Decided from the two moving averages only: no walk is run (the pool's workers are never asked).
  const cold = new SearchThreads(2);
  const quick = new SearchThreads(2);
  try {
    for (const t of [cold, quick]) {
      assert.notEqual(t.get(), null, 'a pool');
      t.enter();
      t.enter();
    }
    // 1M x 128 HNSW ef 256 here: walks of ~0.5 ms on this thread; a fresh process's first waits for
    // workers that had not walked yet were capped at 1 ms, then 0.1-0.2 ms.
    for (let i = 0; i < 4; i++) cold.walkedHere(0.5);
    for (let i = 0; i < 8; i++) cold.waited(1);
    const c = spreadAfter(cold, 0.1, 2000);
    // Probes come after 8, 16, 32, .. crowded searches: two quick ones (weight 1/2 each) bring the wait
    // under the walk by the 25th; as a running mean of all waits it took 889 searches.
    assert.ok(c.paidAt > 0 && c.paidAt <= 40, `spreading pays again after ${c.paidAt} crowded searches`);
    // 12k x 24 walks: 0.05 ms here, against waits of 0.3 ms: only the probes spread, fewer and fewer.
    for (let i = 0; i < 4; i++) quick.walkedHere(0.05);
    for (let i = 0; i < 8; i++) quick.waited(0.3);
    const q = spreadAfter(quick, 0.3, 2000);
    assert.equal(q.paidAt, -1, 'spreading never pays');
    assert.ok(q.spread <= 20, `only probes spread (${q.spread} of 2000)`);
  } finally {
    for (const t of [cold, quick]) { t.leave(); t.leave(); }
    await cold.close();
    await quick.close();
  }
});
