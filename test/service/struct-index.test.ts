/**
 * ANN indexes on struct vector members (#16): an index on `items[emb]` is built over every element
 * vector of a sealed segment, attached with its element -> row map, and used by search. Element-level
 * and embedding-list (MAX_SIM) top-k are checked against the exact answer computed here: ids
 * identical for FLAT, recall@10 >= 0.95 for HNSW at default params and IVF_FLAT probing half its
 * lists, IVF_FLAT's declared recall at its defaults; IVF_FLAT with one
 * probe of 64 lists shows the index is really what answers (its recall drops well below 1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { DataType } from '../../src/core/enums.js';
import type { Column } from '../../src/schema/column.js';
import { getIndexDescriptor } from '../../src/index/registry.js';
import { SextantService } from '../../src/service/service.js';
import { makeTempDir } from '../support/tmp.js';

const DIM = 8;
const ROWS = 500;
const fields = [
  { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
  { name: 'vec', dataType: DataType.FloatVector, dim: 2 },
];
const structFields = [{ name: 'items', maxCapacity: 8, members: [{ name: 'emb', dataType: DataType.FloatVector, dim: DIM }] }];

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Row r has 2 + r % 5 elements (2,000 element vectors in all); components in [-1, 1), as float32. */
function rowsOf(n: number, seed: number): number[][][] {
  const next = rng(seed);
  const out: number[][][] = [];
  for (let r = 0; r < n; r++) {
    const k = 2 + (r % 5);
    out.push(Array.from({ length: k }, () => Array.from({ length: DIM }, () => Math.fround(next() * 2 - 1))));
  }
  return out;
}

function columnsOf(rows: number[][][]): Map<string, Column> {
  return new Map<string, Column>([
    ['id', { kind: 'int64', data: BigInt64Array.from(rows, (_, i) => BigInt(i + 1)), valid: null }],
    ['vec', { kind: 'floatVector', dim: 2, data: new Float32Array(rows.length * 2), valid: null }],
    ['items[emb]', { kind: 'array', elementType: DataType.Float, data: rows.map((r) => r.flat()), valid: null }],
  ]);
}

const ip = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** Exact element-level top-k by IP: [id, offset] keys. */
function exactElements(rows: number[][][], q: number[], k: number): string[] {
  return rows.flatMap((r, i) => r.map((e, off) => ({ key: `${i + 1}:${off}`, s: ip(q, e) })))
    .sort((a, b) => b.s - a.s).slice(0, k).map((x) => x.key);
}

/** Exact MAX_SIM_IP top-k: ids. */
function exactMaxSim(rows: number[][][], list: number[][], k: number): number[] {
  return rows.map((r, i) => ({ id: i + 1, s: list.reduce((sum, q) => sum + Math.max(...r.map((e) => ip(q, e))), 0) }))
    .sort((a, b) => b.s - a.s).slice(0, k).map((x) => x.id);
}

async function indexed(svc: SextantService): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const [d] = await svc.describeIndex({ collectionName: 'c', fieldName: 'items[emb]' });
    if (d !== undefined && d.pendingRows === 0 && d.state === 'Finished') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('member index not built within 30 s');
}

/** Per index: recall@10 of element-level and embedding-list search over 20 queries each, against the exact answers. */
async function recallOf(indexType: string, params: Record<string, string>, searchParams: Record<string, unknown>): Promise<{ element: number; embList: number; attached: boolean }> {
  const dir = await makeTempDir();
  const rows = rowsOf(ROWS, 7);
  const svc = await SextantService.open({ dataDir: dir, autoCompaction: false });
  try {
    await svc.createCollection({ collectionName: 'c', fields, structFields });
    await svc.insert({ collectionName: 'c', numRows: ROWS, columns: columnsOf(rows) });
    await svc.flush({ collectionNames: ['c'] });
    await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    const elementMetric = params['metric_type'] === 'IP';
    await svc.createIndex({ collectionName: 'c', fieldName: 'items[emb]', params: { index_type: indexType, ...params } });
    await indexed(svc);
    await svc.loadCollection({ collectionName: 'c' });
    const c = [...svc.engine.collections.values()].find((x) => x.name === 'c')!;
    const attached = [...c.partitions.values()].some((p) => p.sealed.some((s) => s.data?.indexes.get('items[emb]')?.elements?.rowOf.length === 2000));
    const next = rng(99);
    const vec = (): number[] => Array.from({ length: DIM }, () => Math.fround(next() * 2 - 1));
    let hitE = 0, hitL = 0;
    for (let t = 0; t < 20; t++) {
      if (elementMetric) {
        const q = vec();
        const r = await svc.search({ collectionName: 'c', annsField: 'items[emb]', topK: 10, metricType: 'IP', params: searchParams, vectors: { kind: 'floatVector', dim: DIM, data: Float32Array.from(q), valid: null } });
        const got = new Set(Array.from(r.ids.data as BigInt64Array, (id, i) => `${id}:${r.elementIndices![i]}`));
        hitE += exactElements(rows, q, 10).filter((k) => got.has(k)).length;
      } else {
        const list = [vec(), vec(), vec()];
        const r = await svc.search({ collectionName: 'c', annsField: 'items[emb]', topK: 10, params: searchParams, embLists: [{ kind: 'floatVector', dim: DIM * 3, data: Float32Array.from(list.flat()), valid: null }] });
        const got = new Set(Array.from(r.ids.data as BigInt64Array, Number));
        hitL += exactMaxSim(rows, list, 10).filter((id) => got.has(id)).length;
      }
    }
    return { element: hitE / 200, embList: hitL / 200, attached };
  } finally {
    await svc.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('member indexes: built over element vectors, attached, recall@10 against exact', { timeout: 300_000 }, async (t) => {
  // HNSW at default params; IVF_FLAT at its defaults (its declared recall) and with 64 of 128 lists probed.
  const cases: [string, Record<string, unknown>, number][] = [
    ['HNSW', {}, 0.95], ['IVF_FLAT', {}, getIndexDescriptor('IVF_FLAT').recallAt10], ['IVF_FLAT', { nprobe: 64 }, 0.95],
  ];
  for (const [type, sp, want] of cases) {
    const el = await recallOf(type, { metric_type: 'IP' }, sp);
    const ls = await recallOf(type, { metric_type: 'MAX_SIM_IP' }, sp);
    t.diagnostic(`${type} ${JSON.stringify(sp)}: element-level recall@10 ${el.element}, MAX_SIM_IP recall@10 ${ls.embList} (want >= ${want})`);
    assert.ok(el.attached && ls.attached, `${type}: an index over the 2,000 element vectors is attached to the sealed segment`);
    assert.ok(el.element >= want, `${type} element-level recall ${el.element}`);
    assert.ok(ls.embList >= want, `${type} MAX_SIM recall ${ls.embList}`);
  }
  const flat = await recallOf('FLAT', { metric_type: 'IP' }, {});
  assert.equal(flat.element, 1, 'FLAT: the exact ids');
  const flatList = await recallOf('FLAT', { metric_type: 'MAX_SIM_IP' }, {});
  assert.equal(flatList.embList, 1, 'FLAT: the exact ids');
  // One probe of 64 lists reads ~1/64 of the elements: only an index answers that badly.
  const coarse = await recallOf('IVF_FLAT', { metric_type: 'IP', nlist: '64' }, { nprobe: 1 });
  t.diagnostic(`IVF_FLAT nlist 64 nprobe 1: element-level recall@10 ${coarse.element}`);
  assert.ok(coarse.element < 0.9, `the index answers (recall ${coarse.element})`);
});

// ---- range search, group by primary key and search iterator v2 on a member (Milvus 2.6's rules)

/** A collection of ROWS sealed rows (FLAT member index over their elements) and 100 growing ones; IP. */
async function openElementLevel(metric: string): Promise<{ svc: SextantService; rows: number[][][]; done: () => Promise<void> }> {
  const dir = await makeTempDir();
  const rows = rowsOf(ROWS + 100, 11);
  const svc = await SextantService.open({ dataDir: dir, autoCompaction: false });
  await svc.createCollection({ collectionName: 'c', fields, structFields });
  await svc.insert({ collectionName: 'c', numRows: ROWS, columns: columnsOf(rows.slice(0, ROWS)) });
  await svc.flush({ collectionNames: ['c'] });
  await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
  await svc.createIndex({ collectionName: 'c', fieldName: 'items[emb]', params: { index_type: 'FLAT', metric_type: metric } });
  await indexed(svc);
  await svc.loadCollection({ collectionName: 'c' });
  const growing = columnsOf(rows);
  const tail = new Map<string, Column>([
    ['id', { kind: 'int64', data: (growing.get('id')!.data as BigInt64Array).slice(ROWS), valid: null }],
    ['vec', { kind: 'floatVector', dim: 2, data: new Float32Array(200), valid: null }],
    ['items[emb]', { kind: 'array', elementType: DataType.Float, data: rows.slice(ROWS).map((r) => r.flat()), valid: null }],
  ]);
  await svc.insert({ collectionName: 'c', numRows: 100, columns: tail });
  return { svc, rows, done: async () => { await svc.close(); await rm(dir, { recursive: true, force: true }); } };
}

const queryVector = (seed: number): number[] => { const next = rng(seed); return Array.from({ length: DIM }, () => Math.fround(next() * 2 - 1)); };
const one = (q: number[]): Column => ({ kind: 'floatVector', dim: DIM, data: Float32Array.from(q), valid: null });
const keysOf = (r: { ids: { data: unknown }; elementIndices?: number[] }): string[] => Array.from(r.ids.data as BigInt64Array, (id, i) => `${id}:${r.elementIndices![i]}`);

/** Every element scored by IP, best first: [id:offset, score]. */
function allElements(rows: number[][][], q: number[]): { key: string; id: number; s: number }[] {
  return rows.flatMap((r, i) => r.map((e, off) => ({ key: `${i + 1}:${off}`, id: i + 1, s: Math.fround(ip(q, e)) }))).sort((a, b) => b.s - a.s);
}

test('element-level range search on a member: exactly the elements within radius / range_filter, sealed (index) and growing', { timeout: 120_000 }, async () => {
  const { svc, rows, done } = await openElementLevel('IP');
  try {
    for (const [seed, radius, rangeFilter] of [[1, 0.5, 1.5], [2, -0.2, 0.3], [3, 1, undefined]] as const) {
      const q = queryVector(seed);
      const params: Record<string, unknown> = rangeFilter === undefined ? { radius } : { radius, range_filter: rangeFilter };
      const r = await svc.search({ collectionName: 'c', annsField: 'items[emb]', topK: 40, metricType: 'IP', params, vectors: one(q) });
      const want = allElements(rows, q).filter((x) => x.s > radius && (rangeFilter === undefined || x.s <= rangeFilter)).slice(0, 40);
      assert.ok(want.length > 5, 'the range holds elements');
      assert.deepEqual(keysOf(r), want.map((x) => x.key), `radius ${radius} range_filter ${rangeFilter}`);
      for (const s of r.scores) assert.ok(s > radius && (rangeFilter === undefined || s <= rangeFilter));
    }
  } finally {
    await done();
  }
});

test('element-level search grouped by the primary key: each row once, with its best element (group_size elements per row)', { timeout: 120_000 }, async () => {
  const { svc, rows, done } = await openElementLevel('IP');
  try {
    const q = queryVector(5);
    const r = await svc.search({ collectionName: 'c', annsField: 'items[emb]', topK: 10, metricType: 'IP', groupByField: 'id', vectors: one(q) });
    const best = new Map<number, string>();
    for (const x of allElements(rows, q)) if (!best.has(x.id)) best.set(x.id, x.key);
    assert.deepEqual(keysOf(r), [...best.values()].slice(0, 10));
    const two = await svc.search({ collectionName: 'c', annsField: 'items[emb]', topK: 5, metricType: 'IP', groupByField: 'id', groupSize: 2, vectors: one(q) });
    const perRow = new Map<number, string[]>();
    for (const x of allElements(rows, q)) { const g = perRow.get(x.id) ?? []; if (g.length < 2) g.push(x.key); perRow.set(x.id, g); }
    const firstFive = [...perRow.keys()].slice(0, 5);
    assert.deepEqual(new Set(keysOf(two)), new Set(firstFive.flatMap((id) => perRow.get(id)!)));
  } finally {
    await done();
  }
});

test('element-level search iterator v2 on a member: batches walk the exact element order without repeats', { timeout: 120_000 }, async () => {
  const { svc, rows, done } = await openElementLevel('IP');
  try {
    const q = queryVector(8);
    const got: string[] = [];
    let lastBound: number | undefined;
    let token = '';
    for (let batch = 0; batch < 5; batch++) {
      const params: Record<string, unknown> = { iterator: 'True', search_iter_v2: 'True', search_iter_batch_size: 20 };
      if (token !== '') params['search_iter_id'] = token;
      if (lastBound !== undefined) params['search_iter_last_bound'] = lastBound;
      const r = await svc.search({ collectionName: 'c', annsField: 'items[emb]', topK: 20, metricType: 'IP', params, vectors: one(q) });
      assert.equal(r.elementIndices?.length, r.scores.length, 'every hit carries its element offset');
      got.push(...keysOf(r));
      token = r.iterator!.token;
      lastBound = r.iterator!.lastBound;
    }
    assert.deepEqual(got, allElements(rows, q).slice(0, 100).map((x) => x.key));
  } finally {
    await done();
  }
});

test('struct member searches Milvus refuses: range / iterator / group by on embedding lists, legacy iterator and group by a non-key on element-level', { timeout: 120_000 }, async () => {
  const { svc, done } = await openElementLevel('MAX_SIM_IP');
  try {
    const list = { kind: 'floatVector' as const, dim: DIM * 2, data: Float32Array.from([...queryVector(1), ...queryVector(2)]), valid: null };
    const base = { collectionName: 'c', annsField: 'items[emb]', topK: 5 };
    const refused = async (req: Parameters<SextantService['search']>[0], text: string): Promise<void> => {
      await assert.rejects(svc.search(req), (e: { code?: number; message?: string }) => {
        assert.equal(e.code, 1100);
        assert.ok(e.message?.startsWith(text), e.message);
        return true;
      });
    };
    await refused({ ...base, embLists: [list], params: { radius: 0.1 } }, 'range search is not supported for multi-search-multi on embedding list fields');
    await refused({ ...base, embLists: [list], params: { iterator: 'True', search_iter_v2: 'True' } }, 'search iterator is not supported for multi-search-multi on embedding list fields');
    await refused({ ...base, embLists: [list], groupByField: 'id' }, 'group by is not supported for multi-search-multi on embedding list fields');
    await refused({ ...base, vectors: one(queryVector(3)), metricType: 'IP', params: { iterator: 'True' } }, 'legacy search iterator is not supported for element-level search; use search iterator v2');
    await refused({ ...base, vectors: one(queryVector(3)), metricType: 'IP', groupByField: 'vec' }, 'only group by primary key is supported for element-level search');
    // The embedding list itself still searches.
    const ok = await svc.search({ ...base, embLists: [list] });
    assert.equal(ok.scores.length, 5);
  } finally {
    await done();
  }
});
