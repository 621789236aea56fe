/**
 * Compaction clears the tombstones it has applied to sealed segments. Writes keep landing while it
 * rewrites (it holds only the flush lock), so a tombstone it snapshots may also hide a row that
 * reached growing data after the compaction's own flush: clearing it would bring a deleted row back
 * (and make the resurrection durable at the next flush). The file system here holds the compaction's
 * first segment write until the test has inserted and deleted a row in another partition.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import type { FileHandle, FileStat, FileSystem, OpenFlags } from '../../src/storage/fs/types.js';
import { SextantService } from '../../src/service/service.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';

const DIR = '/data';
const dim = 4;

/** Delegates to `inner`; while armed, the next segment file opened for writing waits for `release()`. */
class GatedFileSystem implements FileSystem {
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;
  /** Resolves when a segment write reached the gate. */
  reached: Promise<void> = Promise.resolve();
  private onReached: (() => void) | null = null;

  constructor(private readonly inner: FileSystem) {}

  arm(): void {
    this.gate = new Promise((resolve) => { this.openGate = resolve; });
    this.reached = new Promise((resolve) => { this.onReached = resolve; });
  }

  release(): void {
    this.openGate?.();
    this.gate = null;
  }

  async open(path: string, flags: OpenFlags): Promise<FileHandle> {
    const gate = this.gate;
    if (gate !== null && flags !== 'r' && /seg-\d+\.sxs/.test(path)) {
      this.onReached?.();
      await gate;
    }
    return this.inner.open(path, flags);
  }
  readFile(path: string): Promise<Uint8Array> { return this.inner.readFile(path); }
  rename(from: string, to: string): Promise<void> { return this.inner.rename(from, to); }
  unlink(path: string): Promise<void> { return this.inner.unlink(path); }
  readdir(dir: string): Promise<string[]> { return this.inner.readdir(dir); }
  mkdir(dir: string, opts?: { recursive?: boolean }): Promise<void> { return this.inner.mkdir(dir, opts); }
  exists(path: string): Promise<boolean> { return this.inner.exists(path); }
  fsyncDir(dir: string): Promise<void> { return this.inner.fsyncDir(dir); }
  stat(path: string): Promise<FileStat> { return this.inner.stat(path); }
  rm(path: string, opts?: { recursive?: boolean; force?: boolean }): Promise<void> { return this.inner.rm(path, opts); }
}

async function countAndIds(svc: SextantService, filter: string): Promise<{ ids: number[]; count: number }> {
  const r = await svc.query({ collectionName: 'c', filter, outputFields: ['id'] });
  const n = await svc.query({ collectionName: 'c', filter, outputFields: ['count(*)'] });
  return {
    ids: Array.from(r.columns[0]!.column.data as BigInt64Array, Number).sort((a, b) => a - b),
    count: Number((n.columns[0]!.column.data as BigInt64Array)[0]),
  };
}

test('a row inserted and deleted while compaction rewrites another partition stays deleted, also after restart', async () => {
  const mem = new MemoryFileSystem();
  const fs = new GatedFileSystem(mem);
  const rand = rng(3);
  let svc = await SextantService.open({ dataDir: DIR, fs, lock: false });
  await svc.createCollection(vectorCollection('c', dim));
  await svc.createPartition({ collectionName: 'c', partitionName: 'p2' });
  await svc.insert({ collectionName: 'c', numRows: 50, columns: batch(0, 50, dim, rand) });
  await svc.insert({ collectionName: 'c', partitionName: 'p2', numRows: 50, columns: batch(100, 50, dim, rand) });
  await svc.flush({ collectionNames: ['c'] });
  // Tombstones in both partitions, so compaction rewrites _default first and then visits p2.
  await svc.delete({ collectionName: 'c', filter: 'id in [0, 100]' });
  await svc.flush({ collectionNames: ['c'] });
  await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
  await svc.loadCollection({ collectionName: 'c' });

  fs.arm();
  const compaction = svc.compact({ collectionName: 'c' });
  await fs.reached; // compaction is rewriting _default's segment and holds the flush lock
  await svc.insert({ collectionName: 'c', partitionName: 'p2', numRows: 1, columns: batch(500, 1, dim, rand) });
  await svc.delete({ collectionName: 'c', filter: 'id == 500' });
  fs.release();
  await compaction;
  await svc.engine.compactor.idle();

  const expected = { ids: [...Array.from({ length: 49 }, (_, i) => i + 1), ...Array.from({ length: 49 }, (_, i) => i + 101)], count: 98 };
  assert.deepEqual(await countAndIds(svc, 'id >= 0'), expected, 'row 500 came back after compaction');
  await svc.flush({ collectionNames: ['c'] });
  assert.deepEqual(await countAndIds(svc, 'id >= 0'), expected, 'row 500 came back after the next flush');
  await svc.close();

  svc = await SextantService.open({ dataDir: DIR, fs: mem.crash(), lock: false });
  await svc.loadCollection({ collectionName: 'c' });
  assert.deepEqual(await countAndIds(svc, 'id >= 0'), expected, 'row 500 came back after restart');
  await svc.close();
});
