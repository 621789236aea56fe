/**
 * The local Log: the write-ahead log of storage/wal.ts (same files, same format, same group commit
 * and recovery). `readFrom` serves the records recovered at open from memory once (replay at open),
 * and anything else (a later reader, records appended since) by reading the WAL files again.
 */
import { posix } from 'node:path';
import type { FileSystem } from '../fs/types.js';
import { isFsError } from '../fs/types.js';
import type { Log, LogMetrics, LogRecord } from '../ports.js';
import { Wal, parseWalFileName, type TailReport, type WalOptions, type WalRecord } from '../wal.js';
import { scanWalRecords } from '../wal-format.js';

export class LocalLog implements Log, LogMetrics {
  /** The WAL drops a record's bytes once written and fsync'd (or failed), before the append settles. */
  readonly releasesPayload = true;

  /** Records found at open, served once from memory by the first `readFrom`, then dropped. */
  private recovered: WalRecord[] | null;

  private constructor(
    private readonly fs: FileSystem,
    readonly wal: Wal,
    recovered: WalRecord[],
    /** The torn tail recovery cut off at open, or null. */
    readonly tail: TailReport | null,
  ) {
    this.recovered = recovered;
  }

  static async open(fs: FileSystem, dir: string, opts: WalOptions = {}): Promise<LocalLog> {
    const { wal, records, tail } = await Wal.open(fs, dir, opts);
    return new LocalLog(fs, wal, records, tail);
  }

  get nextLsn(): bigint {
    return this.wal.nextLsn;
  }

  get failure(): unknown {
    return this.wal.failure;
  }

  get metrics(): LogMetrics {
    return this;
  }

  get retainedFiles(): number {
    return this.wal.fileNames.length;
  }

  get syncListeners(): Set<(seconds: number, records: number) => void> {
    return this.wal.fsyncListeners;
  }

  append(type: number, payload: Uint8Array): Promise<bigint> {
    return this.wal.append(type, payload);
  }

  async *readFrom(from: bigint): AsyncIterable<LogRecord> {
    let next = from;
    const recovered = this.recovered;
    this.recovered = null;
    if (recovered !== null) {
      for (const r of recovered) {
        if (r.lsn >= next) yield r;
      }
      const last = recovered[recovered.length - 1];
      if (last !== undefined && last.lsn + 1n > next) next = last.lsn + 1n;
    }
    const end = this.wal.durableLsn;
    if (next >= end) return;
    yield* this.readFiles(next, end);
  }

  /** Durable records in [from, end) read back from the WAL files. */
  private async *readFiles(from: bigint, end: bigint): AsyncIterable<LogRecord> {
    const names = this.wal.fileNames;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const firstLsn = parseWalFileName(name)!;
      const following = names[i + 1];
      if (following !== undefined && parseWalFileName(following)! <= from) continue;
      if (firstLsn >= end) return;
      let bytes: Uint8Array;
      try {
        bytes = await this.fs.readFile(posix.join(this.wal.directory, name));
      } catch (e) {
        if (isFsError(e, 'ENOENT')) continue; // truncated below meanwhile: those records are not needed
        throw e;
      }
      for (const r of scanWalRecords(bytes, firstLsn).records) {
        if (r.lsn >= end) return;
        if (r.lsn >= from) yield r;
      }
    }
  }

  truncateBelow(lsn: bigint): Promise<void> {
    return this.wal.dropBefore(lsn);
  }

  close(): Promise<void> {
    return this.wal.close();
  }
}
