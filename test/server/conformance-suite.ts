/**
 * The SDK conformance suite: the Milvus behaviour the Node SDK's MilvusClient sees, as one ordered
 * sequence of tests on one data set. Its target is injected: a single server on a data directory
 * (conformance.test.ts) or a cluster of writers and query nodes (test/dist/parity.test.ts); the last
 * test restarts the target (a cluster: kill -9 of the owner, the standby serves) and reads again.
 */
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, type MilvusClient } from '@zilliz/milvus2-sdk-node';

const ok = (r: { error_code?: string | number; code?: number; reason?: string }): void =>
  assert.equal(r.error_code, 'Success', `expected Success, got ${String(r.code)} ${String(r.reason)}`);
const okRes = (r: { status: { error_code?: string | number; code?: number; reason?: string } }): void => ok(r.status);

/** Node 3.x query() keys rows by fields_data names, so dynamic keys arrive inside `$meta`. */
function dyn(row: Record<string, unknown> | undefined, key: string): unknown {
  const meta = row?.['$meta'];
  return row?.[key] ?? (typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>)[key] : undefined);
}

const DIM = 4;
const books = 'books';
function vec(i: number): number[] {
  return [Math.cos(i), Math.sin(i), i / 100, 1];
}

export interface ConformanceTarget {
  /** The client the tests use; read again after `restart`. */
  readonly client: MilvusClient;
  /** Stops the server and brings it back on the same data (in a cluster: the owner dies, the standby takes over). */
  restart(): Promise<void>;
}

/** Registers the suite under `name`; `target` is called once the file's `before` hooks ran. */
export function conformanceSuite(name: string, target: () => ConformanceTarget): void {
  describe(name, () => {
    let c: MilvusClient;
    beforeEach(() => { c = target().client; });

    test('connect, version and databases', async () => {
      const v = await c.getVersion();
      assert.match(v.version, /sextant/);
      const dbs = await c.listDatabases();
      okRes(dbs);
      assert.ok(dbs.db_names.includes('default'));
      ok(await c.createDatabase({ db_name: 'db2' }));
      assert.ok((await c.listDatabases()).db_names.includes('db2'));
      const d = await c.describeDatabase({ db_name: 'db2' });
      okRes(d);
      assert.equal(d.db_name, 'db2');
      ok(await c.dropDatabase({ db_name: 'db2' }));
      assert.ok(!(await c.listDatabases()).db_names.includes('db2'));
    });

    test('create / describe / list / has collection with nullable, default, JSON, array, dynamic', async () => {
      ok(await c.createCollection({
        collection_name: books,
        enable_dynamic_field: true,
        fields: [
          { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
          { name: 'vec', data_type: DataType.FloatVector, dim: DIM },
          { name: 'title', data_type: DataType.VarChar, max_length: 64, nullable: true },
          { name: 'year', data_type: DataType.Int32, default_value: 2000 },
          { name: 'meta', data_type: DataType.JSON },
          { name: 'tags', data_type: DataType.Array, element_type: DataType.VarChar, max_capacity: 4, max_length: 16 },
        ],
      }));
      const d = await c.describeCollection({ collection_name: books });
      okRes(d);
      assert.deepEqual(d.schema.fields.map((f) => f.name), ['id', 'vec', 'title', 'year', 'meta', 'tags']);
      assert.equal(d.schema.enable_dynamic_field, true);
      const vf = d.schema.fields.find((f) => f.name === 'vec');
      assert.equal(vf?.data_type, 'FloatVector');
      assert.equal(vf?.type_params.find((p) => p.key === 'dim')?.value, String(DIM));
      assert.equal(d.schema.fields.find((f) => f.name === 'title')?.nullable, true);
      assert.equal(d.schema.fields.find((f) => f.name === 'tags')?.element_type, 'VarChar');
      assert.notEqual(d.collectionID, '0');
      assert.equal((await c.hasCollection({ collection_name: books })).value, true);
      assert.equal((await c.hasCollection({ collection_name: 'nope' })).value, false);
      const missing = await c.describeCollection({ collection_name: 'nope' });
      assert.equal(missing.status.code, 100);
      const list = await c.showCollections();
      okRes(list);
      assert.ok(list.data.some((x) => x.name === books));
    });

    test('rename and drop collection', async () => {
      ok(await c.createCollection({ collection_name: 'tmp', dimension: DIM }));
      ok(await c.renameCollection({ collection_name: 'tmp', new_collection_name: 'tmp2' }));
      assert.equal((await c.hasCollection({ collection_name: 'tmp' })).value, false);
      assert.equal((await c.hasCollection({ collection_name: 'tmp2' })).value, true);
      ok(await c.dropCollection({ collection_name: 'tmp2' }));
      assert.equal((await c.hasCollection({ collection_name: 'tmp2' })).value, false);
    });

    test('partitions and aliases', async () => {
      ok(await c.createPartition({ collection_name: books, partition_name: 'p1' }));
      assert.equal((await c.hasPartition({ collection_name: books, partition_name: 'p1' })).value, true);
      assert.equal((await c.hasPartition({ collection_name: books, partition_name: 'zz' })).value, false);
      const parts = await c.showPartitions({ collection_name: books });
      okRes(parts);
      assert.deepEqual([...parts.partition_names].sort(), ['_default', 'p1']);
      ok(await c.createPartition({ collection_name: books, partition_name: 'gone' }));
      ok(await c.dropPartition({ collection_name: books, partition_name: 'gone' }));
      assert.equal((await c.hasPartition({ collection_name: books, partition_name: 'gone' })).value, false);

      ok(await c.createAlias({ collection_name: books, alias: 'library' }));
      const a = await c.describeAlias({ alias: 'library', collection_name: books });
      okRes(a);
      assert.equal(a.collection, books);
      const la = await c.listAliases({ collection_name: books });
      okRes(la);
      assert.deepEqual(la.aliases, ['library']);
      assert.equal((await c.describeCollection({ collection_name: 'library' })).collection_name, books);
      ok(await c.dropAlias({ alias: 'library' }));
      assert.notEqual((await c.describeAlias({ alias: 'library', collection_name: books })).status.error_code, 'Success');
    });

    test('insert rows (dynamic keys, nulls, defaults), upsert, delete, flush, stats', async () => {
      const rows = [];
      for (let i = 0; i < 20; i++) {
        rows.push({
          id: i, vec: vec(i), title: i % 5 === 0 ? null : `book ${i}`, ...(i % 2 === 0 ? { year: 1990 + i } : {}),
          meta: { n: i }, tags: i % 3 === 0 ? ['a', 'b'] : [], color: i % 2 === 0 ? 'red' : 'blue',
        });
      }
      const ins = await c.insert({ collection_name: books, data: rows.slice(0, 15) });
      okRes(ins);
      assert.equal(Number(ins.insert_cnt), 15);
      assert.ok('int_id' in ins.IDs);
      assert.deepEqual(ins.IDs.int_id.data.map(Number), [...Array(15).keys()]);
      okRes(await c.insert({ collection_name: books, partition_name: 'p1', data: rows.slice(15) }));
      const up = await c.upsert({ collection_name: books, data: [{ ...rows[1], title: 'rewritten', color: 'green' }] });
      okRes(up);
      assert.equal(Number(up.upsert_cnt), 1);
      const del = await c.delete({ collection_name: books, filter: 'id in [19]' });
      okRes(del);
      const fl = await c.flushSync({ collection_names: [books] });
      okRes(fl);
      const st = await c.getCollectionStatistics({ collection_name: books });
      okRes(st);
      assert.ok(Number(st.data.row_count) >= 19, `row_count ${String(st.data.row_count)}`);
    });

    test('load rules: not loaded -> 101, load without index -> error, then index + load', async () => {
      const before = await c.search({ collection_name: books, data: vec(3), limit: 3 });
      assert.equal(before.status.code, 101, before.status.reason);
      const q = await c.query({ collection_name: books, filter: 'id > 0', limit: 3 });
      assert.equal(q.status.code, 101);
      // the SDK's loadCollection waits for the load and throws on a non-success status
      await assert.rejects(c.loadCollection({ collection_name: books }), /IndexNotExist|index/, 'load without a vector index must fail');
      const ls = await c.getLoadState({ collection_name: books });
      okRes(ls);
      assert.equal(String(ls.state), 'LoadStateNotLoad');
      assert.equal(String((await c.getLoadState({ collection_name: 'nope' })).state), 'LoadStateNotExist');

      ok(await c.createIndex({ collection_name: books, field_name: 'vec', index_type: 'FLAT', metric_type: 'L2' }));
      const di = await c.describeIndex({ collection_name: books });
      okRes(di);
      const desc = di.index_descriptions[0];
      assert.equal(desc?.field_name, 'vec');
      const p = Object.fromEntries((desc?.params ?? []).map((kv) => [kv.key, kv.value]));
      assert.equal(p['index_type'], 'FLAT');
      assert.equal(p['metric_type'], 'L2');
      assert.equal(typeof JSON.parse(String(p['params'])), 'object', 'params echoed as JSON text');
      ok(await c.loadCollectionSync({ collection_name: books }));
      assert.equal(String((await c.getLoadState({ collection_name: books })).state), 'LoadStateLoaded');
    });

    test('query: count(*), output fields, nulls, dynamic keys, limits, ordered by pk', async () => {
      const count = await c.count({ collection_name: books });
      okRes(count);
      assert.equal(count.data, 19);
      const q = await c.query({ collection_name: books, filter: 'id < 6', output_fields: ['id', 'title', 'year', 'color', 'tags', 'meta'] });
      okRes(q);
      assert.deepEqual(q.data.map((r) => Number(r['id'])), [0, 1, 2, 3, 4, 5]);
      const byId = new Map(q.data.map((r) => [Number(r['id']), r]));
      assert.equal(byId.get(0)?.['title'], null, 'null title comes back as null');
      assert.equal(byId.get(1)?.['title'], 'rewritten');
      assert.equal(dyn(byId.get(1), 'color'), 'green');
      assert.equal(byId.get(2)?.['year'], 1992);
      assert.equal(byId.get(3)?.['year'], 2000, 'default value for a missing field');
      assert.deepEqual(byId.get(3)?.['tags'], ['a', 'b']);
      assert.deepEqual(byId.get(4)?.['meta'], { n: 4 });
      const red = await c.query({ collection_name: books, filter: 'color == "red"', output_fields: ['id'], limit: 100 });
      okRes(red);
      assert.equal(red.data.length, 10);
      const page = await c.query({ collection_name: books, filter: '', output_fields: ['id'], limit: 3, offset: 2 });
      okRes(page);
      assert.deepEqual(page.data.map((r) => Number(r['id'])), [2, 3, 4]);
      const p1 = await c.query({ collection_name: books, filter: 'id >= 0', partition_names: ['p1'], output_fields: ['id'] });
      okRes(p1);
      assert.deepEqual(p1.data.map((r) => Number(r['id'])).sort((a, b) => a - b), [15, 16, 17, 18]);
      const bad = await c.query({ collection_name: books, filter: 'id <', output_fields: ['id'] });
      assert.notEqual(bad.status.error_code, 'Success');
    });

    test('search: nearest first, filters, output fields, partitions, nq > 1', async () => {
      const r = await c.search({ collection_name: books, data: vec(7), limit: 3, output_fields: ['id', 'title', 'color'] });
      okRes(r);
      assert.equal(r.results.length, 3);
      assert.equal(Number(r.results[0]?.id), 7);
      assert.equal(r.results[0]?.['title'], 'book 7');
      assert.equal(r.results[0]?.['color'], 'blue');
      assert.ok((r.results[0]?.score ?? 1) <= (r.results[1]?.score ?? 0), 'L2: ascending distance');
      const f = await c.search({ collection_name: books, data: vec(7), limit: 5, filter: 'id > 10 and color == "red"', output_fields: ['id'] });
      okRes(f);
      assert.ok(f.results.length > 0);
      for (const h of f.results) assert.ok(Number(h.id) > 10 && Number(h.id) % 2 === 0);
      const p = await c.search({ collection_name: books, data: vec(7), limit: 10, partition_names: ['p1'], output_fields: ['id'] });
      okRes(p);
      for (const h of p.results) assert.ok(Number(h.id) >= 15);
      const multi = await c.search({ collection_name: books, data: [vec(2), vec(12)], limit: 2, output_fields: ['id'] });
      okRes(multi);
      const groups = multi.results as unknown as { id: string }[][];
      assert.equal(groups.length, 2);
      assert.equal(Number(groups[0]?.[0]?.id), 2);
      assert.equal(Number(groups[1]?.[0]?.id), 12);
    });

    test('released partition targeted -> 201; released collection -> 101', async () => {
      ok(await c.releasePartitions({ collection_name: books, partition_names: ['p1'] }));
      const r = await c.search({ collection_name: books, data: vec(1), limit: 3, partition_names: ['p1'] });
      assert.equal(r.status.code, 201, r.status.reason);
      okRes(await c.search({ collection_name: books, data: vec(1), limit: 3 }));
      ok(await c.releaseCollection({ collection_name: books }));
      const s2 = await c.search({ collection_name: books, data: vec(1), limit: 3 });
      assert.equal(s2.status.code, 101);
      ok(await c.loadCollectionSync({ collection_name: books }));
    });

    test('other vector types and hybrid search', async () => {
      ok(await c.createCollection({
        collection_name: 'multi',
        fields: [
          { name: 'pk', data_type: DataType.VarChar, is_primary_key: true, max_length: 16 },
          { name: 'dense', data_type: DataType.FloatVector, dim: 2 },
          { name: 'bin', data_type: DataType.BinaryVector, dim: 16 },
          { name: 'sparse', data_type: DataType.SparseFloatVector },
          { name: 'half', data_type: DataType.Float16Vector, dim: 2 },
        ],
      }));
      const rows = [];
      for (let i = 0; i < 8; i++) {
        rows.push({ pk: `k${i}`, dense: [i, 1], bin: [i, 255 - i], sparse: { [i]: 1, 100: 0.5 }, half: [i / 8, 0.5] });
      }
      const ins = await c.insert({ collection_name: 'multi', data: rows });
      okRes(ins);
      assert.ok('str_id' in ins.IDs);
      assert.deepEqual(ins.IDs.str_id.data, rows.map((r) => r.pk));
      ok(await c.createIndex({ collection_name: 'multi', field_name: 'dense', index_type: 'FLAT', metric_type: 'L2' }));
      ok(await c.createIndex({ collection_name: 'multi', field_name: 'bin', index_type: 'BIN_FLAT', metric_type: 'HAMMING' }));
      ok(await c.createIndex({ collection_name: 'multi', field_name: 'sparse', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'IP' }));
      ok(await c.createIndex({ collection_name: 'multi', field_name: 'half', index_type: 'FLAT', metric_type: 'L2' }));
      ok(await c.loadCollectionSync({ collection_name: 'multi' }));

      const b = await c.search({ collection_name: 'multi', anns_field: 'bin', data: [3, 252], limit: 1, output_fields: ['pk'] });
      okRes(b);
      assert.equal(b.results[0]?.['pk'], 'k3');
      const sp = await c.search({ collection_name: 'multi', anns_field: 'sparse', data: { 5: 1 }, limit: 1, output_fields: ['pk'] });
      okRes(sp);
      assert.equal(sp.results[0]?.['pk'], 'k5');
      const h = await c.search({ collection_name: 'multi', anns_field: 'half', data: [6 / 8, 0.5], limit: 1, output_fields: ['pk'] });
      okRes(h);
      assert.equal(h.results[0]?.['pk'], 'k6');
      const q = await c.query({ collection_name: 'multi', filter: 'pk == "k2"', output_fields: ['bin', 'sparse', 'dense'] });
      okRes(q);
      assert.deepEqual(q.data[0]?.['dense'], [2, 1]);
      assert.deepEqual(q.data[0]?.['bin'], [2, 253]);

      const hy = await c.hybridSearch({
        collection_name: 'multi',
        data: [{ data: [4, 1], anns_field: 'dense' }, { data: { 4: 1 }, anns_field: 'sparse' }],
        limit: 3, output_fields: ['pk'],
      });
      okRes(hy);
      assert.equal(hy.results.length, 3);
      assert.equal(hy.results[0]?.['pk'], 'k4');
    });

    test('restart on the same data directory keeps collections, rows and indexes', async () => {
      await target().restart();
      c = target().client;
      assert.equal((await c.hasCollection({ collection_name: books })).value, true);
      const di = await c.describeIndex({ collection_name: books });
      okRes(di);
      ok(await c.loadCollectionSync({ collection_name: books }));
      const count = await c.count({ collection_name: books });
      okRes(count);
      assert.equal(count.data, 19);
      const q = await c.query({ collection_name: books, filter: 'id == 1', output_fields: ['title', 'color'] });
      okRes(q);
      assert.equal(q.data[0]?.['title'], 'rewritten');
      assert.equal(dyn(q.data[0], 'color'), 'green');
    });
  });
}
