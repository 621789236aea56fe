/**
 * Searches over several segments run on the engine's worker threads: the same hits and scores as
 * the inline path (filters, deletes, ranges, offsets, nq batches, sealed + growing data); a release
 * while a search runs is safe; the event loop stays free during a big exact search; closing the
 * engine ends the workers. Prints exact-search QPS through the service on 100k x 128 with the
 * inline path and with 1 and 2 worker threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { MilvusError } from '../../src/core/errors.js';
import type { Column } from '../../src/schema/column.js';
import { SextantService } from '../../src/service/service.js';
import type { SearchRequest, SearchResult } from '../../src/service/types.js';
import { residentArena } from '../../src/index/wasm/exact.js';
import type { WasmArena } from '../../src/index/wasm/arena.js';
import type { WasmColumn } from '../../src/index/wasm/store.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';
import { withTempDir } from '../support/tmp.js';

const skip = process.env['SEXTANT_WASM'] === 'off' ? 'SEXTANT_WASM=off' : false;

function vectors(nq: number, dim: number, r: () => number): Column {
  const data = new Float32Array(nq * dim);
  for (let i = 0; i < data.length; i++) data[i] = r() * 2 - 1;
  return { kind: 'floatVector', dim, data, valid: null };
}

/** A collection of `rows` rows: sealed segments of `sealRows` (flushed, indexed (FLAT by default), loaded) plus `growing` unflushed rows. */
async function collection(
  svc: SextantService, name: string, dim: number, metric: string, rows: number, growing: number, seed: number, indexType = 'FLAT',
): Promise<void> {
  await svc.createCollection(vectorCollection(name, dim));
  const r = rng(seed);
  const step = 5000;
  for (let first = 0; first < rows; first += step) {
    await svc.insert({ collectionName: name, numRows: Math.min(step, rows - first), columns: batch(first, Math.min(step, rows - first), dim, r) });
  }
  await svc.flush({ collectionNames: [name] });
  if (growing > 0) await svc.insert({ collectionName: name, numRows: growing, columns: batch(rows, growing, dim, r) });
  const params: Record<string, string> = indexType === 'HNSW' ? { M: '8', efConstruction: '64' } : {};
  await svc.createIndex({ collectionName: name, fieldName: 'vec', params: { index_type: indexType, metric_type: metric, ...params } });
  await svc.loadCollection({ collectionName: name });
}

/** The arenas of a collection's loaded (resident) vector columns. */
function residentArenas(svc: SextantService, name: string): WasmArena[] {
  const out: WasmArena[] = [];
  for (const c of svc.engine.collections.values()) {
    if (c.name !== name) continue;
    for (const p of c.partitions.values()) {
      for (const s of p.sealed) for (const res of s.residents ?? []) {
        const a = residentArena(res.column as WasmColumn);
        if (a !== null) out.push(a);
      }
    }
  }
  return out;
}

function randomSearch(name: string, metric: string, dim: number, r: () => number): SearchRequest {
  const filters = ['', 'score > 900', 'tag == "t3"', 'id < 4000 or id > 15000', 'tag in ["t1", "t2"] and score < 1500'];
  const nq = [1, 2, 7, 16][Math.floor(r() * 4)]!;
  const req: SearchRequest = {
    collectionName: name, nq, topK: 1 + Math.floor(r() * 60), vectors: vectors(nq, dim, r),
    filter: filters[Math.floor(r() * filters.length)]!, outputFields: ['score'],
  };
  if (r() < 0.25) req.offset = Math.floor(r() * 10);
  if (r() < 0.2) req.params = metric === 'L2' ? { radius: 7.5, range_filter: 5 } : { radius: 0.5, range_filter: 3 };
  return req;
}

test('searches on 2 worker threads answer exactly like the inline path (filters, deletes, ranges, growing + sealed)', { skip, timeout: 120_000 }, async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir, sealRows: 6000 });
    try {
      const dim = 24;
      await collection(svc, 'l2', dim, 'L2', 19_000, 2500, 11);
      await collection(svc, 'ip', dim, 'IP', 19_000, 2500, 12);
      for (const name of ['l2', 'ip']) await svc.delete({ collectionName: name, filter: 'id % 7 == 3 or (id > 8000 and id < 8300)' });
      assert.ok(residentArenas(svc, 'l2').length >= 2, 'several sealed segments are resident');
      const r = rng(13);
      const reqs: SearchRequest[] = [];
      for (let i = 0; i < 48; i++) reqs.push(i % 2 === 0 ? randomSearch('l2', 'L2', dim, r) : randomSearch('ip', 'IP', dim, r));
      await svc.engine.searchThreads.resize(0);
      const inline: SearchResult[] = [];
      for (const q of reqs) inline.push(await svc.search(q));
      await svc.engine.searchThreads.resize(2, { minParallelWorkBytes: 0 });
      const pool = svc.engine.searchThreads.get();
      assert.ok(pool !== null && pool.threads === 2);
      // Concurrent searches too: several in flight on the same memories at once.
      const parallel = await Promise.all(reqs.map((q) => svc.search(q)));
      assert.ok(pool.tasksDone >= reqs.length, `the workers ran the scans (${pool.tasksDone} tasks)`);
      let hits = 0;
      for (let i = 0; i < reqs.length; i++) {
        assert.deepEqual(parallel[i]!.ids, inline[i]!.ids, `search ${i}: ids`);
        assert.deepEqual(parallel[i]!.scores, inline[i]!.scores, `search ${i}: scores`);
        assert.deepEqual(parallel[i]!.topks, inline[i]!.topks, `search ${i}: topks`);
        assert.deepEqual(parallel[i]!.columns, inline[i]!.columns, `search ${i}: output`);
        hits += parallel[i]!.topks.reduce((a, b) => a + b, 0);
        const ids = Array.from(parallel[i]!.ids.data as BigInt64Array, Number);
        assert.ok(ids.every((id) => id % 7 !== 3 && !(id > 8000 && id < 8300)), 'deleted rows never come back');
      }
      assert.ok(hits > reqs.length * 5, `searches found hits (${hits})`);
      // Hybrid search goes the same way.
      const h = { collectionName: 'l2', requests: reqs.slice(0, 2).map((q) => ({ ...q, collectionName: 'l2', nq: 1, vectors: vectors(1, dim, rng(14)) })), ranker: { strategy: 'rrf' as const, k: 60 }, topK: 10 };
      const hp = await svc.hybridSearch(h);
      await svc.engine.searchThreads.resize(0);
      assert.deepEqual(await svc.hybridSearch(h), hp);
    } finally {
      await svc.close();
    }
  });
});

test('HNSW segments walk on 2 worker threads (several segments, batched queries) with exactly the inline answers', { skip, timeout: 180_000 }, async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir, sealRows: 6000 });
    try {
      const dim = 24;
      await collection(svc, 'h', dim, 'L2', 19_000, 1500, 31, 'HNSW');
      await collection(svc, 'c', dim, 'COSINE', 13_000, 0, 32, 'HNSW');
      await svc.delete({ collectionName: 'h', filter: 'id % 5 == 1' });
      const r = rng(33);
      const reqs: SearchRequest[] = [];
      for (let i = 0; i < 40; i++) {
        const req = i % 2 === 0 ? randomSearch('h', 'L2', dim, r) : randomSearch('c', 'COSINE', dim, r);
        reqs.push({ ...req, params: { ...(req.params ?? {}), ef: 64 } });
      }
      await svc.engine.searchThreads.resize(0);
      const inline: SearchResult[] = [];
      for (const q of reqs) inline.push(await svc.search(q));
      await svc.engine.searchThreads.resize(2);
      const pool = svc.engine.searchThreads.get();
      assert.ok(pool !== null);
      const parallel = await Promise.all(reqs.map((q) => svc.search(q)));
      assert.ok(pool.tasksDone >= reqs.length / 2, `the workers walked the graphs (${pool.tasksDone} tasks)`);
      for (let i = 0; i < reqs.length; i++) {
        assert.deepEqual(parallel[i]!.ids, inline[i]!.ids, `search ${i}: ids`);
        assert.deepEqual(parallel[i]!.scores, inline[i]!.scores, `search ${i}: scores`);
        assert.deepEqual(parallel[i]!.topks, inline[i]!.topks, `search ${i}: topks`);
      }
    } finally {
      await svc.close();
    }
  });
});

test('a release while a search runs on the workers is safe: the search answers, then the memory is freed', { skip, timeout: 120_000 }, async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir, sealRows: 20_000 });
    try {
      const dim = 64;
      await collection(svc, 'c', dim, 'L2', 40_000, 0, 21);
      await svc.engine.searchThreads.resize(2);
      const req: SearchRequest = { collectionName: 'c', nq: 128, topK: 5, vectors: vectors(128, dim, rng(22)) };
      const expected = await svc.search(req);
      const arenas = residentArenas(svc, 'c');
      assert.equal(arenas.length, 2);
      let settled = false;
      const pending = svc.search(req).finally(() => { settled = true; });
      await svc.releaseCollection({ collectionName: 'c' });
      const racing = !settled;
      if (racing) assert.ok(arenas.every((a) => a.usedBytes >= 20_000 * dim * 4), 'rows stay while the running tasks pin them');
      const got = await pending;
      assert.deepEqual(got.ids, expected.ids);
      assert.deepEqual(got.scores, expected.scores);
      assert.ok(arenas.every((a) => a.usedBytes === 0), 'rows and scratch freed after the search');
      await assert.rejects(svc.search(req), (e: unknown) => e instanceof MilvusError && e.code === 101);
      assert.ok(racing, 'the release happened while the search ran (the test covered the race)');
    } finally {
      await svc.close();
    }
  });
});

/** Largest gap between timer callbacks (ms) while `work` runs. */
async function loopLag(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now(), worst = 0, running = true;
  const tick = (): void => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
    if (running) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  await work();
  running = false;
  await new Promise((res) => setTimeout(res, 5));
  return worst;
}

/** Queries per second (wall) and CPU ms of the whole process (all threads) per search. */
async function qps(svc: SextantService, req: SearchRequest, minMs: number): Promise<string> {
  await svc.search(req);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let n = 0;
  while (performance.now() - t0 < minMs) {
    await svc.search(req);
    n++;
  }
  const c = process.cpuUsage(c0);
  return `${((n * (req.nq ?? 1) * 1000) / (performance.now() - t0)).toFixed(0)} QPS (cpu ${((c.user + c.system) / 1000 / n).toFixed(1)} ms/search)`;
}

test('the event loop stays free during a big exact search (100k x 128); QPS inline vs 1 and 2 threads', { skip, timeout: 300_000 }, async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    try {
      const dim = 128;
      await collection(svc, 'big', dim, 'L2', 100_000, 0, 31);
      const req16: SearchRequest = { collectionName: 'big', nq: 16, topK: 10, vectors: vectors(16, dim, rng(32)) };
      const req1: SearchRequest = { ...req16, nq: 1, vectors: vectors(1, dim, rng(33)) };
      // nq = 64: one inline search takes well over 50 ms even on a fast machine.
      const req64: SearchRequest = { ...req16, nq: 64, vectors: vectors(64, dim, rng(34)) };
      const several = async (): Promise<void> => { for (let i = 0; i < 3; i++) await svc.search(req64); };
      await svc.engine.searchThreads.resize(0);
      await svc.search(req64);
      const inlineLag = await loopLag(several);
      await svc.engine.searchThreads.resize(2);
      await svc.search(req64);
      const poolLag = await loopLag(several);
      console.log(`# event loop: worst timer lag during 3 searches (100k x 128, nq=64) inline ${inlineLag.toFixed(1)} ms, on 2 threads ${poolLag.toFixed(1)} ms`);
      assert.ok(inlineLag > 50, `the inline search blocks the loop (${inlineLag.toFixed(1)} ms), so this test can tell`);
      assert.ok(poolLag < 50, `timer lag ${poolLag.toFixed(1)} ms while searching on the pool`);
      const line: string[] = [];
      for (const [label, threads] of [['inline', 0], ['1 thread', 1], ['2 threads', 2]] as const) {
        await svc.engine.searchThreads.resize(threads);
        line.push(`${label}: nq=1 ${await qps(svc, req1, 1500)}, nq=16 ${await qps(svc, req16, 1500)}`);
      }
      console.log(`# exact search through the service, 100k x 128 L2 top-10 (load avg ${loadavg()[0]!.toFixed(1)}): ${line.join(' | ')}`);
    } finally {
      await svc.close();
    }
  });
});

test('closing the engine ends its search workers, and the process exits', { skip, timeout: 60_000 }, () => {
  const service = new URL('../../src/service/service.js', import.meta.url).href;
  const fixtures = new URL('../support/fixtures.js', import.meta.url).href;
  const script = `
    import { SextantService } from ${JSON.stringify(service)};
    import { batch, rng, vectorCollection } from ${JSON.stringify(fixtures)};
    import { mkdtempSync, rmSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    const dir = mkdtempSync(join(tmpdir(), 'sextant-par-'));
    const svc = await SextantService.open({ dataDir: dir });
    await svc.createCollection(vectorCollection('c', 32));
    await svc.insert({ collectionName: 'c', numRows: 20000, columns: batch(0, 20000, 32, rng(1)) });
    await svc.flush({ collectionNames: ['c'] });
    await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.loadCollection({ collectionName: 'c' });
    await svc.engine.searchThreads.resize(2, { minParallelWorkBytes: 0 });
    const pool = svc.engine.searchThreads.get();
    const r = await svc.search({ collectionName: 'c', nq: 2, topK: 3, vectors: { kind: 'floatVector', dim: 32, data: new Float32Array(64).fill(0.5), valid: null } });
    await svc.close();
    console.log('topks', r.topks.join(','), 'tasks', pool.tasksDone, 'closed', pool.isClosed, 'after close', svc.engine.searchThreads.get());
    rmSync(dir, { recursive: true, force: true });`;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 50_000, encoding: 'utf8' });
  assert.equal(res.error, undefined, 'the process exited in time');
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /topks 3,3 tasks [1-9]\d* closed true after close null/);
});
