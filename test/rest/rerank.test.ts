/**
 * REST v2: `functionScore` (decay, boost) on entities/search and on hybrid search (also under its
 * old name entities/advanced_search), and `highlighter` on entities/search with each row's
 * `highlight`. Expected scores: the plain search's distances times the decay / boost computed here.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { okData, rows, startRest, type RestHarness } from './helpers.js';

let h: RestHarness;
before(async () => { h = await startRest(); });
after(async () => {
  await h.stop();
  assert.deepEqual(h.unexpected, []);
});

const f32 = Math.fround;

test('entities/search and advanced_search with functionScore; highlighter rows', async () => {
  okData(await h.v2('collections/create', {
    collectionName: 'docs',
    schema: {
      fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'text', dataType: 'VarChar', elementTypeParams: { max_length: '100', enable_analyzer: 'true' } },
        { fieldName: 'sparse', dataType: 'SparseFloatVector' },
        { fieldName: 'n', dataType: 'Int64' },
        { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: '2' } },
      ],
      functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {} }],
    },
    indexParams: [
      { fieldName: 'sparse', indexName: 'sparse', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'BM25', params: {} },
      { fieldName: 'vec', indexName: 'vec', indexType: 'FLAT', metricType: 'IP', params: {} },
    ],
  }));
  const texts = ['red apple', 'green pear', 'apple apple pie', 'apple tree'];
  okData(await h.v2('entities/insert', { collectionName: 'docs', data: texts.map((text, i) => ({ id: i + 1, text, n: 100 * i, vec: [1, i] })) }));
  const plain = rows(await h.v2('entities/search', { collectionName: 'docs', annsField: 'sparse', data: ['apple'], limit: 5, outputFields: ['n'] }));
  const raw = new Map(plain.map((r) => [Number(r['id']), Number(r['distance'])]));
  assert.deepEqual([...raw.keys()].sort(), [1, 3, 4]);
  assert.equal(plain[0]!['highlight'], undefined);

  // gauss around n = 300 (id 4), scale 100, decay 0.5: 0.5 ** ((|n - 300| / 100)²).
  const functionScore = { functions: [{ name: 'g', type: 'Rerank', inputFieldNames: ['n'], params: { reranker: 'decay', function: 'gauss', origin: 300, scale: 100 } }], params: {} };
  const highlighter = { type: 'Lexical', pre_tags: ['['], post_tags: [']'], highlight_search_text: true };
  const got = rows(await h.v2('entities/search', { collectionName: 'docs', annsField: 'sparse', data: ['apple'], limit: 5, outputFields: ['text'], functionScore, highlighter }));
  const want = [...raw].map(([id, s]) => ({ id, s: f32(f32(0.5 ** (((100 * (id - 1) - 300) / 100) ** 2)) * s) })).sort((a, b) => b.s - a.s || a.id - b.id);
  assert.deepEqual(got.map((r) => Number(r['id'])), want.map((w) => w.id));
  got.forEach((r, i) => assert.ok(Math.abs(Number(r['distance']) - want[i]!.s) <= 1e-6 * want[i]!.s));
  const hl = new Map(got.map((r) => [Number(r['id']), r['highlight']]));
  assert.deepEqual(hl.get(3), { text: { fragments: ['[apple] [apple] pie'], scores: [] } });
  assert.deepEqual(hl.get(4), { text: { fragments: ['[apple] tree'], scores: [] } });

  const boost = { functions: [{ name: 'b', type: 'Rerank', params: { reranker: 'boost', filter: 'n >= 200', weight: 10 } }], params: { boost_mode: 'Sum' } };
  const boosted = rows(await h.v2('entities/search', { collectionName: 'docs', annsField: 'sparse', data: ['apple'], limit: 5, functionScore: boost }));
  const wantBoost = [...raw].map(([id, s]) => ({ id, s: f32(s + (id >= 3 ? 10 : 0)) })).sort((a, b) => b.s - a.s || a.id - b.id);
  assert.deepEqual(boosted.map((r) => [Number(r['id']), f32(Number(r['distance']))]), wantBoost.map((w) => [w.id, w.s]));

  // Hybrid (old name): the vector route alone reaches id 4 (IP [0,1]·[1,i] = i); decay exp around n = 0.
  const search = [{ annsField: 'sparse', data: ['pear'], limit: 2 }, { annsField: 'vec', data: [[0, 1]], limit: 2 }];
  const decay = { functions: [{ name: 'e', type: 'Rerank', inputFieldNames: ['n'], params: { reranker: 'decay', function: 'exp', origin: 0, scale: 100, decay: 0.5 } }], params: {} };
  const fused = rows(await h.v2('entities/advanced_search', { collectionName: 'docs', search, limit: 3, functionScore: decay }));
  const pear = raw.size > 0 ? rows(await h.v2('entities/search', { collectionName: 'docs', annsField: 'sparse', data: ['pear'], limit: 2 })) : [];
  const cand = new Map<number, number>([[4, 3], [3, 2]]); // IP route: id 4 -> 3, id 3 -> 2
  for (const r of pear) cand.set(Number(r['id']), Math.max(cand.get(Number(r['id'])) ?? -Infinity, Number(r['distance'])));
  const wantFused = [...cand].map(([id, s]) => ({ id, s: f32(f32(0.5 ** ((100 * (id - 1)) / 100)) * s) })).sort((a, b) => b.s - a.s || a.id - b.id);
  assert.deepEqual(fused.map((r) => Number(r['id'])), wantFused.map((w) => w.id));
  const model = await h.v2('entities/search', { collectionName: 'docs', annsField: 'sparse', data: ['apple'], limit: 5,
    functionScore: { functions: [{ name: 'm', type: 'Rerank', inputFieldNames: ['text'], params: { reranker: 'model', provider: 'tei' } }], params: {} } });
  assert.equal(model.code, 1100);
  assert.match(model.message ?? '', /needs a network rerank service/);
});
