/**
 * Segments load several at once (limits.loadSegmentsInFlight): a load of many HNSW-indexed segments
 * answers as before, and one bad file among them fails the whole load with nothing left loaded or
 * counted (the others in flight finish first, then everything is released). A flush that seals
 * growing rows while a load reads its segments leaves those rows searchable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { SextantService } from '../../src/service/service.js';
import { limits } from '../../src/core/limits.js';
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import type { FileHandle, FileSystem, OpenFlags } from '../../src/storage/fs/types.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';
import { withTempDir } from '../support/tmp.js';

const dim = 8;

test('many segments load at once; a bad index file among them fails the load and leaves nothing loaded', async () => {
  assert.ok(limits.loadSegmentsInFlight > 1, 'several segments in flight');
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir, sealRows: 300 });
    try {
      await svc.createCollection(vectorCollection('c', dim));
      const rand = rng(21);
      // Seven segments, one flush each (a background seal merges whatever is waiting into one
      // segment); more small segments than limits.compactionMinSmallSegments would be compacted.
      for (let i = 0; i < 7; i++) {
        await svc.insert({ collectionName: 'c', numRows: 300, columns: batch(i * 300, 300, dim, rand) });
        await svc.flush({ collectionNames: ['c'] });
      }
      await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'HNSW', metric_type: 'L2', M: '8', efConstruction: '32' } });
      await svc.engine.indexer.idle();
      const query = { kind: 'floatVector' as const, dim, data: new Float32Array(dim).fill(0.25), valid: null };
      await svc.loadCollection({ collectionName: 'c' });
      const c = [...svc.engine.collections.values()][0]!;
      const sealed = [...c.partitions.values()].flatMap((p) => p.sealed);
      assert.ok(sealed.length >= 3, `${sealed.length} sealed segments`);
      assert.ok(sealed.every((s) => s.data?.indexes.has('vec')), 'every segment loaded with its index');
      const first = await svc.search({ collectionName: 'c', nq: 1, topK: 10, vectors: query, params: { ef: 64 } });
      await svc.releaseCollection({ collectionName: 'c' });
      assert.equal(svc.engine.loader.loadedBytes, 0);

      const files = (await readdir(path.join(dir, 'segments'))).filter((f) => f.startsWith('idx-')).sort();
      const victim = path.join(dir, 'segments', files[Math.floor(files.length / 2)]!);
      const good = await readFile(victim);
      const bad = Buffer.from(good);
      bad[bad.length - 10] = bad[bad.length - 10]! ^ 0x55;
      await writeFile(victim, bad);
      await assert.rejects(svc.loadCollection({ collectionName: 'c' }), /CRC|checksum|corrupt/i);
      assert.equal(svc.engine.loader.loadedBytes, 0, 'nothing of the failed load is held');
      assert.ok(sealed.every((s) => s.data === null && s.residents === undefined), 'every segment released');
      assert.ok([...c.partitions.values()].every((p) => !p.loaded));

      await writeFile(victim, good);
      await svc.loadCollection({ collectionName: 'c' });
      const again = await svc.search({ collectionName: 'c', nq: 1, topK: 10, vectors: query, params: { ef: 64 } });
      assert.deepEqual(again.ids, first.ids, 'the same hits after a reload');
    } finally {
      await svc.close();
    }
  });
});

/** The real file system, with reads of segment files held at a gate while it is shut. */
class GatedFileSystem implements FileSystem {
  private readonly inner = new NodeFileSystem();
  private gate: Promise<void> | null = null;
  private openGate: () => void = () => undefined;
  /** Resolves when a segment read first waits at the shut gate. */
  waiting: Promise<void> = Promise.resolve();
  private signalWaiting: () => void = () => undefined;

  shut(): void {
    this.gate = new Promise((r) => { this.openGate = r; });
    this.waiting = new Promise((r) => { this.signalWaiting = r; });
  }
  reopen(): void {
    this.gate = null;
    this.openGate();
  }
  private async held(path: string): Promise<void> {
    if (this.gate === null || !/seg-\d+\.sxs$/.test(path)) return;
    this.signalWaiting();
    await this.gate;
  }
  async open(path: string, flags: OpenFlags): Promise<FileHandle> {
    if (flags === 'r') await this.held(path);
    return this.inner.open(path, flags);
  }
  async readFile(path: string): Promise<Uint8Array> {
    await this.held(path);
    return this.inner.readFile(path);
  }
  rename = (from: string, to: string) => this.inner.rename(from, to);
  unlink = (path: string) => this.inner.unlink(path);
  readdir = (dir: string) => this.inner.readdir(dir);
  mkdir = (dir: string, opts?: { recursive?: boolean }) => this.inner.mkdir(dir, opts);
  exists = (path: string) => this.inner.exists(path);
  fsyncDir = (dir: string) => this.inner.fsyncDir(dir);
  stat = (path: string) => this.inner.stat(path);
  rm = (path: string, opts?: { recursive?: boolean; force?: boolean }) => this.inner.rm(path, opts);
}

test('rows sealed by a flush while a load reads its segments are searched once the load answers', async () => {
  await withTempDir(async (dir) => {
    const fs = new GatedFileSystem();
    const svc = await SextantService.open({ dataDir: dir, fs });
    try {
      await svc.createCollection(vectorCollection('c', dim));
      await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
      const rand = rng(4);
      for (let i = 0; i < 3; i++) {
        await svc.insert({ collectionName: 'c', numRows: 200, columns: batch(i * 200, 200, dim, rand) });
        await svc.flush({ collectionNames: ['c'] });
      }
      await svc.insert({ collectionName: 'c', numRows: 200, columns: batch(600, 200, dim, rand) });
      fs.shut();
      const loading = svc.loadCollection({ collectionName: 'c' });
      await fs.waiting;
      // The load is reading the sealed segments; the growing rows are sealed meanwhile.
      await svc.flush({ collectionNames: ['c'] });
      fs.reopen();
      await loading;
      const c = [...svc.engine.collections.values()][0]!;
      const sealed = [...c.partitions.values()].flatMap((p) => p.sealed);
      assert.equal(sealed.length, 4, 'four sealed segments');
      assert.ok(sealed.every((s) => s.data !== null), 'every sealed segment is in memory once the load answered');
      const r = await svc.query({ collectionName: 'c', filter: 'id >= 0', outputFields: ['count(*)'] });
      const count = r.columns.find((x) => x.field.name === 'count(*)')!.column.data as BigInt64Array;
      assert.equal(Number(count[0]), 800, 'every row is counted');
    } finally {
      await svc.close();
    }
  });
});
