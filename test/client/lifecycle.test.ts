/**
 * The embedded client used the way SDK user code uses MilvusClient: schema and quick collections,
 * insert, index, load, search (checked against an exact brute force), query, get, count, delete,
 * upsert, partitions, the load / release rules, and data surviving close + reopen.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { open, DataType, ErrorCode, LoadState, MetricType, IndexType, type RowData, type SextantClient } from '../../src/client/index.js';
import { bruteForce, DIM, makeBooks, removeDir, tempDir, type Book } from './helpers.js';

const C = 'books';
const books = makeBooks(40, 1, 7);
const live = new Map<number, Book>(books.map((b) => [b.id, b]));
const liveRows = () => [...live.values()].filter((b) => b.id < 1000);

function rowOf(b: Book): RowData {
  const { color, ...rest } = b;
  return color === undefined ? { ...rest } : { ...rest, color };
}

function hitsOf(res: { results: unknown }): { id: string; score: number }[] {
  return (res.results as { id: string; score: number }[]).map((h) => ({ id: h.id, score: h.score }));
}

function assertSameHits(got: { id: string; score: number }[], want: { id: string; score: number }[]): void {
  assert.deepEqual(got.map((h) => h.id), want.map((h) => h.id));
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]!.score - want[i]!.score) <= 1e-4 * Math.max(1, want[i]!.score), `score ${i}`);
}

describe('embedded client lifecycle', () => {
  let dir = '';
  let client: SextantClient;

  before(async () => {
    dir = await tempDir();
    client = await open(dir);
  });
  after(async () => {
    await client.close();
    await removeDir(dir);
  });

  it('creates a collection from fields and describes it like the SDK', async () => {
    const status = await client.createCollection({
      collection_name: C,
      enable_dynamic_field: true,
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: 'title', data_type: DataType.VarChar, max_length: 64 },
        { name: 'year', data_type: 'Int32' },
        { name: 'price', data_type: DataType.Double, nullable: true },
        { name: 'tags', data_type: DataType.Array, element_type: DataType.VarChar, max_capacity: 4, max_length: 16 },
        { name: 'meta', data_type: DataType.JSON },
        { name: 'active', data_type: DataType.Bool },
        { name: 'vec', data_type: DataType.FloatVector, dim: DIM },
      ],
    });
    assert.equal(status.error_code, ErrorCode.SUCCESS);
    assert.equal(status.code, 0);
    const d = await client.describeCollection({ collection_name: C });
    assert.equal(d.status.error_code, 'Success');
    const fields = d.schema!.fields;
    assert.deepEqual(fields.map((f) => f.name), ['id', 'title', 'year', 'price', 'tags', 'meta', 'active', 'vec']);
    const byName = new Map(fields.map((f) => [f.name, f]));
    assert.equal(byName.get('id')!.data_type, 'Int64');
    assert.equal(byName.get('id')!.is_primary_key, true);
    assert.equal(byName.get('year')!.data_type, 'Int32');
    assert.equal(byName.get('price')!.nullable, true);
    assert.equal(byName.get('tags')!.element_type, 'VarChar');
    assert.deepEqual(byName.get('vec')!.type_params, [{ key: 'dim', value: String(DIM) }]);
    assert.equal(byName.get('vec')!['dim'], String(DIM));
    assert.equal(byName.get('vec')!.dataType, DataType.FloatVector);
    assert.equal(byName.get('title')!['max_length'], '64');
    assert.equal(d.schema!.enable_dynamic_field, true);
    assert.deepEqual(Object.keys(d.anns_fields), ['vec']);
    assert.equal(d.consistency_level, 'Bounded');
    assert.match(d.collectionID, /^\d+$/);
  });

  it('answers missing collections in the status, and throws for client-side checks', async () => {
    assert.equal((await client.hasCollection({ collection_name: C })).value, true);
    const missing = await client.hasCollection({ collection_name: 'nope' });
    assert.equal(missing.value, false);
    assert.equal(missing.status.error_code, 'Success');
    const d = await client.describeCollection({ collection_name: 'nope' });
    assert.equal(d.status.code, 100);
    assert.equal(d.schema, null);
    await assert.rejects(client.describeCollection({ collection_name: '' }), /collection_name/);
    await assert.rejects(client.insert({ collection_name: C, data: [] }), /data or field_data/);
  });

  it('inserts rows and returns the SDK mutation shape', async () => {
    const res = await client.insert({ collection_name: C, data: books.map(rowOf) });
    assert.equal(res.status.error_code, 'Success');
    assert.equal(res.insert_cnt, '40');
    assert.equal(res.IDs.id_field, 'int_id');
    assert.deepEqual('int_id' in res.IDs ? res.IDs.int_id.data : [], books.map((b) => String(b.id)));
    assert.equal(res.succ_index.length, 40);
    assert.match(res.timestamp, /^\d+$/);
    const bad = await client.insert({ collection_name: C, data: [{ id: 1000, title: 'x', year: 1, tags: [], meta: {}, active: true, vec: [1, 2] }] });
    assert.equal(bad.status.code, 1100);
    assert.equal(bad.status.error_code, 'IllegalArgument');
  });

  it('refuses to load without an index and to search before a load', async () => {
    const s = await client.search({ collection_name: C, data: books[0]!.vec, limit: 3 });
    assert.equal(s.status.code, 101);
    assert.deepEqual(s.results, []);
    const async = await client.loadCollectionAsync({ collection_name: C });
    assert.equal(async.error_code, ErrorCode.IndexNotExist);
    assert.equal(async.code, 700);
    await assert.rejects(client.loadCollectionSync({ collection_name: C }), /ErrorCode: IndexNotExist/);
    assert.equal((await client.getLoadState({ collection_name: C })).state, LoadState.LoadStateNotLoad);
    assert.equal((await client.getLoadState({ collection_name: 'nope' })).state, LoadState.LoadStateNotExist);
    assert.equal((await client.getLoadingProgress({ collection_name: C })).status.code, 101);
  });

  it('creates a FLAT index, loads, and searches exactly', async () => {
    const st = await client.createIndex({ collection_name: C, field_name: 'vec', index_type: IndexType.FLAT, metric_type: MetricType.L2, params: {} });
    assert.equal(st.error_code, 'Success');
    const di = await client.describeIndex({ collection_name: C });
    const params = Object.fromEntries(di.index_descriptions[0]!.params.map((p) => [p.key, p.value]));
    assert.equal(params['index_type'], 'FLAT');
    assert.equal(params['metric_type'], 'L2');
    assert.deepEqual((await client.listIndexes({ collection_name: C })).indexes, ['vec']);
    assert.equal((await client.loadCollectionSync({ collection_name: C })).error_code, 'Success');
    assert.equal((await client.getLoadState({ collection_name: C })).state, LoadState.LoadStateLoaded);
    assert.equal((await client.getLoadingProgress({ collection_name: C })).progress, '100');

    const q = books[3]!.vec.map((x) => x + 0.01);
    const one = await client.search({ collection_name: C, data: q, limit: 5, output_fields: ['title', 'year'] });
    assert.equal(one.status.error_code, 'Success');
    assertSameHits(hitsOf(one), bruteForce(liveRows(), q, 5));
    const first = (one.results as Record<string, unknown>[])[0]!;
    assert.equal(typeof first['id'], 'string');
    assert.equal(first['title'], `book-${first['id'] as string}`);
    assert.equal(typeof first['year'], 'number');
  });

  it('searches several vectors, with filters, templates, offset and round_decimal', async () => {
    const q1 = books[10]!.vec;
    const q2 = books[20]!.vec.map((x) => -x);
    const two = await client.search({ collection_name: C, data: [q1, q2], limit: 4 });
    const lists = two.results as unknown as { id: string; score: number }[][];
    assert.equal(lists.length, 2);
    assertSameHits(lists[0]!, bruteForce(liveRows(), q1, 4));
    assertSameHits(lists[1]!, bruteForce(liveRows(), q2, 4));

    const recent = (b: Book) => b.year >= 2000;
    const filtered = await client.search({ collection_name: C, vector: q2, limit: 6, filter: 'year >= 2000' });
    assertSameHits(hitsOf(filtered), bruteForce(liveRows(), q2, 6, recent));
    const templated = await client.search({ collection_name: C, data: q2, limit: 6, expr: 'year >= {y}', exprValues: { y: 2000 } });
    assertSameHits(hitsOf(templated), bruteForce(liveRows(), q2, 6, recent));

    const paged = await client.search({ collection_name: C, data: q1, limit: 3, offset: 2 });
    assertSameHits(hitsOf(paged), bruteForce(liveRows(), q1, 5).slice(2));

    const rounded = await client.search({ collection_name: C, data: q2, limit: 3, params: { round_decimal: 2 } });
    for (const h of hitsOf(rounded)) assert.ok(/^\d+(\.\d{1,2})?$/.test(String(h.score)), `score ${h.score} has at most 2 decimals`);

    const grouped = await client.search({ collection_name: C, data: q1, limit: 2, group_by_field: 'active', output_fields: ['active'] });
    const groups = (grouped.results as unknown as { active: boolean }[]).map((h) => h.active);
    assert.equal(groups.length, 2);
    assert.notEqual(groups[0], groups[1]);
  });

  it('runs a hybrid search from a data list of sub-requests', async () => {
    const q1 = books[5]!.vec;
    const q2 = books[6]!.vec;
    const res = await client.search({
      collection_name: C,
      data: [{ data: q1, anns_field: 'vec' }, { data: q2, anns_field: 'vec', expr: 'year >= 2000' }],
      rerank: { strategy: 'rrf', params: { k: 60 } },
      limit: 5,
    });
    assert.equal(res.status.error_code, 'Success');
    const hits = hitsOf(res);
    assert.equal(hits.length, 5);
    // RRF: book 5 is rank 1 of the first route (and absent or lower in the second), so it wins.
    assert.equal(hits[0]!.id, String(books[5]!.id));
    assert.ok(hits[0]!.score >= hits[1]!.score);
  });

  it('queries with filters, output fields, count(*) and get', async () => {
    const old = await client.query({ collection_name: C, filter: 'year < 1990', output_fields: ['title', 'price', 'tags', 'meta'] });
    const want = liveRows().filter((b) => b.year < 1990).sort((a, b) => a.id - b.id);
    assert.deepEqual(old.data.map((r) => r['id']), want.map((b) => String(b.id)));
    for (const [i, b] of want.entries()) {
      const r = old.data[i]!;
      assert.equal(r['title'], b.title);
      assert.equal(r['price'], b.price === null ? null : b.price);
      assert.deepEqual(r['tags'], b.tags);
      assert.deepEqual(r['meta'], b.meta);
    }
    const cnt = await client.count({ collection_name: C, filter: 'year < 1990' });
    assert.equal(cnt.data, want.length);
    assert.equal((await client.count({ collection_name: C })).data, 40);
    const star = await client.query({ collection_name: C, filter: 'id == 1', output_fields: ['count(*)'] });
    assert.equal(star.data[0]!['count(*)'], '1');

    const got = await client.get({ collection_name: C, ids: [3, 5], output_fields: ['title', 'vec'] });
    assert.deepEqual(got.data.map((r) => r['title']), ['book-3', 'book-5']);
    assert.deepEqual(got.data[0]!['vec'], Array.from(Float32Array.from(books[2]!.vec)));

    const dyn = await client.query({ collection_name: C, filter: 'color == "red"', output_fields: ['color'] });
    const reds = liveRows().filter((b) => b.color === 'red');
    assert.deepEqual(dyn.data.map((r) => r['id']), reds.map((b) => String(b.id)));
    assert.deepEqual(dyn.data[0]!['$meta'], { color: 'red' });

    const bad = await client.query({ collection_name: C, filter: 'nope >', output_fields: ['title'] });
    assert.equal(bad.status.error_code === 'Success', false);
    assert.deepEqual(bad.data, []);
  });

  it('deletes by ids and by filter, upserts in place', async () => {
    const del = await client.delete({ collection_name: C, ids: [1, 2] });
    assert.equal(del.status.error_code, 'Success');
    live.delete(1);
    live.delete(2);
    assert.equal((await client.count({ collection_name: C })).data, 38);
    const byFilter = await client.deleteEntities({ collection_name: C, filter: 'year < 1975' });
    assert.equal(byFilter.status.error_code, 'Success');
    for (const b of [...live.values()]) if (b.year < 1975) live.delete(b.id);
    assert.equal((await client.count({ collection_name: C })).data, live.size);
    await assert.rejects(client.deleteEntities({ collection_name: C }), /filter/);

    const b3 = { ...live.get(3)!, title: 'renamed' };
    const up = await client.upsert({ collection_name: C, data: [rowOf(b3)] });
    assert.equal(up.upsert_cnt, '1');
    live.set(3, b3);
    assert.equal((await client.count({ collection_name: C })).data, live.size);
    const row = await client.get({ collection_name: C, ids: [3], output_fields: ['title'] });
    assert.deepEqual(row.data, [{ id: '3', title: 'renamed' }]);
    const q = books[8]!.vec;
    assertSameHits(hitsOf(await client.search({ collection_name: C, data: q, limit: 5 })), bruteForce(liveRows(), q, 5));
  });

  it('follows the partition load / release rules', async () => {
    assert.equal((await client.createPartition({ collection_name: C, partition_name: 'p2' })).error_code, 'Success');
    assert.equal((await client.hasPartition({ collection_name: C, partition_name: 'p2' })).value, true);
    assert.deepEqual((await client.listPartitions({ collection_name: C })).partition_names.sort(), ['_default', 'p2']);
    const extra = makeBooks(5, 1000, 99);
    const ins = await client.insert({ collection_name: C, partition_name: 'p2', data: extra.map(rowOf) });
    assert.equal(ins.insert_cnt, '5');
    const inP2 = await client.search({ collection_name: C, data: extra[0]!.vec, limit: 10, partition_names: ['p2'] });
    assertSameHits(hitsOf(inP2), bruteForce(extra, extra[0]!.vec, 10));

    assert.equal((await client.releasePartitions({ collection_name: C, partition_names: ['p2'] })).error_code, 'Success');
    const released = await client.search({ collection_name: C, data: extra[0]!.vec, limit: 3, partition_names: ['p2'] });
    assert.equal(released.status.code, 201);
    const rest = await client.search({ collection_name: C, data: extra[0]!.vec, limit: 5 });
    assertSameHits(hitsOf(rest), bruteForce(liveRows(), extra[0]!.vec, 5));
    assert.equal((await client.getLoadState({ collection_name: C, partition_names: ['p2'] })).state, LoadState.LoadStateNotLoad);
    assert.equal((await client.getLoadState({ collection_name: C })).state, LoadState.LoadStateLoaded);
    assert.equal((await client.loadPartitions({ collection_name: C, partition_names: ['p2'] })).error_code, 'Success');
    assert.equal((await client.count({ collection_name: C })).data, live.size + 5);
    await assert.rejects(client.releasePartitions({ collection_name: C, partition_names: [] }), /partition_names/);
  });

  it('answers 101 after releaseCollection', async () => {
    assert.equal((await client.releaseCollection({ collection_name: C })).error_code, 'Success');
    const s = await client.search({ collection_name: C, data: books[0]!.vec, limit: 3 });
    assert.equal(s.status.code, 101);
    assert.equal((await client.query({ collection_name: C, filter: 'id > 0', limit: 1 })).status.code, 101);
    assert.equal((await client.getLoadState({ collection_name: C })).state, LoadState.LoadStateNotLoad);
  });

  it('creates a quick collection that is indexed and loaded at once', async () => {
    const st = await client.createCollection({ collection_name: 'quick', dimension: 4 });
    assert.equal(st.error_code, 'Success');
    assert.equal((await client.getLoadState({ collection_name: 'quick' })).state, LoadState.LoadStateLoaded);
    const di = await client.describeIndex({ collection_name: 'quick' });
    assert.equal(di.index_descriptions[0]!.params.find((p) => p.key === 'metric_type')!.value, 'COSINE');
    await client.insert({ collection_name: 'quick', data: [{ id: 1, vector: [1, 0, 0, 0], tag: 'x' }, { id: 2, vector: [0, 1, 0, 0] }] });
    const res = await client.search({ collection_name: 'quick', data: [2, 0, 0, 0], limit: 2 });
    const hits = res.results as Record<string, unknown>[];
    assert.equal(hits[0]!['id'], '1');
    assert.ok(Math.abs((hits[0]!['score'] as number) - 1) < 1e-6);
    assert.deepEqual(hits[0]!['$meta'], { tag: 'x' });
  });

  it('keeps everything across close and reopen', async () => {
    await client.close();
    client = await open(dir);
    const names = (await client.showCollections()).data.map((c) => c.name).sort();
    assert.deepEqual(names, [C, 'quick']);
    await client.loadCollectionSync({ collection_name: C });
    assert.equal((await client.count({ collection_name: C })).data, live.size + 5);
    const row = await client.get({ collection_name: C, ids: [3], output_fields: ['title'] });
    assert.deepEqual(row.data, [{ id: '3', title: 'renamed' }]);
    const q = books[12]!.vec;
    const res = await client.search({ collection_name: C, data: q, limit: 5, partition_names: ['_default'] });
    assertSameHits(hitsOf(res), bruteForce(liveRows(), q, 5));
  });
});
