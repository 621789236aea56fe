/** What an engine is opened with (Engine.open). */
import { totalmem } from 'node:os';
import type { FileSystem } from '../storage/fs/types.js';
import type { StoragePorts } from '../storage/ports.js';

export interface EngineOptions {
  dataDir: string;
  /** The file-system seam; NodeFileSystem by default. Tests pass memory or faulty ones. */
  fs?: FileSystem;
  /** Bytes of sealed data that may be loaded at once. */
  memoryBudgetBytes?: number;
  /** Bytes the page cache of mapped (mmap.enabled) columns may hold; limits.mmapCacheBytes by default. */
  mmapCacheBytes?: number;
  /** Seal a growing segment at this many rows (tests lower it). */
  sealRows?: number;
  /** Search worker threads (default one per core; 0 = every search on the calling thread). */
  searchThreads?: number;
  /**
   * A search alone waits one event-loop turn first, so that searches arriving with it run next to it
   * on the search threads (servers, where requests arrive together; see SearchThreads.enter).
   */
  yieldLoneSearches?: boolean;
  /** Index build threads, builds of several segments at once (default one per core). */
  indexBuildThreads?: number;
  /** Largest segment compaction writes (default limits.maxSegmentBytes; tests lower it). */
  maxSegmentBytes?: number;
  /** Compact small segments by itself after flushes (default true). */
  autoCompaction?: boolean;
  /** Take the directory lock (skip only for in-memory test file systems). */
  lock?: boolean;
  /** Called with a description of a torn WAL tail that was cut off at open. */
  onWalTail?: (report: string) => void;
  /**
   * The storage ports to run on (the distributed mode passes its own); default: the local ones over
   * `dataDir` (storage/local/). The engine owns them: it closes the log and releases the lease.
   */
  ports?: StoragePorts;
  /**
   * A follower of a data set another process writes (a query node, issue #14): every write is
   * refused with this reason (code 1), nothing is flushed, indexed, compacted or deleted, and at
   * open only the collections `loads` accepts are loaded (in memory; the catalog is not written).
   */
  follower?: { reason: string; loads(collectionId: number): boolean };
}

/** Leave room for the process itself: half of the machine's memory. */
export function defaultMemoryBudget(): number {
  return Math.floor(totalmem() / 2);
}
