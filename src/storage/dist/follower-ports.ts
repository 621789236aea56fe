/**
 * The ports of a query node (issue #14): the writer's catalog, log and blobs, read only. Every write
 * through them is refused with code 1 (not ready, retriable) naming the writer; nothing is closed by
 * an engine that owns them (the query node closes the real ones), so engines can be opened one after
 * another over the same connections. The log remembers how far it was read: everything below the
 * `from` of a read is in the catalog's files, and every record read has been handed to the engine.
 */
import { errors } from '../../core/errors.js';
import { HybridClock } from '../local/clock.js';
import type { BlobStore, CatalogStore, DocStore, Lease, Log, LogRecord, StoragePorts } from '../ports.js';

export class FollowerLog implements Log {
  /** Every record at or below this LSN was read (and applied) by the engine that read it. */
  readThrough = 0n;

  constructor(private readonly log: Log, private readonly refuse: () => Error) {}

  get nextLsn(): bigint { return this.log.nextLsn; }
  get failure(): unknown { return this.log.failure; }

  append(): Promise<bigint> {
    return Promise.reject(this.refuse());
  }

  async *readFrom(from: bigint): AsyncIterable<LogRecord> {
    if (from - 1n > this.readThrough) this.readThrough = from - 1n;
    for await (const r of this.log.readFrom(from)) {
      yield r;
      if (r.lsn > this.readThrough) this.readThrough = r.lsn;
    }
  }

  /** Records from `from` through `through`, read again for partitions a catalog change added; `readThrough` stays. */
  async *range(from: bigint, through: bigint): AsyncIterable<LogRecord> {
    for await (const r of this.log.readFrom(from)) {
      if (r.lsn > through) return;
      yield r;
    }
  }

  /** The writer truncates; a follower never does. */
  async truncateBelow(): Promise<void> {}
  async close(): Promise<void> {}
}

class FollowerCatalog implements CatalogStore {
  /** The version of the last document loaded. */
  loadedVersion = 0n;

  constructor(private readonly store: CatalogStore, private readonly refuse: () => Error) {}

  async load(): Promise<{ body: Uint8Array; version: bigint } | null> {
    const doc = await this.store.load();
    this.loadedVersion = doc?.version ?? 0n;
    return doc;
  }

  commit(): Promise<bigint> {
    return Promise.reject(this.refuse());
  }
}

class FollowerBlobs implements BlobStore {
  constructor(private readonly blobs: BlobStore, private readonly refuse: () => Error) {}
  get stagingDir(): string { return this.blobs.stagingDir; }
  publish(): Promise<void> { return Promise.reject(this.refuse()); }
  localPath(key: string): Promise<string> { return this.blobs.localPath(key); }
  readRange(key: string, offset: number, length: number): Promise<Uint8Array> { return this.blobs.readRange(key, offset, length); }
  list(): Promise<string[]> { return this.blobs.list(); }
  remove(): Promise<void> { return Promise.reject(this.refuse()); }
}

/** The writer's access-control or resource-group document, read only. */
function followerDoc(doc: DocStore, refuse: () => Error): DocStore {
  return { read: () => doc.read(), write: () => Promise.reject(refuse()), writable: false };
}

/** A lease never held: a follower owns nothing. */
const NO_LEASE: Lease = { token: 0n, lost: new Promise<void>(() => undefined), held: false, release: async () => undefined };

export interface FollowerPorts extends StoragePorts {
  log: FollowerLog;
  catalog: FollowerCatalog;
}

/** Read-only views of a data set's ports for one engine; `reason` says why writes are refused (naming the writer). */
export function followerPorts(
  real: { log: FollowerLog; catalog: CatalogStore; blobs: BlobStore; rbac: DocStore; resourceGroups: DocStore }, reason: () => string,
): FollowerPorts {
  const refuse = () => errors.serviceNotReady(reason());
  return {
    log: real.log, catalog: new FollowerCatalog(real.catalog, refuse), blobs: new FollowerBlobs(real.blobs, refuse),
    lease: NO_LEASE, clock: new HybridClock(), rbac: followerDoc(real.rbac, refuse), resourceGroups: followerDoc(real.resourceGroups, refuse),
  };
}
