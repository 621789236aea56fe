/**
 * order_by_fields on query and search (Milvus 2.6), through the SDK over gRPC and the embedded
 * client, against a naive oracle: random rows with NULLs, duplicates and dynamic keys; random sort
 * keys; the answer must equal sorting the matching rows (query: then offset/limit; search: the page
 * of hits, scores carried along). Bad keys get Milvus's messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { open } from '../../src/client/index.js';
import { startSextant, tempDataDir } from './harness.js';

type Row = { id: number; v: number[]; a: number | null; s: string; f: number; extra?: number };
type Key = { field: 'a' | 's' | 'f' | 'id' | 'extra'; order: 'asc' | 'desc' };

function rows(n: number, seed: number): Row[] {
  const out: Row[] = [];
  let x = seed;
  const rnd = (): number => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648; };
  for (let i = 0; i < n; i++) {
    const r: Row = { id: i, v: [rnd(), rnd()], a: rnd() < 0.2 ? null : Math.floor(rnd() * 5), s: ['x', 'y', 'z', 'xx'][Math.floor(rnd() * 4)]!, f: Math.floor(rnd() * 4) / 2 };
    if (rnd() < 0.7) r.extra = Math.floor(rnd() * 3);
    out.push(r);
  }
  return out;
}

/** The oracle: stable sort by the keys, NULL (or a missing dynamic key) first in either direction. */
function sortRows<T extends { row: Row }>(items: T[], keys: Key[]): T[] {
  return items.map((it, i) => ({ it, i })).sort((p, q) => {
    for (const k of keys) {
      const a = p.it.row[k.field] ?? null;
      const b = q.it.row[k.field] ?? null;
      if (a === null || b === null) { if (a !== b) return a === null ? -1 : 1; continue; }
      const c = a < b ? -1 : a > b ? 1 : 0;
      if (c !== 0) return k.order === 'asc' ? c : -c;
    }
    return p.i - q.i;
  }).map((x) => x.it);
}

const keyArb = fc.uniqueArray(fc.record({ field: fc.constantFrom<Key['field']>('a', 's', 'f', 'id', 'extra'), order: fc.constantFrom<Key['order']>('asc', 'desc') }), { minLength: 1, maxLength: 3, selector: (k) => k.field });

type Search = (q: number[], limit: number, keys: Key[]) => Promise<{ id: string; score: number }[]>;
type Query = (filter: string, limit: number, offset: number, keys: Key[]) => Promise<string[]>;

async function check(data: Row[], query: Query, search: Search): Promise<void> {
  const byId = new Map(data.map((r) => [String(r.id), r]));
  await fc.assert(fc.asyncProperty(keyArb, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 4 }), async (keys, offset, limit, below) => {
    const got = await query(`a < ${below} or a is null`, limit, offset, keys);
    const matching = data.filter((r) => r.a === null || r.a < below).map((row) => ({ row }));
    const want = sortRows(matching, keys).slice(offset, offset + limit).map((x) => String(x.row.id));
    // Rows equal under the keys may come in any order from the oracle's point of view only if their
    // pk order differs: the query's base order is by primary key, as the oracle's input is.
    assert.deepEqual(got, want, `query order_by ${JSON.stringify(keys)} offset ${offset} limit ${limit}`);
  }), { numRuns: 25 });
  await fc.assert(fc.asyncProperty(keyArb, fc.integer({ min: 1, max: 20 }), async (keys, limit) => {
    const hits = await search([0.5, 0.5], limit, keys);
    assert.equal(hits.length, limit);
    const plain = await search([0.5, 0.5], limit, []);
    assert.deepEqual(hits.map((h) => h.id).sort(), plain.map((h) => h.id).sort(), 'the same page, reordered');
    const want = sortRows(plain.map((h) => ({ row: byId.get(h.id)!, h })), keys).map((x) => [x.h.id, x.h.score]);
    assert.deepEqual(hits.map((h) => [h.id, h.score]), want, `search order_by ${JSON.stringify(keys)}`);
  }), { numRuns: 20 });
}

const fields = [
  { name: 'id', data_type: DataType.Int64, is_primary_key: true },
  { name: 'v', data_type: DataType.FloatVector, dim: 2 },
  { name: 'a', data_type: DataType.Int32, nullable: true },
  { name: 's', data_type: DataType.VarChar, max_length: 8 },
  { name: 'f', data_type: DataType.Double },
];

test('order_by_fields over gRPC (the Node SDK) equals the naive sort; bad keys are 1100 with Milvus messages', { timeout: 120_000 }, async () => {
  const tmp = await tempDataDir();
  const s = await startSextant(tmp.dir);
  const c: MilvusClient = s.client;
  try {
    const data = rows(120, 7);
    assert.equal((await c.createCollection({ collection_name: 'ob', fields, enable_dynamic_field: true })).error_code, 'Success');
    assert.equal((await c.insert({ collection_name: 'ob', data: data.slice(0, 60) })).status.error_code, 'Success');
    await c.flushSync({ collection_names: ['ob'] });
    assert.equal((await c.insert({ collection_name: 'ob', data: data.slice(60) })).status.error_code, 'Success');
    await c.createIndex({ collection_name: 'ob', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
    await c.loadCollectionSync({ collection_name: 'ob' });
    await check(data,
      async (filter, limit, offset, keys) => {
        const r = await c.query({ collection_name: 'ob', filter, limit, offset, output_fields: ['id'], order_by_fields: keys });
        assert.equal(r.status.error_code, 'Success', r.status.reason);
        return r.data.map((x) => String(x['id']));
      },
      async (q, limit, keys) => {
        const r = await c.search({ collection_name: 'ob', data: q, limit, output_fields: ['id'], ...(keys.length > 0 ? { order_by_fields: keys } : {}) });
        assert.equal(r.status.error_code, 'Success', r.status.reason);
        return r.results.map((h) => ({ id: String(h.id), score: h.score }));
      });
    const bad = async (order_by_fields: string, pattern: RegExp): Promise<void> => {
      const r = await c.query({ collection_name: 'ob', filter: 'id >= 0', limit: 3, order_by_fields });
      assert.equal(r.status.code, 1100, r.status.reason);
      assert.match(r.status.reason, pattern);
    };
    await bad('v:asc', /order_by field 'v' has unsortable type FloatVector/);
    await bad('a:up', /invalid order direction 'up' for field 'a'/);
    await bad(':asc', /empty field name in order_by_fields/);
    assert.deepEqual(s.unexpected, []);
  } finally {
    await s.stop();
    await tmp.remove();
  }
});

test('order_by_fields through the embedded client (order_by alias on query); no dynamic field: unknown names are refused', { timeout: 120_000 }, async () => {
  const tmp = await tempDataDir();
  const client = await open(tmp.dir);
  try {
    const data = rows(80, 11);
    await client.createCollection({ collection_name: 'ob', fields, enable_dynamic_field: true });
    await client.insert({ collection_name: 'ob', data });
    await client.createIndex({ collection_name: 'ob', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
    await client.loadCollection({ collection_name: 'ob' });
    await check(data,
      async (filter, limit, offset, keys) => {
        const r = await client.query({ collection_name: 'ob', filter, limit, offset, output_fields: ['id'], order_by: keys.map((k) => `${k.field}:${k.order}`) } as unknown as Parameters<typeof client.query>[0]);
        assert.equal(r.status.error_code, 'Success', r.status.reason);
        return r.data.map((x) => String(x['id']));
      },
      async (q, limit, keys) => {
        const r = await client.search({ collection_name: 'ob', data: q, limit, output_fields: ['id'], ...(keys.length > 0 ? { order_by_fields: keys } : {}) });
        assert.equal(r.status.error_code, 'Success', r.status.reason);
        return (r.results as unknown as { id: string; score: number }[]).map((h) => ({ id: String(h.id), score: h.score }));
      });
    await client.createCollection({ collection_name: 'fixed', fields });
    await client.createIndex({ collection_name: 'fixed', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
    await client.loadCollection({ collection_name: 'fixed' });
    const r = await client.query({ collection_name: 'fixed', filter: 'id >= 0', limit: 3, order_by_fields: 'nope:desc' } as unknown as Parameters<typeof client.query>[0]);
    assert.equal(r.status.code, 1100);
    assert.match(r.status.reason, /order_by field 'nope' does not exist in collection schema/);
  } finally {
    await client.close();
    await tmp.remove();
  }
});
