/**
 * A FileSystem wrapper with programmable faults, for tests: torn writes, dropped or failing
 * fsyncs, a full disk, read errors. It also counts operations (`stats`) and calls `onOp` before
 * each one, so a test can crash the MemoryFileSystem underneath at any chosen step.
 */
import type { FileHandle, FileStat, FileSystem, OpenFlags } from './types.js';
import { fsError } from './types.js';

export type PathMatch = string | RegExp;
export type SyncTarget = 'file' | 'dir' | 'any';

export interface FaultStats {
  ops: number;
  writes: number;
  bytesWritten: number;
  /** fsyncs of files that reached the disk underneath. */
  syncs: number;
  dirSyncs: number;
  droppedSyncs: number;
  reads: number;
}

interface Armed {
  path: PathMatch | undefined;
  /** Remaining triggers; Infinity = until heal(). */
  times: number;
}
interface TornWrite extends Armed { keepBytes: number; code: string }
interface SyncFault extends Armed { target: SyncTarget; code: string | null /* null = drop silently */ }
interface ReadFault extends Armed { code: string }

function matches(m: PathMatch | undefined, path: string): boolean {
  if (m === undefined) return true;
  return typeof m === 'string' ? path.includes(m) : m.test(path);
}

/** Finds the first armed fault matching `path`, consuming one trigger. */
function take<T extends Armed>(list: T[], path: string, extra: (f: T) => boolean = () => true): T | undefined {
  const i = list.findIndex((f) => f.times > 0 && matches(f.path, path) && extra(f));
  if (i < 0) return undefined;
  const f = list[i] as T;
  f.times -= 1;
  if (f.times <= 0) list.splice(i, 1);
  return f;
}

class FaultyFileHandle implements FileHandle {
  constructor(
    private readonly owner: FaultyFileSystem,
    private readonly inner: FileHandle,
    private readonly path: string,
  ) {}

  async write(data: Uint8Array, position?: number): Promise<void> {
    const o = this.owner;
    o.before('write', this.path);
    const torn = take(o.tornWrites, this.path);
    if (torn !== undefined) {
      await this.inner.write(data.subarray(0, Math.min(torn.keepBytes, data.length)), position);
      throw fsError(torn.code, 'write', this.path);
    }
    if (o.spaceLeftBytes !== null && data.length > o.spaceLeftBytes) {
      const fits = o.spaceLeftBytes;
      o.spaceLeftBytes = 0;
      if (fits > 0) await this.inner.write(data.subarray(0, fits), position);
      throw fsError('ENOSPC', 'write', this.path);
    }
    if (o.spaceLeftBytes !== null) o.spaceLeftBytes -= data.length;
    await this.inner.write(data, position);
    o.stats.writes += 1;
    o.stats.bytesWritten += data.length;
  }

  async read(into: Uint8Array, position: number): Promise<number> {
    this.owner.beforeRead(this.path);
    return this.inner.read(into, position);
  }

  async sync(): Promise<void> {
    if (this.owner.beforeSync('file', this.path)) await this.inner.sync();
  }

  async truncate(lengthBytes: number): Promise<void> {
    this.owner.before('truncate', this.path);
    return this.inner.truncate(lengthBytes);
  }

  async size(): Promise<number> {
    this.owner.before('size', this.path);
    return this.inner.size();
  }

  async close(): Promise<void> {
    this.owner.before('close', this.path);
    return this.inner.close();
  }
}

export class FaultyFileSystem implements FileSystem {
  readonly stats: FaultStats = { ops: 0, writes: 0, bytesWritten: 0, syncs: 0, dirSyncs: 0, droppedSyncs: 0, reads: 0 };
  /** Called before every operation; may throw (the operation then fails with that error). */
  onOp: ((op: string, path: string) => void) | null = null;

  /** @internal */ tornWrites: TornWrite[] = [];
  /** @internal */ syncFaults: SyncFault[] = [];
  /** @internal */ readFaults: ReadFault[] = [];
  /** @internal Bytes that may still be written before ENOSPC; null = unlimited. */
  spaceLeftBytes: number | null = null;

  constructor(readonly inner: FileSystem) {}

  // ---- programming faults ----

  /** The next matching write lands only its first `keepBytes` bytes, then fails (EIO by default). */
  tearNextWrite(keepBytes: number, opts: { path?: PathMatch; code?: string } = {}): void {
    this.tornWrites.push({ keepBytes, code: opts.code ?? 'EIO', path: opts.path, times: 1 });
  }

  /** Matching syncs resolve without making anything durable (default: every sync until heal()). */
  dropSyncs(opts: { path?: PathMatch; times?: number; target?: SyncTarget } = {}): void {
    this.syncFaults.push({ code: null, target: opts.target ?? 'any', path: opts.path, times: opts.times ?? Infinity });
  }

  /** Matching syncs fail with `code` (EIO by default); once unless `times` says otherwise. */
  failSyncs(opts: { path?: PathMatch; times?: number; target?: SyncTarget; code?: string } = {}): void {
    this.syncFaults.push({ code: opts.code ?? 'EIO', target: opts.target ?? 'any', path: opts.path, times: opts.times ?? 1 });
  }

  /** After `bytes` more bytes are written, writes fail with ENOSPC (the fitting prefix lands). */
  noSpaceAfter(bytes: number): void {
    this.spaceLeftBytes = bytes;
  }

  /** Matching reads (handle reads and readFile) fail with `code` (EIO by default); once by default. */
  failReads(opts: { path?: PathMatch; times?: number; code?: string } = {}): void {
    this.readFaults.push({ code: opts.code ?? 'EIO', path: opts.path, times: opts.times ?? 1 });
  }

  /** Removes every programmed fault (stats are kept). */
  heal(): void {
    this.tornWrites = [];
    this.syncFaults = [];
    this.readFaults = [];
    this.spaceLeftBytes = null;
  }

  // ---- hooks used by handles ----

  /** @internal */
  before(op: string, path: string): void {
    this.stats.ops += 1;
    if (this.onOp !== null) this.onOp(op, path);
  }

  /** @internal */
  beforeRead(path: string): void {
    this.before('read', path);
    this.stats.reads += 1;
    const f = take(this.readFaults, path);
    if (f !== undefined) throw fsError(f.code, 'read', path);
  }

  /** @internal Returns whether the sync should really happen. */
  beforeSync(target: 'file' | 'dir', path: string): boolean {
    this.before(target === 'file' ? 'sync' : 'fsyncDir', path);
    const f = take(this.syncFaults, path, (x) => x.target === 'any' || x.target === target);
    if (f !== undefined && f.code !== null) throw fsError(f.code, 'fsync', path);
    if (f !== undefined) {
      this.stats.droppedSyncs += 1;
      return false;
    }
    if (target === 'file') this.stats.syncs += 1;
    else this.stats.dirSyncs += 1;
    return true;
  }

  // ---- FileSystem ----

  async open(path: string, flags: OpenFlags): Promise<FileHandle> {
    this.before('open', path);
    return new FaultyFileHandle(this, await this.inner.open(path, flags), path);
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.beforeRead(path);
    return this.inner.readFile(path);
  }

  async rename(from: string, to: string): Promise<void> {
    this.before('rename', from);
    return this.inner.rename(from, to);
  }

  async unlink(path: string): Promise<void> {
    this.before('unlink', path);
    return this.inner.unlink(path);
  }

  async readdir(dir: string): Promise<string[]> {
    this.before('readdir', dir);
    return this.inner.readdir(dir);
  }

  async mkdir(dir: string, opts?: { recursive?: boolean }): Promise<void> {
    this.before('mkdir', dir);
    return this.inner.mkdir(dir, opts);
  }

  async exists(path: string): Promise<boolean> {
    this.before('exists', path);
    return this.inner.exists(path);
  }

  async fsyncDir(dir: string): Promise<void> {
    if (this.beforeSync('dir', dir)) await this.inner.fsyncDir(dir);
  }

  async stat(path: string): Promise<FileStat> {
    this.before('stat', path);
    return this.inner.stat(path);
  }

  async rm(path: string, opts?: { recursive?: boolean; force?: boolean }): Promise<void> {
    this.before('rm', path);
    return this.inner.rm(path, opts);
  }
}
