/**
 * What a load will hold and read, known before reading any column: the segment files less the
 * columns of fields a partial load leaves out (their sizes from the files' column headers), each
 * resident vector column's norms and slack, and the loaded fields' indexes from their file sizes.
 */
import { isVectorKind } from '../index/metrics.js';
import { PAGE_BYTES } from '../index/wasm/loader.js';
import { columnKindFor } from '../schema/column.js';
import type { CollectionRuntime } from './collection.js';
import { unloadedFieldNames, type LoadedFields, type SealedSegmentMeta } from './meta.js';
import { mappedFieldNames } from './mmap-column.js';
import type { SealedSegment } from './partition.js';

/** What the estimate reads: file paths, index file sizes and column headers. */
export interface EstimateDeps {
  /** The segment file's path when positional reads can reach it (mmap.enabled), else null. */
  segmentPath?(meta: SealedSegmentMeta): string | null;
  /** Bytes a segment's indexes will hold once attached, those on `unloaded` fields left out (indexer.loadEstimateBytes). */
  estimateIndexBytes(c: CollectionRuntime, meta: SealedSegmentMeta, unloaded: ReadonlySet<string>): Promise<number>;
  /** Bytes of each column of a segment file by field id, from its column headers (storage/segment-stream.ts). */
  columnBytes(meta: SealedSegmentMeta): Promise<ReadonlyMap<number, number>>;
}

/** Resident vector memories reserve this much beyond the rows and their norms (resident.ts). */
const RESIDENT_SLACK_BYTES = 32 * PAGE_BYTES;
const NORM_BYTES_PER_ROW = 9;

/** Field ids a load of `fields` leaves out (empty for a full load). */
export function unloadedFieldIds(c: CollectionRuntime, fields: LoadedFields | null): Set<number> {
  const names = unloadedFieldNames(c.meta.schema, fields);
  const out = new Set<number>();
  for (const f of c.meta.schema.fields) if (names.has(f.name)) out.add(f.fieldId);
  return out;
}

/** Learn the column sizes of a segment once (files never change); only needed when fields are left out. */
export async function knowColumnBytes(deps: EstimateDeps, s: SealedSegment, unloaded: ReadonlySet<number>): Promise<void> {
  if (unloaded.size > 0 && s.columnBytes === undefined) s.columnBytes = await deps.columnBytes(s.meta);
}

/** File bytes a load of `s` reads: the whole file less the columns left out (once their sizes are known). */
export function segmentReadBytes(s: SealedSegment, unloaded: ReadonlySet<number>): number {
  let n = s.meta.sizeBytes;
  if (unloaded.size === 0 || s.columnBytes === undefined) return n;
  for (const id of unloaded) n -= s.columnBytes.get(id) ?? 0;
  return n;
}

/** What loading the unloaded ones of `segments` with `fields` will hold (see the file comment). */
export async function estimateLoadBytes(
  deps: EstimateDeps, c: CollectionRuntime, segments: readonly SealedSegment[], fields: LoadedFields | null = c.meta.load,
): Promise<number> {
  const unloadedNames = unloadedFieldNames(c.meta.schema, fields);
  const unloaded = unloadedFieldIds(c, fields);
  const mapped = mappedFieldNames(c);
  let residentFields = 0, mappedVectorFields = 0;
  for (const f of c.meta.schema.fields) {
    const kind = columnKindFor(f.dataType);
    if (!isVectorKind(kind) || kind === 'sparseVector' || kind === 'float16Vector' || unloadedNames.has(f.name)) continue;
    residentFields++;
    if (mapped.has(f.name)) mappedVectorFields++;
  }
  let n = 0;
  for (const s of segments) {
    if (s.data) continue;
    await knowColumnBytes(deps, s, unloaded);
    // A mapped vector field is not made resident where the segment can be mapped (mmap-load.ts).
    const vectors = deps.segmentPath?.(s.meta) ? residentFields - mappedVectorFields : residentFields;
    n += segmentReadBytes(s, unloaded) + vectors * (RESIDENT_SLACK_BYTES + NORM_BYTES_PER_ROW * s.meta.numRows);
    n += await deps.estimateIndexBytes(c, s.meta, unloadedNames);
  }
  return n;
}
