/**
 * Storage failures as MilvusErrors (code 5, a system error, not the caller's fault), plus the one
 * input error the storage layer raises (an oversized WAL record). Raw file-system errors (ENOSPC,
 * EIO, ...) from the FileSystem seam are passed through unchanged.
 */
import { MilvusError, errors } from '../core/errors.js';

export const storageErrors = {
  /** A file failed verification (magic, version, length, CRC, structure) at `offsetBytes`. */
  corruptFile: (file: string, offsetBytes: number, why: string) =>
    new MilvusError(5, `storage file ${file} is corrupt at byte offset ${offsetBytes}: ${why}`),
  unsupportedVersion: (file: string, version: number, supported: number) =>
    new MilvusError(5, `storage file ${file} has format version ${version}; this build reads version ${supported}`),
  walClosed: (dir: string) => new MilvusError(5, `write-ahead log in ${dir} is closed`),
  /** Appends after a failed write or fsync: nothing more is accepted until the WAL is reopened. */
  walPoisoned: (dir: string, cause: unknown) => {
    const text = cause instanceof Error ? cause.message : String(cause);
    const e = new MilvusError(5, `write-ahead log in ${dir} failed earlier and must be reopened: ${text}`);
    e.cause = cause;
    return e;
  },
  walRecordTooLarge: (bytes: number, maxBytes: number) =>
    errors.parameterTooLarge('wal record', { bytes, maxBytes }),
  dataDirInUse: (dir: string, pid: number) =>
    new MilvusError(5, `data directory ${dir} is in use by process ${pid}`),
  /** A blob published before its file was written: a bug in the caller. */
  blobMissing: (key: string, path: string) => new MilvusError(5, `blob ${key} was published but ${path} does not exist`),
} as const;
