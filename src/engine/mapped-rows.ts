/**
 * What an index over a mapped (mmap.enabled) field reads its rows through (descriptor `openMapped`,
 * index/descriptor.ts MappedVectorRows): the column's rows rewritten in the index's order (IVF_FLAT:
 * list order) to a file of their own next to the segment file, opened and unlinked at once, so the
 * file goes when the index closes it (release) or the process ends; a crash between its creation and
 * the unlink leaves an unnamed file the next open's orphan sweep removes. This is Milvus's query node
 * writing a loaded segment's mmap files locally.
 *
 * Reads of that file are positional reads straight into the caller's buffer (the index's window in
 * its wasm memory), not through the engine's page cache: a probed list is read once per query in
 * whole windows, so a cached page would be copied twice for one use. 100k x 768, nprobe 32 (about
 * 30 MB of rows a query): 9.4-10.2 ms of CPU a query through the 64 MiB page cache (45% page hits),
 * 4.1-5.0 ms read directly. What stays in memory between queries is the OS's page cache (not the
 * process's), as with Milvus's mmap.
 *
 * The rewrite reads each row with a positional read of the segment file (the load has just read the
 * file, so these are OS page cache hits) into a block of `limits.mmapReorderBlockBytes`, written
 * whole: memory held while it runs is one block, whatever the column's size.
 */
import { randomBytes } from 'node:crypto';
import { readSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { limits } from '../core/limits.js';
import { errors } from '../core/errors.js';
import type { MappedVectorRows, RowFile } from '../index/descriptor.js';
import type { MappedColumn } from './mmap-column.js';

/** `col` as an index reading it on demand sees it. */
export function mappedVectorRows(col: MappedColumn): MappedVectorRows {
  return { shape: col.shape(), reorder: (order) => reorderRows(col, order) };
}

async function reorderRows(col: MappedColumn, order: Int32Array): Promise<RowFile> {
  const rb = col.rowBytes;
  const path = `${col.file.path}.${randomBytes(6).toString('hex')}.rows`;
  const dst = await open(path, 'wx+');
  try {
    const src = await open(col.file.path, 'r');
    try {
      const blockRows = Math.max(1, Math.floor(limits.mmapReorderBlockBytes / rb));
      const block = new Uint8Array(Math.max(1, Math.min(order.length, blockRows)) * rb);
      for (let from = 0; from < order.length; from += blockRows) {
        const n = Math.min(blockRows, order.length - from);
        await readRowsInto(src, col, order, from, n, block);
        await writeFully(dst, block.subarray(0, n * rb), from * rb);
      }
    } finally {
      await src.close();
    }
    return new ReorderedFile(dst, order.length, rb);
  } catch (e) {
    await dst.close().catch(() => undefined);
    throw e;
  } finally {
    await unlink(path).catch(() => undefined);
  }
}

/** The rewritten rows, open (and already unlinked) until `close`. */
class ReorderedFile implements RowFile {
  private handle: FileHandle | null;

  constructor(handle: FileHandle, readonly numRows: number, readonly rowBytes: number) {
    this.handle = handle;
  }

  read(fromRow: number, into: Uint8Array): void {
    const h = this.handle;
    if (h === null) throw errors.internal('list-order rows read after release');
    const at = fromRow * this.rowBytes;
    if (at + into.length > this.numRows * this.rowBytes) throw errors.internal(`list-order read past the end (${fromRow} + ${into.length} bytes)`);
    for (let done = 0; done < into.length;) {
      const n = readSync(h.fd, into, done, into.length - done, at + done);
      if (n === 0) throw errors.internal('list-order rows file is short');
      done += n;
    }
  }

  close(): void {
    const h = this.handle;
    this.handle = null;
    h?.close().catch(() => undefined);
  }
}

/** Rows order[from .. from + n) of the segment file into block[0 .. n), reads overlapping in the I/O threads. */
async function readRowsInto(src: FileHandle, col: MappedColumn, order: Int32Array, from: number, n: number, block: Uint8Array): Promise<void> {
  const rb = col.rowBytes;
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) {
      const row = order[from + i]!;
      if (row < 0 || row >= col.numRows) throw errors.internal(`mapped row ${row} outside [0, ${col.numRows})`);
      for (let done = 0; done < rb;) {
        const { bytesRead } = await src.read(block, i * rb + done, rb - done, col.dataOffset + row * rb + done);
        if (bytesRead === 0) throw errors.internal(`segment file ${col.file.path} is shorter than its column`);
        done += bytesRead;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, limits.mmapReorderReadsInFlight) }, lane));
}

async function writeFully(dst: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    const { bytesWritten } = await dst.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}
