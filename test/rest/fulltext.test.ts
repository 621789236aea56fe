/**
 * REST v2: a collection with a BM25 function, rows inserted without the output, entities/search with
 * text data; analyzer_name on a multi-language field.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertHits, DOCS, expectedHits, MULTI } from '../support/multi-lang.js';
import { okData, rows, startRest, type RestHarness } from './helpers.js';

let h: RestHarness;
before(async () => { h = await startRest(); });
after(async () => {
  await h.stop();
  assert.deepEqual(h.unexpected, []);
});

test('entities/search with text data on a BM25 output field; the output cannot be inserted or read', async () => {
  okData(await h.v2('collections/create', {
    collectionName: 'docs',
    schema: {
      fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'text', dataType: 'VarChar', elementTypeParams: { max_length: '100', enable_analyzer: 'true' } },
        { fieldName: 'sparse', dataType: 'SparseFloatVector' },
      ],
      functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {} }],
    },
    indexParams: [{ fieldName: 'sparse', indexName: 'sparse', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'BM25', params: { inverted_index_algo: 'DAAT_WAND' } }],
  }));
  okData(await h.v2('entities/insert', { collectionName: 'docs', data: [{ id: 1, text: 'red apple' }, { id: 2, text: 'green pear' }, { id: 3, text: 'apple apple pie' }] }));
  const given = await h.v2('entities/insert', { collectionName: 'docs', data: [{ id: 4, text: 'x', sparse: { 1: 1 } }] });
  assert.notEqual(given.code, 0);
  const hits = rows(await h.v2('entities/search', { collectionName: 'docs', annsField: 'sparse', data: ['apple'], limit: 5, outputFields: ['text'] }));
  assert.deepEqual(hits.map((r) => [String(r['id']), r['text']]), [['3', 'apple apple pie'], ['1', 'red apple']]);
  assert.ok(Number(hits[0]!['distance']) > Number(hits[1]!['distance']));
  const read = await h.v2('entities/query', { collectionName: 'docs', filter: 'id > 0', outputFields: ['sparse'] });
  assert.equal(read.code, 65535);
  assert.match(read.message ?? '', /not allowed to retrieve raw data of field sparse/);
});

test('entities/search: analyzer_name in searchParams picks the query analyzer of a multi-language BM25 field', async () => {
  okData(await h.v2('collections/create', {
    collectionName: 'ml',
    schema: {
      fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'lang', dataType: 'VarChar', nullable: true, elementTypeParams: { max_length: '16' } },
        { fieldName: 'text', dataType: 'VarChar', elementTypeParams: { max_length: '200', enable_analyzer: 'true', multi_analyzer_params: MULTI } },
        { fieldName: 'sparse', dataType: 'SparseFloatVector' },
      ],
      functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {} }],
    },
    indexParams: [{ fieldName: 'sparse', indexName: 'sparse', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'BM25' }],
  }));
  okData(await h.v2('entities/insert', { collectionName: 'ml', data: DOCS.map((d) => ({ id: Number(d.id), lang: d.lang, text: d.text })) }));
  const search = async (text: string, searchParams: Record<string, unknown>): Promise<[string, number][]> =>
    rows(await h.v2('entities/search', { collectionName: 'ml', annsField: 'sparse', data: [text], limit: 10, searchParams }))
      .map((r) => [String(r['id']), Number(r['distance'])]);
  assertHits(await search('running', { analyzer_name: 'en' }), expectedHits(['run']), 'top-level analyzer_name');
  assertHits(await search('dogs', { params: { analyzer_name: 'english' } }), expectedHits(['dog']), 'analyzer_name in params');
  assertHits(await search('dogs', {}), expectedHits(['dogs']), 'default');
});
