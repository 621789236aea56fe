/**
 * An in-memory disk that models durability, for crash tests against the real storage code.
 *
 * Every file keeps two images: what readers see now, and what survives a power cut (updated only
 * by `sync()` on a handle of that file). Every directory keeps two entry tables: the live one and
 * the durable one (updated only by `fsyncDir()` of that directory). `crash()` freezes this instance
 * (every later call, including on open handles, fails with EIO) and returns a new MemoryFileSystem
 * holding only what was durable. Directories created by `mkdir` are entries of their parent like
 * files, so they too need an `fsyncDir` of the parent to survive.
 */
import { posix } from 'node:path';
import type { FileHandle, FileStat, FileSystem, OpenFlags } from './types.js';
import { fsError } from './types.js';

interface FileNode {
  kind: 'file';
  /** Live contents: the first `length` bytes of `data` (capacity may be larger). */
  data: Uint8Array;
  length: number;
  durable: Uint8Array;
}
interface DirNode {
  kind: 'dir';
  entries: Map<string, Node>;
  durableEntries: Map<string, Node>;
}
type Node = FileNode | DirNode;

export interface CrashOptions {
  /**
   * When set, a file whose live contents extend its durable contents (appends not yet synced)
   * keeps a prefix of the unsynced bytes: `keepFraction()` in [0, 1] of them, modelling a disk
   * that wrote part of the data before power was lost. By default all unsynced bytes are lost.
   */
  keepFraction?: () => number;
}

function newDir(): DirNode {
  return { kind: 'dir', entries: new Map(), durableEntries: new Map() };
}

function liveBytes(f: FileNode): Uint8Array {
  return f.data.subarray(0, f.length);
}

function ensureCapacity(f: FileNode, needBytes: number): void {
  if (needBytes <= f.data.length) return;
  const grown = new Uint8Array(Math.max(needBytes, f.data.length * 2, 64));
  grown.set(liveBytes(f));
  f.data = grown;
}

function setLength(f: FileNode, lengthBytes: number): void {
  ensureCapacity(f, lengthBytes);
  if (lengthBytes > f.length) f.data.fill(0, f.length, lengthBytes);
  f.length = lengthBytes;
}

function splitPath(path: string): string[] {
  return posix.resolve('/', path).split('/').filter((s) => s.length > 0);
}

class MemoryFileHandle implements FileHandle {
  private positionBytes = 0;
  private closed = false;

  constructor(
    private readonly owner: MemoryFileSystem,
    private readonly node: FileNode,
    private readonly flags: OpenFlags,
    private readonly path: string,
  ) {}

  private check(syscall: string): void {
    this.owner.checkAlive(syscall, this.path);
    if (this.closed) throw fsError('EBADF', syscall);
  }

  async write(data: Uint8Array, position?: number): Promise<void> {
    this.check('write');
    if (this.flags === 'r') throw fsError('EBADF', 'write');
    const f = this.node;
    const at = this.flags === 'a' ? f.length : position ?? this.positionBytes;
    const end = at + data.length;
    if (end > f.length) setLength(f, end);
    f.data.set(data, at);
    if (position === undefined || this.flags === 'a') this.positionBytes = end;
  }

  async read(into: Uint8Array, position: number): Promise<number> {
    this.check('read');
    if (this.flags === 'w' || this.flags === 'wx' || this.flags === 'a') throw fsError('EBADF', 'read');
    const f = this.node;
    const n = Math.max(0, Math.min(into.length, f.length - position));
    into.set(f.data.subarray(position, position + n));
    return n;
  }

  async sync(): Promise<void> {
    this.check('fsync');
    this.node.durable = liveBytes(this.node).slice();
  }

  async truncate(lengthBytes: number): Promise<void> {
    this.check('ftruncate');
    if (this.flags === 'r') throw fsError('EINVAL', 'ftruncate');
    setLength(this.node, lengthBytes);
  }

  async size(): Promise<number> {
    this.check('fstat');
    return this.node.length;
  }

  async close(): Promise<void> {
    this.check('close');
    this.closed = true;
  }
}

export class MemoryFileSystem implements FileSystem {
  private crashed = false;
  private root: DirNode = newDir();

  private static withRoot(root: DirNode): MemoryFileSystem {
    const fs = new MemoryFileSystem();
    fs.root = root;
    return fs;
  }

  /** @internal Throws EIO once this instance has crashed. */
  checkAlive(syscall: string, path?: string): void {
    if (this.crashed) throw fsError('EIO', syscall, path);
  }

  // ---- lookup ----

  private lookup(path: string, syscall: string): Node | undefined {
    let node: Node = this.root;
    for (const name of splitPath(path)) {
      if (node.kind !== 'dir') throw fsError('ENOTDIR', syscall, path);
      const next = node.entries.get(name);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  private parentOf(path: string, syscall: string): { dir: DirNode; name: string } {
    const parts = splitPath(path);
    const name = parts.pop();
    if (name === undefined) throw fsError('EISDIR', syscall, path);
    const dir = this.lookup('/' + parts.join('/'), syscall);
    if (dir === undefined) throw fsError('ENOENT', syscall, path);
    if (dir.kind !== 'dir') throw fsError('ENOTDIR', syscall, path);
    return { dir, name };
  }

  private file(path: string, syscall: string): FileNode {
    const n = this.lookup(path, syscall);
    if (n === undefined) throw fsError('ENOENT', syscall, path);
    if (n.kind !== 'file') throw fsError('EISDIR', syscall, path);
    return n;
  }

  private dir(path: string, syscall: string): DirNode {
    const n = this.lookup(path, syscall);
    if (n === undefined) throw fsError('ENOENT', syscall, path);
    if (n.kind !== 'dir') throw fsError('ENOTDIR', syscall, path);
    return n;
  }

  // ---- FileSystem ----

  async open(path: string, flags: OpenFlags): Promise<FileHandle> {
    this.checkAlive('open', path);
    const { dir, name } = this.parentOf(path, 'open');
    let node = dir.entries.get(name);
    if (node !== undefined && node.kind === 'dir') throw fsError('EISDIR', 'open', path);
    if (node !== undefined && flags === 'wx') throw fsError('EEXIST', 'open', path);
    if (node === undefined) {
      if (flags === 'r' || flags === 'r+') throw fsError('ENOENT', 'open', path);
      node = { kind: 'file', data: new Uint8Array(0), length: 0, durable: new Uint8Array(0) };
      dir.entries.set(name, node);
    } else if (flags === 'w') {
      node.length = 0;
    }
    return new MemoryFileHandle(this, node, flags, path);
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.checkAlive('read', path);
    return liveBytes(this.file(path, 'open')).slice();
  }

  async rename(from: string, to: string): Promise<void> {
    this.checkAlive('rename', from);
    const src = this.parentOf(from, 'rename');
    const node = src.dir.entries.get(src.name);
    if (node === undefined) throw fsError('ENOENT', 'rename', from);
    const dst = this.parentOf(to, 'rename');
    const existing = dst.dir.entries.get(dst.name);
    if (existing === node) return;
    if (node.kind === 'dir' && (posix.resolve('/', to) + '/').startsWith(posix.resolve('/', from) + '/')) {
      throw fsError('EINVAL', 'rename', from);
    }
    if (existing !== undefined && existing.kind === 'dir') {
      if (node.kind !== 'dir') throw fsError('EISDIR', 'rename', to);
      if (existing.entries.size > 0) throw fsError('ENOTEMPTY', 'rename', to);
    }
    if (existing !== undefined && existing.kind === 'file' && node.kind === 'dir') throw fsError('ENOTDIR', 'rename', to);
    src.dir.entries.delete(src.name);
    dst.dir.entries.set(dst.name, node);
  }

  async unlink(path: string): Promise<void> {
    this.checkAlive('unlink', path);
    const { dir, name } = this.parentOf(path, 'unlink');
    const node = dir.entries.get(name);
    if (node === undefined) throw fsError('ENOENT', 'unlink', path);
    if (node.kind === 'dir') throw fsError('EISDIR', 'unlink', path);
    dir.entries.delete(name);
  }

  async readdir(path: string): Promise<string[]> {
    this.checkAlive('scandir', path);
    return [...this.dir(path, 'scandir').entries.keys()].sort();
  }

  async mkdir(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    this.checkAlive('mkdir', path);
    if (opts.recursive === true) {
      let node: DirNode = this.root;
      for (const name of splitPath(path)) {
        let next = node.entries.get(name);
        if (next === undefined) {
          next = newDir();
          node.entries.set(name, next);
        }
        if (next.kind !== 'dir') throw fsError('EEXIST', 'mkdir', path);
        node = next;
      }
      return;
    }
    const { dir, name } = this.parentOf(path, 'mkdir');
    if (dir.entries.has(name)) throw fsError('EEXIST', 'mkdir', path);
    dir.entries.set(name, newDir());
  }

  async exists(path: string): Promise<boolean> {
    this.checkAlive('stat', path);
    try {
      return this.lookup(path, 'stat') !== undefined;
    } catch {
      return false;
    }
  }

  async fsyncDir(path: string): Promise<void> {
    this.checkAlive('fsync', path);
    const d = this.dir(path, 'open');
    d.durableEntries = new Map(d.entries);
  }

  async stat(path: string): Promise<FileStat> {
    this.checkAlive('stat', path);
    const n = this.lookup(path, 'stat');
    if (n === undefined) throw fsError('ENOENT', 'stat', path);
    return n.kind === 'file' ? { size: n.length, isDirectory: false } : { size: 0, isDirectory: true };
  }

  async rm(path: string, opts: { recursive?: boolean; force?: boolean } = {}): Promise<void> {
    this.checkAlive('rm', path);
    const parent = this.lookup(posix.dirname(posix.resolve('/', path)), 'rm');
    if (parent === undefined && opts.force === true) return;
    const { dir, name } = this.parentOf(path, 'rm');
    const node = dir.entries.get(name);
    if (node === undefined) {
      if (opts.force === true) return;
      throw fsError('ENOENT', 'rm', path);
    }
    if (node.kind === 'dir' && opts.recursive !== true) throw fsError('EISDIR', 'rm', path);
    dir.entries.delete(name);
  }

  // ---- simulation ----

  /** Power cut: this instance and its handles stop working; returns what was durable. */
  crash(opts: CrashOptions = {}): MemoryFileSystem {
    this.checkAlive('crash');
    this.crashed = true;
    const copies = new Map<Node, Node>();
    const copy = (n: Node): Node => {
      const done = copies.get(n);
      if (done !== undefined) return done;
      if (n.kind === 'file') {
        const bytes = survivingBytes(n, opts);
        const f: FileNode = { kind: 'file', data: bytes, length: bytes.length, durable: bytes.slice() };
        copies.set(n, f);
        return f;
      }
      const d = newDir();
      copies.set(n, d);
      for (const [name, child] of n.durableEntries) d.entries.set(name, copy(child));
      d.durableEntries = new Map(d.entries);
      return d;
    };
    return MemoryFileSystem.withRoot(copy(this.root) as DirNode);
  }

  /** A copy of a file's live bytes, bypassing handles (for tests). */
  rawBytes(path: string): Uint8Array {
    return liveBytes(this.file(path, 'open')).slice();
  }

  /**
   * Overwrites bytes as if the medium rotted: both the live and the durable image change (only
   * where they already hold data). For corruption tests.
   */
  corrupt(path: string, offsetBytes: number, bytes: Uint8Array): void {
    const f = this.file(path, 'open');
    for (let i = 0; i < bytes.length; i++) {
      const at = offsetBytes + i;
      const b = bytes[i] ?? 0;
      if (at < f.length) f.data[at] = b;
      if (at < f.durable.length) f.durable[at] = b;
    }
  }

  /** Flips every bit of one byte (see `corrupt`). */
  flipByte(path: string, offsetBytes: number): void {
    const f = this.file(path, 'open');
    if (offsetBytes >= f.length) throw fsError('EINVAL', 'flip', path);
    this.corrupt(path, offsetBytes, Uint8Array.of((f.data[offsetBytes] ?? 0) ^ 0xff));
  }
}

function survivingBytes(f: FileNode, opts: CrashOptions): Uint8Array {
  const live = liveBytes(f);
  const durable = f.durable;
  if (opts.keepFraction === undefined || live.length <= durable.length) return durable.slice();
  for (let i = 0; i < durable.length; i++) if (live[i] !== durable[i]) return durable.slice();
  const extra = live.length - durable.length;
  const keep = Math.min(extra, Math.max(0, Math.floor(opts.keepFraction() * (extra + 1))));
  return live.slice(0, durable.length + keep);
}
