/**
 * Milvus's rules for `mmap.enabled` (collection property, field type param, index param): the value
 * must parse as a bool (Go's strconv.ParseBool: `invalid mmap.enabled value: X, expected: true,
 * false`), a disk index (DISKANN) refuses it (`index type DISKANN does not support mmap`: its data is
 * on disk already), and it may not change while the collection is loaded (code 104, each RPC with
 * Milvus's own words). What it does at load is the engine's (engine/mmap-column.ts).
 */
import { errors } from '../core/errors.js';
import type { CollectionRuntime } from '../engine/collection.js';
import { MMAP_KEY, parseMmapValue } from '../engine/mmap-column.js';
import { getIndexDescriptor } from '../index/registry.js';

/** The value to store for mmap.enabled (lowercase), or a 65535 error naming the bad value. */
export function checkMmapValue(value: unknown): string {
  const text = typeof value === 'string' ? value : typeof value === 'boolean' || typeof value === 'number' ? String(value) : JSON.stringify(value) ?? '';
  const parsed = parseMmapValue(text);
  if (parsed === undefined) throw errors.unexpected(`invalid ${MMAP_KEY} value: ${text}, expected: true, false`);
  return String(parsed);
}

/** Check mmap.enabled in a property map when present (CreateCollection properties, field type params). */
export function checkMmapProperty(props: Record<string, string | number> | undefined): void {
  if (props !== undefined && Object.prototype.hasOwnProperty.call(props, MMAP_KEY)) props[MMAP_KEY] = checkMmapValue(props[MMAP_KEY]);
}

/** Milvus's ValidateMmapIndexParams: a bool, and not `true` on an index type that cannot be mapped. */
export function checkIndexMmap(indexType: string, params: Record<string, string>): void {
  if (!Object.prototype.hasOwnProperty.call(params, MMAP_KEY)) return;
  params[MMAP_KEY] = checkMmapValue(params[MMAP_KEY]);
  if (params[MMAP_KEY] === 'true' && isDiskIndex(indexType)) throw errors.unexpected(`index type ${indexType} does not support mmap`);
}

function isDiskIndex(indexType: string): boolean {
  try {
    return getIndexDescriptor(indexType).openFile !== undefined;
  } catch {
    return false; // scalar index types: not a vector descriptor
  }
}

/** Refuse a change of mmap settings (or any AlterIndex) on a loaded collection, as Milvus does. */
export function refuseWhileLoaded(c: CollectionRuntime, why: string): void {
  if (c.isLoaded) throw errors.collectionAlreadyLoaded(c.name, why);
}
