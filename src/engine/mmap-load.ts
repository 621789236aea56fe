/**
 * The loader's side of mmap.enabled: the columns of a segment being loaded that stay in their file
 * (mmap-column.ts), and what that takes off the load budget.
 */
import type { CollectionRuntime } from './collection.js';
import type { SealedSegmentMeta } from './meta.js';
import { MappedColumn, mappedFieldNames } from './mmap-column.js';
import type { SkippedColumn } from './writer.js';
import type { MappedFile, PageCache } from './page-cache.js';
import type { PartitionRuntime } from './partition.js';

/**
 * Map the columns a segment read left in its file (`skipped`, from `path`, which the read has
 * checksummed whole); null when there are none.
 */
export async function mapSegment(
  skipped: ReadonlyMap<string, SkippedColumn>, numRows: number, path: string, cache: PageCache,
): Promise<{ file: MappedFile; columns: Map<string, MappedColumn> } | null> {
  if (skipped.size === 0 || numRows === 0) return null;
  const file = await cache.open(path);
  const columns = new Map<string, MappedColumn>();
  for (const [name, { column, dataOffset }] of skipped) {
    columns.set(name, new MappedColumn(column, numRows, column.valid, cache, file, dataOffset));
  }
  return { file, columns };
}

/** Bytes of the loaded columns that `parts`' unloaded segments would map instead of holding. */
export function mappedBytesToLoad(
  c: CollectionRuntime, parts: readonly PartitionRuntime[], pathOf: (m: SealedSegmentMeta) => string | null, unloaded: ReadonlySet<string>,
): number {
  const names = mappedFieldNames(c);
  if (names.size === 0) return 0;
  let perRow = 0;
  for (const [name, b] of names) if (!unloaded.has(name)) perRow += b;
  let n = 0;
  for (const p of parts) for (const s of p.sealed) if (s.data === null && pathOf(s.meta) !== null) n += perRow * s.meta.numRows;
  return n;
}
