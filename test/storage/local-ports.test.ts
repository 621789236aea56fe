/**
 * The shared port contracts (test/support/port-contracts.ts, also run by test/dist/* against etcd,
 * NATS JetStream and S3) on the local data directory (src/storage/local/).
 */
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import { HybridClock, LocalBlobStore, LocalCatalogStore, LocalLease, LocalLog } from '../../src/storage/local/index.js';
import { blobContract, catalogContract, leaseContract, logContract, tsoContract } from '../support/port-contracts.js';
import { makeTempDir } from '../support/tmp.js';

const fs = new NodeFileSystem();
const remove = (dir: string) => rm(dir, { recursive: true, force: true });

logContract('local', async () => {
  const dir = await makeTempDir();
  // Small WAL files, so a checkpoint can drop whole files.
  return { open: () => LocalLog.open(fs, path.join(dir, 'wal'), { maxFileBytes: 256 }), cleanup: () => remove(dir) };
});

catalogContract('local', async () => {
  const dir = await makeTempDir();
  const lease = await LocalLease.acquire(dir, true);
  const store = new LocalCatalogStore(fs, dir);
  return { store, lease, loseLease: () => lease.release(), anyBytes: false, cleanup: async () => { await lease.release(); await remove(dir); } };
});

blobContract('local', async () => {
  const dir = await makeTempDir();
  return { store: new LocalBlobStore(fs, dir), nestedKeys: false, cleanup: () => remove(dir) };
});

leaseContract('local', async () => {
  const dir = await makeTempDir();
  return { acquire: () => LocalLease.acquire(dir, true), waits: false, cleanup: () => remove(dir) };
});

tsoContract('local', async () => ({ tso: new HybridClock(), cleanup: async () => undefined }));
