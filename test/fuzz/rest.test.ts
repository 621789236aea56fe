/**
 * Hostile JSON on every REST endpoint: each REST v2 route (v2Routes, POST /v2/vectordb/<route> on the
 * main port) and each /api/v1 route (v1Routes, on the http port), enumerated from the route tables.
 * Bodies start from valid requests and get values replaced by random JSON (fast-check's jsonValue,
 * seeded), keys dropped or added, types changed, deep nesting, long integers, byte-mutated text and
 * random bytes. Every answer must be HTTP 200 with a JSON body carrying a Milvus code (v1: a JSON
 * object), no stack trace, and the server must log no "failed unexpectedly". After each batch: alive, nothing logged
 * unexpectedly, a search answers the expected ids; RSS stays within 100 MB.
 * Replay: SEXTANT_FUZZ_SEED=<printed seed>.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { v1Routes } from '../../src/server/rest/v1/door.js';
import { v2Routes } from '../../src/server/rest/v2/door.js';
import { Rng } from '../expr/gen.js';
import { mutateBytes, NASTY_NUMBERS, NASTY_STRINGS, randomBytes } from './mutate.js';
import { checkBatch, FUZZ, fuzzSeed, httpRequest, jsonText, LONG, mb, quietRss, RSS_GROWTH_BOUND_BYTES, serve, vectorOf } from './server.js';

const PER_ROUTE_PER_BATCH = 10;
const BATCHES = LONG ? 60 : 5;
const IN_FLIGHT = 8;

type Obj = Record<string, unknown>;

const V2_COMMON: Obj = {
  collectionName: FUZZ, partitionName: '_default', partitionNames: ['_default'], aliasName: 'fz_alias', indexName: 'vec_idx', fieldName: 'vec',
  filter: 'id < 50', outputFields: ['id', 'a', 'meta'], limit: 5, id: [1, 2, 3], userName: 'fuzzer', password: 'Secret_123', roleName: 'fuzz_role',
  newCollectionName: 'fz_renamed', properties: { 'mmap.enabled': 'false' }, propertyKeys: ['mmap.enabled'], privilege: 'Search', objectType: 'Collection', objectName: FUZZ,
  newPassword: 'Secret_456', dbName: 'default',
};

function v2Body(r: Rng, route: string): Obj {
  const vec = vectorOf(r.int(0, 199));
  switch (route) {
    case 'entities/search':
      return { collectionName: FUZZ, data: [vec], annsField: 'vec', limit: r.int(1, 20), offset: r.int(0, 3), filter: r.pick(['', 'a > 0', 'meta["a"] == 1']), outputFields: ['id', 'a', 's'], searchParams: { metricType: 'L2', params: {} } };
    case 'entities/hybrid_search':
      return { collectionName: FUZZ, search: [{ data: [vec], annsField: 'vec', limit: 5 }, { data: [vec], annsField: 'vec', limit: 5, filter: 'flag' }], rerank: { strategy: 'rrf', params: { k: 60 } }, limit: 5, outputFields: ['id'] };
    case 'entities/insert': case 'entities/upsert':
      return { collectionName: FUZZ, data: [{ id: r.int(1000, 9999), a: 1, b: 2, s: 'x', flag: true, meta: { a: 1 }, arr: [1, 2], vec, dk1: 'y' }] };
    case 'entities/delete': return { collectionName: FUZZ, filter: r.pick(['id in [1000, 1001]', 'id > 9000']) };
    case 'entities/query': return { collectionName: FUZZ, filter: r.pick(['id < 20', 's like "a%"', 'json_contains(arr, 1)']), outputFields: ['id', 'a', 'arr'], limit: 10 };
    case 'entities/get': return { collectionName: FUZZ, id: [1, 2, 3], outputFields: ['id', 'meta'] };
    case 'collections/create':
      return r.chance(0.5) ? { collectionName: 'fz_new', dimension: r.int(2, 8) } : {
        collectionName: 'fz_new', schema: { autoId: false, enableDynamicField: true, fields: [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 4 } }] },
        indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'HNSW', params: { M: 8 } }],
      };
    case 'indexes/create': return { collectionName: FUZZ, indexParams: [{ fieldName: r.pick(['vec', 'a']), indexName: 'idx2', metricType: 'L2', indexType: r.pick(['HNSW', 'IVF_FLAT', 'STL_SORT']), params: { nlist: 4 } }] };
    case 'collections/fields/add': return { collectionName: FUZZ, schema: { fieldName: 'added', dataType: 'Int32', nullable: true } };
    default: {
      const out: Obj = {};
      for (const [k, v] of Object.entries(V2_COMMON)) if (r.chance(0.7)) out[k] = v;
      return out;
    }
  }
}

function v1Body(r: Rng, rpc: string): Obj {
  const base: Obj = { collection_name: FUZZ, partition_name: '_default', partition_names: ['_default'], field_name: 'vec', index_name: 'vec_idx', alias: 'fz_alias', collection_names: [FUZZ] };
  switch (rpc) {
    case 'Search': return { ...base, dsl: 'id >= 0', dsl_type: 1, vectors: [vectorOf(r.int(0, 199))], output_fields: ['id'], search_params: [{ key: 'anns_field', value: 'vec' }, { key: 'topk', value: '5' }, { key: 'metric_type', value: 'L2' }, { key: 'params', value: '{}' }] };
    case 'Query': return { ...base, expr: 'id < 10', output_fields: ['id', 'a'] };
    case 'Insert': return { ...base, num_rows: 1, fields_data: [{ field_name: 'id', field: [r.int(1000, 9999)] }, { field_name: 'b', field: [1] }, { field_name: 'flag', field: [true] }, { field_name: 'vec', field: [vectorOf(1)] }] };
    case 'Delete': return { ...base, expr: 'id in [1000]' };
    case 'CreateCollection': return { collection_name: 'fz_new', schema: { fields: [{ name: 'id', data_type: 5, is_primary_key: true }, { name: 'v', data_type: 101, type_params: [{ key: 'dim', value: '2' }] }] } };
    case 'CreateIndex': return { ...base, extra_params: [{ key: 'index_type', value: 'HNSW' }, { key: 'metric_type', value: 'L2' }, { key: 'params', value: '{"M":8}' }] };
    default: return base;
  }
}

/** Replace / drop / add one member somewhere in the body; values from the fast-check pool. */
function mutateJson(r: Rng, pool: unknown[], v: unknown, depth = 0): unknown {
  if (typeof v !== 'object' || v === null || depth > 4 || r.chance(0.15)) {
    switch (r.int(0, 5)) {
      case 0: return r.pick(pool);
      case 1: return r.pick(NASTY_STRINGS);
      case 2: return r.pick(NASTY_NUMBERS);
      case 3: return [v];
      case 4: return { v };
      default: return r.pick([null, true, [], {}, -1, 2 ** 63]);
    }
  }
  if (Array.isArray(v)) {
    if (v.length === 0 || r.chance(0.2)) return [...v, r.pick(pool)];
    const i = r.int(0, v.length - 1);
    return r.chance(0.2) ? Array.from({ length: r.pick([0, 100, 20_000]) }, () => v[i]) : v.map((x, j) => (j === i ? mutateJson(r, pool, x, depth + 1) : x));
  }
  const o = { ...(v as Obj) };
  const keys = Object.keys(o);
  const roll = r.int(0, 9);
  if (roll === 0 && keys.length > 0) delete o[r.pick(keys)];
  else if (roll === 1 || keys.length === 0) o[r.chance(0.5) ? r.pick(Object.keys(V2_COMMON)) : r.pick(NASTY_STRINGS)] = r.pick(pool);
  else { const k = r.pick(keys); o[k] = mutateJson(r, pool, o[k], depth + 1); }
  return o;
}

function nested(depth: number, open: string, close: string, inner: string): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

/** The body text of one request: mostly mutated valid bodies, some pathological texts. */
function bodyText(r: Rng, pool: unknown[], valid: Obj): string | Buffer {
  const roll = r.int(0, 19);
  if (roll === 0) return randomBytes(r, r.int(0, 64));
  if (roll === 1) return mutateBytes(r, Buffer.from(jsonText(valid)));
  if (roll === 2) {
    const deep = r.chance(0.5) ? nested(r.pick([100, 600, 5_000]), '[', ']', '1') : nested(r.pick([100, 600, 5_000]), '{"a":', '}', '1');
    return `{"${r.pick(Object.keys(valid).concat('data'))}":${deep},${jsonText(valid).slice(1)}`;
  }
  if (roll === 3) return jsonText(valid).replace(/(\d+)/, r.pick(['99999999999999999999999', '-9223372036854775809', '1e999', '12345678901234567']));
  if (roll === 4) return r.pick(['', 'null', '[]', '"x"', '1', 'true', '{', '{"collectionName":', nested(100_000, '[', ']', ''), nested(20_000, '{"a":', '}', '1')]);
  let v: unknown = valid;
  for (let m = r.int(1, 3); m > 0; m--) v = mutateJson(r, pool, v);
  try {
    return jsonText(v);
  } catch (e) {
    // Stacked array blow-ups (20,000 x 20,000 items) pass V8's string limit: one mutation instead.
    if (!(e instanceof RangeError)) throw e;
    return jsonText(mutateJson(r, pool, valid));
  }
}

function judge(status: number, text: string, v1: boolean): string | null {
  if (status !== 200) return `HTTP ${status}: ${text.slice(0, 200)}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return `not a JSON object: ${text.slice(0, 200)}`;
  const o = json as Obj;
  const status0 = v1 ? (o['status'] as Obj | undefined) ?? o : o;
  const code = status0['code'];
  if (!v1 && typeof code !== 'number') return `no numeric code: ${text.slice(0, 200)}`;
  // 65535 is answered on purpose by a few checks; a bug is a non-Milvus error, which the server logs.
  if (code !== 0 && /\n\s+at .+:\d+:\d+/.test(text.slice(0, 4000))) return `stack trace in the answer: ${text.slice(0, 300)}`;
  return null;
}

interface Job { door: string; route: string; method: string; port: number; path: string; body: string | Buffer }

test('REST: mutated JSON on every v2 and /api/v1 endpoint answers in band; the server stays up and bounded', { timeout: LONG ? Infinity : 600_000 }, async (t) => {
  const seed = fuzzSeed();
  t.diagnostic(`seed ${seed} (replay: SEXTANT_FUZZ_SEED=${seed})`);
  const r = new Rng(seed);
  const pool = fc.sample(fc.jsonValue({ maxDepth: 3 }), { numRuns: 400, seed });
  const v2 = Object.keys(v2Routes);
  const v1 = Object.entries(v1Routes);
  assert.ok(v2.length > 60 && v1.length > 30, 'every route of both tables');
  const s = await serve();
  const counts = { v2: 0, v1: 0 };
  const failures: string[] = [];
  try {
    let rssBefore = 0;
    for (let b = 0; b < BATCHES; b++) {
      const jobs: Job[] = [];
      for (const route of v2) {
        for (let i = 0; i < PER_ROUTE_PER_BATCH; i++) jobs.push({ door: 'v2', route, method: 'POST', port: s.port, path: `/v2/vectordb/${route}`, body: bodyText(r, pool, v2Body(r, route)) });
      }
      for (const [key, route] of v1) {
        const [method, path] = key.split(' ') as [string, string];
        for (let i = 0; i < PER_ROUTE_PER_BATCH; i++) jobs.push({ door: 'v1', route: key, method, port: s.httpPort, path: `/api/v1/${path}`, body: bodyText(r, pool, v1Body(r, route.rpc)) });
      }
      let next = 0;
      await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
        while (next < jobs.length) {
          const j = jobs[r.int(0, 0) + next++] as Job;
          const res = await httpRequest(j.port, j.path, j.body, j.method);
          counts[j.door as 'v1' | 'v2']++;
          const why = judge(res.status, res.text, j.door === 'v1');
          if (why !== null && failures.length < 50) failures.push(`${j.door} ${j.method} ${j.path}: ${why}\n  body: ${Buffer.from(j.body).toString('utf8').slice(0, 300)}`);
        }
      }));
      await checkBatch(s, failures, seed);
      if (b === 0) rssBefore = await quietRss(s); // after a warm-up batch: code paths loaded, heap sized
    }
    const rssAfter = await quietRss(s);
    t.diagnostic(`REST v2: ${counts.v2} requests over ${v2.length} routes; /api/v1: ${counts.v1} over ${v1.length} routes; RSS after warm-up batch ${mb(rssBefore)} -> after all ${mb(rssAfter)}`);
    assert.ok(rssAfter - rssBefore < RSS_GROWTH_BOUND_BYTES, `RSS grew ${mb(rssAfter - rssBefore)}`);
    s.assertHealthy();
  } finally {
    await s.stop();
  }
});
