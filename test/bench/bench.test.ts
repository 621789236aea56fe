/** Smoke test of `npm run bench`: every suite on tiny data, checked for shape and sane recall, never for speed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_OPTIONS, parseCli, runBench, writeReport, type BenchOptions } from '../../bench/run.js';
import { readIdxImages, readVectors } from '../../bench/data.js';
import type { Table } from '../../bench/table.js';
import { warmUpConcurrency } from '../../bench/server-client.js';

const tiny: BenchOptions = {
  ...DEFAULT_OPTIONS,
  n: 2000, dim: 16, queries: 20,
  ann: { ...DEFAULT_OPTIONS.ann, efs: [16, 64], nprobes: [8], measureMs: 10, exactQueries: 20, filterQueries: 20 },
  engine: { ...DEFAULT_OPTIONS.engine, searchQueries: 20 },
  grpc: { ...DEFAULT_OPTIONS.grpc, searchQueries: 20 },
  server: { ...DEFAULT_OPTIONS.server, durationMs: 90, maxRequests: 30, concurrency: [1, 2], insertRows: 50 },
  embedded: { ...DEFAULT_OPTIONS.embedded, filterRows: 20_000, searches: 20, passes: 1, busyBytes: 16 << 20 },
  fulltext: { ...DEFAULT_OPTIONS.fulltext, queries: 20, passes: 1, probes: 10, batchRows: 500 },
};

function checkTable(t: Table): void {
  assert.ok(t.title.length > 0);
  assert.ok(t.rows.length > 0, `table ${t.title} has rows`);
  for (const r of t.rows) assert.equal(r.length, t.columns.length, `row width in ${t.title}`);
}

function inUnit(x: number, what: string): void {
  assert.ok(x >= 0 && x <= 1, `${what} recall ${x} in [0, 1]`);
}

test('every suite runs on tiny data and reports well-formed results', { timeout: 300_000 }, async () => {
  const printed: string[] = [];
  const report = await runBench(tiny, (t) => printed.push(t), () => {});
  const [ann] = report.ann;
  assert.ok(ann !== undefined);
  assert.deepEqual(ann.dataset, { name: 'synthetic-2000x16', n: 2000, dim: 16, nq: 20 });
  for (const r of ann.rows) {
    inUnit(r.recallAt10, `${r.engine} ${r.index} ${r.setting}`);
    assert.ok(r.qps1 > 0 && Number.isFinite(r.qps1), `${r.index} QPS`);
  }
  const exact = ann.rows.find((r) => r.index === 'searchExact');
  assert.equal(exact?.recallAt10, 1, 'exact search finds the exact top-10');
  const flat = ann.rows.find((r) => r.engine === 'sextant' && r.index === 'FLAT');
  assert.equal(flat?.recallAt10, 1, 'FLAT index finds the exact top-10');
  assert.ok((flat?.qps2 ?? 0) > 0, 'FLAT searched on two threads');
  for (const peer of ['usearch', 'hnswlib-node']) {
    assert.deepEqual(ann.rows.filter((r) => r.engine === peer).map((r) => r.ef), [16, 64], `${peer} at every ef`);
  }
  assert.ok(ann.filtered.some((f) => f.engine === 'hnswlib-node'), 'filtered search includes hnswlib-node');
  for (const f of ann.filtered) {
    inUnit(f.recallAt10, `filtered ${f.engine} ${f.index} ${f.selectivity}`);
    assert.ok(f.allowedRows > 0 && f.allowedRows < 2000);
  }
  assert.deepEqual([...new Set(ann.filtered.map((f) => f.selectivity))], [0.5, 0.1, 0.01]);
  ann.tables.forEach(checkTable);

  const engine = report.engine;
  assert.ok(engine !== null);
  assert.deepEqual(engine.inserts.map((i) => [i.batchRows, i.rows]), [[1000, 2000], [2000, 2000]]);
  for (const i of engine.inserts) assert.ok(i.rowsPerSec > 0);
  assert.equal(engine.search.recallAt10, 1, 'FLAT through the service is exact');
  assert.ok(engine.memory.afterLoad.rssBytes > 0);
  engine.tables.forEach(checkTable);

  const grpc = report.grpc;
  assert.ok(grpc !== null);
  assert.deepEqual(grpc.searches.map((s) => [s.via, s.recallAt10]), [['grpc', 1], ['in-process', 1]]);
  assert.ok(grpc.insert.rowsPerSec > 0);
  grpc.tables.forEach(checkTable);

  const server = report.server;
  assert.ok(server !== null);
  assert.equal(server.index.indexType, 'HNSW');
  assert.ok(server.index.qps1 > 0 && server.index.qps2 > 0);
  const kinds = new Set(server.rows.map((r) => `${r.client} ${r.op}`));
  assert.deepEqual([...kinds].sort(), ['bare insert', 'bare search', 'bare unary', 'http search', 'sdk insert', 'sdk search', 'sdk unary']);
  for (const r of server.rows) {
    assert.equal(r.errors, 0, `${r.client} ${r.op} x${r.concurrency} answered without errors`);
    assert.ok(r.requests > 0 && r.serverCpuMs >= 0 && r.clientCpuMs > 0 && r.p99Ms >= r.p50Ms, `${r.client} ${r.op} x${r.concurrency} figures`);
  }
  server.tables.forEach(checkTable);

  const embedded = report.embedded;
  assert.ok(embedded !== null);
  const kernelMatches = Object.fromEntries(embedded.kernels.map((k) => [k.expr, k.matched]));
  assert.equal(kernelMatches['id % 100 == 7'], 200, 'kernel rows match the expression');
  assert.equal(kernelMatches['s like "name1%"'], 20 * 111);
  for (const k of embedded.kernels) assert.ok(k.rowsPerSec > 0, k.expr);
  assert.equal(embedded.filter.allowedRows, 20, '1% of 2000 rows');
  for (const p of [embedded.filter.indexExact, embedded.filter.searchWarm, embedded.filter.searchRespelled, embedded.filter.searchLiterals, embedded.fresh.search, embedded.busy.search, embedded.fresh.typed, embedded.busy.typed, embedded.busy.indexExact, embedded.busy.searchLiterals]) {
    assert.ok(p.cpuMs >= 0 && p.wallMs > 0);
  }
  assert.ok(embedded.busy.heapBytes > 4 << 20, `the busy heap is live while measured (${embedded.busy.heapBytes} bytes)`);
  embedded.tables.forEach(checkTable);

  const fulltext = report.fulltext;
  assert.ok(fulltext !== null);
  assert.equal(fulltext.corpus.rows, 2000);
  assert.deepEqual(fulltext.insert.rows, 2000);
  assert.ok(fulltext.insert.wallMs > 0 && fulltext.analyzerCpuMs > 0 && fulltext.winkBuildCpuMs > 0);
  const paths = fulltext.queries.map((q) => `${q.terms} ${q.path} ${q.algo ?? '-'}`);
  assert.equal(new Set(paths).size, 3 * 7, 'wink, then search() and the index for each of the 3 algorithms, for 1, 3 and 10 terms');
  for (const q of fulltext.queries) {
    assert.ok(q.agreeAt10 >= 0.99, `${q.terms}-term ${q.path} ${q.algo}: top-10 agrees with wink-bm25 (${q.agreeAt10})`);
    assert.ok(q.maxScoreDiff < 1e-5, `${q.terms}-term ${q.path} ${q.algo}: scores equal wink's to float32 precision (${q.maxScoreDiff})`);
    assert.ok(q.latency.qps > 0 && q.latency.p99CpuMs >= q.latency.p50CpuMs);
  }
  const tm = fulltext.textMatch;
  assert.ok(tm.textMatch.hits > 0, 'the probe words occur');
  assert.ok(tm.like.hits >= tm.textMatch.hits, 'every TEXT_MATCH row also contains the word as a substring');
  fulltext.tables.forEach(checkTable);

  const scalar = report.scalar;
  assert.ok(scalar !== null);
  assert.ok(scalar.rows.length > 0);
  for (const r of scalar.rows) assert.ok(r.identical, `${r.case} ${r.index}: the indexed answer equals the scan's`);
  scalar.tables.forEach(checkTable);

  assert.equal(printed.length, ann.tables.length + engine.tables.length + grpc.tables.length + server.tables.length + embedded.tables.length + fulltext.tables.length + scalar.tables.length);
  const dir = await mkdtemp(join(tmpdir(), 'sextant-bench-test-'));
  try {
    const path = writeReport(report, join(dir, 'out.json'));
    const back = JSON.parse(await readFile(path, 'utf8')) as { ann: { rows: unknown[] }[]; engine: unknown; grpc: unknown };
    assert.equal(back.ann[0]?.rows.length, ann.rows.length);
    assert.ok(back.engine !== null && back.grpc !== null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('.fvecs and .fbin files read back the vectors written', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sextant-bench-test-'));
  try {
    const rows = [[1, 2, 3], [4.5, -5, 6], [7, 8, 9.25]];
    const fvecs = Buffer.alloc(rows.length * 16);
    rows.forEach((r, i) => { fvecs.writeInt32LE(3, i * 16); r.forEach((x, j) => fvecs.writeFloatLE(x, i * 16 + 4 + j * 4)); });
    const fbin = Buffer.alloc(8 + 9 * 4);
    fbin.writeInt32LE(3, 0); fbin.writeInt32LE(3, 4);
    rows.flat().forEach((x, i) => fbin.writeFloatLE(x, 8 + i * 4));
    await writeFile(join(dir, 'a.fvecs'), fvecs);
    await writeFile(join(dir, 'a.fbin'), fbin);
    for (const name of ['a.fvecs', 'a.fbin']) {
      const v = readVectors(join(dir, name), 2, false);
      assert.equal(v.dim, 3);
      assert.deepEqual(Array.from(v.data), [1, 2, 3, 4.5, -5, 6], name);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('IDX3 images decode row-major with big-endian header', () => {
  const bytes = new Uint8Array(16 + 2 * 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x803); view.setUint32(4, 2); view.setUint32(8, 2); view.setUint32(12, 2);
  bytes.set([0, 1, 2, 255, 10, 20, 30, 40], 16);
  const img = readIdxImages(bytes, 10, false);
  assert.equal(img.dim, 4);
  assert.deepEqual(Array.from(img.data), [0, 1, 2, 255, 10, 20, 30, 40]);
  assert.throws(() => readIdxImages(new Uint8Array(16), 1, false));
});

test('command line: defaults, lists, and a query file only with --fvecs', () => {
  const d = parseCli([]);
  assert.ok(d !== 'help');
  assert.deepEqual([d.options.n, d.options.dim, d.options.queries, d.options.suites], [100_000, 128, 1000, ['ann', 'engine', 'grpc', 'server', 'embedded', 'fulltext', 'scalar']]);
  const sv = parseCli(['--suite', 'server', '--rows', '20000', '--concurrency', '1,8', '--clients', 'bare,http', '--ops', 'search', '--server-node-arg=--cpu-prof']);
  assert.ok(sv !== 'help');
  assert.deepEqual([sv.options.n, sv.explicitN, sv.options.server.concurrency, sv.options.server.clients, sv.options.server.ops, sv.options.server.serverNodeArgs],
    [20_000, true, [1, 8], ['bare', 'http'], ['search'], ['--cpu-prof']]);
  assert.throws(() => parseCli(['--clients', 'curl']), /unknown client/);
  const o = parseCli(['--suite', 'ann,grpc', '--ef', '8,24', '--index', 'hnsw', '--build-param', 'nlist=64', '--no-peers']);
  assert.ok(o !== 'help');
  assert.deepEqual(o.options.suites, ['ann', 'grpc']);
  assert.deepEqual(o.options.ann.efs, [8, 24]);
  assert.deepEqual(o.options.ann.indexes, ['HNSW']);
  assert.deepEqual(o.options.ann.buildParams, { nlist: '64' });
  assert.equal(o.options.ann.peers, false);
  assert.throws(() => parseCli(['--queries', 'q.fvecs']), /--fvecs/);
  assert.throws(() => parseCli(['--suite', 'nope']), /unknown suite/);
  const f = parseCli(['--fvecs', 'b.fbin', '--queries', 'q.fbin']);
  assert.ok(f !== 'help');
  assert.deepEqual([f.options.data, f.options.baseFile, f.options.queryFile], [['files'], 'b.fbin', 'q.fbin']);
  assert.equal(parseCli(['--help']), 'help');
  const ft = parseCli(['--suite', 'fulltext', '--rows', '5000', '--queries', '50', '--passes', '1']);
  assert.ok(ft !== 'help');
  assert.deepEqual([ft.options.suites, ft.options.n, ft.options.fulltext.queries, ft.options.fulltext.passes], [['fulltext'], 5000, 50, 1]);
  assert.equal(d.options.fulltext.queries, 200, 'fulltext: 200 queries per length by default');
  // The scale suite's peer options: a saved usearch index must exist; one usearch ef per --ef value.
  const here = fileURLToPath(import.meta.url);
  const sc = parseCli(['--suite', 'scale', '--scale-cases', 'engine', '--ef', '192,256', '--peer-ef', '160,192', '--peer-index', here]);
  assert.ok(sc !== 'help');
  assert.deepEqual([sc.options.scale.efs, sc.options.scale.peerEfs, sc.options.scale.peerIndex], [[192, 256], [160, 192], here]);
  assert.equal(d.options.scale.peerEfs, null, 'usearch at our ef by default');
  assert.throws(() => parseCli(['--suite', 'scale', '--ef', '192,256', '--peer-ef', '192']), /one value per --ef value/);
  assert.throws(() => parseCli(['--suite', 'scale', '--peer-index', `${here}.missing`]), /--peer-index: no file/);
  // The engine case's layout and HNSW_SQ, which runs only when named.
  const lay = parseCli(['--suite', 'scale', '--engine-parts', '2', '--engine-segment-mb', '2600', '--scale-indexes', 'hnsw_sq,hnsw', '--keep-dirs']);
  assert.ok(lay !== 'help');
  assert.deepEqual([lay.options.scale.keepDirs, d.options.scale.keepDirs], [true, false]);
  assert.deepEqual([lay.options.scale.engineParts, lay.options.scale.engineSegmentMb, lay.options.scale.engineIndexes], [2, 2600, ['HNSW', 'HNSW_SQ']]);
  assert.deepEqual([d.options.scale.engineParts, d.options.scale.engineSegmentMb, d.options.scale.engineIndexes], [1, null, ['HNSW', 'IVF_FLAT', 'IVF_SQ8']]);
  assert.throws(() => parseCli(['--suite', 'scale', '--engine-parts', '0']), /--engine-parts must be a positive integer/);
});

test('server suite: the first warm-up of a client kind and operation runs at its highest concurrency', () => {
  const scenarios = [
    { op: 'search', client: 'bare', concurrency: 1 }, { op: 'search', client: 'bare', concurrency: 32 },
    { op: 'search', client: 'sdk', concurrency: 8 }, { op: 'unary', client: 'bare', concurrency: 4 },
  ] as const;
  assert.equal(warmUpConcurrency(scenarios, scenarios[0]), 32);
  assert.equal(warmUpConcurrency(scenarios, scenarios[2]), 8);
  assert.equal(warmUpConcurrency(scenarios, scenarios[3]), 4);
});
