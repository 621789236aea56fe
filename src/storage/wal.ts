/**
 * Write-ahead log: numbered records appended to a directory of files, acknowledged only once on
 * stable storage, recovered in order on open.
 *
 * Format version 1 (all integers little-endian):
 *
 *   file name   wal-<first LSN of the file, 20 decimal digits>.log
 *   file header (32 bytes)
 *     0  u8[8]  magic "SXWAL\0\0\0"
 *     8  u32    format version (1)
 *    12  u32    reserved (0)
 *    16  u64    first LSN (equals the file name's)
 *    24  u32    reserved (0)
 *    28  u32    CRC-32C of bytes 0..27
 *   records, back to back from byte 32 to the end of the file:
 *     0  u32    payload length N
 *     4  u8     record type (chosen by the engine)
 *     5  u64    LSN
 *    13  u8[N]  payload
 *  13+N  u32    CRC-32C of bytes 0..12+N of the record
 *
 * LSNs start at 1 and increase by exactly 1 per record, across files. A new file starts at the
 * next LSN to be written, so file i holds LSNs [first(i), first(i+1)).
 *
 * Recovery: an invalid record (incomplete, bad CRC) in the last file with no valid record after
 * it is a torn tail: the file is truncated to the last good record and synced. Any other damage
 * (bad record in an earlier file, a valid record after the bad one, a wrong LSN, a gap between
 * files) refuses to open with an error naming the file and byte offset.
 *
 * Durability: `append` resolves only after its record was written and fsync'd. Appends that
 * arrive while a write+fsync is in flight are written together by the next write+fsync (group
 * commit; a batch is capped at one file's worth of bytes). A file grows past `maxFileBytes` only
 * to hold a single record larger than that. A failed write or fsync rejects every waiting append and poisons the WAL until reopen;
 * a rejected append's record may or may not be present after reopening. One exception: a write that
 * fails for lack of space (ENOSPC, EDQUOT, EFBIG) is cut back (truncate + fsync to the last good
 * record), every waiting append is rejected with that error and their LSNs are handed out again;
 * the WAL stays usable and those records never appear. If the cut itself fails, the WAL is poisoned.
 */
import { posix } from 'node:path';
import { errors } from '../core/errors.js';
import { limits } from '../core/limits.js';
import type { FileHandle, FileSystem } from './fs/types.js';
import { isFsError } from './fs/types.js';
import { ensureDir } from './fs/durable.js';
import { storageErrors } from './errors.js';
import {
  WAL_FILE_HEADER_BYTES, checkWalFileHeader, encodeWalFileHeader, findValidRecordAfter, frameWalRecord,
  parseWalFileName, scanWalRecords, walFileName, walRecordBytes,
} from './wal-format.js';
import { crc32cFast } from '../index/wasm/crc.js';
import type { WalRecord } from './wal-format.js';

export type { WalRecord } from './wal-format.js';
export { walFileName, parseWalFileName } from './wal-format.js';

/** A torn or corrupt tail that recovery cut off. */
export interface TailReport {
  file: string;
  offset: number;
  droppedBytes: number;
  reason: string;
}

export interface WalOptions {
  /** Start a new file before a write would grow the current one past this (default 64 MiB). */
  maxFileBytes?: number;
  /** Records queued for group commit before appenders wait (default limits.walQueueMaxRecords). */
  queueMaxRecords?: number;
}

export interface WalOpenResult {
  wal: Wal;
  records: WalRecord[];
  tail: TailReport | null;
}

const DEFAULT_MAX_FILE_BYTES = limits.walMaxFileBytes;
/** The largest gather buffer kept between group commits. */
const GATHER_KEEP_BYTES = 32 * 1024 * 1024;

interface Pending {
  lsn: bigint;
  bytes: Uint8Array;
  resolve: (lsn: bigint) => void;
  reject: (e: unknown) => void;
}

interface WalFile {
  name: string;
  firstLsn: bigint;
}

interface ActiveFile {
  handle: FileHandle;
  sizeBytes: number;
  records: number;
}

export class Wal {
  /** Called after every group-commit fsync with its duration and the records it made durable (metrics). */
  readonly fsyncListeners = new Set<(seconds: number, records: number) => void>();

  private queue: Pending[] = [];
  /** The buffer group commits gather their records in (see gatherBuffer). */
  private gather: Uint8Array | null = null;
  private roomWaiters: (() => void)[] = [];
  private chain: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private poisoned: { error: unknown } | null = null;
  private closed = false;
  /** Next LSN to hand out (queued records included). */
  private assignLsn: bigint;
  /** LSN of the first record not yet written to a file. */
  private writeLsn: bigint;

  private constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    private readonly files: WalFile[],
    private active: ActiveFile,
    nextLsn: bigint,
    private readonly maxFileBytes: number,
    private readonly queueMaxRecords: number,
  ) {
    this.assignLsn = nextLsn;
    this.writeLsn = nextLsn;
  }

  static async open(fs: FileSystem, dir: string, opts: WalOptions = {}): Promise<WalOpenResult> {
    await ensureDir(fs, dir);
    const r = await recover(fs, dir);
    const wal = new Wal(
      fs, dir, r.files, r.active, r.nextLsn,
      opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
      opts.queueMaxRecords ?? limits.walQueueMaxRecords,
    );
    return { wal, records: r.records, tail: r.tail };
  }

  /** The LSN the next append will get. */
  get nextLsn(): bigint {
    return this.assignLsn;
  }

  /** The error that poisoned the WAL (nothing is accepted until reopen), or null. */
  get failure(): unknown {
    return this.poisoned === null ? null : this.poisoned.error;
  }

  /** LSN of the first record not yet written and fsync'd: every record below it is durable. */
  get durableLsn(): bigint {
    return this.writeLsn;
  }

  /** The directory holding the WAL files. */
  get directory(): string {
    return this.dir;
  }

  /** WAL file names, oldest first. */
  get fileNames(): string[] {
    return this.files.map((f) => f.name);
  }

  /** Appends one record; resolves with its LSN once it is written and fsync'd. */
  async append(type: number, payload: Uint8Array): Promise<bigint> {
    if (!Number.isInteger(type) || type < 0 || type > 255) {
      throw errors.invalidParameter('wal record type', { expected: 'integer in [0, 255]', actual: type });
    }
    const sizeBytes = walRecordBytes(payload.length);
    if (sizeBytes > limits.walMaxRecordBytes) throw storageErrors.walRecordTooLarge(sizeBytes, limits.walMaxRecordBytes);
    this.checkWritable();
    while (this.queue.length >= this.queueMaxRecords) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      this.checkWritable();
    }
    const lsn = this.assignLsn;
    this.assignLsn += 1n;
    const bytes = frameWalRecord(lsn, type, payload, crc32cFast);
    return new Promise<bigint>((resolve, reject) => {
      this.queue.push({ lsn, bytes, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Starts a new file (a no-op when the current file holds no records). */
  rotate(): Promise<void> {
    return this.exclusive(async () => {
      this.checkWritable();
      try {
        await this.rotateNow();
      } catch (e) {
        this.poison(e);
        throw e;
      }
    });
  }

  /** Deletes whole files all of whose records have LSN < `lsn`; never the current file. */
  dropBefore(lsn: bigint): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed) throw storageErrors.walClosed(this.dir);
      let drop = 0;
      while (drop + 1 < this.files.length && (this.files[drop + 1] as WalFile).firstLsn <= lsn) drop++;
      if (drop === 0) return;
      // Oldest first, each made durable before the next, so a crash never leaves a gap.
      for (let i = 0; i < drop; i++) {
        await this.fs.unlink(posix.join(this.dir, (this.files[0] as WalFile).name));
        await this.fs.fsyncDir(this.dir);
        this.files.shift();
      }
    });
  }

  /** Waits for queued appends to finish, then closes the current file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeRoomWaiters();
    await this.exclusive(() => this.active.handle.close());
  }

  // ---- internals ----

  private checkWritable(): void {
    if (this.closed) throw storageErrors.walClosed(this.dir);
    if (this.poisoned !== null) throw storageErrors.walPoisoned(this.dir, this.poisoned.error);
  }

  /** Runs file operations one at a time, in call order. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.then(() => undefined, () => undefined);
    return run;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    void this.exclusive(() => this.flushLoop());
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0 && this.poisoned === null) {
        const batch = this.takeBatch();
        this.wakeRoomWaiters();
        let noSpace: unknown = null;
        try {
          noSpace = await this.writeBatch(batch);
        } catch (e) {
          for (const p of batch) p.reject(e);
          this.poison(e);
          return;
        }
        if (noSpace !== null) {
          // Nothing of the batch is left in the file: reject it and everything queued behind it, and
          // hand their LSNs out again.
          for (const p of batch) p.reject(noSpace);
          for (const p of this.queue.splice(0, this.queue.length)) p.reject(noSpace);
          this.assignLsn = this.writeLsn;
          this.wakeRoomWaiters();
          return;
        }
        for (const p of batch) p.resolve(p.lsn);
      }
    } finally {
      this.flushScheduled = false;
    }
  }

  /** The queued records that fit in one file (at least one), oldest first. */
  private takeBatch(): Pending[] {
    let count = 0;
    let bytes = 0;
    for (const p of this.queue) {
      if (count > 0 && bytes + p.bytes.length > this.maxFileBytes - WAL_FILE_HEADER_BYTES) break;
      bytes += p.bytes.length;
      count++;
    }
    return this.queue.splice(0, count);
  }

  /**
   * One write and one fsync for the whole batch. A write refused for lack of space is cut back to
   * the last good record and returned (nothing of the batch remains); any other failure throws.
   */
  private async writeBatch(batch: Pending[]): Promise<unknown> {
    let total = 0;
    for (const p of batch) total += p.bytes.length;
    if (this.active.records > 0 && this.active.sizeBytes + total > this.maxFileBytes) await this.rotateNow();
    // One write per fsync: a lone record is written from its own bytes, several are gathered.
    const buf = batch.length === 1 ? (batch[0] as Pending).bytes : this.gatherBuffer(total);
    if (batch.length > 1) {
      let at = 0;
      for (const p of batch) {
        buf.set(p.bytes, at);
        at += p.bytes.length;
      }
    }
    try {
      await this.active.handle.write(buf, this.active.sizeBytes);
    } catch (e) {
      if (!isNoSpaceWrite(e)) throw e;
      await this.active.handle.truncate(this.active.sizeBytes);
      await this.active.handle.sync();
      return e;
    }
    const syncStart = performance.now();
    await this.active.handle.sync();
    const syncSeconds = (performance.now() - syncStart) / 1000;
    for (const listener of this.fsyncListeners) listener(syncSeconds, batch.length);
    this.active.sizeBytes += total;
    this.active.records += batch.length;
    this.writeLsn += BigInt(batch.length);
    return null;
  }

  /**
   * Room for a group commit's records: a kept buffer (batches are written one at a time), since a
   * fresh multi-megabyte buffer per group costs more in page faults than gathering into it.
   */
  private gatherBuffer(bytes: number): Uint8Array {
    if (this.gather !== null && this.gather.length >= bytes) return this.gather.subarray(0, bytes);
    const buf = new Uint8Array(bytes);
    if (bytes <= GATHER_KEEP_BYTES) this.gather = buf;
    return buf;
  }

  private async rotateNow(): Promise<void> {
    if (this.active.records === 0) return;
    const name = walFileName(this.writeLsn);
    const handle = await createWalFile(this.fs, this.dir, name, this.writeLsn);
    const old = this.active.handle;
    this.active = { handle, sizeBytes: WAL_FILE_HEADER_BYTES, records: 0 };
    this.files.push({ name, firstLsn: this.writeLsn });
    await old.close();
  }

  private poison(e: unknown): void {
    if (this.poisoned === null) this.poisoned = { error: e };
    const waiting = this.queue.splice(0, this.queue.length);
    for (const p of waiting) p.reject(e);
    this.wakeRoomWaiters();
  }

  private wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }
}

/** A write that found no space: ENOSPC, EDQUOT, or EFBIG (a file-size limit). */
function isNoSpaceWrite(e: unknown): boolean {
  return isFsError(e) && (e.code === 'ENOSPC' || e.code === 'EDQUOT' || e.code === 'EFBIG');
}

/** Creates a WAL file with its header, durable (file synced, directory synced). */
async function createWalFile(fs: FileSystem, dir: string, name: string, firstLsn: bigint): Promise<FileHandle> {
  const handle = await fs.open(posix.join(dir, name), 'wx');
  try {
    await handle.write(encodeWalFileHeader(firstLsn), 0);
    await handle.sync();
    await fs.fsyncDir(dir);
    return handle;
  } catch (e) {
    await handle.close().catch(() => undefined);
    throw e;
  }
}

interface Recovered {
  files: WalFile[];
  active: ActiveFile;
  nextLsn: bigint;
  records: WalRecord[];
  tail: TailReport | null;
}

async function recover(fs: FileSystem, dir: string): Promise<Recovered> {
  const files: WalFile[] = [];
  for (const name of await fs.readdir(dir)) {
    const firstLsn = parseWalFileName(name);
    if (firstLsn !== null) files.push({ name, firstLsn });
  }
  files.sort((a, b) => (a.firstLsn < b.firstLsn ? -1 : a.firstLsn > b.firstLsn ? 1 : 0));
  if (files.length === 0) {
    const name = walFileName(1n);
    const handle = await createWalFile(fs, dir, name, 1n);
    return { files: [{ name, firstLsn: 1n }], active: { handle, sizeBytes: WAL_FILE_HEADER_BYTES, records: 0 }, nextLsn: 1n, records: [], tail: null };
  }
  const records: WalRecord[] = [];
  let expected: bigint | null = null;
  for (let i = 0; i < files.length - 1; i++) {
    const f = files[i] as WalFile;
    expected = await readClosedFile(fs, dir, f, expected, records);
  }
  const last = files[files.length - 1] as WalFile;
  const r = await recoverLastFile(fs, dir, last, expected, records);
  return { files, active: r.active, nextLsn: r.nextLsn, records, tail: r.tail };
}

function checkFollows(path: string, f: WalFile, expected: bigint | null): void {
  if (expected !== null && f.firstLsn !== expected) {
    throw storageErrors.corruptFile(path, 0, `file starts at lsn ${f.firstLsn} but the previous file ends before lsn ${expected}`);
  }
}

/** A non-last file must be entirely valid. Returns the LSN after its last record. */
async function readClosedFile(fs: FileSystem, dir: string, f: WalFile, expected: bigint | null, out: WalRecord[]): Promise<bigint> {
  const path = posix.join(dir, f.name);
  checkFollows(path, f, expected);
  const bytes = await fs.readFile(path);
  const header = checkWalFileHeader(bytes);
  if (!header.ok) throw storageErrors.corruptFile(path, 0, header.reason);
  if (header.firstLsn !== f.firstLsn) throw storageErrors.corruptFile(path, 16, `header lsn ${header.firstLsn} differs from the file name`);
  const scan = scanWalRecords(bytes, f.firstLsn);
  if (scan.bad !== null) throw storageErrors.corruptFile(path, scan.bad.offset, scan.bad.reason);
  for (const r of scan.records) out.push(r);
  return scan.nextLsn;
}

/** The last file may end in a torn tail, which is cut off; other damage refuses to open. */
async function recoverLastFile(
  fs: FileSystem, dir: string, f: WalFile, expected: bigint | null, out: WalRecord[],
): Promise<{ active: ActiveFile; nextLsn: bigint; tail: TailReport | null }> {
  const path = posix.join(dir, f.name);
  checkFollows(path, f, expected);
  const bytes = await fs.readFile(path);
  const header = checkWalFileHeader(bytes);
  if (!header.ok && bytes.length >= WAL_FILE_HEADER_BYTES) throw storageErrors.corruptFile(path, 0, header.reason);
  if (header.ok && header.firstLsn !== f.firstLsn) throw storageErrors.corruptFile(path, 16, `header lsn ${header.firstLsn} differs from the file name`);
  const handle = await fs.open(path, 'r+');
  try {
    if (!header.ok) {
      // Torn while the file was being created: nothing but (part of) a header was ever written.
      await handle.truncate(0);
      await handle.write(encodeWalFileHeader(f.firstLsn), 0);
      await handle.sync();
      const tail = { file: path, offset: 0, droppedBytes: bytes.length, reason: header.reason };
      return { active: { handle, sizeBytes: WAL_FILE_HEADER_BYTES, records: 0 }, nextLsn: f.firstLsn, tail };
    }
    const scan = scanWalRecords(bytes, f.firstLsn);
    for (const r of scan.records) out.push(r);
    const active = { handle, sizeBytes: scan.goodEndBytes, records: scan.records.length };
    if (scan.bad === null) return { active, nextLsn: scan.nextLsn, tail: null };
    const later = scan.bad.fatal ? scan.bad.offset : findValidRecordAfter(bytes, scan.bad.offset + 1, scan.nextLsn);
    if (later !== null) {
      const why = scan.bad.fatal ? scan.bad.reason : `${scan.bad.reason}, followed by a valid record at byte offset ${later}`;
      throw storageErrors.corruptFile(path, scan.bad.offset, why);
    }
    await handle.truncate(scan.goodEndBytes);
    await handle.sync();
    const tail = { file: path, offset: scan.goodEndBytes, droppedBytes: bytes.length - scan.goodEndBytes, reason: scan.bad.reason };
    return { active, nextLsn: scan.nextLsn, tail };
  } catch (e) {
    await handle.close().catch(() => undefined);
    throw e;
  }
}
