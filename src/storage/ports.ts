/**
 * The five narrow ports the engine uses to keep state (issue #14). Today's data directory is one
 * implementation of each (`LOCK`, `MANIFEST`, `wal/`, `segments/`, the hybrid clock); the
 * distributed mode implements the same contracts on etcd (catalog, lease, timestamps), NATS
 * JetStream (log) and an S3 API (blobs). One contract test suite runs against every implementation.
 *
 * Rules every implementation keeps:
 * - A promise that resolves means durable: fsync locally, quorum ack in JetStream, etcd commit, a
 *   completed S3 PUT. Nothing is acknowledged before that.
 * - Commit points are fenced: once a Lease is lost, `CatalogStore.commit` with it fails and the
 *   holder must stop acknowledging anything (a paused writer resumed after expiry writes nothing).
 * - Blobs are immutable: a key is written once, then read, then deleted; never rewritten.
 */

/** One log record: the engine's payload with its position. */
export interface LogRecord {
  lsn: bigint;
  type: number;
  payload: Uint8Array;
}

/** The write-ahead log: ordered, durable, replayable from a checkpoint. */
export interface Log {
  /** The LSN the next append will get. */
  readonly nextLsn: bigint;
  /** Why the log refuses appends (a failed fsync, a lost quorum past its retries), or null. */
  readonly failure: unknown;
  /** Append one record; resolves with its LSN once durable. Appends resolve in LSN order. */
  append(type: number, payload: Uint8Array): Promise<bigint>;
  /** The largest payload one append takes, when the log has its own bound. */
  maxRecordBytes?(): number;
  /** True when the log keeps no reference to a payload once its append has settled (the writer reuses the buffer). */
  readonly releasesPayload?: boolean;
  /** Every retained record with `lsn >= from`, in LSN order (replay at open, a follower catching up). */
  readFrom(from: bigint): AsyncIterable<LogRecord>;
  /** Records below `lsn` are no longer needed (a checkpoint); they may be dropped, wholly or partly. */
  truncateBelow(lsn: bigint): Promise<void>;
  close(): Promise<void>;
  /** Optional figures for /metrics (added with the local implementation; a log may leave it out). */
  readonly metrics?: LogMetrics;
}

/** What a Log may report for /metrics. */
export interface LogMetrics {
  /** Files (or stream blocks) the log retains now. */
  readonly retainedFiles: number;
  /** Told after every durable group write: its duration and how many records it made durable. */
  readonly syncListeners: Set<(seconds: number, records: number) => void>;
}

/** The catalog as one versioned document (the manifest's bytes), replaced by compare-and-swap. */
export interface CatalogStore {
  /** The current document and its version, or null when none was ever committed. */
  load(): Promise<{ body: Uint8Array; version: bigint } | null>;
  /**
   * Replace the document if its version is still `expected` (0n: none yet) and `lease` still holds;
   * resolves with the new version once durable. Throws a conflict (version moved, lease lost) without
   * changing anything. The caller publishes its new in-memory catalog only after this resolves.
   */
  commit(expected: bigint, body: Uint8Array, lease: Lease): Promise<bigint>;
}

/**
 * Immutable segment, tombstone and index objects. Files are written into `stagingDir` first (temp,
 * fsync, rename, as today); `publish` makes one durable in the store. A key is registered in the
 * catalog only after its publish resolved (the commit point), so a crash leaves orphans, never holes.
 */
export interface BlobStore {
  /** The local directory where new files are written before `publish`. */
  readonly stagingDir: string;
  publish(key: string): Promise<void>;
  /** A local path holding the object (a bounded cache when the store is remote), for readers and worker threads. */
  localPath(key: string): Promise<string>;
  /** `length` bytes at `offset` without fetching the whole object. */
  readRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  list(): Promise<string[]>;
  remove(keys: readonly string[]): Promise<void>;
}

/** Ownership of a data set by one process, with a fencing token. */
export interface Lease {
  /** Grows every time ownership changes hands; commits carry it so a stale owner's are refused. */
  readonly token: bigint;
  /** Resolves once ownership is lost (expiry, takeover); the holder must stop acknowledging at once. */
  readonly lost: Promise<void>;
  /** True while the lease is held as far as this process knows. */
  readonly held: boolean;
  release(): Promise<void>;
}

/** Milvus's TSO: physical ms << 18 | logical; strictly increasing across owners and restarts. */
export interface TimestampOracle {
  /** A fresh timestamp strictly greater than every one handed out or observed. */
  next(): bigint;
  /** `count` consecutive timestamps; returns the first. */
  reserve(count: number): bigint;
  /** Never hand out a timestamp at or below `ts` from now on. */
  observe(ts: bigint): void;
  readonly current: bigint;
}

/**
 * The five ports of one data set, as the engine is given them (`EngineOptions.ports`). The engine
 * owns them from then on: it closes the log and releases the lease when it closes (or fails to open).
 */
/** A small JSON document kept apart from the catalog: the access-control catalog (users, roles, grants), the resource groups. */
export interface DocStore {
  /** The body, or null when none was ever written. */
  read(): Promise<unknown | null>;
  /** Replace the body durably (refused by a read-only node). */
  write(body: unknown): Promise<void>;
  /** False when `write` is always refused (a query node reads the writer's document). */
  readonly writable: boolean;
}

export interface StoragePorts {
  log: Log;
  catalog: CatalogStore;
  blobs: BlobStore;
  lease: Lease;
  clock: TimestampOracle;
  /** The access-control catalog's document; default: the data directory's `RBAC` file (rbac-file.ts). */
  rbac?: DocStore;
  /** The resource groups' document; default: the data directory's `RESOURCE_GROUPS` file (resource-groups-file.ts). */
  resourceGroups?: DocStore;
}
