/**
 * The embedded client's lean `searchTyped` (a Float32Array in, typed ids and scores out) against
 * `search` on the same data: the same hits and scores per query (Int64 and VarChar primary keys,
 * nq > 1, a filter, HNSW and growing rows), and the service's errors thrown with their codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, open } from '../../src/client/index.js';
import { MilvusError } from '../../src/core/errors.js';
import { withTempDir } from '../support/tmp.js';
import { rng } from '../support/fixtures.js';

const DIM = 8;

test('searchTyped gives search\'s hits and scores as typed arrays; bad input throws the service error', async () => {
  await withTempDir(async (dir) => {
    const client = await open(dir);
    try {
      const r = rng(5);
      for (const [C, pk] of [['typed_int', DataType.Int64], ['typed_str', DataType.VarChar]] as const) {
        await client.createCollection({ collection_name: C, fields: [
          { name: 'pk', data_type: pk, is_primary_key: true, max_length: 16 }, { name: 'v', data_type: DataType.FloatVector, dim: DIM },
        ] });
        const rows = Array.from({ length: 600 }, (_, i) => ({ pk: pk === DataType.Int64 ? i * 3 : `k${i}`, v: Array.from({ length: DIM }, () => r()) }));
        await client.insert({ collection_name: C, data: rows.slice(0, 500) });
        await client.flush({ collection_names: [C] });
        await client.insert({ collection_name: C, data: rows.slice(500) }); // growing rows too
        await client.createIndex({ collection_name: C, field_name: 'v', index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 32 } });
        await client.loadCollection({ collection_name: C });
        const nq = 3;
        const data = Float32Array.from({ length: nq * DIM }, () => r());
        for (const filter of [undefined, pk === DataType.Int64 ? 'pk % 2 == 0' : 'pk like "k1%"']) {
          const typed = await client.searchTyped({ collection_name: C, data, nq, limit: 7, params: { ef: 32 }, ...(filter === undefined ? {} : { filter }) });
          const plain = await client.search({
            collection_name: C, data: [0, 1, 2].map((q) => Array.from(data.subarray(q * DIM, (q + 1) * DIM))), limit: 7, params: { ef: 32 }, ...(filter === undefined ? {} : { filter }),
          });
          assert.equal(plain.status.error_code, 'Success', plain.status.reason);
          const hits = plain.results as unknown as { pk: string; score: number }[][];
          assert.equal(typed.nq, nq);
          assert.deepEqual(Array.from(typed.topks), hits.map((q) => q.length), `${C} ${filter}: hits per query`);
          assert.deepEqual(Array.from(typed.ids, String), hits.flat().map((h) => String(h.pk)), `${C} ${filter}: ids`);
          assert.deepEqual(Array.from(typed.scores), hits.flat().map((h) => h.score), `${C} ${filter}: scores`);
          assert.ok(pk === DataType.Int64 ? typed.ids instanceof BigInt64Array : Array.isArray(typed.ids));
        }
      }
      await assert.rejects(client.searchTyped({ collection_name: 'typed_int', data: new Float32Array(DIM + 1) }), (e: unknown) => e instanceof MilvusError && e.code === 1100);
      await assert.rejects(client.searchTyped({ collection_name: 'nope', data: new Float32Array(DIM) }), (e: unknown) => e instanceof MilvusError && e.code === 100);
      await assert.rejects(client.searchTyped({ collection_name: 'typed_int', data: new Float32Array(DIM * 2), nq: 3 }), /not nq \(3\) vectors/);
    } finally {
      await client.close();
    }
  });
});
