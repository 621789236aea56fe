/**
 * The loader's side of mmap.enabled: which columns of a segment being loaded stay in their file
 * (mmap-column.ts), and what that takes off the load budget.
 */
import type { CollectionRuntime } from './collection.js';
import type { Chunk } from './chunk.js';
import type { SealedSegmentMeta } from './meta.js';
import { fileOffsetOf, MappedColumn, mappedFieldNames } from './mmap-column.js';
import type { MappedFile, PageCache } from './page-cache.js';
import type { PartitionRuntime } from './partition.js';

/** Bytes compared between the decoded column and the file when a column is mapped. */
const CHECK_BYTES = 64;

/**
 * Map the columns of `raw` (just read from `path`) that load mapped; null when none does. A column
 * is mapped only when its decoded array is a view of the file's bytes whose first bytes read back
 * the same through the cache; otherwise it stays resident.
 */
export async function mapSegment(
  c: CollectionRuntime, raw: Chunk, path: string, cache: PageCache,
): Promise<{ file: MappedFile; columns: Map<string, MappedColumn> } | null> {
  const names = mappedFieldNames(c);
  if (names.size === 0 || raw.numRows === 0) return null;
  const file = await cache.open(path);
  const columns = new Map<string, MappedColumn>();
  try {
    for (const name of names.keys()) {
      const col = raw.column(name);
      if (col === undefined) continue;
      const data = col.data as ArrayBufferView;
      const offset = fileOffsetOf(col, data.buffer, 0);
      if (offset === null) continue;
      const m = new MappedColumn(col, raw.numRows, col.valid === null ? null : col.valid.slice(), cache, file, offset);
      if (!sameStart(m, data)) continue;
      columns.set(name, m);
    }
  } catch (e) {
    cache.close(file);
    throw e;
  }
  if (columns.size === 0) {
    cache.close(file);
    return null;
  }
  return { file, columns };
}

function sameStart(m: MappedColumn, data: ArrayBufferView): boolean {
  const n = Math.min(CHECK_BYTES, m.sizeBytes);
  if (data.byteLength < n) return false;
  const mem = new Uint8Array(data.buffer, data.byteOffset, n);
  const got = new Uint8Array(n);
  m.readBytes(0, got);
  for (let i = 0; i < n; i++) if (got[i] !== mem[i]) return false;
  return true;
}

/** Bytes of the columns that `parts`' unloaded segments would map instead of holding. */
export function mappedBytesToLoad(c: CollectionRuntime, parts: readonly PartitionRuntime[], pathOf: (m: SealedSegmentMeta) => string | null): number {
  const names = mappedFieldNames(c);
  if (names.size === 0) return 0;
  let perRow = 0;
  for (const b of names.values()) perRow += b;
  let n = 0;
  for (const p of parts) for (const s of p.sealed) if (s.data === null && pathOf(s.meta) !== null) n += perRow * s.meta.numRows;
  return n;
}
