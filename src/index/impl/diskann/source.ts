/**
 * Where a DISKANN index reads its nodes from: the image in memory (just built, or deserialised from
 * a payload), or the index file on disk through positional reads on a file descriptor (`pread`;
 * the OS page cache keeps hot sectors). Reads are synchronous: an index search is one synchronous
 * call, like every other index's; a page-cache hit costs a few microseconds.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { errors } from '../../../core/errors.js';
import type { IndexFileRegion } from '../../types.js';

export interface NodeSource {
  /** Fill `into` with the image bytes at `position` (relative to the image start). */
  read(into: Uint8Array, position: number): void;
  close(): void;
  /** Positional reads made so far. */
  readonly reads: number;
  /** True when the nodes are in this process's memory (no file behind them). */
  readonly inMemory: boolean;
}

export class BufferSource implements NodeSource {
  reads = 0;
  readonly inMemory = true;
  constructor(readonly image: Uint8Array) {}

  read(into: Uint8Array, position: number): void {
    this.reads++;
    into.set(this.image.subarray(position, position + into.length));
  }

  close(): void {}
}

/** A file region [offset, offset + length) holding one image (the payload of an index file). */
export type ImageFile = IndexFileRegion;

/** Descriptors still open when their index is collected are closed then (release closes them first). */
const leaked = new FinalizationRegistry<number>((fd) => {
  try { closeSync(fd); } catch { /* already closed */ }
});

/**
 * Read `into.length` bytes of the image in `file` (open as `fd`) at `position` (relative to the
 * image start) with positional reads: the FileSource's reads, and a pool worker's (walk.ts) over
 * the same descriptor.
 */
export function readImageAt(fd: number, file: ImageFile, into: Uint8Array, position: number): void {
  if (position + into.length > file.length) throw errors.internal(`DISKANN read past the image end (${position} + ${into.length})`);
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, file.offset + position + done);
    if (n === 0) throw errors.internal(`DISKANN index file ${file.path} is shorter than its header says`);
    done += n;
  }
}

export class FileSource implements NodeSource {
  reads = 0;
  readonly inMemory = false;
  private fd: number;
  private readonly token = {};
  /** Pool tasks reading through the descriptor now (`pin`); a close waits for the last one. */
  private pins = 0;
  private closing = false;

  constructor(readonly file: ImageFile) {
    this.fd = openSync(file.path, 'r');
    leaked.register(this, this.fd, this.token);
  }

  read(into: Uint8Array, position: number): void {
    if (this.fd < 0 || this.closing) throw errors.internal(`DISKANN index file ${this.file.path} was closed`);
    this.reads++;
    readImageAt(this.fd, this.file, into, position);
  }

  /** The open descriptor, kept open until `unpin` (for a worker's reads); throws once closed. */
  pin(): number {
    if (this.fd < 0 || this.closing) throw errors.internal(`DISKANN index file ${this.file.path} was closed`);
    this.pins++;
    return this.fd;
  }

  unpin(): void {
    this.pins--;
    if (this.pins === 0 && this.closing) this.close();
  }

  /** Close the descriptor now, or once the last pinned read is done; reads fail from now on. */
  close(): void {
    if (this.fd < 0) return;
    this.closing = true;
    if (this.pins > 0) return;
    leaked.unregister(this.token);
    closeSync(this.fd);
    this.fd = -1;
  }
}
