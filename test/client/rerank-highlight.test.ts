/**
 * The Node SDK's shapes through the embedded client: `rerank` as one function object (decay) or a
 * FunctionScore (boost functions + boost_mode / function_mode), on search and hybrid search, and
 * `highlighter` with the SDK's `hit.highlight[field] = {fragments, scores}`. Expected scores are the
 * plain search's scores times the decay / boost computed here.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, DataType, FunctionType, IndexType, MetricType } from '../../src/client/index.js';
import { removeDir, tempDir } from './helpers.js';

let dir: string;
before(async () => { dir = await tempDir(); });
after(async () => { await removeDir(dir); });

const TEXTS = ['apple pie', 'green apple and red apple', 'pear', 'apple', 'an apple a day keeps the doctor away'];
type Hit = Record<string, unknown> & { score: number };
const f32 = Math.fround;

test('embedded client: decay and boost rerank functions, hybrid decay, and the lexical highlighter in the SDK shapes', async () => {
  const client = await open(dir);
  try {
    const made = await client.createCollection({
      collection_name: 'c',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'text', data_type: DataType.VarChar, max_length: 200, enable_analyzer: true },
        { name: 'sparse', data_type: DataType.SparseFloatVector },
        { name: 'n', data_type: DataType.Int32 },
        { name: 'vec', data_type: DataType.FloatVector, dim: 2 },
      ],
      functions: [{ name: 'bm25', type: FunctionType.BM25, input_field_names: ['text'], output_field_names: ['sparse'], params: {} }],
    });
    assert.equal(made.error_code, 'Success');
    await client.insert({ collection_name: 'c', data: TEXTS.map((text, i) => ({ id: i, text, n: 10 * i, vec: [i, 0] })) });
    await client.createIndex({ collection_name: 'c', field_name: 'sparse', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25', params: {} });
    await client.createIndex({ collection_name: 'c', field_name: 'vec', index_type: IndexType.FLAT, metric_type: MetricType.L2, params: {} });
    await client.loadCollectionSync({ collection_name: 'c' });

    const plain = await client.search({ collection_name: 'c', data: 'apple', anns_field: 'sparse', limit: 10, output_fields: ['n'] });
    const raw = new Map((plain.results as Hit[]).map((h) => [Number(h['id']), h.score]));
    assert.deepEqual([...raw.keys()].sort(), [0, 1, 3, 4]);
    assert.equal((plain.results as Hit[])[0]!['highlight'], undefined);

    // decay linear around n = 40 (id 4), scale 20, decay 0.5: 1 - 0.025·|n - 40|, floored at 0.5.
    const rerank = { name: 'd', type: FunctionType.RERANK, input_field_names: ['n'], params: { reranker: 'decay', function: 'linear', origin: 40, scale: 20, decay: 0.5 } };
    const highlighter = { type: 0, pre_tags: ['<b>'], post_tags: ['</b>'], highlight_search_text: true };
    const decayed = await client.search({ collection_name: 'c', data: 'apple', anns_field: 'sparse', limit: 10, output_fields: ['text'], rerank, highlighter } as never);
    assert.equal(decayed.status.error_code, 'Success');
    const want = [...raw].map(([id, s]) => ({ id, s: f32(f32(Math.max(0.5, 1 - 0.025 * Math.abs(10 * id - 40))) * s) }))
      .sort((a, b) => b.s - a.s || a.id - b.id);
    const got = decayed.results as Hit[];
    assert.deepEqual(got.map((h) => Number(h['id'])), want.map((w) => w.id));
    assert.deepEqual(got.map((h) => f32(h.score)), want.map((w) => w.s));
    const frags = new Map(got.map((h) => [Number(h['id']), (h['highlight'] as Record<string, { fragments: string[]; scores: number[] }>)['text']]));
    assert.deepEqual(frags.get(1), { fragments: ['<b>apple</b> and red <b>apple</b>'], scores: [] });
    assert.deepEqual(frags.get(4), { fragments: ['<b>apple</b> a day keeps the doctor away'], scores: [] });

    // Two boosts: fixed 2 on id < 2, fixed 3 on every hit; function_mode Sum, boost_mode Multiply.
    const boost = {
      functions: [
        { name: 'b1', type: FunctionType.RERANK, input_field_names: [], params: { reranker: 'boost', filter: 'id < 2', weight: 2 } },
        { name: 'b2', type: FunctionType.RERANK, input_field_names: [], params: { reranker: 'boost', weight: 3 } },
      ],
      params: { boost_mode: 'Multiply', function_mode: 'Sum' },
    };
    const boosted = await client.search({ collection_name: 'c', data: 'apple', anns_field: 'sparse', limit: 10, rerank: boost } as never);
    const wantBoost = [...raw].map(([id, s]) => ({ id, s: f32(s * (id < 2 ? 5 : 3)) })).sort((a, b) => b.s - a.s || a.id - b.id);
    assert.deepEqual((boosted.results as Hit[]).map((h) => [Number(h['id']), f32(h.score)]), wantBoost.map((w) => [w.id, w.s]));

    // Hybrid: text + vector routes, decay exp around n = 0; the larger normalised route score per id.
    const hybrid = await client.search({
      collection_name: 'c', limit: 2,
      data: [{ data: 'apple', anns_field: 'sparse' }, { data: [2, 0], anns_field: 'vec', params: {} }],
      rerank: { name: 'd', type: FunctionType.RERANK, input_field_names: ['n'], params: { reranker: 'decay', function: 'exp', origin: 0, scale: 10, decay: 0.5 } },
    } as never);
    assert.equal(hybrid.status.error_code, 'Success');
    assert.equal(hybrid.results.length, 2);

    const model = await client.search({ collection_name: 'c', data: 'apple', anns_field: 'sparse', limit: 3,
      rerank: { name: 'm', type: FunctionType.RERANK, input_field_names: ['text'], params: { reranker: 'model', provider: 'vllm', queries: ['apple'] } } } as never);
    assert.notEqual(model.status.error_code, 'Success');
    assert.match(model.status.reason, /needs a network rerank service/);
  } finally {
    await client.close();
  }
});
