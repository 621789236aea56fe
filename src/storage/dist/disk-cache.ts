/**
 * A bounded local disk cache of immutable objects, least recently used first out, counted in bytes.
 * Files live flat in `dir` under an encoded key name; an entry is added by renaming a complete file
 * into place (so a reader never sees a partial one). Files found at start-up are adopted, so a
 * restarted node does not download them again. An evicted file that a reader has open stays readable
 * (POSIX unlink); a path handed out and not opened yet may vanish, so readers open what they get at once.
 */
import { mkdir, readdir, rename, stat, unlink, copyFile } from 'node:fs/promises';
import * as path from 'node:path';

const TEMP_SUFFIX = '.part';

export class DiskCache {
  /** key -> size, in recency order (Map keeps insertion order; a hit re-inserts). */
  private readonly entries = new Map<string, number>();
  private bytes = 0;

  private constructor(readonly dir: string, readonly maxBytes: number) {}

  static async open(dir: string, maxBytes: number): Promise<DiskCache> {
    await mkdir(dir, { recursive: true });
    const cache = new DiskCache(dir, maxBytes);
    for (const name of await readdir(dir)) {
      const file = path.join(dir, name);
      if (name.endsWith(TEMP_SUFFIX)) { await unlink(file).catch(() => undefined); continue; }
      const st = await stat(file);
      if (!st.isFile()) continue;
      cache.entries.set(decodeURIComponent(name), st.size);
      cache.bytes += st.size;
    }
    await cache.evict();
    return cache;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  pathOf(key: string): string {
    return path.join(this.dir, encodeURIComponent(key));
  }

  /** A temp path in the cache directory to download into before `adopt`. */
  tempPathOf(key: string): string {
    return `${this.pathOf(key)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}${TEMP_SUFFIX}`;
  }

  /** The cached path (marking it recently used), or null. */
  hit(key: string): string | null {
    const size = this.entries.get(key);
    if (size === undefined) return null;
    this.entries.delete(key);
    this.entries.set(key, size);
    return this.pathOf(key);
  }

  /** Moves a complete file into the cache (copying across file systems) and evicts down to the bound. */
  async adopt(key: string, file: string, sizeBytes: number): Promise<string> {
    const dest = this.pathOf(key);
    try {
      await rename(file, dest);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      const tmp = this.tempPathOf(key);
      await copyFile(file, tmp);
      await rename(tmp, dest);
      await unlink(file);
    }
    const old = this.entries.get(key);
    if (old !== undefined) this.bytes -= old;
    this.entries.delete(key);
    this.entries.set(key, sizeBytes);
    this.bytes += sizeBytes;
    await this.evict(key);
    return dest;
  }

  async drop(key: string): Promise<void> {
    const size = this.entries.get(key);
    if (size === undefined) return;
    this.entries.delete(key);
    this.bytes -= size;
    await unlink(this.pathOf(key)).catch(() => undefined);
  }

  /** Least recently used out until within the bound; `keep` (just added) stays even if alone too big. */
  private async evict(keep?: string): Promise<void> {
    for (const [key, size] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      if (key === keep) continue;
      this.entries.delete(key);
      this.bytes -= size;
      await unlink(this.pathOf(key)).catch(() => undefined);
    }
  }
}
