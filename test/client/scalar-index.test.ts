/**
 * Scalar indexes end to end through the embedded client: Milvus's validation messages, index files
 * built per sealed segment and loaded with it, queries answered from them (indexPlanStats counts
 * predicates the planner took from an index) with the scan's results, several JSON path indexes on
 * one JSON field and one on a dynamic key, memory counted, DropIndex removing the files.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { open, DataType, IndexType, MetricType } from '../../src/client/index.js';
import { indexPlanStats } from '../../src/expr/index-plan.js';
import { removeDir, rng, tempDir } from './helpers.js';

const C = 'items';
const ROWS = 3000;
let dir: string;
before(async () => { dir = await tempDir(); });
after(async () => { await removeDir(dir); });

interface Row { id: number; n: number; s: string; t: string; tags: string[]; meta: { a: number; b: string }; dk: string; vec: number[] }
const WORDS = ['amber', 'basalt', 'cobalt', 'dune', 'ember', 'fjord', 'garnet', 'harbor'];
function makeRows(): Row[] {
  const r = rng(5);
  return Array.from({ length: ROWS }, (_, id) => {
    const w = (): string => WORDS[Math.floor(r() * WORDS.length)]!;
    return { id, n: Math.floor(r() * 1000), s: `${w()}-${id}`, t: `${w()} ${w()} ${id}`, tags: [w(), w()], meta: { a: Math.floor(r() * 500), b: w() }, dk: w(), vec: [r(), r()] };
  });
}

const ids = (rows: Record<string, unknown>[]): number[] => rows.map((x) => Number(x['id'])).sort((a, b) => a - b);
const like = (s: string, sub: string): boolean => s.includes(sub);

test('scalar indexes: validation, builds, indexed queries equal to the scan, JSON paths, DropIndex', async () => {
  const client = await open(dir);
  try {
    await client.createCollection({ collection_name: C, enable_dynamic_field: true, fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'n', data_type: DataType.Int32 },
      { name: 'f', data_type: DataType.Float },
      { name: 's', data_type: DataType.VarChar, max_length: 64 },
      { name: 't', data_type: DataType.VarChar, max_length: 64 },
      { name: 'tags', data_type: DataType.Array, element_type: DataType.VarChar, max_capacity: 4, max_length: 16 },
      { name: 'meta', data_type: DataType.JSON },
      { name: 'vec', data_type: DataType.FloatVector, dim: 2 },
    ] });
    const refused = async (req: Record<string, unknown>, code: number, text: RegExp): Promise<void> => {
      const st = await client.createIndex({ collection_name: C, ...req } as never);
      assert.equal(st.code, code, `${JSON.stringify(req)}: ${st.reason}`);
      assert.match(st.reason, text);
    };
    await refused({ field_name: 'n', index_type: 'TRIE' }, 1100, /TRIE are only supported on varchar field/);
    await refused({ field_name: 'f', index_type: 'BITMAP' }, 1100, /bitmap index are only supported on bool, int, string and array field/);
    await refused({ field_name: 'id', index_type: 'BITMAP' }, 1100, /create bitmap index on primary key not supported/);
    await refused({ field_name: 'tags', index_type: 'STL_SORT' }, 1100, /STL_SORT are only supported on numeric, varchar, timestamptz, date or time field, got Array/);
    await refused({ field_name: 'n', index_type: 'NGRAM', params: { min_gram: 2, max_gram: 3 } }, 1100, /Ngram index can only be created on VARCHAR or JSON field/);
    await refused({ field_name: 't', index_type: 'NGRAM', params: { min_gram: 3 } }, 1101, /Ngram index must specify both min_gram and max_gram/);
    await refused({ field_name: 't', index_type: 'NGRAM', params: { min_gram: 4, max_gram: 3 } }, 1100, /invalid min_gram or max_gram value for Ngram index, min_gram: 4, max_gram: 3/);
    await refused({ field_name: 'meta', index_type: 'INVERTED', params: { json_path: 'meta["a"]' } }, 1101, /json index must specify cast type/);
    await refused({ field_name: 'meta', index_type: 'INVERTED', params: { json_path: 'meta["a"]', json_cast_type: 'INT' } }, 1100, /json_cast_type INT is not supported/);

    const rows = makeRows();
    await client.insert({ collection_name: C, data: rows.map((x) => ({ ...x, f: x.n / 2 })) });
    await client.flush({ collection_names: [C] });
    const made = [
      { field_name: 'vec', index_type: IndexType.FLAT, metric_type: MetricType.L2 },
      { field_name: 'n', index_type: 'STL_SORT' },
      { field_name: 's', index_type: 'TRIE' },
      { field_name: 't', index_type: 'NGRAM', params: { min_gram: 2, max_gram: 3 } },
      { field_name: 'tags', index_type: 'INVERTED' },
      { field_name: 'meta', index_name: 'meta_a', index_type: 'INVERTED', params: { json_path: 'meta["a"]', json_cast_type: 'DOUBLE' } },
      { field_name: 'meta', index_name: 'meta_b', index_type: 'INVERTED', params: { json_path: 'meta["b"]', json_cast_type: 'VARCHAR' } },
      { field_name: 'dk', index_name: 'dyn_dk', index_type: 'INVERTED', params: { json_path: 'dk', json_cast_type: 'VARCHAR' } },
    ];
    for (const m of made) {
      const st = await client.createIndex({ collection_name: C, ...m } as never);
      assert.equal(st.error_code, 'Success', `${m.field_name}: ${st.reason}`);
    }
    for (let i = 0; i < 200; i++) {
      const d = await client.describeIndex({ collection_name: C });
      if (d.index_descriptions.every((x) => x.state === 'Finished')) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const d = await client.describeIndex({ collection_name: C });
    assert.equal(d.index_descriptions.length, made.length);
    for (const x of d.index_descriptions) assert.equal(x.state, 'Finished', `${x.index_name}: ${x.state} ${x.index_state_fail_reason}`);
    const metaA = d.index_descriptions.find((x) => x.index_name === 'meta_a');
    assert.ok(metaA?.params.some((p) => p.key === 'json_path' && p.value === 'meta["a"]'));
    const files = (await readdir(join(dir), { recursive: true })).filter((f) => String(f).endsWith('.sxi'));
    assert.equal(files.length, made.length - 1, `one index file per scalar index (FLAT on 3000 rows searches exactly): ${files.join(", ")}`);

    await client.loadCollectionSync({ collection_name: C });
    const cases: [string, (x: Row) => boolean][] = [
      ['n == 417', (x) => x.n === 417],
      ['n >= 100 and n < 103', (x) => x.n >= 100 && x.n < 103],
      ['n in [5, 6, 900]', (x) => [5, 6, 900].includes(x.n)],
      ['s like "cobalt-12%"', (x) => x.s.startsWith('cobalt-12')],
      ['s == "dune-7"', (x) => x.s === 'dune-7'],
      ['t like "%et 12%"', (x) => like(x.t, 'et 12')],
      ['array_contains(tags, "fjord") and n < 50', (x) => x.tags.includes('fjord') && x.n < 50],
      ['array_contains_all(tags, ["amber", "dune"])', (x) => x.tags.includes('amber') && x.tags.includes('dune')],
      ['meta["a"] == 250', (x) => x.meta.a === 250],
      ['meta["a"] > 495 and meta["b"] == "ember"', (x) => x.meta.a > 495 && x.meta.b === 'ember'],
      ['dk == "garnet" and n < 20', (x) => x.dk === 'garnet' && x.n < 20],
      ['not (n > 10)', (x) => !(x.n > 10)],
    ];
    const before = indexPlanStats.indexed;
    for (const [filter, want] of cases) {
      const q = await client.query({ collection_name: C, filter, output_fields: ['id'], limit: 16384 });
      assert.equal(q.status.error_code, 'Success', `${filter}: ${q.status.reason}`);
      assert.deepEqual(ids(q.data), rows.filter(want).map((x) => x.id), filter);
    }
    // All but two: `not (n > 10)` selects 99% of rows and array_contains_all's terms about 23% each,
    // so the planner scans those (the index would not pay).
    assert.equal(indexPlanStats.indexed - before, cases.length - 2, 'predicates answered from an index');

    // count(*) takes the indexed answers as row ids (engine/read.ts), deleted rows left out of both.
    for (const [filter, want] of cases) {
      const c = await client.query({ collection_name: C, filter, output_fields: ['count(*)'] });
      assert.equal(Number(c.data[0]?.['count(*)']), rows.filter(want).length, `count(*) where ${filter}`);
    }
    const inRange = (x: Row): boolean => x.n >= 100 && x.n < 103;
    const gone = rows.filter(inRange).map((x) => x.id).slice(0, 2);
    assert.equal(gone.length, 2);
    assert.equal((await client.delete({ collection_name: C, ids: gone })).status.error_code, 'Success');
    const kept = rows.filter((x) => inRange(x) && !gone.includes(x.id)).map((x) => x.id);
    const afterDelete = await client.query({ collection_name: C, filter: 'n >= 100 and n < 103', output_fields: ['id'], limit: 16384 });
    assert.deepEqual(ids(afterDelete.data), kept);
    const countAfter = await client.query({ collection_name: C, filter: 'n >= 100 and n < 103', output_fields: ['count(*)'] });
    assert.equal(Number(countAfter.data[0]?.['count(*)']), kept.length);

    // DropIndex: refused while loaded (Milvus), then the files go and queries scan with the same answers.
    await client.releaseCollection({ collection_name: C });
    assert.equal((await client.dropIndex({ collection_name: C, index_name: 'meta_b' })).error_code, 'Success');
    assert.equal((await client.dropIndex({ collection_name: C, field_name: 'n' })).error_code, 'Success');
    const left = (await readdir(join(dir), { recursive: true })).filter((f) => String(f).endsWith('.sxi'));
    assert.equal(left.length, files.length - 2);
    await client.loadCollectionSync({ collection_name: C });
    const afterDrop = indexPlanStats.indexed;
    const q = await client.query({ collection_name: C, filter: 'n == 417', output_fields: ['id'], limit: 16384 });
    assert.deepEqual(ids(q.data), rows.filter((x) => x.n === 417).map((x) => x.id));
    assert.equal(indexPlanStats.indexed, afterDrop, 'no index left on n');
  } finally {
    await client.close();
  }
});
