/**
 * Today's data directory as the five ports (storage/ports.ts):
 *   LOCK       -> LocalLease         (lease.ts, over storage/lock.ts)
 *   MANIFEST   -> LocalCatalogStore  (catalog-store.ts, over storage/manifest.ts)
 *   wal/       -> LocalLog           (log.ts, over storage/wal.ts)
 *   segments/  -> LocalBlobStore     (blob-store.ts)
 *   clock      -> HybridClock        (clock.ts; the engine seeds it from the manifest)
 */
import { posix } from 'node:path';
import { ensureDir } from '../fs/durable.js';
import type { FileSystem } from '../fs/types.js';
import type { StoragePorts } from '../ports.js';
import type { TailReport, WalOptions } from '../wal.js';
import { LocalBlobStore } from './blob-store.js';
import { LocalCatalogStore } from './catalog-store.js';
import { HybridClock } from './clock.js';
import { LocalLease } from './lease.js';
import { LocalLog } from './log.js';

export { LocalBlobStore } from './blob-store.js';
export { LocalCatalogStore } from './catalog-store.js';
export { HybridClock } from './clock.js';
export { LocalLease } from './lease.js';
export { LocalLog } from './log.js';

export interface LocalPortsOptions {
  /** Take the directory's LOCK (default true; in-memory test file systems skip it). */
  lock?: boolean;
  /** Told of a torn WAL tail that recovery cut off. */
  onWalTail?: (tail: TailReport) => void;
  wal?: WalOptions;
}

/** Opens the five ports over `dataDir` (created if missing). The lease is taken first. */
export async function openLocalPorts(fs: FileSystem, dataDir: string, opts: LocalPortsOptions = {}): Promise<StoragePorts> {
  await ensureDir(fs, dataDir);
  const lease = await LocalLease.acquire(dataDir, opts.lock !== false);
  try {
    const walDir = posix.join(dataDir, 'wal');
    const segmentsDir = posix.join(dataDir, 'segments');
    await ensureDir(fs, walDir);
    await ensureDir(fs, segmentsDir);
    const log = await LocalLog.open(fs, walDir, opts.wal);
    if (log.tail) opts.onWalTail?.(log.tail);
    return {
      log,
      catalog: new LocalCatalogStore(fs, dataDir),
      blobs: new LocalBlobStore(fs, segmentsDir),
      lease,
      clock: new HybridClock(),
    };
  } catch (e) {
    await lease.release();
    throw e;
  }
}
