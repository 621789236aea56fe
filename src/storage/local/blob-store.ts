/**
 * The local BlobStore: the `segments/` directory. Segment, tombstone and index files are written
 * there durably by their writers (temp, fsync, rename, fsync the directory: storage/segment.ts,
 * storage/index-file.ts), so the staging directory is the store itself: `publish` only checks
 * that the file is in place, `localPath` is its path, `readRange` a positional read.
 */
import { posix } from 'node:path';
import type { FileSystem } from '../fs/types.js';
import type { BlobStore } from '../ports.js';
import { storageErrors } from '../errors.js';

export class LocalBlobStore implements BlobStore {
  constructor(
    readonly fs: FileSystem,
    readonly stagingDir: string,
  ) {}

  private path(key: string): string {
    return posix.join(this.stagingDir, key);
  }

  async publish(key: string): Promise<void> {
    const p = this.path(key);
    if (!(await this.fs.exists(p))) throw storageErrors.blobMissing(key, p);
  }

  async localPath(key: string): Promise<string> {
    return this.path(key);
  }

  async readRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    const fh = await this.fs.open(this.path(key), 'r');
    try {
      let at = 0;
      while (at < length) {
        const n = await fh.read(out.subarray(at), offset + at);
        if (n <= 0) break;
        at += n;
      }
      return at === length ? out : out.subarray(0, at);
    } finally {
      await fh.close();
    }
  }

  list(): Promise<string[]> {
    return this.fs.readdir(this.stagingDir);
  }

  async remove(keys: readonly string[]): Promise<void> {
    for (const k of keys) {
      const p = this.path(k);
      if (await this.fs.exists(p)) await this.fs.unlink(p);
    }
  }
}
