/**
 * The old /api/v1 HTTP API on the http port, as Milvus 2.1-2.2 docs drive it: JSON bodies on POST,
 * GET and DELETE (snake_case proto names), `{}` for Status-only success, `{"status": {}, ...}`
 * otherwise, and the error status in-band.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRest, type RestHarness } from './helpers.js';

let h: RestHarness;
before(async () => { h = await startRest(); });
after(async () => {
  await h.stop();
  assert.deepEqual(h.unexpected, []);
});

const schema = {
  collection_name: 'book',
  consistency_level: 0,
  schema: {
    name: 'book', autoID: false,
    fields: [
      { name: 'book_id', is_primary_key: true, data_type: 5 },
      { name: 'word_count', data_type: 5 },
      { name: 'book_intro', data_type: 101, type_params: [{ key: 'dim', value: '2' }] },
    ],
  },
};

test('/api/v1 lifecycle: create, insert, index, load, search, query, release with DELETE collection/load', async () => {
  assert.deepEqual((await h.v1('POST', 'collection', schema)).json, {});
  const has = await h.v1('GET', 'collection/existence', { collection_name: 'book' });
  assert.deepEqual(has.json, { status: {}, value: true });
  const desc = await h.v1('GET', 'collection', { collection_name: 'book' });
  assert.deepEqual(desc.json['status'], {});
  const fields = ((desc.json['schema'] as Record<string, unknown>)['fields'] as Record<string, unknown>[]).map((f) => f['name']);
  assert.deepEqual(fields, ['book_id', 'word_count', 'book_intro']);

  const ins = await h.v1('POST', 'entities', {
    collection_name: 'book', num_rows: 3,
    fields_data: [
      { field_name: 'book_id', type: 5, field: [1, 2, 3] },
      { field_name: 'word_count', type: 5, field: [1000, 2000, 3000] },
      { field_name: 'book_intro', type: 101, field: [[1, 1], [2, 1], [3, 1]] },
    ],
  });
  assert.deepEqual(ins.json['status'], {});
  assert.equal(String(ins.json['insert_cnt']), '3');

  const index = await h.v1('POST', 'index', {
    collection_name: 'book', field_name: 'book_intro',
    extra_params: [{ key: 'metric_type', value: 'L2' }, { key: 'index_type', value: 'FLAT' }, { key: 'params', value: '{"nlist":1024}' }],
  });
  assert.deepEqual(index.json, {});
  assert.deepEqual((await h.v1('POST', 'collection/load', { collection_name: 'book' })).json, {});

  const search = await h.v1('POST', 'search', {
    collection_name: 'book', output_fields: ['word_count'],
    search_params: [{ key: 'anns_field', value: 'book_intro' }, { key: 'topk', value: '2' }, { key: 'params', value: '{"nprobe": 10}' }, { key: 'metric_type', value: 'L2' }, { key: 'round_decimal', value: '-1' }],
    vectors: [[3, 1]], dsl: 'word_count >= 1500', dsl_type: 1,
  });
  assert.deepEqual(search.json['status'], {}, search.text);
  const results = search.json['results'] as Record<string, unknown>;
  assert.deepEqual(results['scores'], [0, 1]);
  // int64 members follow the gRPC codec: decimal strings (proto3 JSON mapping), not Go numbers.
  assert.deepEqual((results['topks'] as unknown[]).map(Number), [2]);
  assert.match(JSON.stringify(results['ids']), /"data":\[\s*"?3"?,\s*"?2"?\]/);

  const query = await h.v1('POST', 'query', { collection_name: 'book', output_fields: ['word_count'], expr: 'book_id in [2]' });
  assert.deepEqual(query.json['status'], {}, query.text);
  assert.match(query.text, /2000/);

  const stats = await h.v1('GET', 'collection/statistics', { collection_name: 'book' });
  assert.match(stats.text, /"row_count"/);
  const list = await h.v1('GET', 'collections', {});
  assert.deepEqual(list.json['collection_names'], ['book']);

  const released = await h.v1('DELETE', 'collection/load', { collection_name: 'book' });
  assert.equal(released.status, 200);
  assert.equal(released.text, '{}');
  const after = await h.v1('POST', 'query', { collection_name: 'book', output_fields: ['word_count'], expr: 'book_id in [2]' });
  assert.equal((after.json['status'] as Record<string, unknown>)['code'], 101);
  assert.match(String((after.json['status'] as Record<string, unknown>)['reason']), /collection not loaded/);

  const del = await h.v1('DELETE', 'entities', { collection_name: 'book', expr: 'book_id in [1]' });
  assert.deepEqual(del.json['status'], {});
  assert.deepEqual((await h.v1('DELETE', 'collection', { collection_name: 'book' })).json, {});
  assert.deepEqual((await h.v1('GET', 'collection/existence', { collection_name: 'book' })).json, { status: {}, value: false });
});

test('/api/v1 errors are in-band statuses: Status-only RPCs answer the status itself', async () => {
  const load = await h.v1('POST', 'collection/load', { collection_name: 'missing' });
  assert.equal(load.status, 200);
  assert.equal(load.json['code'], 100);
  assert.equal(load.json['error_code'], 4);
  const describe = await h.v1('GET', 'collection', { collection_name: 'missing' });
  assert.equal((describe.json['status'] as Record<string, unknown>)['code'], 100);
  const bad = await h.v1('POST', 'collection', { collection_name: 'x' });
  assert.equal(bad.json['code'], 1802);
});

test('/api/v1 reads query-string parameters too, and GET /api/v1/health answers ok', async () => {
  const r = await fetch(`${h.httpUrl}/api/v1/collection/existence?collection_name=none`);
  assert.deepEqual(await r.json(), { status: {}, value: false });
  const health = await fetch(`${h.httpUrl}/api/v1/health`);
  assert.deepEqual(await health.json(), { status: 'ok' });
});
