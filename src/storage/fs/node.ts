/** The real disk, through node:fs/promises. */
import * as fsp from 'node:fs/promises';
import type { FileHandle, FileStat, FileSystem, OpenFlags } from './types.js';
import { fsError } from './types.js';

/** Bytes one read or write call moves at most: node refuses a length past 2^31 - 1 (files of a 2 GiB segment's DISKANN index are bigger). */
const IO_CALL_BYTES = 2 ** 30;

class NodeFileHandle implements FileHandle {
  constructor(private readonly fh: fsp.FileHandle) {}

  async write(data: Uint8Array, position?: number): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const at = position === undefined ? null : position + done;
      const { bytesWritten } = await this.fh.write(data, done, Math.min(IO_CALL_BYTES, data.length - done), at);
      done += bytesWritten;
    }
  }

  async read(into: Uint8Array, position: number): Promise<number> {
    let done = 0;
    while (done < into.length) {
      const { bytesRead } = await this.fh.read(into, done, Math.min(IO_CALL_BYTES, into.length - done), position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
  }

  sync(): Promise<void> {
    return this.fh.sync();
  }

  truncate(lengthBytes: number): Promise<void> {
    return this.fh.truncate(lengthBytes);
  }

  async size(): Promise<number> {
    return (await this.fh.stat()).size;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

export class NodeFileSystem implements FileSystem {
  async open(path: string, flags: OpenFlags): Promise<FileHandle> {
    return new NodeFileHandle(await fsp.open(path, flags));
  }

  async readFile(path: string): Promise<Uint8Array> {
    const fh = await fsp.open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      // fs.readFile refuses files past 2 GiB; those are read in IO_CALL_BYTES pieces.
      if (size <= IO_CALL_BYTES) {
        const buf = await fh.readFile();
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      }
      const into = new Uint8Array(size);
      const n = await new NodeFileHandle(fh).read(into, 0);
      return n === size ? into : into.subarray(0, n);
    } finally {
      await fh.close();
    }
  }

  rename(from: string, to: string): Promise<void> {
    return fsp.rename(from, to);
  }

  unlink(path: string): Promise<void> {
    return fsp.unlink(path);
  }

  async readdir(dir: string): Promise<string[]> {
    return (await fsp.readdir(dir)).sort();
  }

  async mkdir(dir: string, opts: { recursive?: boolean } = {}): Promise<void> {
    await fsp.mkdir(dir, { recursive: opts.recursive ?? false });
  }

  async exists(path: string): Promise<boolean> {
    try {
      await fsp.stat(path);
      return true;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw e;
    }
  }

  async fsyncDir(dir: string): Promise<void> {
    const fh = await fsp.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async stat(path: string): Promise<FileStat> {
    const s = await fsp.stat(path);
    return { size: s.size, isDirectory: s.isDirectory() };
  }

  async rm(path: string, opts: { recursive?: boolean; force?: boolean } = {}): Promise<void> {
    try {
      await fsp.rm(path, { recursive: opts.recursive ?? false, force: opts.force ?? false });
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ERR_FS_EISDIR') throw fsError('EISDIR', 'rm', path);
      throw e;
    }
  }
}
