/**
 * The bounded page cache behind mmap.enabled fields: fixed-size pages of segment files, read with
 * positional reads (`pread`) and kept least-recently-used first, never more than `limitBytes`.
 * Reads are synchronous, like DISKANN's node reads (index/impl/diskann/source.ts): a search is one
 * synchronous pass, and a page the OS already caches costs a few microseconds. Pages are recycled
 * when evicted, so a steady state allocates nothing.
 */
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { readSync } from 'node:fs';
import { assert } from '../core/assert.js';
import { errors } from '../core/errors.js';

/** Pages per file a key can address (64 KiB pages: 4 TiB). */
const PAGES_PER_FILE = 2 ** 26;

/** A segment file opened for mapped reads. */
export interface MappedFile {
  readonly id: number;
  readonly path: string;
  readonly sizeBytes: number;
}

interface OpenFile extends MappedFile {
  handle: FileHandle | null;
}

export class PageCache {
  /** Page key (file id x PAGES_PER_FILE + page) -> bytes; Map order is recency (oldest first). */
  private readonly pages = new Map<number, Uint8Array>();
  private readonly spare: Uint8Array[] = [];
  private readonly files = new Map<number, OpenFile>();
  private nextFileId = 1;
  hits = 0;
  misses = 0;

  constructor(readonly limitBytes: number, readonly pageBytes: number) {
    assert(Number.isInteger(pageBytes) && pageBytes >= 4096 && limitBytes >= pageBytes, 'page cache sizes');
  }

  /** Bytes of pages held now (at most limitBytes). */
  get heldBytes(): number {
    return this.pages.size * this.pageBytes;
  }

  /** Files open for mapped reads. */
  get openFiles(): number {
    return this.files.size;
  }

  async open(path: string): Promise<MappedFile> {
    const handle = await openFile(path, 'r');
    try {
      const { size } = await handle.stat();
      const id = this.nextFileId++;
      assert(id < 2 ** 26, 'mapped file ids');
      const f: OpenFile = { id, path, sizeBytes: size, handle };
      this.files.set(id, f);
      return f;
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /** Drop a file's pages and close it (release); reads of it fail afterwards. */
  close(file: MappedFile): void {
    const f = this.files.get(file.id);
    if (!f) return;
    this.files.delete(file.id);
    for (const key of [...this.pages.keys()]) {
      if (Math.floor(key / PAGES_PER_FILE) === file.id) this.recycle(key);
    }
    const h = f.handle;
    f.handle = null;
    h?.close().catch(() => undefined);
  }

  /** Fill `into` with the file's bytes at `position`. */
  read(file: MappedFile, position: number, into: Uint8Array): void {
    const end = position + into.length;
    if (end > file.sizeBytes) throw errors.internal(`mapped read past the end of ${file.path} (${position} + ${into.length})`);
    const pb = this.pageBytes;
    let at = position;
    while (at < end) {
      const page = Math.floor(at / pb);
      const bytes = this.page(file, page);
      const from = at - page * pb;
      const n = Math.min(end - at, pb - from);
      into.set(bytes.subarray(from, from + n), at - position);
      at += n;
    }
  }

  private page(file: MappedFile, page: number): Uint8Array {
    const key = file.id * PAGES_PER_FILE + page;
    const hit = this.pages.get(key);
    if (hit !== undefined) {
      this.hits++;
      this.pages.delete(key);
      this.pages.set(key, hit);
      return hit;
    }
    this.misses++;
    const f = this.files.get(file.id);
    if (!f || f.handle === null) throw errors.internal(`mapped file ${file.path} was closed (segment released)`);
    while (this.pages.size > 0 && (this.pages.size + 1) * this.pageBytes > this.limitBytes) {
      const oldest = this.pages.keys().next();
      if (oldest.done === true) break;
      this.recycle(oldest.value);
    }
    const bytes = this.spare.pop() ?? new Uint8Array(this.pageBytes);
    const start = page * this.pageBytes;
    const want = Math.min(this.pageBytes, f.sizeBytes - start);
    let done = 0;
    while (done < want) {
      const n = readSync(f.handle.fd, bytes, done, want - done, start + done);
      if (n === 0) throw errors.internal(`mapped file ${file.path} is shorter than ${f.sizeBytes} bytes`);
      done += n;
    }
    this.pages.set(key, bytes);
    return bytes;
  }

  private recycle(key: number): void {
    const bytes = this.pages.get(key);
    if (bytes === undefined) return;
    this.pages.delete(key);
    // Keep a few pages for reuse; the rest go back to the GC (release must give memory back).
    if (this.spare.length < 16) this.spare.push(bytes);
  }

  /** Forget every page (and spare page): what release of the last mapped segment does. */
  trim(): void {
    if (this.files.size > 0) return;
    this.pages.clear();
    this.spare.length = 0;
  }
}
