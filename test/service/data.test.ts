/** Writes, queries and exact search through the service, checked against independent computations. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import type { Column } from '../../src/schema/column.js';
import { SextantService } from '../../src/service/service.js';
import type { QueryResult, SearchResult } from '../../src/service/types.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';
import { withTempDir } from '../support/tmp.js';

const dim = 8;

function ints(r: QueryResult | SearchResult, name: string): number[] {
  const col = r.columns.find((c) => c.field.name === name)?.column;
  assert.ok(col, `no column ${name}`);
  assert.equal(col.kind, 'int64');
  return Array.from(col.data as BigInt64Array, Number);
}

function l2(a: Float32Array, ai: number, b: Float32Array, bi: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const x = a[ai * dim + d]! - b[bi * dim + d]!;
    s += x * x;
  }
  return s;
}

async function setup(dir: string, opts: { sealRows?: number } = {}) {
  const svc = await SextantService.open({ dataDir: dir, ...opts });
  await svc.createCollection(vectorCollection('docs', dim));
  await svc.createIndex({ collectionName: 'docs', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
  return svc;
}

test('search returns the exact top-k (across growing and sealed segments), filtered, paged and with deletes', async () => {
  await withTempDir(async (dir) => {
    const svc = await setup(dir, { sealRows: 700 });
    const rand = rng(11);
    const n = 2000;
    const all: Float32Array = new Float32Array(n * dim);
    for (let first = 0; first < n; first += 250) {
      const cols = batch(first, 250, dim, rand);
      all.set((cols.get('vec') as { data: Float32Array }).data, first * dim);
      await svc.insert({ collectionName: 'docs', numRows: 250, columns: cols });
    }
    await svc.delete({ collectionName: 'docs', filter: 'id in [3, 5, 7]' });
    await svc.loadCollection({ collectionName: 'docs' });
    const queries = new Float32Array(3 * dim).map(() => rand() * 2 - 1);
    const r = await svc.search({ collectionName: 'docs', nq: 3, topK: 10, offset: 5, vectors: { kind: 'floatVector', dim, data: queries, valid: null }, filter: 'id % 2 == 1 and tag != "t3"', outputFields: ['id', 'score'] });
    assert.deepEqual(r.topks, [10, 10, 10]);
    for (let qi = 0; qi < 3; qi++) {
      const expected = [...Array(n).keys()]
        .filter((i) => i % 2 === 1 && i % 7 !== 3 && ![3, 5, 7].includes(i))
        .map((i) => ({ i, d: l2(all, i, queries, qi) }))
        .sort((a, b) => a.d - b.d || a.i - b.i)
        .slice(5, 15);
      const got = ints(r, 'id').slice(qi * 10, qi * 10 + 10);
      assert.deepEqual(got, expected.map((e) => e.i));
      for (let k = 0; k < 10; k++) assert.ok(Math.abs(r.scores[qi * 10 + k]! - expected[k]!.d) < 1e-4);
      const scores = ints(r, 'id').slice(qi * 10, qi * 10 + 10);
      assert.equal(scores.length, 10);
    }
    const scoreCol = r.columns.find((c) => c.field.name === 'score')!.column as { data: Float64Array };
    assert.equal(scoreCol.data[0], ints(r, 'id')[0]! / 10);
    await svc.close();
  });
});

test('query: filters, ordering by PK, limit/offset rules, count(*), upsert and delete semantics, restart', async () => {
  await withTempDir(async (dir) => {
    let svc = await setup(dir, { sealRows: 300 });
    const rand = rng(5);
    await svc.insert({ collectionName: 'docs', numRows: 500, columns: batch(0, 500, dim, rand) });
    await svc.loadCollection({ collectionName: 'docs' });
    let r = await svc.query({ collectionName: 'docs', filter: 'id >= 490', outputFields: ['tag'] });
    assert.deepEqual(ints(r, 'id'), [490, 491, 492, 493, 494, 495, 496, 497, 498, 499]);
    assert.deepEqual(r.outputFields, ['id', 'tag']);
    r = await svc.query({ collectionName: 'docs', filter: '', limit: 3, offset: 10 });
    assert.deepEqual(ints(r, 'id'), [10, 11, 12]);
    await assert.rejects(svc.query({ collectionName: 'docs', filter: '' }), (e: unknown) => e instanceof MilvusError && e.code === 1100 && /empty expression should be used with limit/.test(e.message));
    await assert.rejects(svc.query({ collectionName: 'docs', filter: 'id > 1', limit: 16000, offset: 1000 }), (e: unknown) => e instanceof MilvusError && /\[1, 16384\], but got 17000/.test(e.message));
    const count = async (filter: string) => ints(await svc.query({ collectionName: 'docs', filter, outputFields: ['count(*)'] }), 'count(*)')[0];
    assert.equal(await count('tag == "t0"'), 72);
    // delete by filter (needs load), then upsert of deleted and live rows.
    const del = await svc.delete({ collectionName: 'docs', filter: 'tag == "t0"' });
    assert.equal(del.deleteCount, 72);
    assert.equal(await count('id >= 0'), 428);
    const up = batch(0, 10, dim, rand);
    (up.get('tag') as { data: string[] }).data.fill('up');
    await svc.upsert({ collectionName: 'docs', numRows: 10, columns: up });
    assert.equal(await count('id >= 0'), 428 + 2); // ids 0 and 7 came back; 8 others replaced in place
    assert.equal(await count('tag == "up"'), 10);
    // Rows of the statistics count deleted rows until compaction, as Milvus does.
    assert.equal((await svc.getCollectionStatistics({ collectionName: 'docs' })).rowCount, 510);
    await svc.close();
    svc = await SextantService.open({ dataDir: dir });
    assert.equal(await count('id >= 0'), 430);
    assert.equal(await count('tag == "up"'), 10);
    await svc.compact({ collectionName: 'docs' });
    await svc.engine.compactor.idle();
    assert.equal((await svc.getCollectionStatistics({ collectionName: 'docs' })).rowCount, 430);
    assert.equal(await count('id >= 0'), 430);
    await svc.close();
    svc = await SextantService.open({ dataDir: dir });
    assert.equal(await count('id >= 0'), 430);
    await svc.close();
  });
});

test('auto IDs are unique and increasing across restarts; dynamic fields filter and output', async () => {
  await withTempDir(async (dir) => {
    let svc = await SextantService.open({ dataDir: dir });
    await svc.createCollection({
      collectionName: 'auto',
      enableDynamicField: true,
      fields: [
        { name: 'pk', dataType: DataType.Int64, isPrimaryKey: true, autoId: true },
        { name: 'v', dataType: DataType.FloatVector, dim: 2 },
      ],
    });
    const mk = (n: number, base: number): Map<string, Column> => new Map<string, Column>([
      ['v', { kind: 'floatVector', dim: 2, data: new Float32Array(n * 2).fill(base), valid: null }],
      ['$meta', { kind: 'json', data: Array.from({ length: n }, (_, i) => ({ color: i % 2 ? 'red' : 'blue', n: base + i })), valid: null }],
    ]);
    const a = await svc.insert({ collectionName: 'auto', numRows: 5, columns: mk(5, 0) });
    await svc.close();
    svc = await SextantService.open({ dataDir: dir });
    const b = await svc.insert({ collectionName: 'auto', numRows: 5, columns: mk(5, 100) });
    assert.equal(a.ids.kind, 'int64');
    const ids = [...(a.ids.data as BigInt64Array), ...(b.ids.data as BigInt64Array)];
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! > ids[i - 1]!, 'auto ids must increase');
    await svc.createIndex({ collectionName: 'auto', fieldName: 'v', params: { metric_type: 'L2', index_type: 'FLAT' } });
    await svc.loadCollection({ collectionName: 'auto' });
    const r = await svc.query({ collectionName: 'auto', filter: 'color == "red" and n > 100', outputFields: ['color'] });
    assert.equal(r.numRows, 2);
    const meta = r.columns.find((c) => c.field.name === '$meta')!.column as { data: unknown[] };
    assert.deepEqual(meta.data, [{ color: 'red' }, { color: 'red' }]);
    assert.deepEqual(r.outputFields, ['pk', 'color']);
    await svc.close();
  });
});
