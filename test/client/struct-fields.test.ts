/**
 * Array-of-Struct fields through the embedded client and REST v2 (#16): a struct declared as the Node
 * SDK declares it, output regrouped into lists of element objects (as the SDK shows gRPC's
 * `struct_arrays`), AddCollectionStructField (nullable only; rows written before read null), and
 * nullable struct rows written and read back, over both doors on the same data directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, open } from '../../src/client/index.js';
import { withTempDir } from '../support/tmp.js';
import { rows, startRest } from '../rest/helpers.js';

const C = 'docs';
const items = (r: number) => Array.from({ length: 1 + (r % 3) }, (_, e) => ({ label: `r${r}e${e}`, emb: [r, e, 1] }));

test('struct fields: client and REST output as element objects; AddCollectionStructField; null struct rows', { timeout: 120_000 }, async () => {
  await withTempDir(async (dir) => {
    const client = await open(dir);
    try {
      const created = await client.createCollection({ collection_name: C, fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim: 2 },
        { name: 'items', data_type: DataType.Array, element_type: DataType.Struct, max_capacity: 4, fields: [
          { name: 'label', data_type: DataType.VarChar, max_length: 16 }, { name: 'emb', data_type: DataType.FloatVector, dim: 3 },
        ] },
      ] } as unknown as Parameters<typeof client.createCollection>[0]);
      assert.equal(created.error_code, 'Success', created.reason);
      const ins = await client.insert({ collection_name: C, data: [1, 2, 3].map((r) => ({ id: r, v: [r, 0], items: items(r) })) });
      assert.equal(ins.status.error_code, 'Success', ins.status.reason);
      await client.flush({ collection_names: [C] });

      const refused = await client.addCollectionStructField({ collection_name: C, field: {
        name: 'extra', data_type: DataType.Array, element_type: DataType.Struct, max_capacity: 2, fields: [{ name: 'tag', data_type: DataType.Int32 }],
      } as unknown as Parameters<typeof client.addCollectionStructField>[0]['field'] });
      assert.equal(refused.code, 1100);
      assert.match(refused.reason, /added struct field must be nullable, please check it, struct field name = extra/);
      const extraField = {
        name: 'extra', data_type: DataType.Array, element_type: DataType.Struct, max_capacity: 2, nullable: true,
        fields: [{ name: 'tag', data_type: DataType.Int32 }, { name: 'p', data_type: DataType.FloatVector, dim: 2 }],
      } as unknown as Parameters<typeof client.addCollectionStructField>[0]['field'];
      const added = await client.addCollectionStructField({ collection_name: C, field: extraField });
      assert.equal(added.error_code, 'Success', added.reason);
      const again = await client.addCollectionStructField({ collection_name: C, field: extraField });
      assert.match(again.reason, /field already exists, name: extra/);
      const ins2 = await client.insert({ collection_name: C, data: [
        { id: 4, v: [4, 0], items: items(4), extra: [{ tag: 7, p: [1, 2] }, { tag: 8, p: [3, 4] }] },
        { id: 5, v: [5, 0], items: items(5), extra: null },
        { id: 6, v: [6, 0], items: items(6) },
      ] });
      assert.equal(ins2.status.error_code, 'Success', ins2.status.reason);

      await client.createIndex({ collection_name: C, field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
      await client.createIndex({ collection_name: C, field_name: 'items[emb]', index_type: 'HNSW', metric_type: 'MAX_SIM_COSINE' });
      await client.createIndex({ collection_name: C, field_name: 'extra[p]', index_type: 'HNSW', metric_type: 'MAX_SIM_COSINE' });
      await client.loadCollection({ collection_name: C });
      const expected = (id: number) => ({ items: items(id), extra: id === 4 ? [{ tag: 7, p: [1, 2] }, { tag: 8, p: [3, 4] }] : null });
      const q = await client.query({ collection_name: C, filter: 'id > 0', output_fields: ['items', 'extra'] });
      assert.equal(q.status.error_code, 'Success', q.status.reason);
      const byId = new Map(q.data.map((r) => [Number(r['id']), { items: r['items'], extra: r['extra'] }]));
      for (let id = 1; id <= 6; id++) assert.deepEqual(byId.get(id), expected(id), `client row ${id}`);

      const s = await client.search({ collection_name: C, data: [4.2, 0], anns_field: 'v', limit: 2, output_fields: ['items'] });
      const hits = s.results as unknown as { id: string; items: unknown }[];
      assert.deepEqual(hits.map((h) => [h.id, h.items]), [['4', items(4)], ['5', items(5)]]);
    } finally {
      await client.close();
    }

    const h = await startRest({ dataDir: dir });
    try {
      const got = rows(await h.v2('entities/query', { collectionName: C, filter: 'id > 0', outputFields: ['items', 'extra'] }));
      assert.equal(got.length, 6);
      for (const r of got) {
        const id = Number(r['id']);
        assert.deepEqual({ items: r['items'], extra: r['extra'] }, { items: items(id), extra: id === 4 ? [{ tag: 7, p: [1, 2] }, { tag: 8, p: [3, 4] }] : null }, `REST row ${id}`);
      }
      const inserted = await h.v2('entities/insert', { collectionName: C, data: [{ id: 7, v: [7, 0], items: items(7), extra: [{ tag: 9, p: [0, 1] }] }] });
      assert.equal(inserted.code, 0, inserted.text);
      const seven = rows(await h.v2('entities/query', { collectionName: C, filter: 'id == 7', outputFields: ['extra'] }));
      assert.deepEqual(seven[0]?.['extra'], [{ tag: 9, p: [0, 1] }]);
    } finally {
      await h.stop(true);
    }
  });
});
