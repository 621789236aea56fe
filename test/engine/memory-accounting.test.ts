/**
 * Memory accounting tells the truth: for each index type, what the engine counts for a loaded
 * segment (`PartitionRuntime.loadedBytes`) equals the bytes actually reachable from it — every typed
 * array's buffer and every wasm memory found by walking the segment's objects (columns, resident
 * memories, the index and everything it keeps, text indexes, BM25 postings, caches). An index copy
 * the accounting forgot (IVF list-order rows, SQ/PQ codes in wasm, an HNSW graph, sparse postings)
 * makes the two differ by at least that copy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SextantService } from '../../src/service/service.js';
import { DataType } from '../../src/core/enums.js';
import type { Column } from '../../src/schema/column.js';
import type { SealedSegment } from '../../src/engine/partition.js';
import { segmentMemoryBytes } from '../../src/engine/partition.js';
import type { LoaderDeps } from '../../src/engine/loader.js';
import { estimateLoadBytes } from '../../src/engine/load-estimate.js';
import { MilvusError } from '../../src/core/errors.js';
import { ServerMetrics } from '../../src/server/http/metrics.js';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import { rng } from '../support/fixtures.js';
import { PageCache } from '../../src/engine/page-cache.js';
import { withTempDir } from '../support/tmp.js';
import { ownCopyBytes } from '../../src/index/wasm/exact.js';

const ROWS = 3000;
const DIM = 32;

/** The WebAssembly constructors (the project's lib has no DOM typings). */
type Ctor = abstract new (...args: never[]) => object;
const WA = (globalThis as unknown as { WebAssembly: { Memory: Ctor; Module: Ctor; Instance: Ctor } }).WebAssembly;

/**
 * Every ArrayBuffer and WebAssembly.Memory reachable from `roots` through own properties, maps, sets
 * and arrays (not through the engine's shared page cache of mapped columns).
 */
export function reachableBytes(roots: readonly unknown[]): { bytes: number; memories: number; buffers: number } {
  const seen = new Set<object>();
  const buffers = new Set<ArrayBufferLike>();
  const memories = new Set<{ buffer: ArrayBufferLike }>();
  const stack: unknown[] = [...roots];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof WA.Memory) { memories.add(v as { buffer: ArrayBufferLike }); continue; }
    if (v instanceof WA.Module || v instanceof WA.Instance) continue;
    // The page cache of mapped columns is shared by every segment and counted once, as its limit.
    if (v instanceof PageCache) continue;
    if (ArrayBuffer.isView(v)) {
      // Views of a SharedArrayBuffer belong to a wasm memory, found (and counted whole) through its owner.
      if (!(v.buffer instanceof SharedArrayBuffer)) buffers.add(v.buffer);
      continue;
    }
    if (v instanceof ArrayBuffer) { buffers.add(v); continue; }
    if (v instanceof SharedArrayBuffer) continue;
    if (v instanceof Map) { for (const [k, x] of v) stack.push(k, x); continue; }
    if (v instanceof Set) { for (const x of v) stack.push(x); continue; }
    if (v instanceof WeakMap || v instanceof WeakSet || v instanceof WeakRef) continue;
    if (Array.isArray(v)) { for (const x of v) if (x !== null && typeof x === 'object') stack.push(x); continue; }
    for (const key of Object.getOwnPropertyNames(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (d !== undefined && 'value' in d) stack.push(d.value);
    }
  }
  let bytes = 0;
  for (const b of buffers) bytes += b.byteLength;
  for (const m of memories) bytes += m.buffer.byteLength;
  return { bytes, memories: memories.size, buffers: buffers.size };
}

type Case = { name: string; dataType: DataType; params: Record<string, string>; dim?: number; properties?: Record<string, string> };

const CASES: readonly Case[] = [
  { name: 'FLAT', dataType: DataType.FloatVector, params: { index_type: 'FLAT', metric_type: 'L2' } },
  { name: 'HNSW', dataType: DataType.FloatVector, params: { index_type: 'HNSW', metric_type: 'COSINE', M: '8', efConstruction: '32' } },
  { name: 'HNSW float16', dataType: DataType.Float16Vector, params: { index_type: 'HNSW', metric_type: 'L2', M: '8', efConstruction: '32' } },
  { name: 'HNSW_SQ', dataType: DataType.FloatVector, params: { index_type: 'HNSW_SQ', metric_type: 'L2', M: '8', efConstruction: '32', sq_type: 'SQ8', refine: 'true' } },
  { name: 'IVF_FLAT', dataType: DataType.FloatVector, params: { index_type: 'IVF_FLAT', metric_type: 'L2', nlist: '16' } },
  // Over a mapped field: the lists, centroids, row positions and one read window, none of the rows.
  { name: 'IVF_FLAT mmap', dataType: DataType.FloatVector, params: { index_type: 'IVF_FLAT', metric_type: 'COSINE', nlist: '16' }, properties: { 'mmap.enabled': 'true' } },
  { name: 'IVF_SQ8', dataType: DataType.FloatVector, params: { index_type: 'IVF_SQ8', metric_type: 'COSINE', nlist: '16' } },
  { name: 'IVF_PQ', dataType: DataType.FloatVector, params: { index_type: 'IVF_PQ', metric_type: 'L2', nlist: '16', m: '8', nbits: '8' } },
  { name: 'SCANN', dataType: DataType.FloatVector, params: { index_type: 'SCANN', metric_type: 'L2', nlist: '16' } },
  { name: 'IVF_RABITQ', dataType: DataType.FloatVector, params: { index_type: 'IVF_RABITQ', metric_type: 'COSINE', nlist: '16', refine: 'true', refine_type: 'SQ8' } },
  { name: 'BIN_IVF_FLAT', dataType: DataType.BinaryVector, dim: 64, params: { index_type: 'BIN_IVF_FLAT', metric_type: 'HAMMING', nlist: '16' } },
  { name: 'DISKANN', dataType: DataType.FloatVector, params: { index_type: 'DISKANN', metric_type: 'L2' } },
  { name: 'SPARSE_INVERTED_INDEX', dataType: DataType.SparseFloatVector, params: { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'IP' } },
];

function vectors(dataType: DataType, n: number, dim: number, rand: () => number): Column {
  switch (dataType) {
    case DataType.FloatVector: return { kind: 'floatVector', dim, data: Float32Array.from({ length: n * dim }, () => rand() * 2 - 1), valid: null };
    case DataType.Float16Vector: {
      const f32 = Float32Array.from({ length: n * dim }, () => rand() * 2 - 1);
      const data = new Uint16Array(n * dim);
      for (let i = 0; i < data.length; i++) data[i] = encodeHalf(f32[i]!);
      return { kind: 'float16Vector', dim, data, valid: null };
    }
    case DataType.BinaryVector: return { kind: 'binaryVector', dim, data: Uint8Array.from({ length: (n * dim) / 8 }, () => Math.floor(rand() * 256)), valid: null };
    case DataType.SparseFloatVector: {
      const data = [];
      for (let i = 0; i < n; i++) {
        const idx = new Set<number>();
        while (idx.size < 12) idx.add(Math.floor(rand() * 2000));
        const indices = Uint32Array.from([...idx].sort((a, b) => a - b));
        data.push({ indices, values: Float32Array.from(indices, () => rand() + 0.01) });
      }
      return { kind: 'sparseVector', data, valid: null };
    }
    default: throw new Error(`no generator for ${dataType}`);
  }
}

/** float32 -> IEEE half (round toward zero is enough for test data in [-1, 1]). */
function encodeHalf(x: number): number {
  const f = new Float32Array([x]), u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000, exp = ((u >>> 23) & 0xff) - 127 + 15, mant = (u >>> 13) & 0x3ff;
  if (exp <= 0) return sign;
  return sign | (exp << 10) | mant;
}

function queryOf(c: Column, dim: number): Column {
  switch (c.kind) {
    case 'floatVector': return { kind: 'floatVector', dim, data: c.data.slice(0, dim), valid: null };
    case 'float16Vector': return { kind: 'float16Vector', dim, data: c.data.slice(0, dim), valid: null };
    case 'binaryVector': return { kind: 'binaryVector', dim, data: c.data.slice(0, dim / 8), valid: null };
    case 'sparseVector': return { kind: 'sparseVector', data: [c.data[0]!], valid: null };
    default: throw new Error('not a vector');
  }
}

test('accounted bytes of a loaded segment equal the bytes reachable from it, for every index type', { timeout: 300_000 }, async (t) => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    try {
      for (const c of CASES) {
        const dim = c.dim ?? DIM;
        const name = `c_${c.name.replace(/\W/g, '_').toLowerCase()}`;
        const vecField = c.dataType === DataType.SparseFloatVector
          ? { name: 'vec', dataType: c.dataType }
          : { name: 'vec', dataType: c.dataType, dim };
        await svc.createCollection({ collectionName: name, fields: [{ name: 'id', dataType: DataType.Int64, isPrimaryKey: true, autoId: false }, vecField], ...(c.properties ? { properties: c.properties } : {}) });
        const rand = rng(11);
        const vec = vectors(c.dataType, ROWS, dim, rand);
        const ids = BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i));
        await svc.insert({ collectionName: name, numRows: ROWS, columns: new Map<string, Column>([['id', { kind: 'int64', data: ids, valid: null }], ['vec', vec]]) });
        await svc.flush({ collectionNames: [name] });
        await svc.createIndex({ collectionName: name, fieldName: 'vec', params: c.params });
        await svc.engine.indexer.idle();
        await svc.loadCollection({ collectionName: name });
        // Search once, so whatever an index makes on first use exists and must be counted.
        const res = await svc.search({ collectionName: name, nq: 1, topK: 5, vectors: queryOf(vec, dim), params: {} });
        assert.equal(res.topks[0], 5, c.name);
        const coll = [...svc.engine.collections.values()].find((x) => x.meta.name === name)!;
        const segments: SealedSegment[] = [...coll.partitions.values()].flatMap((p) => p.sealed);
        assert.ok(segments.length >= 1 && segments.every((s) => s.data !== null), `${c.name}: loaded`);
        if (c.name !== 'FLAT') assert.ok(segments.some((s) => s.data!.indexes.has('vec')), `${c.name}: an index is attached`);
        let counted = 0;
        let reachable = 0;
        for (const s of segments) {
          counted += segmentMemoryBytes(s);
          reachable += reachableBytes([s.data, s.residents]).bytes;
        }
        const loaded = [...coll.partitions.values()].reduce((n, p) => n + p.loadedBytes, 0);
        t.diagnostic(`${c.name}: counted ${counted} B, reachable ${reachable} B (${ROWS} rows, dim ${dim})`);
        assert.equal(loaded, counted, `${c.name}: partition totals are the segments' sum`);
        // The same figure on /metrics, per collection, and in GetQuerySegmentInfo's mem_size.
        const body = (await new ServerMetrics(svc.engine).text()).body;
        const gauge = new RegExp(`^sextant_collection_loaded_bytes\\{db="default",collection="${name}"\\} (\\d+)$`, 'm').exec(body);
        assert.equal(Number(gauge?.[1]), counted, `${c.name}: /metrics reports what is counted`);
        const infos = await svc.getQuerySegmentInfo({ collectionName: name });
        assert.equal(infos.filter((i) => i.state === 'Sealed').reduce((n, i) => n + i.memSizeBytes, 0), counted, `${c.name}: mem_size`);
        // Equal up to estimates for what is not a typed array (Map entries of sparse slots).
        const slack = c.dataType === DataType.SparseFloatVector ? 0.35 * reachable : 1024;
        assert.ok(counted >= reachable && counted <= reachable + slack, `${c.name}: counted ${counted} B, but ${reachable} B are held`);
        await svc.releaseCollection({ collectionName: name });
        assert.equal(coll.partitions.values().next().value!.loadedBytes, 0, `${c.name}: nothing counted after release`);
      }
    } finally {
      await svc.close();
    }
  });
});

test('a load over the budget is refused before any segment or index file is read, with index bytes in the estimate', { timeout: 120_000 }, async () => {
  await withTempDir(async (dir) => {
    const fs = new FaultyFileSystem(new NodeFileSystem());
    const svc = await SextantService.open({ dataDir: dir, fs });
    try {
      await svc.createCollection({ collectionName: 'c', fields: [{ name: 'id', dataType: DataType.Int64, isPrimaryKey: true, autoId: false }, { name: 'vec', dataType: DataType.FloatVector, dim: DIM }] });
      const rand = rng(5);
      const ids = BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i));
      await svc.insert({ collectionName: 'c', numRows: ROWS, columns: new Map<string, Column>([['id', { kind: 'int64', data: ids, valid: null }], ['vec', vectors(DataType.FloatVector, ROWS, DIM, rand)]]) });
      await svc.flush({ collectionNames: ['c'] });
      await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'IVF_FLAT', metric_type: 'L2', nlist: '16' } });
      await svc.engine.indexer.idle();
      const coll = [...svc.engine.collections.values()][0]!;
      const segments = [...coll.partitions.values()].flatMap((p) => p.sealed);
      // What the estimate was before index files counted: the segment files and the resident vectors' slack.
      const withoutIndexes = segments.reduce((n, s) => n + s.meta.sizeBytes + 32 * 65536 + 9 * s.meta.numRows, 0);
      const withIndexes = await estimateLoadBytes(svc.engine.loader["deps"] as LoaderDeps, coll, segments);
      // IVF_FLAT's list-order copy is the size of the rows: the index must weigh at least that much.
      assert.ok(withIndexes - withoutIndexes >= ROWS * DIM * 4, `index estimate ${withIndexes - withoutIndexes} B`);
      svc.engine.loader.budgetBytes = withoutIndexes + 1024;
      const read: string[] = [];
      fs.onOp = (op, path) => { if ((op === 'readFile' || op === 'read' || op === 'open') && /segments/.test(path)) read.push(`${op} ${path}`); };
      await assert.rejects(svc.loadCollection({ collectionName: 'c' }), (e: unknown) => e instanceof MilvusError && e.code === 3, 'refused: the index does not fit');
      fs.onOp = null;
      assert.deepEqual(read, [], 'nothing was read before the refusal');
      assert.equal(svc.engine.loader.loadedBytes, 0);
      // With room for the estimate it loads, and holds no more than estimated.
      svc.engine.loader.budgetBytes = withIndexes + 1024;
      await svc.loadCollection({ collectionName: 'c' });
      const held = svc.engine.loader.loadedBytes;
      assert.ok(held <= withIndexes, `held ${held} B, estimated ${withIndexes} B`);
    } finally {
      await svc.close();
    }
  });
});

test('release drops at once the wasm copy exact searches made of a column that is not resident (float16 under FLAT)', { timeout: 120_000 }, async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    try {
      const dim = 128, rows = 9000; // decoded to float32 for the kernels: 4.4 MiB, a copy with a memory of its own
      await svc.createCollection({ collectionName: 'f16', fields: [{ name: 'id', dataType: DataType.Int64, isPrimaryKey: true, autoId: false }, { name: 'vec', dataType: DataType.Float16Vector, dim }] });
      const vec = vectors(DataType.Float16Vector, rows, dim, rng(12));
      const ids = BigInt64Array.from({ length: rows }, (_, i) => BigInt(i));
      await svc.insert({ collectionName: 'f16', numRows: rows, columns: new Map<string, Column>([['id', { kind: 'int64', data: ids, valid: null }], ['vec', vec]]) });
      await svc.flush({ collectionNames: ['f16'] });
      await svc.createIndex({ collectionName: 'f16', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
      await svc.engine.indexer.idle();
      await svc.loadCollection({ collectionName: 'f16' });
      const before = ownCopyBytes();
      const res = await svc.search({ collectionName: 'f16', nq: 1, topK: 3, vectors: queryOf(vec, dim), params: {} });
      assert.equal(res.ids.kind === 'int64' ? res.ids.data[0] : -1n, 0n, 'row 0 is its own nearest');
      assert.ok(ownCopyBytes() - before >= rows * dim * 4, `the search made its copy (${ownCopyBytes() - before} bytes)`);
      await svc.releaseCollection({ collectionName: 'f16' });
      assert.equal(ownCopyBytes(), before, 'the copy went with the release, not at some later GC');
    } finally {
      await svc.close();
    }
  });
});
