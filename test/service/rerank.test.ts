/**
 * function_score rerankers through the service: decay (gauss, exp, linear) on search and hybrid
 * search, boost scorers (filter, weight, random_score, boost_mode, function_mode), rrf / weighted as
 * functions, and Milvus's refusals. Expected scores are computed here from the formulas of Milvus's
 * docs and source, written differently from the implementation (powers instead of exponentials),
 * and the random scores come from golden values printed by test/fixtures/murmur3-special.c.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import type { Column } from '../../src/schema/column.js';
import { hashToDouble, murmur64Special } from '../../src/service/rerank.js';
import { SextantService } from '../../src/service/service.js';
import type { FunctionScore, SearchRequest, SearchResult } from '../../src/service/types.js';
import { withTempDir } from '../support/tmp.js';

/** [key, seed, hash, (float)hash_to_double, (float)hash_to_double * 0.4f] from test/fixtures/murmur3-special.c. */
const GOLDEN: [bigint, bigint, bigint, number, number][] = [
  [0n, 126n, 0xacd2d356d71280e2n, 0.176596493, 0.070638597],
  [1n, 126n, 0xd760882521bc8144n, 0.0332385376, 0.0132954149],
  [2n, 126n, 0x2e907a245054a3bfn, 0.0298197884, 0.0119279157],
  [3n, 126n, 0x5c6ee308b6f36670n, 0.930428207, 0.372171283],
  [4n, 126n, 0x36bdcd4835f58547n, 0.862617671, 0.345047086],
  [-1n, 126n, 0x7df69a07f5545940n, 0.412605256, 0.165042102],
  [9223372036854775807n, 126n, 0xa4a7c49b5d5ddd63n, 0.48549974, 0.194199905],
  [0n, 0n, 0x4bbd1bf27da918d6n, 0.819323063, 0.327729225],
  [123456789012345n, 0n, 0x1cb738ddeb6c5e1bn, 0.451383501, 0.180553406],
  [0n, -5n, 0xde5ffa0881545050n, 0.998543262, 0.399417311],
  [-1n, -5n, 0xebd9ca72bf93748bn, 0.61192584, 0.244770333],
];

const f32 = Math.fround;
const near = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 2e-6 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

function ids(r: SearchResult): number[] {
  assert.equal(r.ids.kind, 'int64');
  return Array.from(r.ids.data as BigInt64Array, Number);
}

/** 20 points: a = [i, 0] (L2), b = [0, 100 - i] (IP), ts = 10 i, grp = i % 3, name = 'n' + i. */
async function points(svc: SextantService): Promise<void> {
  const n = 20;
  await svc.createCollection({
    collectionName: 'pts',
    fields: [
      { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
      { name: 'ts', dataType: DataType.Int64 },
      { name: 'grp', dataType: DataType.Int32 },
      { name: 'name', dataType: DataType.VarChar, maxLength: 8 },
      { name: 'a', dataType: DataType.FloatVector, dim: 2 },
      { name: 'b', dataType: DataType.FloatVector, dim: 2 },
    ],
  });
  const a = new Float32Array(n * 2);
  const b = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) { a[i * 2] = i; b[i * 2 + 1] = 100 - i; }
  const cols = new Map<string, Column>([
    ['id', { kind: 'int64', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), valid: null }],
    ['ts', { kind: 'int64', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(10 * i)), valid: null }],
    ['grp', { kind: 'int32', data: Int32Array.from({ length: n }, (_, i) => i % 3), valid: null }],
    ['name', { kind: 'varchar', data: Array.from({ length: n }, (_, i) => `n${i}`), valid: null }],
    ['a', { kind: 'floatVector', dim: 2, data: a, valid: null }],
    ['b', { kind: 'floatVector', dim: 2, data: b, valid: null }],
  ]);
  await svc.insert({ collectionName: 'pts', numRows: n, columns: cols });
  await svc.createIndex({ collectionName: 'pts', fieldName: 'a', params: { index_type: 'FLAT', metric_type: 'L2' } });
  await svc.createIndex({ collectionName: 'pts', fieldName: 'b', params: { index_type: 'FLAT', metric_type: 'IP' } });
  await svc.loadCollection({ collectionName: 'pts' });
}

const at = (x: number, y = 0): Column => ({ kind: 'floatVector', dim: 2, data: new Float32Array([x, y]), valid: null });
const fn = (params: Record<string, unknown>, inputFieldNames: string[] = []) => ({ name: 'f', inputFieldNames, params });
const onA = (topK: number, functionScore: FunctionScore, extra: Partial<SearchRequest> = {}): SearchRequest =>
  ({ collectionName: 'pts', annsField: 'a', nq: 1, topK, vectors: at(0), functionScore, ...extra });

/** Decay curves as the docs state them: value `decay` at distance `scale` from origin (beyond offset). */
function expectedDecay(curve: string, origin: number, scale: number, offset: number, decay: number, v: number): number {
  const d = Math.max(0, Math.abs(v - origin) - offset);
  if (curve === 'gauss') return decay ** ((d / scale) ** 2);
  if (curve === 'exp') return decay ** (d / scale);
  return Math.max(decay, 1 - (1 - decay) * (d / scale));
}

/** The decay ranker's normalisation: L2 -> 1 - 2·atan(d)/π; IP, COSINE, BM25 as they are. */
const l2Similarity = (d: number): number => 1 - (2 * Math.atan(d)) / Math.PI;

test("Milvus's MurmurHash3_x64_64_Special and hash_to_double match the C golden values", () => {
  for (const [key, seed, hash, asFloat, weighted] of GOLDEN) {
    assert.equal(murmur64Special(key, seed), hash, `hash(${key}, ${seed})`);
    assert.equal(f32(hashToDouble(hash)), f32(asFloat));
    assert.equal(f32(f32(hashToDouble(hash)) * f32(0.4)), f32(weighted));
  }
});

test('decay rerank on a search: each curve times the normalised L2 score, candidates are the top limit + offset', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    await points(svc);
    for (const curve of ['gauss', 'exp', 'linear']) {
      const params = { reranker: 'decay', function: curve, origin: 100, scale: 50, offset: 10, decay: 0.5 };
      const r = await svc.search(onA(4, { functions: [fn(params, ['ts'])], params: {} }, { offset: 1 }));
      // Candidates: the 5 nearest (ids 0..4, squared L2 i²); scored, sorted, offset 1, limit 4.
      const expected = [0, 1, 2, 3, 4].map((i) => ({ id: i, s: expectedDecay(curve, 100, 50, 10, 0.5, 10 * i) * l2Similarity(i * i) }))
        .sort((x, y) => y.s - x.s || x.id - y.id).slice(1, 5);
      assert.deepEqual(ids(r), expected.map((e) => e.id), curve);
      expected.forEach((e, k) => near(r.scores[k]!, e.s, `${curve} score of ${e.id}`));
    }
    await svc.close();
  });
});

test('decay rerank on a hybrid search takes the largest normalised route score per entity', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    await points(svc);
    const decay = { reranker: 'decay', function: 'exp', origin: 185, scale: 20, decay: 0.25 };
    const r = await svc.hybridSearch({
      collectionName: 'pts', topK: 3, ranker: { strategy: 'rrf', k: 60 },
      functionScore: { functions: [fn(decay, ['ts'])], params: {} },
      requests: [
        { collectionName: 'pts', annsField: 'a', nq: 1, topK: 3, vectors: at(18) }, // ids 18, 17|19 ...
        { collectionName: 'pts', annsField: 'b', nq: 1, topK: 3, vectors: at(0, 0.01) }, // IP 0.01·(100 - i): ids 0, 1, 2
      ],
    });
    const routeA = new Map([[18, l2Similarity(0)], [17, l2Similarity(1)], [19, l2Similarity(1)]]);
    const routeB = new Map([[0, f32(0.01) * 100], [1, f32(0.01) * 99], [2, f32(0.01) * 98]].map(([i, s]) => [i!, f32(s!)]));
    const all = [...new Set([...routeA.keys(), ...routeB.keys()])].map((i) => {
      const best = Math.max(routeA.get(i) ?? -Infinity, routeB.get(i) ?? -Infinity);
      return { id: i, s: best * expectedDecay('exp', 185, 20, 0, 0.25, 10 * i) };
    }).sort((x, y) => y.s - x.s || x.id - y.id).slice(0, 3);
    assert.deepEqual(ids(r), all.map((e) => e.id));
    all.forEach((e, k) => near(r.scores[k]!, e.s, `score of ${e.id}`));
    await svc.close();
  });
});

test('boost: a filtered weight multiplies (or adds to) the score and re-sorts; L2 keeps ascending order', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    await points(svc);
    const onB = (functionScore: FunctionScore): SearchRequest => ({ collectionName: 'pts', annsField: 'b', nq: 1, topK: 5, vectors: at(0, 1), functionScore });
    // IP scores 100 - i for ids 0..4; grp == 1 for ids 1 and 4.
    let r = await svc.search(onB({ functions: [fn({ reranker: 'boost', filter: 'grp == 1', weight: 2 })], params: {} }));
    assert.deepEqual(ids(r), [1, 4, 0, 2, 3]);
    assert.deepEqual(Array.from(r.scores), [198, 192, 100, 98, 97]);
    r = await svc.search(onB({ functions: [fn({ reranker: 'boost', filter: 'grp == 1', weight: 1.5 })], params: { boost_mode: 'Sum' } }));
    assert.deepEqual(ids(r), [1, 0, 2, 4, 3]);
    assert.deepEqual(Array.from(r.scores), [100.5, 100, 98, 97.5, 97]);
    // L2: distances i² for ids 0..4; boosting ids 0 and 3 (grp == 0) by 10 pushes 3 (90) behind 4 (16).
    r = await svc.search(onA(5, { functions: [fn({ reranker: 'boost', filter: 'grp == 0', weight: 10 })], params: {} }));
    assert.deepEqual(ids(r), [0, 1, 2, 4, 3]);
    assert.deepEqual(Array.from(r.scores), [0, 1, 4, 16, 90]);
    // A filter on a dynamic-less missing key is an error, as in Milvus's plan parser.
    await assert.rejects(svc.search(onB({ functions: [fn({ reranker: 'boost', filter: 'nosuch == 1', weight: 2 })], params: {} })), MilvusError);
    await svc.close();
  });
});

test('boost: random_score (seed, Int64 field) combined with a fixed weight by function_mode; both modes', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    await points(svc);
    const rand = new Map(GOLDEN.filter((g) => g[1] === 126n && g[0] >= 0n && g[0] <= 4n).map((g) => [Number(g[0]), g[4]]));
    const functions = [fn({ reranker: 'boost', weight: 0.8 }), fn({ reranker: 'boost', random_score: { seed: 126, field: 'id' }, weight: 0.4 })];
    for (const mode of ['Sum', 'Multiply']) {
      const r = await svc.search({
        collectionName: 'pts', annsField: 'b', nq: 1, topK: 5, vectors: at(0, 1),
        functionScore: { functions, params: { boost_mode: 'Multiply', function_mode: mode } },
      });
      const expected = [0, 1, 2, 3, 4].map((i) => {
        const boost = mode === 'Sum' ? f32(f32(0.8) + f32(rand.get(i)!)) : f32(f32(0.8) * f32(rand.get(i)!));
        return { id: i, s: f32((100 - i) * boost) };
      }).sort((x, y) => y.s - x.s || x.id - y.id);
      assert.deepEqual(ids(r), expected.map((e) => e.id), mode);
      assert.deepEqual(Array.from(r.scores), expected.map((e) => e.s), mode);
    }
    await svc.close();
  });
});

test('rrf and weighted as functions; one rerank only; model, bad params and non-Int64 seeds are refused', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    await points(svc);
    const r = await svc.search(onA(3, { functions: [fn({ reranker: 'rrf', k: 10 })], params: {} }));
    assert.deepEqual(ids(r), [0, 1, 2]);
    assert.deepEqual(Array.from(r.scores), [1 / 11, 1 / 12, 1 / 13].map(f32));
    const w = await svc.search(onA(2, { functions: [fn({ reranker: 'weighted', weights: [0.5], norm_score: true })], params: {} }));
    assert.deepEqual(Array.from(w.scores), [0.5 * l2Similarity(0), 0.5 * l2Similarity(1)].map(f32));
    const refused = async (params: Record<string, unknown>, pattern: RegExp, inputs: string[] = ['ts']): Promise<void> => {
      await assert.rejects(svc.search(onA(3, { functions: [fn(params, inputs)], params: {} })),
        (e: unknown) => e instanceof MilvusError && e.code === 1100 && pattern.test(e.message), String(pattern));
    };
    await refused({ reranker: 'model', provider: 'tei', endpoint: 'http://x' }, /'model' \(provider tei\) needs a network rerank service \(tei, vllm/);
    await refused({ reranker: 'decay', function: 'exp', origin: 1 }, /Decay function lost param: scale/);
    await refused({ reranker: 'decay', function: 'cubic', origin: 1, scale: 2 }, /Invaild decay function/);
    await refused({ reranker: 'decay', function: 'exp', origin: 1, scale: 2, decay: 1 }, /decay must 0 < decay < 1/);
    await refused({ reranker: 'decay', function: 'exp', origin: 1, scale: 2 }, /unsupported input field type:VarChar/, ['name']);
    await refused({ reranker: 'boost', filter: 'grp == 1' }, /must set weight params for weight scorer/, []);
    await refused({ reranker: 'boost', weight: 1, random_score: { seed: 1, field: 'grp' } }, /only support int64 field as random seed, but got Int32/, []);
    await refused({ reranker: 'nosuch' }, /Unsupported rerank function: \[nosuch\]/);
    const two = { functions: [fn({ reranker: 'rrf' }), fn({ reranker: 'rrf' })], params: {} };
    await assert.rejects(svc.search(onA(3, two)), /Currently only supports one rerank/);
    const mode = { functions: [fn({ reranker: 'boost', weight: 1 })], params: { boost_mode: 'max' } };
    await assert.rejects(svc.search(onA(3, mode)), /unknown boost mode: max/);
    await assert.rejects(svc.search(onA(3, { functions: [fn({ reranker: 'boost', weight: 1 })], params: {} }, { groupByField: 'grp' })), /group_by or search_iterator/);
    await svc.close();
  });
});
