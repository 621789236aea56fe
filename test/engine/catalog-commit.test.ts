/**
 * Persist-then-publish (issue #14): a DDL change is committed to the catalog store (the MANIFEST)
 * before it is visible in memory. For every kind of catalog change, the manifest replacement is
 * made to fail (no space: code 7, storage stays up; a failed fsync: code 5, storage stops), and
 * what the service answers (databases, collections, partitions, indexes, aliases, load state) must
 * be exactly what it answered before the call, and exactly what a restart on the disk answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusError } from '../../src/core/errors.js';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';
import { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { SextantService } from '../../src/service/service.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';

const DIR = '/data';
const dim = 4;
const FLAT = { index_type: 'FLAT', metric_type: 'L2' };

function open(fs: MemoryFileSystem | FaultyFileSystem): Promise<SextantService> {
  return SextantService.open({ dataDir: DIR, fs, lock: false, searchThreads: 0, indexBuildThreads: 1, autoCompaction: false });
}

/**
 * Database d1; in default: c (indexed, loaded, 10 flushed rows, alias al), c2 (indexed, not
 * loaded, partition pz), c3 (no index, not loaded).
 */
async function setup(): Promise<{ mem: MemoryFileSystem; faulty: FaultyFileSystem; svc: SextantService }> {
  const mem = new MemoryFileSystem();
  const faulty = new FaultyFileSystem(mem);
  const svc = await open(faulty);
  await svc.createDatabase({ dbName: 'd1', properties: { a: '1' } });
  for (const name of ['c', 'c2', 'c3']) await svc.createCollection(vectorCollection(name, dim));
  await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: FLAT });
  await svc.createIndex({ collectionName: 'c2', fieldName: 'vec', params: FLAT });
  await svc.createPartition({ collectionName: 'c2', partitionName: 'pz' });
  await svc.insert({ collectionName: 'c', numRows: 10, columns: batch(0, 10, dim, rng(3)) });
  await svc.flush({ collectionNames: ['c'] });
  await svc.loadCollection({ collectionName: 'c' });
  await svc.createAlias({ alias: 'al', collectionName: 'c' });
  await svc.engine.indexer.idle();
  return { mem, faulty, svc };
}

/** Everything the catalog answers, as one comparable string. */
async function view(svc: SextantService): Promise<string> {
  const out: unknown[] = [];
  const dbs = (await svc.listDatabases()).sort((a, b) => a.dbName.localeCompare(b.dbName));
  for (const d of dbs) {
    out.push(['database', d.dbName, d.dbId, d.properties]);
    const collections = (await svc.listCollections({ dbName: d.dbName })).sort((a, b) => a.name.localeCompare(b.name));
    for (const c of collections) {
      const req = { dbName: d.dbName, collectionName: c.name };
      const indexes = await svc.describeIndex(req).catch((e: unknown) => (e instanceof MilvusError ? `no index (${e.code})` : Promise.reject(e)));
      out.push(['collection', c, await svc.describeCollection(req), await svc.listPartitions(req), indexes,
        await svc.getLoadState(req), await svc.listAliases({ dbName: d.dbName, collectionName: c.name })]);
    }
  }
  return JSON.stringify(out, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v), 1);
}

const OPS: [string, (svc: SextantService) => Promise<unknown>][] = [
  ['create database', (s) => s.createDatabase({ dbName: 'd2' })],
  ['drop database', (s) => s.dropDatabase({ dbName: 'd1' })],
  ['alter database', (s) => s.alterDatabase({ dbName: 'd1', properties: { a: '2' } })],
  ['create collection', (s) => s.createCollection(vectorCollection('x', dim))],
  ['drop collection', (s) => s.dropCollection({ collectionName: 'c3' })],
  ['rename collection', (s) => s.renameCollection({ oldName: 'c3', newName: 'c4' })],
  ['alter collection', (s) => s.alterCollection({ collectionName: 'c3', properties: { 'collection.ttl.seconds': '60' } })],
  ['truncate collection', (s) => s.truncateCollection({ collectionName: 'c' })],
  ['create partition', (s) => s.createPartition({ collectionName: 'c', partitionName: 'p2' })],
  ['drop partition', (s) => s.dropPartition({ collectionName: 'c2', partitionName: 'pz' })],
  ['create index', (s) => s.createIndex({ collectionName: 'c3', fieldName: 'vec', params: FLAT })],
  ['drop index', (s) => s.dropIndex({ collectionName: 'c2', fieldName: 'vec' })],
  ['create alias', (s) => s.createAlias({ alias: 'al2', collectionName: 'c2' })],
  ['alter alias', (s) => s.alterAlias({ alias: 'al', collectionName: 'c2' })],
  ['drop alias', (s) => s.dropAlias({ alias: 'al' })],
  ['load collection', (s) => s.loadCollection({ collectionName: 'c2' })],
  ['load partitions', (s) => s.loadPartitions({ collectionName: 'c2', partitionNames: ['pz'] })],
  ['release collection', (s) => s.releaseCollection({ collectionName: 'c' })],
];

const FAULTS: { name: string; code: number; arm(f: FaultyFileSystem): void }[] = [
  { name: 'no space', code: 7, arm: (f) => f.tearNextWrite(0, { path: 'MANIFEST.tmp', code: 'ENOSPC' }) },
  { name: 'failed fsync', code: 5, arm: (f) => f.failSyncs({ path: 'MANIFEST.tmp', target: 'file' }) },
];

for (const fault of FAULTS) {
  test(`a failed manifest replacement (${fault.name}) publishes nothing: memory equals disk for every DDL`, async (t) => {
    const mismatches: string[] = [];
    for (const [name, op] of OPS) {
      const { mem, faulty, svc } = await setup();
      const before = await view(svc);
      fault.arm(faulty);
      const err = await op(svc).then(() => null, (e: unknown) => e);
      faulty.heal();
      assert.ok(err instanceof MilvusError, `${name}: the failed manifest write is reported (got ${String(err)})`);
      assert.equal(err.code, fault.code, `${name}: ${err.message}`);
      const after = await view(svc);
      await svc.close();
      const again = await open(mem.crash());
      const reopened = await view(again);
      await again.close();
      if (after !== before) mismatches.push(`${name}: memory changed although the manifest write failed`);
      if (reopened !== after) mismatches.push(`${name}: memory and the reopened disk disagree`);
      assert.equal(reopened, before, `${name}: the disk kept the old catalog`);
    }
    t.diagnostic(`${OPS.length} DDL kinds, each with a failed manifest replacement; mismatches: ${mismatches.length}`);
    assert.deepEqual(mismatches, []);
  });
}
