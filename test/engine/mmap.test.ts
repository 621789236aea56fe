/**
 * mmap.enabled: sealed columns read from their segment files through the bounded page cache.
 * - every index type answers the same searches, queries and counts over mapped fields as over
 *   resident ones (same segment and index files: load, answer, release, set mmap, load, answer);
 * - IVF_FLAT over a mapped field holds none of its rows (a list-order file, unlinked while open):
 *   the same answers for float16 / IP and float32 / COSINE with lists longer than one read window;
 * - a DISKANN field is mapped implicitly and its exact route reads the index's own rows (filtered
 *   answers equal FLAT's brute force);
 * - a mapped collection over the budget loads, the same one not mapped is refused; release closes the
 *   files and empties the cache; the property survives a restart; Milvus's rules and errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SextantService } from '../../src/service/service.js';
import { MilvusError } from '../../src/core/errors.js';
import { limits } from '../../src/core/limits.js';
import type { Column } from '../../src/schema/column.js';
import { DataType } from '../../src/core/enums.js';
import { rng } from '../support/fixtures.js';
import { withTempDir } from '../support/tmp.js';
import { readdir } from 'node:fs/promises';
import { encodeFloat16 } from '../../src/index/kernels/half.js';

const dim = 16;
const rows = 3000;

function columns(n: number, rand: () => number): Map<string, Column> {
  const ids = new BigInt64Array(n), score = new Float64Array(n), bucket = new Int32Array(n), vec = new Float32Array(n * dim);
  const tags: string[] = [];
  for (let i = 0; i < n; i++) {
    ids[i] = BigInt(i);
    score[i] = Math.floor(rand() * 1000) / 10;
    bucket[i] = i % 13;
    tags.push(`t${i % 7}`);
    for (let d = 0; d < dim; d++) vec[i * dim + d] = Math.round((rand() * 2 - 1) * 64) / 64; // ties happen
  }
  return new Map<string, Column>([
    ['id', { kind: 'int64', data: ids, valid: null }],
    ['tag', { kind: 'varchar', data: tags, valid: null }],
    ['score', { kind: 'double', data: score, valid: null }],
    ['bucket', { kind: 'int32', data: bucket, valid: null }],
    ['vec', { kind: 'floatVector', dim, data: vec, valid: null }],
  ]);
}

async function collection(svc: SextantService, name: string, properties?: Record<string, string>): Promise<void> {
  await svc.createCollection({
    collectionName: name,
    fields: [
      { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
      { name: 'tag', dataType: DataType.VarChar, maxLength: 16 },
      { name: 'score', dataType: DataType.Double },
      { name: 'bucket', dataType: DataType.Int32 },
      { name: 'vec', dataType: DataType.FloatVector, dim },
    ],
    ...(properties ? { properties } : {}),
  });
  await svc.insert({ collectionName: name, numRows: rows, columns: columns(rows, rng(5)) });
  await svc.flush({ collectionNames: [name] });
}

const queries = (n: number): Column => {
  const rand = rng(99);
  const data = new Float32Array(n * dim);
  for (let i = 0; i < data.length; i++) data[i] = Math.round((rand() * 2 - 1) * 64) / 64;
  return { kind: 'floatVector', dim, data, valid: null };
};

/** Everything a client could see, as plain JSON (ids, scores, output columns). */
async function answers(svc: SextantService, name: string): Promise<unknown[]> {
  const out: unknown[] = [];
  const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : ArrayBuffer.isView(x) ? Array.from(x as Float32Array) : x)));
  for (const filter of [undefined, 'score > 50', 'bucket in [1, 2] and score < 30', 'id < 40', 'tag == "t3" and bucket > 6']) {
    const r = await svc.search({ collectionName: name, nq: 3, topK: 10, vectors: queries(3), ...(filter ? { filter } : {}), outputFields: ['score', 'bucket', 'vec', 'tag'], params: { nprobe: 8, ef: 64 } });
    out.push(plain({ filter, topks: r.topks, ids: r.ids, scores: r.scores, cols: r.columns.map((c) => [c.field.name, c.column]) }));
  }
  const q = await svc.query({ collectionName: name, filter: 'score >= 90 or bucket == 12', outputFields: ['score', 'bucket', 'vec'], limit: 50 });
  out.push(plain(q.columns.map((c) => [c.field.name, c.column])));
  const n = await svc.query({ collectionName: name, filter: 'score < 10', outputFields: ['count(*)'] });
  out.push(plain(n.columns.map((c) => c.column)));
  const g = await svc.search({ collectionName: name, nq: 1, topK: 5, vectors: queries(1), groupByField: 'bucket', outputFields: ['bucket'] });
  out.push(plain({ ids: g.ids, scores: g.scores, groups: g.groupByValues?.column }));
  return out;
}

function mappedFields(svc: SextantService): string[] {
  const names = new Set<string>();
  for (const c of svc.engine.collections.values()) for (const p of c.partitions.values()) for (const s of p.sealed) for (const k of s.data?.mapped.keys() ?? []) names.add(k);
  return [...names].sort();
}

for (const indexType of ['FLAT', 'IVF_FLAT', 'IVF_SQ8', 'HNSW', 'DISKANN']) {
  test(`${indexType}: answers over mmapped fields equal the answers over resident ones`, { timeout: 300_000 }, async (t) => {
    await withTempDir(async (dir) => {
      const svc = await SextantService.open({ dataDir: dir });
      await collection(svc, 'c');
      await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: indexType, metric_type: 'L2', nlist: '16' } });
      await svc.engine.indexer.idle();
      await svc.loadCollection({ collectionName: 'c' });
      const diskIndex = indexType === 'DISKANN';
      assert.deepEqual(mappedFields(svc), diskIndex ? ['vec'] : [], 'only a disk index maps its field without mmap.enabled');
      const resident = await answers(svc, 'c');
      const residentBytes = svc.engine.loader.loadedBytes;
      await svc.releaseCollection({ collectionName: 'c' });
      await svc.alterCollection({ collectionName: 'c', properties: { 'mmap.enabled': 'true' } });
      await svc.loadCollection({ collectionName: 'c' });
      // Index types that search rows they hold in memory keep the vector column resident; IVF_FLAT
      // reads a mapped field's rows from a list-order file instead.
      const rowsInIndex = indexType === 'IVF_SQ8' || indexType === 'HNSW';
      assert.deepEqual(mappedFields(svc), rowsInIndex ? ['bucket', 'score'] : ['bucket', 'score', 'vec']);
      const mapped = await answers(svc, 'c');
      assert.deepEqual(mapped, resident);
      t.diagnostic(`${indexType}: loaded bytes resident ${residentBytes}, mapped ${svc.engine.loader.loadedBytes} (cache limit ${limits.mmapCacheBytes} counted once); cache hits ${svc.engine.loader.pageCache.hits}, misses ${svc.engine.loader.pageCache.misses}`);
      await svc.releaseCollection({ collectionName: 'c' });
      assert.equal(svc.engine.loader.pageCache.openFiles, 0, 'release closes the segment files');
      assert.equal(svc.engine.loader.pageCache.heldBytes, 0, 'release empties the cache');
      assert.equal(svc.engine.loader.loadedBytes, 0);
      await svc.close();
    });
  });
}

test('IVF_FLAT over a mapped field: the same answers as resident (float16 IP, float32 COSINE, lists over several read windows), none of its rows held, no file left behind', { timeout: 300_000 }, async () => {
  await withTempDir(async (dir) => {
    const n = 6000, d = 64;
    const rand = rng(17);
    const ids = new BigInt64Array(n), vec = new Float32Array(n * d), half = new Uint16Array(n * d), score = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ids[i] = BigInt(i);
      score[i] = i % 100;
      for (let j = 0; j < d; j++) {
        const v = Math.round((rand() * 2 - 1) * 64) / 64;
        vec[i * d + j] = v;
        half[i * d + j] = encodeFloat16(v);
      }
    }
    const svc = await SextantService.open({ dataDir: dir, mmapCacheBytes: 64 * 1024 });
    await svc.createCollection({
      collectionName: 'h',
      fields: [
        { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
        { name: 'score', dataType: DataType.Double },
        { name: 'vec', dataType: DataType.FloatVector, dim: d },
        { name: 'half', dataType: DataType.Float16Vector, dim: d },
      ],
    });
    await svc.insert({ collectionName: 'h', numRows: n, columns: new Map<string, Column>([
      ['id', { kind: 'int64', data: ids, valid: null }],
      ['score', { kind: 'double', data: score, valid: null }],
      ['vec', { kind: 'floatVector', dim: d, data: vec, valid: null }],
      ['half', { kind: 'float16Vector', dim: d, data: half, valid: null }],
    ]) });
    await svc.flush({ collectionNames: ['h'] });
    // 4 lists of about 1,500 rows: a list is more than one read window (128 KiB: 512 float32 rows of 64).
    await svc.createIndex({ collectionName: 'h', fieldName: 'vec', params: { index_type: 'IVF_FLAT', metric_type: 'COSINE', nlist: '4' } });
    await svc.createIndex({ collectionName: 'h', fieldName: 'half', params: { index_type: 'IVF_FLAT', metric_type: 'IP', nlist: '4' } });
    await svc.engine.indexer.idle();
    const qr = rng(23);
    const q32: Column = { kind: 'floatVector', dim: d, data: new Float32Array(4 * d).map(() => Math.round((qr() * 2 - 1) * 64) / 64), valid: null };
    const q16: Column = { kind: 'float16Vector', dim: d, data: new Uint16Array(4 * d).map((_, i) => encodeFloat16(q32.data[i] as number)), valid: null };
    const answer = async (): Promise<unknown[]> => {
      const out: unknown[] = [];
      for (const [annsField, vectors] of [['vec', q32], ['half', q16]] as const) {
        for (const filter of [undefined, 'score < 1', 'score > 20']) {
          const r = await svc.search({ collectionName: 'h', annsField, nq: 4, topK: 10, vectors, params: { nprobe: 2 }, ...(filter ? { filter } : {}) });
          out.push({ annsField, filter, ids: r.ids, scores: Array.from(r.scores) });
        }
      }
      return out;
    };
    await svc.loadCollection({ collectionName: 'h' });
    const resident = await answer();
    const residentBytes = svc.engine.loader.loadedBytes;
    await svc.releaseCollection({ collectionName: 'h' });
    await svc.alterCollection({ collectionName: 'h', properties: { 'mmap.enabled': 'true' } });
    await svc.loadCollection({ collectionName: 'h' });
    assert.deepEqual(mappedFields(svc), ['half', 'score', 'vec']);
    assert.deepEqual(await answer(), resident);
    // Resident, IVF_FLAT holds its list-order copy besides the column: mapped, neither.
    const vectorBytes = n * d * 4 + n * d * 2;
    const mappedBytes = svc.engine.loader.loadedBytes;
    assert.ok(mappedBytes + 2 * vectorBytes <= residentBytes + 64 * 1024, `mapped ${mappedBytes} B, resident ${residentBytes} B, vectors ${vectorBytes} B`);
    const left = (await readdir(dir, { recursive: true })).filter((f) => String(f).endsWith('.rows'));
    assert.deepEqual(left, [], 'the list-order files are unlinked once open');
    await svc.releaseCollection({ collectionName: 'h' });
    await svc.close();
  });
});

test('DISKANN reads its exact route from its own file: filtered answers equal FLAT brute force', { timeout: 300_000 }, async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    await collection(svc, 'flat');
    await collection(svc, 'disk');
    await svc.createIndex({ collectionName: 'flat', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.createIndex({ collectionName: 'disk', fieldName: 'vec', params: { index_type: 'DISKANN', metric_type: 'L2' } });
    await svc.engine.indexer.idle();
    await svc.loadCollection({ collectionName: 'flat' });
    await svc.loadCollection({ collectionName: 'disk' });
    for (const filter of ['id < 40', 'bucket == 3 and score < 20']) {
      const a = await svc.search({ collectionName: 'flat', nq: 3, topK: 10, vectors: queries(3), filter });
      const b = await svc.search({ collectionName: 'disk', nq: 3, topK: 10, vectors: queries(3), filter });
      assert.deepEqual(b.ids, a.ids, filter);
      assert.deepEqual(b.scores, a.scores, filter);
    }
    const range = { radius: 2.5, range_filter: 0.5 };
    const ra = await svc.search({ collectionName: 'flat', nq: 2, topK: 20, vectors: queries(2), params: range });
    const rb = await svc.search({ collectionName: 'disk', nq: 2, topK: 20, vectors: queries(2), params: range });
    assert.deepEqual(rb.scores, ra.scores, 'range search (exact route)');
    await svc.close();
  });
});

test('a mapped collection larger than the budget loads; the same one not mapped is refused; restart keeps the property', { timeout: 300_000 }, async () => {
  await withTempDir(async (dir) => {
    const cacheBytes = 64 * 1024;
    let svc = await SextantService.open({ dataDir: dir, mmapCacheBytes: cacheBytes });
    await collection(svc, 'm', { 'mmap.enabled': 'true' });
    await collection(svc, 'r');
    for (const name of ['m', 'r']) await svc.createIndex({ collectionName: name, fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    const onDisk = [...svc.engine.collections.values()].find((c) => c.meta.name === 'm')!;
    const diskBytes = [...onDisk.partitions.values()].reduce((n, p) => n + p.sealedBytesOnDisk, 0);
    // Budget: three quarters of the data. Mapped, a load needs the cache and the resident columns
    // (ids, tags, timestamps); not mapped, all of it.
    const budget = Math.floor(diskBytes * 0.75);
    svc.engine.loader.budgetBytes = budget;
    await assert.rejects(svc.loadCollection({ collectionName: 'r' }), (e: unknown) => e instanceof MilvusError && /insufficient memory/.test(e.message));
    await svc.loadCollection({ collectionName: 'm' });
    const held = svc.engine.loader.loadedBytes;
    assert.ok(held <= budget, `mapped load holds ${held} B (cache ${cacheBytes} B included), budget ${budget} B, ${diskBytes} B on disk`);
    const before = await svc.search({ collectionName: 'm', nq: 2, topK: 5, vectors: queries(2), filter: 'score > 20', outputFields: ['score'] });
    assert.ok(svc.engine.loader.pageCache.heldBytes <= cacheBytes, 'the cache stays within its limit');
    await svc.close();

    svc = await SextantService.open({ dataDir: dir, mmapCacheBytes: cacheBytes, memoryBudgetBytes: budget });
    const d = await svc.describeCollection({ collectionName: 'm' });
    assert.equal(d.properties['mmap.enabled'], 'true');
    assert.equal((await svc.getLoadState({ collectionName: 'm' })).state, 'LoadStateLoaded', 'reloaded at open, mapped, within the budget');
    assert.deepEqual(mappedFields(svc), ['bucket', 'score', 'vec']);
    const after = await svc.search({ collectionName: 'm', nq: 2, topK: 5, vectors: queries(2), filter: 'score > 20', outputFields: ['score'] });
    assert.deepEqual(after.ids, before.ids);
    assert.deepEqual(after.scores, before.scores);
    assert.deepEqual(after.columns[0]?.column, before.columns[0]?.column);
    await svc.close();
  });
});

test('field level wins over collection level; Milvus rules and errors for mmap.enabled', { timeout: 300_000 }, async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    await collection(svc, 'c', { 'mmap.enabled': 'true' });
    await svc.createIndex({ collectionName: 'c', fieldName: 'vec', indexName: 'vi', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.alterCollectionField({ collectionName: 'c', fieldName: 'score', properties: { 'mmap.enabled': 'false' }, deleteKeys: [] });
    await svc.loadCollection({ collectionName: 'c' });
    assert.deepEqual(mappedFields(svc), ['bucket', 'vec'], 'score: field false beats collection true');
    const code = (want: number, text: string) => (e: unknown) => e instanceof MilvusError && e.code === want && e.message.includes(text);
    await assert.rejects(svc.alterCollection({ collectionName: 'c', properties: { 'mmap.enabled': 'false' } }),
      code(104, 'can not alter mmap properties if collection loaded: collection already loaded[collection=c]'));
    await assert.rejects(svc.alterCollectionField({ collectionName: 'c', fieldName: 'bucket', properties: { 'mmap.enabled': 'false' }, deleteKeys: [] }),
      code(104, 'can not alter collection field properties if collection loaded'));
    await assert.rejects(svc.alterIndex({ collectionName: 'c', indexName: 'vi', properties: { 'mmap.enabled': 'true' }, deleteKeys: [] }),
      code(104, "can't alter index on loaded collection, please release the collection first"));
    await svc.releaseCollection({ collectionName: 'c' });
    await assert.rejects(svc.alterIndex({ collectionName: 'c', indexName: 'vi', properties: { 'mmap.enabled': 'yes' }, deleteKeys: [] }),
      code(65535, 'invalid mmap.enabled value: yes, expected: true, false'));
    await assert.rejects(svc.alterCollection({ collectionName: 'c', properties: { 'mmap.enabled': 'on' } }), code(65535, 'invalid mmap.enabled value: on'));
    await assert.rejects(svc.alterCollectionField({ collectionName: 'c', fieldName: 'bucket', properties: { 'mmap.enabled': '2' }, deleteKeys: [] }), code(65535, 'invalid mmap.enabled value: 2'));
    await svc.alterIndex({ collectionName: 'c', indexName: 'vi', properties: { 'mmap.enabled': 'True' }, deleteKeys: [] });
    assert.equal((await svc.describeIndex({ collectionName: 'c', indexName: 'vi' }))[0]?.params['mmap.enabled'], 'true');
    await svc.dropIndex({ collectionName: 'c', indexName: 'vi' });
    await assert.rejects(svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'DISKANN', metric_type: 'L2', 'mmap.enabled': 'true' } }),
      code(65535, 'index type DISKANN does not support mmap'));
    await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'HNSW', metric_type: 'L2', 'mmap.enabled': 'true' } });
    const field = (await svc.describeCollection({ collectionName: 'c' })).schema.fields.find((f) => f.name === 'score');
    assert.equal(field?.typeParams['mmap.enabled'], 'false');
    await svc.close();
  });
});

test('scalar indexes answer filters on mapped columns: count(*) reads no page of the column, same count', { timeout: 300_000 }, async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    await collection(svc, 'c', { 'mmap.enabled': 'true' });
    await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.createIndex({ collectionName: 'c', fieldName: 'score', indexName: 'score_sorted', params: { index_type: 'STL_SORT' } });
    await svc.engine.indexer.idle();
    await svc.loadCollection({ collectionName: 'c' });
    assert.ok(mappedFields(svc).includes('score'), 'score is mapped');
    const score = columns(rows, rng(5)).get('score')!.data as Float64Array;
    const want = score.filter((x) => x < 5).length;
    assert.ok(want > 0 && want < rows * 0.2, `a selective filter (${want} rows)`);
    const cache = svc.engine.loader.pageCache;
    const touched = (): number => cache.hits + cache.misses;
    const before = touched();
    const n = await svc.query({ collectionName: 'c', filter: 'score < 5', outputFields: ['count(*)'] });
    assert.deepEqual(n.columns[0]!.column.data, BigInt64Array.of(BigInt(want)));
    assert.equal(touched(), before, 'the index answered: no page of the mapped score column was read');
    // Not indexed: the mapped column is read.
    await svc.query({ collectionName: 'c', filter: 'bucket < 1', outputFields: ['count(*)'] });
    assert.ok(touched() > before, 'a filter on the unindexed mapped column reads its pages');
    await svc.close();
  });
});
