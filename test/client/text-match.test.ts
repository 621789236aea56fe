/**
 * TEXT_MATCH / PHRASE_MATCH end to end: query, filtered search and delete by expression over sealed
 * and growing data through the embedded client, the same filters over gRPC with the Node SDK, and
 * the proof that the positional index answers queries (textIndexStats: rows analysed only when an
 * index is built — at load for sealed segments, once per new growing chunk — never per query).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { open, DataType, IndexType, MetricType } from '../../src/client/index.js';
import { SextantService } from '../../src/service/service.js';
import { startSextantServer } from '../../src/server/http/server.js';
import { textIndexStats } from '../../src/expr/text-index.js';
import { removeDir, rng, tempDir } from './helpers.js';

const C = 'docs';
const VOCAB = ['sea', 'ship', 'wind', 'storm', 'harbor', 'star', 'night', 'compass', 'map', 'anchor', 'sail', 'tide'];
const SEALED = 600;
const GROWING = 150;

interface Doc { id: number; doc: string; vec: number[] }
function makeDocs(first: number, n: number, seed: number): Doc[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const words = Array.from({ length: 2 + Math.floor(r() * 8) }, () => VOCAB[Math.floor(r() * VOCAB.length)]!);
    return { id: first + i, doc: words.map((w) => (r() < 0.2 ? w.toUpperCase() : w)).join(r() < 0.5 ? ' ' : ', '), vec: [r(), r(), r(), r()] };
  });
}
const words = (s: string): string[] => s.toLowerCase().split(/[^a-z]+/).filter((w) => w !== '');
/** The oracle: the standard analyzer on this ASCII vocabulary is "lowercase words". */
function expectTextMatch(docs: Doc[], q: string[], msm = 1): number[] {
  return docs.filter((d) => q.filter((w) => words(d.doc).includes(w)).length >= msm).map((d) => d.id);
}
function expectPhrase(docs: Doc[], a: string, b: string): number[] {
  return docs.filter((d) => { const w = words(d.doc); return w.some((x, i) => x === a && w[i + 1] === b); }).map((d) => d.id);
}

let dir: string;
let live: Doc[] = [];

before(async () => { dir = await tempDir(); });
after(async () => { await removeDir(dir); });

const ids = (rows: Record<string, unknown>[]): number[] => rows.map((r) => Number(r['id'])).sort((a, b) => a - b);

test('embedded client: query, filtered search and delete by TEXT_MATCH / PHRASE_MATCH over sealed + growing data', async () => {
  const client = await open(dir);
  try {
    await assert.rejects(client.createCollection({ collection_name: 'bad', fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 't', data_type: DataType.VarChar, max_length: 64, enable_match: true },
      { name: 'vec', data_type: DataType.FloatVector, dim: 4 },
    ] }), (e: unknown) => (e as { code?: unknown }).code === 1100
      && /field t is set to enable match but not enable analyzer/.test(String((e as Error).message)));

    const made = await client.createCollection({ collection_name: C, fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'doc', data_type: DataType.VarChar, max_length: 512, enable_analyzer: true, enable_match: true },
      { name: 'plain', data_type: DataType.VarChar, max_length: 64 },
      { name: 'vec', data_type: DataType.FloatVector, dim: 4 },
    ] });
    assert.equal(made.error_code, 'Success');
    const sealed = makeDocs(0, SEALED, 1);
    await client.insert({ collection_name: C, data: sealed.map((d) => ({ ...d, plain: 'x' })) });
    await client.flush({ collection_names: [C] });
    await client.createIndex({ collection_name: C, field_name: 'vec', index_type: IndexType.FLAT, metric_type: MetricType.L2, params: {} });

    const atLoad = textIndexStats.rowsAnalyzed;
    await client.loadCollectionSync({ collection_name: C });
    assert.equal(textIndexStats.rowsAnalyzed - atLoad, SEALED, 'the sealed segment is indexed at load');
    const growing = makeDocs(SEALED, GROWING, 2);
    await client.insert({ collection_name: C, data: growing.map((d) => ({ ...d, plain: 'x' })) });
    live = [...sealed, ...growing];

    const q1 = await client.query({ collection_name: C, filter: "TEXT_MATCH(doc, 'Storm anchor')", output_fields: ['id'], limit: 10000 });
    assert.deepEqual(ids(q1.data), expectTextMatch(live, ['storm', 'anchor']));
    const afterFirst = textIndexStats.rowsAnalyzed;
    assert.ok(afterFirst - atLoad <= SEALED + GROWING, 'the growing rows are indexed once');

    // From here on no query may analyse a row: the index answers.
    const q2 = await client.query({ collection_name: C, filter: "text_match(doc, 'storm anchor tide', minimum_should_match=2)", output_fields: ['id'], limit: 10000 });
    assert.deepEqual(ids(q2.data), expectTextMatch(live, ['storm', 'anchor', 'tide'], 2));
    const q3 = await client.query({ collection_name: C, filter: "phrase_match(doc, 'sea ship') and id >= 100", output_fields: ['id'], limit: 10000 });
    assert.deepEqual(ids(q3.data), expectPhrase(live, 'sea', 'ship').filter((i) => i >= 100));
    const count = await client.count({ collection_name: C, filter: "not text_match(doc, 'night')" });
    assert.equal(count.data, live.length - expectTextMatch(live, ['night']).length);

    const s = await client.search({ collection_name: C, data: [0.5, 0.5, 0.5, 0.5], limit: 20, filter: "text_match(doc, 'compass')", output_fields: ['doc'] });
    assert.equal(s.status.error_code, 'Success');
    assert.equal(s.results.length, 20);
    for (const hit of s.results as Record<string, unknown>[]) assert.ok(words(String(hit['doc'])).includes('compass'));
    assert.equal(textIndexStats.rowsAnalyzed, afterFirst, 'queries and search read the index, not the text');

    const del = await client.deleteEntities({ collection_name: C, filter: "phrase_match(doc, 'harbor star', 1)" });
    assert.equal(del.status.error_code, 'Success');
    const gone = new Set(live.filter((d) => { const w = words(d.doc); return w.some((x, i) => (x === 'harbor' && (w[i + 1] === 'star' || w[i + 2] === 'star'))); }).map((d) => d.id));
    assert.ok(gone.size > 0);
    live = live.filter((d) => !gone.has(d.id));
    assert.equal((await client.count({ collection_name: C })).data, live.length);

    const notEnabled = await client.query({ collection_name: C, filter: "text_match(plain, 'x')", output_fields: ['id'] });
    assert.equal(notEnabled.status.code, 1100);
    assert.match(notEnabled.status.reason, /field "plain" does not enable match/);
  } finally {
    await client.close();
  }
});

test('gRPC with the Node SDK: the same filters, and the error for a field without enable_match', async () => {
  const svc = await SextantService.open({ dataDir: dir });
  const server = await startSextantServer(svc, { host: '127.0.0.1', port: 0, httpPort: 0, maxMessageBytes: 1 << 20, maxHttpBodyBytes: 1 << 20, shutdownGraceMs: 200 });
  const sdk = new MilvusClient({ address: `127.0.0.1:${server.port}`, logLevel: 'error' });
  try {
    await sdk.connectPromise;
    const q = await sdk.query({ collection_name: C, filter: "TEXT_MATCH(doc, 'wind')", output_fields: ['id'], limit: 10000 });
    assert.equal(q.status.error_code, 'Success');
    assert.deepEqual(ids(q.data), expectTextMatch(live, ['wind']));
    const p = await sdk.query({ collection_name: C, filter: "PHRASE_MATCH(doc, 'map star', 0)", output_fields: ['id'], limit: 10000 });
    assert.deepEqual(ids(p.data), expectPhrase(live, 'map', 'star'));
    const s = await sdk.search({ collection_name: C, data: [0.1, 0.2, 0.3, 0.4], limit: 5, filter: "text_match(doc, 'tide sail', minimum_should_match=2)", output_fields: ['doc'] });
    assert.equal(s.status.error_code, 'Success');
    assert.ok(s.results.length > 0);
    for (const hit of s.results) { const w = words(String(hit['doc'])); assert.ok(w.includes('tide') && w.includes('sail')); }
    const bad = await sdk.query({ collection_name: C, filter: "text_match(plain, 'x')", output_fields: ['id'] });
    assert.equal(bad.status.code, 1100);
    assert.match(bad.status.reason, /field "plain" does not enable match/);
  } finally {
    sdk.closeConnection();
    await server.close();
    await svc.close();
  }
});
