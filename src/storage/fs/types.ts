/**
 * The file-system seam. Everything durable (WAL, segment files, manifest) goes through a
 * `FileSystem`, so the same code runs on the real disk (`NodeFileSystem`), on a simulated disk that
 * models what survives a power cut (`MemoryFileSystem`), and under injected faults
 * (`FaultyFileSystem`). All calls are asynchronous; there are no *Sync twins.
 *
 * Durability contract (POSIX, and what MemoryFileSystem enforces): bytes written through a handle
 * are durable only after that handle's `sync()`; creating, renaming or unlinking a directory entry
 * is durable only after `fsyncDir()` of the directory that holds the entry.
 *
 * Failures are Node-style errors: an `Error` with `code` ('ENOENT', 'EEXIST', 'EIO', 'ENOSPC', ...).
 */

/** 'r' read; 'r+' read/write existing; 'w' create/truncate; 'wx' create exclusively; 'a' append/create. */
export type OpenFlags = 'r' | 'r+' | 'w' | 'wx' | 'a';

export interface FileHandle {
  /** Writes all of `data` at `position` (default: the handle's current position, which advances). */
  write(data: Uint8Array, position?: number): Promise<void>;
  /** Reads up to `into.length` bytes at `position`; returns how many were read (less only at EOF). */
  read(into: Uint8Array, position: number): Promise<number>;
  /** Makes every byte written through this file so far durable. */
  sync(): Promise<void>;
  truncate(lengthBytes: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface FileStat {
  size: number;
  isDirectory: boolean;
}

export interface FileSystem {
  open(path: string, flags: OpenFlags): Promise<FileHandle>;
  readFile(path: string): Promise<Uint8Array>;
  /** Atomically replaces `to` if it exists (same directory or not). */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file (not a directory). */
  unlink(path: string): Promise<void>;
  /** Entry names in `dir`, sorted. */
  readdir(dir: string): Promise<string[]>;
  mkdir(dir: string, opts?: { recursive?: boolean }): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Makes entry changes (create / rename / unlink) inside `dir` durable. */
  fsyncDir(dir: string): Promise<void>;
  stat(path: string): Promise<FileStat>;
  /** Removes a file or (with recursive) a directory tree; `force` ignores a missing path. */
  rm(path: string, opts?: { recursive?: boolean; force?: boolean }): Promise<void>;
}

/** A Node-style system error (`code`, `syscall`, `path`). */
export interface FsError extends Error {
  code: string;
  syscall: string;
  path?: string;
}

const messages: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  EISDIR: 'illegal operation on a directory',
  ENOTDIR: 'not a directory',
  ENOTEMPTY: 'directory not empty',
  EBADF: 'bad file descriptor',
  EIO: 'i/o error',
  ENOSPC: 'no space left on device',
  EINVAL: 'invalid argument',
};

export function fsError(code: string, syscall: string, path?: string): FsError {
  const text = messages[code] ?? 'error';
  const err = new Error(`${code}: ${text}, ${syscall}${path === undefined ? '' : ` '${path}'`}`) as FsError;
  err.code = code;
  err.syscall = syscall;
  if (path !== undefined) err.path = path;
  return err;
}

export function isFsError(e: unknown, code?: string): e is FsError {
  if (!(e instanceof Error)) return false;
  const c: unknown = (e as { code?: unknown }).code;
  return typeof c === 'string' && (code === undefined || c === code);
}
