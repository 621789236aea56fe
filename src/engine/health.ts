/**
 * The storage health of one engine: what every door reports (CheckHealth, /healthz, /metrics) and
 * what decides whether a write may be acknowledged. Three conditions:
 *
 * - failed: a WAL write or fsync failed, or an I/O error or failed fsync hit a segment, tombstone,
 *   manifest or WAL-directory operation. Like PostgreSQL after a failed fsync, the engine never
 *   retries and carries on: every later write (insert, upsert, delete, DDL, flush, load state) is
 *   refused with code 5 until a restart recovers from MANIFEST + WAL. Reads go on from memory,
 *   which holds only acknowledged writes (a write is applied after its WAL fsync, never before).
 *   Not healthy.
 * - no space: a write() found the disk full (ENOSPC, EDQUOT, EFBIG) and left nothing durable behind
 *   (the WAL cut its torn batch off, a segment file being written was abandoned, the manifest was
 *   not replaced). That write is refused with code 7 (disk limit exceeded, legacy
 *   DiskQuotaExhausted); the next write is tried again and clears the condition when it succeeds.
 *   Healthy, with quota state DenyToWrite and a reason, as Milvus reports an exhausted disk quota.
 * - closed: not healthy.
 */
import { errors } from '../core/errors.js';
import { isFsError } from '../storage/fs/types.js';

/** Milvus' QuotaState names that Sextant reports. */
export type QuotaState = 'DenyToWrite';

export interface HealthReport {
  isHealthy: boolean;
  reasons: string[];
  quotaStates: QuotaState[];
}

const NO_SPACE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/**
 * A no-space failure of an operation that leaves the file it wrote unchanged on disk once cut back
 * (write, open, rename). A failed fsync never counts: after it, what reached the disk is unknown.
 */
export function isNoSpace(e: unknown): boolean {
  if (!isFsError(e) || !NO_SPACE_CODES.has(e.code)) return false;
  return e.syscall !== 'fsync' && e.syscall !== 'fdatasync';
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class EngineHealth {
  private failure: string | null = null;
  private noSpace: string | null = null;
  private closed = false;
  /** Why this engine never writes (a read-only query node, issue #14), or null. */
  private readOnlyReason: string | null = null;

  /** `walFailure` reports the WAL's own poisoned state (storage/wal.ts), null while it works. */
  constructor(private readonly walFailure: () => unknown) {}

  /** Why writes are refused until a restart, or null. */
  get failedReason(): string | null {
    if (this.failure !== null) return this.failure;
    const wal = this.walFailure();
    return wal === null ? null : `write-ahead log: ${describe(wal)}`;
  }

  report(): HealthReport {
    const reasons: string[] = [];
    if (this.closed) reasons.push('engine is closed');
    const failed = this.failedReason;
    if (failed !== null) reasons.push(`storage failed, writes are refused until restart: ${failed}`);
    const quotaStates: QuotaState[] = [];
    if (this.noSpace !== null && failed === null && !this.closed) {
      quotaStates.push('DenyToWrite');
      reasons.push(`disk limit exceeded: ${this.noSpace}`);
    }
    return { isHealthy: !this.closed && failed === null, reasons, quotaStates };
  }

  /** Throws the error a write gets while storage has failed or the engine is closed. */
  checkWritable(): void {
    if (this.closed) throw errors.serviceNotReady('engine is closed');
    if (this.readOnlyReason !== null) throw errors.serviceNotReady(this.readOnlyReason);
    const failed = this.failedReason;
    if (failed !== null) throw errors.storageFailed(failed);
  }

  /**
   * The error to answer for `e`, met while `where` wrote: a no-space failure that changed nothing
   * (when `recoverable`) becomes code 7; any other file-system error fails the engine (code 5);
   * anything else (a MilvusError, a bug) passes through unless the storage has failed meanwhile.
   */
  storageError(where: string, e: unknown, recoverable: boolean): unknown {
    if (this.failedReason === null && isFsError(e)) {
      if (recoverable && isNoSpace(e)) {
        this.noSpace = `${where}: ${describe(e)}`;
        return errors.diskLimitExceeded(this.noSpace);
      }
      this.failure = `${where}: ${describe(e)}`;
    }
    const failed = this.failedReason;
    return failed === null ? e : errors.storageFailed(failed);
  }

  /**
   * A file-system error that escaped the write classification, i.e. a failed read (loading a
   * segment or an index file): code 5, storage does not fail (nothing was written). Others pass.
   */
  readError(e: unknown): unknown {
    return isFsError(e) ? errors.internal(`reading storage failed: ${describe(e)}`) : e;
  }

  /** The storage lease was lost (another owner took over): nothing more may be acknowledged. */
  fence(reason: string): void {
    if (this.failure === null) this.failure = reason;
  }

  /**
   * This engine follows a data set another process writes (a query node): every write is refused
   * with code 1 (not ready, retriable) and `reason`, which names the writer. Reads go on.
   */
  makeReadOnly(reason: string): void {
    this.readOnlyReason = reason;
  }

  get readOnly(): string | null {
    return this.readOnlyReason;
  }

  /** A write reached the disk: space is back. */
  wrote(): void {
    this.noSpace = null;
  }

  markClosed(): void {
    this.closed = true;
  }
}
