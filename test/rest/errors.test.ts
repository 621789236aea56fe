/**
 * Bad input never crashes the server nor yields a 500: malformed JSON (1801), wrong member types
 * (1801), missing members (1802), service validation (1100), oversized bodies (1102, and the next
 * request is served), unknown paths and methods (404 JSON), collection not found (100).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { okData, rawRequest, startRest, type RestHarness } from './helpers.js';

let h: RestHarness;
const LIMIT = 64 * 1024;
before(async () => {
  h = await startRest({ maxHttpBodyBytes: LIMIT });
  okData(await h.v2('collections/create', { collectionName: 'c', dimension: 4, metricType: 'L2' }));
});
after(async () => {
  await h.stop();
  assert.deepEqual(h.unexpected, []);
});

test('malformed JSON is 1801 "can only accept json format request", HTTP 200', async () => {
  for (const body of ['{bad', '{"collectionName": "c",}', 'null', '[1,2]', '"str"']) {
    const r = await h.v2('collections/describe', body);
    assert.equal(r.status, 200, body);
    assert.equal(r.code, 1801, body);
    assert.match(r.message ?? '', /^can only accept json format request/, body);
  }
});

test('a member of the wrong JSON type is 1801 naming the member', async () => {
  const r = await h.v2('collections/describe', { collectionName: 42 });
  assert.equal(r.code, 1801);
  assert.match(r.message ?? '', /collectionName: expected a string, got number/);
  const limit = await h.v2('entities/query', { collectionName: 'c', filter: '', limit: 'ten' });
  assert.equal(limit.code, 1801);
  assert.match(limit.message ?? '', /limit/);
  const nested = await h.v2('collections/create', { collectionName: 'x', schema: { fields: [{ fieldName: 'a', dataType: 5 }] } });
  assert.equal(nested.code, 1801);
  assert.match(nested.message ?? '', /schema\.fields\[0\]\.dataType/);
});

test('missing required members are 1802 "missing required parameters"', async () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['collections/describe', {}, 'collectionName'],
    ['collections/describe', { collectionName: '' }, 'collectionName'],
    ['collections/create', { collectionName: 'q' }, 'dimension'],
    ['entities/insert', { collectionName: 'c' }, 'data'],
    ['entities/search', { collectionName: 'c' }, 'data'],
    ['entities/get', { collectionName: 'c' }, 'id'],
    ['entities/delete', { collectionName: 'c' }, 'filter'],
    ['partitions/load', { collectionName: 'c', partitionNames: [] }, 'partitionNames'],
    ['aliases/describe', {}, 'aliasName'],
    ['databases/create', {}, 'dbName'],
    ['users/create', { userName: 'u' }, 'password'],
  ];
  for (const [path, body, key] of cases) {
    const r = await h.v2(path, body);
    assert.equal(r.code, 1802, `${path} ${r.text}`);
    assert.match(r.message ?? '', new RegExp(`^missing required parameters, error: Key: '${key.replace(/[[\]]/g, '\\$&')}'`), path);
  }
});

test('service validation errors keep their Milvus codes: 1100, 100, 101', async () => {
  const dim = await h.v2('entities/search', { collectionName: 'c', data: [[1, 2]], limit: 1 });
  assert.equal(dim.code, 1100, dim.text);
  const metric = await h.v2('entities/search', { collectionName: 'c', data: [[1, 2, 3, 4]], searchParams: { metricType: 'XX' } });
  assert.equal(metric.code, 1100, metric.text);
  const badRow = await h.v2('entities/insert', { collectionName: 'c', data: [{ id: 'not-a-number', vector: [1, 2, 3, 4] }] });
  assert.equal(badRow.code, 1100, badRow.text);
  const badFilter = await h.v2('entities/query', { collectionName: 'c', filter: 'id >>> 3' });
  assert.ok(badFilter.code !== 0 && badFilter.status === 200, badFilter.text);
  const missing = await h.v2('collections/describe', { collectionName: 'nope' });
  assert.equal(missing.code, 100);
  assert.match(missing.message ?? '', /nope/);
  okData(await h.v2('collections/release', { collectionName: 'c' }));
  const notLoaded = await h.v2('entities/query', { collectionName: 'c', filter: 'id > 0' });
  assert.equal(notLoaded.code, 101);
  okData(await h.v2('collections/load', { collectionName: 'c' }));
});

test('an oversized body is answered with a JSON error (1102) and the server keeps serving', async () => {
  const big = JSON.stringify({ collectionName: 'c', data: [{ id: 1, vector: [1, 2, 3, 4], pad: 'x'.repeat(LIMIT) }] });
  const r = await h.v2('entities/insert', big);
  assert.equal(r.status, 200);
  assert.equal(r.code, 1102);
  assert.match(r.message ?? '', /too large/);
  assert.deepEqual(okData(await h.v2('collections/has', { collectionName: 'c' })), { has: true });
  const v1 = await rawRequest(`${h.httpUrl}/api/v1/collection/load`, 'DELETE', 'y'.repeat(LIMIT + 1));
  assert.equal(v1.status, 200);
  assert.equal((JSON.parse(v1.text) as Record<string, unknown>)['code'], 1102);
});

test('unknown paths and wrong methods are 404 with a JSON body', async () => {
  const r = await h.v2('collections/nope', {});
  assert.equal(r.status, 404);
  assert.equal(r.code, 404);
  const get = await fetch(`${h.baseUrl}/v2/vectordb/collections/list`);
  assert.equal(get.status, 404);
  assert.equal((await get.json() as Record<string, unknown>)['code'], 404);
  const other = await fetch(`${h.baseUrl}/somewhere/else`, { method: 'POST', body: '{}' });
  assert.equal(other.status, 404);
  assert.equal((await other.json() as Record<string, unknown>)['code'], 404);
  const v1 = await h.v1('GET', 'no/such/route', {});
  assert.equal(v1.status, 404);
  assert.equal(v1.json['code'], 404);
  const proto = await fetch(`${h.baseUrl}/v2/vectordb/__proto__`, { method: 'POST', body: '{}' });
  assert.equal(proto.status, 404);
});

test('unsupported endpoints answer 3000, not a crash', async () => {
  const f = await h.v2('collections/fields/add', { collectionName: 'c', schema: { fieldName: 'n', dataType: 'Int64', nullable: true } });
  assert.equal(f.code, 3000);
});

test('a broken HTTP request line gets a 400 and does not take the server down', async () => {
  const net = await import('node:net');
  const reply = await new Promise<string>((resolve, reject) => {
    const s = net.connect(h.server.port, '127.0.0.1', () => s.write('GARBAGE\r\n\r\n'));
    let out = '';
    s.on('data', (b: Buffer) => { out += b.toString(); });
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
  assert.match(reply, /^HTTP\/1\.1 400/);
  assert.deepEqual(okData(await h.v2('collections/has', { collectionName: 'c' })), { has: true });
});
